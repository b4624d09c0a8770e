"""A change set against the register: what the records would be after it, and what the rules say.

The desktop shows these verdicts before an officer submits; the server runs the same function before
it applies an approved change set.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from typing import Callable, Iterable

from . import training
from .changeset import ChangeSet, Op, Operation
from .cid import format_cid, is_training
from .domain import UnitLevel
from .errors import Refusal, Verdict, Verdicts
from .records import RECORD_TH, RECORD_TYPES, from_dict, people_of, record_key, to_dict
from .rules.entitlement import Facts, Relation, explain_dependent
from .rules.records import check_person, position_verdicts

_LISTS = Facts.LISTS


def find(facts: Facts, record_type: str, record_id: str):
    if record_type == "person":
        return facts.persons.get(record_id)
    if record_type in _LISTS:
        for r in getattr(facts, _LISTS[record_type]):
            if r.id == record_id:
                return r
    return None


def apply_operations(facts: Facts, operations: list[Operation]) -> Facts:
    """A new :class:`Facts` with the operations applied; ``facts`` itself is left as it was."""
    out = Facts(
        persons=dict(facts.persons),
        employments=list(facts.employments), marriages=list(facts.marriages),
        parentages=list(facts.parentages), coverages=list(facts.coverages), orders=list(facts.orders),
    )
    for op in operations:
        if op.record_type not in RECORD_TYPES:
            raise Refusal("operation.unknown_type", f"ไม่รู้จักประเภทข้อมูล «{op.record_type}»",
                          "Unknown record type.")
        if op.record_type == "unit":
            continue  # unit data does not affect entitlement
        current = find(out, op.record_type, op.record_id)
        if op.op is Op.CREATE:
            if current is not None:
                raise Refusal("operation.exists",
                              f"{RECORD_TH[op.record_type]} รหัส {op.record_id} มีอยู่แล้ว ใช้การแก้ไขแทนการเพิ่ม",
                              "The record already exists.")
            record = from_dict(op.record_type, op.fields)
        else:
            if current is None:
                raise Refusal("operation.missing",
                              f"ไม่พบ{RECORD_TH[op.record_type]} รหัส {op.record_id} ที่จะแก้ไข",
                              "The record to update does not exist.")
            merged = {**to_dict(current), **op.fields}
            record = from_dict(op.record_type, merged)
        if record_key(record) != op.record_id:
            raise Refusal("operation.id_mismatch", "รหัสของข้อมูลไม่ตรงกับรายการ", "Record id mismatch.")
        _put(out, op.record_type, current, record)
    out.reindex()
    return out


def _put(facts: Facts, record_type: str, old, new) -> None:
    if record_type == "person":
        facts.persons[new.cid] = new
        return
    items = getattr(facts, _LISTS[record_type])
    if old is None:
        items.append(new)
    else:
        items[items.index(old)] = new


def gather_facts(cids: set[str], links: Callable[[set[str]], Iterable[tuple[str, str, dict]]],
                 persons: Callable[[set[str]], Iterable[dict]]) -> Facts:
    """The records about ``cids`` and their close family — what the rules need for them — from any store:
    ``links(people)`` yields (type, id, data) of the non-person records naming any of ``people``,
    ``persons(people)`` the person records. Two rounds: the people, then their relatives' own records."""
    facts = Facts()
    seen: set[tuple[str, str]] = set()
    people = set(cids)
    for _round in range(2):
        if not people:
            break
        for kind, rid, data in links(set(people)):
            if (kind, rid) in seen:
                continue
            seen.add((kind, rid))
            facts.add(kind, from_dict(kind, data))
            people.update(c for c in people_of(kind, data) if c)
    for data in persons(people):
        facts.add("person", from_dict("person", data))
    facts.reindex()
    return facts


def touched_cids(facts: Facts, operations: list[Operation]) -> set[str]:
    cids: set[str] = set()
    for op in operations:
        record = find(facts, op.record_type, op.record_id)
        if record is None:
            continue
        for f in dataclasses.fields(record):
            if f.name.endswith("cid"):
                cids.add(getattr(record, f.name))
    return cids


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9 ()\-,/]+$")
_LEVELS = {level.value for level in UnitLevel}


def unit_verdicts(fields: dict) -> list[Verdict]:
    """A unit's basic data as NHSO needs it: a name, a known level, a phone NHSO can call, a working e-mail."""
    out = []
    if "name" in fields and not str(fields["name"]).strip():
        out.append(Refusal("unit.name", "กรุณากรอกชื่อหน่วยงาน", "Enter the unit's name.").verdict)
    if "level" in fields and fields["level"] not in _LEVELS:
        out.append(Refusal("unit.level", "กรุณาเลือกประเภทหน่วยงานจากรายการ", "Choose the unit's level.").verdict)
    phone = str(fields.get("phone", "")).replace("ต่อ", " ").strip()
    if phone and (not _PHONE.match(phone) or sum(ch.isdigit() for ch in phone) < 9):
        out.append(Refusal("unit.phone", "หมายเลขโทรศัพท์ต้องเป็นตัวเลขอย่างน้อย 9 หลัก เช่น 0 4421 1234 หรือ 0 4421 1234 ต่อ 12",
                           "A phone number has at least 9 digits.").verdict)
    email = str(fields.get("email", "")).strip()
    if email and not _EMAIL.match(email):
        out.append(Refusal("unit.email", f"อีเมล «{email}» ไม่ถูกต้อง ตัวอย่างที่ถูกต้อง: saraban@bantest.go.th",
                           "The e-mail address is not valid.").verdict)
    return out


def validate(facts: Facts, cs: ChangeSet, today: _dt.date) -> tuple[Facts, Verdicts]:
    """The register after ``cs`` and every verdict about it (errors block submission and approval)."""
    verdicts = Verdicts()
    try:
        after = apply_operations(facts, cs.operations)
    except Refusal as r:
        verdicts.items.append(r.verdict)
        return facts, verdicts
    for cid in sorted(touched_cids(after, cs.operations)):
        verdicts.extend(check_person(after, cid, today))
    for op in cs.operations:
        if op.record_type == "unit":
            verdicts.items.extend(unit_verdicts(op.fields))
        if op.record_type == "employment":
            verdicts.items.extend(position_verdicts(op.fields))
        if op.record_type == "person" and op.op is Op.CREATE and is_training(op.record_id) \
                and cs.unit_code != training.UNIT.code:
            verdicts.items.append(Refusal(
                "cid.training_only", f"เลขประจำตัวประชาชน {format_cid(op.record_id)} เป็นเลขของข้อมูลฝึกหัด "
                "(ขึ้นต้นด้วย 9) ใช้ได้เฉพาะในหน่วยงานฝึกหัด กรุณาอ่านหรือกรอกเลขจากบัตรประชาชนจริงของบุคคลนี้",
                "A training citizen ID (starting with 9) belongs to the training unit only.").verdict)
    day = cs.effective_on or today
    for claim in cs.claims:
        v = explain_dependent(after, claim.beneficiary_cid, claim.dependent_cid, Relation(claim.relation), day)
        if v is not None:
            verdicts.items.append(dataclasses.replace(v, subject=claim.dependent_cid))
    return after, verdicts

