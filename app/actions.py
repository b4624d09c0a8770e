"""Records "as the officer saw them" — with their server revision — for the guided events (app.events), which
base every update on that revision. (A change set's life on this PC — kept, sent, returned, cancelled, merged,
approved — is the use cases' in app.usecases.)
"""
from __future__ import annotations

import datetime as _dt

from .domain import Employment, Marriage, Person
from .events import Known
from .store.register import RegisterStore

Date = _dt.date


def known(register: RegisterStore, kind: str, rid: str) -> Known | None:
    found = register.get(kind, rid)
    return None if found is None else Known(found.record, found.rev)


def known_person(register: RegisterStore, cid: str) -> Known[Person] | None:
    return known(register, "person", cid)


def open_employment(register: RegisterStore, cid: str, unit_code: str) -> Known[Employment] | None:
    """The person's current service in this unit (no end date), if any."""
    facts = register.load_facts([cid])
    current = [e for e in facts.employments_of(cid) if e.end is None and e.unit_code == unit_code]
    current.sort(key=lambda e: e.start)
    return known(register, "employment", current[-1].id) if current else None


def open_marriages(register: RegisterStore, cid: str) -> list[Known[Marriage]]:
    facts = register.load_facts([cid])
    return [k for m in facts.marriages_of(cid) if m.ended_on is None
            and (k := known(register, "marriage", m.id)) is not None]
