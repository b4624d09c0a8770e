"""What the registrar and the author read about a change set: the rules' verdicts on it against the local
register, and a field-by-field before/after in Thai."""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from enum import Enum
from typing import Any

from .cid import format_cid
from .changeset import ChangeSet, Op
from .domain import UnitLevel, tables
from .errors import Severity, Verdicts
from .records import RECORD_TH, people_of, to_dict
from .register import validate
from .people import cids_of, waiting_with
from .store.register import RegisterStore
from .thai import PartialDate, format_date_short

FIELD_TH = {
    "cid": "เลขประจำตัวประชาชน", "title_th": "คำนำหน้า", "first_th": "ชื่อ", "middle_th": "ชื่อกลาง",
    "last_th": "นามสกุล", "title_en": "คำนำหน้า (อังกฤษ)", "first_en": "ชื่อ (อังกฤษ)",
    "middle_en": "ชื่อกลาง (อังกฤษ)", "last_en": "นามสกุล (อังกฤษ)", "birth": "วันเกิด", "sex": "เพศ",
    "died_on": "วันที่ถึงแก่กรรม", "address": "ที่อยู่", "unit_code": "รหัสหน่วยงาน",
    "personnel_type": "ประเภทบุคลากร", "start": "วันที่เริ่ม", "position": "ตำแหน่ง",
    "start_reason": "เหตุที่เริ่ม", "end": "วันที่สิ้นสุด", "end_reason": "เหตุที่สิ้นสุด",
    "a_cid": "คู่สมรสฝ่ายที่หนึ่ง", "b_cid": "คู่สมรสฝ่ายที่สอง", "registration_no": "เลขทะเบียนสมรส",
    "registered_on": "วันที่จดทะเบียน", "registered_at": "สถานที่จดทะเบียน", "ended_on": "วันที่สิ้นสุดการสมรส",
    "parent_cid": "บิดาหรือมารดา", "child_cid": "บุตร", "kind": "ประเภท", "scheme": "สิทธิ",
    "basis": "ฐานะ", "order_no": "เลขที่คำสั่ง", "ordered_on": "วันที่มีคำสั่ง",
    "attachment_sha256": "เอกสารแนบ", "code": "รหัส", "name": "ชื่อ", "level": "ประเภทหน่วยงาน",
    "province": "จังหวัด", "phone": "โทรศัพท์", "email": "อีเมล",
    "head_name": "ผู้บริหารที่ลงนามหนังสือ", "head_position": "ตำแหน่งผู้บริหารที่ลงนาม", "reference": "รหัสหนังสือออก",
    "emblem_sha256": "ตราสัญลักษณ์ของหน่วยงาน",
}
_SKIP = {"id"}
_CODED = {
    "sex": {"1": "ชาย", "2": "หญิง"},
    "start_reason": {"hire": "บรรจุใหม่", "transfer_in": "รับโอน", "pension": "เริ่มรับบำนาญ", "elected": "ได้รับเลือกตั้ง"},
    "end_reason": {"resignation": "ลาออก", "dismissal": "ถูกให้ออก", "retirement": "เกษียณอายุ", "death": "เสียชีวิต",
                   "transfer_out": "โอนย้ายออก", "term_ended": "พ้นวาระ", "divorce": "หย่า"},
    "kind": {"legitimate": "บุตรชอบด้วยกฎหมาย", "adoptive": "บุตรบุญธรรม", "not_legitimate": "ไม่ได้จดทะเบียนรับรองบุตร"},
    "level": {level.value: level.th for level in UnitLevel},
    "scheme": {"sso": "ประกันสังคม", "csmbs": "สวัสดิการข้าราชการ (กรมบัญชีกลาง)", "state_enterprise": "รัฐวิสาหกิจ",
               "private": "ประกันสุขภาพเอกชน"},
}


def _birth(text: str) -> str:
    try:
        d = PartialDate.from_iso(text)
    except ValueError:
        return text
    if d.is_complete:
        return format_date_short(d.earliest())
    year = d.year + 543
    return f"ปี พ.ศ. {year} (ไม่ทราบวัน)" if d.month else f"ปี พ.ศ. {year} (ไม่ทราบวันและเดือน)"


@dataclass(frozen=True)
class FieldChange:
    record: str        # Thai name of the record ("ข้อมูลบุคคล นายสมชาย ใจดี")
    field: str         # Thai field name
    before: str        # "" when the record is new
    after: str


def is_iso_date(value: Any) -> bool:
    """A stored date field's value: ``yyyy-mm-dd``."""
    return isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-"


