"""The register of record: applying an approved change set, with the rules of ``app/``, in one transaction.

A base revision that moved answers ``conflict`` with the records as they are now; a change the rules
refuse answers ``invalid`` with the Thai reasons. Otherwise every record is written at its next
revision, its history kept, and the unit's feed told.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Connection

from app.changeset import ChangeSet, Op, Operation
from app.domain import StartReason
from app.errors import Refusal, Verdicts
from app.records import RECORD_TH, check_fields, from_dict, people_of, record_key, to_dict
from app.register import gather_facts, validate
from app.rules.entitlement import Facts

from .db import feed, record_history, records, units
from .security import now

@dataclass
class Outcome:
    status: str                       # applied | conflict | invalid
    reasons_th: list[str] = field(default_factory=list)
    current: list[dict[str, Any]] = field(default_factory=list)


def _people(kind: str, data: dict) -> set[str]:
    return {c for c in people_of(kind, data) if c}


def load_facts(conn: Connection, cids: set[str], unit_code: str | None = None, keep: set[str] = frozenset()) -> Facts:
    """The records about ``cids`` and their close family, as the rules need them. With ``unit_code``, the
    names of people another unit keeps (other than ``keep``) are left out: the rules need their dates and
    links, not their names, and a rule's reason must not tell a caller who stands behind a citizen ID."""
    def links(people: set[str]):
        return conn.execute(select(records.c.type, records.c.id, records.c.data).where(and_(
            records.c.type.notin_(("person", "unit")),
            or_(records.c.cid.in_(people), records.c.other_cid.in_(people))))).all()

    def persons(people: set[str]):
        for data, owner in conn.execute(select(records.c.data, records.c.unit_code).where(and_(
                records.c.type == "person", records.c.id.in_(people)))):
            if unit_code is not None and owner not in (None, unit_code) and data["cid"] not in keep:
                data = {**data, **{k: "" for k in _NAMES}, "first_th": "บุคคลเลขประจำตัว", "last_th": data["cid"]}
            yield data

    return gather_facts(cids, links, persons)


_NAMES = ("title_th", "first_th", "middle_th", "last_th", "title_en", "first_en", "middle_en", "last_en", "address")


def _load(conn: Connection, cs: ChangeSet) -> dict[tuple[str, str], tuple[int, dict, str]]:
    """(rev, data, owning unit) of every record the change set names that the register has."""
    current = {}
    for op in cs.operations:
        row = conn.execute(select(records.c.rev, records.c.data, records.c.unit_code).where(and_(
            records.c.type == op.record_type, records.c.id == op.record_id))).first()
        if row is not None:
            current[(op.record_type, op.record_id)] = (row[0], row[1], row[2])
    return current


TAKEOVER_KEEPS = ("birth", "sex", "died_on")  # what a transfer-in may not change about the person it takes over


@dataclass
class Scope:
    """What the register holds about a change set: its records as they are now (rev, data, owning unit), who
    keeps each person it names, and the people a transfer-in may take over from the unit it names."""
    current: dict[tuple[str, str], tuple[int, dict, str]]
    keeper: dict[str, str | None]
    taken: set[str] = field(default_factory=set)
    reasons: list[str] = field(default_factory=list)


def named_people(cs: ChangeSet, current: dict) -> set[str]:
    """Every citizen ID the change set's operations and claims name, before and after."""
    cids: set[str] = set()
    for op in cs.operations:
        cids |= _people(op.record_type, op.fields)
        if op.record_type == "person":
            cids.add(op.record_id)
        found = current.get((op.record_type, op.record_id))
        if found is not None:
            cids |= _people(op.record_type, found[1])
    for claim in cs.claims:
        cids |= {claim.beneficiary_cid, claim.dependent_cid}
    return cids


def scope(conn: Connection, cs: ChangeSet) -> Scope:
    current = _load(conn, cs)
    cids = named_people(cs, current)
    keeper: dict[str, str | None] = {}
    if cids:
        keeper = dict(conn.execute(select(records.c.id, records.c.unit_code).where(and_(
            records.c.type == "person", records.c.id.in_(cids)))).all())
    out = Scope(current, keeper)
    if cs.kind == StartReason.TRANSFER_IN.value and cs.from_unit:
        for op in cs.operations:
            if op.record_type == "person" and keeper.get(op.record_id) not in (None, cs.unit_code):
                problem = _takeover_problem(conn, cs, op, current[("person", op.record_id)])
                if problem:
                    out.reasons.append(problem)
                else:
                    out.taken.add(op.record_id)
    return out


