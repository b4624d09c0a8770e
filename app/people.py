"""The unit's list of people as the officer narrows it: search text, who they are to the beneficiary,
entitled on a chosen day, and whether a change set about them waits for review or came back.

Also: which people a change set is about (the filters, the review's rule check, and the warning that the
same person is already in another change set all need it)."""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass

from . import changeset as csmod
from .changeset import ChangeSet, ReviewState
from .records import people_of, to_dict
from .rules.entitlement import Relation
from .store.register import PersonRow, RegisterStore


def cids_of(register: RegisterStore, cs: ChangeSet) -> set[str]:
    """Everyone the change set's operations name, in the new values or in the records they change."""
    cids: set[str | None] = set()
    for op in cs.operations:
        if op.record_type == "person":
            cids.add(op.record_id)
        cids.update(people_of(op.record_type, op.fields))
        found = register.get(op.record_type, op.record_id)
        if found is not None:
            cids.update(people_of(op.record_type, to_dict(found.record)))
    cids.discard(None)
    return cids  # type: ignore[return-value]


@dataclass(frozen=True)
class PeopleFilter:
    relation: Relation | None = None       # only the rows with this relation (SELF: the beneficiaries)
    entitled_on: _dt.date | None = None    # only those entitled on that day (the list then shows that day)
    review: ReviewState | None = None      # only people in a change set in this state (pending / returned)

    @property
    def active(self) -> bool:
        return self != PeopleFilter()


def find_people(register: RegisterStore, unit_code: str, today: _dt.date, text: str = "",
                only: PeopleFilter = PeopleFilter()) -> list[PersonRow]:
    """The list the window shows. Entitlement is as of ``only.entitled_on`` when it is set, else today."""
    day = only.entitled_on or today
    rows = register.people(unit_code, day, text)
    if only.relation is not None:
        rows = [r for r in rows if r.relation is only.relation]
    if only.entitled_on is not None:
        rows = [r for r in rows if r.entitled]
    if only.review is not None:
        touched: set[str] = set()
        for cs in register.changesets(unit_code, [only.review]):
            touched |= cids_of(register, cs)
        rows = [r for r in rows if r.cid in touched]
    return rows


def waiting_with(register: RegisterStore, unit_code: str, cids: set[str], other_than: str = "") -> list[ChangeSet]:
    """Change sets not yet settled (draft, pending, approved, returned) that name any of ``cids``: a second
    change set about the same person would meet the first at review or on the server."""
    open_states = [ReviewState.DRAFT, ReviewState.PENDING, ReviewState.APPROVED, ReviewState.RETURNED]
    return [cs for cs in register.changesets(unit_code, open_states)
            if cs.id != other_than and cids & cids_of(register, cs)]


@dataclass(frozen=True)
class Document:
    """A document attached to a change set about someone: what it is, and which change it came with."""
    sha: str
    label: str
    changeset_title: str
    state: ReviewState
    day: _dt.date


def documents_of(register: RegisterStore, unit_code: str, cid: str) -> list[Document]:
    """The documents of every change set (not cancelled) that names ``cid``, newest first. The copy keeps
    change sets as JSON: the citizen ID narrows them in SQL, cids_of decides."""
    rows = register.conn.execute(
        "SELECT data FROM changesets WHERE unit_code = ? AND state != 'cancelled' AND instr(data, ?) > 0 "
        "AND instr(data, '\"evidence\": [\"') > 0", (unit_code, cid)).fetchall()
    out = []
    for (data,) in rows:
        cs = csmod.from_json(json.loads(data))
        if cid not in cids_of(register, cs):
            continue
        for sha, label in cs.labelled_evidence():
            out.append(Document(sha, label, cs.title, cs.state, cs.effective_on or cs.created_at.date()))
    return sorted(out, key=lambda d: d.day, reverse=True)