def show_value(name: str, value: Any) -> str:
    """A stored value as a person reads it: BE dates, Thai names of coded values."""
    if value is None or value == "":
        return ""
    if isinstance(value, Enum):
        value = value.value
    if name == "personnel_type":
        t = tables().personnel_types.get(str(value))
        return t.th if t else str(value)
    if name.endswith("sha256"):
        return "ภาพที่แนบ (ดูในเอกสารแนบ)"   # an attached image: the registrar looks at it among the documents
    if name.endswith("cid") and isinstance(value, str) and len(value) == 13 and value.isdigit():
        return format_cid(value)
    if name in _CODED:
        return _CODED[name].get(str(value), str(value))
    if name == "birth":
        return _birth(str(value))
    if is_iso_date(value):
        try:
            return format_date_short(_dt.date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def describe(register: RegisterStore, cs: ChangeSet) -> list[FieldChange]:
    """Every field the change set sets, with what the local register holds now."""
    out: list[FieldChange] = []
    named = {op.record_id: _who(register, "person", op.fields, {}) for op in cs.operations
             if op.record_type == "person"}
    for op in cs.operations:
        found = register.get(op.record_type, op.record_id)
        before = to_dict(found.record) if found else {}
        label = RECORD_TH.get(op.record_type, op.record_type)
        who = _who(register, op.record_type, {**before, **op.fields}, named)
        if who:
            label = f"{label} — {who}"
        for name, value in op.fields.items():
            if name in _SKIP or (op.record_type != "person" and name in ("cid", "unit_code")):
                continue  # the record's heading already names them
            old = show_value(name, before.get(name)) if op.op is not Op.CREATE else ""
            new = show_value(name, value)
            if old == new:
                continue  # unchanged, or an empty field of a new record
            out.append(FieldChange(label, FIELD_TH.get(name, name), old, new))
    return out


def _who(register: RegisterStore, kind: str, data: dict[str, Any], named: dict[str, str]) -> str:
    if kind == "person":
        first, last = data.get("first_th", ""), data.get("last_th", "")
        return f"{data.get('title_th', '')}{first} {last}".strip()
    names = []
    for cid in people_of(kind, data):
        if cid:
            p = None if cid in named else register.person(cid)
            names.append(named.get(cid) or (p.name_th if p else cid))
    return " – ".join(names)


def check(register: RegisterStore, cs: ChangeSet, today: _dt.date) -> Verdicts:
    """The rules on the change set against the local register (the server runs the same on approval), and a
    warning when someone in it is already in another change set not yet settled (recorded twice, or two
    changes that will meet at review)."""
    cids = cids_of(register, cs)
    facts = register.load_facts(cids)
    _after, verdicts = validate(facts, cs, today)
    others = waiting_with(register, cs.unit_code, cids, other_than=cs.id)
    if others:
        first = others[0]
        more_th = f" และอีก {len(others) - 1} รายการ" if len(others) > 1 else ""
        more_en = f" and {len(others) - 1} more" if len(others) > 1 else ""
        verdicts.add("changeset.same_person",
                     f"บุคคลในรายการนี้อยู่ในรายการ «{first.title}» (สถานะ: {first.state.th}){more_th} ด้วย "
                     "กรุณาตรวจสอบว่าไม่ได้บันทึกซ้ำ",
                     f"Someone here is also in “{first.title}” ({first.state.value}){more_en}: check it is not "
                     "recorded twice.", Severity.WARNING)
    return verdicts


def conflict_of(register: RegisterStore, cs: ChangeSet) -> dict | None:
    """For a change set sent back because records moved on: field by field, what the officer saw (base),
    what the change set wanted (ours) and what the register holds now (theirs), from the local history."""
    from .conflicts import compare
    fields = []
    for op in cs.operations:
        if op.op is not Op.UPDATE or op.base_rev is None:
            continue
        found = register.get(op.record_type, op.record_id)
        if found is None or found.rev == op.base_rev:
            continue
        base = dict(register.history(op.record_type, op.record_id)).get(op.base_rev, {})
        for d in compare(op, base, to_dict(found.record)):
            if d.field in _SKIP:
                continue
            fields.append({"field": d.field, "base": show_value(d.field, d.base), "ours": show_value(d.field, d.ours),
                           "theirs": show_value(d.field, d.theirs), "overlapping": d.overlapping})
    return {"fields": fields} if fields else None


def merged(register: RegisterStore, cs: ChangeSet) -> tuple[ChangeSet | None, list[str]]:
    """Our changes that do not overlap theirs, as a new change set against the records as they are now;
    and the Thai names of the fields left for the officer to decide."""
    from .conflicts import merge
    current, bases = {}, {}
    for op in cs.operations:
        found = register.get(op.record_type, op.record_id)
        if found is None or op.base_rev is None:
            continue
        key = (op.record_type, op.record_id)
        current[key] = (found.rev, to_dict(found.record))
        bases[key] = dict(register.history(op.record_type, op.record_id)).get(op.base_rev, {})
    new, left = merge(cs, current, bases)
    return new, [FIELD_TH.get(d.field, d.field) for d in left]
