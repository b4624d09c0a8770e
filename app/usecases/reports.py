"""The registrar's reports (รายงาน; seeds 000 §2.1 «ติดตามรายงานผู้มีสิทธิประจำหน่วยงาน»): each a function of the
:class:`Desk` and its parameters that returns an :class:`app.documents.TableDocument` — the same document is
shown on screen, printed (``table_pdf``) and exported (``table_xlsx``).

* :func:`entitled_document` — who is entitled on a date, grouped by beneficiary with their dependents, and the
  counts by personnel type and relation, exactly as the unit's statement counts them (the statement's own
  grouping and counting, app.documents.statement, over the working copy's spans of app.rules.entitlement);
* :func:`upcoming_document` — what changes in the next N days without anyone recording it: children whose
  right ends at 20 (the rules' span ends), retirements due (app/data/retirement.json), other coverage ending,
  children at 20 kept entitled by a court order; each with what the officer should do;
* :func:`changesets_document` — change sets by state and age: pending review too long, returned and not
  resent, drafts, and what the server refused or this PC could not deliver.

A report is described by a :class:`Report` (key, titles, parameters) in :data:`REPORTS`; one more report is
one more entry (its ``build`` takes the desk and the parameters in the order of ``params``).

ReportLab is loaded only when a document is built (on a worker), never by importing this module.
"""
from __future__ import annotations

import datetime as _dt
import importlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..changeset import ReviewState
from ..cid import format_cid
from ..domain import Basis, Coverage, CourtOrder, Employment, OrderKind, Person, Scheme, tables
from ..records import from_dict
from ..rules.entitlement import ADULT_AGE, SSO_CONTINUATION_MONTHS, Relation, add_months, add_years, birth_day
from ..thai import format_date_long, sort_key
from .context import Desk

if TYPE_CHECKING:
    from ..documents.tables import TableDocument

Date = _dt.date
ONE_DAY = _dt.timedelta(days=1)
PENDING_TOO_LONG = 7          # days a change set may wait for review before the report lists it
DEFAULT_DAYS = 90


# --- what a report is ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Report:
    """One report: its key, Thai and English titles, and the parameters it asks for, in the order ``build``
    takes them after the desk: ``"date"`` (a day), ``"days"`` (a number of days ahead), ``"period"`` (a first
    and a last day: two arguments)."""

    key: str
    th: str
    en: str
    params: tuple[str, ...]
    target: str                # "module:function" of app, imported when the report is run
    about_th: str = ""

    @property
    def build(self) -> Callable[..., TableDocument]:
        module, name = self.target.split(":")
        return getattr(importlib.import_module(module, __package__), name)

    def run(self, desk: Desk, values: dict[str, Any]) -> TableDocument:
        """The document, the parameters taken from ``values`` (``date``, ``days``, ``start`` and ``end``)."""
        args: list[Any] = []
        for p in self.params:
            if p == "date":
                args.append(values.get("date") or desk.today)
            elif p == "days":
                args.append(int(values.get("days") or DEFAULT_DAYS))
            elif p == "period":
                args += [values["start"], values["end"]]
            else:
                raise ValueError(f"unknown parameter {p!r}")
        return self.build(desk, *args)


# One more report is one more entry.
REPORTS: list[Report] = [
    Report("entitled", "ผู้มีสิทธิ ณ วันที่", "Entitled on a date", ("date",), ".reports:entitled_document",
           "ผู้มีสิทธิและผู้มีสิทธิร่วมของหน่วยงานในวันที่เลือก พร้อมจำนวนตามประเภทบุคลากรและความสัมพันธ์"),
    Report("upcoming", "การเปลี่ยนแปลงที่จะเกิดขึ้น", "Changes coming", ("days",), ".reports:upcoming_document",
           "สิ่งที่จะเปลี่ยนโดยไม่มีใครบันทึก: บุตรอายุครบ 20 ปี การเกษียณอายุ สิทธิอื่นที่สิ้นสุด"),
    Report("changesets", "ชุดการเปลี่ยนแปลงตามสถานะ", "Change sets by state", (), ".reports:changesets_document",
           "รายการที่รอตรวจนาน ส่งกลับแล้วยังไม่ส่งใหม่ ร่าง และรายการที่ส่งไม่สำเร็จ"),
    Report("certificates", "ทะเบียนคุมหนังสือรับรองสิทธิ", "Certificates issued", ("period",),
           ".certificates:register_document", "หนังสือรับรองสิทธิที่ออกในช่วงวันที่เลือก"),
]


