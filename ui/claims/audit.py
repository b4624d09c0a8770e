"""«ชุดหลักฐานเพื่อการตรวจสอบ…» (issue 19 §4): the finance officer makes the audit package of a period — a fiscal
year (1 ตุลาคม – 30 กันยายน, in Buddhist years) or a range of dates — as one .zip for the auditors, and checks a
package again against its manifest.

The package is written on a thread of its own (:data:`_audit_thread`): the working copy is read on the database
worker a claim at a time (:func:`app.usecases.audit.export_audit`'s ``db``), so neither the window nor the desk's
other work waits for a year's evidence. A bar follows the claims; «หยุด», Escape or closing the window stops it,
and a stopped or failed package leaves no file behind (the zip is written to a hidden file and renamed only
once whole). Online, evidence this PC does not hold is downloaded for the package; offline, the claims without
it are named in the result so the officer fetches them before handing the package over.

:func:`open_audit` opens it from the claims desk.
"""
from __future__ import annotations

import datetime as _dt
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.errors import Refusal
from app.thai import ThaiDateError, format_date_long, format_date_short
from app.usecases import Desk
from app.usecases import audit as uc
from app.usecases.audit import Exported, Verified

from ..dialogs import DeskDialog
from ..event_dialogs import date_edit, read_date
from ..i18n import tr
from ..papers import save_dialog
from ..qt import (
    QComboBox, QDesktopServices, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton, Qt,
    QUrl, QVBoxLayout, Signal,
)
from ..tasks import TaskRunner

log = logging.getLogger(__name__)
_audit_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lgo-audit")
YEARS_BACK = 5
GOOD = "color: #166534;"
WARN = "color: #92400e;"
SHOWN_PROBLEMS = 8


