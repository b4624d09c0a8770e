"""The registrar's actions on what waits for review (:func:`to_review`): approve (after their card and PIN,
signed on this PC — offline is fine) and return with a reason. One transaction each: approving several is all of them or none."""
from __future__ import annotations

import copy
import datetime as _dt
from typing import Iterable

from .. import changeset as csmod
from ..changeset import ChangeSet, ReviewState
from ..store.outbox import Kind
from .context import Changed, ChangeSetLine, Desk


def to_review(desk: Desk) -> list[ChangeSetLine]:
    """What waits for this registrar: pending, by someone else, oldest first."""
    me = desk.officer
    found = [c for c in desk.register.changesets(me.unit_code, [ReviewState.PENDING]) if c.author_cid != me.cid]
    found.sort(key=lambda c: c.created_at)
    return [ChangeSetLine(cs) for cs in found]


def approve(desk: Desk, chosen: Iterable[ChangeSet], approved_at: _dt.datetime | None = None) -> Changed:
    """Approve each chosen change set and owe the signed approvals to the server."""
    when = approved_at or desk.clock()
    done = []
    for cs in chosen:
        cs = copy.deepcopy(cs)
        cs.approve(desk.officer, at=when)
        done.append(cs)
    # signed before the transaction: a PC's first signature makes its key, in a transaction of its own
    seals = [desk.signer.sign(csmod.canonical_digest(cs)) for cs in done]
    with desk.transaction() as conn:
        for cs, (device_id, signature) in zip(done, seals):
            desk.register.save_changeset_in(conn, cs)
            desk.outbox.owe_in(conn, f"approve:{cs.id}", Kind.APPROVE, cs.id, {
                "changeset_id": cs.id, "device_id": device_id, "approved_at": when.isoformat(),
                "signature": signature})
    return Changed(tuple(done), owed=len(done))


def return_(desk: Desk, cs: ChangeSet, reason: str) -> Changed:
    """Sent back to its author with the reason (required)."""
    cs = copy.deepcopy(cs)
    cs.return_(desk.officer, reason)
    with desk.transaction() as conn:
        desk.register.save_changeset_in(conn, cs)
        desk.outbox.owe_in(conn, f"return:{cs.id}:{len(cs.history)}", Kind.RETURN, cs.id,
                           {"changeset_id": cs.id, "reason": cs.return_reason})
    return Changed((cs,), owed=1)
