"""The guided actions of a registry officer. Each builds one change set with app.events, shows the rules'
verdicts in Thai as the officer types (run on the database worker against the local register), and ends
in "save as draft" or "send to the registrar" — sending is refused while a verdict is an error."""
from __future__ import annotations

import datetime as _dt
import html
from typing import Callable

from app import actions, editing, events, review
from app.changeset import ChangeSet, ReviewState
from app.domain import Employment, EndReason, Marriage, ParentKind, Person, StartReason, Unit, UnitLevel, tables
from app.errors import Refusal
from app.events import Known, NewDependent
from app.rules.entitlement import Relation
from app.store import RegisterStore
from app.thai import ThaiDateError, format_date_short, parse_date_short

from .card_bridge import CardBridge
from .changesets import verdicts_html
from .evidence import EvidenceBox, with_evidence
from .i18n import tr
from .person_form import PersonForm
from .qt import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QPushButton, QScrollArea, QTableWidget, QTableWidgetItem, QTextBrowser, QTimer, QVBoxLayout, QWidget,
    Signal,
)
from .tasks import TaskRunner

CHECK_DELAY_MS = 300
# Events whose proof is a document (a registration, a certificate): the dialog reminds the officer to attach it.
DOCUMENTED_EVENTS = {"marriage", "divorce", "birth", "death", "parent", "child_marriage", "add_spouse",
                     "add_father", "add_mother"}


def date_edit(day: _dt.date | None = None, name: str = "") -> QLineEdit:
    edit = QLineEdit(format_date_short(day) if day else "")
    edit.setPlaceholderText(tr("วว/ดด/ปปปป (พ.ศ.)", "dd/mm/yyyy (BE)"))
    edit.setObjectName(name)
    return edit


def read_date(edit: QLineEdit, what: str) -> _dt.date:
    if not edit.text().strip():
        raise Refusal("date.empty", f"กรุณากรอก{what}", f"Enter the {what}.")
    return parse_date_short(edit.text())


# Read on the GUI thread from the form; finished on the database worker, where the register may be read.
Make = Callable[[RegisterStore], ChangeSet]


class ChangeSetDialog(QDialog):
    """The frame every guided action shares: its form, the verdicts below, draft / send / close.

    ``prepare()`` reads the form on the GUI thread (a typing mistake is a Refusal at once) and returns the
    rest of the work — looking records up at their revisions, building the change set — for the worker.
    """

    checked = Signal(object)   # the Verdicts (or a Refusal) shown

    def __init__(self, runner: TaskRunner, register: RegisterStore, me: actions.Me, today: _dt.date,
                 title: str, parent: QWidget | None = None, kind: str = "") -> None:
        super().__init__(parent)
        self.runner, self.register, self.me, self.today = runner, register, me, today
        self.setWindowTitle(title)
        self.resize(880, 720)
        self.result_cs: ChangeSet | None = None
        self.send = False
        self.errors = True
        self._generation = 0
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
        self.evidence = EvidenceBox(runner, register, kind)
        self.evidence.changed.connect(self.changed)
        self.documented = kind in DOCUMENTED_EVENTS
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

    def prepare(self) -> Make:
        raise NotImplementedError

    def changed(self) -> None:
        self._timer.start()

    def check(self) -> None:
        """Build the change set from the form and run the rules on the worker."""
        self._generation += 1
        generation = self._generation
        try:
            make = self.prepare()
        except (Refusal, ThaiDateError) as e:
            self._show(generation, e)
            return
        register, today = self.register, self.today
        self.runner.run(lambda: review.check(register, make(register), today), lambda v: self._show(generation, v),
                        lambda e: self._show(generation, e))

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
        self.send_button.setEnabled(not self.errors)
        self.checked.emit(outcome)

    def _finish(self, send: bool) -> None:
        try:
            make = self.prepare()
        except (Refusal, ThaiDateError) as e:
            self._refused(e)
            return
        if send and self.errors:
            return
        register, attached = self.register, list(self.evidence.items)
        self.runner.run(lambda: with_evidence(make(register), attached), lambda cs: self._built(cs, send),
                        self._refused)

    def _built(self, cs: ChangeSet, send: bool) -> None:
        self.result_cs, self.send = cs, send
        self.accept()

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
        self.kind.addItem(tr("บุตรชอบด้วยกฎหมาย", "Legitimate child"), ParentKind.LEGITIMATE)
        self.kind.addItem(tr("บุตรบุญธรรม", "Adopted child"), ParentKind.ADOPTIVE)
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
            if self.relation is Relation.SPOUSE and not self.reg_no.text().strip():
                raise Refusal("marriage.no", "กรุณากรอกเลขทะเบียนสมรสตามใบสำคัญการสมรส", "Enter the registration no.")
        except (Refusal, ThaiDateError) as e:
            self.problem.setText(str(e))
            return
        self.dependent = NewDependent(person, self.relation, ParentKind(self.kind.currentData()) if self.relation is Relation.CHILD
                                      else ParentKind.LEGITIMATE, self.reg_no.text().strip(), registered_on)
        self.accept()


