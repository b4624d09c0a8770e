"""Log-in without the network: allowed for an officer who logged in online on this PC recently, checked
against an argon2id hash kept in the encrypted working copy, with their own card in the reader.

The password itself is never stored; the hash never leaves the encrypted store.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import Refusal
from .thai import format_date_short

OFFLINE_DAYS = 14
_hasher = PasswordHasher()


@dataclass(frozen=True)
class LocalAccount:
    username: str
    cid: str
    name: str
    role: str
    unit_code: str
    last_online_login: _dt.datetime


def remember(conn, username: str, password: str, cid: str, name: str, role: str, unit_code: str,
             at: _dt.datetime) -> None:
    """After a successful online log-in: keep what an offline log-in will check."""
    conn.execute(
        "INSERT INTO local_accounts (username, cid, name, role, unit_code, password_hash, last_online_login) "
        "VALUES (?,?,?,?,?,?,?) ON CONFLICT (username) DO UPDATE SET cid=excluded.cid, name=excluded.name, "
        "role=excluded.role, unit_code=excluded.unit_code, password_hash=excluded.password_hash, "
        "last_online_login=excluded.last_online_login",
        (username.strip().lower(), cid, name, role, unit_code, _hasher.hash(password), at.isoformat()))


def offline_login(conn, username: str, password: str, card_cid: str, now: _dt.datetime,
                  max_days: int = OFFLINE_DAYS) -> LocalAccount:
    row = conn.execute("SELECT username, cid, name, role, unit_code, password_hash, last_online_login "
                       "FROM local_accounts WHERE username = ?", (username.strip().lower(),)).fetchone()
    if row is None:
        raise Refusal("offline.unknown", "เข้าสู่ระบบแบบออฟไลน์ได้เฉพาะผู้ที่เคยเข้าสู่ระบบออนไลน์ที่เครื่องนี้ "
                                         "กรุณาเชื่อมต่ออินเทอร์เน็ตแล้วเข้าสู่ระบบอีกครั้ง",
                      "Offline log-in needs an online log-in on this PC first.")
    user, cid, name, role, unit, stored, last = row
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        raise Refusal("offline.wrong", "ชื่อผู้ใช้งานหรือรหัสผ่านไม่ถูกต้อง", "Wrong username or password.") from None
    if card_cid.strip() != cid:
        raise Refusal("offline.card_mismatch", "บัตรประจำตัวประชาชนที่เสียบไม่ใช่บัตรของเจ้าของบัญชีนี้ กรุณาใช้บัตรของท่านเอง",
                      "The card in the reader is not the account holder's.")
    last_online = _dt.datetime.fromisoformat(last)
    if now - last_online > _dt.timedelta(days=max_days):
        raise Refusal("offline.too_long",
                      f"เข้าสู่ระบบออนไลน์ครั้งล่าสุดเมื่อ {format_date_short(last_online.date())} นานเกิน {max_days} วัน "
                      "กรุณาเชื่อมต่ออินเทอร์เน็ตแล้วเข้าสู่ระบบออนไลน์หนึ่งครั้ง",
                      "The last online log-in is too long ago.")
    return LocalAccount(user, cid, name, role, unit, last_online)