def report(key: str) -> Report:
    return next(r for r in REPORTS if r.key == key)


# --- reading the working copy ------------------------------------------------------------------------------

def _records(desk: Desk, kind: str, unit_code: str | None = None) -> list[Any]:
    sql, args = "SELECT data FROM records WHERE type = ?", [kind]
    if unit_code is not None:
        sql += " AND unit_code = ?"
        args.append(unit_code)
    return [from_dict(kind, json.loads(data)) for (data,) in desk.register.conn.execute(sql, args)]


def _persons(desk: Desk, cids: Iterable[str]) -> dict[str, Person]:
    out: dict[str, Person] = {}
    cids = sorted(set(cids))
    for i in range(0, len(cids), 900):
        chunk = cids[i:i + 900]
        rows = desk.register.conn.execute(
            f"SELECT data FROM records WHERE type = 'person' AND id IN ({','.join('?' * len(chunk))})", chunk)
        for (data,) in rows:
            p = from_dict("person", json.loads(data))
            out[p.cid] = p
    return out


def _unit_line(desk: Desk) -> str:
    found = desk.register.get("unit", desk.register.wc.unit_code)
    if found is None:
        return f"หน่วยงานรหัส {desk.register.wc.unit_code}"
    return f"{found.record.name} จังหวัด{found.record.province}"


def _day(d: Date) -> str:
    return format_date_long(d, digits="arabic")


def _made_line(desk: Desk) -> str:
    return f"พิมพ์เมื่อ {_day(desk.today)} โดย {desk.officer.name}"


# --- a. who is entitled on a date -------------------------------------------------------------------------

def entitled_lines(desk: Desk, day: Date) -> list[dict[str, Any]]:
    """The unit's entitled people on ``day`` as the statement lists them (cid, name, relation, via_cid,
    personnel_type, secondary) — from the working copy's spans — beneficiaries in Thai dictionary order."""
    unit = desk.register.wc.unit_code
    spans = desk.register.entitled_on(unit, day)
    persons = _persons(desk, {s.cid for s in spans})
    lines, seen = [], set()
    for s in spans:
        key = (s.cid, s.relation.value, s.via_cid)
        if key in seen:
            continue
        seen.add(key)
        p = persons.get(s.cid)
        lines.append({"cid": s.cid, "name": p.name_th if p else "", "relation": s.relation.value,
                      "via_cid": s.via_cid, "personnel_type": s.personnel_type, "secondary": s.secondary})
    order = {x["cid"]: sort_key(x["name"]) for x in lines if x["relation"] == "self"}
    lines.sort(key=lambda x: (order.get(x["via_cid"], b""), x["via_cid"], x["relation"] != "self", x["cid"]))
    return lines


def entitled_document(desk: Desk, day: Date) -> TableDocument:
    """ผู้มีสิทธิ ณ วันที่ …: each beneficiary followed by their dependents, then the counts by personnel type
    and by relation — the statement's own grouping and counts (app.documents.statement)."""
    from ..documents.statement import COLUMNS, _groups, counts_table
    from ..documents.tables import Table, TableDocument
    from ..statements import Statement

    lines = entitled_lines(desk, day)
    heads = sum(1 for x in lines if x["relation"] == "self")
    deps = len(lines) - heads
    st = Statement("", day, {"unit_code": desk.register.wc.unit_code, "as_of": day.isoformat(), "people": lines,
                             "counts": {"beneficiaries": heads, "dependents": deps}}, "")
    title = f"ผู้มีสิทธิ ณ วันที่ {_day(day)}"
    totals = ["", f"รวม ผู้มีสิทธิ {heads:,} คน", "", "", f"ผู้มีสิทธิร่วม {deps:,} คน"]
    return TableDocument(
        title=title,
        subtitle=[_unit_line(desk), f"ผู้มีสิทธิ {heads:,} คน ผู้มีสิทธิร่วม {deps:,} คน "
                                    "(จากข้อมูลในเครื่องนี้ ณ การซิงก์ครั้งล่าสุด)", _made_line(desk)],
        table=Table(COLUMNS, _groups(st), totals=totals),
        sheet="ผู้มีสิทธิ",
        after=["จำนวนผู้มีสิทธิและผู้มีสิทธิร่วม", counts_table(st)],
    )


