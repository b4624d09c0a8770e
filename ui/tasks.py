"""Hands work to the database worker and brings results back to the GUI thread by Qt signal.

The GUI never waits: ``run(fn, on_done, on_error)`` returns at once, and the callbacks run on the GUI
thread when the worker has finished.
"""
from __future__ import annotations

from concurrent.futures import Future
from typing import Any, Callable

from app.store import DbWorker

from .qt import QObject, Signal


class TaskRunner(QObject):
    _finished = Signal(object, object, object)  # (callback, result, error)

    def __init__(self, worker: DbWorker, parent: QObject | None = None) -> None:
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
