"""Logging in at the desk: online when the central server answers, offline when it cannot be reached and
the officer logged in online on this PC recently — and the unit's working copy opened for them.

Plain functions, no Qt. :func:`log_in` runs on the desk's network runner and does the HTTP there (the log-in,
a first password's change, this PC's enrolment and licence: sync/enrolment.py); each step that touches the
working copy is handed to the database worker. :func:`log_out` is network only. The window only sees the
:class:`Session` it returns or a refusal whose ``str()`` is Thai. Nothing here keeps the password: the
offline check keeps an argon2id hash in the encrypted copy (app.offline), and the tokens live in memory.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import socket
import uuid
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol, TypeVar

from app import __version__
from app.domain import Role
from app.errors import Refusal
from app.offline import offline_login, remember
from app.store import KeyStore, RegisterStore, StoreQuarantined, WorkingCopy
from app.store.device import DeviceSigner
from app.store.private import private_dir, private_file, write_private

from . import enrolment
from .client import CentralClient, SyncError
from .engine import SyncEngine
from .licence import Check, LicenceState
from .protocol import AccountInfo

T = TypeVar("T")

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


class Database(Protocol):
    """Where the working copy is touched: the desk's database worker (app.store.DbWorker), or anything with the
    same ``submit``."""

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]: ...


def _on(database: Database | None) -> Callable[..., Any]:
    """Run a step on the database worker and wait for it (on this thread, never the GUI's); inline without one."""
    if database is None:
        return lambda fn, *args: fn(*args)
    return lambda fn, *args: database.submit(fn, *args).result()


def log_in(server_url: str, data_dir: Path, keys: KeyStore, username: str, password: str, card_cid: str, *,
           new_password: str | None = None, fresh_copy: bool = False, today: _dt.date | None = None,
           version: str = __version__, client: CentralClient | None = None, unreachable_hint: str = "",
           database: Database | None = None) -> Session:
    """Online first; offline only when the server cannot be reached (never after it said no). ``unreachable_hint``
    is added to the refusal when neither works (app.settings.unreachable_hint: this PC's server was never set).

    Runs on the caller's thread — the desk's network runner — which does the HTTP itself; every step that touches
    the working copy (opening it, remembering the officer, keeping the enrolment and the licence, the offline
    check) is handed to ``database`` and awaited there. Without ``database`` everything runs here (scripts,
    tests)."""
    username = username.strip()
    if not username or not password:
        raise Refusal("login.empty", "กรุณากรอกชื่อผู้ใช้งานและรหัสผ่าน", "Enter your user name and password.")
    on_db = _on(database)
    today = today or _dt.date.today()
    client = client or CentralClient(server_url, timeout=15.0, attempts=1)
    install = installation_id(data_dir)
    try:
        tokens = client.login(username, password, card_cid)
    except SyncError as e:
        if not e.retryable:
            raise Refusal(e.code, e.message_th, "Log-in refused by the central server.") from None
        try:
            return on_db(_offline, data_dir, keys, username, password, card_cid, client, install, today, version)
        except Refusal as refused:
            if refused.code != "offline.unknown" or not unreachable_hint:
                raise
            raise Refusal(refused.code, f"{refused} {unreachable_hint}", refused.en) from None
    if tokens.must_change_password:
        if new_password is None:
            raise PasswordChangeRequired()
        try:
            client.change_password(password, new_password)
        except SyncError as e:
            raise Refusal(e.code, e.message_th, "The new password was refused.") from None
        password = new_password
    info = tokens.account
    account = Account(info.username, info.cid, info.name, Role(info.role), info.unit_code, info.unit_name)
    register, public_key = on_db(_opened_online, data_dir, keys, fresh_copy, username, password, info)
    try:
        fetched = enrolment.fetch(client, install, version, public_key, socket.gethostname())
        licence = on_db(_kept, register, fetched, install, version, today, info.cid)
    except BaseException:
        on_db(register.wc.close)
        raise
    return Session(account, True, register, client, licence, install)


def remember_officer(register: RegisterStore, username: str, password: str, account: AccountInfo) -> None:
    """Database only: after an online log-in, keep what an offline log-in on this PC checks later (app.offline)."""
    with register.wc.transaction() as conn:
        remember(conn, username, password, account.cid, account.name, Role(account.role).value, account.unit_code,
                 _dt.datetime.now(_dt.timezone.utc))


def _opened_online(data_dir: Path, keys: KeyStore, fresh: bool, username: str, password: str,
                   info: AccountInfo) -> tuple[RegisterStore, str | None]:
    """Database only: the unit's copy opened for an officer the server let in, who is remembered for an offline
    log-in; and this PC's public key when it is still to be enrolled (None when it is enrolled)."""
    register = _open_copy(data_dir, info.unit_code, keys, fresh)
    try:
        remember_officer(register, username, password, info)
        _remember_unit(data_dir, username, info.unit_code)
        signer = DeviceSigner(register.wc, info.cid)   # enrolled once for each account that logs in here
        return register, None if signer.enrolled else signer.public_key_b64()
    except BaseException:
        register.wc.close()
        raise


def _kept(register: RegisterStore, fetched: enrolment.Fetched, install: str, version: str,
          today: _dt.date, cid: str = "") -> Check:
    """Database only: what the log-in fetched kept, then the licence checked (a refused one refuses the log-in)."""
    enrolment.keep(register.wc, fetched, cid)
    if fetched.refused is not None:
        raise Refusal(fetched.refused.code, fetched.refused.message_th, "Licence refused.")
    return _licence_or_refuse(register, install, version, today)


def _offline(data_dir: Path, keys: KeyStore, username: str, password: str, card_cid: str, client: CentralClient,
             install: str, today: _dt.date, version: str) -> Session:
    """Database only: the officer checked against what their last online log-in on this PC remembered."""
    unit_code = _unit_of(data_dir, username)
    if unit_code is None:
        raise Refusal("offline.unknown", "ติดต่อเซิร์ฟเวอร์กลางไม่ได้ และบัญชีนี้ยังไม่เคยเข้าสู่ระบบออนไลน์ที่เครื่องนี้ "
                                         "จึงเข้าสู่ระบบแบบออฟไลน์ไม่ได้ กรุณาเชื่อมต่ออินเทอร์เน็ตแล้วลองอีกครั้ง",
                      "The server cannot be reached and this account never logged in online here.")
    register = _open_copy(data_dir, unit_code, keys, False)
    try:
        local = offline_login(register.conn, username, password, card_cid,
                              _dt.datetime.now(_dt.timezone.utc))
        licence = _licence_or_refuse(register, install, version, today)
        found = register.get("unit", unit_code)
        unit_name = found[0].name if found else ""
    except BaseException:
        register.wc.close()
        raise
    account = Account(local.username, local.cid, local.name, Role(local.role), local.unit_code, unit_name)
    return Session(account, False, register, client, licence, install)


def _licence_or_refuse(register: RegisterStore, install: str, version: str, today: _dt.date) -> Check:
    licence = enrolment.licence(register.wc, install, version, today)
    if not licence.may_start:
        raise Refusal(f"licence.{licence.state.value}", licence.message_th, "The licence does not allow starting.")
    return licence


def log_out(session: Session) -> None:
    """Network only: end the session on the server (an offline session has none; a failure changes nothing here —
    the tokens are forgotten with the client, and the refresh token dies on the server by its own time)."""
    if session.online:
        with contextlib.suppress(Exception):  # noqa: BLE001 — whatever it was, the officer is logged out here
            session.client.logout()


__all__ = ["Account", "CopyNeedsRebuild", "Database", "LicenceState", "PasswordChangeRequired", "Session",
           "installation_id", "log_in", "log_out", "remember_officer"]