# --- b. what changes in the next N days ---------------------------------------------------------------------

@dataclass(frozen=True)
class RetirementRule:
    age: int
    fiscal_year_end: tuple[int, int]      # (month, day)
    personnel_types: frozenset[str]


@lru_cache(maxsize=1)
def retirement_rule() -> RetirementRule:
    raw = json.loads(resources.files("app").joinpath("data/retirement.json").read_text("utf-8"))
    end = raw["fiscal_year_end"]
    return RetirementRule(int(raw["age"]), (int(end["month"]), int(end["day"])), frozenset(raw["personnel_types"]))


def retirement_day(born: Date, rule: RetirementRule | None = None) -> Date:
    """The last day of service: the end of the fiscal year in which the person reaches the retirement age —
    reached on the day before the birthday's anniversary (born 2 Oct 1966 … 1 Oct 1967 → 30 Sep 2027)."""
    rule = rule or retirement_rule()
    reached = add_years(born, rule.age) - ONE_DAY
    month, day = rule.fiscal_year_end
    end = Date(reached.year, month, day)
    return end if reached <= end else Date(reached.year + 1, month, day)


@dataclass(frozen=True)
class Coming:
    """One thing that will change: who, what, on which day (the last day as it is now), and what to do."""

    day: Date
    cid: str
    name: str
    what: str
    todo: str
    kind: str          # child_20 | retirement | coverage | court_order


