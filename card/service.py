"""The card thread: the one thread that talks to PC/SC.

It watches every reader with ``SCardGetStatusChange`` (handing the event counter back each time, so
Windows does not spin), reports readers coming and going and cards inserted and removed, and runs the
requests the rest of the program queues (read a card, ask the PIN's tries, verify a PIN) between
waits. When the smart-card service goes away — Windows stops it when the last reader is unplugged — it
says so, waits, and comes back when the service does.
"""
from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Callable

from smartcard.scard import (
    SCARD_E_CANCELLED, SCARD_E_TIMEOUT, SCARD_E_UNKNOWN_READER, SCARD_S_SUCCESS, SCARD_STATE_CHANGED,
    SCARD_STATE_PRESENT, SCARD_STATE_UNAWARE, SCardCancel, SCardGetStatusChange,
)

from .pcsc import SERVICE_GONE, Context, PcscError, _u32, pcsc_message
from .pin import AdmPinVerifier, PinGuard, PinResult
from .reader import CardError, ThaiIdReader
from .thaiid import CardData

log = logging.getLogger(__name__)
PNP = "\\\\?PnP?\\Notification"


TRAINING_READER = "Virtual PCD"  # vsmartcard's virtual reader: only training cards live there


def pin_check_allowed(reader: str, on_real_cards: bool) -> bool:
    """The unconfirmed PIN flow runs on training cards always, on real cards only when IT enabled it."""
    return reader.startswith(TRAINING_READER) or on_real_cards


@dataclass(frozen=True)
class CardEvent:
    kind: str           # "readers", "inserted", "removed", "service_down", "service_up"
    reader: str = ""
    readers: tuple[str, ...] = ()
    atr: bytes = b""
    message: str = ""   # Thai, for the status line


