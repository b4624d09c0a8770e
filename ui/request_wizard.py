"""The account-request wizard (issue 18 §2): the unit's details, its officers (typed, or read from each one's own
card), and for a replacement the people who left; the Thai findings of
:func:`app.usecases.account_request.check` beside their field and row as the officer types; then «สร้างเอกสาร…»
writes the letter, the workbook and the e-mail draft into a folder the officer picks (off the GUI thread).

No log-in and no network: the log-in window opens it for a unit that has no account yet; a logged-in registrar
opens it from the workspace for a role change or a replacement.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


from app import cid as cidmod
from app import regions
from app.documents.request_letter import request_letter_pdf
from app.domain import Role, UnitLevel
from app.errors import Refusal
from app.usecases.account_request import (
    AccountRequest, CheckResult, Leaver, OfficerRow, Produced, RequestKind, UnitDetails, check, officer_from_card,
    produce,
)

from .dialogs import DeskDialog
from .fields import set_marked
from .qt import (
    QComboBox, QDesktopServices, QFileDialog, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QScrollArea, QSize, QTimer, QUrl, QVBoxLayout, QWidget,
)
from .tasks import TaskRunner

DEBOUNCE_MS = 300
UNIT_FIELDS = (("name", "ชื่อหน่วยงาน"), ("level", "ประเภทหน่วยงาน"), ("code", "รหัสหน่วยงาน (ถ้าทราบ)"),
               ("address", "ที่อยู่"), ("province", "จังหวัด"), ("phone", "โทรศัพท์"), ("fax", "โทรสาร"),
               ("email", "อีเมลของหน่วยงาน (สารบรรณ)"), ("head_name", "ชื่อผู้บริหารที่ลงนาม"),
               ("head_position", "ตำแหน่งผู้บริหารที่ลงนาม"), ("reference", "เลขที่หนังสือ (ที่ …)"))


def _reason_label(name: str) -> QLabel:
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.hide()
    return label


def _data(combo: QComboBox, enum):
    """The enum member a combo's current item stands for (Qt hands a str-enum back as a plain str)."""
    value = combo.currentData()
    return enum(value) if value else None


def _find(combo: QComboBox, member) -> int:
    return max(0, combo.findData(member.value)) if member is not None else 0


def _role_combo(name: str, blank: str = "— เลือกบทบาท —") -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.addItem(blank, None)
    for role in Role:
        combo.addItem(role.th, role.value)
    return combo


class _Row(QWidget):
    """One officer (or leaver) row: its fields in a grid, a remove button, and the row's reasons under it."""

    def __init__(self, wizard: "RequestWizard", fields: list[tuple[str, str, QWidget]]) -> None:
        super().__init__()
        self.wizard = wizard
        self.touched = False
        self.fields: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 4)
        for col, (name, label, widget) in enumerate(fields):
            widget.setObjectName(name)
            self.labels[name] = QLabel(label)
            grid.addWidget(self.labels[name], 0, col)
            grid.addWidget(widget, 1, col)
            self.fields[name] = widget
            if isinstance(widget, QLineEdit):
                widget.setPlaceholderText(label)
                widget.textEdited.connect(self._edited)
            elif isinstance(widget, QComboBox):
                widget.activated.connect(self._edited)
        self.remove = QPushButton("ลบแถว")
        self.remove.setObjectName("removeRow")
        self.remove.setAutoDefault(False)
        grid.addWidget(self.remove, 1, len(fields))
        self.reasons = _reason_label("rowReasons")
        self.reasons.setProperty("class", "fieldErrorText")
        self.reasons.setStyleSheet("color: #b00020;")
        grid.addWidget(self.reasons, 2, 0, 1, len(fields) + 1)
        self.extra_col = len(fields) + 1
        self.grid = grid

    def _edited(self, *_a) -> None:
        self.touched = True
        self.wizard.typed()
        self.wizard.schedule()

    def text(self, name: str) -> str:
        widget = self.fields[name]
        return widget.text() if isinstance(widget, QLineEdit) else ""

    def show_findings(self, findings) -> None:
        shown = findings if self.touched or self.wizard.everywhere else []
        wrong = {f.field for f in shown}
        for name, widget in self.fields.items():
            set_marked(widget, name in wrong)
        self.reasons.setText("\n".join(f.th for f in shown))
        self.reasons.setVisible(bool(shown))


