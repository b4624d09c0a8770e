"""Who is entitled, as what, through whom, on which days — derived from the records.

The rules (ระเบียบกระทรวงมหาดไทยว่าด้วยสวัสดิการเกี่ยวกับการรักษาพยาบาลของพนักงานส่วนท้องถิ่น
พ.ศ. 2541 and amendments, as NHSO applies them):

* ผู้มีสิทธิ: a person whose period of service is of an eligible personnel type (table in
  ``app/data/personnel_types.json``), from its start up to its end or death.
* ผู้มีสิทธิร่วม, only while the ผู้มีสิทธิ is entitled, and only in that unit:
  - father and mother who are the legal parents;
  - the legally married spouse, from the registration date up to the divorce date or a death;
  - legitimate children, the first three in birth order counted over all the person's legitimate
    children (when the third child is a twin, every child of that birth counts; a child who died
    before majority frees the slot for the next one; adopted children neither count nor qualify),
    each until the day before the 20th birthday or marriage, or at any age under a court order of
    incompetence or quasi-incompetence.
* Other coverage: a dependent's own right under a state scheme (CSMBS, state enterprise, LGO itself)
  comes first, so they are not a dependent on those days. Social security (with its six months'
  continuation after leaving work) comes first too, but LGO still covers what it does not: those days
  are entitled as *secondary*. Private insurance changes nothing.

Everything here is pure: it takes a :class:`Facts` snapshot and returns spans and verdicts. The
server imports the same functions to check what it receives.
"""
from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable

from ..domain import (
    Basis, CourtOrder, Coverage, Employment, Marriage, Parentage, ParentKind, Person, Scheme, Sex,
    tables,
)
from ..errors import Severity, Verdict
from ..intervals import DaySet, Interval, span
from ..thai import format_date_short

Date = _dt.date
ADULT_AGE = 20
SSO_CONTINUATION_MONTHS = 6
CHILD_SLOTS = 3
STATE_SCHEMES = (Scheme.CSMBS, Scheme.STATE_ENTERPRISE)


class Relation(str, Enum):
    SELF = "self"
    FATHER = "father"
    MOTHER = "mother"
    SPOUSE = "spouse"
    CHILD = "child"

    @property
    def th(self) -> str:
        return {"self": "ผู้มีสิทธิ", "father": "บิดา", "mother": "มารดา", "spouse": "คู่สมรส",
                "child": "บุตร"}[self.value]


