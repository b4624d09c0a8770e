"""The outbox: what this PC owes the central server, in the encrypted working copy (its table is made by
step 2 of app.store.migrations and given a wait by step 5).

Each item has a kind (:class:`Kind`: a change set pushed, returned, approved; a statement confirmed; a claim
submitted), the change set it is about, the JSON the server is sent, and a sync state:
``queued`` → ``uploading`` → ``synced``, or ``error`` (refused for good), or ``conflict``. An item the server
failed on stays queued with its Thai reason and waits (:data:`FIRST_WAIT`, doubling, at most
:data:`LONGEST_WAIT`); later items of the same change set wait behind it, so the server never sees them out
of order.

Who writes what: the officer's use cases (app.usecases) owe items, inside the transaction that saves what
the item is about (:meth:`Outbox.owe_in`); the sync engine takes the due ones and marks how each went.
"""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable

from .db import write_tally

FIRST_WAIT = _dt.timedelta(minutes=1)   # an item the server failed on is tried again after this,
LONGEST_WAIT = _dt.timedelta(hours=1)   # doubling with each failure in a row, never waiting longer than this
UNEXPECTED = "เกิดข้อผิดพลาดที่ไม่คาดคิดขณะส่งรายการนี้ (หากเกิดซ้ำ กรุณาแจ้งผู้ดูแลระบบ)"


class Kind(str, Enum):
    PUSH = "push"         # a change set submitted, resubmitted or cancelled (its author's)
    RETURN = "return"     # the registrar sent a change set back with a reason
    APPROVE = "approve"   # the registrar approved it (signed on this PC)
    CONFIRM = "confirm"   # the registrar confirmed a statement
    CLAIM = "claim"       # a finance officer submitted (or corrected and submitted again) a claim
    CERTIFICATE = "certificate"  # a certificate of entitlement issued here (its officer's), recorded on the server


class State(str, Enum):
    QUEUED = "queued"
    UPLOADING = "uploading"
    SYNCED = "synced"
    ERROR = "error"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Item:
    id: str
    kind: Kind
    changeset_id: str         # "" for a statement's confirmation
    payload: dict[str, Any]


@dataclass(frozen=True)
class SyncProblem:
    """An outbox item that is not on the server, and why: waiting to be tried again (``retry_at``), or refused
    by the server for good (``retry_at`` None)."""

    item_id: str
    kind: str                 # push | return | approve | confirm | certificate
    changeset_id: str         # "" for a statement's confirmation
    title: str                # what the officer recognises it by
    reason_th: str
    retry_at: _dt.datetime | None

    @property
    def what_th(self) -> str:
        return {"push": f"«{self.title}»", "return": f"ส่งกลับ «{self.title}»",
                "approve": f"อนุมัติ «{self.title}»"}.get(self.kind, self.title)


def utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def stamp(when: _dt.datetime) -> str:
    """One fixed form, so that times compare as text in SQL."""
    return when.astimezone(_dt.timezone.utc).isoformat(timespec="microseconds")


def wait_after(failures: int) -> _dt.timedelta:
    """How long an item waits after its n-th failure in a row: 1, 2, 4, … minutes, at most an hour."""
    return min(LONGEST_WAIT, FIRST_WAIT * 2 ** min(max(failures, 1) - 1, 20))


def _now() -> str:
    return utcnow().isoformat()


