"""The events of the seeds, each as one change set: hire, transfer, resignation, dismissal, retirement,
death, marriage, divorce, birth, a parent, other coverage, a court order.

Each function returns a *draft* :class:`ChangeSet` whose title says the human action in Thai. Existing
records come with the server revision the officer saw (``Known``), so the change set can be applied
only on top of what was reviewed.
"""
from __future__ import annotations

import datetime as _dt
import uuid
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .changeset import ChangeSet, Claim, Op, Operation
from .domain import (
    Basis, CourtOrder, Coverage, Employment, EndReason, Marriage, MarriageEnd, OrderKind, Parentage,
    ParentKind, Person, Scheme, StartReason, Unit,
)
from .records import record_key, to_dict, type_name
from .rules.entitlement import Relation
from .thai import format_date_short

Date = _dt.date
R = TypeVar("R")


@dataclass
class Known(Generic[R]):
    """A record as the officer saw it, with its server revision."""

    record: R
    rev: int


def new_id() -> str:
    return str(uuid.uuid4())


def _create(record: Any) -> Operation:
    return Operation(Op.CREATE, type_name(record), record_key(record), to_dict(record))


def _update(known: Known, **fields: Any) -> Operation:
    encoded = to_dict(type(known.record)(**{**known.record.__dict__, **fields}))
    changed = {k: encoded[k] for k in fields}
    return Operation(Op.UPDATE, type_name(known.record), record_key(known.record), changed, known.rev)


def _person_op(person: Person | Known[Person]) -> list[Operation]:
    """A new person is created; a known one is left as it is (its own edits are separate)."""
    return [] if isinstance(person, Known) else [_create(person)]


def _cid(person: Person | Known[Person]) -> str:
    return person.record.cid if isinstance(person, Known) else person.cid


def _name(person: Person | Known[Person]) -> str:
    return person.record.name_th if isinstance(person, Known) else person.name_th


@dataclass
class NewDependent:
    """A dependent brought in with a hire or on their own."""

    person: Person | Known[Person]
    relation: Relation
    kind: ParentKind = ParentKind.LEGITIMATE
    registration_no: str = ""      # spouse
    registered_on: Date | None = None
    registered_at: str = ""


def hire(unit_code: str, author_cid: str, person: Person | Known[Person], personnel_type: str,
         start: Date, position: str = "", reason: StartReason = StartReason.HIRE,
         dependents: list[NewDependent] = (), from_unit: str = "") -> ChangeSet:
    """บรรจุใหม่ / รับโอน / ผู้บริหารเข้ารับตำแหน่ง — with the family in the same change set. A transfer-in
    names ``from_unit``, the unit the person comes from."""
    cid = _cid(person)
    ops = _person_op(person)
    ops.append(_create(Employment(new_id(), cid, unit_code, personnel_type, start, position, reason)))
    claims = []
    for dep in dependents:
        ops.extend(_dependent_ops(cid, dep))
        claims.append(Claim(cid, _cid(dep.person), dep.relation.value))
    verb = {StartReason.HIRE: "บรรจุใหม่", StartReason.TRANSFER_IN: "รับโอน",
            StartReason.ELECTED: "เข้ารับตำแหน่ง", StartReason.PENSION: "เริ่มรับบำนาญ"}[reason]
    from_unit = from_unit if reason is StartReason.TRANSFER_IN else ""
    title = f"{verb} {_name(person)}" + (f" จากหน่วยงาน {from_unit}" if from_unit else "") + _family_phrase(dependents)
    return ChangeSet(unit_code, author_cid, title, reason.value, ops, effective_on=start, claims=claims,
                     from_unit=from_unit)


def _family_phrase(dependents: list[NewDependent]) -> str:
    parts = []
    counts = {r: sum(1 for d in dependents if d.relation is r) for r in Relation}
    if counts[Relation.SPOUSE]:
        parts.append("คู่สมรส")
    if counts[Relation.CHILD]:
        parts.append(f"บุตร {counts[Relation.CHILD]} คน")
    parents = counts[Relation.FATHER] + counts[Relation.MOTHER]
    if parents:
        parts.append("บิดามารดา" if parents == 2 else "บิดาหรือมารดา")
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else " ".join(parts[:-1]) + "และ" + parts[-1]
    return " พร้อม" + listed


