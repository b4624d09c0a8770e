"""The guided actions of a registry officer. Each dialog reads what the officer typed into the action's form
(app.usecases.forms), shows the rules' verdicts in Thai as they type (the change set built and checked on the
database worker against the local register), and ends in "save as draft" or "send to the registrar": the dialog
runs app.usecases.registry.record itself, and stays open with the refusal if it fails — nothing typed is lost.
Sending is refused while a verdict is an error.

Every dialog here is a :class:`ui.dialogs.DeskDialog`: the form, the family and the documents scroll while the
rules' results and the buttons stay at the bottom, so it fits any screen; Enter in a field (and Ctrl+Enter) sends
to the registrar — only once the rules allow it —, Ctrl+S keeps a draft; Escape or ปิด after something was entered
asks first and offers to keep a draft; every typing mistake is marked on its field and listed at once.

A person event is one form widget per kind (:data:`EVENT_FORMS`) inside the shared frame."""
from __future__ import annotations

import datetime as _dt
import html
from typing import Any, ClassVar

from app import evidence as documents
from app import review
from app.changeset import ChangeSet, ReviewState
from app.domain import EndReason, ParentKind, StartReason, Unit, UnitLevel, tables
from app.errors import FieldRefusals, Refusal
from app.events import Known, NewDependent
from app.rules.entitlement import Relation
from app.store import RegisterStore
from app.thai import ThaiDateError, format_date_short
from app.usecases import Changed, Desk, forms, registry
from app.usecases.forms import Subject

from .card_bridge import CardBridge
from .buttons import accept_row
from .changesets import verdicts_html
from .dialogs import DeskDialog, room_on_screen
from .evidence import EvidenceBox
from .fields import FieldMarks, listed, problems_of
from .i18n import tr
from .person_form import PersonForm
from .qt import (
    QAbstractButton, QAbstractItemView, QAction, QCheckBox, QComboBox, QFormLayout, QFrame, QGroupBox, QHBoxLayout,
    QHeaderView, QKeySequence, QLabel, QLineEdit, QMessageBox, QPushButton, QScrollArea, QSize, Qt, QTableWidget,
    QTableWidgetItem, QTextBrowser, QTimer, QVBoxLayout, QWidget, Signal,
)
from .tasks import TaskRunner

CHECK_DELAY_MS = 300


def date_edit(day: _dt.date | None = None, name: str = "") -> QLineEdit:
    edit = QLineEdit(format_date_short(day) if day else "")
    edit.setPlaceholderText(tr("วว/ดด/ปปปป (พ.ศ.)", "dd/mm/yyyy (BE)"))
    edit.setObjectName(name)
    return edit


def read_date(edit: QLineEdit, what: str) -> _dt.date:
    return forms.typed_date(edit.text(), what)


SEND_KEYS = ("Ctrl+Return", "Ctrl+Enter")
DRAFT_KEYS = ("Ctrl+S",)


def shortcut(dialog: QWidget, keys: tuple[str, ...], slot) -> QAction:
    """Keys that act anywhere in ``dialog`` (its fields included)."""
    action = QAction(dialog)
    action.setShortcuts([QKeySequence(k) for k in keys])
    action.setShortcutContext(Qt.WindowShortcut)
    action.triggered.connect(slot)
    dialog.addAction(action)
    return action


