"""The registrar's reports (app/usecases/reports.py) over a real SQLCipher working copy: who is entitled on a date
(grouped and counted as the statement does), what changes in the next N days without anyone recording it (a child
turning 20, retirements at the end of the fiscal year of the 60th year, coverage ending, a court order keeping a
child entitled), and change sets by state and age. Each report's PDF read back with pdftotext and its workbook
with openpyxl."""
from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from importlib import resources

import pytest
from openpyxl import load_workbook

from app.changeset import ReviewState
from app.cid import format_cid
from app.documents import table_pdf, table_xlsx, write_file
from app.documents.tables import Group
from app.domain import (
    Basis, CourtOrder, Coverage, Employment, Marriage, Officer, OrderKind, Parentage, Role, Scheme, Sex, Unit,
    UnitLevel,
)
from app.rules.entitlement import Facts, all_spans, entitled_on
from app import events
from app.store.device import DeviceSigner
from app.store.outbox import Kind, Outbox
from app.store.statements import StatementStore
from app.usecases import Desk, registry, review
from app.usecases.reports import (
    REPORTS, RetirementRule, changeset_rows, entitled_lines, report, retirement_day, retirement_rule, upcoming,
)
from tests.builders import new_cid, person

from .pdfcheck import page_texts, squeeze

UNIT = "TRN0001"
REGISTRAR = Officer(new_cid(), "นางสาวนายทะเบียน ทดสอบ", "ปลัด", Role.REGISTRAR, UNIT, "r@example.go.th")
OFFICER = Officer(new_cid(), "นายเจ้าหน้าที่ ทดสอบ", "นักทรัพยากรบุคคล", Role.REGISTRY_OFFICER, UNIT, "o@example.go.th")
NEW_YEAR_2027 = dt.date(2027, 1, 1)


def desk_on(register, officer, day: dt.date) -> Desk:
    """A desk whose today is ``day`` (noon UTC: the same day in every Thai-office time zone)."""
    wc = register.wc
    when = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.timezone.utc)
    return Desk(register, officer, Outbox(wc), StatementStore(wc), DeviceSigner(wc), clock=lambda: when)


class Unit_:
    """The records of a small unit, put into the working copy at revision 1."""

    def __init__(self, register) -> None:
        self.register = register
        self.records: list = [Unit(UNIT, "เทศบาลตำบลทดสอบรายงาน", UnitLevel.SUBDISTRICT, "ขอนแก่น")]
        self.n = 0

    def staff(self, first: str, born: dt.date, ptype="local_official", start=dt.date(2000, 1, 1), end=None,
              sex=Sex.MALE):
        p = person(first=first, last="ทดสอบ", born=born, sex=sex)
        self.n += 1
        self.records += [p, Employment(f"e{self.n}-{p.cid}", p.cid, UNIT, ptype, start, end=end)]
        return p

    def child(self, parent, first: str, born: dt.date):
        kid = person(first=first, last="ทดสอบ", born=born)
        self.records += [kid, Parentage(f"p-{kid.cid}", parent.cid, kid.cid)]
        return kid

    def spouse(self, of, first: str, registered: dt.date):
        s = person(first=first, last="ทดสอบ", born=dt.date(1986, 2, 2), sex=Sex.FEMALE)
        self.records += [s, Marriage(f"m-{s.cid}", of.cid, s.cid, "123/2555", registered)]
        return s

    def put(self) -> None:
        self.register.put([(r, 1) for r in self.records])