def _dependent_ops(beneficiary: str, dep: NewDependent) -> list[Operation]:
    ops = _person_op(dep.person)
    cid = _cid(dep.person)
    if dep.relation is Relation.SPOUSE:
        ops.append(_create(Marriage(new_id(), beneficiary, cid, dep.registration_no,
                                    dep.registered_on or Date.today(), dep.registered_at)))
    elif dep.relation is Relation.CHILD:
        ops.append(_create(Parentage(new_id(), beneficiary, cid, dep.kind)))
    elif dep.relation in (Relation.FATHER, Relation.MOTHER):
        ops.append(_create(Parentage(new_id(), cid, beneficiary, dep.kind)))
    return ops


def add_dependent(unit_code: str, author_cid: str, beneficiary: Known[Person], dep: NewDependent,
                  effective_on: Date) -> ChangeSet:
    """เพิ่มผู้มีสิทธิร่วม: a birth, a parent, or a spouse already married before the hire."""
    label = {Relation.CHILD: "แจ้งเกิดบุตร" if dep.kind is ParentKind.LEGITIMATE else "เพิ่มบุตร",
             Relation.SPOUSE: "เพิ่มคู่สมรส", Relation.FATHER: "เพิ่มบิดา", Relation.MOTHER: "เพิ่มมารดา"}
    title = f"{label[dep.relation]} {_name(dep.person)} ของ {beneficiary.record.name_th}"
    claim = Claim(beneficiary.record.cid, _cid(dep.person), dep.relation.value)
    kind = "birth" if dep.relation is Relation.CHILD else f"add_{dep.relation.value}"
    return ChangeSet(unit_code, author_cid, title, kind, _dependent_ops(beneficiary.record.cid, dep),
                     effective_on=effective_on, claims=[claim])


def marriage(unit_code: str, author_cid: str, beneficiary: Known[Person], spouse: Person | Known[Person],
             registration_no: str, registered_on: Date, registered_at: str = "") -> ChangeSet:
    """จดทะเบียนสมรส"""
    dep = NewDependent(spouse, Relation.SPOUSE, registration_no=registration_no,
                       registered_on=registered_on, registered_at=registered_at)
    cs = add_dependent(unit_code, author_cid, beneficiary, dep, registered_on)
    cs.kind = "marriage"
    cs.title = f"จดทะเบียนสมรส {beneficiary.record.name_th} กับ {_name(spouse)}"
    return cs


def child_married(unit_code: str, author_cid: str, child: Known[Person], spouse: Person | Known[Person],
                  registration_no: str, registered_on: Date, registered_at: str = "") -> ChangeSet:
    """บุตรสมรส: marriage makes the child sui juris, so their right as a child ends that day."""
    ops = _person_op(spouse)
    ops.append(_create(Marriage(new_id(), child.record.cid, _cid(spouse), registration_no, registered_on,
                                registered_at)))
    title = f"บุตร {child.record.name_th} จดทะเบียนสมรส สิทธิในฐานะบุตรสิ้นสุดวันที่ {format_date_short(registered_on)}"
    return ChangeSet(unit_code, author_cid, title, "child_marriage", ops, effective_on=registered_on)


def divorce(unit_code: str, author_cid: str, m: Known[Marriage], on: Date, names: str = "") -> ChangeSet:
    """หย่า: the spouse's right ends on the divorce date."""
    op = _update(m, ended_on=on, end_reason=MarriageEnd.DIVORCE)
    title = f"จดทะเบียนหย่า {names}".strip() + f" มีผลวันที่ {format_date_short(on)}"
    return ChangeSet(unit_code, author_cid, title, "divorce", [op], effective_on=on)


_END_TH = {
    EndReason.RESIGNATION: "ลาออก", EndReason.DISMISSAL: "ถูกให้ออก", EndReason.RETIREMENT: "เกษียณอายุ",
    EndReason.TRANSFER_OUT: "โอนย้ายออก", EndReason.TERM_ENDED: "พ้นวาระ", EndReason.DEATH: "เสียชีวิต",
}


