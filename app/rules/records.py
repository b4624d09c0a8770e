"""Consistency of the records about some people: the checks a change set must pass.

Each check returns Thai verdicts; the change-set validator runs them over every person the change set
touches, on the records as they would be after it.
"""
from __future__ import annotations

import datetime as _dt
import itertools
from typing import Iterator

from .. import cid as cidmod
from ..domain import EndReason, ParentKind, tables
from ..errors import Refusal, Verdicts
from ..intervals import Interval
from ..thai import format_date_short
from .entitlement import Facts, birth_day

Date = _dt.date


def check_person(facts: Facts, cid: str, today: Date) -> Verdicts:
    v = Verdicts()
    person = facts.persons.get(cid)
    if person is None:
        v.add("person.missing", f"ไม่พบข้อมูลบุคคลเลขประจำตัวประชาชน {cidmod.format_cid(cid)}",
              "The person is not recorded.", subject=cid)
        return v
    try:
        cidmod.validate(cid)
    except Refusal as r:
        v.add(r.code, r.th, r.en, subject=cid)
    if not person.first_th.strip() or not person.last_th.strip():
        v.add("person.name_missing", "กรุณากรอกชื่อและนามสกุลภาษาไทย", "Thai first and last name are required.",
              subject=cid)
    born = birth_day(person)
    if person.birth is not None and born > today:
        v.add("person.born_in_future", f"วันเกิดของ {person.name_th} อยู่ในอนาคต",
              "The birth date is in the future.", subject=cid)
    if person.died_on is not None:
        if person.died_on > today:
            v.add("person.death_in_future", f"วันที่เสียชีวิตของ {person.name_th} อยู่ในอนาคต",
                  "The date of death is in the future.", subject=cid)
        if person.birth is not None and person.died_on < born:
            v.add("person.death_before_birth", "วันที่เสียชีวิตอยู่ก่อนวันเกิด",
                  "The date of death is before the birth date.", subject=cid)
    v.extend(check_employments(facts, cid))
    v.extend(check_marriages(facts, cid))
    v.extend(check_parents(facts, cid))
    v.extend(check_coverages(facts, cid))
    return v


def check_employments(facts: Facts, cid: str) -> Verdicts:
    v = Verdicts()
    person = facts.persons.get(cid)
    name = person.name_th if person else cid
    emps = sorted(facts.employments_of(cid), key=lambda e: e.start)
    for e in emps:
        t = tables().personnel_types.get(e.personnel_type)
        if t is None:
            v.add("employment.type_unknown", f"ไม่รู้จักประเภทบุคลากร «{e.personnel_type}»",
                  "Unknown personnel type.", subject=cid)
        elif not t.eligible:
            v.add("employment.type_ineligible", f"{name}: {t.reason_th}", t.reason_en, subject=cid)
        if e.end is not None and e.end <= e.start:
            v.add("employment.end_before_start",
                  f"วันที่สิ้นสุด ({format_date_short(e.end)}) ต้องอยู่หลังวันที่เริ่ม ({format_date_short(e.start)})",
                  "The end date must be after the start date.", subject=cid)
        if e.end is not None and e.end_reason is None:
            v.add("employment.end_reason_missing", "กรุณาระบุเหตุที่สิ้นสุด (ลาออก ถูกให้ออก เกษียณ ฯลฯ)",
                  "Give the reason the service ended.", subject=cid)
        if person is not None and person.birth is not None and e.start < birth_day(person):
            v.add("employment.before_birth", "วันที่เริ่มปฏิบัติงานอยู่ก่อนวันเกิด",
                  "The start date is before the birth date.", subject=cid)
        if person is not None and person.died_on is not None and e.start >= person.died_on:
            v.add("employment.after_death", f"{name} เสียชีวิตก่อนวันที่เริ่มปฏิบัติงาน",
                  "The person died before the start date.", subject=cid)
        if e.end_reason is EndReason.DEATH and (person is None or person.died_on is None):
            v.add("employment.death_not_recorded", "สิ้นสุดเพราะเสียชีวิต ต้องบันทึกวันที่เสียชีวิตด้วย",
                  "Record the date of death too.", subject=cid)
    for a, b in _overlapping(emps, lambda e: (e.start, e.end)):
        where = "ในหน่วยงานอื่น" if a.unit_code != b.unit_code else "ซ้อนกัน"
        v.add("employment.overlap",
              f"{name} ปฏิบัติงาน{where}ในช่วงเวลาเดียวกัน ({format_date_short(b.start)}) "
              "ต้องบันทึกการโอนย้ายออกหรือการสิ้นสุดของช่วงเดิมก่อน ผู้มีสิทธิจะอยู่สองหน่วยงานพร้อมกันไม่ได้",
              "Service periods overlap; close the earlier one (transfer out) first.", subject=cid)
    return v