@pytest.fixture
def unit(register):
    u = Unit_(register)
    u.retire_late = u.staff("เกษียณปีก่อน", dt.date(1966, 10, 1))        # reaches 60 on 30 Sep 2026: FY 2569
    u.retire_first = u.staff("เกิดสองตุลา", dt.date(1966, 10, 2))        # reaches 60 on 1 Oct 2026: FY 2570
    u.retire_last = u.staff("เกิดหนึ่งตุลา", dt.date(1967, 10, 1))        # reaches 60 on 30 Sep 2027: FY 2570
    u.too_young = u.staff("ยังไม่เกษียณ", dt.date(1967, 10, 2))         # reaches 60 on 1 Oct 2027: FY 2571
    u.contract = u.staff("พนักงานจ้าง", dt.date(1967, 1, 5), ptype="contract_staff")
    u.left = u.staff("ลาออกแล้ว", dt.date(1967, 2, 1), end=dt.date(2020, 1, 1))
    u.pensioner = u.staff("รับบำนาญ", dt.date(1950, 6, 6), ptype="pensioner")
    u.parent = u.staff("พ่อของลูก", dt.date(1980, 5, 1))
    u.wife = u.spouse(u.parent, "ภรรยา", dt.date(2005, 6, 1))
    u.turning_20 = u.child(u.parent, "ลูกคนโต", dt.date(2007, 3, 15))     # last entitled day 14 Mar 2027
    u.younger = u.child(u.parent, "ลูกคนเล็ก", dt.date(2012, 8, 8))
    u.protected = u.child(u.parent, "ลูกคนกลาง", dt.date(2007, 4, 20))    # 20 on 20 Apr 2027, under a court order
    u.records.append(CourtOrder("o1", u.protected.cid, OrderKind.INCOMPETENT, "ผบ 12/2566", dt.date(2023, 5, 1)))
    # the wife's own social security ends 1 Feb 2027 (last day 31 Jan): six months more, then the fund pays first
    u.records.append(Coverage("c1", u.wife.cid, Scheme.SOCIAL_SECURITY, Basis.OWN, dt.date(2015, 1, 1),
                              dt.date(2027, 2, 1)))
    u.put()
    return u


# --- the retirement rule: data, and the worked example ------------------------------------------------------

def test_the_retirement_rule_is_data_and_leaves_out_those_who_do_not_retire():
    raw = json.loads(resources.files("app").joinpath("data/retirement.json").read_text("utf-8"))
    assert raw["age"] == 60 and raw["fiscal_year_end"] == {"month": 9, "day": 30}
    rule = retirement_rule()
    assert {"local_official", "local_teacher", "permanent_employee"} <= rule.personnel_types
    assert not rule.personnel_types & {"contract_staff", "pensioner", "monthly_gratuity", "council_member",
                                       "executive_mayor", "executive_pao", "executive_sao"}


@pytest.mark.parametrize("born, leaves", [
    (dt.date(1966, 10, 2), dt.date(2027, 9, 30)),    # พ.ศ. 2509: the first of the fiscal year 2570's retirees
    (dt.date(1967, 1, 1), dt.date(2027, 9, 30)),
    (dt.date(1967, 10, 1), dt.date(2027, 9, 30)),    # พ.ศ. 2510: 60 on 30 Sep 2027, the last day of that year
    (dt.date(1966, 10, 1), dt.date(2026, 9, 30)),    # 60 on 30 Sep 2026: the year before
    (dt.date(1967, 10, 2), dt.date(2028, 9, 30)),    # 60 on 1 Oct 2027: the year after
    (dt.date(1968, 2, 29), dt.date(2028, 9, 30)),
])
def test_retirement_is_the_end_of_the_fiscal_year_in_which_the_person_reaches_60(born, leaves):
    assert retirement_day(born) == leaves


def test_the_rule_follows_its_data_not_a_constant():
    assert retirement_day(dt.date(1970, 3, 3), RetirementRule(65, (12, 31), frozenset())) == dt.date(2035, 12, 31)


# --- b. what changes in the next N days -----------------------------------------------------------------------

def test_a_child_turning_20_is_listed_on_the_last_entitled_day_in_90_days_but_not_in_30(register, unit):
    desk = desk_on(register, REGISTRAR, NEW_YEAR_2027)
    ninety = [c for c in upcoming(desk, 90) if c.cid == unit.turning_20.cid]
    assert [(c.kind, c.day, (c.day - NEW_YEAR_2027).days) for c in ninety] == [("child_20", dt.date(2027, 3, 14), 72)]
    assert "14 มีนาคม 2570" in ninety[0].what and unit.parent.name_th in ninety[0].what
    assert not [c for c in upcoming(desk, 30) if c.cid == unit.turning_20.cid]
    # the younger child and the one under a court order do not lose their right
    assert not [c for c in upcoming(desk, 400) if c.cid == unit.younger.cid]
    assert [c.kind for c in upcoming(desk, 400) if c.cid == unit.protected.cid] == ["court_order"]


def test_a_child_of_two_of_the_units_staff_is_one_line_naming_both(register):
    u = Unit_(register)
    father = u.staff("พ่อ", dt.date(1975, 1, 1))
    mother = u.staff("แม่", dt.date(1977, 1, 1), ptype="local_teacher", sex=Sex.FEMALE)
    kid = u.child(father, "ลูกคนเดียว", dt.date(2007, 3, 15))
    u.records.append(Parentage(f"p2-{kid.cid}", mother.cid, kid.cid))
    u.put()
    [line] = [c for c in upcoming(desk_on(register, REGISTRAR, NEW_YEAR_2027), 90) if c.cid == kid.cid]
    assert line.day == dt.date(2027, 3, 14) and father.name_th in line.what and mother.name_th in line.what


