"""The certificate of entitlement on the desk (issue 18 §4): «ออกหนังสือรับรองสิทธิ…» for the person chosen in the
people list, and «ทะเบียนคุมหนังสือรับรองสิทธิ…», the unit's register of certificates for a period.

* :class:`CertificateDialog` asks the admission date (typed วว/ดด/ปปปป พ.ศ.) and the hospital, shows what the rules
  say about that date as the officer types (the refusal's Thai reason beside the field; the issue button stays off
  while the person is not entitled), issues on the database worker (app.usecases.certificates.issue), then offers
  to save the PDF (a save dialog; the file written whole or not at all) and to open it.
* :class:`RegisterDialog` lists the certificates issued in a period on screen and saves the list as PDF or .xlsx.

Dialogs open with open() and report by signal; the GUI thread never waits on the working copy or the disk.
"""
from __future__ import annotations

import datetime as _dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.errors import Refusal
from app.thai import ThaiDateError, format_date_short
from app.usecases import Changed, certificates, forms

from .dialogs import DeskDialog
from .i18n import tr
from .papers import save_dialog
from .qt import (
    QDesktopServices, QFileDialog, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
    QTableWidget, QTableWidgetItem, QTimer, QUrl, QVBoxLayout, QWidget, Signal,
)
from .tasks import TaskRunner

DEBOUNCE_MS = 250


def _papers(parent) -> TaskRunner:
    """A runner on a thread of its own for typesetting and writing files (never the GUI's, never the database's)."""
    return TaskRunner(ThreadPoolExecutor(max_workers=1, thread_name_prefix="lgo-paper"), parent)


def _safe_name(number: str) -> str:
    return number.replace("/", "-")


