"""The guided actions' forms: what the registry officer typed — with the records as they saw them, at their
revisions — as one plain value per action, and one builder per kind that makes the change set from it on the
working copy as it is now. :func:`app.usecases.registry.record` builds and keeps it in one step; a dialog only
reads its widgets into the form (no Qt here: a form is built in a test as easily as in the window).

A new guided action is a form class with its ``kind`` and a builder registered with :func:`builds`."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Iterable, Mapping, NamedTuple

from .. import actions, editing, events
from .. import cid as cidmod
from ..changeset import ChangeSet
from ..domain import (
    Employment, EndReason, Marriage, Officer, ParentKind, Person, Sex, StartReason, Unit, UnitLevel,
)
from ..errors import FieldRefusals, Refusal, Verdict
from ..events import Known, NewDependent
from ..rules.entitlement import Relation
from ..store.register import RegisterStore
from ..rules.entitlement import birth_day
from ..rules.records import position_verdicts
from ..thai import ThaiDateError, parse_birth, parse_date_short

Date = _dt.date


class Named(NamedTuple):
    th: str
    en: str


# The events recorded about someone already in the register, in the order the window offers them (each only to
# the people it concerns: :func:`events_of`).
PERSON_EVENTS: dict[str, Named] = {
    "end": Named("พ้นจากการปฏิบัติงาน (โอนย้ายออก ลาออก ถูกให้ออก เกษียณ)", "End of service"),
    "death": Named("เสียชีวิต", "Death"),
    "marriage": Named("จดทะเบียนสมรส", "Marriage"),
    "child_marriage": Named("บุตรจดทะเบียนสมรส", "A child's marriage"),
    "divorce": Named("จดทะเบียนหย่า", "Divorce"),
    "birth": Named("แจ้งเกิดบุตร / เพิ่มบุตร", "Birth of a child"),
    "parent": Named("เพิ่มบิดาหรือมารดา", "Add a parent"),
}
# Every person event a form exists for: each is offered to the people it concerns.
EVENT_NAMES: dict[str, Named] = PERSON_EVENTS

# Which events the rules accept about a person, by how the person stands in the unit's register (app.events,
# app.register.validate):
# * the beneficiary (ผู้มีสิทธิ): their service ends (an open service in this unit), they die, they marry or
#   divorce, a child is born or adopted, a parent is added — the marriage, the child and the parent are claimed as
#   the beneficiary's dependents, which the rules accept only through an entitled beneficiary;
# * a spouse: dies (the marriage ends with them), or the marriage ends in divorce — the same marriage record;
# * a child: dies, or marries (app.events.child_married: their right as a child ends that day; a beneficiary's
#   marriage would claim the child's spouse as a dependent of the child, which the rules refuse);
# * a father or mother: dies (their marriages are not the unit's to record).
# Someone who is several of these gets every event of each; a beneficiary's own marriage is their marriage as a
# child too (one marriage record ends the child's right), so a beneficiary is not offered the child's marriage.
EVENTS_OF_RELATION: dict[Relation, tuple[str, ...]] = {
    Relation.SELF: ("end", "death", "marriage", "divorce", "birth", "parent"),
    Relation.SPOUSE: ("death", "divorce"),
    Relation.CHILD: ("death", "child_marriage"),
    Relation.FATHER: ("death",),
    Relation.MOTHER: ("death",),
}


def events_of(relations: Iterable[Relation]) -> tuple[str, ...]:
    """The person events (kinds of :data:`PERSON_EVENTS`, in its order) the rules accept about a person who
    stands in the register as each of ``relations`` (none: nothing)."""
    kinds = {kind for relation in relations for kind in EVENTS_OF_RELATION.get(Relation(relation), ())}
    if "marriage" in kinds:
        kinds.discard("child_marriage")
    return tuple(kind for kind in PERSON_EVENTS if kind in kinds)


# How a staff member comes in, and why service ends — as the forms offer them.
HOW_HIRED: dict[StartReason, Named] = {
    StartReason.HIRE: Named("บรรจุใหม่", "New hire"),
    StartReason.TRANSFER_IN: Named("รับโอน", "Transfer in"),
    StartReason.ELECTED: Named("ผู้บริหารเข้ารับตำแหน่ง", "Elected executive"),
}
END_REASONS: tuple[EndReason, ...] = (EndReason.TRANSFER_OUT, EndReason.RESIGNATION, EndReason.DISMISSAL,
                                      EndReason.RETIREMENT, EndReason.TERM_ENDED)
CHILD_KINDS: dict[ParentKind, Named] = {
    ParentKind.LEGITIMATE: Named("บุตรชอบด้วยกฎหมาย", "Legitimate child"),
    ParentKind.ADOPTIVE: Named("บุตรบุญธรรม", "Adopted child"),
}


# --- who a person event is about ---------------------------------------------------------------------

@dataclass(frozen=True)
class Subject:
    """The person an event is about as the officer sees them when the form opens: their record at its
    revision (None: not in this PC's register), their open service in this unit, their open marriages and
    the spouses' names (for choosing which one a divorce ends)."""

    cid: str
    person: Known[Person] | None
    employment: Known[Employment] | None = None
    marriages: tuple[Known[Marriage], ...] = ()
    spouses: tuple[str, ...] = ()

    @property
    def name_th(self) -> str:
        return self.person.record.name_th if self.person is not None else ""

    def known(self) -> Known[Person]:
        if self.person is None:
            raise Refusal("event.unknown", "ไม่พบบุคคลนี้ในทะเบียนของเครื่องนี้", "Not in the local register.")
        return self.person


def subject_of(register: RegisterStore, cid: str, unit_code: str) -> Subject:
    """On the database worker, when a person event's form opens."""
    marriages = actions.open_marriages(register, cid)
    spouses = []
    for m in marriages:
        other = register.person(m.record.other(cid))
        spouses.append(other.name_th if other else m.record.other(cid))
    return Subject(cid, actions.known_person(register, cid), actions.open_employment(register, cid, unit_code),
                   tuple(marriages), tuple(spouses))


class Reading:
    """Reads a form's typed fields one by one and keeps every typing mistake with the field it is on (the
    field's name is the name its widget carries), so the officer sees them all at once, each on its field;
    :meth:`done` raises them together as one :class:`FieldRefusals`."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, Verdict]] = []

    def take(self, name: str, read: Callable[..., Any], *args: Any) -> Any:
        """``read(*args)``, or None with its mistake kept against ``name`` (a FieldRefusals keeps its own)."""
        try:
            return read(*args)
        except FieldRefusals as refused:
            self.problems.extend(refused.problems)
        except Refusal as refused:
            self.problems.append((name, refused.verdict))
        except ThaiDateError as wrong:
            self.problems.append((name, Verdict("date.invalid", str(wrong), "The date cannot be read.",
                                                subject=name)))
        return None

    def refuse(self, name: str, code: str, th: str, en: str = "") -> None:
        self.problems.append((name, Verdict(code, th, en, subject=name)))

    def done(self) -> None:
        if self.problems:
            raise FieldRefusals(self.problems)


def typed_date(text: str, what: str) -> Date:
    """A date typed ``วว/ดด/ปปปป`` (พ.ศ.): Refusal when empty, ThaiDateError when it cannot be read (31/02)."""
    if not text.strip():
        raise Refusal("date.empty", f"กรุณากรอก{what}", f"Enter the {what}.")
    return parse_date_short(text)


def typed_position(text: str) -> str:
    """A service's position as typed; empty is refused by the same rule the register applies
    (:func:`app.rules.records.position_verdicts`, which the server runs on every change set)."""
    position = text.strip()
    for verdict in position_verdicts({"position": position}):
        raise Refusal(verdict.code, verdict.th, verdict.en, verdict.subject)
    return position


def typed_person(typed: Mapping[str, str], sex: Sex | None) -> Person:
    """A person as typed in a form (fields named as :class:`Person`'s, the birth as ``วว/ดด/ปปปป`` with 00 for
    an unknown day or month). Every mistake at once (:class:`FieldRefusals`, each on its field: ``cid``,
    ``first_th``, ``last_th``, ``birth``), in Thai, saying what to fix."""
    text = {name: value.strip() for name, value in typed.items()}
    reading = Reading()
    cid = reading.take("cid", cidmod.validate, typed.get("cid", ""))
    first, last = text.get("first_th", ""), text.get("last_th", "")
    for name, value, th, en in (("first_th", first, "กรุณากรอกชื่อภาษาไทย", "Enter the Thai first name."),
                                ("last_th", last, "กรุณากรอกนามสกุลภาษาไทย", "Enter the Thai surname.")):
        if not value:
            reading.refuse(name, "person.name", th, en)
    birth = reading.take("birth", parse_birth, typed.get("birth", ""))
    if birth is None and not any(name == "birth" for name, _v in reading.problems):
        reading.refuse("birth", "person.birth", "กรุณากรอกวันเกิด (ไม่ทราบวันหรือเดือนให้ใส่ 00)", "Enter the birth date.")
    reading.done()
    return Person(cid, first, last, text.get("title_th", ""), text.get("middle_th", ""), text.get("title_en", ""),
                  text.get("first_en", ""), text.get("middle_en", ""), text.get("last_en", ""), birth, sex, None,
                  text.get("address", ""))


RETIREMENT_AGE = 60   # the usual age of retirement (เกษียณอายุ) for local-government staff


def age_on(person: Person, day: Date) -> int | None:
    """Full years of age on ``day`` (None without a birth date)."""
    if person.birth is None:
        return None
    born = birth_day(person)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def early_retirement_age(subject: Subject, on: Date | None, reason: EndReason | None) -> int | None:
    """The age of someone retiring before :data:`RETIREMENT_AGE` on ``on`` (the form asks whether it is an early
    retirement and reminds of the order); None for any other end of service or a retirement at 60 or later."""
    if reason is not EndReason.RETIREMENT or on is None or subject.person is None:
        return None
    age = age_on(subject.person.record, on)
    return age if age is not None and age < RETIREMENT_AGE else None


def new_dependent(person: Person, relation: Relation, kind: ParentKind = ParentKind.LEGITIMATE,
                  registration_no: str = "", registered_on: Date | None = None) -> NewDependent:
    """A dependent typed for a hire; a spouse comes with the marriage's registration (Refusal without it)."""
    registration_no = registration_no.strip()
    if relation is Relation.SPOUSE and not registration_no:
        raise Refusal("marriage.no", "กรุณากรอกเลขทะเบียนสมรสตามใบสำคัญการสมรส", "Enter the registration no.")
    return NewDependent(person, relation, kind if relation is Relation.CHILD else ParentKind.LEGITIMATE,
                        registration_no, registered_on)


# --- the forms ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hire:
    """บรรจุใหม่ / รับโอน / ผู้บริหารเข้ารับตำแหน่ง, with the family."""

    kind: ClassVar[str] = "hire"
    person: Person
    personnel_type: str
    start: Date
    position: str = ""
    reason: StartReason = StartReason.HIRE
    dependents: tuple[NewDependent, ...] = ()
    from_unit: str = ""          # a transfer-in from another local-government unit: its code


@dataclass(frozen=True)
class EndOfService:
    """พ้นจากการปฏิบัติงาน: ``on`` is the first day without the right."""

    kind: ClassVar[str] = "end"
    subject: Subject
    on: Date
    reason: EndReason
    pension: bool = False


@dataclass(frozen=True)
class Death:
    kind: ClassVar[str] = "death"
    subject: Subject
    on: Date


@dataclass(frozen=True)
class MarriageRegistered:
    """จดทะเบียนสมรส: the spouse as typed (or read from their card)."""

    kind: ClassVar[str] = "marriage"
    subject: Subject
    spouse: Person
    registration_no: str
    on: Date


@dataclass(frozen=True)
class ChildMarried:
    """บุตรจดทะเบียนสมรส: the subject is the child, whose right as a child ends that day."""

    kind: ClassVar[str] = "child_marriage"
    subject: Subject
    spouse: Person
    registration_no: str
    on: Date


@dataclass(frozen=True)
class DivorceRegistered:
    kind: ClassVar[str] = "divorce"
    subject: Subject
    marriage: Known[Marriage] | None     # which of the subject's open marriages
    on: Date


@dataclass(frozen=True)
class Birth:
    """แจ้งเกิดบุตร / เพิ่มบุตร: ``on`` the day it takes effect (the birth, or the adoption)."""

    kind: ClassVar[str] = "birth"
    subject: Subject
    child: Person
    on: Date


@dataclass(frozen=True)
class ParentAdded:
    kind: ClassVar[str] = "parent"
    subject: Subject
    parent: Person
    relation: Relation                   # FATHER or MOTHER
    on: Date


@dataclass(frozen=True)
class Correction:
    """A draft or a returned change set corrected field by field (app.editing): the typed text of each
    (operation index, field name)."""

    kind: ClassVar[str] = "correction"
    changeset: ChangeSet
    texts: dict[tuple[int, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitData:
    """The unit's basic data as typed; the code and the province are NHSO's and not in the form."""

    kind: ClassVar[str] = "unit"
    unit: Known[Unit]
    name: str
    level: UnitLevel
    address: str = ""
    phone: str = ""
    email: str = ""
    head_name: str = ""       # who signs the unit's letters, and as what
    head_position: str = ""
    reference: str = ""       # the prefix of the unit's outgoing numbers (ที่ ขก 52101/…)
    emblem_sha256: str = ""   # a new emblem attached (app.evidence.UNIT_EMBLEM); "": the unit's stays as it is


# --- the builders, by kind ---------------------------------------------------------------------------

Builder = Callable[[RegisterStore, Officer, Any], ChangeSet]
BUILDERS: dict[str, Builder] = {}
FORMS: dict[str, type] = {}


def builds(form: type) -> Callable[[Builder], Builder]:
    """Register the decorated function as the builder of ``form``'s kind."""
    def register(fn: Builder) -> Builder:
        BUILDERS[form.kind] = fn
        FORMS[form.kind] = form
        return fn
    return register


def build(register: RegisterStore, officer: Officer, form: Any) -> ChangeSet:
    """The draft change set the form describes, on the working copy as it is now (database worker)."""
    return BUILDERS[form.kind](register, officer, form)


def _known(register: RegisterStore, person: Person) -> Person | Known[Person]:
    """Someone already in the register is taken as stored, at their revision; a new person as typed."""
    found = register.get("person", person.cid)
    return Known(found[0], found[1]) if found is not None else person


@builds(Hire)
def _hire(register: RegisterStore, officer: Officer, form: Hire) -> ChangeSet:
    # The staff member's typed fields at the stored revision; a dependent already in the register as stored.
    found = register.get("person", form.person.cid)
    who = Known(form.person, found[1]) if found is not None else form.person
    deps = [NewDependent(_known(register, d.person), d.relation, d.kind, d.registration_no, d.registered_on,
                         d.registered_at) if isinstance(d.person, Person) else d for d in form.dependents]
    return events.hire(officer.unit_code, officer.cid, who, form.personnel_type, form.start, form.position,
                       form.reason, deps, from_unit=form.from_unit.strip().upper())


@builds(EndOfService)
def _end(register: RegisterStore, officer: Officer, form: EndOfService) -> ChangeSet:
    person, employment = form.subject.known(), form.subject.employment
    if employment is None:
        raise Refusal("event.no_service", "บุคคลนี้ไม่มีการปฏิบัติงานที่ยังไม่สิ้นสุดในหน่วยงานนี้",
                      "No open service in this unit.")
    return events.end_service(officer.unit_code, officer.cid, person, employment, form.on, form.reason, form.pension)


@builds(Death)
def _death(register: RegisterStore, officer: Officer, form: Death) -> ChangeSet:
    s = form.subject
    jobs = [s.employment] if s.employment is not None else []
    return events.death(officer.unit_code, officer.cid, s.known(), form.on, jobs, list(s.marriages))


def _registration_no(text: str) -> str:
    if not text.strip():
        raise Refusal("marriage.no", "กรุณากรอกเลขทะเบียนสมรสตามใบสำคัญการสมรส", "Enter the registration no.")
    return text.strip()


@builds(MarriageRegistered)
def _marriage(register: RegisterStore, officer: Officer, form: MarriageRegistered) -> ChangeSet:
    subject, reg_no = form.subject.known(), _registration_no(form.registration_no)
    return events.marriage(officer.unit_code, officer.cid, subject, _known(register, form.spouse), reg_no, form.on)


@builds(ChildMarried)
def _child_married(register: RegisterStore, officer: Officer, form: ChildMarried) -> ChangeSet:
    child, reg_no = form.subject.known(), _registration_no(form.registration_no)
    return events.child_married(officer.unit_code, officer.cid, child, _known(register, form.spouse), reg_no,
                                form.on)


@builds(DivorceRegistered)
def _divorce(register: RegisterStore, officer: Officer, form: DivorceRegistered) -> ChangeSet:
    subject = form.subject.known()
    if form.marriage is None:
        raise Refusal("event.no_marriage", "บุคคลนี้ไม่มีการสมรสที่ยังไม่สิ้นสุดในทะเบียน", "No open marriage.")
    return events.divorce(officer.unit_code, officer.cid, form.marriage, form.on, subject.record.name_th)


@builds(Birth)
def _birth(register: RegisterStore, officer: Officer, form: Birth) -> ChangeSet:
    subject = form.subject.known()
    return events.add_dependent(officer.unit_code, officer.cid, subject,
                                NewDependent(_known(register, form.child), Relation.CHILD), form.on)


@builds(ParentAdded)
def _parent(register: RegisterStore, officer: Officer, form: ParentAdded) -> ChangeSet:
    subject = form.subject.known()
    return events.add_dependent(officer.unit_code, officer.cid, subject,
                                NewDependent(_known(register, form.parent), form.relation), form.on)


@builds(Correction)
def _correction(register: RegisterStore, officer: Officer, form: Correction) -> ChangeSet:
    return editing.edited(register, form.changeset, dict(form.texts))


@builds(UnitData)
def _unit(register: RegisterStore, officer: Officer, form: UnitData) -> ChangeSet:
    u = form.unit.record
    typed = {"name": form.name, "level": form.level, "address": form.address, "phone": form.phone,
             "email": form.email, "head_name": " ".join(form.head_name.split()),
             "head_position": " ".join(form.head_position.split()), "reference": " ".join(form.reference.split())}
    if form.emblem_sha256:
        typed["emblem_sha256"] = form.emblem_sha256
    changed = {k: v for k, v in typed.items() if v != getattr(u, k)}
    if not changed:
        raise Refusal("unit.unchanged", "ยังไม่ได้แก้ไขข้อมูลใด", "Nothing has been changed.")
    return events.update_unit(officer.cid, form.unit, **changed)