def upcoming(desk: Desk, days: int) -> list[Coming]:
    """What changes between today and ``days`` days ahead without anyone recording it (a retirement already
    due and still not recorded is listed too, with the days it is late)."""
    today = desk.today
    last = today + _dt.timedelta(days=days)
    unit = desk.register.wc.unit_code
    out: list[Coming] = []
    spans = desk.register.entitled_on(unit, today)
    staff_of_unit = {s.via_cid for s in spans}
    children = [s for s in spans if s.relation is Relation.CHILD]
    # who they are, their beneficiaries, and the unit's open employments and everyone's coverages and orders
    employments: list[Employment] = [e for e in _records(desk, "employment", unit) if e.end is None]
    coverages: list[Coverage] = _records(desk, "coverage")
    orders: dict[str, list[CourtOrder]] = {}
    for o in _records(desk, "court_order"):
        orders.setdefault(o.cid, []).append(o)
    persons = _persons(desk, {s.cid for s in spans} | {e.cid for e in employments} | {c.cid for c in coverages})

    def name(cid: str) -> str:
        p = persons.get(cid)
        return p.name_th if p else format_cid(cid)

    # children whose right ends at 20: the rules' span ends (the end is the first day without the right); a child
    # of two of the unit's staff is one line naming both
    ends: dict[tuple[str, Date], list[str]] = {}
    for s in children:
        if s.end is None or not (today < s.end <= last + ONE_DAY):
            continue
        if any(o.cid == s.cid and o.via_cid == s.via_cid and o.relation is s.relation and o.start == s.end
               for o in spans):
            continue   # continues (e.g. social security ends and the fund pays first): not an end
        child = persons.get(s.cid)
        if child is None or s.end != add_years(birth_day(child), ADULT_AGE):
            continue
        ends.setdefault((s.cid, s.end), []).append(s.via_cid)
    for (cid, end), via in ends.items():
        out.append(Coming(end - ONE_DAY, cid, name(cid),
                          f"บุตรของ {_both(name, via)} อายุครบ {ADULT_AGE} ปีในวันที่ {_day(end)} "
                          f"สิทธิสิ้นสุดหลังวันที่ {_day(end - ONE_DAY)}",
                          "ไม่ต้องบันทึกการสิ้นสิทธิ (คำนวณตามอายุ) แจ้งผู้มีสิทธิให้ทราบ หากบุตรเป็นคนไร้ความสามารถ"
                          "หรือเสมือนไร้ความสามารถตามคำสั่งศาล ให้บันทึกคำสั่งศาลพร้อมสำเนาก่อนวันดังกล่าว",
                          "child_20"))
    # children at 20 whose right goes on under a court order: nothing ends, but the order must still hold
    kept: dict[tuple[str, Date], list[str]] = {}
    for s in children:
        child = persons.get(s.cid)
        if child is None or s.cid not in orders:
            continue
        turns = add_years(birth_day(child), ADULT_AGE)
        if (today < turns <= last + ONE_DAY) and s.contains(turns):
            kept.setdefault((s.cid, turns), []).append(s.via_cid)
    for (cid, turns), via in kept.items():
        o = max(orders[cid], key=lambda x: x.ordered_on)
        kind = "คนไร้ความสามารถ" if o.kind is OrderKind.INCOMPETENT else "คนเสมือนไร้ความสามารถ"
        out.append(Coming(turns - ONE_DAY, cid, name(cid),
                          f"บุตรของ {_both(name, via)} อายุครบ {ADULT_AGE} ปีในวันที่ {_day(turns)} สิทธิยังคงอยู่"
                          f"ตามคำสั่งศาลเลขที่ {o.order_no} ({kind})",
                          "ไม่ต้องบันทึก ตรวจสอบว่าคำสั่งศาลยังมีผลอยู่ และมีสำเนาคำสั่งแนบไว้ในทะเบียน", "court_order"))
    # retirements due: the end of the fiscal year in which the person reaches the age (app/data/retirement.json)
    rule = retirement_rule()
    retiring: set[str] = set()
    for e in sorted(employments, key=lambda e: e.start):
        if e.personnel_type not in rule.personnel_types or e.cid in retiring:
            continue
        retiring.add(e.cid)
        p = persons.get(e.cid)
        if p is None or p.birth is None or p.died_on is not None:
            continue
        leaves = retirement_day(birth_day(p), rule)
        if leaves > last:
            continue
        late = leaves < today
        t = tables().personnel_types.get(e.personnel_type)
        what = (f"เกษียณอายุราชการ ({t.th if t else e.personnel_type}) สิ้นปีงบประมาณ "
                f"พ.ศ. {leaves.year + 543} วันที่ {_day(leaves)}")
        if late:
            what += " — เลยกำหนดแล้ว ยังไม่ได้บันทึก"
        out.append(Coming(leaves, e.cid, name(e.cid), what,
                          f"บันทึกการเกษียณอายุ (พ้นจากราชการเมื่อสิ้นวันที่ {_day(leaves)}) "
                          "และบันทึกการเริ่มรับบำนาญหรือบำเหน็จรายเดือนถ้ามีสิทธิ", "retirement"))
    # other coverage ending: the day a scheme that comes first (or instead) stops covering the person
    involved = {s.cid for s in spans} | staff_of_unit
    for c in coverages:
        if c.end is None or c.cid not in involved or not (today < c.end <= last + ONE_DAY):
            continue
        if c.scheme is Scheme.PRIVATE_INSURANCE:
            continue   # private insurance changes nothing
        if c.scheme is Scheme.SOCIAL_SECURITY and c.basis is Basis.OWN:
            until = add_months(c.end, SSO_CONTINUATION_MONTHS)
            effect = (f"คุ้มครองต่ออีก {SSO_CONTINUATION_MONTHS} เดือนถึงวันที่ {_day(until - ONE_DAY)} "
                      "จากนั้นกองทุนฯ เป็นสิทธิหลัก")
        elif c.basis is Basis.OWN:
            effect = "จากนั้นอาจเป็นผู้มีสิทธิร่วมของกองทุนฯ ได้"
        else:
            effect = "จากนั้นเบิกจากกองทุนฯ ได้ทางเดียว"
        out.append(Coming(c.end - ONE_DAY, c.cid, name(c.cid),
                          f"{c.scheme.th} สิ้นสุดหลังวันที่ {_day(c.end - ONE_DAY)} {effect}",
                          f"สอบถามเจ้าตัวว่า{c.scheme.th}สิ้นสุดจริงหรือต่ออายุ ถ้าเปลี่ยนให้บันทึกแก้ไขสิทธิการรักษาพยาบาลอื่น",
                          "coverage"))
    out.sort(key=lambda x: (x.day, sort_key(x.name), x.cid))
    return out


