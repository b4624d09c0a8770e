"""The card PIN, handled so that the program can never lock an officer's card by itself.

Seeds (000 §4.4): more than 3 wrong PINs lock the card until the district office unlocks it; more than
5 and the card can no longer prove identity at all. So, whatever the implementation:

* ask the card how many tries remain *before* sending a PIN, without spending one;
* never retry on our own — one officer action, at most one VERIFY;
* refuse a try that could lock the card unless the officer confirmed a Thai warning saying exactly
  what happens (:class:`NeedsConfirmation`);
* map every status word to a plain message; never log the PIN, the challenge, the response or the
  VERIFY APDU, and keep them out of every error.

The DOPA PIN check is not publicly specified. :class:`AdmPinVerifier` follows the public
reverse-engineered flow (ADM applet, 32-byte challenge, VERIFY with a 32-byte response). It is not
confirmed on real cards: it is off for real cards by default and on for the training cards, whose
emulator implements the same flow with :func:`training_response`.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from .reader import CardError, Transport, status_message

ADM_AID = bytes.fromhex("A000000084060002")
LOCK_AFTER = 3   # consecutive wrong PINs that lock the card
DEAD_AFTER = 5   # wrong PINs in all that end the card's use for identity


class PinOutcome(str, Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    DEAD = "dead"


@dataclass(frozen=True)
class PinResult:
    outcome: PinOutcome
    tries_left: int | None
    message: str  # Thai, for the officer


class NeedsConfirmation(Exception):
    """This try could lock the card: the officer must confirm the warning first."""

    def __init__(self, tries_left: int) -> None:
        self.tries_left = tries_left
        super().__init__(lock_warning(tries_left))


def lock_warning(tries_left: int) -> str:
    return (f"เหลือโอกาสใส่รหัส PIN อีก {tries_left} ครั้งเท่านั้น ถ้าครั้งนี้ผิด บัตรประจำตัวประชาชนของท่านจะถูกล็อก "
            "ต้องนำบัตรไปปลดล็อกที่ที่ว่าการอำเภอหรือสำนักงานเขต และหากใส่ผิดรวมเกิน 5 ครั้ง "
            "บัตรจะใช้ยืนยันตัวตนไม่ได้อีก ต้องทำบัตรใหม่ — ถ้าไม่แน่ใจรหัส กรุณายกเลิก")


def tries_message(tries_left: int) -> str:
    return f"ใส่รหัส PIN ได้อีก {tries_left} ครั้ง"


class PinVerifier(Protocol):
    def status(self) -> PinResult:
        """Asked without spending a try: how many remain (None: the card does not say), or locked/dead."""

    def verify(self, pin: str) -> PinResult:
        """Exactly one VERIFY."""


def training_response(pin: str, challenge: bytes) -> bytes:
    """The training cards' answer to a challenge: HMAC-SHA256 keyed by the PIN."""
    return hmac.new(pin.encode("ascii"), challenge, hashlib.sha256).digest()


def _scrub(error: CardError) -> CardError:
    """A new error with only the status word's meaning: no APDU bytes, no PIN material."""
    return CardError(str(error), "card error during PIN check", error.sw)


class AdmPinVerifier:
    """The public reverse-engineered flow: SELECT ADM, GET CHALLENGE ``80 B4``, VERIFY ``80 20 01 00 20``."""

    def __init__(self, transport: Transport, derive=training_response) -> None:
        self.transport = transport
        self.derive = derive

    def _select(self) -> None:
        _data, sw1, sw2 = self.transport.transmit([0x00, 0xA4, 0x04, 0x00, len(ADM_AID), *ADM_AID])
        if not (sw1 == 0x61 or (sw1, sw2) == (0x90, 0x00)):
            raise CardError("บัตรนี้ไม่รองรับการตรวจรหัส PIN แบบนี้", "ADM applet not selectable", (sw1, sw2))

    def status(self) -> PinResult:
        self._select()
        _data, sw1, sw2 = self.transport.transmit([0x80, 0x20, 0x01, 0x00])  # VERIFY with no data: asks, spends nothing
        return _interpret(sw1, sw2)

    def verify(self, pin: str) -> PinResult:
        if not (len(pin) == 4 and pin.isascii() and pin.isdigit()):
            raise CardError("รหัส PIN ของบัตรประจำตัวประชาชนเป็นตัวเลข 4 หลัก", "the PIN has 4 digits")
        try:
            self._select()
            challenge, sw1, sw2 = self.transport.transmit([0x80, 0xB4, 0x00, 0x00, 0x20])
            if sw1 == 0x61:
                challenge, sw1, sw2 = self.transport.transmit([0x00, 0xC0, 0x00, 0x00, sw2])
            if (sw1, sw2) != (0x90, 0x00) or len(challenge) != 32:
                raise CardError(status_message(sw1, sw2), "no challenge", (sw1, sw2))
            response = self.derive(pin, bytes(challenge))
            _data, sw1, sw2 = self.transport.transmit([0x80, 0x20, 0x01, 0x00, len(response), *response])
            del response, challenge
        except CardError as e:
            raise _scrub(e) from None
        return _interpret(sw1, sw2)


def _interpret(sw1: int, sw2: int) -> PinResult:
    if (sw1, sw2) == (0x90, 0x00):
        return PinResult(PinOutcome.OK, None, "รหัส PIN ถูกต้อง")
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        left = sw2 & 0x0F
        if left == 0:
            return PinResult(PinOutcome.LOCKED, 0, status_message(0x69, 0x83))
        return PinResult(PinOutcome.WRONG, left, status_message(sw1, sw2))
    if (sw1, sw2) == (0x69, 0x83):
        return PinResult(PinOutcome.LOCKED, 0, status_message(sw1, sw2))
    if (sw1, sw2) == (0x6A, 0x81):
        return PinResult(PinOutcome.DEAD, 0, status_message(sw1, sw2))
    raise CardError(status_message(sw1, sw2), "unexpected PIN status", (sw1, sw2))


class PinGuard:
    """The safety rules around any :class:`PinVerifier`: one call, one try, never a risky one unasked."""

    def __init__(self, verifier: PinVerifier) -> None:
        self.verifier = verifier

    def status(self) -> PinResult:
        """Tries left before the officer types anything (a locked or dead card says so here)."""
        found = self.verifier.status()
        if found.outcome in (PinOutcome.LOCKED, PinOutcome.DEAD):
            return found
        left = found.tries_left
        if left is None:
            return PinResult(PinOutcome.OK, None, "บัตรไม่แจ้งจำนวนครั้งที่เหลือ กรุณาใส่รหัสอย่างระมัดระวัง")
        if left == 0:
            return PinResult(PinOutcome.LOCKED, 0, status_message(0x69, 0x83))
        return PinResult(PinOutcome.OK, left, tries_message(left))

    def verify(self, pin: str, *, confirmed_risk: bool = False) -> PinResult:
        state = self.status()
        if state.outcome in (PinOutcome.LOCKED, PinOutcome.DEAD):
            return state
        if (state.tries_left is None or state.tries_left <= 1) and not confirmed_risk:
            raise NeedsConfirmation(state.tries_left or 1)
        return self.verifier.verify(pin)
