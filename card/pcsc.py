"""pyscard, wrapped: readers, a SHARED connection, a transaction around a full read.

Only the card thread (:mod:`card.service`) and the support CLI call into this module.
"""
from __future__ import annotations

import contextlib
import time
from typing import Iterator

from smartcard.scard import (
    SCARD_E_NO_READERS_AVAILABLE, SCARD_E_NO_SERVICE, SCARD_E_NO_SMARTCARD, SCARD_E_NOT_TRANSACTED,
    SCARD_E_READER_UNAVAILABLE, SCARD_E_SERVICE_STOPPED,
    SCARD_LEAVE_CARD, SCARD_PROTOCOL_T0, SCARD_PROTOCOL_T1, SCARD_S_SUCCESS, SCARD_SCOPE_USER,
    SCARD_SHARE_SHARED, SCARD_W_REMOVED_CARD, SCARD_W_RESET_CARD, SCARD_W_UNRESPONSIVE_CARD,
    SCardBeginTransaction, SCardConnect, SCardDisconnect, SCardEndTransaction, SCardEstablishContext,
    SCardGetErrorMessage, SCardListReaders, SCardReleaseContext, SCardStatus, SCardTransmit,
)

from .reader import CardError

RETRY_AFTER_INSERT = (SCARD_W_RESET_CARD, SCARD_W_REMOVED_CARD, SCARD_W_UNRESPONSIVE_CARD)
SERVICE_GONE = (SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED)


def _u32(rc: int) -> int:
    return rc & 0xFFFFFFFF


class PcscError(CardError):
    def __init__(self, th: str, rc: int) -> None:
        super().__init__(th, f"PC/SC 0x{_u32(rc):08X} {SCardGetErrorMessage(rc)}")
        self.rc = _u32(rc)


def pcsc_message(rc: int) -> str:
    rc = _u32(rc)
    if rc in (_u32(x) for x in SERVICE_GONE):
        return "บริการเครื่องอ่านบัตรของ Windows (Smart Card) ไม่ทำงาน — เสียบเครื่องอ่านบัตรแล้วรอสักครู่"
    if rc == _u32(SCARD_E_NO_READERS_AVAILABLE):
        return "ไม่พบเครื่องอ่านบัตร กรุณาเสียบเครื่องอ่านบัตร"
    if rc == _u32(SCARD_E_READER_UNAVAILABLE):
        return "เครื่องอ่านบัตรถูกถอดออก กรุณาเสียบเครื่องอ่านบัตรแล้วลองใหม่"
    # pcsc-lite answers "not transacted" when the card left during a transaction
    if rc in (_u32(SCARD_W_REMOVED_CARD), _u32(SCARD_E_NO_SMARTCARD), _u32(SCARD_E_NOT_TRANSACTED)):
        return "ไม่มีบัตรในเครื่องอ่าน หรือบัตรถูกดึงออกระหว่างอ่าน กรุณาเสียบบัตรแล้วลองใหม่"
    if rc == _u32(SCARD_W_UNRESPONSIVE_CARD):
        return "บัตรไม่ตอบสนอง กรุณาถอดบัตรแล้วเสียบใหม่ให้สุด (ชิปหันขึ้นและเข้าเครื่องก่อน)"
    return f"เครื่องอ่านบัตรขัดข้อง (รหัส 0x{rc:08X}) กรุณาถอดแล้วเสียบใหม่"


class Context:
    def __init__(self) -> None:
        rc, self.handle = SCardEstablishContext(SCARD_SCOPE_USER)
        if rc != SCARD_S_SUCCESS:
            raise PcscError(pcsc_message(rc), rc)

    def close(self) -> None:
        SCardReleaseContext(self.handle)

    def readers(self) -> list[str]:
        rc, readers = SCardListReaders(self.handle, [])
        if _u32(rc) == _u32(SCARD_E_NO_READERS_AVAILABLE):
            return []
        if rc != SCARD_S_SUCCESS:
            raise PcscError(pcsc_message(rc), rc)
        return list(readers)

    @contextlib.contextmanager
    def connect(self, reader: str, settle: float = 0.2, attempts: int = 4) -> Iterator[Connection]:
        """A SHARED connection (another program may use the reader too); right after insertion a
        card may report "reset" or "removed" for a moment, so that is retried after a short wait."""
        for attempt in range(attempts):
            rc, card, protocol = SCardConnect(self.handle, reader, SCARD_SHARE_SHARED,
                                              SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
            if rc == SCARD_S_SUCCESS:
                break
            if _u32(rc) in (_u32(x) for x in RETRY_AFTER_INSERT) and attempt + 1 < attempts:
                time.sleep(settle)
                continue
            raise PcscError(pcsc_message(rc), rc)
        conn = Connection(card, protocol)
        try:
            yield conn
        finally:
            SCardDisconnect(card, SCARD_LEAVE_CARD)


class Connection:
    """The :class:`card.reader.Transport` over one PC/SC card handle."""

    def __init__(self, card, protocol) -> None:
        self.card = card
        self.protocol = protocol

    def atr(self) -> bytes:
        rc, _reader, _state, _protocol, atr = SCardStatus(self.card)
        if rc != SCARD_S_SUCCESS:
            raise PcscError(pcsc_message(rc), rc)
        return bytes(atr)

    def transmit(self, apdu: list[int]) -> tuple[list[int], int, int]:
        rc, response = SCardTransmit(self.card, self.protocol, apdu)
        if rc != SCARD_S_SUCCESS:
            raise PcscError(pcsc_message(rc), rc)
        if len(response) < 2:
            raise CardError("บัตรตอบกลับไม่ครบ กรุณาถอดบัตรแล้วเสียบใหม่", "response shorter than a status word")
        return response[:-2], response[-2], response[-1]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        rc = SCardBeginTransaction(self.card)
        if rc != SCARD_S_SUCCESS:
            raise PcscError(pcsc_message(rc), rc)
        try:
            yield
        finally:
            SCardEndTransaction(self.card, SCARD_LEAVE_CARD)
