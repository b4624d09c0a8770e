"""The registry officer's actions on change sets: a guided action's result kept as a draft or sent for review,
a returned one sent again, cancelled, or merged with what changed meanwhile — and what the officer's tab lists
(:func:`my_work`) and the unit-data form edits (:func:`unit_data`). Each is one transaction: the
change set and what is owed to the server about it are kept together or not at all, and the caller's own
copy of the change set is never changed (a refusal leaves the officer's work as it was)."""
from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
from typing import Any, Iterable

from .. import changeset as csmod
from .. import review
from ..actions import known
from ..changeset import ChangeSet, ReviewState
from ..domain import Officer, Unit
from ..errors import Refusal
from ..events import Known
from ..store.outbox import Kind
from ..store.register import RegisterStore
from . import forms
from .context import Changed, ChangeSetLine, Desk

def owe_push_in(conn, desk: Desk, cs: ChangeSet) -> None:
    """Keep the change set and owe its newest step to the server (one item per step of its history)."""
    desk.register.save_changeset_in(conn, cs)
    desk.outbox.owe_in(conn, f"push:{cs.id}:{len(cs.history)}", Kind.PUSH, cs.id, csmod.to_json(cs))


def record(desk: Desk, form: Any, send: bool, evidence: Iterable[tuple[str, str]] = ()) -> Changed:
    """A guided action's dialog done: the change set is built from the form (app.usecases.forms) and kept in
    the same step — as a draft, or submitted and owed to the server (``send``). ``evidence``: (SHA-256, what it
    is) of each document. A refusal keeps nothing, and the form is the officer's to correct and send again."""
    documents = list(evidence)
    if isinstance(form, forms.UnitData):
        form = _with_emblem(desk, form, documents)
    cs = forms.build(desk.register, desk.officer, form)
    cs.evidence = [sha for sha, _label in documents]
    cs.evidence_labels = dict(documents)
    return submit(desk, cs) if send else keep_unsent(desk, cs)


def _with_emblem(desk: Desk, form: forms.UnitData, documents: list[tuple[str, str]]) -> forms.UnitData:
    """A document attached as the unit's emblem becomes the unit's emblem, once it is seen to be a PNG or JPEG
    image (a Thai refusal otherwise: the letters would have nothing to draw)."""
    from ..documents.letter import check_emblem
    from ..evidence import UNIT_EMBLEM
    from ..store.attachments import AttachmentStore

    emblem = next((sha for sha, label in reversed(documents) if label == UNIT_EMBLEM.th), "")
    if not emblem:
        return form
    check_emblem(AttachmentStore(desk.register.wc).get(emblem))
    return dataclasses.replace(form, emblem_sha256=emblem)


def keep_unsent(desk: Desk, cs: ChangeSet) -> Changed:
    """Kept on this PC only: a draft, or a returned change set corrected but not yet sent again (it stays
    returned, so the reason stays in view)."""
    cs = copy.deepcopy(cs)
    if cs.state is not ReviewState.RETURNED:
        cs.state = ReviewState.DRAFT
    with desk.transaction() as conn:
        desk.register.save_changeset_in(conn, cs)
    return Changed((cs,))


def submit(desk: Desk, cs: ChangeSet) -> Changed:
    """Sent for the registrar's review (a returned one: sent again)."""
    cs = copy.deepcopy(cs)
    cs.submit(desk.officer)
    with desk.transaction() as conn:
        owe_push_in(conn, desk, cs)
    return Changed((cs,), owed=1)


def resubmit(desk: Desk, cs: ChangeSet, today: _dt.date) -> Changed:
    """A returned change set sent again as it is: only when the rules now accept it."""
    verdicts = review.check(desk.register, cs, today)
    if not verdicts.ok:
        raise Refusal(verdicts.errors[0].code, verdicts.errors[0].th, verdicts.errors[0].en)
    return submit(desk, cs)


def cancel(desk: Desk, cs: ChangeSet) -> Changed:
    """Withdrawn by its author. One the server has seen is cancelled there too; a draft only here."""
    cs = copy.deepcopy(cs)
    cs.cancel(desk.officer)
    with desk.transaction() as conn:
        if len(cs.history) > 1:
            owe_push_in(conn, desk, cs)
        else:
            desk.register.save_changeset_in(conn, cs)
    return Changed((cs,), owed=int(len(cs.history) > 1))


def merge(desk: Desk, cs: ChangeSet) -> Changed:
    """A change set returned for a conflict: what does not overlap the register as it is now becomes a new
    change set, sent for review, and the old one is cancelled — both or neither."""
    new, left = review.merged(desk.register, cs)
    if new is None:
        raise Refusal("merge.nothing", "ไม่มีส่วนที่รวมได้ ทุกช่องที่แก้ไขขัดแย้งกับข้อมูลปัจจุบัน กรุณาบันทึกใหม่",
                      "Nothing can be merged.")
    old = copy.deepcopy(cs)
    old.cancel(desk.officer)
    new.submit(desk.officer)
    with desk.transaction() as conn:
        owe_push_in(conn, desk, old)
        owe_push_in(conn, desk, new)
    return Changed((old, new), owed=2, left=tuple(left))


# --- what the officer's tab shows ----------------------------------------------------------------------------

def mine(register: RegisterStore, officer: Officer) -> list[ChangeSet]:
    """The officer's own change sets, newest first."""
    found = [c for c in register.changesets(officer.unit_code) if c.author_cid == officer.cid]
    found.sort(key=lambda c: c.created_at, reverse=True)
    return found


def my_work(desk: Desk) -> list[ChangeSetLine]:
    """The officer's own change sets, newest first: a returned one with its conflict (if records moved on), one
    the server has not got with the reason it waits or was refused."""
    waiting = {p.changeset_id: p for p in desk.outbox.problems(desk.statements.title_of_confirm)
               if p.kind == Kind.PUSH.value}
    return [ChangeSetLine(cs, review.conflict_of(desk.register, cs) if cs.state is ReviewState.RETURNED else None,
                          waiting.get(cs.id)) for cs in mine(desk.register, desk.officer)]


def unit_data(desk: Desk) -> Known[Unit] | None:
    """The unit's record as this PC holds it, with the revision a correction is based on (None: never synced)."""
    return known(desk.register, "unit", desk.register.wc.unit_code)