class ChangeSetDialog(DeskDialog):
    """The frame every guided action shares: its form, the documents, the verdicts below, draft / send / close.

    ``form_value()`` reads the widgets on the GUI thread into the action's form (a typing mistake is a Refusal
    at once); building the change set from it — records looked up at their revisions — and keeping it run on
    the worker (app.usecases). On success ``result_cs``/``send`` are set, ``kept`` carries the Changed, and the
    dialog is accepted.
    """

    checked = Signal(object)   # the Verdicts (or a Refusal) shown
    kept = Signal(object)      # the Changed, once the change set is kept (a draft) or sent

    def __init__(self, runner: TaskRunner, desk: Desk, today: _dt.date, title: str, parent: QWidget | None = None,
                 kind: str = "") -> None:
        super().__init__(parent)
        self.runner, self.desk, self.today = runner, desk, today
        self.register = desk.register
        self.setWindowTitle(title)
        self.resize(880, 720)
        self.result_cs: ChangeSet | None = None
        self.send = False
        self.errors = True
        self._generation = 0
        self._answered = -1           # the generation whose verdicts are shown
        self._send_waits = False      # send pressed while a check was on its way: send once it allows it
        self._keeping = False
        self.marks: list[FieldMarks] = []   # the forms whose fields carry their mistakes (ui.fields)
        self.body = QVBoxLayout()
        self.verdicts = QTextBrowser()
        self.verdicts.setObjectName("verdicts")
        self.verdicts.setMinimumHeight(56)
        self.verdicts.setMaximumHeight(120)
        self.draft_button = QPushButton(tr("บันทึกร่าง", "Save draft"))
        self.draft_button.setObjectName("saveDraft")
        self.draft_button.setToolTip(tr("เก็บไว้เป็นร่าง ยังไม่ส่ง (Ctrl+S)", "Keep it as a draft, not sent (Ctrl+S)"))
        self.send_button = QPushButton(tr("ส่งให้นายทะเบียนตรวจ", "Send to the registrar"))
        self.send_button.setObjectName("sendForReview")
        self.send_button.setEnabled(False)   # until the rules have seen the form
        self.send_button.setToolTip(tr("ส่งให้นายทะเบียนตรวจ (Enter หรือ Ctrl+Enter) กดได้เมื่อผ่านการตรวจตามระเบียบ",
                                       "Send to the registrar (Enter or Ctrl+Enter), once the rules allow it"))
        self.close_button = QPushButton(tr("ปิด", "Close"))
        self.close_button.setObjectName("closeDialog")
        self.close_button.setToolTip(tr("ปิด (Esc) ถ้ากรอกข้อมูลไว้จะถามก่อน", "Close (Esc); asks first if you entered something"))
        self.draft_button.clicked.connect(lambda: self._finish(False))
        self.send_button.clicked.connect(lambda: self._finish(True))
        self.close_button.clicked.connect(self.reject)
        for b in (self.close_button, self.draft_button):
            b.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.draft_button)
        buttons.addWidget(self.send_button)
        self.set_accept(self.send_button)   # Enter in a field sends — only while the rules allow it
        shortcut(self, SEND_KEYS, lambda: self._finish(True))
        shortcut(self, DRAFT_KEYS, lambda: self._finish(False))
        self.evidence = EvidenceBox(runner, self.register, kind)
        self.evidence.changed.connect(self.changed)
        self.evidence.changed.connect(self.typed)     # a document attached (or removed) is something entered
        self.documented = documents.needs_document(kind)
        # The form, the family and the documents scroll; the rules' results and the buttons stay in view.
        self.content = QWidget()
        self.content.setObjectName("formContent")
        column = QVBoxLayout(self.content)
        column.setContentsMargins(0, 0, 6, 0)
        column.addLayout(self.body, 1)
        column.addWidget(self.evidence)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("formScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.content)
        root = QVBoxLayout(self)
        root.addWidget(self.scroll, 1)
        root.addWidget(QLabel(tr("ผลการตรวจตามระเบียบ", "What the rules say")))
        root.addWidget(self.verdicts)
        root.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check)

    def form_value(self) -> Any:
        """What the officer typed, as the action's form (app.usecases.forms); every typing mistake at once as a
        FieldRefusals (app.usecases.forms.Reading)."""
        raise NotImplementedError

    # --- the desk's habits (ui.dialogs) ----------------------------------------------------------------

    def _prepare(self) -> None:
        self.watch_typing()
        # As tall as the whole form (no taller than the screen: then the form scrolls), as wide as it needs.
        self.content.adjustSize()
        hint = self.content.sizeHint()
        root = self.layout()
        margins = root.contentsMargins()
        fixed = self.minimumSizeHint().height() - self.scroll.minimumSizeHint().height()
        wanted = QSize(max(self.width(), hint.width() + margins.left() + margins.right() + 24),
                       max(self.height(), hint.height() + fixed + 8))
        self.resize(wanted.boundedTo(room_on_screen(self)))
        super()._prepare()

    def discard_choices(self, box: QMessageBox) -> dict[QAbstractButton, Any]:
        """Besides "discard" and "go back": keep it as a draft (the normal draft path; a draft the rules refuse
        to keep leaves the dialog open with the reason)."""
        draft = box.addButton(self.draft_button.text(), QMessageBox.AcceptRole)
        draft.setObjectName("discardKeepDraft")
        return {draft: lambda: self._finish(False)}

    def needs_document(self) -> bool:
        """Whether the officer is reminded to attach the document before sending (an early retirement too)."""
        return self.documented

    def show_marks(self, outcome, everywhere: bool = False) -> None:
        """Each mistake on its field: the fields typed in, or all of them once the officer tried to keep it."""
        problems = problems_of(outcome)
        for marks in self.marks:
            marks.show(problems, everywhere)

    def changed(self) -> None:
        self._timer.start()

    def check(self) -> None:
        """Build the change set from the form and run the rules on the worker."""
        self._generation += 1
        generation = self._generation
        try:
            form = self.form_value()
        except (Refusal, ThaiDateError) as e:
            self._show(generation, e)
            return
        register, officer, today = self.register, self.desk.officer, self.today
        self.runner.run(lambda: review.check(register, forms.build(register, officer, form), today),
                        lambda v: self._show(generation, v), lambda e: self._show(generation, e))

    def _show(self, generation: int, outcome) -> None:
        if generation != self._generation:
            return
        self._answered = generation
        e = html.escape
        self.show_marks(outcome)
        if isinstance(outcome, FieldRefusals):
            self.verdicts.setHtml(verdicts_html(listed(outcome)))   # every mistake at once, each also on its field
            self.errors = True
        elif isinstance(outcome, BaseException):
            text = str(outcome) if isinstance(outcome, (Refusal, ThaiDateError)) else tr(
                "ตรวจไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด", "The check failed unexpectedly.")
            self.verdicts.setHtml(f"<p style='color:#b45309'>{e(text)}</p>")
            self.errors = True
        else:
            missing = ""
            if self.needs_document() and not self.evidence.items:
                missing = ("<p style='color:#b45309'>! " + html.escape(tr(
                    f"ยังไม่ได้แนบเอกสารประกอบ ({self.evidence.label()}) นายทะเบียนอาจส่งกลับเพื่อขอเอกสาร "
                    "กรุณาสแกนหรือนำเข้าไฟล์ก่อนส่ง",
                    f"No supporting document ({self.evidence.label()}) yet: the registrar may return it.")) + "</p>")
            self.verdicts.setHtml(verdicts_html(outcome) + missing)
            self.errors = not outcome.ok
        self.send_button.setEnabled(not self.errors and not self._keeping)
        self.checked.emit(outcome)
        if self._send_waits:
            self._send_waits = False
            if not self.errors:
                self._finish(True)

    def _finish(self, send: bool) -> None:
        try:
            form = self.form_value()
        except (Refusal, ThaiDateError) as e:
            self._refused(e)
            return
        if send and (self._timer.isActive() or self._answered != self._generation):
            # Enter (or Ctrl+Enter) right after typing: what is sent is what the rules have seen and allowed
            self._send_waits = True
            self._timer.stop()
            self.check()          # a fresh check: the answer decides (one still on its way is dropped)
            return
        if (send and self.errors) or self._keeping:
            return
        self._timer.stop()        # what is kept is what was read now: a check still on its way is not shown
        self._generation += 1
        desk, attached = self.desk, [(a.sha, a.label) for a in self.evidence.items]
        self._keep_pending(True)
        self.runner.run(lambda: registry.record(desk, form, send, attached), lambda done: self._kept(done, send),
                        self._not_kept)

    def _keep_pending(self, pending: bool) -> None:
        """While the worker keeps it, the buttons wait (pressed twice, it would be kept twice)."""
        self._keeping = pending
        self.draft_button.setEnabled(not pending)
        self.send_button.setEnabled(not pending and not self.errors)

    def _kept(self, done: Changed, send: bool) -> None:
        self._keep_pending(False)
        self.result_cs, self.send = done.changeset, send
        self.kept.emit(done)
        self.accept()

    def _not_kept(self, e: BaseException) -> None:
        self._keep_pending(False)
        self._refused(e)

    def _refused(self, e: BaseException) -> None:
        self.show_marks(e, everywhere=True)
        if isinstance(e, FieldRefusals):
            self.verdicts.setHtml(verdicts_html(listed(e)))
            return
        text = str(e) if isinstance(e, (Refusal, ThaiDateError)) else tr(
            "บันทึกไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด", "Could not be saved: unexpected error.")
        self.verdicts.setHtml(f"<p style='color:#b91c1c'>{html.escape(text)}</p>")


