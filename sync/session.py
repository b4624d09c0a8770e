"""Logging in at the desk: online when the central server answers, offline when it cannot be reached and
the officer logged in online on this PC recently — and the unit's working copy opened for them.

Runs on the database worker (it opens the working copy and talks to the server); the window only sees the
:class:`Session` it returns or a refusal whose ``str()`` is Thai. Nothing here keeps the password: the
offline check keeps an argon2id hash in the encrypted copy (app.offline), and the tokens live in memory.
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

from app import __version__
from app.domain import Role
from app.errors import Refusal
from app.offline import offline_login
from app.store import KeyStore, RegisterStore, StoreQuarantined, WorkingCopy
from app.store.private import private_dir, private_file, write_private

from .client import CentralClient, SyncError
from .engine import SyncEngine
from .licence import Check, LicenceState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Account:
    username: str
    cid: str
    name: str
    role: Role
    unit_code: str
    unit_name: str = ""


@dataclass
class Session:
    account: Account
    online: bool                 # False: an offline log-in (the window says so)
    register: RegisterStore      # the unit's working copy, opened on the database worker
    client: CentralClient        # holds the tokens (online) or none yet (offline: logs in again when it can)
    licence: Check
    installation_id: str

    @property
    def engine(self) -> SyncEngine:
        return SyncEngine(self.register, self.client)


class PasswordChangeRequired(Refusal):
    """The first log-in with a one-time password: choose a new one (the window asks, then logs in again)."""

    def __init__(self) -> None:
        super().__init__("auth.password_change_required",
                         "นี่คือการเข้าสู่ระบบครั้งแรกด้วยรหัสผ่านชั่วคราว กรุณาตั้งรหัสผ่านใหม่ของท่านก่อนใช้งาน",
                         "First log-in: choose your own password.")


class CopyNeedsRebuild(Refusal):
    """The working copy was quarantined (its key is lost or it is damaged): the window offers a rebuild."""

    def __init__(self, problem: Exception) -> None:
        super().__init__("store.quarantined", str(problem), "The local copy was set aside.")


def installation_id(data_dir: Path) -> str:
    """This installation's identity for its yearly licence: made once, kept in the data folder."""
    path = data_dir / "installation.id"
    try:
        found = path.read_text(encoding="ascii").strip()
        if found:
            private_file(path)  # one written before the data folder was closed to other users
            return found
    except OSError:
        pass
    private_dir(data_dir)
    made = str(uuid.uuid4())
    write_private(path, made, "ascii")
    return made


def _units_file(data_dir: Path) -> Path:
    return data_dir / "accounts.json"


def _remember_unit(data_dir: Path, username: str, unit_code: str) -> None:
    """Which unit's copy an account's offline log-in opens (user names and unit codes only, nothing secret)."""
    path = _units_file(data_dir)
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    known[username.strip().lower()] = unit_code
    write_private(path, json.dumps(known, ensure_ascii=False, indent=1))


def _unit_of(data_dir: Path, username: str) -> str | None:
    try:
        return json.loads(_units_file(data_dir).read_text(encoding="utf-8")).get(username.strip().lower())
    except (OSError, ValueError):
        return None


def _open_copy(data_dir: Path, unit_code: str, keys: KeyStore, fresh: bool) -> RegisterStore:
    try:
        wc = (WorkingCopy.create_new if fresh else WorkingCopy.open)(data_dir, unit_code, keys)
    except StoreQuarantined as e:
        raise CopyNeedsRebuild(e) from None
    return RegisterStore(wc)


def log_in(server_url: str, data_dir: Path, keys: KeyStore, username: str, password: str, card_cid: str, *,
           new_password: str | None = None, fresh_copy: bool = False, today: _dt.date | None = None,
           version: str = __version__, client: CentralClient | None = None, unreachable_hint: str = "") -> Session:
    """Online first; offline only when the server cannot be reached (never after it said no). ``unreachable_hint``
    is added to the refusal when neither works (app.settings.unreachable_hint: this PC's server was never set)."""
    username = username.strip()
    if not username or not password:
        raise Refusal("login.empty", "กรุณากรอกชื่อผู้ใช้งานและรหัสผ่าน", "Enter your user name and password.")
    today = today or _dt.date.today()
    client = client or CentralClient(server_url, timeout=15.0, attempts=1)
    install = installation_id(data_dir)
    try:
        tokens = client.login(username, password, card_cid)
    except SyncError as e:
        if not e.retryable:
            raise Refusal(e.code, e.message_th, "Log-in refused by the central server.") from None
        try:
            return _offline(data_dir, keys, username, password, card_cid, client, install, today, version)
        except Refusal as refused:
            if refused.code != "offline.unknown" or not unreachable_hint:
                raise
            raise Refusal(refused.code, f"{refused} {unreachable_hint}", refused.en) from None
    if tokens.get("must_change_password"):
        if new_password is None:
            raise PasswordChangeRequired()
        try:
            client.change_password(password, new_password)
        except SyncError as e:
            raise Refusal(e.code, e.message_th, "The new password was refused.") from None
        password = new_password
    info = tokens["account"]
    account = Account(info["username"], info["cid"], info["name"], Role(info["role"]), info["unit_code"],
                      info.get("unit_name", ""))
    register = _open_copy(data_dir, account.unit_code, keys, fresh_copy)
    try:
        engine = SyncEngine(register, client)
        engine.remember(username, password, info)
        _remember_unit(data_dir, username, account.unit_code)
        try:
            engine.enrol(socket.gethostname())
            engine.renew_licence(install, version)
        except SyncError as e:
            if not e.retryable and e.code.startswith("licence"):
                raise Refusal(e.code, e.message_th, "Licence refused.") from None
            log.warning("enrolment or licence renewal postponed: %s", e.code)
        licence = _licence_or_refuse(engine, install, version, today)
    except BaseException:
        register.wc.close()
        raise
    return Session(account, True, register, client, licence, install)


def _offline(data_dir: Path, keys: KeyStore, username: str, password: str, card_cid: str, client: CentralClient,
             install: str, today: _dt.date, version: str) -> Session:
    unit_code = _unit_of(data_dir, username)
    if unit_code is None:
        raise Refusal("offline.unknown", "ติดต่อเซิร์ฟเวอร์กลางไม่ได้ และบัญชีนี้ยังไม่เคยเข้าสู่ระบบออนไลน์ที่เครื่องนี้ "
                                         "จึงเข้าสู่ระบบแบบออฟไลน์ไม่ได้ กรุณาเชื่อมต่ออินเทอร์เน็ตแล้วลองอีกครั้ง",
                      "The server cannot be reached and this account never logged in online here.")
    register = _open_copy(data_dir, unit_code, keys, False)
    try:
        local = offline_login(register.conn, username, password, card_cid,
                              _dt.datetime.now(_dt.timezone.utc))
        licence = _licence_or_refuse(SyncEngine(register, client), install, version, today)
        found = register.get("unit", unit_code)
        unit_name = found[0].name if found else ""
    except BaseException:
        register.wc.close()
        raise
    account = Account(local.username, local.cid, local.name, Role(local.role), local.unit_code, unit_name)
    return Session(account, False, register, client, licence, install)


def _licence_or_refuse(engine: SyncEngine, install: str, version: str, today: _dt.date) -> Check:
    licence = engine.licence(install, version, today)
    if not licence.may_start:
        raise Refusal(f"licence.{licence.state.value}", licence.message_th, "The licence does not allow starting.")
    return licence


__all__ = ["Account", "CopyNeedsRebuild", "LicenceState", "PasswordChangeRequired", "Session", "installation_id",
           "log_in"]