def _takeover_problem(conn: Connection, cs: ChangeSet, op: Operation, found: tuple[int, dict, str]) -> str | None:
    """Why a transfer-in may not take this person over, or None. It must name the unit that keeps the person,
    that unit must already have ended the person's service there by a transfer out (the "transfer out" stays
    theirs to record), and it brings the card's names and address — never a new birth date, sex or death."""
    if found[2] != cs.from_unit:
        return (f"บุคคลเลขประจำตัว {op.record_id} ไม่ได้อยู่ในทะเบียนของหน่วยงานเดิมที่ระบุ ({cs.from_unit}) "
                "กรุณาตรวจสอบรหัสหน่วยงานเดิมของผู้ที่รับโอนมา")
    if op.op is not Op.CREATE or any(op.fields.get(k) != found[1].get(k) for k in TAKEOVER_KEEPS):
        return ("การรับโอนแก้ไขวันเกิด เพศ หรือวันที่เสียชีวิตของบุคคลไม่ได้ หากข้อมูลเดิมไม่ถูกต้อง "
                "ให้รับโอนก่อนแล้วบันทึกการแก้ไขแยกต่างหาก")
    services = [data for (data,) in conn.execute(select(records.c.data).where(and_(
        records.c.type == "employment", records.c.cid == op.record_id, records.c.unit_code == cs.from_unit)))]
    if not any(s.get("end_reason") == "transfer_out" for s in services) or any(not s.get("end") for s in services):
        return (f"หน่วยงานเดิม ({cs.from_unit}) ยังไม่ได้บันทึกการโอนย้ายออกของบุคคลเลขประจำตัว {op.record_id} "
                "กรุณาประสานให้หน่วยงานเดิมบันทึกการโอนย้ายออกก่อน แล้วจึงบันทึกการรับโอน")
    return None


def foreign(cs: ChangeSet, sc: Scope) -> list[str]:
    """Why the change set reaches past its own unit, in Thai; empty when it does not. A record belongs to the
    unit that wrote it, and a person to the unit that keeps them. A change set may change only its own unit's
    records, and may create or change records about only its own unit's people or people new to the register
    (a coverage, a marriage or a child written onto another unit's person would change that unit's list); a
    transfer-in may take over the person from the unit it names (:func:`scope`). Nothing of another unit's
    records is said, only that they are not this unit's."""
    reasons = list(sc.reasons)
    ours = lambda cid: sc.keeper.get(cid) in (None, cs.unit_code) or cid in sc.taken  # noqa: E731
    for op in cs.operations:
        label = RECORD_TH.get(op.record_type, op.record_type)
        named = op.fields.get("unit_code") if op.record_type == "employment" else None
        if op.record_type == "unit" and op.record_id != cs.unit_code or named not in (None, cs.unit_code):
            reasons.append(f"{label}นี้ระบุหน่วยงานอื่น หน่วยงานบันทึกได้เฉพาะข้อมูลของหน่วยงานตนเอง")
            continue
        found = sc.current.get((op.record_type, op.record_id))
        if op.record_type == "person":
            if not ours(op.record_id) and not (sc.reasons and cs.kind == StartReason.TRANSFER_IN.value):
                hint = (" หากรับโอนบุคคลนี้มา ให้บันทึกเป็นการรับโอนและระบุหน่วยงานเดิมให้ถูกต้อง"
                        if cs.kind == StartReason.TRANSFER_IN.value or op.op is Op.CREATE else "")
                reasons.append(f"บุคคลเลขประจำตัว {op.record_id} อยู่ในทะเบียนของหน่วยงานอื่น "
                               f"หน่วยงานของท่านจึงแก้ไขข้อมูลของบุคคลนี้ไม่ได้{hint}")
            continue
        if found is not None and found[2] not in (None, cs.unit_code):
            reasons.append(f"{label} รหัส {op.record_id} เป็นข้อมูลของหน่วยงานอื่น หน่วยงานของท่านจึงแก้ไขไม่ได้")
            continue
        people = _people(op.record_type, op.fields) | (_people(op.record_type, found[1]) if found else set())
        for cid in sorted(c for c in people if not ours(c)):
            reasons.append(f"บุคคลเลขประจำตัว {cid} อยู่ในทะเบียนของหน่วยงานอื่น หน่วยงานของท่านจึงบันทึก{label}"
                           "ของบุคคลนี้ไม่ได้ (ให้หน่วยงานที่ดูแลบุคคลนี้เป็นผู้บันทึก)")
    for claim in cs.claims:
        for cid in sorted({claim.beneficiary_cid, claim.dependent_cid}):
            if not ours(cid):
                reasons.append(f"บุคคลเลขประจำตัว {cid} อยู่ในทะเบียนของหน่วยงานอื่น "
                               "จึงขอสิทธิผู้มีสิทธิร่วมผ่านบุคคลนี้ไม่ได้")
    return list(dict.fromkeys(reasons))