class DependentDialog(DeskDialog):
    """One dependent for a hire: who (typed or read from their card) and how they are related. Enter in any
    field presses "เพิ่ม" (never "อ่านจากบัตรประชาชน"); every typing mistake is marked on its field."""

    MIN_WIDTH = 640   # the name and address fields wide enough to read (when the screen allows)

    def __init__(self, runner: TaskRunner, card: CardBridge | None, register: RegisterStore, relation: Relation,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.relation = relation
        self.setWindowTitle({Relation.SPOUSE: tr("เพิ่มคู่สมรส", "Add the spouse"),
                             Relation.CHILD: tr("เพิ่มบุตร", "Add a child"),
                             Relation.FATHER: tr("เพิ่มบิดา", "Add the father"),
                             Relation.MOTHER: tr("เพิ่มมารดา", "Add the mother")}[relation])
        self.form = PersonForm(runner, card, register.person)
        self.form.read_done.connect(self.typed)
        self.marks = FieldMarks()
        self.reg_no = QLineEdit()
        self.reg_no.setObjectName("registrationNo")
        self.reg_on = date_edit(name="registeredOn")
        self.kind = QComboBox()
        self.kind.setObjectName("childKind")
        for kind, (th, en) in forms.CHILD_KINDS.items():
            self.kind.addItem(tr(th, en), kind)
        extra = QFormLayout()
        if relation is Relation.SPOUSE:
            extra.addRow(tr("เลขทะเบียนสมรส", "Marriage registration no."), self.marks.wrap(self.reg_no))
            extra.addRow(tr("วันที่จดทะเบียนสมรส", "Registered on"), self.marks.wrap(self.reg_on))
        if relation is Relation.CHILD:
            extra.addRow(tr("ความเป็นบุตร", "Kind"), self.kind)
        self.problem = QLabel("")
        self.problem.setObjectName("errorText")
        self.problem.setWordWrap(True)
        row, self.ok = accept_row(self, "เพิ่ม", "Add", "addDependent")
        self.ok.setToolTip(tr("เพิ่มในครอบครัว (Enter)", "Add to the family (Enter)"))
        self.ok.clicked.connect(self._accept)
        self.set_accept(self.ok)
        # The person's fields scroll if the screen is short (the reasons under the fields make them taller);
        # the reason line and the buttons stay in view.
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 6, 0)
        column.addWidget(self.form)
        column.addLayout(extra)
        column.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll.setWidget(content)
        self.content = content
        box = QVBoxLayout(self)
        box.addWidget(self.scroll, 1)
        box.addWidget(self.problem)
        box.addLayout(row)
        self.first_field = self.form.edits["cid"]
        self.watch_typing()
        self.setMinimumWidth(min(self.MIN_WIDTH, room_on_screen(self).width()))
        self.dependent: NewDependent | None = None

    def _prepare(self) -> None:
        # as tall as its fields (and a little room for the reasons under them), capped to the screen
        self.content.adjustSize()
        fixed = self.minimumSizeHint().height() - self.scroll.minimumSizeHint().height()
        self.resize(QSize(720, self.content.sizeHint().height() + fixed + 40).boundedTo(room_on_screen(self)))
        super()._prepare()

    def _accept(self) -> None:
        reading = forms.Reading()
        person = reading.take("cid", self.form.person)
        registered_on = (reading.take("registeredOn", read_date, self.reg_on, "วันที่จดทะเบียนสมรส")
                         if self.relation is Relation.SPOUSE else None)
        if self.relation is Relation.SPOUSE and not self.reg_no.text().strip():
            reading.refuse("registrationNo", "marriage.no", "กรุณากรอกเลขทะเบียนสมรสตามใบสำคัญการสมรส",
                           "Enter the registration no.")
        try:
            reading.done()
            kind = ParentKind(self.kind.currentData())
            self.dependent = forms.new_dependent(person, self.relation, kind, self.reg_no.text(), registered_on)
        except (Refusal, ThaiDateError) as e:
            problems = problems_of(e)
            self.form.marks.show(problems, everywhere=True)
            self.marks.show(problems, everywhere=True)
            # every reason at once, in one wrapped paragraph (each is also under its field)
            self.problem.setText("  •  ".join(str(e).splitlines()))
            return
        self.form.marks.show({})
        self.marks.show({})
        self.accept()


