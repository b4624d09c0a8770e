"""A training Thai ID card: the MOI applet's data and the ADM applet with a real PIN counter, answering
like a T=0 card (``61 xx`` then GET RESPONSE).

PIN counter: 3 wrong PINs in a row lock the card (``69 83``) until :meth:`VirtualCard.unlock_at_district_office`;
5 wrong PINs in all end it (``6A 81``), as the seeds say of real cards.
"""
from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from .. import thaiid
from ..pin import ADM_AID, DEAD_AFTER, LOCK_AFTER, training_response

ATRS = {
    # TS T0 TB1 TC1, then the historical bytes
    "3b68": bytes.fromhex("3B6800000073C84012009000"),
    "3b67": bytes.fromhex("3B6700007320006C689000"),
}

SW_OK = (0x90, 0x00)


@dataclass
class PinState:
    pin: str
    consecutive_wrong: int = 0
    total_wrong: int = 0

    @property
    def dead(self) -> bool:
        return self.total_wrong >= DEAD_AFTER

    @property
    def locked(self) -> bool:
        return self.consecutive_wrong >= LOCK_AFTER

    @property
    def tries_left(self) -> int:
        return max(0, LOCK_AFTER - self.consecutive_wrong)


class VirtualCard:
    """Processes command APDUs; thread-safe (the vpcd link and a test may both touch it)."""

    def __init__(self, image: bytes, pin: str, atr: str = "3b68") -> None:
        self.image = bytes(image)
        self.atr = ATRS[atr]
        self.pin_state = PinState(pin)
        self._lock = threading.Lock()
        self.apdu_count = 0
        self.reset()

    def reset(self) -> None:
        self.selected = None
        self._pending = b""          # what GET RESPONSE will hand out
        self._challenge = b""

    def unlock_at_district_office(self) -> None:
        """What the district office does for a locked (not dead) card."""
        with self._lock:
            if not self.pin_state.dead:
                self.pin_state.consecutive_wrong = 0

    def _respond(self, data: bytes) -> bytes:
        """T=0: announce the data with ``61 xx``; GET RESPONSE returns it."""
        if not data:
            return bytes(SW_OK)
        self._pending = data
        return bytes([0x61, len(data) & 0xFF])

    def process(self, apdu: bytes) -> bytes:
        with self._lock:
            self.apdu_count += 1
            return self._process(apdu)

    def _process(self, apdu: bytes) -> bytes:
        if len(apdu) < 4:
            return bytes([0x67, 0x00])
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[4:]
        if ins == 0xC0 and cla == 0x00:  # GET RESPONSE
            if not self._pending:
                return bytes([0x69, 0x85])
            le = body[0] if body else 0
            le = le or 256
            if le != len(self._pending) and le > len(self._pending):
                return bytes([0x6C, len(self._pending) & 0xFF])
            out, self._pending = self._pending[:le], self._pending[le:]
            tail = bytes([0x61, len(self._pending) & 0xFF]) if self._pending else bytes(SW_OK)
            return out + tail
        self._pending = b""
        if ins == 0xA4 and cla == 0x00:  # SELECT by AID
            if len(body) < 1 or len(body) < 1 + body[0]:
                return bytes([0x67, 0x00])
            aid = bytes(body[1:1 + body[0]])
            if aid == thaiid.MOI_AID:
                self.selected = "moi"
            elif aid == ADM_AID:
                self.selected = "adm"
            else:
                return bytes([0x6A, 0x82])
            return bytes([0x61, 0x0A])  # like real cards: a short FCI waits for GET RESPONSE
        if ins == 0xB0 and cla == 0x80:  # READ: 80 B0 P1 P2 02 00 LL
            if self.selected != "moi":
                return bytes([0x69, 0x85])
            if len(body) != 3 or body[0] != 0x02:
                return bytes([0x67, 0x00])
            offset, length = (p1 << 8) | p2, body[2]
            if offset + length > len(self.image):
                return bytes([0x6B, 0x00])
            return self._respond(self.image[offset:offset + length])
        if self.selected == "adm" and cla == 0x80:
            return self._adm(ins, p1, p2, body)
        return bytes([0x6D, 0x00])

    def _adm(self, ins: int, p1: int, p2: int, body: bytes) -> bytes:
        state = self.pin_state
        if ins == 0xB4:  # GET CHALLENGE
            if state.dead:
                return bytes([0x6A, 0x81])
            self._challenge = secrets.token_bytes(32)
            return self._respond(self._challenge)
        if ins == 0x20 and p1 == 0x01:  # VERIFY
            if state.dead:
                return bytes([0x6A, 0x81])
            if state.locked:
                return bytes([0x69, 0x83])
            if not body:  # no data: how many tries are left, nothing spent
                return bytes([0x63, 0xC0 | state.tries_left])
            if body[0] != 0x20 or len(body) != 33 or not self._challenge:
                return bytes([0x69, 0x85]) if not self._challenge else bytes([0x67, 0x00])
            expected = training_response(state.pin, self._challenge)
            self._challenge = b""  # one answer per challenge
            if secrets.compare_digest(bytes(body[1:]), expected):
                state.consecutive_wrong = 0
                return bytes(SW_OK)
            state.consecutive_wrong += 1
            state.total_wrong += 1
            if state.dead:
                return bytes([0x6A, 0x81])
            if state.locked:
                return bytes([0x69, 0x83])
            return bytes([0x63, 0xC0 | state.tries_left])
        return bytes([0x6D, 0x00])
