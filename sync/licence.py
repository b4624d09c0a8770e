"""The yearly licence: a token per installation for one fiscal year (1 October – 30 September), signed
by the central server's Ed25519 key and checked here offline, with no network.

The seeds' authentication agent had to be reinstalled every year; ours renews its licence by itself
when online, warns 30 days before the end, and refuses to start past it (or when the program is older
than the server's minimum version) with a Thai message saying what to do.
"""
from __future__ import annotations

import base64
import datetime as _dt
import json
from dataclasses import dataclass
from enum import Enum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

WARN_DAYS = 30


def fiscal_year(day: _dt.date) -> int:
    """The Thai fiscal year (Buddhist era) a day belongs to: 1 Oct 2026 starts ปีงบประมาณ 2570."""
    return day.year + 543 + (1 if day.month >= 10 else 0)


def fiscal_bounds(year_be: int) -> tuple[_dt.date, _dt.date]:
    """[1 October, next 1 October) of a fiscal year."""
    start = _dt.date(year_be - 543 - 1, 10, 1)
    return start, _dt.date(start.year + 1, 10, 1)


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p.isdigit())


class LicenceState(str, Enum):
    VALID = "valid"
    EXPIRING = "expiring"     # valid, ends within 30 days: renew when online
    EXPIRED = "expired"
    TOO_OLD = "too_old"       # this program is older than the server's minimum
    INVALID = "invalid"       # not signed by the central server, or for another installation


@dataclass(frozen=True)
class Check:
    state: LicenceState
    message_th: str
    valid_until: _dt.date | None = None

    @property
    def may_start(self) -> bool:
        return self.state in (LicenceState.VALID, LicenceState.EXPIRING)


def payload_bytes(payload: dict) -> bytes:
    """The exact bytes the server signs."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def encode(payload: dict, signature: bytes) -> str:
    return (base64.urlsafe_b64encode(payload_bytes(payload)).decode() + "."
            + base64.urlsafe_b64encode(signature).decode())


def check(token: str, server_key: bytes, installation_id: str, today: _dt.date, version: str) -> Check:
    from app.thai import format_date_short
    try:
        body_b64, sig_b64 = token.split(".", 1)
        body = base64.urlsafe_b64decode(body_b64)
        Ed25519PublicKey.from_public_bytes(server_key).verify(base64.urlsafe_b64decode(sig_b64), body)
        payload = json.loads(body)
    except (ValueError, InvalidSignature, TypeError):
        return Check(LicenceState.INVALID, "ใบอนุญาตใช้งานโปรแกรมไม่ถูกต้อง กรุณาเชื่อมต่ออินเทอร์เน็ตเพื่อรับใบอนุญาตใหม่")
    if payload.get("installation_id") != installation_id:
        return Check(LicenceState.INVALID, "ใบอนุญาตนี้เป็นของเครื่องอื่น กรุณาเชื่อมต่ออินเทอร์เน็ตเพื่อรับใบอนุญาตของเครื่องนี้")
    until = _dt.date.fromisoformat(payload["valid_until"])
    last_day = until - _dt.timedelta(days=1)
    if version_tuple(version) < version_tuple(payload.get("min_version", "0")):
        return Check(LicenceState.TOO_OLD, f"โปรแกรมรุ่นนี้ ({version}) เก่าเกินไป ต้องเป็นรุ่น {payload['min_version']} "
                                           "ขึ้นไป กรุณาติดตั้งรุ่นใหม่จากผู้ดูแลระบบ", until)
    if today >= until:
        return Check(LicenceState.EXPIRED, f"ใบอนุญาตใช้งานหมดอายุเมื่อ {format_date_short(last_day)} "
                                           "กรุณาเชื่อมต่ออินเทอร์เน็ตแล้วเปิดโปรแกรมใหม่เพื่อต่ออายุ", until)
    if (until - today).days <= WARN_DAYS:
        return Check(LicenceState.EXPIRING, f"ใบอนุญาตใช้งานจะหมดอายุวันที่ {format_date_short(last_day)} "
                                            "โปรแกรมจะต่ออายุให้เองเมื่อเชื่อมต่ออินเทอร์เน็ต", until)
    return Check(LicenceState.VALID, f"ใบอนุญาตใช้งานถึงวันที่ {format_date_short(last_day)}", until)
