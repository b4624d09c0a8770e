"""The explicit context every officer action takes (git-cola's context, not globals): who acts, on which
working copy, and where what they owe the server is kept — and what an action hands back (:class:`Changed`),
so that each view redraws only when it is affected (Anki's OpChanges)."""
from __future__ import annotations

import contextlib
import datetime as _dt
from dataclasses import dataclass
from typing import Callable, Iterator, NamedTuple

from ..changeset import ChangeSet
from ..domain import Officer
from ..store.device import DeviceSigner
from ..store.outbox import Outbox, SyncProblem, utcnow
from ..store.register import RegisterStore
from ..store.statements import StatementStore


@dataclass
class Desk:
    register: RegisterStore          # the unit's working copy (runs on the database worker)
    officer: Officer                 # who acts
    outbox: Outbox                   # what this PC owes the central server
    statements: StatementStore       # the unit's statements held here
    signer: DeviceSigner             # this PC's signing key (approvals)
    clock: Callable[[], _dt.datetime] = utcnow

    @classmethod
    def of(cls, register: RegisterStore, officer: Officer) -> Desk:
        wc = register.wc
        return cls(register, officer, Outbox(wc), StatementStore(wc), DeviceSigner(wc, officer.cid))

    @property
    def today(self) -> _dt.date:
        return self.clock().astimezone().date()

    @contextlib.contextmanager
    def transaction(self) -> Iterator:
        """One action, all or nothing; the plain tally of what is owed follows once it is committed."""
        with self.register.wc.transaction() as conn:
            yield conn
        self.outbox.tally()


@dataclass(frozen=True)
class Changed:
    """What an action changed."""

    changesets: tuple[ChangeSet, ...] = ()   # as they are kept now (the last is the one the officer acted on)
    owed: int = 0                            # items newly owed to the server (the sync line's count moves)
    statements: bool = False                 # a statement's state changed
    left: tuple[str, ...] = ()               # a merge: the fields still in conflict, for the officer to decide
    claims: tuple = ()                       # claims as they are kept now (app.claims.Claim; the finance desk)

    @property
    def changeset(self) -> ChangeSet:
        return self.changesets[-1]


class ChangeSetLine(NamedTuple):
    """A change set as a list shows it (my work, the review inbox)."""

    changeset: ChangeSet
    conflict: dict | None = None        # returned because records moved on: field by field (app.review.conflict_of)
    problem: SyncProblem | None = None  # not on the server yet, and why (app.store.outbox.Outbox.problems)