def _as_seen(cs: ChangeSet, sc: Scope) -> ChangeSet:
    """The change set as the register reads it: a transfer-in's new person, already in the register under the
    unit it comes from, becomes an update of that record (the card's names and address over the register's)."""
    ops = []
    for op in cs.operations:
        found = sc.current.get((op.record_type, op.record_id))
        if op.record_type == "person" and op.record_id in sc.taken:
            op = Operation(Op.UPDATE, op.record_type, op.record_id, op.fields, found[0])
        ops.append(op)
    return dataclasses.replace(cs, operations=ops)


def malformed(cs: ChangeSet) -> list[str]:
    """The operations whose fields are not a record's fields of the right types (a modified client)."""
    out = []
    for op in cs.operations:
        try:
            check_fields(op.record_type, op.fields, whole=op.op is Op.CREATE)
            if op.op is Op.CREATE:
                if record_key(from_dict(op.record_type, op.fields)) != op.record_id:
                    raise ValueError("the record's id does not match")
            elif op.base_rev is None:
                raise ValueError("an update names the revision it was made against")
        except (ValueError, TypeError):
            out.append(f"รายการ{RECORD_TH.get(op.record_type, op.record_type)} รหัส {op.record_id} "
                       "มีข้อมูลไม่ครบหรือไม่ถูกรูปแบบ กรุณาปรับปรุงโปรแกรมให้เป็นรุ่นล่าสุดแล้วบันทึกใหม่")
    return out


def _verdicts(conn: Connection, cs: ChangeSet, sc: Scope, today: _dt.date):
    touched = named_people(cs, sc.current)
    keep = {op.record_id for op in cs.operations if op.record_type == "person"}  # its own, or taken over
    try:
        return validate(load_facts(conn, touched, cs.unit_code, keep), cs, today)
    except (ValueError, OverflowError, TypeError, KeyError, AttributeError):
        # a value the form checks let through but the rules cannot reckon with (a date near the end of the
        # calendar, say): refused with a reason, never a failure of the server
        return cs, _unreckonable()


def _unreckonable() -> Verdicts:
    verdicts = Verdicts()
    verdicts.items.append(Refusal("changeset.unreckonable",
                                  "ตรวจสอบสิทธิตามหลักเกณฑ์ไม่ได้ เพราะข้อมูลบางช่องไม่อยู่ในช่วงที่เป็นไปได้ "
                                  "(เช่น วันที่ที่ห่างจากปัจจุบันมากผิดปกติ) กรุณาตรวจสอบวันที่ที่กรอก",
                                  "The rules cannot reckon with some value (a date far out of range?).").verdict)
    return verdicts


def _admissible(conn: Connection, cs: ChangeSet) -> tuple[Scope, list[str]]:
    """The change set's scope, and why it may not go in at all (its form, or whose records it touches)."""
    reasons = malformed(cs)
    if reasons:
        return Scope({}, {}), reasons
    sc = scope(conn, cs)
    return sc, foreign(cs, sc)


def check(conn: Connection, cs: ChangeSet, today: _dt.date) -> tuple[str, list[str]]:
    """Everything that would make the change set fail at approval, other than revisions that move meanwhile —
    the push runs it, so an officer hears of it before the registrar does: ("refused", reasons) when it may
    not go in at all, ("invalid", reasons) when the rules refuse it, ("ok", []) otherwise. Reasons in Thai."""
    sc, reasons = _admissible(conn, cs)
    if reasons:
        return "refused", reasons
    _after, verdicts = _verdicts(conn, _as_seen(cs, sc), sc, today)
    return ("invalid", [v.th for v in verdicts.errors]) if not verdicts.ok else ("ok", [])


