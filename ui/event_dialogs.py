"""The guided actions of a registry officer. Each dialog reads what the officer typed into the action's form
(app.usecases.forms), shows the rules' verdicts in Thai as they type (the change set built and checked on the
database worker against the local register), and ends in "save as draft" or "send to the registrar": the dialog
runs app.usecases.registry.record itself, and stays open with the refusal if it fails — nothing typed is lost.
Sending is refused while a verdict is an error.

A person event is one form widget per kind (:data:`EVENT_FORMS`) inside the shared frame."""
from __future__ import annotations

import datetime as _dt
import html
from typing import Any, ClassVar

from app import evidence as documents
from app import review
from app.changeset import ChangeSet, ReviewState
from app.domain import EndReason, ParentKind, StartReason, Unit, UnitLevel, tables
from app.errors import Refusal
from app.events import Known, NewDependent
from app.rules.entitlement import Relation
from app.store import RegisterStore
from app.thai import ThaiDateError, format_date_short, parse_date_short
from app.usecases import Changed, Desk, forms, registry
from app.usecases.forms import Subject

from .card_bridge import CardBridge
from .changesets import verdicts_html
from .evidence import EvidenceBox
from .i18n import tr
from .person_form import PersonForm
from .qt import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QPushButton, QScrollArea, QTableWidget, QTableWidgetItem, QTextBrowser, QTimer, QVBoxLayout, QWidget,
    Signal,
)
from .tasks import TaskRunner

CHECK_DELAY_MS = 300


def date_edit(day: _dt.date | None = None, name: str = "") -> QLineEdit:
    edit = QLineEdit(format_date_short(day) if day else "")
    edit.setPlaceholderText(tr("วว/ดด/ปปปป (พ.ศ.)", "dd/mm/yyyy (BE)"))
    edit.setObjectName(name)
    return edit


def read_date(edit: QLineEdit, what: str) -> _dt.date:
    if not edit.text().strip():
        raise Refusal("date.empty", f"กรุณากรอก{what}", f"Enter the {what}.")
    return parse_date_short(edit.text())


class ChangeSetDialog(QDialog):
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
        self._keeping = False
        self.body = QVBoxLayout()
        self.verdicts = QTextBrowser()
        self.verdicts.setObjectName("verdicts")
        self.verdicts.setMaximumHeight(150)
        self.draft_button = QPushButton(tr("บันทึกร่าง", "Save draft"))
        self.draft_button.setObjectName("saveDraft")
        self.send_button = QPushButton(tr("ส่งให้นายทะเบียนตรวจ", "Send to the registrar"))
        self.send_button.setObjectName("sendForReview")
        close = QPushButton(tr("ปิด", "Close"))
        self.draft_button.clicked.connect(lambda: self._finish(False))
        self.send_button.clicked.connect(lambda: self._finish(True))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.draft_button)
        buttons.addWidget(self.send_button)
        self.evidence = EvidenceBox(runner, self.register, kind)
        self.evidence.changed.connect(self.changed)
        self.documented = documents.needs_document(kind)
        root = QVBoxLayout(self)
        root.addLayout(self.body, 1)
        root.addWidget(self.evidence)
        root.addWidget(QLabel(tr("ผลการตรวจตามระเบียบ", "What the rules say")))
        root.addWidget(self.verdicts)
        root.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check)

    def form_value(self) -> Any:
        """What the officer typed, as the action's form (app.usecases.forms)."""
        raise NotImplementedError

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
        e = html.escape
        if isinstance(outcome, BaseException):
            text = str(outcome) if isinstance(outcome, (Refusal, ThaiDateError)) else tr(
                "ตรวจไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด", "The check failed unexpectedly.")
            self.verdicts.setHtml(f"<p style='color:#b45309'>{e(text)}</p>")
            self.errors = True
        else:
            missing = ""
            if self.documented and not self.evidence.items:
                missing = ("<p style='color:#b45309'>! " + html.escape(tr(
                    f"ยังไม่ได้แนบเอกสารประกอบ ({self.evidence.label()}) นายทะเบียนอาจส่งกลับเพื่อขอเอกสาร "
                    "กรุณาสแกนหรือนำเข้าไฟล์ก่อนส่ง",
                    f"No supporting document ({self.evidence.label()}) yet: the registrar may return it.")) + "</p>")
            self.verdicts.setHtml(verdicts_html(outcome) + missing)
            self.errors = not outcome.ok
        self.send_button.setEnabled(not self.errors and not self._keeping)
        self.checked.emit(outcome)

    def _finish(self, send: bool) -> None:
        try:
            form = self.form_value()
        except (Refusal, ThaiDateError) as e:
            self._refused(e)
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
        text = str(e) if isinstance(e, (Refusal, ThaiDateError)) else tr(
            "บันทึกไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด", "Could not be saved: unexpected error.")
        self.verdicts.setHtml(f"<p style='color:#b91c1c'>{html.escape(text)}</p>")


