"""The register of record: applying an approved change set, with the rules of ``app/``, in one transaction.

A base revision that moved answers ``conflict`` with the records as they are now; a change the rules
refuse answers ``invalid`` with the Thai reasons. Otherwise every record is written at its next
revision, its history kept, and the unit's feed told.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Connection

from app.changeset import ChangeSet, Op
from app.records import from_dict, people_of, record_key, to_dict
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


def load_facts(conn: Connection, cids: set[str]) -> Facts:
    """The records about ``cids`` and their close family, as the rules need them."""
    def links(people: set[str]):
        return conn.execute(select(records.c.type, records.c.id, records.c.data).where(and_(
            records.c.type.notin_(("person", "unit")),
            or_(records.c.cid.in_(people), records.c.other_cid.in_(people))))).all()

    def persons(people: set[str]):
        return (data for (data,) in conn.execute(select(records.c.data).where(and_(
            records.c.type == "person", records.c.id.in_(people)))))

    return gather_facts(cids, links, persons)


def apply(conn: Connection, cs: ChangeSet, today: _dt.date) -> Outcome:
    """Check the base revisions, run the rules, write the records. The caller owns the transaction."""
    current: dict[tuple[str, str], tuple[int, dict]] = {}
    for op in cs.operations:
        row = conn.execute(select(records.c.rev, records.c.data).where(and_(
            records.c.type == op.record_type, records.c.id == op.record_id))).first()
        if row is not None:
            current[(op.record_type, op.record_id)] = (row[0], row[1])
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
             for op, found in moved if found is not None])
    touched: set[str] = set()
    for op in cs.operations:
        touched |= _people(op.record_type, op.fields)
        if (op.record_type, op.record_id) in current:
            touched |= _people(op.record_type, current[(op.record_type, op.record_id)][1])
        if op.record_type == "person":
            touched.add(op.record_id)
    facts = load_facts(conn, touched)
    after, verdicts = validate(facts, cs, today)
    if not verdicts.ok:
        return Outcome("invalid", [v.th for v in verdicts.errors])
    at = now()
    for op in cs.operations:
        key = (op.record_type, op.record_id)
        if op.record_type == "unit":
            if op.record_id != cs.unit_code:
                return Outcome("invalid", ["ชุดการเปลี่ยนแปลงนี้แก้ไขข้อมูลของหน่วยงานอื่น"])
            data = to_dict(from_dict("unit", {**(current[key][1] if key in current else {}), **op.fields}))
        else:
            data = to_dict(_find(after, op.record_type, op.record_id))
        rev = current[key][0] + 1 if key in current else 1
        _write(conn, op.record_type, op.record_id, cs.unit_code, data, rev, cs.id, at)
    return Outcome("applied")


def _write(conn: Connection, kind: str, rid: str, unit_code: str, data: dict[str, Any], rev: int,
           changeset_id: str | None, at: _dt.datetime) -> None:
    """One record at revision ``rev``: the record itself, its history, and the unit's feed. A unit's record
    also updates NHSO's register of units, which accounts, mail and statements read."""
    first, second = people_of(kind, data)
    values = dict(unit_code=data.get("unit_code") or unit_code, rev=rev, data=data, cid=first, other_cid=second)
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