def open_file(path: str | Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class CertificateDialog(DeskDialog):
    """Issue a certificate of entitlement for ``cid`` (whose name is ``name``)."""

    issued = Signal(object)      # the Certificate, once kept
    checked = Signal(str)        # the verdict line shown (tests and the demo follow it)
    saved = Signal(str)          # the PDF's path, once written

    def __init__(self, runner: TaskRunner, desk, cid: str, name: str, today: _dt.date,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("certificateDialog")
        self.setWindowTitle(tr("ออกหนังสือรับรองสิทธิการรักษาพยาบาล", "Issue a certificate of entitlement"))
        self.runner, self.desk, self.cid, self.today = runner, desk, cid, today
        self.papers = _papers(self)
        self.entitled = False
        self.certificate = None
        self.pdf: bytes | None = None
        self.path: str | None = None
        self._generation = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.check)

        who = QLabel(f"<b>{name}</b>")
        who.setObjectName("who")
        self.admitted = QLineEdit()
        self.admitted.setObjectName("admittedOn")
        self.admitted.setPlaceholderText(tr("วว/ดด/ปปปป (พ.ศ.) เช่น 14/03/2569", "dd/mm/yyyy (Buddhist era)"))
        self.verdict = QLabel(tr("กรอกวันที่เข้ารับการรักษา แล้วโปรแกรมจะตรวจสิทธิในวันนั้น",
                                 "Type the admission date: the right on that day is checked."))
        self.verdict.setObjectName("verdict")
        self.verdict.setWordWrap(True)
        self.hospital = QLineEdit()
        self.hospital.setObjectName("hospital")
        self.hospital.setPlaceholderText(tr("เช่น โรงพยาบาลขอนแก่น", "e.g. Khon Kaen Hospital"))
        self.hospital.setMaxLength(certificates.HOSPITAL_MAX)
        self.hospital_note = QLabel("")
        self.hospital_note.setObjectName("hospitalNote")
        # a grid, not a form: a word-wrapped label in a form row is given one line's height and its second line
        # drawn over the next row; a grid gives the verdict the height its width needs
        form = QGridLayout()
        form.setColumnStretch(1, 1)
        for row, (th, en, widget) in enumerate((("ผู้ป่วย", "Patient", who),
                                                ("วันที่เข้ารับการรักษา", "Admitted on", self.admitted),
                                                ("", "", self.verdict),
                                                ("สถานพยาบาล", "Hospital", self.hospital),
                                                ("", "", self.hospital_note))):
            if th:
                form.addWidget(QLabel(tr(th, en)), row, 0)
            form.addWidget(widget, row, 1)
        self.done_label = QLabel("")
        self.done_label.setObjectName("doneLabel")
        self.done_label.setWordWrap(True)

        self.issue_button = QPushButton(tr("ออกหนังสือ (&O)", "&Issue"))
        self.issue_button.setObjectName("issueButton")
        self.issue_button.setEnabled(False)
        self.issue_button.clicked.connect(self.issue)
        self.save_button = QPushButton(tr("บันทึก PDF (&S)…", "&Save PDF…"))
        self.save_button.setObjectName("savePdf")
        self.save_button.setVisible(False)
        self.save_button.clicked.connect(self.ask_where)
        self.open_button = QPushButton(tr("เปิดไฟล์", "Open"))
        self.open_button.setObjectName("openPdf")
        self.open_button.setVisible(False)
        self.open_button.clicked.connect(lambda: self.path and open_file(self.path))
        close = QPushButton(tr("ปิด", "Close"))
        close.setObjectName("closeButton")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.issue_button, self.save_button, self.open_button, close):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.done_label)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.set_accept(self.issue_button)
        self.admitted.textEdited.connect(lambda _t: self._timer.start())
        self.hospital.textEdited.connect(lambda _t: self._update_button())
        self.watch_typing()
        self.resize(680, 380)

    # --- as the officer types ------------------------------------------------------------------------------

    def _say(self, text: str, ok: bool | None) -> None:
        self.verdict.setText(text)
        self.verdict.setProperty("state", "" if ok is None else ("ok" if ok else "error"))
        self.verdict.setStyleSheet("" if ok is None else ("color: #1b7f3b;" if ok else "color: #a33;"))
        self.checked.emit(text)

    def day(self) -> _dt.date | None:
        try:
            return forms.typed_date(self.admitted.text(), "วันที่เข้ารับการรักษา")
        except (Refusal, ThaiDateError):
            return None

    def check(self) -> None:
        """Ask the rules about the typed date on the database worker; a newer question makes an older answer moot."""
        self._timer.stop()
        self._generation += 1
        generation = self._generation
        self.entitled = False
        self._update_button()
        try:
            day = forms.typed_date(self.admitted.text(), "วันที่เข้ารับการรักษา")
        except (Refusal, ThaiDateError) as e:
            self._say(str(e), False)
            return
        if day > self.today:
            self._say(tr("วันที่เข้ารับการรักษาต้องไม่เป็นวันในอนาคต", "The admission date is in the future."), False)
            return
        desk, cid = self.desk, self.cid

        def answered(grounds) -> None:
            if generation == self._generation:
                self.entitled = True
                self._say("✔ " + grounds.describe(), True)
                self._update_button()

        def refused(error: BaseException) -> None:
            if generation == self._generation:
                self._say(str(error) if isinstance(error, Refusal) else
                          tr("ตรวจสิทธิไม่สำเร็จ กรุณาลองอีกครั้ง", "The check failed; try again."), False)

        self.runner.run(lambda: certificates.grounds(desk, cid, day), answered, refused)

    def _update_button(self) -> None:
        hospital = bool(self.hospital.text().strip())
        self.hospital_note.setText("" if hospital or not self.hospital.isModified() else
                                   tr("กรุณากรอกชื่อสถานพยาบาล", "Enter the hospital's name."))
        self.issue_button.setEnabled(self.certificate is None and self.entitled and hospital)

    # --- issuing and saving ---------------------------------------------------------------------------------

    def issue(self) -> None:
        if self._timer.isActive():
            self.check()
            return
        day = self.day()
        if not self.issue_button.isEnabled() or day is None:
            return
        self.issue_button.setEnabled(False)
        desk, cid, hospital = self.desk, self.cid, self.hospital.text()
        self.done_label.setText(tr("กำลังออกหนังสือ…", "Issuing…"))
        self.runner.run(lambda: certificates.issue(desk, cid=cid, admitted_on=day, hospital=hospital),
                        self._issued, self._not_issued)

    def _issued(self, result) -> None:
        cert, pdf = result
        self.certificate, self.pdf = cert, pdf
        self.dirty = False
        for w in (self.admitted, self.hospital):
            w.setReadOnly(True)
        self.done_label.setText(tr(f"ออกหนังสือรับรองสิทธิ เลขที่ {cert.number} แล้ว "
                                   "กรุณาบันทึกเป็นไฟล์ PDF แล้วพิมพ์ให้ผู้บริหารลงนาม",
                                   f"Certificate no. {cert.number} issued: save it as PDF and print it for signing."))
        self.save_button.setVisible(True)
        self.set_accept(self.save_button)
        self.save_button.setDefault(True)
        self.save_button.setFocus()
        self.issued.emit(cert)
        self.ask_where()

    def _not_issued(self, error: BaseException) -> None:
        self.done_label.setText(str(error) if isinstance(error, Refusal) else
                                tr("ออกหนังสือไม่สำเร็จ ไม่มีการบันทึกใด ๆ กรุณาลองอีกครั้ง",
                                   "Not issued; nothing was kept. Try again."))
        self._update_button()

    def ask_where(self) -> QFileDialog | None:
        """The save dialog for the PDF (returned: tests drive it)."""
        if self.certificate is None:
            return None
        name = f"หนังสือรับรองสิทธิ {_safe_name(self.certificate.number)}.pdf"
        self.save_dialog = save_dialog(self, tr("บันทึกหนังสือรับรองสิทธิเป็น PDF", "Save the certificate as PDF"),
                                       Path.home() / name, "pdf", "saveCertificateDialog", self.save_to)
        return self.save_dialog

    def save_to(self, path: str) -> None:
        if not path or self.pdf is None:
            return
        from app.documents import write_file

        pdf = self.pdf
        self.papers.run(lambda: write_file(path, pdf), self._saved, self._not_saved)

    def _saved(self, path) -> None:
        self.path = str(path)
        self.done_label.setText(tr(f"บันทึกหนังสือรับรองสิทธิ เลขที่ {self.certificate.number} แล้วที่ {path}",
                                   f"Saved: {path}"))
        self.open_button.setVisible(True)
        self.saved.emit(self.path)

    def _not_saved(self, error: BaseException) -> None:
        self.done_label.setText(str(error) if isinstance(error, Refusal) else
                                tr("บันทึกไฟล์ไม่สำเร็จ กรุณาเลือกที่บันทึกอื่น", "Not saved; choose another place."))


