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

from .dialogs import DeskDialog, set_reading_order
from .fields import set_marked
from .i18n import tr
from .qt import (
    QComboBox, QDesktopServices, QFileDialog, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
    QPushButton, QScrollArea, QSize, QSizePolicy, Qt, QTimer, QUrl, QVBoxLayout, QWidget,
)
from .tasks import TaskRunner

DEBOUNCE_MS = 300
UNIT_FIELDS = (("name", "ชื่อหน่วยงาน", "Unit name"), ("level", "ประเภทหน่วยงาน", "Unit level"),
               ("code", "รหัสหน่วยงาน (ถ้าทราบ)", "Unit code (if known)"), ("address", "ที่อยู่", "Address"),
               ("province", "จังหวัด", "Province"), ("phone", "โทรศัพท์", "Telephone"), ("fax", "โทรสาร", "Fax"),
               ("email", "อีเมลของหน่วยงาน (สารบรรณ)", "The unit's e-mail (correspondence)"),
               ("head_name", "ชื่อผู้บริหารที่ลงนาม", "Name of the head who signs"),
               ("head_position", "ตำแหน่งผู้บริหารที่ลงนาม", "Position of the head who signs"),
               ("reference", "เลขที่หนังสือ (ที่ …)", "Letter reference number"))
KIND_EN = {RequestKind.FIRST: "Request access", RequestKind.ROLE_CHANGE: "Change users' roles",
           RequestKind.REPLACEMENT: "Replace a person in charge"}
LEVEL_EN = {UnitLevel.PAO: "Provincial administrative organisation", UnitLevel.CITY: "City municipality",
            UnitLevel.TOWN: "Town municipality", UnitLevel.SUBDISTRICT: "Subdistrict municipality",
            UnitLevel.SAO: "Subdistrict administrative organisation", UnitLevel.SPECIAL: "Special local government"}
ERROR_STYLE = "color: #b00020;"
# Each officer (or leaver) row is a grid of its own; the same stretch and least width per column in every row
# keep the columns under one another, and the least widths add up to less than a 1366-px laptop's window
# even with the role-change column «บทบาทเดิม», so the list never scrolls sideways (the fields grow instead).
ROW_COLUMNS = {  # field: (stretch, least width as a sample text the field must show whole)
    "name": (4, "นางสาวปราณี"), "cid": (3, "0-0000-00000-00-0"), "position": (4, "นักทรัพยากร"),
    "role": (3, "เจ้าหน้าที่ทะเบียน"), "current_role": (3, "เจ้าหน้าที่ทะเบียน"), "mobile": (2, "000-000-0000"),
    "email": (6, "somchai@abcd.go.th"), "reason": (3, "เกษียณอายุ"), "successor_cid": (3, "0-0000-00000-00-0"),
}
COMBO_EXTRA, EDIT_EXTRA = 30, 14   # a combo's arrow and frame, a field's frame and margins (px)


NEXT_STEP_EN = ("Open the e-mail in your mail program, attach the scan of the signed letter with the ID card copies "
                "(one PDF) in place of the unsigned letter, then send it. Keep the originals at the unit for audit.")


def _tr_finding(f) -> str:
    return tr(f.th, f.en or f.th)


def _said(error: BaseException) -> str:
    """What a refusal or a card error says (both carry Thai and English); "" for anything else (a bug: its text
    is not for the officer, and may hold what was typed)."""
    if isinstance(error, Refusal):
        return tr(error.th, error.verdict.en or error.th)
    en = getattr(error, "en", None)
    return tr(str(error), en or str(error)) if isinstance(en, str) and str(error) else ""


def _reason_label(name: str) -> QLabel:
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


def _data(combo: QComboBox, enum):
    """The enum member a combo's current item stands for (Qt hands a str-enum back as a plain str)."""
    value = combo.currentData()
    return enum(value) if value else None


def _find(combo: QComboBox, member) -> int:
    return max(0, combo.findData(member.value)) if member is not None else 0