class CardService:
    """Start it once; ``listener`` is called on the card thread (the UI re-emits it as a Qt signal)."""

    def __init__(self, listener: Callable[[CardEvent], None], poll_ms: int = 1000,
                 pin_on_real_cards: bool = False) -> None:
        self.listener = listener
        self.poll_ms = poll_ms
        self.pin_on_real_cards = pin_on_real_cards
        self._requests: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._ctx: Context | None = None
        self._ctx_lock = threading.Lock()
        self.readers: tuple[str, ...] = ()
        self.present: dict[str, bytes] = {}
        self._thread = threading.Thread(target=self._run, name="lgo-card", daemon=True)

    # --- what the rest of the program calls ----------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake()
        self._thread.join(10)

    def submit(self, fn: Callable[[Context], Any]) -> Future:
        future: Future = Future()
        self._requests.put((fn, future))
        self._wake()
        return future

    def read_card(self, reader: str, on_text: Callable[[CardData], None] | None = None,
                  on_photo_progress: Callable[[int, int], None] | None = None) -> Future:
        """The whole card in one transaction; a card pulled out mid-read gives an error, never half a record."""
        def job(ctx: Context) -> CardData:
            with ctx.connect(reader) as conn, conn.transaction():
                return ThaiIdReader(conn, conn.atr()).read_card(on_text, on_photo_progress)
        return self.submit(job)

    def pin_status(self, reader: str) -> Future:
        return self.submit(lambda ctx: self._with_pin(ctx, reader, lambda g: g.status()))

    def verify_pin(self, reader: str, pin: str, confirmed_risk: bool = False) -> Future:
        """One VERIFY at most; raises :class:`card.pin.NeedsConfirmation` for a try that could lock the card."""
        return self.submit(lambda ctx: self._with_pin(ctx, reader,
                                                      lambda g: g.verify(pin, confirmed_risk=confirmed_risk)))

    def _with_pin(self, ctx: Context, reader: str, action: Callable[[PinGuard], PinResult]) -> PinResult:
        if not pin_check_allowed(reader, self.pin_on_real_cards):
            raise CardError("การตรวจรหัส PIN กับบัตรจริงยังปิดอยู่ (ยังไม่ได้รับการยืนยันวิธีตรวจ) "
                            "ผู้ดูแลระบบเปิดได้ในการตั้งค่า", "PIN check disabled for real cards")
        with ctx.connect(reader) as conn, conn.transaction():
            return action(PinGuard(AdmPinVerifier(conn)))

    # --- the thread ----------------------------------------------------------------------------

    def _wake(self) -> None:
        with self._ctx_lock:
            if self._ctx is not None:
                SCardCancel(self._ctx.handle)

    def _emit(self, event: CardEvent) -> None:
        try:
            self.listener(event)
        except Exception:  # a listener's bug must not stop the card thread
            log.exception("card event listener failed")

    def _run(self) -> None:
        backoff = 0.5
        service_down = False
        while not self._stop.is_set():
            try:
                ctx = Context()
            except PcscError as e:
                if not service_down:
                    service_down = True
                    self._set_readers(())
                    self._emit(CardEvent("service_down", message=str(e)))
                self._fail_requests(e)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            backoff = 0.5
            if service_down:
                service_down = False
                self._emit(CardEvent("service_up", message="บริการเครื่องอ่านบัตรกลับมาทำงานแล้ว"))
            with self._ctx_lock:
                self._ctx = ctx
            try:
                self._watch(ctx)
            except PcscError as e:
                log.info("card service lost: %s", e.en)
                if _u32(e.rc) not in (_u32(x) for x in SERVICE_GONE):
                    self._stop.wait(0.5)
            finally:
                with self._ctx_lock:
                    self._ctx = None
                ctx.close()
        self._fail_requests(CardError("โปรแกรมกำลังปิด", "card service stopped"))

    def _set_readers(self, readers: tuple[str, ...]) -> None:
        if readers != self.readers:
            self.readers = readers
            for gone in [r for r in self.present if r not in readers]:
                del self.present[gone]
                self._emit(CardEvent("removed", reader=gone))
            self._emit(CardEvent("readers", readers=readers))

    def _watch(self, ctx: Context) -> None:
        states: dict[str, int] = {}
        while not self._stop.is_set():
            readers = tuple(ctx.readers())
            self._set_readers(readers)
            states = {r: states.get(r, SCARD_STATE_UNAWARE) for r in readers}
            states[PNP] = states.get(PNP, SCARD_STATE_UNAWARE)
            while not self._stop.is_set():
                self._serve_requests(ctx)
                rc, changed = SCardGetStatusChange(ctx.handle, self.poll_ms, list(states.items()))
                if _u32(rc) in (_u32(SCARD_E_TIMEOUT), _u32(SCARD_E_CANCELLED)):
                    continue
                if _u32(rc) == _u32(SCARD_E_UNKNOWN_READER):
                    break  # a reader went away: list them again
                if rc != SCARD_S_SUCCESS:
                    raise PcscError(pcsc_message(rc), rc)
                relist = False
                for reader, event_state, atr in changed:
                    if not event_state & SCARD_STATE_CHANGED:
                        continue
                    # Hand the event counter (upper 16 bits) back, without the "changed" flag.
                    states[reader] = event_state & ~SCARD_STATE_CHANGED
                    if reader == PNP:
                        relist = True
                        continue
                    self._card_state(reader, bool(event_state & SCARD_STATE_PRESENT), bytes(atr))
                if relist:
                    break

    def _card_state(self, reader: str, present: bool, atr: bytes) -> None:
        if present and reader not in self.present:
            self.present[reader] = atr
            self._emit(CardEvent("inserted", reader=reader, atr=atr))
        elif not present and reader in self.present:
            del self.present[reader]
            self._emit(CardEvent("removed", reader=reader))

    def _queued(self):
        """The requests waiting now, each once, skipping those their caller cancelled."""
        while True:
            try:
                fn, future = self._requests.get_nowait()
            except queue.Empty:
                return
            if future.set_running_or_notify_cancel():
                yield fn, future

    def _serve_requests(self, ctx: Context) -> None:
        for fn, future in self._queued():
            try:
                future.set_result(fn(ctx))
            except BaseException as e:  # handed to whoever waits; the thread goes on
                future.set_exception(e)

    def _fail_requests(self, error: Exception) -> None:
        for _fn, future in self._queued():
            future.set_exception(CardError(str(error), "card service unavailable"))

