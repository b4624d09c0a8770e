"""Hands work to a worker — the database worker, or the network threads — and brings results back to the GUI
thread by Qt signal.

The GUI never waits: ``run(fn, on_done, on_error)`` returns at once, and the callbacks run on the GUI
thread when the worker has finished. The desk keeps two runners (ui/main.py): one on the database worker
(app.store.DbWorker: every read and write of the working copy, in order) and one on :func:`network_threads`
(HTTP to the central server: log-in, log-out), so that a slow link never holds the database, nor the
database a log-in's request.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Protocol

from .qt import QObject, Signal


class Worker(Protocol):
    """Anything that runs a function elsewhere and hands back a future (DbWorker, a thread pool)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future: ...


def network_threads(threads: int = 2) -> ThreadPoolExecutor:
    """The threads for the desk's network work: never the database worker's, never the GUI's. Two, so that a
    log-out still finishing does not hold the next log-in."""
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lgo-net")


class TaskRunner(QObject):
    _finished = Signal(object, object, object)  # (callback, result, error)

    def __init__(self, worker: Worker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.pending = 0
        self._finished.connect(self._deliver)  # queued across threads: runs on the GUI thread

    def run(self, fn: Callable[..., Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None, *args: Any) -> Future:
        return self.follow(self.worker.submit(fn, *args), on_done, on_error)

    def follow(self, future: Future, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None) -> Future:
        """Deliver any future's outcome (the card thread's, the sync thread's) on the GUI thread."""
        self.pending += 1

        def finished(f: Future) -> None:
            error = f.exception()
            if error is not None:
                self._finished.emit(on_error, None, error)
            else:
                self._finished.emit(on_done, f.result(), None)

        future.add_done_callback(finished)
        return future

    def _deliver(self, callback, result, error) -> None:
        self.pending -= 1
        if callback is None:
            if error is not None:
                raise error
            return
        try:
            callback(error if error is not None else result)
        except RuntimeError as e:
            # The window that asked is gone (logged out, dialog closed): the answer is no longer wanted.
            if "already deleted" not in str(e):
                raise