class Outbox:
    def __init__(self, wc, clock: Callable[[], _dt.datetime] = utcnow) -> None:
        self.wc = wc
        self.clock = clock   # when an item may be tried again (tests move it)

    # --- owed by the use cases -------------------------------------------------------------------------

    @staticmethod
    def owe_in(conn, item_id: str, kind: Kind, cs_id: str, payload: dict[str, Any]) -> None:
        """Owe an item to the server, inside the caller's transaction: whatever the item is about is saved in
        the same transaction, so a crash leaves both or neither (never a change set that is never sent). The
        same id owed again (a resend) replaces the payload and starts its waiting afresh."""
        conn.execute(
            "INSERT INTO outbox (id, kind, changeset_id, payload, sync_state, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, "
            "sync_state = 'queued', updated_at = excluded.updated_at, failures = 0, next_try_at = '', "
            "last_error = ''",
            (item_id, Kind(kind).value, cs_id, json.dumps(payload, ensure_ascii=False), _now(), _now()))

    # --- taken and marked by the sync engine -------------------------------------------------------------

    def due(self, kind: Kind, retry_held: bool = False) -> list[Item]:
        """Items of ``kind`` to send now, oldest first: not those waiting after a failure, nor those queued behind
        an item of the same change set that waits (``retry_held``: those too)."""
        now = stamp(self.clock())
        rows = self.wc.conn.execute(
            "SELECT id, changeset_id, payload FROM outbox o WHERE kind = ? AND sync_state IN ('queued', 'uploading') "
            "AND (? OR (next_try_at <= ? AND NOT EXISTS (SELECT 1 FROM outbox w WHERE w.changeset_id = o.changeset_id "
            "AND o.changeset_id != '' AND w.sync_state IN ('queued', 'uploading') AND w.next_try_at > ?))) "
            "ORDER BY created_at", (Kind(kind).value, retry_held, now, now)).fetchall()
        return [Item(i, Kind(kind), cs_id, json.loads(p)) for i, cs_id, p in rows]

    def mark(self, item_id: str, state: State, error: str = "", answer: dict | None = None) -> None:
        state = State(state)
        with self.wc.transaction() as conn:
            if state in (State.UPLOADING, State.QUEUED) and not error:
                # on its way, or back in the queue (a cut link): the reason of an earlier failure still stands
                conn.execute("UPDATE outbox SET sync_state = ?, updated_at = ? WHERE id = ?",
                             (state.value, _now(), item_id))
            else:
                conn.execute("UPDATE outbox SET sync_state = ?, last_error = ?, answer = ?, attempts = attempts + 1, "
                             "updated_at = ? WHERE id = ?",
                             (state.value, error, json.dumps(answer, ensure_ascii=False) if answer else "", _now(),
                              item_id))
        if state is not State.UPLOADING:
            self.tally()

    def hold(self, item_id: str, reason: str) -> _dt.datetime:
        """The item failed on its own: it stays owed (queued) with its reason, and waits longer each time."""
        with self.wc.transaction() as conn:
            [(failures,)] = conn.execute(
                "UPDATE outbox SET sync_state = 'queued', last_error = ?, failures = failures + 1, "
                "attempts = attempts + 1, updated_at = ? WHERE id = ? RETURNING failures",
                (reason, _now(), item_id)).fetchall()
            retry_at = self.clock() + wait_after(failures)
            conn.execute("UPDATE outbox SET next_try_at = ? WHERE id = ?", (stamp(retry_at), item_id))
        self.tally()
        return retry_at

    # --- counted and shown ------------------------------------------------------------------------------

    def pending_count(self) -> int:
        """Items still owed (queued or on their way)."""
        return self.count(State.QUEUED, State.UPLOADING)

    def count(self, *states: State) -> int:
        marks = ",".join("?" * len(states))
        return self.wc.conn.execute(f"SELECT count(*) FROM outbox WHERE sync_state IN ({marks})",
                                    [State(s).value for s in states]).fetchone()[0]

    def tally(self) -> None:
        """Keep the plain tally beside the copy (app.store.db.write_tally) in step with the outbox."""
        write_tally(self.wc.path, self.pending_count())

    def problems(self, title_of_confirm: Callable[[str], str]) -> list[SyncProblem]:
        """What this PC owes the server and could not deliver, oldest first: items waiting to be tried again,
        and the newest item of a change set when the server refused it for good. ``title_of_confirm`` names a
        statement's confirmation by the statement's id."""
        rows = self.wc.conn.execute(
            "SELECT o.id, o.kind, o.changeset_id, o.payload, o.sync_state, o.last_error, o.next_try_at, c.title "
            "FROM outbox o LEFT JOIN changesets c ON c.id = o.changeset_id "
            "WHERE (o.sync_state IN ('queued', 'uploading') AND o.failures > 0) "
            "OR (o.sync_state = 'error' AND o.changeset_id != '' AND NOT EXISTS (SELECT 1 FROM outbox later "
            "WHERE later.changeset_id = o.changeset_id AND later.created_at > o.created_at)) "
            "OR (o.sync_state = 'error' AND o.kind = 'certificate') "
            "ORDER BY o.created_at").fetchall()
        problems = []
        for item_id, kind, cs_id, payload, state, error, next_try, title in rows:
            if kind == Kind.CONFIRM.value:
                title = title_of_confirm(json.loads(payload).get("statement_id", ""))
            elif kind == Kind.CERTIFICATE.value:
                title = f"หนังสือรับรองสิทธิ เลขที่ {json.loads(payload).get('number', '')}"
            retry_at = _dt.datetime.fromisoformat(next_try) if state != "error" and next_try else None
            problems.append(SyncProblem(item_id, kind, cs_id, title or cs_id[:8], error or UNEXPECTED, retry_at))
        return problems

    def state_of(self, item_id: str) -> tuple[str, str] | None:
        """(sync state, last error) of one item; None when it was never owed."""
        row = self.wc.conn.execute("SELECT sync_state, last_error FROM outbox WHERE id = ?", (item_id,)).fetchone()
        return (row[0], row[1]) if row else None