class OfficerRowWidget(_Row):
    def __init__(self, wizard: "RequestWizard", row: OfficerRow | None = None) -> None:
        self.role = _role_combo("role")
        self.current_role = _role_combo("current_role", "— ขอใหม่ (ยังไม่มีบัญชี) —")
        super().__init__(wizard, [("name", "ชื่อ–สกุล", QLineEdit()), ("cid", "เลขประจำตัวประชาชน", QLineEdit()),
                                  ("position", "ตำแหน่ง", QLineEdit()), ("role", "บทบาท", self.role),
                                  ("current_role", "บทบาทเดิม", self.current_role),
                                  ("mobile", "เบอร์มือถือ", QLineEdit()), ("email", "อีเมล", QLineEdit())])
        self.read_card = QPushButton("อ่านจากบัตร")
        self.read_card.setObjectName("readCard")
        self.read_card.setAutoDefault(False)
        self.read_card.setToolTip("เสียบบัตรประชาชนของเจ้าหน้าที่คนนี้ แล้วกดเพื่อกรอกชื่อและเลขประจำตัวประชาชน")
        self.read_card.setVisible(wizard.card is not None)
        self.read_card.clicked.connect(lambda: wizard.read_card_into(self))
        self.grid.addWidget(self.read_card, 1, self.extra_col)
        if row is not None:
            self.fill(row)

    def fill(self, row: OfficerRow) -> None:
        for name in ("name", "position", "mobile", "email"):
            self.fields[name].setText(getattr(row, name))
        self.fields["cid"].setText(cidmod.format_cid(row.cid) if len(row.cid) == 13 else row.cid)
        self.role.setCurrentIndex(_find(self.role, row.role))
        self.current_role.setCurrentIndex(_find(self.current_role, row.current_role))

    def show_current_role(self, shown: bool) -> None:
        self.current_role.setVisible(shown)
        self.labels["current_role"].setVisible(shown)

    def value(self) -> OfficerRow:
        return OfficerRow(self.text("name"), self.text("cid"), self.text("position"), _data(self.role, Role),
                          self.text("mobile"), self.text("email"), _data(self.current_role, Role))


class LeaverRowWidget(_Row):
    def __init__(self, wizard: "RequestWizard", leaver: Leaver | None = None) -> None:
        self.role = _role_combo("role")
        super().__init__(wizard, [("name", "ชื่อ–สกุล", QLineEdit()), ("cid", "เลขประจำตัวประชาชน", QLineEdit()),
                                  ("role", "บทบาทที่ขอยกเลิก", self.role),
                                  ("reason", "เหตุที่พ้นหน้าที่", QLineEdit()),
                                  ("successor_cid", "เลขประจำตัวประชาชนผู้มาแทน", QLineEdit())])
        if leaver is not None:
            for name in ("name", "cid", "reason", "successor_cid"):
                self.fields[name].setText(getattr(leaver, name))
            self.role.setCurrentIndex(_find(self.role, leaver.role))

    def value(self) -> Leaver:
        return Leaver(self.text("name"), self.text("cid"), _data(self.role, Role), self.text("reason"),
                      self.text("successor_cid"))


def _produce(request: AccountRequest, folder: Path, mailbox: str) -> Produced:
    """On the worker: typeset the letter, then write the three files."""
    return produce(request, folder, letter_pdf=request_letter_pdf(request), mailbox=mailbox)