class DependentDialog(QDialog):
    """One dependent for a hire: who (typed or read from their card) and how they are related."""

    def __init__(self, runner: TaskRunner, card: CardBridge | None, register: RegisterStore, relation: Relation,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.relation = relation
        self.setWindowTitle({Relation.SPOUSE: tr("เพิ่มคู่สมรส", "Add the spouse"),
                             Relation.CHILD: tr("เพิ่มบุตร", "Add a child"),
                             Relation.FATHER: tr("เพิ่มบิดา", "Add the father"),
                             Relation.MOTHER: tr("เพิ่มมารดา", "Add the mother")}[relation])
        self.form = PersonForm(runner, card, register.person)
        self.reg_no = QLineEdit()
        self.reg_no.setObjectName("registrationNo")
        self.reg_on = date_edit(name="registeredOn")
        self.kind = QComboBox()
        self.kind.setObjectName("childKind")
        for kind, (th, en) in forms.CHILD_KINDS.items():
            self.kind.addItem(tr(th, en), kind)
        extra = QFormLayout()
        if relation is Relation.SPOUSE:
            extra.addRow(tr("เลขทะเบียนสมรส", "Marriage registration no."), self.reg_no)
            extra.addRow(tr("วันที่จดทะเบียนสมรส", "Registered on"), self.reg_on)
        if relation is Relation.CHILD:
            extra.addRow(tr("ความเป็นบุตร", "Kind"), self.kind)
        self.problem = QLabel("")
        self.problem.setObjectName("errorText")
        self.problem.setWordWrap(True)
        ok = QPushButton(tr("เพิ่ม", "Add"))
        ok.setObjectName("addDependent")
        ok.clicked.connect(self._accept)
        cancel = QPushButton(tr("ยกเลิก", "Cancel"))
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(ok)
        box = QVBoxLayout(self)
        box.addWidget(self.form)
        box.addLayout(extra)
        box.addWidget(self.problem)
        box.addLayout(row)
        self.dependent: NewDependent | None = None

    def _accept(self) -> None:
        try:
            person = self.form.person()
            registered_on = read_date(self.reg_on, "วันที่จดทะเบียนสมรส") if self.relation is Relation.SPOUSE else None
            kind = ParentKind(self.kind.currentData())
            self.dependent = forms.new_dependent(person, self.relation, kind, self.reg_no.text(), registered_on)
        except (Refusal, ThaiDateError) as e:
            self.problem.setText(str(e))
            return
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
        job.addRow(tr("ตำแหน่ง", "Position"), self.position)
        job.addRow(tr("วันที่เริ่มปฏิบัติงาน", "Start date"), self.start)
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
        self.family.setMaximumHeight(170)
        add = QHBoxLayout()
        for relation, th, en, name in ((Relation.SPOUSE, "เพิ่มคู่สมรส", "Add spouse", "addSpouse"),
                                       (Relation.CHILD, "เพิ่มบุตร", "Add child", "addChild"),
                                       (Relation.FATHER, "เพิ่มบิดา", "Add father", "addFather"),
                                       (Relation.MOTHER, "เพิ่มมารดา", "Add mother", "addMother")):
            b = QPushButton(tr(th, en))
            b.setObjectName(name)
            b.clicked.connect(lambda _c=False, r=relation: self.add_dependent(r))
            add.addWidget(b)
        remove = QPushButton(tr("ลบที่เลือก", "Remove"))
        remove.clicked.connect(self._remove_dependent)
        add.addStretch(1)
        add.addWidget(remove)

        self.body.addWidget(QLabel(f"<b>{tr('ผู้มีสิทธิ', 'The staff member')}</b>"))
        self.body.addWidget(self.form)
        self.body.addLayout(job)
        self.body.addWidget(QLabel(f"<b>{tr('ผู้มีสิทธิร่วม (ครอบครัว)', 'Dependents (family)')}</b>"))
        self.body.addWidget(self.family)
        self.body.addLayout(add)
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
        self.changed()
        self.dependent_added.emit(person.cid)

    def _remove_dependent(self) -> None:
        row = self.family.currentRow()
        if 0 <= row < len(self.dependents):
            del self.dependents[row]
            self.family.removeRow(row)
            self.changed()

    def form_value(self) -> forms.Hire:
        return forms.Hire(self.form.person(), self.ptype.currentData(), read_date(self.start, "วันที่เริ่มปฏิบัติงาน"),
                          self.position.text().strip(), StartReason(self.reason.currentData()), tuple(self.dependents),
                          self.from_unit.text())


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
        self.rows = QFormLayout()
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.addLayout(self.rows)

    def date_row(self, th: str, en: str) -> QLineEdit:
        self.on = date_edit(self.today, "eventDate")
        self.on.textEdited.connect(lambda _t: self.edited.emit())
        self.rows.addRow(tr(th, en), self.on)
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
        self.rows.addRow(tr("เลขทะเบียนสมรส", "Registration no."), self.reg_no)
        self.date_row("วันที่จดทะเบียนสมรส", "Registered on")
        self.other_person()

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
        if self.other is not None:
            other = self.other
            other.read_done.connect(lambda _cid: self.evidence.set_card_photo(other.photo_bytes))
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

    def form_value(self) -> Any:
        return self.fields.value(self.subject)


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
        inner = QWidget()
        column = QVBoxLayout(inner)
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
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.body.addWidget(scroll, 1)
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
              ("phone", "โทรศัพท์", "Phone"), ("email", "อีเมล", "E-mail"))

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
