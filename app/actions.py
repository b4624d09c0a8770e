"""What the officer's buttons do to change sets, on the local working copy (the sync engine sends them).

The guided events (app.events) need records "as the officer saw them" — with their server revision — so
the functions here find those, and keep a change set's life on this PC: a draft saved, a submission, a
resubmission after a return, a cancellation.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from .changeset import ChangeSet, ReviewState
from .domain import Employment, Marriage, Officer, Person, Role
from .events import Known
from .store.register import RegisterStore

Date = _dt.date


@dataclass(frozen=True)
class Me:
    """The logged-in officer, as the rules of change sets need them."""

    cid: str
    name: str
    role: Role
    unit_code: str
    username: str = ""

    def officer(self) -> Officer:
        return Officer(self.cid, self.name, "", self.role, self.unit_code, self.username)


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


def save_draft(register: RegisterStore, cs: ChangeSet) -> ChangeSet:
    cs.state = ReviewState.DRAFT
    register.save_changeset(cs)
    return cs


def mine(register: RegisterStore, me: Me) -> list[ChangeSet]:
    """The officer's own change sets, newest first."""
    found = [c for c in register.changesets(me.unit_code) if c.author_cid == me.cid]
    found.sort(key=lambda c: c.created_at, reverse=True)
    return found


def to_review(register: RegisterStore, me: Me) -> list[ChangeSet]:
    """What waits for this registrar: pending, by someone else, oldest first."""
    found = [c for c in register.changesets(me.unit_code, [ReviewState.PENDING]) if c.author_cid != me.cid]
    found.sort(key=lambda c: c.created_at)
    return found