def test_retirements_due_in_the_window_are_listed_for_open_employments_of_types_that_retire(register, unit):
    desk = desk_on(register, REGISTRAR, dt.date(2027, 7, 15))
    found = {c.cid: c for c in upcoming(desk, 90) if c.kind == "retirement"}
    assert set(found) == {unit.retire_first.cid, unit.retire_last.cid, unit.retire_late.cid}
    assert found[unit.retire_first.cid].day == found[unit.retire_last.cid].day == dt.date(2027, 9, 30)
    assert "30 กันยายน 2570" in found[unit.retire_first.cid].what
    # one whose retirement went by without being recorded is still listed, as late
    assert found[unit.retire_late.cid].day == dt.date(2026, 9, 30) and "เลยกำหนด" in found[unit.retire_late.cid].what
    # a 30-day look from the same day does not reach 30 September
    assert {c.cid for c in upcoming(desk, 30) if c.kind == "retirement"} == {unit.retire_late.cid}


def test_other_coverage_ending_is_listed_with_its_effect(register, unit):
    desk = desk_on(register, REGISTRAR, NEW_YEAR_2027)
    [c] = [c for c in upcoming(desk, 90) if c.kind == "coverage"]
    assert c.cid == unit.wife.cid and c.day == dt.date(2027, 1, 31)
    assert "ประกันสังคม" in c.what and "31 กรกฎาคม 2570" in c.what   # six months' continuation, last day
    assert not [c for c in upcoming(desk, 20) if c.kind == "coverage"]


def test_the_upcoming_document_on_paper_and_in_excel(register, unit, tmp_path):
    desk = desk_on(register, REGISTRAR, NEW_YEAR_2027)
    doc = report("upcoming").run(desk, {"days": 90})
    assert "90 วัน" in doc.title
    pdf = write_file(tmp_path / "upcoming.pdf", table_pdf(doc))
    text = squeeze("".join(page_texts(pdf)))
    for who in (unit.turning_20, unit.wife):
        assert squeeze(who.name_th) in text
    assert squeeze("14 มีนาคม 2570") in text, text
    assert format_cid(unit.turning_20.cid) in text
    wb = load_workbook(io.BytesIO(table_xlsx(doc)))
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    header = rows.index(tuple(c.title for c in doc.table.columns))
    body = rows[header + 1:]
    child = next(r for r in body if r[1] == unit.turning_20.name_th)
    assert child[2] == unit.turning_20.cid and isinstance(child[2], str)
    assert child[5] == dt.datetime(2027, 3, 14) and child[6] == 72


# --- a. who is entitled on a date -----------------------------------------------------------------------------

def facts_of(unit_) -> Facts:
    facts = Facts()
    for r in unit_.records:
        kind = {"Person": "person", "Employment": "employment", "Marriage": "marriage", "Parentage": "parentage",
                "Coverage": "coverage", "CourtOrder": "court_order"}.get(type(r).__name__)
        if kind:
            facts.add(kind, r)
    facts.reindex()
    return facts