class RequestWizard(DeskDialog):
    """The account-request kit's window. ``card`` (a CardBridge) adds «อ่านจากบัตร» to each officer row;
    ``runner`` runs the producing (a private thread when None)."""

    def __init__(self, parent: QWidget | None = None, *, request: AccountRequest | None = None, card=None,
                 runner: TaskRunner | None = None, mailbox: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestWizard")
        self.setWindowTitle("ขอสิทธิเข้าใช้งาน / เปลี่ยนบทบาท / แจ้งเปลี่ยนผู้รับผิดชอบ — ระบบทะเบียนบุคลากร อปท.")
        self.card = card
        if runner is None:
            self._threads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lgo-request")
            runner = TaskRunner(self._threads, self)
        self.runner = runner
        if mailbox is None:
            from app import settings
            mailbox = settings.load().nhso_registration_mailbox
        self.mailbox = mailbox
        self.everywhere = False       # show every finding, touched or not (after a first try to produce)
        self.result: CheckResult = CheckResult()
        self.produced: Produced | None = None
        self.busy = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.recheck)
        request = request or AccountRequest()

        self.kind = QComboBox()
        self.kind.setObjectName("requestKind")
        for k in RequestKind:
            self.kind.addItem(k.th, k.value)
        self.kind.setCurrentIndex(_find(self.kind, request.kind))
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        top = QHBoxLayout()
        top.addWidget(QLabel("ประเภทคำขอ"))
        top.addWidget(self.kind, 1)

        # 1. the unit
        self.unit_edits: dict[str, QWidget] = {}
        self.unit_notes: dict[str, QLabel] = {}
        self.unit_touched: set[str] = set()
        unit_box = QGroupBox("1. ข้อมูลหน่วยงาน")
        form = QFormLayout(unit_box)
        for name, label in UNIT_FIELDS:
            if name == "level":
                widget = QComboBox()
                widget.addItem("— เลือกประเภทหน่วยงาน —", None)
                for level in UnitLevel:
                    widget.addItem(level.th, level.value)
                widget.activated.connect(lambda _i, n=name: self._unit_edited(n))
            elif name == "province":
                widget = QComboBox()
                widget.setEditable(True)
                widget.addItem("", "")
                widget.addItems(regions.provinces())
                widget.lineEdit().setPlaceholderText("พิมพ์หรือเลือกจังหวัด")
                widget.lineEdit().textEdited.connect(lambda _t, n=name: self._unit_edited(n))
                widget.activated.connect(lambda _i, n=name: self._unit_edited(n))
            else:
                widget = QLineEdit()
                widget.textEdited.connect(lambda _t, n=name: self._unit_edited(n))
            widget.setObjectName(f"unit_{name}")
            note = _reason_label(f"unit_{name}_reason")
            note.setStyleSheet("color: #b00020;")
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(1)
            column.addWidget(widget)
            column.addWidget(note)
            form.addRow(label, box)
            self.unit_edits[name], self.unit_notes[name] = widget, note
        self._fill_unit(request.unit)

        # 2. the officers
        officers_box = QGroupBox("2. รายชื่อเจ้าหน้าที่ของหน่วยงาน (ทุกคนที่จะใช้งานหลังคำขอนี้)")
        officers = QVBoxLayout(officers_box)
        self.officer_hint = QLabel("")
        self.officer_hint.setWordWrap(True)
        officers.addWidget(self.officer_hint)
        self.officer_rows_box = QVBoxLayout()
        officers.addLayout(self.officer_rows_box)
        self.officers_reason = _reason_label("officersReason")
        self.officers_reason.setStyleSheet("color: #b00020;")
        officers.addWidget(self.officers_reason)
        self.add_officer = QPushButton("เพิ่มเจ้าหน้าที่")
        self.add_officer.setObjectName("addOfficer")
        self.add_officer.setAutoDefault(False)
        self.add_officer.clicked.connect(lambda: (self.add_officer_row(), self.schedule()))
        officers.addWidget(self.add_officer, 0, self._left())
        self.officer_rows: list[OfficerRowWidget] = []
        for row in request.officers or [OfficerRow()]:
            self.add_officer_row(row)

        # 3. the leavers (replacement)
        self.leavers_box = QGroupBox("3. เจ้าหน้าที่ที่พ้นหน้าที่ (ขอยกเลิกรหัสผู้ใช้งาน)")
        leavers = QVBoxLayout(self.leavers_box)
        self.leaver_rows_box = QVBoxLayout()
        leavers.addLayout(self.leaver_rows_box)
        self.leavers_reason = _reason_label("leaversReason")
        self.leavers_reason.setStyleSheet("color: #b00020;")
        leavers.addWidget(self.leavers_reason)
        self.add_leaver = QPushButton("เพิ่มผู้พ้นหน้าที่")
        self.add_leaver.setObjectName("addLeaver")
        self.add_leaver.setAutoDefault(False)
        self.add_leaver.clicked.connect(lambda: (self.add_leaver_row(), self.schedule()))
        leavers.addWidget(self.add_leaver, 0, self._left())
        self.leaver_rows: list[LeaverRowWidget] = []
        for lv in request.leavers or [Leaver()]:
            self.add_leaver_row(lv)

        content = QWidget()
        body = QVBoxLayout(content)
        body.addWidget(unit_box)
        body.addWidget(officers_box)
        body.addWidget(self.leavers_box)
        body.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        self.scroll = scroll

        self.summary = QLabel("")
        self.summary.setObjectName("requestSummary")
        self.summary.setWordWrap(True)
        self.done_box = QWidget()
        self.done_box.setObjectName("producedBox")
        done = QVBoxLayout(self.done_box)
        done.setContentsMargins(0, 0, 0, 0)
        self.done_text = QLabel("")
        self.done_text.setObjectName("producedFiles")
        self.done_text.setWordWrap(True)
        self.done_text.setTextInteractionFlags(self.done_text.textInteractionFlags() | self._selectable())
        done.addWidget(self.done_text)
        links = QHBoxLayout()
        self.open_folder = QPushButton("เปิดโฟลเดอร์")
        self.open_folder.setObjectName("openFolder")
        self.open_folder.setAutoDefault(False)
        self.open_folder.clicked.connect(lambda: self.open_url(self.produced.letter.parent))
        self.open_mail = QPushButton("เปิดในโปรแกรมอีเมล")
        self.open_mail.setObjectName("openMail")
        self.open_mail.setAutoDefault(False)
        self.open_mail.clicked.connect(lambda: self.open_url(self.produced.eml))
        links.addWidget(self.open_folder)
        links.addWidget(self.open_mail)
        links.addStretch(1)
        done.addLayout(links)
        self.done_box.hide()

        self.produce_button = QPushButton("สร้างเอกสาร…")
        self.produce_button.setObjectName("produceButton")
        self.produce_button.clicked.connect(self.ask_folder)
        close = QPushButton("ปิด")
        close.setObjectName("closeButton")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.produce_button)
        buttons.addWidget(close)
        self.set_accept(self.produce_button)

        root = QVBoxLayout(self)
        root.addLayout(top)
        root.addWidget(scroll, 1)
        root.addWidget(self.summary)
        root.addWidget(self.done_box)
        root.addLayout(buttons)
        self.resize(QSize(1300, 900))
        self.kind.activated.connect(self.typed)
        self._kind_changed()
        self.recheck()   # the button starts as the request stands (off for an empty one)

    @staticmethod
    def _left():
        from .qt import Qt
        return Qt.AlignLeft

    @staticmethod
    def _selectable():
        from .qt import Qt
        return Qt.TextSelectableByMouse

    # --- the form ------------------------------------------------------------------------------------------

    def _fill_unit(self, u: UnitDetails) -> None:
        for name, _label in UNIT_FIELDS:
            widget, value = self.unit_edits[name], getattr(u, name)
            if name == "level":
                widget.setCurrentIndex(_find(widget, value))
            elif name == "province":
                widget.setCurrentText(value)
            else:
                widget.setText(value)

    def _unit_edited(self, name: str) -> None:
        self.unit_touched.add(name)
        self.typed()
        self.schedule()

    def add_officer_row(self, row: OfficerRow | None = None) -> OfficerRowWidget:
        widget = OfficerRowWidget(self, row)
        widget.remove.clicked.connect(lambda: self._remove(widget, self.officer_rows))
        widget.show_current_role(self.request_kind() is RequestKind.ROLE_CHANGE)
        self.officer_rows.append(widget)
        self.officer_rows_box.addWidget(widget)
        return widget

    def add_leaver_row(self, leaver: Leaver | None = None) -> LeaverRowWidget:
        widget = LeaverRowWidget(self, leaver)
        widget.remove.clicked.connect(lambda: self._remove(widget, self.leaver_rows))
        self.leaver_rows.append(widget)
        self.leaver_rows_box.addWidget(widget)
        return widget

    def _remove(self, widget: _Row, rows: list) -> None:
        if widget in rows:
            rows.remove(widget)
            widget.setParent(None)
            widget.deleteLater()
            self.typed()
            self.schedule()

    def request_kind(self) -> RequestKind:
        return _data(self.kind, RequestKind) or RequestKind.FIRST

    def _kind_changed(self) -> None:
        kind = self.request_kind()
        self.leavers_box.setVisible(kind is RequestKind.REPLACEMENT)
        for row in self.officer_rows:
            row.show_current_role(kind is RequestKind.ROLE_CHANGE)
        self.officer_hint.setText({
            RequestKind.FIRST: "กรอกนายทะเบียน (ปลัด รองปลัด หรือหัวหน้าหน่วยการคลัง) 1 คน เจ้าหน้าที่ทะเบียน "
                               "และเจ้าหน้าที่การเงิน แต่ละคนใช้อีเมลและเบอร์มือถือของตนเอง",
            RequestKind.ROLE_CHANGE: "กรอกเจ้าหน้าที่ทุกคนของหน่วยงาน ระบุบทบาทเดิมในช่อง «บทบาทเดิม» "
                                     "และเลือกบทบาทใหม่ในช่อง «บทบาท» สำหรับผู้ที่จะเปลี่ยน",
            RequestKind.REPLACEMENT: "กรอกเจ้าหน้าที่ทุกคนที่ยังใช้งานต่อและผู้มาแทน แล้วระบุผู้พ้นหน้าที่ในส่วนที่ 3",
        }[kind])
        self.schedule()

    def request(self) -> AccountRequest:
        values = {}
        for name, _label in UNIT_FIELDS:
            widget = self.unit_edits[name]
            if name == "level":
                values[name] = _data(widget, UnitLevel)
            elif name == "province":
                values[name] = widget.currentText()
            else:
                values[name] = widget.text()
        kind = self.request_kind()
        leavers = [r.value() for r in self.leaver_rows] if kind is RequestKind.REPLACEMENT else []
        return AccountRequest(kind, UnitDetails(**values), [r.value() for r in self.officer_rows], leavers)

    # --- checking as the officer types ---------------------------------------------------------------------

    def schedule(self) -> None:
        """Check again once the typing pauses."""
        self.timer.start()

    def recheck(self) -> CheckResult:
        self.timer.stop()
        try:
            result = check(self.request())
        except Exception:  # noqa: BLE001 — never a traceback on the screen; say it plainly
            result = CheckResult()
            self.summary.setText("ตรวจข้อมูลไม่สำเร็จ กรุณาตรวจสอบสิ่งที่กรอกอีกครั้ง")
            self.produce_button.setEnabled(False)
            return result
        self.result = result
        for name, note in self.unit_notes.items():
            found = [f.th for f in result.at("unit", None, name)
                     if name in self.unit_touched or self.everywhere or f.severity.name != "ERROR"]
            set_marked(self.unit_edits[name], any(
                f.severity.name == "ERROR" for f in result.at("unit", None, name))
                and (name in self.unit_touched or self.everywhere))
            note.setText("\n".join(found))
            note.setVisible(bool(found))
            note.setStyleSheet("color: #b00020;" if any(f.severity.name == "ERROR" for f in result.at("unit", None, name))
                               else "color: #555;")
        for i, row in enumerate(self.officer_rows):
            row.show_findings(result.at("officers", i))
        for i, row in enumerate(self.leaver_rows):
            row.show_findings(result.at("leavers", i))
        anyone = any(r.touched for r in self.officer_rows) or self.everywhere
        whole = [f.th for f in result.at("officers", None) + result.at("request", None)]
        self.officers_reason.setText("\n".join(whole))
        self.officers_reason.setVisible(bool(whole) and anyone)
        lv = [f.th for f in result.at("leavers", None)]
        self.leavers_reason.setText("\n".join(lv))
        self.leavers_reason.setVisible(bool(lv) and (any(r.touched for r in self.leaver_rows) or self.everywhere))
        errors = len(result.errors)
        self.produce_button.setEnabled(result.ok and not self.busy)
        self.summary.setText("ข้อมูลครบแล้ว กด «สร้างเอกสาร…» เพื่อสร้างหนังสือ แบบฟอร์ม Excel และอีเมล" if result.ok
                             else f"ยังสร้างเอกสารไม่ได้ ต้องแก้ไขอีก {errors} รายการ (ดูข้อความสีแดงใต้ช่องที่กรอก)")
        return result

    def show_everything(self) -> None:
        """Mark every finding, touched or not."""
        self.everywhere = True
        result = self.recheck()
        first = next((f for f in result.errors), None)
        if first is not None:   # bring the first thing to fix into view
            target = None
            if first.section == "unit":
                target = self.unit_edits.get(first.field)
            elif first.row is not None:
                rows = self.officer_rows if first.section == "officers" else self.leaver_rows
                if first.row < len(rows):
                    target = rows[first.row].fields.get(first.field) or rows[first.row]
            else:
                target = self.officers_reason if first.section != "leavers" else self.leavers_reason
            if target is not None:
                self.scroll.ensureWidgetVisible(target)

    # --- the card ------------------------------------------------------------------------------------------

    def read_card_into(self, row: OfficerRowWidget) -> None:
        card = self.card
        if card is None:
            return
        with_card = [r for r in card.readers if r in card.present]
        if not with_card:
            self.summary.setText("กรุณาเสียบบัตรประจำตัวประชาชนของเจ้าหน้าที่คนนี้ในเครื่องอ่านบัตร")
            return
        self.summary.setText("กำลังอ่านบัตร…")
        row.read_card.setEnabled(False)

        def done(data) -> None:
            row.read_card.setEnabled(True)
            row.fill(officer_from_card(data, row.value()))
            row.touched = True
            self.typed()
            self.recheck()

        def failed(error: BaseException) -> None:
            row.read_card.setEnabled(True)
            self.summary.setText(str(error) if isinstance(error, (Refusal, ValueError)) and str(error) else
                                 "อ่านบัตรไม่สำเร็จ กรุณาถอดบัตรแล้วเสียบใหม่")

        self.runner.follow(card.service.read_card(with_card[0]), done, failed)

    # --- producing -----------------------------------------------------------------------------------------

    def ask_folder(self) -> None:
        if not self.recheck().ok:
            self.show_everything()
            return
        dialog = QFileDialog(self, "เลือกโฟลเดอร์ที่จะบันทึกหนังสือ แบบฟอร์ม และอีเมล")
        dialog.setObjectName("requestFolderDialog")
        dialog.setFileMode(QFileDialog.Directory)
        dialog.setOption(QFileDialog.ShowDirsOnly, True)
        dialog.setOption(QFileDialog.DontUseNativeDialog, True)  # the same on every PC, and tests can drive it
        if dialog.exec() and dialog.selectedFiles():
            self.produce_into(Path(dialog.selectedFiles()[0]))

    def produce_into(self, folder: Path) -> None:
        """Write the three files into ``folder`` on the worker; the answer comes back to :meth:`_produced`."""
        request = self.request()
        self.busy = True
        self.produce_button.setEnabled(False)
        self.summary.setText("กำลังสร้างเอกสาร…")
        self.runner.run(lambda: _produce(request, folder, self.mailbox), self._produced, self._failed)

    def _produced(self, out: Produced) -> None:
        self.busy = False
        self.produced = out
        self.dirty = False    # everything typed is in the files now
        self.done_text.setText("สร้างเอกสารแล้ว:\n" + "\n".join(f"• {p.name}" for p in (out.letter, out.workbook, out.eml))
                               + f"\nในโฟลเดอร์ {out.letter.parent}\n\n{out.note}")
        self.done_box.show()
        self.recheck()
        self.summary.setText("สร้างเอกสารแล้ว ให้ผู้บริหารลงนามในหนังสือ แล้วแนบไฟล์สแกนก่อนส่งอีเมล")

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.recheck()
        self.summary.setText(str(error) if isinstance(error, Refusal) else
                             "สร้างเอกสารไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด กรุณาลองอีกครั้ง หรือเลือกโฟลเดอร์อื่น")

    def open_url(self, path: Path) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def done(self, result: int) -> None:  # noqa: D401 (Qt's name)
        super().done(result)
        threads = getattr(self, "_threads", None)
        if threads is not None:
            threads.shutdown(wait=False)


def open_wizard(parent: QWidget | None = None, **kw) -> RequestWizard:
    """Open the wizard (not modal: the officer may look things up meanwhile)."""
    wizard = RequestWizard(parent, **kw)
    wizard.show()
    return wizard