def _role_combo(name: str, blank: str | None = None) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.addItem(blank or tr("— เลือกบทบาท —", "— choose a role —"), None)
    for role in Role:
        combo.addItem(tr(role.th, role.en), role.value)
    # as wide as the column gives it, not as its longest item asks (the column's least width shows a role whole)
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(4)
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
        fm = self.fontMetrics()
        for col, (name, label, widget) in enumerate(fields):
            widget.setObjectName(name)
            head = QLabel(label)
            head.setWordWrap(True)        # a long title wraps over its field rather than widen the row
            head.setAlignment(Qt.AlignLeft | Qt.AlignBottom)
            head.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
            self.labels[name] = head
            grid.addWidget(head, 0, col)
            grid.addWidget(widget, 1, col)
            stretch, sample = ROW_COLUMNS.get(name, (3, "0000000000"))
            grid.setColumnStretch(col, stretch)
            grid.setColumnMinimumWidth(col, fm.horizontalAdvance(sample) + (COMBO_EXTRA if isinstance(widget, QComboBox)
                                                                              else EDIT_EXTRA))
            widget.setSizePolicy(QSizePolicy.Ignored, widget.sizePolicy().verticalPolicy())
            self.fields[name] = widget
            if isinstance(widget, QLineEdit):
                widget.setPlaceholderText(label)
                widget.textEdited.connect(self._edited)
            elif isinstance(widget, QComboBox):
                widget.activated.connect(self._edited)
        self.grid = grid
        self.extra_col = len(fields)
        self.remove = QPushButton(tr("ลบแถว", "Remove"))
        self.remove.setObjectName("removeRow")
        self.remove.setAutoDefault(False)
        grid.addWidget(self.remove, 1, self.extra_col + 1)
        self.reasons = _reason_label("rowReasons")
        self.reasons.setProperty("class", "fieldErrorText")
        grid.addWidget(self.reasons, 2, 0, 1, len(fields) + 2)

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
        self.reasons.setText("\n".join(_tr_finding(f) for f in shown))
        self.reasons.setVisible(bool(shown))


class OfficerRowWidget(_Row):
    def __init__(self, wizard: "RequestWizard", row: OfficerRow | None = None) -> None:
        self.role = _role_combo("role")
        self.current_role = _role_combo("current_role", tr("ยังไม่มีบัญชี", "no account yet"))
        self.current_role.setToolTip(tr("บทบาทที่ผู้นี้ใช้งานอยู่ตอนนี้ หรือ «ยังไม่มีบัญชี» ถ้าขอบัญชีใหม่",
                                        "The role this person holds now, or «no account yet» for a new account"))
        super().__init__(wizard, [("name", tr("ชื่อ–สกุล", "Name"), QLineEdit()),
                                  ("cid", tr("เลขประจำตัวประชาชน", "Citizen ID"), QLineEdit()),
                                  ("position", tr("ตำแหน่ง", "Position"), QLineEdit()),
                                  ("role", tr("บทบาท", "Role"), self.role),
                                  ("current_role", tr("บทบาทเดิม", "Current role"), self.current_role),
                                  ("mobile", tr("เบอร์มือถือ", "Mobile"), QLineEdit()),
                                  ("email", tr("อีเมล", "E-mail"), QLineEdit())])
        # the form of the answer rather than the title again (the title stands over the field)
        self.fields["cid"].setPlaceholderText("1-2345-67890-12-3")
        self.fields["mobile"].setPlaceholderText("081-234-5678")
        self.read_card = QPushButton(tr("อ่านจากบัตร", "Read card"))
        self.read_card.setObjectName("readCard")
        self.read_card.setAutoDefault(False)
        self.read_card.setToolTip(tr("เสียบบัตรประชาชนของเจ้าหน้าที่คนนี้ แล้วกดเพื่อกรอกชื่อและเลขประจำตัวประชาชน",
                                     "Insert this officer's ID card, then press to fill in the name and citizen ID"))
        self.read_card.setVisible(wizard.card is not None)
        self.read_card.clicked.connect(lambda: wizard.read_card_into(self))
        self.grid.addWidget(self.read_card, 1, self.extra_col)   # after the fields, before «ลบแถว»
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
        col = list(self.fields).index("current_role")
        fm = self.fontMetrics()
        self.grid.setColumnStretch(col, ROW_COLUMNS["current_role"][0] if shown else 0)
        self.grid.setColumnMinimumWidth(col, fm.horizontalAdvance(ROW_COLUMNS["current_role"][1]) + COMBO_EXTRA
                                        if shown else 0)

    def value(self) -> OfficerRow:
        return OfficerRow(self.text("name"), self.text("cid"), self.text("position"), _data(self.role, Role),
                          self.text("mobile"), self.text("email"), _data(self.current_role, Role))