class HireDialog(ChangeSetDialog):
    """บรรจุใหม่ / รับโอน / ผู้บริหารเข้ารับตำแหน่ง, with the family in the same change set."""

    dependent_added = Signal(str)

    def __init__(self, runner: TaskRunner, card: CardBridge | None, register: RegisterStore, me: actions.Me,
                 today: _dt.date, parent: QWidget | None = None) -> None:
        super().__init__(runner, register, me, today, tr("รับบุคลากรใหม่", "New staff member"), parent, "hire")
        self.card = card
        self.form = PersonForm(runner, card, register.person)
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
        for reason, th, en in ((StartReason.HIRE, "บรรจุใหม่", "New hire"), (StartReason.TRANSFER_IN, "รับโอน", "Transfer in"),
                               (StartReason.ELECTED, "ผู้บริหารเข้ารับตำแหน่ง", "Elected executive")):
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

    def prepare(self) -> Make:
        person = self.form.person()
        start = read_date(self.start, "วันที่เริ่มปฏิบัติงาน")
        me, ptype, position = self.me, self.ptype.currentData(), self.position.text().strip()
        reason, dependents = StartReason(self.reason.currentData()), list(self.dependents)
        from_unit = self.from_unit.text().strip().upper()

        def make(register: RegisterStore) -> ChangeSet:
            # Someone already in the register: the staff member's typed fields update their record at its
            # revision; a dependent's record is kept as it is.
            found = register.get("person", person.cid)
            who = Known(person, found[1]) if found is not None else person
            deps = []
            for d in dependents:
                stored = register.get("person", d.person.cid)
                if stored is not None:
                    d = NewDependent(Known(stored[0], stored[1]), d.relation, d.kind, d.registration_no,
                                     d.registered_on, d.registered_at)
                deps.append(d)
            return events.hire(me.unit_code, me.cid, who, ptype, start, position, reason, deps, from_unit=from_unit)

        return make