def _overlapping(items: list, period) -> Iterator[tuple]:
    """Pairs (earlier, later) whose periods share a day; a period ending before it starts is left to
    its own check."""
    spans = []
    for item in items:
        start, end = period(item)
        if end is None or end > start:
            spans.append((item, Interval(start, end)))
    spans.sort(key=lambda pair: pair[1].start)
    for (a, ia), (b, ib) in itertools.combinations(spans, 2):
        if ia.overlaps(ib):
            yield a, b


def check_marriages(facts: Facts, cid: str) -> Verdicts:
    v = Verdicts()
    marriages = sorted(facts.marriages_of(cid), key=lambda m: m.registered_on)
    for m in marriages:
        if m.a_cid == m.b_cid:
            v.add("marriage.self", "บุคคลสมรสกับตนเองไม่ได้", "A person cannot marry themselves.", subject=cid)
        if not m.registration_no.strip():
            v.add("marriage.registration_missing",
                  "กรุณากรอกเลขทะเบียนสมรส (สิทธิคู่สมรสต้องเป็นการสมรสที่จดทะเบียนตามกฎหมาย)",
                  "The marriage registration number is required.", subject=cid)
        if m.ended_on is not None and m.ended_on < m.registered_on:
            v.add("marriage.end_before_registration", "วันที่หย่าต้องไม่อยู่ก่อนวันจดทะเบียนสมรส",
                  "The divorce date cannot be before the registration date.", subject=cid)
        if m.ended_on is not None and m.end_reason is None:
            v.add("marriage.end_reason_missing", "กรุณาระบุเหตุที่การสมรสสิ้นสุด (หย่าหรือเสียชีวิต)",
                  "Give the reason the marriage ended.", subject=cid)
    for _a, b in _overlapping(marriages, lambda m: (m.registered_on, m.ended_on)):
        v.add("marriage.overlap",
              f"การสมรสวันที่ {format_date_short(b.registered_on)} ซ้อนกับการสมรสเดิมที่ยังไม่สิ้นสุด "
              "ต้องบันทึกการหย่าหรือการสิ้นสุดของการสมรสเดิมก่อน",
              "A registered marriage overlaps one that has not ended.", subject=cid)
    return v


def check_parents(facts: Facts, cid: str) -> Verdicts:
    v = Verdicts()
    child = facts.persons.get(cid)
    legit = [p for p in facts.parent_links(cid) if p.kind is ParentKind.LEGITIMATE]
    if len(legit) > 2:
        v.add("parentage.too_many", "บุตรมีบิดามารดาโดยชอบด้วยกฎหมายได้ไม่เกิน 2 คน",
              "A child has at most two legal parents.", subject=cid)
    for link in facts.parent_links(cid):
        if link.parent_cid == cid:
            v.add("parentage.self", "บุคคลเป็นบิดามารดาของตนเองไม่ได้", "A person cannot be their own parent.",
                  subject=cid)
        parent = facts.persons.get(link.parent_cid)
        if child is not None and parent is not None and child.birth and parent.birth \
                and birth_day(parent) >= birth_day(child):
            v.add("parentage.parent_younger", f"{parent.name_th} เกิดหลังหรือพร้อมกับบุตร",
                  "The parent was born after the child.", subject=cid)
    return v


def check_coverages(facts: Facts, cid: str) -> Verdicts:
    v = Verdicts()
    for c in facts.coverages_of(cid):
        if c.end is not None and c.end <= c.start:
            v.add("coverage.end_before_start", f"{c.scheme.th}: วันที่สิ้นสุดต้องอยู่หลังวันที่เริ่ม",
                  "The coverage must end after it starts.", subject=cid)
    return v



def position_verdicts(fields: dict) -> list:
    """A service a change set starts or corrects names its position (ตำแหน่ง): the registrar and NHSO read who
    the person is in the unit from it. Only a pension (ผู้รับบำนาญ, started by the rules themselves) has none
    to type. ``fields`` are an employment operation's fields; the verdicts are about the field ``position``."""
    if "position" not in fields:
        return []
    if fields.get("start_reason") == "pension" or fields.get("personnel_type") == "pensioner":
        return []
    if str(fields.get("position") or "").strip():
        return []
    return [Refusal("employment.position", "กรุณากรอกตำแหน่งของผู้ปฏิบัติงาน (ตามคำสั่งบรรจุ แต่งตั้ง หรือรับโอน)",
                    "Enter the staff member's position (as in the appointment order).", "position").verdict]