class RegisterDialog(DeskDialog):
    """ทะเบียนคุมหนังสือรับรองสิทธิ: the certificates issued in a period, on screen, as PDF and as Excel."""

    listed = Signal(int)     # rows shown
    saved = Signal(str)

    def __init__(self, runner: TaskRunner, desk, today: _dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("certificateRegisterDialog")
        self.setWindowTitle(tr("ทะเบียนคุมหนังสือรับรองสิทธิ", "Register of certificates of entitlement"))
        self.runner, self.desk, self.today = runner, desk, today
        self.papers = _papers(self)
        self.document = None
        self.start = QLineEdit(format_date_short(today.replace(day=1)))
        self.start.setObjectName("start")
        self.end = QLineEdit(format_date_short(today))
        self.end.setObjectName("end")
        show = QPushButton(tr("แสดง (&L)", "&List"))
        show.setObjectName("showButton")
        show.clicked.connect(self.load)
        period = QHBoxLayout()
        period.addWidget(QLabel(tr("ออกตั้งแต่วันที่", "Issued from")))
        period.addWidget(self.start)
        period.addWidget(QLabel(tr("ถึงวันที่", "to")))
        period.addWidget(self.end)
        period.addWidget(show)
        self.note = QLabel("")
        self.note.setObjectName("note")
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("certificateTable")
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.pdf_button = QPushButton(tr("บันทึก PDF (&P)…", "Save &PDF…"))
        self.pdf_button.setObjectName("pdfButton")
        self.pdf_button.clicked.connect(lambda: self.ask_where("pdf"))
        self.xlsx_button = QPushButton(tr("ส่งออก Excel (&X)…", "Export E&xcel…"))
        self.xlsx_button.setObjectName("xlsxButton")
        self.xlsx_button.clicked.connect(lambda: self.ask_where("xlsx"))
        close = QPushButton(tr("ปิด", "Close"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.pdf_button, self.xlsx_button, close):
            buttons.addWidget(b)
            b.setEnabled(b is close)
        layout = QVBoxLayout(self)
        layout.addLayout(period)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.set_accept(show)
        self.resize(1100, 600)
        self.load()

    def load(self) -> None:
        try:
            start = forms.typed_date(self.start.text(), "วันเริ่มต้น")
            end = forms.typed_date(self.end.text(), "วันสิ้นสุด")
        except (Refusal, ThaiDateError) as e:
            self.note.setText(str(e))
            return
        desk = self.desk
        self.note.setText(tr("กำลังค้นหา…", "Listing…"))
        self.runner.run(lambda: certificates.register_document(desk, start, end), self._show, self._failed)

    def _failed(self, error: BaseException) -> None:
        self.note.setText(str(error) if isinstance(error, Refusal) else tr("ค้นหาไม่สำเร็จ", "Listing failed."))

    def _show(self, doc) -> None:
        from app.documents.tables import cell_text

        self.document = doc
        columns, rows = doc.table.columns, doc.table.rows
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels([c.title for c in columns])
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, (column, value) in enumerate(zip(columns, row)):
                self.table.setItem(r, c, QTableWidgetItem(cell_text(column, value)))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.note.setText(doc.subtitle[-1] if doc.subtitle else "")
        for b in (self.pdf_button, self.xlsx_button):
            b.setEnabled(bool(rows))
        self.listed.emit(len(rows))

    def ask_where(self, kind: str) -> QFileDialog | None:
        if self.document is None:
            return None
        name = f"ทะเบียนคุมหนังสือรับรองสิทธิ {self.start.text().replace('/', '-')} ถึง {self.end.text().replace('/', '-')}.{kind}"
        self.save_dialog = save_dialog(self, tr("บันทึกทะเบียนคุมหนังสือรับรองสิทธิ", "Save the register"),
                                       Path.home() / name, kind, "saveRegisterDialog",
                                       lambda path: self.save_to(path, kind))
        return self.save_dialog

    def save_to(self, path: str, kind: str) -> None:
        if not path or self.document is None:
            return
        from app.documents import table_pdf, table_xlsx, write_file

        doc = self.document
        paper = table_pdf if kind == "pdf" else table_xlsx
        self.note.setText(tr("กำลังบันทึก…", "Saving…"))
        self.papers.run(lambda: write_file(path, paper(doc)), self._saved, self._failed)

    def _saved(self, path) -> None:
        self.note.setText(tr(f"บันทึกแล้วที่ {path}", f"Saved: {path}"))
        self.saved.emit(str(path))


# --- on the people tab ------------------------------------------------------------------------------------------

class CertificateActions:
    """The two buttons on the people tab's row, for registry officers and the registrar."""

    def __init__(self, host) -> None:
        self.host = host
        self.dialog = None
        self.issue_button = QPushButton(tr("ออกหนังสือรับรองสิทธิ (&T)…", "Cer&tificate of entitlement…"))
        self.issue_button.setObjectName("certificateButton")
        self.issue_button.clicked.connect(self.open_issue)
        self.register_button = QPushButton(tr("ทะเบียนคุมหนังสือรับรองสิทธิ…", "Register of certificates…"))
        self.register_button.setObjectName("certificateRegisterButton")
        self.register_button.clicked.connect(self.open_register)
        # the person's action beside the other actions on the chosen person (before the row's stretch, when a
        # tab put one there), the unit-wide register at the end: Tab reads them in that order
        row = host.actions_row
        stretch = next((i for i in range(row.count()) if row.itemAt(i).spacerItem() is not None), None)
        if stretch is None:
            row.addWidget(self.issue_button)
            row.addStretch(1)
        else:
            row.insertWidget(stretch, self.issue_button)
        row.addWidget(self.register_button)
        host.chosen_changed.connect(self.offer)
        self.offer()

    def offer(self) -> None:
        chosen = self.host.current_cid() is not None
        self.issue_button.setEnabled(chosen)
        self.issue_button.setToolTip(
            tr("ออกหนังสือรับรองสิทธิการรักษาพยาบาลให้ผู้ที่เลือก สำหรับผู้ป่วยในที่ยังไม่มีข้อมูลในระบบ สปสช.",
               "A certificate of entitlement for the chosen in-patient.") if chosen else
            tr("เลือกบุคคลจากรายชื่อก่อน", "Choose a person from the list first"))

    def open_issue(self) -> CertificateDialog | None:
        desk, cid = self.host.desk, self.host.current_cid()
        if desk is None or cid is None:
            return None
        row = self.host.model.row_at(self.host.table.currentIndex().row())
        name = row.name_th if row is not None else ""
        dialog = CertificateDialog(self.host.runner, desk, cid, name, self.host.today, self.host)
        dialog.issued.connect(self._issued)
        return self._open(dialog)

    def open_register(self) -> RegisterDialog | None:
        desk = self.host.desk
        if desk is None:
            return None
        return self._open(RegisterDialog(self.host.runner, desk, self.host.today, self.host))

    def _open(self, dialog):
        dialog.open()
        self.dialog = dialog
        self.host.opened(dialog)
        return dialog

    def _issued(self, cert) -> None:
        self.host.say(tr(f"ออกหนังสือรับรองสิทธิ เลขที่ {cert.number} แล้ว (จะบันทึกที่เซิร์ฟเวอร์กลางเมื่อซิงก์)",
                         f"Certificate {cert.number} issued (recorded centrally at the next sync)."))
        self.host.render(Changed(owed=1))   # the sync line counts it as owed to the server
        self.host.reload_detail()