def _mb(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB" if size >= 100_000 else f"{size / 1000:,.0f} KB"


def exported_text(done: Exported) -> str:
    """The result line: what went in, and the manifest's SHA-256 for the handover letter."""
    lines = [tr(f"สร้างชุดหลักฐานแล้ว: เรื่องเบิก {done.claims:,} เรื่อง ไฟล์ {done.files:,} ไฟล์ "
                f"พร้อมบัญชีรายการไฟล์ ขนาดรวม {_mb(done.bytes)}",
                f"Made: {done.claims:,} claims, {done.files:,} files and the manifest, {_mb(done.bytes)}"),
             tr(f"บันทึกไว้ที่ {done.path}", f"Saved at {done.path}"),
             tr(f"รหัสตรวจสอบของบัญชีรายการไฟล์ (SHA-256): {done.manifest_sha256}",
                f"Manifest SHA-256: {done.manifest_sha256}")]
    if done.fetched:
        lines.append(tr(f"ดาวน์โหลดหลักฐานจากเซิร์ฟเวอร์กลางมาเพิ่ม {done.fetched:,} ไฟล์",
                        f"{done.fetched:,} evidence files downloaded from the central server"))
    return "\n".join(lines)


def missing_text(done: Exported) -> str:
    if not done.missing:
        return ""
    head = tr(f"หลักฐานของเรื่องเบิก {len(done.missing):,} เรื่องไม่อยู่ในชุดนี้ (ทะเบียนคุมระบุว่า «ขาด»):",
              f"The evidence of {len(done.missing):,} claims is not in the package:")
    rows = [f"• {m.claimant} (เลขที่ {m.claim_id}): {m.why}" for m in done.missing[:SHOWN_PROBLEMS]]
    if len(done.missing) > SHOWN_PROBLEMS:
        rows.append(tr(f"และอีก {len(done.missing) - SHOWN_PROBLEMS:,} เรื่อง", "and more"))
    return "\n".join([head, *rows])


def verified_text(found: Verified) -> str:
    name = found.path.name
    if found.ok:
        text = tr(f"«{name}» ถูกต้อง: ไฟล์ทั้ง {found.files:,} ไฟล์ตรงกับบัญชีรายการไฟล์\n"
                  f"รหัสตรวจสอบของบัญชีรายการไฟล์ (SHA-256): {found.manifest_sha256}",
                  f"{name} is intact: all {found.files:,} files match the manifest.\n"
                  f"Manifest SHA-256: {found.manifest_sha256}")
        if found.without_evidence:
            text += tr(f"\nหมายเหตุ: ชุดนี้ไม่มีหลักฐานของเรื่องเบิก {found.without_evidence:,} เรื่อง "
                       "(ทะเบียนคุมระบุว่า «ขาด»)",
                       f"\nNote: {found.without_evidence:,} claims are without their evidence in this package.")
        return text
    rows = [f"• {p}" for p in found.problems[:SHOWN_PROBLEMS]]
    if len(found.problems) > SHOWN_PROBLEMS:
        rows.append(tr(f"และอีก {len(found.problems) - SHOWN_PROBLEMS:,} รายการ", "and more"))
    return "\n".join([tr(f"«{name}» ไม่ถูกต้อง พบปัญหา {len(found.problems):,} รายการ:",
                         f"{name} does not match its manifest: {len(found.problems):,} problems"), *rows])


class AuditDialog(DeskDialog):
    """The period, «สร้างชุดหลักฐาน…» to a chosen .zip with a bar and «หยุด», the result with «เปิดโฟลเดอร์», and
    «ตรวจสอบชุดหลักฐาน…» for a package already made (module docstring)."""

    exported = Signal(object)      # app.usecases.audit.Exported
    verified = Signal(object)      # app.usecases.audit.Verified
    failed = Signal(str)           # the Thai reason a package was not made
    _progressed = Signal(int, int)

    def __init__(self, host, desk: Desk, parent=None) -> None:
        super().__init__(parent)
        self.host, self.desk = host, desk
        self.tasks = TaskRunner(_audit_thread, host.runner)   # outlives the dialog: a late answer is dropped
        self.stop_event: threading.Event | None = None
        self.folder = Path.home()
        self.made: Exported | None = None
        self.setObjectName("auditDialog")
        self.setWindowTitle(tr("ชุดหลักฐานเพื่อการตรวจสอบ", "Audit package"))

        intro = QLabel(tr("ไฟล์ .zip หนึ่งไฟล์สำหรับผู้ตรวจสอบ: ทะเบียนคุมการเบิก (PDF และ Excel) พร้อมประวัติสถานะ "
                          "หลักฐานประกอบการเบิกของทุกเรื่อง รายการโอนเงินของ สปสช. และบัญชีรายการไฟล์ที่มีรหัสตรวจสอบ "
                          "(SHA-256) ของทุกไฟล์\n"
                          "รวมทุกเรื่องที่มีวันที่รักษา วันที่ในใบเสร็จ หรือความเคลื่อนไหว (ส่งเบิก อนุมัติ โอน จ่ายคืน) "
                          "อยู่ในช่วงที่เลือก เรื่องเดียวกันจึงอาจอยู่ในชุดของสองปีงบประมาณ",
                          "One .zip for the auditors: the ledger (PDF and Excel) with every claim's history, each "
                          "claim's evidence, NHSO's payment statements and a manifest with every file's SHA-256.\n"
                          "Every claim with a day of care, a receipt or a step (sent, decided, transferred, repaid) in "
                          "the period: one claim may be in the packages of two fiscal years."))
        intro.setWordWrap(True)

        # --- the period: a fiscal year, or dates of one's own ----------------------------------------------
        self.year = QComboBox()
        self.year.setObjectName("auditPeriod")
        current = uc.fiscal_year_of(host.today)
        for be in range(current, current - YEARS_BACK, -1):
            self.year.addItem(tr(f"ปีงบประมาณ {be}" + (" (ปีปัจจุบัน)" if be == current else ""), f"FY {be}"), be)
        self.year.addItem(tr("กำหนดช่วงวันที่เอง", "Dates of my own"), None)
        self.year.setCurrentIndex(1)     # the last year that has ended: the one auditors ask for
        self.start = date_edit(None, "auditFrom")
        self.end = date_edit(None, "auditTo")
        self.span = QLabel("")
        self.span.setObjectName("auditSpan")
        self.span.setWordWrap(True)
        dates = QHBoxLayout()
        dates.addWidget(QLabel(tr("ตั้งแต่วันที่", "From")))
        dates.addWidget(self.start, 1)
        dates.addWidget(QLabel(tr("ถึงวันที่", "to")))
        dates.addWidget(self.end, 1)
        form = QFormLayout()
        form.addRow(tr("ช่วงเวลา", "Period"), self.year)
        form.addRow("", dates)
        form.addRow("", self.span)
        self.year.currentIndexChanged.connect(self._period_shown)
        for edit in (self.start, self.end):
            edit.textChanged.connect(self._period_shown)

        # --- making it ---------------------------------------------------------------------------------
        self.bar = QProgressBar()
        self.bar.setObjectName("auditProgress")
        self.bar.setVisible(False)
        self.status = QLabel("")
        self.status.setObjectName("auditStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.missing = QLabel("")
        self.missing.setObjectName("auditMissing")
        self.missing.setWordWrap(True)
        self.missing.setStyleSheet(WARN)
        self.missing.setVisible(False)
        self.open_folder = QPushButton(tr("เปิดโฟลเดอร์", "Open the folder"))
        self.open_folder.setObjectName("openAuditFolder")
        self.open_folder.setAutoDefault(False)
        self.open_folder.setVisible(False)
        self.open_folder.clicked.connect(self.show_folder)
        result_row = QHBoxLayout()
        result_row.addWidget(self.status, 1)
        result_row.addWidget(self.open_folder, 0, Qt.AlignTop)

        # --- checking one ------------------------------------------------------------------------------
        self.verify_button = QPushButton(tr("ตรวจสอบชุดหลักฐาน…", "Verify a package…"))
        self.verify_button.setObjectName("verifyAudit")
        self.verify_button.setAutoDefault(False)
        self.verify_button.clicked.connect(self.choose_to_verify)
        self.verify_result = QLabel("")
        self.verify_result.setObjectName("auditVerifyResult")
        self.verify_result.setWordWrap(True)
        self.verify_result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.verify_result.setVisible(False)

        self.make_button = QPushButton(tr("สร้างชุดหลักฐาน…", "Make the package…"))
        self.make_button.setObjectName("makeAudit")
        self.make_button.clicked.connect(self.choose_target)
        self.stop_button = QPushButton(tr("หยุด", "Stop"))
        self.stop_button.setObjectName("stopAudit")
        self.stop_button.setAutoDefault(False)
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        close = QPushButton(tr("ปิด", "Close"))
        close.setObjectName("closeAudit")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        self.set_accept(self.make_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.verify_button)
        buttons.addStretch(1)
        buttons.addWidget(self.make_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(close)

        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addLayout(form)
        box.addWidget(self.bar)
        box.addLayout(result_row)
        box.addWidget(self.missing)
        box.addWidget(self.verify_result)
        box.addStretch(1)
        box.addLayout(buttons)
        self._progressed.connect(self._progress)
        self.first_field = self.year
        self._period_shown()
        self.resize(720, 380)

    # --- the period ------------------------------------------------------------------------------------

    def period(self) -> tuple[_dt.date, _dt.date]:
        """The period chosen; Refusal / ThaiDateError for dates that cannot be read or run backwards."""
        if self.year.currentData() is not None:
            return uc.fiscal_year(int(self.year.currentData()))
        start, end = read_date(self.start, "วันเริ่มต้น"), read_date(self.end, "วันสิ้นสุด")
        if end < start:
            raise Refusal("audit.period", "วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น กรุณาแก้ช่วงวันที่",
                          "The period ends before it starts.")
        return start, end

    def _period_shown(self, *_args) -> None:
        own = self.year.currentData() is None
        for edit in (self.start, self.end):
            edit.setEnabled(own and self.stop_event is None)
        if not own:   # the fields show the year's days: a start for dates of one's own
            for edit, day in zip((self.start, self.end), uc.fiscal_year(int(self.year.currentData()))):
                edit.blockSignals(True)
                edit.setText(format_date_short(day))
                edit.blockSignals(False)
        try:
            start, end = self.period()
        except (Refusal, ThaiDateError) as e:
            self.span.setObjectName("fieldErrorText")
            self.span.setText(str(e))
        else:
            self.span.setObjectName("auditSpan")
            self.span.setText(tr(f"ตั้งแต่วันที่ {format_date_long(start, digits='arabic')} "
                                 f"ถึงวันที่ {format_date_long(end, digits='arabic')} (นับรวมทั้งสองวัน)",
                                 f"{start:%d/%m/%Y} to {end:%d/%m/%Y}"))
        self.span.style().unpolish(self.span)
        self.span.style().polish(self.span)

    # --- making the package ----------------------------------------------------------------------------

    def choose_target(self) -> QFileDialog | None:
        try:
            period = self.period()
        except (Refusal, ThaiDateError) as e:
            self._period_shown()
            self.failed.emit(str(e))
            return None
        dialog = save_dialog(self, tr("บันทึกชุดหลักฐานเพื่อการตรวจสอบ", "Save the audit package"),
                             self.folder / uc.default_name(period), "zip", "saveAuditDialog",
                             lambda path: self.export(period, path))
        self.host.opened(dialog)
        return dialog

    def export(self, period, path: str) -> None:
        """Make the package of ``period`` at ``path`` off the GUI thread (what choosing the file does)."""
        if not path or self.stop_event is not None:
            return
        self.folder = Path(path).parent
        desk, worker, fetch = self.desk, self.host.runner.worker, getattr(self.host, "get_blob", None)
        stop = self.stop_event = threading.Event()
        self._busy(True)
        self.made = None
        self.status.setStyleSheet("")
        self.status.setText(tr(f"กำลังรวบรวมเรื่องเบิกของ{uc.period_th(period)}…",
                               f"Gathering the claims of {period[0]} – {period[1]}…"))
        self.missing.setVisible(False)
        self.open_folder.setVisible(False)

        def progress(done: int, total: int) -> None:
            try:
                self._progressed.emit(done, total)
            except RuntimeError:   # the dialog is gone: stop
                stop.set()

        def make() -> Exported:
            return uc.export_audit(desk, period, path, progress, cancelled=stop.is_set, fetch=fetch,
                                   db=lambda read: worker.submit(read).result())

        self.tasks.run(make, self._exported, self._not_exported)

    def _progress(self, done: int, total: int) -> None:
        if self.stop_event is None or self.stop_event.is_set():
            return
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        claims = max(total - 1, 0)
        self.status.setText(tr(f"กำลังรวมหลักฐาน เรื่องเบิก {min(done, claims):,} จาก {claims:,} เรื่อง…"
                               if done < total else "กำลังเขียนทะเบียนคุมและบัญชีรายการไฟล์…",
                               f"Packing the evidence: {min(done, claims):,} of {claims:,} claims…"))

    def stop(self) -> None:
        if self.stop_event is not None:
            self.stop_event.set()
            self.stop_button.setEnabled(False)
            self.status.setText(tr("กำลังหยุด…", "Stopping…"))

    def _busy(self, busy: bool) -> None:
        self.bar.setVisible(busy)
        self.bar.setRange(0, 0)     # until the claims are counted
        self.stop_button.setEnabled(busy)
        for w in (self.make_button, self.verify_button, self.year):
            w.setEnabled(not busy)
        self.dirty = busy
        self._period_shown()

    def _exported(self, done: Exported) -> None:
        self.stop_event = None
        self._busy(False)
        self.made = done
        self.status.setStyleSheet(GOOD if not done.missing else "")
        self.status.setText(exported_text(done))
        self.missing.setText(missing_text(done))
        self.missing.setVisible(bool(done.missing))
        self.open_folder.setVisible(True)
        self.host.say(tr(f"สร้างชุดหลักฐานเพื่อการตรวจสอบแล้วที่ {done.path}", f"Audit package saved: {done.path}"))
        self.exported.emit(done)

    def _not_exported(self, error: BaseException) -> None:
        self.stop_event = None
        self._busy(False)
        if isinstance(error, Refusal):
            text = str(error)
        else:
            log.error("audit package failed", exc_info=error)
            text = tr("สร้างชุดหลักฐานไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด ไม่ได้บันทึกไฟล์ใด ๆ กรุณาลองอีกครั้ง "
                      "หรือแจ้งผู้ดูแลระบบ", "The audit package could not be made; no file was written.")
        self.status.setStyleSheet("color: #b91c1c;")
        self.status.setText(text)
        self.failed.emit(text)

    def show_folder(self) -> bool:
        folder = self.made.path.parent if self.made else self.folder
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # --- checking a package ----------------------------------------------------------------------------

    def choose_to_verify(self) -> QFileDialog:
        start = str(self.made.path if self.made else self.folder)
        dialog = QFileDialog(self, tr("เลือกชุดหลักฐานที่จะตรวจสอบ", "Choose a package to verify"), start,
                             tr("ชุดหลักฐาน (*.zip)", "Audit packages (*.zip)"))
        dialog.setObjectName("openAuditDialog")
        dialog.setAcceptMode(QFileDialog.AcceptOpen)
        dialog.setFileMode(QFileDialog.ExistingFile)
        dialog.fileSelected.connect(self.check)
        dialog.open()
        self.host.opened(dialog)
        return dialog

    def check(self, path: str) -> None:
        """Verify the package at ``path`` off the GUI thread (what choosing it does)."""
        if not path:
            return
        self.verify_button.setEnabled(False)
        self.verify_result.setVisible(True)
        self.verify_result.setStyleSheet("")
        self.verify_result.setText(tr(f"กำลังตรวจสอบ «{Path(path).name}»…", f"Checking {Path(path).name}…"))
        self.tasks.run(lambda: uc.verify(path), self._verified, self._not_verified)

    def _verified(self, found: Verified) -> None:
        if self.stop_event is None:
            self.verify_button.setEnabled(True)
        self.verify_result.setStyleSheet(GOOD if found.ok else "color: #b91c1c;")
        self.verify_result.setText(verified_text(found))
        self.verified.emit(found)

    def _not_verified(self, error: BaseException) -> None:
        log.error("audit package check failed", exc_info=error)
        self.verify_button.setEnabled(True)
        self.verify_result.setStyleSheet("color: #b91c1c;")
        self.verify_result.setText(tr("ตรวจสอบไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด กรุณาลองอีกครั้ง",
                                      "The package could not be checked."))

    # --- closing ---------------------------------------------------------------------------------------

    def reject(self) -> None:
        """Escape, ปิด or ✕ while a package is being made: stop it (nothing is left behind) and close."""
        if self.stop_event is not None:
            self.stop()
            self.dirty = False
        super().reject()


def open_audit(host, desk: Desk) -> AuditDialog:
    """«ชุดหลักฐานเพื่อการตรวจสอบ…» from the claims desk: the dialog, opened (not modal) over the window."""
    parent = host.window() if hasattr(host, "window") else None
    dialog = AuditDialog(host, desk, parent)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    host.opened(dialog)
    dialog.open()
    return dialog


__all__ = ["AuditDialog", "exported_text", "open_audit", "verified_text"]