class HireDialog(ChangeSetDialog):
    """บรรจุใหม่ / รับโอน / ผู้บริหารเข้ารับตำแหน่ง, with the family in the same change set."""

    dependent_added = Signal(str)

    def __init__(self, runner: TaskRunner, card: CardBridge | None, desk: Desk, today: _dt.date,
                 parent: QWidget | None = None) -> None:
        super().__init__(runner, desk, today, tr("รับบุคลากรใหม่", "New staff member"), parent, forms.Hire.kind)
        self.card = card
        self.form = PersonForm(runner, card, self.register.person)
        self.form.edited.connect(self.changed)
        self.form.read_done.connect(lambda _cid: self.evidence.set_card_photo(self.form.photo_bytes))
        self.form.read_done.connect(self.typed)
        self.job_marks = FieldMarks()
        self.marks += [self.form.marks, self.job_marks]
        self.ptype = QComboBox()
        self.ptype.setObjectName("personnelType")
        for code, t in tables().personnel_types.items():
            self.ptype.addItem(tr(t.th, t.en), code)
        self.position = QLineEdit()
        self.position.setObjectName("position")
        self.start = date_edit(today, "start")
        self.reason = QComboBox()
        self.reason.setObjectName("startReason")
        for reason, (th, en) in forms.HOW_HIRED.items():
            self.reason.addItem(tr(th, en), reason)
        # A transfer-in from another local-government unit names it: the central register hands the person's
        # record over from that unit (a transfer from outside local government leaves it empty).
        self.from_unit = QLineEdit()
        self.from_unit.setObjectName("fromUnit")
        self.from_unit.setMaxLength(32)
        self.from_unit.setPlaceholderText(tr("รหัสหน่วยงานเดิม ถ้าโอนมาจาก อปท. อื่น", "Previous unit's code, if from "
                                             "another local-government unit"))
        self.reason.currentIndexChanged.connect(
            lambda _i: self.from_unit.setEnabled(self.reason.currentData() == StartReason.TRANSFER_IN))
        self.from_unit.setEnabled(False)
        for w in (self.ptype, self.reason):
            w.currentIndexChanged.connect(lambda _i: self.changed())
        for w in (self.position, self.start, self.from_unit):
            w.textEdited.connect(lambda _t: self.changed())
        job = QFormLayout()
        job.addRow(tr("ประเภทบุคลากร", "Personnel type"), self.ptype)
        job.addRow(tr("ตำแหน่ง", "Position"), self.job_marks.wrap(self.position))
        job.addRow(tr("วันที่เริ่มปฏิบัติงาน", "Start date"), self.job_marks.wrap(self.start))
        job.addRow(tr("ลักษณะการเข้า", "How"), self.reason)
        job.addRow(tr("โอนมาจากหน่วยงาน", "Transferred from"), self.from_unit)

        self.dependents: list[NewDependent] = []
        self.family = QTableWidget(0, 3)
        self.family.setObjectName("family")
        self.family.setHorizontalHeaderLabels([tr("ชื่อ–นามสกุล", "Name"), tr("ความสัมพันธ์", "Relation"),
                                               tr("เลขประจำตัวประชาชน", "Citizen ID")])
        self.family.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        for col in (1, 2):  # the relation and the whole 17-character citizen ID always readable
            self.family.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeToContents)
        self.family.verticalHeader().setVisible(False)
        self.family.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.family.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.family.setTabKeyNavigation(False)   # one Tab stop: Tab leaves the table, arrows move in it
        rows = self.family.verticalHeader().defaultSectionSize()
        frame = 2 * self.family.frameWidth() + self.family.horizontalHeader().sizeHint().height()
        self.family.setMinimumHeight(frame + 3 * rows)    # at least three people in view
        self.family.setMaximumHeight(frame + 5 * rows)
        add = QHBoxLayout()
        for relation, th, en, name in ((Relation.SPOUSE, "เพิ่มคู่สมรส", "Add spouse", "addSpouse"),
                                       (Relation.CHILD, "เพิ่มบุตร", "Add child", "addChild"),
                                       (Relation.FATHER, "เพิ่มบิดา", "Add father", "addFather"),
                                       (Relation.MOTHER, "เพิ่มมารดา", "Add mother", "addMother")):
            b = QPushButton(tr(th, en))
            b.setObjectName(name)
            b.setAutoDefault(False)
            b.clicked.connect(lambda _c=False, r=relation: self.add_dependent(r))
            add.addWidget(b)
        remove = QPushButton(tr("ลบที่เลือก", "Remove"))
        remove.setObjectName("removeDependent")
        remove.setAutoDefault(False)
        remove.clicked.connect(self._remove_dependent)
        add.addStretch(1)
        add.addWidget(remove)

        self.body.addWidget(QLabel(f"<b>{tr('ผู้มีสิทธิ', 'The staff member')}</b>"))
        self.body.addWidget(self.form)
        self.body.addLayout(job)
        self.body.addWidget(QLabel(f"<b>{tr('ผู้มีสิทธิร่วม (ครอบครัว)', 'Dependents (family)')}</b>"))
        self.body.addWidget(self.family)
        self.body.addLayout(add)
        self.first_field = self.form.edits["cid"]
        self.check()

    def add_dependent(self, relation: Relation) -> DependentDialog:
        dialog = DependentDialog(self.runner, self.card, self.register, relation, self)
        dialog.setObjectName("dependentDialog")
        dialog.finished.connect(lambda code: self._dependent_done(dialog, code))
        dialog.open()
        self.last_dependent = dialog
        return dialog

    def _dependent_done(self, dialog: DependentDialog, code: int) -> None:
        if not code or dialog.dependent is None:
            return
        dep = dialog.dependent
        self.dependents.append(dep)
        person = dep.person
        row = self.family.rowCount()
        self.family.insertRow(row)
        for col, text in enumerate((person.name_th, dep.relation.th, person.cid)):
            self.family.setItem(row, col, QTableWidgetItem(text))
        self.typed()
        self.changed()
        self.dependent_added.emit(person.cid)

    def _remove_dependent(self) -> None:
        row = self.family.currentRow()
        if 0 <= row < len(self.dependents):
            del self.dependents[row]
            self.family.removeRow(row)
            self.typed()
            self.changed()

    def form_value(self) -> forms.Hire:
        reading = forms.Reading()   # every typing mistake at once, each on its field
        person = reading.take("cid", self.form.person)
        position = reading.take("position", forms.typed_position, self.position.text())
        start = reading.take("start", read_date, self.start, "วันที่เริ่มปฏิบัติงาน")
        reading.done()
        return forms.Hire(person, self.ptype.currentData(), start, position, StartReason(self.reason.currentData()),
                          tuple(self.dependents), self.from_unit.text())