def _both(name: Callable[[str], str], cids: list[str]) -> str:
    return " และ ".join(name(c) for c in sorted(set(cids)))


UPCOMING_KIND_TH = {"child_20": "บุตรอายุครบ 20 ปี", "retirement": "เกษียณอายุ", "coverage": "สิทธิอื่นสิ้นสุด",
                    "court_order": "คำสั่งศาล"}


def upcoming_document(desk: Desk, days: int = DEFAULT_DAYS) -> TableDocument:
    """การเปลี่ยนแปลงที่จะเกิดขึ้นใน N วัน: one line each — who, what, on which day, the days left, what to do."""
    from ..documents.tables import Column, Table, TableDocument

    today = desk.today
    found = upcoming(desk, days)
    columns = [Column("ลำดับ", "int", 7, align="center"), Column("ชื่อ–สกุล", "text", 22),
               Column("เลขประจำตัวประชาชน", "cid", 20), Column("เรื่อง", "text", 19),
               Column("รายละเอียด", "text", 38), Column("วันที่", "date", 20),
               Column("อีก (วัน)", "int", 9), Column("สิ่งที่ต้องดำเนินการ", "text", 40)]
    rows = [[i, c.name, c.cid, UPCOMING_KIND_TH[c.kind], c.what, c.day, (c.day - today).days, c.todo]
            for i, c in enumerate(found, start=1)]
    counts = " · ".join(f"{th} {sum(1 for c in found if c.kind == k):,} ราย" for k, th in UPCOMING_KIND_TH.items())
    return TableDocument(
        title=f"การเปลี่ยนแปลงที่จะเกิดขึ้นใน {days:,} วัน ({_day(today)} – {_day(today + _dt.timedelta(days=days))})",
        subtitle=[_unit_line(desk), f"พบ {len(found):,} รายการ: {counts}" if found else
                  "ไม่พบการเปลี่ยนแปลงที่ต้องติดตามในช่วงนี้", _made_line(desk)],
        table=Table(columns, rows),
        landscape=True,
        sheet="การเปลี่ยนแปลงที่จะเกิดขึ้น",
    )


# --- c. change sets by state and age -------------------------------------------------------------------------

@dataclass(frozen=True)
class ChangeSetRow:
    section: str       # pending_long | returned | draft | problem
    title: str
    state_th: str
    author: str
    since: Date        # when it entered the state it is in (created, for a draft)
    age: int           # days since then
    note: str


SECTIONS_TH = {
    "pending_long": f"รอนายทะเบียนตรวจสอบเกิน {PENDING_TOO_LONG} วัน",
    "returned": "ส่งกลับให้แก้ไขแล้ว ยังไม่ได้ส่งใหม่",
    "draft": "ร่างที่ยังไม่ได้ส่ง (ในเครื่องนี้)",
    "problem": "ส่งถึงเซิร์ฟเวอร์กลางไม่สำเร็จ",
}