class LeaverRowWidget(_Row):
    def __init__(self, wizard: "RequestWizard", leaver: Leaver | None = None) -> None:
        self.role = _role_combo("role")
        super().__init__(wizard, [("name", tr("ชื่อ–สกุล", "Name"), QLineEdit()),
                                  ("cid", tr("เลขประจำตัวประชาชน", "Citizen ID"), QLineEdit()),
                                  ("role", tr("บทบาทที่ขอยกเลิก", "Role to cancel"), self.role),
                                  ("reason", tr("เหตุที่พ้นหน้าที่", "Why they left"), QLineEdit()),
                                  ("successor_cid", tr("เลขประจำตัวประชาชนผู้มาแทน", "Successor's citizen ID"),
                                   QLineEdit())])
        for name in ("cid", "successor_cid"):
            self.fields[name].setPlaceholderText("1-2345-67890-12-3")
        if leaver is not None:
            for name in ("name", "reason"):
                self.fields[name].setText(getattr(leaver, name))
            for name in ("cid", "successor_cid"):   # grouped as on the card, as the officer rows show theirs
                value = getattr(leaver, name)
                self.fields[name].setText(cidmod.format_cid(value) if len(value) == 13 else value)
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
        self.setWindowTitle(tr("ขอสิทธิเข้าใช้งาน / เปลี่ยนบทบาท / แจ้งเปลี่ยนผู้รับผิดชอบ — ระบบทะเบียนบุคลากร อปท.",
                               "Request access / change roles / replace a person in charge — LGO staff register"))
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
        self.folder_dialog: QFileDialog | None = None
        self.busy = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.recheck)
        request = request or AccountRequest()

        self.kind = QComboBox()
        self.kind.setObjectName("requestKind")
        for k in RequestKind:
            self.kind.addItem(tr(k.th, KIND_EN[k]), k.value)
        self.kind.setCurrentIndex(_find(self.kind, request.kind))
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        top = QHBoxLayout()
        kind_label = QLabel(tr("ประเภทคำขอ", "Request"))
        kind_label.setBuddy(self.kind)
        top.addWidget(kind_label)
        top.addWidget(self.kind, 1)

        # 1. the unit
        self.unit_edits: dict[str, QWidget] = {}
        self.unit_notes: dict[str, QLabel] = {}
        self.unit_touched: set[str] = set()
        unit_box = QGroupBox(tr("1. ข้อมูลหน่วยงาน", "1. The unit"))
        form = QFormLayout(unit_box)
        for name, label_th, label_en in UNIT_FIELDS:
            label = tr(label_th, label_en)
            if name == "level":
                widget = QComboBox()
                widget.addItem(tr("— เลือกประเภทหน่วยงาน —", "— choose the unit's level —"), None)
                for level in UnitLevel:
                    widget.addItem(tr(level.th, LEVEL_EN[level]), level.value)
                widget.activated.connect(lambda _i, n=name: self._unit_edited(n))
            elif name == "province":
                widget = QComboBox()
                widget.setEditable(True)
                widget.addItem("", "")
                widget.addItems(regions.provinces())
                widget.lineEdit().setPlaceholderText(tr("พิมพ์หรือเลือกจังหวัด", "Type or choose the province"))
                widget.lineEdit().textEdited.connect(lambda _t, n=name: self._unit_edited(n))
                widget.activated.connect(lambda _i, n=name: self._unit_edited(n))
            else:
                widget = QLineEdit()
                widget.textEdited.connect(lambda _t, n=name: self._unit_edited(n))
            widget.setObjectName(f"unit_{name}")
            note = _reason_label(f"unit_{name}_reason")
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
        officers_box = QGroupBox(tr("2. รายชื่อเจ้าหน้าที่ของหน่วยงาน (ทุกคนที่จะใช้งานหลังคำขอนี้)",
                                    "2. The unit's officers (everyone who will use the program after this request)"))
        officers = QVBoxLayout(officers_box)
        self.officer_hint = QLabel("")
        self.officer_hint.setWordWrap(True)
        officers.addWidget(self.officer_hint)
        self.officer_rows_box = QVBoxLayout()
        officers.addLayout(self.officer_rows_box)
        self.officers_reason = _reason_label("officersReason")
        officers.addWidget(self.officers_reason)
        self.add_officer = QPushButton(tr("เพิ่มเจ้าหน้าที่", "Add an officer"))
        self.add_officer.setObjectName("addOfficer")
        self.add_officer.setAutoDefault(False)
        self.add_officer.clicked.connect(lambda: (self.add_officer_row(), self.schedule()))
        officers.addWidget(self.add_officer, 0, self._left())
        self.officer_rows: list[OfficerRowWidget] = []
        for row in request.officers or [OfficerRow()]:
            self.add_officer_row(row)

        # 3. the leavers (replacement)
        self.leavers_box = QGroupBox(tr("3. เจ้าหน้าที่ที่พ้นหน้าที่ (ขอยกเลิกรหัสผู้ใช้งาน)",
                                        "3. Officers who left (their accounts to be cancelled)"))
        leavers = QVBoxLayout(self.leavers_box)
        self.leaver_rows_box = QVBoxLayout()
        leavers.addLayout(self.leaver_rows_box)
        self.leavers_reason = _reason_label("leaversReason")
        leavers.addWidget(self.leavers_reason)
        self.add_leaver = QPushButton(tr("เพิ่มผู้พ้นหน้าที่", "Add a person who left"))
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
        scroll.setFocusPolicy(Qt.NoFocus)   # no Tab stop of its own: Tab goes field to field and it follows
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
        self.open_folder = QPushButton(tr("เปิดโฟลเดอร์", "Open the folder"))
        self.open_folder.setObjectName("openFolder")
        self.open_folder.setAutoDefault(False)
        self.open_folder.clicked.connect(lambda: self.open_url(self.produced.letter.parent))
        self.open_mail = QPushButton(tr("เปิดในโปรแกรมอีเมล", "Open in the mail program"))
        self.open_mail.setObjectName("openMail")
        self.open_mail.setAutoDefault(False)
        self.open_mail.clicked.connect(lambda: self.open_url(self.produced.eml))
        links.addWidget(self.open_folder)
        links.addWidget(self.open_mail)
        links.addStretch(1)
        done.addLayout(links)
        self.done_box.hide()

        self.produce_button = QPushButton(tr("สร้างเอกสาร…", "Make the documents…"))
        self.produce_button.setObjectName("produceButton")
        self.produce_button.clicked.connect(self.ask_folder)
        close = QPushButton(tr("ปิด", "Close"))
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
        for name, *_label in UNIT_FIELDS:
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
        self._reorder()
        return widget

    def add_leaver_row(self, leaver: Leaver | None = None) -> LeaverRowWidget:
        widget = LeaverRowWidget(self, leaver)
        widget.remove.clicked.connect(lambda: self._remove(widget, self.leaver_rows))
        self.leaver_rows.append(widget)
        self.leaver_rows_box.addWidget(widget)
        self._reorder()
        return widget

    def _remove(self, widget: _Row, rows: list) -> None:
        if widget in rows:
            rows.remove(widget)
            widget.setParent(None)
            widget.deleteLater()
            self._reorder()
            self.typed()
            self.schedule()

    def _reorder(self) -> None:
        """Tab keeps the reading order when rows come and go or a column shows (set before the first show)."""
        if getattr(self, "_shown_once", False):
            for row in self.officer_rows + self.leaver_rows:
                if row.isHidden() and row.parentWidget() is not None and row.parentWidget().isVisible():
                    row.show()   # a row just added shows with the next event; Tab must know it now
            set_reading_order(self)

    def request_kind(self) -> RequestKind:
        return _data(self.kind, RequestKind) or RequestKind.FIRST

    def _kind_changed(self) -> None:
        kind = self.request_kind()
        self.leavers_box.setVisible(kind is RequestKind.REPLACEMENT)
        for row in self.officer_rows:
            row.show_current_role(kind is RequestKind.ROLE_CHANGE)
        self.officer_hint.setText({
            RequestKind.FIRST: tr("กรอกนายทะเบียน (ปลัด รองปลัด หรือหัวหน้าหน่วยการคลัง) 1 คน เจ้าหน้าที่ทะเบียน "
                                  "และเจ้าหน้าที่การเงิน แต่ละคนใช้อีเมลและเบอร์มือถือของตนเอง",
                                  "Enter one registrar (the palad, a deputy palad or the head of finance), the registry "
                                  "officers and the finance officers, each with their own e-mail and mobile"),
            RequestKind.ROLE_CHANGE: tr("กรอกเจ้าหน้าที่ทุกคนของหน่วยงาน ระบุบทบาทเดิมในช่อง «บทบาทเดิม» "
                                        "และเลือกบทบาทใหม่ในช่อง «บทบาท» สำหรับผู้ที่จะเปลี่ยน",
                                        "Enter every officer of the unit: the role they hold now under «Current role», "
                                        "and the new one under «Role» for those who change"),
            RequestKind.REPLACEMENT: tr("กรอกเจ้าหน้าที่ทุกคนที่ยังใช้งานต่อและผู้มาแทน แล้วระบุผู้พ้นหน้าที่ในส่วนที่ 3",
                                        "Enter every officer who stays and the successors, then the people who left "
                                        "in part 3"),
        }[kind])
        self._reorder()
        self.schedule()

    def request(self) -> AccountRequest:
        values = {}
        for name, *_label in UNIT_FIELDS:
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
            self.summary.setText(tr("ตรวจข้อมูลไม่สำเร็จ กรุณาตรวจสอบสิ่งที่กรอกอีกครั้ง",
                                    "The check did not finish; please look over what you entered"))
            self.produce_button.setEnabled(False)
            return result
        self.result = result
        for name, note in self.unit_notes.items():
            found = [_tr_finding(f) for f in result.at("unit", None, name)
                     if name in self.unit_touched or self.everywhere or f.severity.name != "ERROR"]
            set_marked(self.unit_edits[name], any(
                f.severity.name == "ERROR" for f in result.at("unit", None, name))
                and (name in self.unit_touched or self.everywhere))
            note.setText("\n".join(found))
            note.setVisible(bool(found))
            note.setStyleSheet(ERROR_STYLE if any(f.severity.name == "ERROR" for f in result.at("unit", None, name))
                               else "color: #555;")
        for i, row in enumerate(self.officer_rows):
            row.show_findings(result.at("officers", i))
        for i, row in enumerate(self.leaver_rows):
            row.show_findings(result.at("leavers", i))
        anyone = any(r.touched for r in self.officer_rows) or self.everywhere
        whole = [_tr_finding(f) for f in result.at("officers", None) + result.at("request", None)]
        self.officers_reason.setText("\n".join(whole))
        self.officers_reason.setVisible(bool(whole) and anyone)
        lv = [_tr_finding(f) for f in result.at("leavers", None)]
        self.leavers_reason.setText("\n".join(lv))
        self.leavers_reason.setVisible(bool(lv) and (any(r.touched for r in self.leaver_rows) or self.everywhere))
        errors = len(result.errors)
        self.produce_button.setEnabled(result.ok and not self.busy)
        self.summary.setText(
            tr("ข้อมูลครบแล้ว กด «สร้างเอกสาร…» เพื่อสร้างหนังสือ แบบฟอร์ม Excel และอีเมล",
               "Complete: press «Make the documents…» for the letter, the Excel form and the e-mail") if result.ok
            else tr(f"ยังสร้างเอกสารไม่ได้ ต้องแก้ไขอีก {errors} รายการ (ดูข้อความสีแดงใต้ช่องที่กรอก)",
                    f"Not ready: {errors} thing(s) to fix (see the red text under the fields)"))
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
            self.summary.setText(tr("กรุณาเสียบบัตรประจำตัวประชาชนของเจ้าหน้าที่คนนี้ในเครื่องอ่านบัตร",
                                    "Insert this officer's ID card in the reader"))
            return
        self.summary.setText(tr("กำลังอ่านบัตร…", "Reading the card…"))
        row.read_card.setEnabled(False)

        def done(data) -> None:
            row.read_card.setEnabled(True)
            row.fill(officer_from_card(data, row.value()))
            row.touched = True
            self.typed()
            self.recheck()

        def failed(error: BaseException) -> None:
            row.read_card.setEnabled(True)
            self.summary.setText(_said(error) or tr("อ่านบัตรไม่สำเร็จ กรุณาถอดบัตรแล้วเสียบใหม่",
                                                    "The card could not be read; take it out and insert it again"))

        self.runner.follow(card.service.read_card(with_card[0]), done, failed)

    # --- producing -----------------------------------------------------------------------------------------

    def ask_folder(self) -> None:
        """Ask for the folder (window-modal, opened: no nested event loop under a desk dialog), then produce."""
        if not self.recheck().ok:
            self.show_everything()
            return
        dialog = QFileDialog(self, tr("เลือกโฟลเดอร์ที่จะบันทึกหนังสือ แบบฟอร์ม และอีเมล",
                                      "Choose the folder for the letter, the form and the e-mail"))
        dialog.setObjectName("requestFolderDialog")
        dialog.setFileMode(QFileDialog.Directory)
        dialog.setOption(QFileDialog.ShowDirsOnly, True)
        dialog.setOption(QFileDialog.DontUseNativeDialog, True)  # the same on every PC, and tests can drive it
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: dialog.selectedFiles() and self.produce_into(Path(dialog.selectedFiles()[0])))
        dialog.finished.connect(lambda _r: setattr(self, "folder_dialog", None))   # it deletes itself on close
        self.folder_dialog = dialog
        dialog.open()

    def produce_into(self, folder: Path) -> None:
        """Write the three files into ``folder`` on the worker; the answer comes back to :meth:`_produced`."""
        request = self.request()
        self.busy = True
        self.produce_button.setEnabled(False)
        self.summary.setText(tr("กำลังสร้างเอกสาร…", "Making the documents…"))
        self.runner.run(lambda: _produce(request, folder, self.mailbox), self._produced, self._failed)

    def _produced(self, out: Produced) -> None:
        self.busy = False
        self.produced = out
        self.dirty = False    # everything typed is in the files now
        files = "\n".join(f"• {p.name}" for p in (out.letter, out.workbook, out.eml))
        self.done_text.setText(tr(f"สร้างเอกสารแล้ว:\n{files}\nในโฟลเดอร์ {out.letter.parent}\n\n{out.note}",
                                  f"Made:\n{files}\nin the folder {out.letter.parent}\n\n{NEXT_STEP_EN}"))
        self.done_box.show()
        self.recheck()
        self.summary.setText(tr("สร้างเอกสารแล้ว ให้ผู้บริหารลงนามในหนังสือ แล้วแนบไฟล์สแกนก่อนส่งอีเมล",
                                "Done: have the head sign the letter, then attach its scan before sending the e-mail"))
        self._reorder()   # the two new buttons take their turn in Tab's order

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.recheck()
        self.summary.setText(_said(error) if isinstance(error, Refusal) else
                             tr("สร้างเอกสารไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด กรุณาลองอีกครั้ง หรือเลือกโฟลเดอร์อื่น",
                                "The documents could not be made (an unexpected error); try again or choose another "
                                "folder"))

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