# --- a person event: one form widget per kind ----------------------------------------------------------

class EventForm(QWidget):
    """The fields of one person event, below the dialog's heading, read into the event's form value."""

    kind: ClassVar[str]
    edited = Signal()

    def __init__(self, runner: TaskRunner, card: CardBridge | None, register: RegisterStore, today: _dt.date,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.card, self.register, self.today = runner, card, register, today
        self.on: QLineEdit | None = None        # the event's date, when the form asks for it
        self.other: PersonForm | None = None    # the other person the event names (spouse, child, parent)
        self.marks = FieldMarks()
        self.rows = QFormLayout()
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.addLayout(self.rows)

    def date_row(self, th: str, en: str) -> QLineEdit:
        self.on = date_edit(self.today, "eventDate")
        self.on.textEdited.connect(lambda _t: self.edited.emit())
        self.rows.addRow(tr(th, en), self.marks.wrap(self.on))
        return self.on

    def combo_row(self, th: str, en: str, items=()) -> QComboBox:
        combo = QComboBox()
        for text, data in items:
            combo.addItem(text, data)
        combo.currentIndexChanged.connect(lambda _i: self.edited.emit())
        self.rows.addRow(tr(th, en), combo)
        return combo

    def other_person(self) -> PersonForm:
        """The other person's fields, below the rows (typed, or read from their card)."""
        self.other = PersonForm(self.runner, self.card, self.register.person)
        self.other.edited.connect(self.edited)
        self.column.addWidget(QLabel(f"<b>{tr('บุคคลที่เกี่ยวข้อง', 'The other person')}</b>"))
        self.column.addWidget(self.other)
        return self.other

    def event_date(self) -> _dt.date:
        return read_date(self.on, "วันที่")

    def loaded(self, subject: Subject) -> None:
        """The person as the register has them arrived (a divorce lists their marriages)."""

    def needs_document(self) -> bool:
        """Whether what was typed calls for the document reminder (an early retirement)."""
        return False

    def read(self, subject: Subject) -> Any:
        """The event's form value, with every typing mistake of its fields at once (FieldRefusals)."""
        reading = forms.Reading()
        if self.on is not None:
            reading.take("eventDate", self.event_date)
        if self.other is not None:
            reading.take("cid", self.other.person)
        self.more_checks(reading, subject)
        reading.done()
        return self.value(subject)

    def more_checks(self, reading: forms.Reading, subject: Subject) -> None:
        """A form's own questions, kept with the typing mistakes."""

    def value(self, subject: Subject) -> Any:
        raise NotImplementedError


EVENT_FORMS: dict[str, type[EventForm]] = {}


def event_form(cls: type[EventForm]) -> type[EventForm]:
    EVENT_FORMS[cls.kind] = cls
    return cls


@event_form
class EndOfServiceForm(EventForm):
    kind = forms.EndOfService.kind

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.reason = self.combo_row("เหตุ", "Reason", [(r.th, r) for r in forms.END_REASONS])
        self.date_row("วันแรกที่ไม่มีสิทธิ (วันถัดจากวันทำงานวันสุดท้าย)", "First day without the right")
        self.pension = QCheckBox(tr("รับบำนาญต่อ (ยังมีสิทธิในฐานะผู้รับบำนาญ)", "Goes on with a pension"))
        self.pension.toggled.connect(lambda _b: self.edited.emit())
        self.rows.addRow("", self.pension)
        # A retirement before 60: asked whether it is an early retirement, and reminded of the order.
        self.subject: Subject | None = None
        self.early_age: int | None = None
        self.early = QCheckBox(tr("เป็นการเกษียณก่อนกำหนด (ก่อนอายุ 60 ปี) ตามคำสั่ง", "An early retirement (before 60), "
                                  "by order"))
        self.early.setObjectName("earlyRetirement")
        self.early.toggled.connect(lambda _b: self.edited.emit())
        self.early_note = QLabel("")
        self.early_note.setObjectName("earlyRetirementNote")
        self.early_note.setWordWrap(True)
        self.rows.addRow("", self.marks.wrap(self.early))
        self.rows.addRow("", self.early_note)
        self.reason.currentIndexChanged.connect(lambda _i: self._ask_early())
        self.on.textEdited.connect(lambda _t: self._ask_early())
        self._ask_early()

    def loaded(self, subject: Subject) -> None:
        self.subject = subject
        self._ask_early()

    def _ask_early(self) -> None:
        try:
            on = forms.typed_date(self.on.text(), "วันที่")
        except (Refusal, ThaiDateError):
            on = None
        reason = EndReason(self.reason.currentData())
        self.early_age = forms.early_retirement_age(self.subject, on, reason) if self.subject is not None else None
        early = self.early_age is not None
        self.early.setVisible(early)
        self.early_note.setVisible(early)
        if early:
            order = documents.document_for("retirement")
            self.early_note.setText(tr(
                f"ในวันที่ {format_date_short(on)} อายุ {self.early_age} ปี ยังไม่ถึง 60 ปี เป็นการเกษียณก่อนกำหนดหรือไม่ "
                f"ถ้าใช่ ให้ทำเครื่องหมายด้านบน และแนบ{order.th}",
                f"On {format_date_short(on)} the person is {self.early_age}, not yet 60: is it an early retirement? "
                f"If so, tick the box above and attach the {order.en.lower()}."))
        elif self.early.isChecked():
            self.early.setChecked(False)

    def needs_document(self) -> bool:
        return self.early_age is not None

    def more_checks(self, reading: forms.Reading, subject: Subject) -> None:
        if self.early_age is not None and not self.early.isChecked():
            reading.refuse("earlyRetirement", "retirement.early",
                           f"อายุ {self.early_age} ปี ยังไม่ถึงเกษียณอายุ 60 ปี ถ้าเป็นการเกษียณก่อนกำหนด กรุณาทำเครื่องหมาย "
                           "«เป็นการเกษียณก่อนกำหนด» ถ้าไม่ใช่ กรุณาเลือกเหตุให้ถูกต้อง (ลาออก โอนย้ายออก ฯลฯ)",
                           f"{self.early_age} is before the retirement age of 60: tick “an early retirement”, or choose "
                           "the right reason.")

    def value(self, subject: Subject) -> forms.EndOfService:
        return forms.EndOfService(subject, self.event_date(), EndReason(self.reason.currentData()),
                                  self.pension.isChecked())


@event_form
class DeathForm(EventForm):
    kind = forms.Death.kind

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.date_row("วันที่ถึงแก่กรรม", "Date of death")

    def value(self, subject: Subject) -> forms.Death:
        return forms.Death(subject, self.event_date())


@event_form
class MarriageForm(EventForm):
    kind = forms.MarriageRegistered.kind

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.reg_no = QLineEdit()
        self.reg_no.setObjectName("registrationNo")
        self.reg_no.textEdited.connect(lambda _t: self.edited.emit())
        self.rows.addRow(tr("เลขทะเบียนสมรส", "Registration no."), self.marks.wrap(self.reg_no))
        self.date_row("วันที่จดทะเบียนสมรส", "Registered on")
        self.other_person()

    def more_checks(self, reading: forms.Reading, subject: Subject) -> None:
        if not self.reg_no.text().strip():   # listed with the other mistakes (the builder refuses it too)
            reading.refuse("registrationNo", "marriage.no", "กรุณากรอกเลขทะเบียนสมรสตามใบสำคัญการสมรส",
                           "Enter the registration no.")

    def value(self, subject: Subject) -> forms.MarriageRegistered:
        on = self.event_date()
        return forms.MarriageRegistered(subject, self.other.person(), self.reg_no.text(), on)


@event_form
class ChildMarriageForm(MarriageForm):
    """The chosen person is the child; their right as a child ends on the day (not in the menu yet)."""

    kind = forms.ChildMarried.kind

    def value(self, subject: Subject) -> forms.ChildMarried:
        on = self.event_date()
        return forms.ChildMarried(subject, self.other.person(), self.reg_no.text(), on)


@event_form
class DivorceForm(EventForm):
    kind = forms.DivorceRegistered.kind

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.which = self.combo_row("การสมรส", "Marriage")
        self.date_row("วันที่จดทะเบียนหย่า", "Divorce registered on")

    def loaded(self, subject: Subject) -> None:
        for m, name in zip(subject.marriages, subject.spouses):
            self.which.addItem(name, m)

    def value(self, subject: Subject) -> forms.DivorceRegistered:
        return forms.DivorceRegistered(subject, self.which.currentData(), self.event_date())


@event_form
class BirthForm(EventForm):
    kind = forms.Birth.kind

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.date_row("วันที่มีผล (วันเกิดหรือวันที่รับเป็นบุตร)", "Effective on")
        self.other_person()

    def value(self, subject: Subject) -> forms.Birth:
        on = self.event_date()
        return forms.Birth(subject, self.other.person(), on)


@event_form
class ParentForm(EventForm):
    kind = forms.ParentAdded.kind

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.which = self.combo_row("ความสัมพันธ์", "Relation", [(tr("บิดา", "Father"), Relation.FATHER),
                                                                (tr("มารดา", "Mother"), Relation.MOTHER)])
        self.other_person()

    def value(self, subject: Subject) -> forms.ParentAdded:
        # no date asked: a parent is added as of today
        return forms.ParentAdded(subject, self.other.person(), Relation(self.which.currentData()), self.today)


class PersonEventDialog(ChangeSetDialog):
    """An event about someone already in the register: end of service, death, marriage, divorce, a birth,
    a parent added — the event's form (:data:`EVENT_FORMS`) in the shared frame."""

    KINDS = forms.PERSON_EVENTS   # the events the window offers, in order (Thai, English)

    def __init__(self, kind: str, runner: TaskRunner, card: CardBridge | None, desk: Desk, today: _dt.date,
                 cid: str, parent: QWidget | None = None) -> None:
        th, en = forms.EVENT_NAMES[kind]
        super().__init__(runner, desk, today, tr(th, en), parent, kind)
        self.kind = kind
        self.subject = Subject(cid, None)   # until the register's answer arrives
        self.heading = QLabel(f"<b>{html.escape(cid)}</b> · {html.escape(tr(th, en))}")
        self.body.addWidget(self.heading)
        self.fields = EVENT_FORMS[kind](runner, card, self.register, today)
        self.fields.edited.connect(self.changed)
        self.on, self.other = self.fields.on, self.fields.other
        self.marks.append(self.fields.marks)
        if self.other is not None:
            other = self.other
            other.read_done.connect(lambda _cid: self.evidence.set_card_photo(other.photo_bytes))
            other.read_done.connect(self.typed)
            self.marks.append(other.marks)
        self.body.addWidget(self.fields)
        self.body.addStretch(1)
        register, unit = self.register, desk.officer.unit_code
        runner.run(lambda: forms.subject_of(register, cid, unit), lambda found: self._loaded(th, en, found),
                   self._refused)

    def _loaded(self, th: str, en: str, subject: Subject) -> None:
        self.subject = subject
        if subject.person is not None:
            self.heading.setText(f"<b>{html.escape(subject.name_th)}</b> · {html.escape(tr(th, en))}")
        self.fields.loaded(subject)
        self.check()

    def needs_document(self) -> bool:
        return self.documented or self.fields.needs_document()

    def form_value(self) -> Any:
        return self.fields.read(self.subject)


class EditDialog(ChangeSetDialog):
    """A draft or a returned change set corrected field by field (app.editing), then kept or sent again."""

    def __init__(self, runner: TaskRunner, desk: Desk, today: _dt.date, cs: ChangeSet, records: list,
                 parent: QWidget | None = None) -> None:
        super().__init__(runner, desk, today, tr(f"แก้ไข «{cs.title}»", f"Edit “{cs.title}”"), parent, cs.kind)
        self.cs = cs
        self.evidence.load(cs)
        self.edits: dict[tuple[int, str], QLineEdit] = {}
        if cs.return_reason:
            reason = QLabel(tr(f"นายทะเบียนส่งกลับเพราะ: {cs.return_reason}", f"Returned because: {cs.return_reason}"))
            reason.setObjectName("returnReason")
            reason.setWordWrap(True)
            self.body.addWidget(reason)
        note = QLabel(tr("แก้ไขชื่อ วันที่ เลขที่ หรือที่อยู่ได้ที่นี่ ถ้าผิดคน (เลขประจำตัวประชาชน) ให้ยกเลิกรายการนี้แล้วบันทึกใหม่",
                         "Names, dates, numbers and addresses can be corrected here; for the wrong person, cancel "
                         "and record it again."))
        note.setObjectName("muted")
        note.setWordWrap(True)
        self.body.addWidget(note)
        column = self.body   # the dialog's form scrolls as a whole (ChangeSetDialog)
        for rec in records:
            box = QGroupBox(rec.heading)
            form = QFormLayout(box)
            for f in rec.fields:
                if f.kind == "fixed":
                    form.addRow(f.label, QLabel(f.text))
                    continue
                edit = date_edit() if f.kind in ("date", "birth") else QLineEdit()
                edit.setObjectName(f"{f.name}_{f.op_index}")
                edit.setText(f.text)
                edit.textEdited.connect(lambda _t: self.changed())
                self.edits[(f.op_index, f.name)] = edit
                form.addRow(f.label, edit)
            column.addWidget(box)
        column.addStretch(1)
        if cs.state is ReviewState.RETURNED:
            self.draft_button.setText(tr("บันทึกการแก้ไข (ยังไม่ส่ง)", "Save the corrections (not sent)"))
            self.send_button.setText(tr("ส่งตรวจอีกครั้ง", "Send for review again"))
        self.check()

    def form_value(self) -> forms.Correction:
        return forms.Correction(self.cs, {key: edit.text() for key, edit in self.edits.items()})


class UnitDialog(ChangeSetDialog):
    """The unit's basic data (name, level, address, phone, e-mail), changed like any record: through the
    registrar. The code and the province are NHSO's and shown only."""

    FIELDS = (("name", "ชื่อหน่วยงาน", "Name"), ("address", "ที่อยู่", "Address"),
              ("phone", "โทรศัพท์", "Phone"), ("email", "อีเมล", "E-mail"),
              ("head_name", "ชื่อผู้บริหารที่ลงนามหนังสือ", "Head who signs letters"),
              ("head_position", "ตำแหน่งผู้บริหารที่ลงนาม", "Head's position"),
              ("reference", "รหัสหนังสือออก (ที่ …)", "Outgoing reference prefix"))

    def __init__(self, runner: TaskRunner, desk: Desk, today: _dt.date, unit: Known[Unit],
                 parent: QWidget | None = None) -> None:
        super().__init__(runner, desk, today, tr("ข้อมูลพื้นฐานของหน่วยงาน", "The unit's basic data"), parent,
                         forms.UnitData.kind)
        self.unit = unit
        u = unit.record
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        form.addRow(tr("รหัสหน่วยงาน", "Unit code"), QLabel(u.code))
        form.addRow(tr("จังหวัด", "Province"), QLabel(u.province))
        self.level = QComboBox()
        self.level.setObjectName("level")
        for level in UnitLevel:
            self.level.addItem(tr(level.th, level.value), level.value)
        self.level.setCurrentIndex(self.level.findData(u.level.value))
        self.level.currentIndexChanged.connect(lambda _i: self.changed())
        for name, th, en in self.FIELDS:
            edit = QLineEdit(getattr(u, name))
            edit.setObjectName(name)
            edit.textEdited.connect(lambda _t: self.changed())
            self.edits[name] = edit
            form.addRow(tr(th, en), edit)
            if name == "name":
                form.addRow(tr("ประเภทหน่วยงาน", "Level"), self.level)
        self.edits["phone"].setPlaceholderText(tr("เช่น 0 4421 1234 ต่อ 12", "e.g. 0 4421 1234 ext. 12"))
        self.edits["email"].setPlaceholderText("saraban@example.go.th")
        self.edits["head_name"].setPlaceholderText(tr("เช่น นายสมศักดิ์ ใจดี", "e.g. the mayor's name"))
        self.edits["head_position"].setPlaceholderText(tr("เช่น นายกองค์การบริหารส่วนตำบลบ้านฝึกหัด", "e.g. Mayor of …"))
        self.edits["reference"].setPlaceholderText(tr("เช่น ขก 52101", "e.g. ขก 52101"))
        note = QLabel(tr("ข้อมูลที่แก้ไขจะมีผลเมื่อนายทะเบียนอนุมัติ และจะใช้ในหนังสือและรายงานที่ส่ง สปสช.",
                         "Changes take effect when the registrar approves them."))
        note.setObjectName("muted")
        note.setWordWrap(True)
        self.body.addLayout(form)
        self.body.addWidget(note)
        self.body.addStretch(1)
        self.resize(760, 640)
        self.check()

    def form_value(self) -> forms.UnitData:
        typed = {name: edit.text().strip() for name, edit in self.edits.items()}
        return forms.UnitData(self.unit, level=UnitLevel(self.level.currentData()), **typed)