def end_service(unit_code: str, author_cid: str, person: Known[Person], employment: Known[Employment],
                on: Date, reason: EndReason, pension: bool = False) -> ChangeSet:
    """ลาออก / ถูกให้ออก / โอนย้ายออก / พ้นวาระ / เกษียณ (with a pension, the right goes on as ผู้รับบำนาญ).

    ``on`` is the first day without the right (the day after the last working day).
    """
    if reason is EndReason.DEATH:
        return death(unit_code, author_cid, person, on, [employment])
    ops = [_update(employment, end=on, end_reason=reason)]
    title = f"{_END_TH[reason]} {person.record.name_th} มีผลวันที่ {format_date_short(on)}"
    if reason is EndReason.RETIREMENT and pension:
        ops.append(_create(Employment(new_id(), person.record.cid, unit_code, "pensioner", on,
                                      "ผู้รับบำนาญ", StartReason.PENSION)))
        title += " และรับบำนาญต่อ"
    return ChangeSet(unit_code, author_cid, title, reason.value, ops, effective_on=on)


def death(unit_code: str, author_cid: str, person: Known[Person], died_on: Date,
          open_employments: list[Known[Employment]], open_marriages: list[Known[Marriage]] = ()) -> ChangeSet:
    """เสียชีวิต: the person's service and marriages end that day; their dependents' rights with them."""
    ops = [_update(person, died_on=died_on)]
    ops += [_update(e, end=died_on, end_reason=EndReason.DEATH) for e in open_employments]
    ops += [_update(m, ended_on=died_on, end_reason=MarriageEnd.DEATH) for m in open_marriages]
    title = f"เสียชีวิต {person.record.name_th} วันที่ {format_date_short(died_on)}"
    return ChangeSet(unit_code, author_cid, title, "death", ops, effective_on=died_on)


def add_coverage(unit_code: str, author_cid: str, person: Known[Person], scheme: Scheme, basis: Basis,
                 start: Date, end: Date | None = None) -> ChangeSet:
    """บันทึกสิทธิการรักษาพยาบาลอื่น"""
    op = _create(Coverage(new_id(), person.record.cid, scheme, basis, start, end))
    title = f"บันทึก{scheme.th}ของ {person.record.name_th}"
    return ChangeSet(unit_code, author_cid, title, "coverage", [op], effective_on=start)


def court_order(unit_code: str, author_cid: str, beneficiary: Known[Person], child: Known[Person],
                kind: OrderKind, order_no: str, ordered_on: Date, attachment_sha256: str) -> ChangeSet:
    """คำสั่งศาลให้บุตรเป็นคนไร้ความสามารถ/เสมือนไร้ความสามารถ: the child stays entitled past 20."""
    op = _create(CourtOrder(new_id(), child.record.cid, kind, order_no, ordered_on, attachment_sha256))
    title = f"บันทึกคำสั่งศาลของ {child.record.name_th}"
    cs = ChangeSet(unit_code, author_cid, title, "court_order", [op], effective_on=ordered_on,
                   claims=[Claim(beneficiary.record.cid, child.record.cid, Relation.CHILD.value)])
    if attachment_sha256:
        cs.evidence.append(attachment_sha256)
    return cs


def update_unit(author_cid: str, unit: Known[Unit], **fields: Any) -> ChangeSet:
    """ปรับปรุงข้อมูลพื้นฐานหน่วยงาน"""
    op = _update(unit, **fields)
    return ChangeSet(unit.record.code, author_cid, f"ปรับปรุงข้อมูลหน่วยงาน {unit.record.name}", "unit", [op])


def correct(unit_code: str, author_cid: str, known: Known, title: str, **fields: Any) -> ChangeSet:
    """แก้ไขข้อมูล: a correction of some fields of one record (a misspelt name, a position, a date)."""
    return ChangeSet(unit_code, author_cid, title, "correction", [_update(known, **fields)])