class PersonEventDialog(ChangeSetDialog):
    """An event about someone already in the register: end of service, death, marriage, divorce, a birth,
    a parent added."""

    KINDS = {
        "end": ("พ้นจากการปฏิบัติงาน (โอนย้ายออก ลาออก ถูกให้ออก เกษียณ)", "End of service"),
        "death": ("เสียชีวิต", "Death"),
        "marriage": ("จดทะเบียนสมรส", "Marriage"),
        "divorce": ("จดทะเบียนหย่า", "Divorce"),
        "birth": ("แจ้งเกิดบุตร / เพิ่มบุตร", "Birth of a child"),
        "parent": ("เพิ่มบิดาหรือมารดา", "Add a parent"),
    }

    def __init__(self, kind: str, runner: TaskRunner, card: CardBridge | None, register: RegisterStore,
                 me: actions.Me, today: _dt.date, cid: str, parent: QWidget | None = None) -> None:
        th, en = self.KINDS[kind]
        super().__init__(runner, register, me, today, tr(th, en), parent, kind)
        self.kind = kind
        self.subject: Known[Person] | None = None
        self.employment: Known[Employment] | None = None
        self.marriages: list[Known[Marriage]] = []
        self.heading = QLabel(f"<b>{html.escape(cid)}</b> · {html.escape(tr(th, en))}")
        self.body.addWidget(self.heading)
        form = QFormLayout()
        self.on = date_edit(today, "eventDate")
        self.on.textEdited.connect(lambda _t: self.changed())
        self.reason = QComboBox()
        self.pension = QCheckBox(tr("รับบำนาญต่อ (ยังมีสิทธิในฐานะผู้รับบำนาญ)", "Goes on with a pension"))
        self.which = QComboBox()
        self.other = PersonForm(runner, card, register.person) if kind in ("marriage", "birth", "parent") else None
        if self.other is not None:
            other = self.other
            other.read_done.connect(lambda _cid: self.evidence.set_card_photo(other.photo_bytes))
        self.reg_no = QLineEdit()
        self.reg_no.setObjectName("registrationNo")
        if kind == "end":
            for r in (EndReason.TRANSFER_OUT, EndReason.RESIGNATION, EndReason.DISMISSAL, EndReason.RETIREMENT,
                      EndReason.TERM_ENDED):
                self.reason.addItem(r.th, r)
            form.addRow(tr("เหตุ", "Reason"), self.reason)
            form.addRow(tr("วันแรกที่ไม่มีสิทธิ (วันถัดจากวันทำงานวันสุดท้าย)", "First day without the right"), self.on)
            form.addRow("", self.pension)
        elif kind == "death":
            form.addRow(tr("วันที่ถึงแก่กรรม", "Date of death"), self.on)
        elif kind == "divorce":
            form.addRow(tr("การสมรส", "Marriage"), self.which)
            form.addRow(tr("วันที่จดทะเบียนหย่า", "Divorce registered on"), self.on)
        elif kind == "marriage":
            form.addRow(tr("เลขทะเบียนสมรส", "Registration no."), self.reg_no)
            form.addRow(tr("วันที่จดทะเบียนสมรส", "Registered on"), self.on)
        elif kind == "parent":
            self.which.addItem(tr("บิดา", "Father"), Relation.FATHER)
            self.which.addItem(tr("มารดา", "Mother"), Relation.MOTHER)
            form.addRow(tr("ความสัมพันธ์", "Relation"), self.which)
        elif kind == "birth":
            form.addRow(tr("วันที่มีผล (วันเกิดหรือวันที่รับเป็นบุตร)", "Effective on"), self.on)
        for w in (self.reason, self.which):
            w.currentIndexChanged.connect(lambda _i: self.changed())
        self.pension.toggled.connect(lambda _b: self.changed())
        self.reg_no.textEdited.connect(lambda _t: self.changed())
        self.body.addLayout(form)
        if self.other is not None:
            self.other.edited.connect(self.changed)
            self.body.addWidget(QLabel(f"<b>{tr('บุคคลที่เกี่ยวข้อง', 'The other person')}</b>"))
            self.body.addWidget(self.other)
        self.body.addStretch(1)
        unit = me.unit_code

        def load(register: RegisterStore = register):
            marriages = actions.open_marriages(register, cid)
            spouses = []
            for m in marriages:
                other = register.person(m.record.other(cid))
                spouses.append(other.name_th if other else m.record.other(cid))
            return (actions.known_person(register, cid), actions.open_employment(register, cid, unit), marriages,
                    spouses)

        runner.run(load, lambda found: self._loaded(th, en, *found), self._refused)

    def _loaded(self, th: str, en: str, subject, employment, marriages, spouses) -> None:
        self.subject, self.employment, self.marriages = subject, employment, marriages
        if subject is not None:
            self.heading.setText(f"<b>{html.escape(subject.record.name_th)}</b> · {html.escape(tr(th, en))}")
        for m, name in zip(marriages, spouses):
            self.which.addItem(name, m)
        self.check()

    def prepare(self) -> Make:
        me, subject = self.me, self.subject
        if subject is None:
            raise Refusal("event.unknown", "ไม่พบบุคคลนี้ในทะเบียนของเครื่องนี้", "Not in the local register.")
        on = read_date(self.on, "วันที่")
        other = self.other.person() if self.other is not None else None

        def known_other(register: RegisterStore):
            found = register.get("person", other.cid)
            return Known(found[0], found[1]) if found is not None else other
        if self.kind == "end":
            if self.employment is None:
                raise Refusal("event.no_service", "บุคคลนี้ไม่มีการปฏิบัติงานที่ยังไม่สิ้นสุดในหน่วยงานนี้",
                              "No open service in this unit.")
            employment, reason, pension = self.employment, EndReason(self.reason.currentData()), self.pension.isChecked()
            return lambda _r: events.end_service(me.unit_code, me.cid, subject, employment, on, reason, pension)
        if self.kind == "death":
            open_jobs, marriages = [self.employment] if self.employment else [], list(self.marriages)
            return lambda _r: events.death(me.unit_code, me.cid, subject, on, open_jobs, marriages)
        if self.kind == "divorce":
            m = self.which.currentData()
            if m is None:
                raise Refusal("event.no_marriage", "บุคคลนี้ไม่มีการสมรสที่ยังไม่สิ้นสุดในทะเบียน", "No open marriage.")
            return lambda _r: events.divorce(me.unit_code, me.cid, m, on, subject.record.name_th)
        if self.kind == "marriage":
            reg_no = self.reg_no.text().strip()
            if not reg_no:
                raise Refusal("marriage.no", "กรุณากรอกเลขทะเบียนสมรสตามใบสำคัญการสมรส", "Enter the registration no.")
            return lambda r: events.marriage(me.unit_code, me.cid, subject, known_other(r), reg_no, on)
        relation = Relation.CHILD if self.kind == "birth" else Relation(self.which.currentData())
        return lambda r: events.add_dependent(me.unit_code, me.cid, subject,
                                              NewDependent(known_other(r), relation), on)


