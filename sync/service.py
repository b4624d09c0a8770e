"""Sync in the background: on a timer, soon after each local change, and on demand — never on the GUI
thread — with a status the window can show (online/offline, last successful sync, how many change sets
are not yet on the server, conflicts).

The service opens its own connection to the working copy (SQLite in WAL mode lets it write while the
database worker reads; each write is a short transaction), so a slow network never holds the window's
database worker.
"""
from __future__ import annotations

import datetime as _dt
import random
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from app.store.outbox import State

from .engine import SyncEngine, SyncProblem, SyncReport


@dataclass(frozen=True)
class SyncStatus:
    online: bool | None = None            # None: not tried yet
    last_success: _dt.datetime | None = None
    unsynced: int = 0                      # change sets and approvals not yet on the server
    conflicts: int = 0
    running: bool = False
    errors: tuple[str, ...] = field(default_factory=tuple)
    progress: tuple[str, int, int] | None = None  # (what, done, total)
    pulled: int = 0                        # records and states the last sync brought (the window reloads)
    problems: tuple[SyncProblem, ...] = ()  # items not delivered: waiting after a failure, or refused


class SyncService:
    def __init__(self, make_engine: Callable[[], SyncEngine], on_status: Callable[[SyncStatus], None],
                 interval: float = 300.0, after_change: float = 5.0) -> None:
        self._make_engine = make_engine
        self._on_status = on_status
        self.interval = interval
        self.after_change = after_change
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._due = 0.0
        self._asked = False   # the officer pressed "sync now": items waiting after a failure are tried too
        self.status = SyncStatus()
        self._thread = threading.Thread(target=self._run, name="lgo-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, wait: float = 30.0) -> None:
        """Ask the thread to end (wait=0: do not wait — a request in flight ends by its own timeout)."""
        self._stop.set()
        self._wake.set()
        if wait:
            self._thread.join(wait)

    def sync_now(self) -> None:
        self._asked = True
        self._wake.set()

    def changed(self) -> None:
        """A local change was queued: sync soon (several changes in a row make one sync)."""
        self._due = min(self._due or float("inf"), time.monotonic() + self.after_change)
        self._wake.set()

    def _publish(self, status: SyncStatus) -> None:
        self.status = status
        self._on_status(status)

    def _run(self) -> None:
        engine = self._make_engine()
        try:
            self._loop(engine)
        finally:
            engine.register.wc.close()

    def _loop(self, engine: SyncEngine) -> None:
        failures = 0
        while not self._stop.is_set():
            self._publish(replace(self.status, running=True, progress=None))

            def progress(what: str, done: int, total: int) -> None:
                self._publish(replace(self.status, progress=(what, done, total)))

            asked, self._asked = self._asked, False
            # Cleared before the sync, not after it: a change or a "sync now" from here on — even one made the
            # moment the window shows this sync's end — still wakes the wait below (it was lost in between).
            self._wake.clear()
            self._due = 0.0
            report: SyncReport = engine.sync_once(progress, retry_held=asked)
            conflicts = engine.outbox.count(State.CONFLICT)
            ok = not report.offline
            failures = 0 if ok else failures + 1
            self._publish(SyncStatus(
                online=ok,
                # "last sync": when this PC last had all the server has (an item waiting alone does not change that)
                last_success=_dt.datetime.now(_dt.timezone.utc) if report.complete else self.status.last_success,
                unsynced=engine.pending_count(), conflicts=conflicts, running=False, errors=tuple(report.errors),
                pulled=(report.pulled + report.pushed + report.approved + report.returned + report.statements
                        + report.payments),
                problems=tuple(engine.sync_problems())))
            # Offline: back off (with jitter) so a hundred PCs do not knock at once when the link returns.
            wait = self.interval if ok else min(self.interval, 5.0 * 2 ** min(failures, 6)) * (0.5 + random.random())
            self._wake.wait(wait)
            if self._due:
                delay = self._due - time.monotonic()
                if delay > 0:
                    self._stop.wait(delay)

