"""The one database worker: every read and write of the working copy runs on this thread, in order.

The GUI hands it a function and gets a :class:`concurrent.futures.Future`; ``ui/tasks.py`` turns the
future's completion into a Qt signal on the GUI thread, so the window never waits on the database.
"""
from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Any, Callable, TypeVar

T = TypeVar("T")

_STOP = object()


class DbWorker:
    def __init__(self, name: str = "lgo-db") -> None:
        self._jobs: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((future, fn, args, kwargs))
        return future

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run on the worker and wait: for scripts and tests, never from the GUI thread."""
        return self.submit(fn, *args, **kwargs).result()

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is _STOP:
                return
            future, fn, args, kwargs = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # handed to whoever waits; the worker goes on
                future.set_exception(exc)

    def stop(self, timeout: float = 10.0) -> None:
        self._jobs.put(_STOP)
        self._thread.join(timeout)