class EditDialog(ChangeSetDialog):
    """A draft or a returned change set corrected field by field (app.editing), then kept or sent again."""

    def __init__(self, runner: TaskRunner, register: RegisterStore, me: actions.Me, today: _dt.date, cs: ChangeSet,
                 records: list, parent: QWidget | None = None) -> None:
        super().__init__(runner, register, me, today, tr(f"แก้ไข «{cs.title}»", f"Edit “{cs.title}”"), parent,
                         cs.kind)
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

    def prepare(self) -> Make:
        texts = {key: edit.text() for key, edit in self.edits.items()}
        cs = self.cs
        return lambda register: editing.edited(register, cs, texts)


class UnitDialog(ChangeSetDialog):
    """The unit's basic data (name, level, address, phone, e-mail), changed like any record: through the
    registrar. The code and the province are NHSO's and shown only."""

    FIELDS = (("name", "ชื่อหน่วยงาน", "Name"), ("address", "ที่อยู่", "Address"),
              ("phone", "โทรศัพท์", "Phone"), ("email", "อีเมล", "E-mail"))

    def __init__(self, runner: TaskRunner, register: RegisterStore, me: actions.Me, today: _dt.date,
                 unit: Known[Unit], parent: QWidget | None = None) -> None:
        super().__init__(runner, register, me, today, tr("ข้อมูลพื้นฐานของหน่วยงาน", "The unit's basic data"), parent,
                         "unit")
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

    def prepare(self) -> Make:
        u = self.unit.record
        typed = {name: edit.text().strip() for name, edit in self.edits.items()}
        typed["level"] = str(self.level.currentData())
        changed = {k: v for k, v in typed.items() if v != (u.level.value if k == "level" else getattr(u, k))}
        if not changed:
            raise Refusal("unit.unchanged", "ยังไม่ได้แก้ไขข้อมูลใด", "Nothing has been changed.")
        me, unit = self.me, self.unit
        return lambda _register: events.update_unit(me.cid, unit, **changed)