@dataclass(frozen=True)
class Span:
    """One stretch of entitlement: ``cid`` is entitled as ``relation`` of ``via_cid``."""

    cid: str
    relation: Relation
    via_cid: str
    unit_code: str
    personnel_type: str
    start: Date
    end: Date | None
    secondary: bool = False  # another scheme (social security) pays first

    def contains(self, day: Date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass
class Facts:
    """The records the rules need, indexed. Build it from the store or from a change set."""

    persons: dict[str, Person] = field(default_factory=dict)
    employments: list[Employment] = field(default_factory=list)
    marriages: list[Marriage] = field(default_factory=list)
    parentages: list[Parentage] = field(default_factory=list)
    coverages: list[Coverage] = field(default_factory=list)
    orders: list[CourtOrder] = field(default_factory=list)

    # record type -> the list of this snapshot that holds it
    LISTS = {"employment": "employments", "marriage": "marriages", "parentage": "parentages",
             "coverage": "coverages", "court_order": "orders"}

    def __post_init__(self) -> None:
        self.reindex()

    def add(self, kind: str, record) -> None:
        """Put a record in (call :meth:`reindex` after adding)."""
        if kind == "person":
            self.persons[record.cid] = record
        else:
            getattr(self, self.LISTS[kind]).append(record)

    def reindex(self) -> None:
        self._emp: dict[str, list[Employment]] = defaultdict(list)
        self._mar: dict[str, list[Marriage]] = defaultdict(list)
        self._kids: dict[str, list[Parentage]] = defaultdict(list)
        self._parents: dict[str, list[Parentage]] = defaultdict(list)
        self._cov: dict[str, list[Coverage]] = defaultdict(list)
        self._ord: dict[str, list[CourtOrder]] = defaultdict(list)
        for e in self.employments:
            self._emp[e.cid].append(e)
        for m in self.marriages:
            self._mar[m.a_cid].append(m)
            self._mar[m.b_cid].append(m)
        for p in self.parentages:
            self._kids[p.parent_cid].append(p)
            self._parents[p.child_cid].append(p)
        for c in self.coverages:
            self._cov[c.cid].append(c)
        for o in self.orders:
            self._ord[o.cid].append(o)

    def employments_of(self, cid: str) -> list[Employment]:
        return self._emp.get(cid, [])

    def marriages_of(self, cid: str) -> list[Marriage]:
        return self._mar.get(cid, [])

    def children_links(self, cid: str) -> list[Parentage]:
        return self._kids.get(cid, [])

    def parent_links(self, cid: str) -> list[Parentage]:
        return self._parents.get(cid, [])

    def coverages_of(self, cid: str) -> list[Coverage]:
        return self._cov.get(cid, [])

    def orders_of(self, cid: str) -> list[CourtOrder]:
        return self._ord.get(cid, [])


# --- dates ----------------------------------------------------------------------------------------

def add_years(day: Date, years: int) -> Date:
    """The same calendar day ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return Date(day.year + years, 3, 1)


def add_months(day: Date, months: int) -> Date:
    """The same day ``months`` later, clamped to the month's last day (31 Mar + 6 → 30 Sep)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for d in range(day.day, 27, -1):
        try:
            return Date(year, month, d)
        except ValueError:
            continue
    return Date(year, month, min(day.day, 28))


def birth_day(person: Person | None) -> Date:
    """The legal birth day; an unknown day or month counts from the first (ป.พ.พ. มาตรา 16)."""
    if person is None or person.birth is None:
        return Date.min
    return person.birth.earliest()


def alive_days(person: Person | None) -> DaySet:
    start = birth_day(person)
    end = person.died_on if person is not None else None
    return span(start, end)


# --- the parts ------------------------------------------------------------------------------------

def is_eligible_type(code: str) -> bool:
    t = tables().personnel_types.get(code)
    return bool(t and t.eligible)


def service_days(facts: Facts, employment: Employment) -> DaySet:
    """Days an employment makes its holder entitled (none for an ineligible personnel type)."""
    if not is_eligible_type(employment.personnel_type):
        return DaySet()
    person = facts.persons.get(employment.cid)
    return span(employment.start, employment.end) & alive_days(person)


def beneficiary_days(facts: Facts, cid: str) -> DaySet:
    out = DaySet()
    for e in facts.employments_of(cid):
        out = out | service_days(facts, e)
    return out


def own_state_right_days(facts: Facts, cid: str) -> DaySet:
    """Days a person has their own right under a state scheme (CSMBS, state enterprise, LGO)."""
    out = beneficiary_days(facts, cid)
    for c in facts.coverages_of(cid):
        if c.scheme in STATE_SCHEMES and c.basis is Basis.OWN:
            out = out | span(c.start, c.end)
    return out


def social_security_days(facts: Facts, cid: str) -> DaySet:
    """Days social security covers the person as the insured, with six months after leaving work."""
    out = DaySet()
    for c in facts.coverages_of(cid):
        if c.scheme is Scheme.SOCIAL_SECURITY and c.basis is Basis.OWN:
            end = None if c.end is None else add_months(c.end, SSO_CONTINUATION_MONTHS)
            out = out | span(c.start, end)
    return out


def spouse_days(facts: Facts, cid: str) -> dict[str, DaySet]:
    out: dict[str, DaySet] = defaultdict(DaySet)
    for m in facts.marriages_of(cid):
        other = m.other(cid)
        days = span(m.registered_on, m.ended_on) & alive_days(facts.persons.get(other))
        out[other] = out[other] | days
    return out


def parent_days(facts: Facts, cid: str) -> dict[str, tuple[Relation, DaySet]]:
    out = {}
    for link in facts.parent_links(cid):
        if link.kind is not ParentKind.LEGITIMATE:
            continue
        parent = facts.persons.get(link.parent_cid)
        relation = parent_relation(parent)
        out[link.parent_cid] = (relation, alive_days(parent))
    return out


def parent_relation(parent: Person | None) -> Relation:
    return Relation.MOTHER if parent is not None and parent.sex is Sex.FEMALE else Relation.FATHER


def legitimate_children(facts: Facts, cid: str) -> list[Person]:
    """The person's legitimate children in birth order (ties by citizen ID, to be stable)."""
    kids = [facts.persons[p.child_cid] for p in facts.children_links(cid)
            if p.kind is ParentKind.LEGITIMATE and p.child_cid in facts.persons]
    return sorted(kids, key=lambda k: (birth_day(k), k.cid))


def died_before_majority(facts: Facts, child: Person) -> bool:
    return child.died_on is not None and minor_days(facts, child).contains(child.died_on)


def minor_days(facts: Facts, child: Person) -> DaySet:
    """From birth to the day before the 20th birthday or the first marriage."""
    born = birth_day(child)
    end = add_years(born, ADULT_AGE)
    for m in facts.marriages_of(child.cid):
        end = min(end, m.registered_on)
    return span(born, end)


def incompetence_days(facts: Facts, child: Person) -> DaySet:
    out = DaySet()
    for o in facts.orders_of(child.cid):
        out = out | span(o.ordered_on)
    return out


def child_slot_days(facts: Facts, parent_cid: str) -> dict[str, DaySet]:
    """For each legitimate child, the days on which they hold one of the three slots.

    The ranking changes only when a child among the counted ones dies before majority, so the
    timeline is cut at those deaths and each piece ranked once.
    """
    kids = legitimate_children(facts, parent_cid)
    if not kids:
        return {}
    frees = sorted({k.died_on for k in kids if k.died_on is not None and died_before_majority(facts, k)})
    cuts = [Date.min, *frees]
    out: dict[str, DaySet] = defaultdict(DaySet)
    for i, cut in enumerate(cuts):
        piece = span(cut, cuts[i + 1] if i + 1 < len(cuts) else None)
        counted = [k for k in kids if not (k.died_on is not None and k.died_on <= cut
                                           and died_before_majority(facts, k))]
        for k in _within_slots(counted):
            out[k.cid] = out[k.cid] | piece
    return out


def _within_slots(ordered: list[Person]) -> list[Person]:
    if len(ordered) <= CHILD_SLOTS:
        return list(ordered)
    last_birth = birth_day(ordered[CHILD_SLOTS - 1])
    return [k for i, k in enumerate(ordered) if i < CHILD_SLOTS or birth_day(k) == last_birth]


def child_days(facts: Facts, parent_cid: str) -> dict[str, DaySet]:
    slots = child_slot_days(facts, parent_cid)
    out = {}
    for kid in legitimate_children(facts, parent_cid):
        qualifying = minor_days(facts, kid) | incompetence_days(facts, kid)
        out[kid.cid] = qualifying & alive_days(kid) & slots.get(kid.cid, DaySet())
    return out


# --- putting it together --------------------------------------------------------------------------

def dependents_days(facts: Facts, cid: str) -> list[tuple[str, Relation, DaySet]]:
    """Each dependent's qualifying days before the beneficiary's own service is applied."""
    out: list[tuple[str, Relation, DaySet]] = []
    for parent, (relation, days) in parent_days(facts, cid).items():
        out.append((parent, relation, days))
    for spouse, days in spouse_days(facts, cid).items():
        out.append((spouse, Relation.SPOUSE, days))
    for kid, days in child_days(facts, cid).items():
        out.append((kid, Relation.CHILD, days))
    return out


def spans_for(facts: Facts, cid: str) -> list[Span]:
    """Every span of entitlement that flows from ``cid``'s service: their own and their dependents'."""
    out: list[Span] = []
    employments = facts.employments_of(cid)
    if not employments:
        return out
    self_sso = social_security_days(facts, cid)
    deps = [(dep, rel, days - own_state_right_days(facts, dep), social_security_days(facts, dep))
            for dep, rel, days in dependents_days(facts, cid)]
    for e in employments:
        served = service_days(facts, e)
        if not served:
            continue
        out.extend(_split(cid, Relation.SELF, cid, e, served, self_sso))
        for dep, rel, days, sso in deps:
            out.extend(_split(dep, rel, cid, e, days & served, sso))
    return out


def _split(cid: str, relation: Relation, via: str, e: Employment, days: DaySet,
           sso: DaySet) -> Iterable[Span]:
    for part, secondary in ((days - sso, False), (days & sso, True)):
        for iv in part:
            yield Span(cid, relation, via, e.unit_code, e.personnel_type, iv.start, iv.end, secondary)


def all_spans(facts: Facts) -> list[Span]:
    spans = []
    for cid in {e.cid for e in facts.employments}:
        spans.extend(spans_for(facts, cid))
    return sorted(spans, key=lambda s: (s.start, s.cid, s.relation.value))


def entitled_on(spans: Iterable[Span], day: Date) -> list[Span]:
    """Who was entitled, as what, on ``day``."""
    return [s for s in spans if s.contains(day)]


# --- explanations ---------------------------------------------------------------------------------

def explain_dependent(facts: Facts, beneficiary: str, dependent: str, relation: Relation,
                      day: Date) -> Verdict | None:
    """Why ``dependent`` is not (or only secondarily) entitled through ``beneficiary`` on ``day``.

    ``None`` means entitled in full. The verdict is an error for "not entitled" and info for
    "entitled, but another scheme pays first".
    """
    person = facts.persons.get(dependent)
    name = person.name_th if person else dependent
    when = format_date_short(day)
    if not beneficiary_days(facts, beneficiary).contains(day):
        return _no("dependent.beneficiary_not_entitled",
                   f"ผู้มีสิทธิหลักไม่มีสิทธิในวันที่ {when} จึงไม่มีผู้มีสิทธิร่วมในวันนั้น",
                   "The main beneficiary is not entitled on that day.")
    if person is not None and person.died_on is not None and person.died_on <= day:
        return _no("dependent.dead", f"{name} เสียชีวิตแล้ว", f"{name} has died.")
    if relation in (Relation.FATHER, Relation.MOTHER):
        verdict = _explain_parent(facts, beneficiary, dependent, name)
    elif relation is Relation.SPOUSE:
        verdict = _explain_spouse(facts, beneficiary, dependent, name, day)
    else:
        verdict = _explain_child(facts, beneficiary, dependent, name, day)
    if verdict is not None:
        return verdict
    if own_state_right_days(facts, dependent).contains(day):
        return _no("dependent.own_state_right",
                   f"{name} มีสิทธิรักษาพยาบาลของรัฐในฐานะผู้มีสิทธิเอง (เช่น สิทธิข้าราชการหรือรัฐวิสาหกิจ) "
                   "ต้องใช้สิทธิของตนเองก่อน จึงไม่เป็นผู้มีสิทธิร่วม",
                   f"{name} has their own state right, which comes first.")
    if social_security_days(facts, dependent).contains(day):
        return Verdict("dependent.sso_first",
                       f"{name} เป็นผู้ประกันตน ต้องใช้สิทธิประกันสังคมก่อน "
                       "กองทุนฯ จ่ายเฉพาะส่วนที่ประกันสังคมไม่คุ้มครอง",
                       f"{name} is insured by social security, which pays first; the fund pays the rest.",
                       Severity.INFO, dependent)
    return None


def _no(code: str, th: str, en: str) -> Verdict:
    return Verdict(code, th, en, Severity.ERROR)


def _explain_parent(facts: Facts, beneficiary: str, parent: str, name: str) -> Verdict | None:
    links = [p for p in facts.parent_links(beneficiary) if p.parent_cid == parent]
    if not links:
        return _no("parent.not_recorded", f"ไม่พบความเป็นบิดา/มารดาของ {name} กับผู้มีสิทธิ",
                   "No parent link is recorded.")
    kind = links[0].kind
    if kind is ParentKind.ADOPTIVE:
        return _no("parent.adoptive", f"{name} เป็นบิดา/มารดาบุญธรรม ซึ่งไม่มีสิทธิตามระเบียบ",
                   "Adoptive parents are not entitled.")
    if kind is ParentKind.NOT_LEGITIMATE:
        return _no("parent.not_legitimate",
                   f"{name} ไม่ใช่บิดาโดยชอบด้วยกฎหมาย (ไม่ได้จดทะเบียนสมรสกับมารดาหรือจดทะเบียนรับรองบุตร)",
                   "Only a legal father is entitled.")
    return None


def _explain_spouse(facts: Facts, beneficiary: str, spouse: str, name: str, day: Date) -> Verdict | None:
    marriages = [m for m in facts.marriages_of(beneficiary) if m.other(beneficiary) == spouse]
    if not marriages:
        return _no("spouse.not_registered", f"ไม่พบการจดทะเบียนสมรสระหว่างผู้มีสิทธิกับ {name}",
                   "No registered marriage is recorded.")
    for m in marriages:
        if Interval(m.registered_on, m.ended_on).contains(day):
            return None
    ended = [m for m in marriages if m.ended_on is not None and m.ended_on <= day]
    if ended:
        m = max(ended, key=lambda x: x.ended_on)
        return _no("spouse.divorced",
                   f"สิทธิของคู่สมรสสิ้นสุดในวันที่ {format_date_short(m.ended_on)} (หย่าหรือการสมรสสิ้นสุด)",
                   "The spouse's right ended with the marriage.")
    return _no("spouse.before_registration", "ยังไม่ได้จดทะเบียนสมรสในวันนั้น",
               "The marriage was not yet registered on that day.")


def _explain_child(facts: Facts, beneficiary: str, child_cid: str, name: str, day: Date) -> Verdict | None:
    links = [p for p in facts.children_links(beneficiary) if p.child_cid == child_cid]
    if links and links[0].kind is ParentKind.ADOPTIVE:
        return _no("child.adopted", f"{name} เป็นบุตรบุญธรรม ซึ่งไม่มีสิทธิและไม่นับลำดับบุตร",
                   "Adopted children are not entitled and are not counted.")
    if not links or links[0].kind is not ParentKind.LEGITIMATE:
        return _no("child.not_legitimate", f"{name} ไม่ใช่บุตรชอบด้วยกฎหมายของผู้มีสิทธิ",
                   "Only legitimate children are entitled.")
    child = facts.persons.get(child_cid)
    if child is None:
        return _no("child.unknown", "ไม่พบข้อมูลบุตร", "The child is not recorded.")
    slots = child_slot_days(facts, beneficiary).get(child_cid, DaySet())
    if not slots.contains(day):
        order = [k.cid for k in legitimate_children(facts, beneficiary)].index(child_cid) + 1
        return _no("child.beyond_third",
                   f"{name} เป็นบุตรคนที่ {order} ตามลำดับการเกิด ระเบียบให้สิทธิเฉพาะบุตรคนที่ 1–3 "
                   "(เว้นแต่บุตรคนที่สามเป็นแฝด หรือบุตรคนก่อนเสียชีวิตก่อนบรรลุนิติภาวะ)",
                   f"{name} is child no. {order} in birth order; only the first three children are entitled.")
    if incompetence_days(facts, child).contains(day):
        return None
    if not minor_days(facts, child).contains(day):
        married = [m for m in facts.marriages_of(child_cid) if m.registered_on <= day]
        if married:
            return _no("child.married", f"{name} สมรสแล้ว จึงบรรลุนิติภาวะและสิ้นสิทธิ",
                       "The child has married and so is no longer entitled.")
        if day >= birth_day(child):
            turned = add_years(birth_day(child), ADULT_AGE)
            return _no("child.age_20",
                       f"{name} อายุครบ 20 ปีในวันที่ {format_date_short(turned)} สิทธิสิ้นสุดในวันนั้น "
                       "(เว้นแต่มีคำสั่งศาลให้เป็นคนไร้ความสามารถหรือเสมือนไร้ความสามารถ)",
                       "The child turned 20; the right ended on the birthday unless a court order exists.")
        return _no("child.not_born", f"{name} ยังไม่เกิดในวันนั้น", "The child was not yet born.")
    return None


def explain_self(facts: Facts, cid: str, day: Date) -> list[Verdict]:
    """What the rules say about a person's own right on ``day``: refusals, other coverage, choices."""
    out: list[Verdict] = []
    person = facts.persons.get(cid)
    name = person.name_th if person else cid
    for e in facts.employments_of(cid):
        t = tables().personnel_types.get(e.personnel_type)
        if t is not None and not t.eligible and Interval(e.start, e.end).contains(day):
            out.append(Verdict("type.ineligible", t.reason_th, t.reason_en, Severity.ERROR, cid))
    active = beneficiary_days(facts, cid).contains(day)
    for c in facts.coverages_of(cid):
        if not Interval(c.start, c.end).contains(day) and not (
                c.scheme is Scheme.SOCIAL_SECURITY and social_security_days(facts, cid).contains(day)):
            continue
        if c.scheme is Scheme.PRIVATE_INSURANCE:
            out.append(Verdict("coverage.private",
                               "ประกันสุขภาพเอกชนไม่กระทบสิทธิในกองทุนฯ", "Private insurance does not affect the right.",
                               Severity.INFO, cid))
        elif c.scheme is Scheme.SOCIAL_SECURITY and active:
            continuing = c.end is not None and day >= c.end
            extra = " (ยังอยู่ในระยะคุ้มครองต่อ 6 เดือนหลังพ้นสภาพลูกจ้าง)" if continuing else ""
            out.append(Verdict("coverage.sso_first",
                               f"{name} ยังมีสิทธิประกันสังคม{extra} ต้องใช้สิทธิประกันสังคมก่อน "
                               "กองทุนฯ จ่ายเฉพาะส่วนที่ไม่ได้รับ",
                               "Social security pays first; the fund pays the rest.", Severity.INFO, cid))
        elif c.scheme in STATE_SCHEMES and c.basis is Basis.OWN and active:
            out.append(Verdict("coverage.choose_one",
                               f"{name} มี{c.scheme.th}ของตนเองด้วย ต้องเลือกใช้สิทธิทางใดทางหนึ่ง "
                               "และแจ้งยกเลิกอีกสิทธิหนึ่ง",
                               "The person has another state right of their own; they must choose one.",
                               Severity.WARNING, cid))
        elif c.scheme in STATE_SCHEMES and c.basis is Basis.FAMILY:
            out.append(Verdict("coverage.family_elsewhere",
                               f"{name} มี{c.scheme.th}ในฐานะบุคคลในครอบครัวของผู้อื่นด้วย "
                               "เบิกได้ทางใดทางหนึ่งเท่านั้น",
                               "Also covered as a family member elsewhere; claim through one scheme only.",
                               Severity.WARNING, cid))
    return out
