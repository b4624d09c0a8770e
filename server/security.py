"""Passwords (argon2id), tokens, the server's own keys, device signatures.

Access tokens are short-lived and HMAC-signed with a key kept in the database (so any worker can check
them); each names a session, and log-out revokes the session. Refresh tokens are random, stored only
as their SHA-256. Nothing here logs a password, a token or a key.
"""
from __future__ import annotations

import base64
import contextlib
import datetime as _dt
import hashlib
import hmac
import json
import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.engine import Connection

from .db import server_keys

ACCESS_TTL = _dt.timedelta(minutes=10)
REFRESH_TTL = _dt.timedelta(days=14)
MAX_FAILED = 5                          # failed log-ins before a temporary lock-out
LOCKOUT = _dt.timedelta(minutes=15)

_hasher = PasswordHasher()  # argon2id with the library's current parameters


def hash_password(password: str) -> str:
    return _hasher.hash(password)


_dummy: list[str] = []


def dummy_hash() -> str:
    """A hash no password matches, checked when the user name is unknown, so that answer takes the same
    work as a wrong password's (made once per process, not per request)."""
    if not _dummy:
        _dummy.append(_hasher.hash(secrets.token_urlsafe(24)))
    return _dummy[0]


def check_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def one_time_password() -> str:
    """12 characters people can type from an e-mail: no 0/O or 1/l/I."""
    alphabet = "".join(ch for ch in string.ascii_letters + string.digits if ch not in "0O1lI")
    return "".join(secrets.choice(alphabet) for _ in range(12))


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, in Thai; None when it is."""
    if len(password) < 10:
        return "รหัสผ่านใหม่ต้องยาวอย่างน้อย 10 ตัวอักษร"
    kinds = sum(any(f(ch) for ch in password) for f in (str.islower, str.isupper, str.isdigit))
    if kinds < 2:
        return "รหัสผ่านใหม่ต้องมีอย่างน้อยสองแบบ จากตัวพิมพ์เล็ก ตัวพิมพ์ใหญ่ และตัวเลข"
    return None


def now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


THAILAND = _dt.timezone(_dt.timedelta(hours=7), "ICT")   # Thailand keeps no daylight saving


def thai_day(at: _dt.datetime) -> _dt.date:
    """The date in Thailand at ``at``: the register's days (a calendar period, the day of care, a year to claim)
    are Thai days — by UTC's date the server would live in yesterday until seven in the morning."""
    return at.astimezone(THAILAND).date()


def today() -> _dt.date:
    return thai_day(now())


def aware(value: _dt.datetime | None) -> _dt.datetime | None:
    """SQLite hands datetimes back without their zone; they were stored in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=_dt.timezone.utc)
    return value


# --- the server's keys (created on first use, kept in the database for every worker) ------------------

def server_key(conn: Connection, name: str, make) -> bytes:
    row = conn.execute(select(server_keys.c.value).where(server_keys.c.name == name)).first()
    if row is not None:
        return bytes(row[0])
    value = make()
    # two workers may make it at once: the first one wins (in a transaction a savepoint keeps the loser's
    # transaction usable; a connection in autocommit, server.db.reading on PostgreSQL, has none to keep)
    autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    try:
        with contextlib.nullcontext() if autocommit else conn.begin_nested():
            conn.execute(server_keys.insert().values(name=name, value=value))
    except IntegrityError:
        return bytes(conn.execute(select(server_keys.c.value).where(server_keys.c.name == name)).scalar_one())
    return value


def token_key(conn: Connection) -> bytes:
    return server_key(conn, "token-hmac", lambda: secrets.token_bytes(32))


def signing_key(conn: Connection) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    raw = server_key(conn, "ed25519", lambda: Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()))
    return Ed25519PrivateKey.from_private_bytes(raw)


# --- tokens ---------------------------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_access_token(key: bytes, session_id: str, account_id: str) -> str:
    body = json.dumps({"sid": session_id, "aid": account_id,
                       "exp": int((now() + ACCESS_TTL).timestamp())}, separators=(",", ":")).encode()
    sig = hmac.new(key, body, hashlib.sha256).digest()
    return f"{_b64(body)}.{_b64(sig)}"


def read_access_token(key: bytes, token: str) -> dict | None:
    """The token's claims when its signature holds and it has not expired; None otherwise."""
    try:
        body_b64, sig_b64 = token.split(".", 1)
        body, sig = _unb64(body_b64), _unb64(sig_b64)
    except (ValueError, TypeError):
        return None
    if not hmac.compare_digest(sig, hmac.new(key, body, hashlib.sha256).digest()):
        return None
    try:
        claims = json.loads(body)
    except ValueError:
        return None
    if claims.get("exp", 0) < now().timestamp():
        return None
    return claims


def new_refresh_token() -> tuple[str, str]:
    """(the token for the client, the hash the server keeps)."""
    token = secrets.token_urlsafe(32)
    return token, refresh_hash(token)


def refresh_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def name_key(username: str) -> str:
    """What the log-in counter is kept under: a hash of the name, since a name typed wrong may be a password."""
    return hashlib.sha256(("login:" + username).encode()).hexdigest()


# --- device signatures ------------------------------------------------------------------------------------

def parse_public_key(text: str) -> bytes:
    raw = base64.b64decode(text, validate=True)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    Ed25519PublicKey.from_public_bytes(raw)
    return raw


def signature_holds(public_key: bytes, signature_b64: str, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(base64.b64decode(signature_b64), message)
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False
