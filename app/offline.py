"""Log-in without the network: allowed for an officer who logged in online on this PC recently, checked
against an argon2id hash kept in the encrypted working copy, with their own card in the reader.

The password itself is never stored; the hash never leaves the encrypted store.

Guessing offline is held to the server's limit: after :data:`MAX_FAILED` failed tries (a wrong password, or
the right one with someone else's card) offline log-in of that account on this PC is refused for
:data:`LOCKOUT`. The count lives in the encrypted store and changes in one write transaction per try, so
tries made at once (two copies of the program) cannot lose a count; a successful log-in — offline with the
right password and card, or online — resets it.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
from dataclasses import dataclass
from typing import Iterator

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import Refusal
from .thai import format_date_short

OFFLINE_DAYS = 14
MAX_FAILED = 5                     # the server's numbers (server/security.py): offline is no easier to guess
LOCKOUT = _dt.timedelta(minutes=15)
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
        "last_online_login=excluded.last_online_login, failed_logins=0, locked_until=NULL",
        (username.strip().lower(), cid, name, role, unit_code, _hasher.hash(password), at.isoformat()))


@contextlib.contextmanager
def _write(conn) -> Iterator[None]:
    """One write transaction (inside the caller's, if it has one open)."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _minutes_left(until: _dt.datetime, now: _dt.datetime) -> int:
    return max(1, int((until - now).total_seconds() // 60) + 1)


def _locked(until: _dt.datetime, now: _dt.datetime) -> Refusal:
    minutes = _minutes_left(until, now)
    return Refusal("offline.locked",
                   f"เข้าสู่ระบบผิดหลายครั้ง การเข้าสู่ระบบแบบออฟไลน์ของบัญชีนี้ที่เครื่องนี้ถูกระงับชั่วคราว "
                   f"กรุณาลองใหม่ในอีก {minutes} นาที",
                   f"Too many failed log-ins: offline log-in of this account on this PC is blocked for "
                   f"{minutes} more minute(s).")


def _count_failure(conn, username: str, now: _dt.datetime) -> _dt.datetime | None:
    """One more failed try, counted in the store in one transaction; returns the lock-out's end when this
    try reached the limit."""
    with _write(conn):
        [(failed,)] = conn.execute("UPDATE local_accounts SET failed_logins = failed_logins + 1 WHERE username = ? "
                                   "RETURNING failed_logins", (username,)).fetchall()
        if failed < MAX_FAILED:
            return None
        until = now + LOCKOUT
        conn.execute("UPDATE local_accounts SET failed_logins = 0, locked_until = ? WHERE username = ?",
                     (until.isoformat(), username))
        return until


def offline_login(conn, username: str, password: str, card_cid: str, now: _dt.datetime,
                  max_days: int = OFFLINE_DAYS) -> LocalAccount:
    key = username.strip().lower()
    row = conn.execute("SELECT username, cid, name, role, unit_code, password_hash, last_online_login, "
                       "failed_logins, locked_until FROM local_accounts WHERE username = ?", (key,)).fetchone()
    if row is None:
        raise Refusal("offline.unknown", "เข้าสู่ระบบแบบออฟไลน์ได้เฉพาะผู้ที่เคยเข้าสู่ระบบออนไลน์ที่เครื่องนี้ "
                                         "กรุณาเชื่อมต่ออินเทอร์เน็ตแล้วเข้าสู่ระบบอีกครั้ง",
                      "Offline log-in needs an online log-in on this PC first.")
    user, cid, name, role, unit, stored, last, failed, locked_until = row
    if locked_until and _dt.datetime.fromisoformat(locked_until) > now:
        raise _locked(_dt.datetime.fromisoformat(locked_until), now)  # not even checked: no guess gets through
    try:
        password_ok = _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        password_ok = False
    card_ok = card_cid.strip() == cid
    if not (password_ok and card_ok):
        until = _count_failure(conn, user, now)
        if until is not None:
            raise _locked(until, now)
        if not password_ok:
            raise Refusal("offline.wrong", "ชื่อผู้ใช้งานหรือรหัสผ่านไม่ถูกต้อง", "Wrong username or password.")
        raise Refusal("offline.card_mismatch", "บัตรประจำตัวประชาชนที่เสียบไม่ใช่บัตรของเจ้าของบัญชีนี้ กรุณาใช้บัตรของท่านเอง",
                      "The card in the reader is not the account holder's.")
    if failed or locked_until:
        with _write(conn):
            conn.execute("UPDATE local_accounts SET failed_logins = 0, locked_until = NULL WHERE username = ?",
                         (user,))
    last_online = _dt.datetime.fromisoformat(last)
    if now - last_online > _dt.timedelta(days=max_days):
        raise Refusal("offline.too_long",
                      f"เข้าสู่ระบบออนไลน์ครั้งล่าสุดเมื่อ {format_date_short(last_online.date())} นานเกิน {max_days} วัน "
                      "กรุณาเชื่อมต่ออินเทอร์เน็ตแล้วเข้าสู่ระบบออนไลน์หนึ่งครั้ง",
                      "The last online log-in is too long ago.")
    return LocalAccount(user, cid, name, role, unit, last_online)