def apply(conn: Connection, cs: ChangeSet, today: _dt.date) -> Outcome:
    """Check everything first — the operations' form, whose records and people they touch, the base revisions,
    the rules — and only then write every record; a change set that fails any check changes nothing. The
    caller owns the transaction (and holds the unit's lock: :func:`lock_units`)."""
    sc, reasons = _admissible(conn, cs)
    if reasons:
        return Outcome("invalid", reasons)
    current = sc.current
    cs = _as_seen(cs, sc)
    moved = []
    for op in cs.operations:
        found = current.get((op.record_type, op.record_id))
        if op.op is Op.CREATE and found is not None:
            moved.append((op, found))
        elif op.op is Op.UPDATE and (found is None or found[0] != op.base_rev):
            moved.append((op, found))
    if moved:
        return Outcome("conflict", [
            f"ข้อมูล{op.record_type} {op.record_id} ถูกแก้ไขจากที่อื่นแล้ว (ฉบับที่ {found[0] if found else 'ไม่มี'} "
            f"ไม่ใช่ฉบับที่ {op.base_rev}) กรุณาเปรียบเทียบและบันทึกใหม่" for op, found in moved],
            [{"record_type": op.record_type, "key": op.record_id, "rev": found[0], "data": found[1]}
             for op, found in moved if found is not None and found[2] == cs.unit_code])
    after, verdicts = _verdicts(conn, cs, sc, today)
    if not verdicts.ok:
        return Outcome("invalid", [v.th for v in verdicts.errors])
    written = []
    for op in cs.operations:
        key = (op.record_type, op.record_id)
        if op.record_type == "unit":
            data = to_dict(from_dict("unit", {**(current[key][1] if key in current else {}), **op.fields}))
        else:
            data = to_dict(_find(after, op.record_type, op.record_id))
        written.append((op.record_type, op.record_id, data, current[key][0] + 1 if key in current else 1))
    at = now()
    for kind, rid, data, rev in written:
        _write(conn, kind, rid, cs.unit_code, data, rev, cs.id, at)
    return Outcome("applied")


def lock_units(conn: Connection, cs: ChangeSet) -> None:
    """Hold the register of the units a change set can touch (its own, and the unit a transfer-in comes from)
    until the transaction ends, in one order, so two approvals whose rules read the same people run one after
    the other on PostgreSQL (SQLite's write lock already does this)."""
    codes = sorted({cs.unit_code, cs.from_unit} - {""})
    conn.execute(select(units.c.code).where(units.c.code.in_(codes)).order_by(units.c.code).with_for_update())


def _write(conn: Connection, kind: str, rid: str, unit_code: str, data: dict[str, Any], rev: int,
           changeset_id: str | None, at: _dt.datetime) -> None:
    """One record at revision ``rev``: the record itself, its history, and the unit's feed. A unit's record
    also updates NHSO's register of units, which accounts, mail and statements read."""
    first, second = people_of(kind, data)
    values = dict(unit_code=unit_code, rev=rev, data=data, cid=first, other_cid=second)  # the owner: who wrote it
    if rev == 1:
        conn.execute(records.insert().values(type=kind, id=rid, **values))
    else:
        conn.execute(records.update().where(and_(records.c.type == kind, records.c.id == rid)).values(**values))
    conn.execute(record_history.insert().values(type=kind, id=rid, rev=rev, data=data, changeset_id=changeset_id,
                                                at=at))
    conn.execute(feed.insert().values(unit_code=unit_code, kind="record", record_type=kind, key=rid, rev=rev,
                                      data=data, at=at))
    if kind != "unit":
        return
    register = dict(name=data["name"], province=data["province"], rev=rev, data=data)
    if conn.execute(select(units.c.code).where(units.c.code == rid)).first() is None:
        conn.execute(units.insert().values(code=rid, **register))
    else:
        conn.execute(units.update().where(units.c.code == rid).values(**register))


def register_unit(conn: Connection, data: dict[str, Any]) -> bool:
    """A unit's basic data as NHSO registers it: the units table (accounts, mail and statements read it) and
    the unit's own revisioned record, which its PCs sync and its change sets update. False: nothing new."""
    data = to_dict(from_dict("unit", data))
    code = data["code"]
    row = conn.execute(select(records.c.rev, records.c.data).where(and_(
        records.c.type == "unit", records.c.id == code))).first()
    if row is not None and row[1] == data:
        return False
    _write(conn, "unit", code, code, data, row[0] + 1 if row is not None else 1, None, now())
    return True


def _find(facts: Facts, kind: str, rid: str):
    if kind == "person":
        return facts.persons[rid]
    return next(r for r in getattr(facts, Facts.LISTS[kind]) if record_key(r) == rid)