def test_entitled_on_a_date_is_what_the_rules_say_grouped_and_counted_as_the_statement(register, unit, tmp_path):
    day = NEW_YEAR_2027
    desk = desk_on(register, REGISTRAR, day)
    oracle = entitled_on(all_spans(facts_of(unit)), day)
    lines = entitled_lines(desk, day)
    assert Counter((x["cid"], x["relation"], x["via_cid"]) for x in lines) == \
        Counter((s.cid, s.relation.value, s.via_cid) for s in oracle)
    assert unit.contract.cid not in {x["cid"] for x in lines} and unit.left.cid not in {x["cid"] for x in lines}
    doc = report("entitled").run(desk, {"date": day})
    heads = [g for g in doc.table.rows if isinstance(g, Group)]
    assert len(heads) == 6                                   # 4 who retire or not, the pensioner, the parent
    family = next(g for g in heads if g.head[2] == unit.parent.cid)
    assert [m[3] for m in family.members] == ["คู่สมรส", "บุตร", "บุตร", "บุตร"]
    counts = {row[0].strip(): row[1] for row in doc.after[1].rows}
    assert counts["ข้าราชการ/พนักงานส่วนท้องถิ่น"] == 5 and counts["ผู้รับบำนาญ"] == 1
    assert counts["คู่สมรส"] == 1 and counts["บุตร"] == 3
    assert doc.after[1].totals[1] == 10
    # the day after the eldest's last day, one child fewer
    later = report("entitled").run(desk, {"date": dt.date(2027, 3, 15)})
    assert {row[0].strip(): row[1] for row in later.after[1].rows}["บุตร"] == 2

    pdf = write_file(tmp_path / "entitled.pdf", table_pdf(doc))
    text = squeeze("".join(page_texts(pdf)))
    order = [text.index(squeeze(p.name_th)) for p in (unit.parent, unit.wife)]
    assert order == sorted(order)                            # the wife right after her husband
    assert squeeze("1 มกราคม 2570") in text and squeeze("ผู้รับบำนาญ") in text
    ws = load_workbook(io.BytesIO(table_xlsx(doc))).active
    cids = [r[2] for r in ws.iter_rows(values_only=True) if r and isinstance(r[2], str) and r[2].isdigit()]
    assert set(cids) == {x["cid"] for x in lines}


# --- c. change sets by state and age --------------------------------------------------------------------------

def test_change_sets_by_state_list_the_long_pending_the_returned_the_drafts_and_the_undelivered(register, unit):
    officer = Desk.of(register, OFFICER)
    registrar = Desk.of(register, REGISTRAR)

    def hire(first: str):
        return events.hire(UNIT, OFFICER.cid, person(first=first, born=dt.date(1995, 1, 1)), "local_official",
                           dt.date(2026, 10, 1), "นักวิเคราะห์")

    waiting = registry.submit(officer, hire("รอนาน")).changeset
    back = registry.submit(officer, hire("ส่งกลับ")).changeset
    review.return_(registrar, back, "กรุณาแนบคำสั่งบรรจุ")
    registry.keep_unsent(officer, hire("ร่างไว้"))
    [item] = [i for i in officer.outbox.due(Kind.PUSH) if i.changeset_id == waiting.id]
    officer.outbox.hold(item.id, "เซิร์ฟเวอร์กลางขัดข้อง")
    today = dt.datetime.now(dt.timezone.utc).astimezone().date()

    soon = changeset_rows(desk_on(register, OFFICER, today + dt.timedelta(days=5)))
    assert "pending_long" not in {r.section for r in soon}          # 5 days is not long yet
    rows = changeset_rows(desk_on(register, OFFICER, today + dt.timedelta(days=10)))
    by = {(r.section, r.title): r for r in rows}
    assert by[("pending_long", waiting.title)].age == 10
    assert by[("pending_long", waiting.title)].author == OFFICER.name
    assert by[("returned", back.title)].note == "กรุณาแนบคำสั่งบรรจุ"
    assert any(s == "draft" for s, _t in by)
    [problem] = [r for r in rows if r.section == "problem"]
    assert waiting.title in problem.title and "เซิร์ฟเวอร์กลางขัดข้อง" in problem.note
    # the registrar's own return that did not reach the server is the registrar's, not the author's
    [item] = [i for i in registrar.outbox.due(Kind.RETURN) if i.changeset_id == back.id]
    registrar.outbox.hold(item.id, "หมดเวลาเชื่อมต่อ")
    [mine] = [r for r in changeset_rows(desk_on(register, REGISTRAR, today)) if r.section == "problem"
              and "หมดเวลาเชื่อมต่อ" in r.note]
    assert mine.author == REGISTRAR.name and back.title in mine.title
    assert ReviewState.APPLIED.value not in {r.section for r in rows}
    doc = report("changesets").run(desk_on(register, OFFICER, today + dt.timedelta(days=10)), {})
    assert [g.head[1].split(" (")[0] for g in doc.table.rows][:2] == ["รอนายทะเบียนตรวจสอบเกิน 7 วัน",
                                                                      "ส่งกลับให้แก้ไขแล้ว ยังไม่ได้ส่งใหม่"]


def test_every_report_is_described_once_with_thai_and_english_titles():
    keys = [r.key for r in REPORTS]
    assert len(keys) == len(set(keys)) and {"entitled", "upcoming", "changesets"} <= set(keys)
    for r in REPORTS:
        assert r.th and r.en and set(r.params) <= {"date", "days", "period"}
        assert callable(r.build)
