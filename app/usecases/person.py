"""What the window shows about one person: their rights, service, coverages, dependents and documents."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from .. import cid as cidmod
from ..domain import Coverage, Employment, Person, tables
from ..errors import Verdict
from ..people import Document, documents_of
from ..rules.entitlement import Relation, Span, explain_dependent, explain_self, parent_relation
from ..store.certificates import CertificateStore
from ..store.register import RegisterStore
from ..thai import format_date_short

Date = _dt.date


@dataclass
class DependentLine:
    person: Person
    relation: Relation
    spans: list[Span]
    entitled_today: bool
    verdict: Verdict | None  # why not, or what comes first (None: entitled in full)


@dataclass
class PersonDetail:
    person: Person
    spans: list[Span]                     # the person's own rights (as ผู้มีสิทธิ or as a dependent)
    employments: list[Employment]
    coverages: list[Coverage]
    dependents: list[DependentLine] = field(default_factory=list)
    notes: list[Verdict] = field(default_factory=list)  # other coverage explained, refusals
    documents: list[Document] = field(default_factory=list)  # attached to change sets about them
    certificates: list = field(default_factory=list)  # certificates of entitlement issued about them
    #                                                    (app.store.certificates.Certificate), oldest first

    @property
    def relations(self) -> frozenset[Relation]:
        """How the person stands in the register: a beneficiary (any service), and as whom they were ever
        entitled through someone (the spans' relations) — what decides the events recorded about them
        (app.usecases.forms.events_of)."""
        found = {s.relation for s in self.spans}
        if self.employments:
            found.add(Relation.SELF)
        return frozenset(found)


def person_detail(register: RegisterStore, cid: str, today: Date) -> PersonDetail | None:
    facts = register.load_facts([cid])
    person = facts.persons.get(cid)
    if person is None:
        return None
    spans = register.spans_of(cid)
    own = [s for s in spans if s.cid == cid]
    detail = PersonDetail(person, own, sorted(facts.employments_of(cid), key=lambda e: e.start),
                          facts.coverages_of(cid))
    detail.notes = explain_self(facts, cid, today)
    detail.documents = documents_of(register, register.wc.unit_code, cid)
    detail.certificates = CertificateStore(register.wc).of_person(cid)
    candidates: list[tuple[str, Relation]] = []
    for link in facts.parent_links(cid):
        candidates.append((link.parent_cid, parent_relation(facts.persons.get(link.parent_cid))))
    for m in facts.marriages_of(cid):
        candidates.append((m.other(cid), Relation.SPOUSE))
    kids = [link.child_cid for link in facts.children_links(cid)]
    kids.sort(key=lambda c: (facts.persons[c].birth.earliest() if c in facts.persons and facts.persons[c].birth
                             else Date.min, c))
    candidates += [(k, Relation.CHILD) for k in kids]
    seen = set()
    for dep, relation in candidates:
        if (dep, relation) in seen or dep not in facts.persons:
            continue
        seen.add((dep, relation))
        dep_spans = [s for s in spans if s.cid == dep and s.via_cid == cid and s.relation is relation]
        verdict = explain_dependent(facts, cid, dep, relation, today) if facts.employments_of(cid) else None
        entitled = any(s.contains(today) for s in dep_spans)
        detail.dependents.append(DependentLine(facts.persons[dep], relation, dep_spans, entitled, verdict))
    return detail


def describe_span(s: Span) -> str:
    """``ผู้มีสิทธิ (ข้าราชการ/พนักงานส่วนท้องถิ่น) 01/10/2548 – ปัจจุบัน`` for lists and tooltips."""
    t = tables().personnel_types.get(s.personnel_type)
    kind = s.relation.th + (f" ({t.th})" if s.relation is Relation.SELF and t else "")
    end = "ปัจจุบัน" if s.end is None else format_date_short(s.end - _dt.timedelta(days=1))
    extra = " — ใช้สิทธิประกันสังคมก่อน" if s.secondary else ""
    return f"{kind} {format_date_short(s.start)} – {end}{extra}"


def format_cid(cid: str) -> str:
    return cidmod.format_cid(cid)