def changeset_rows(desk: Desk) -> list[ChangeSetRow]:
    today = desk.today
    unit = desk.register.wc.unit_code
    found = desk.register.changesets(unit, [ReviewState.PENDING, ReviewState.RETURNED, ReviewState.DRAFT])
    authors = {cs.author_cid for cs in found}
    people = _persons(desk, authors)

    def author(cid: str) -> str:
        if cid == desk.officer.cid:
            return desk.officer.name
        return people[cid].name_th if cid in people else format_cid(cid)

    def since(cs) -> Date:
        when = cs.history[-1].at if cs.history else cs.created_at
        return when.astimezone().date()

    out: list[ChangeSetRow] = []
    sections = {ReviewState.PENDING: "pending_long", ReviewState.RETURNED: "returned", ReviewState.DRAFT: "draft"}
    for cs in found:
        start = since(cs)
        age = (today - start).days
        section = sections[cs.state]
        if section == "pending_long" and age <= PENDING_TOO_LONG:
            continue
        note = cs.return_reason if cs.state is ReviewState.RETURNED else ""
        out.append(ChangeSetRow(section, cs.title, cs.state.th, author(cs.author_cid), start, age, note))
    by_id = {cs.id: cs for cs in desk.register.changesets(unit)}
    for p in desk.outbox.problems(desk.statements.title_of_confirm):
        cs = by_id.get(p.changeset_id)
        start = since(cs) if cs is not None else today
        retry = "" if p.retry_at is None else " (จะลองส่งอีกครั้งโดยอัตโนมัติ)"
        # a change set pushed is its author's; an approval, a return or a confirmation is this PC's registrar's
        by = author(cs.author_cid) if cs is not None and p.kind == "push" else desk.officer.name
        state = "ส่งไม่สำเร็จ" if p.retry_at is None else "รอส่งอีกครั้ง"
        out.append(ChangeSetRow("problem", p.what_th, state, by, start, (today - start).days, p.reason_th + retry))
    order = list(SECTIONS_TH)
    out.sort(key=lambda r: (order.index(r.section), -r.age, r.title))
    return out


def changesets_document(desk: Desk) -> TableDocument:
    """ชุดการเปลี่ยนแปลงตามสถานะ: a section per state (a group), each change set with its author, the day it
    entered that state and how many days ago, and the return reason or the server's refusal."""
    from ..documents.tables import Column, Group, Table, TableDocument

    rows = changeset_rows(desk)
    columns = [Column("ลำดับ", "int", 7, align="center"), Column("เรื่อง", "text", 44),
               Column("ผู้บันทึก", "text", 22), Column("ตั้งแต่วันที่", "date", 17),
               Column("อายุ (วัน)", "int", 9), Column("เหตุผล/หมายเหตุ", "text", 40)]
    groups, n = [], 0
    for key, th in SECTIONS_TH.items():
        mine = [r for r in rows if r.section == key]
        members = []
        for r in mine:
            n += 1
            members.append([n, r.title, r.author, r.since, r.age, r.note])
        groups.append(Group(["", f"{th} ({len(mine):,} รายการ)", "", None, None, ""] if mine else
                            ["", f"{th}: ไม่มี", "", None, None, ""], members))
    counts = " · ".join(f"{th} {sum(1 for r in rows if r.section == k):,}" for k, th in SECTIONS_TH.items())
    return TableDocument(
        title=f"ชุดการเปลี่ยนแปลงตามสถานะ ณ วันที่ {_day(desk.today)}",
        subtitle=[_unit_line(desk), counts, _made_line(desk)],
        table=Table(columns, groups),
        landscape=True,
        sheet="ชุดการเปลี่ยนแปลง",
    )


def default_name(r: Report, values: dict[str, Any], today: Date, suffix: str) -> str:
    """«ผู้มีสิทธิ ณ วันที่ 2569-11-01.pdf» — the report's title and its date in the Buddhist era, sortable."""
    d = values.get("date") or values.get("end") or today
    extra = f" {int(values.get('days') or DEFAULT_DAYS)} วัน" if "days" in r.params else ""
    return f"{r.th}{extra} {d.year + 543}-{d.month:02d}-{d.day:02d}{suffix}"
