"""The central database: its tables (SQLAlchemy Core), the engine (its pool checks a connection only after
it rested; reading() for requests that only read), and migrations (Alembic).

The same schema on PostgreSQL (production) and SQLite (embedded: training and single machines).
The tables here describe the current schema for queries; the migrations in ``server/migrations``
create and change them, and ``lgo-central migrate`` runs them on either database.
"""
from __future__ import annotations

import contextlib
import os
import stat
import time
from pathlib import Path
from typing import Iterator

from sqlalchemy import (
    JSON, BigInteger, Boolean, Column, Date, DateTime, Index, Integer, LargeBinary, MetaData, String, Table, Text,
    create_engine, event,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError

Json = JSON().with_variant(JSONB(), "postgresql")
metadata = MetaData()

server_keys = Table(
    "server_keys", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", LargeBinary, nullable=False),
)

units = Table(
    "units", metadata,
    Column("code", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("province", Text, nullable=False),
    Column("rev", Integer, nullable=False, default=1),
    Column("data", Json, nullable=False),
)

accounts = Table(
    "accounts", metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("cid", String(13), nullable=False),
    Column("name", Text, nullable=False),
    Column("position", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("unit_code", String(32), nullable=False),
    Column("email", Text, nullable=False),
    Column("mobile", Text, nullable=False, default=""),
    Column("password_hash", Text, nullable=False),
    Column("must_change_password", Boolean, nullable=False, default=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("revoked_at", DateTime(timezone=True)),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("accounts_unit_role", "unit_code", "role"),
    Index("accounts_cid", "cid"),
)

sessions = Table(
    "sessions", metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("refresh_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

# Tries of a password per user name (its SHA-256: a name typed wrong may be a password), counted before
# each check so parallel guesses each take a number; known and unknown names alike.
login_throttle = Table(
    "login_throttle", metadata,
    Column("key", String(64), primary_key=True),
    Column("failed", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True)),
)

# Refresh tokens already spent (their SHA-256) and the session they belonged to: one used again ends it.
spent_refresh = Table(
    "spent_refresh", metadata,
    Column("hash", String(64), primary_key=True),
    Column("session_id", String(36), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

devices = Table(
    "devices", metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("public_key", LargeBinary, nullable=False),
    Column("label", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

records = Table(
    "records", metadata,
    Column("type", String(32), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("unit_code", String(32)),
    Column("cid", String(13)),
    Column("other_cid", String(13)),
    Column("rev", Integer, nullable=False),
    Column("data", Json, nullable=False),
    Index("records_cid", "cid"),
    Index("records_unit_code", "unit_code"),
    Index("records_other_cid", "other_cid"),
)

record_history = Table(
    "record_history", metadata,
    Column("type", String(32), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("rev", Integer, primary_key=True),
    Column("data", Json, nullable=False),
    Column("changeset_id", String(36)),
    Column("at", DateTime(timezone=True), nullable=False),
)

changesets = Table(
    "changesets", metadata,
    Column("id", String(36), primary_key=True),
    Column("unit_code", String(32), nullable=False),
    Column("author_cid", String(13), nullable=False),
    Column("state", String(16), nullable=False),
    Column("data", Json, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("changesets_unit_state", "unit_code", "state"),
)

# The first answer to an idempotent request, so a replay gets it again.
answers = Table(
    "answers", metadata,
    Column("key", String(128), primary_key=True),
    Column("body", Json, nullable=False),
)

feed = Table(
    "feed", metadata,
    Column("seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("unit_code", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("record_type", String(32), nullable=False, default=""),
    Column("key", String(64), nullable=False, default=""),
    Column("rev", Integer, nullable=False, default=0),
    Column("data", Json),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("feed_unit_seq", "unit_code", "seq"),
)

audit = Table(
    "audit", metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("account_id", String(36)),
    Column("unit_code", String(32)),
    Column("action", String(64), nullable=False),
    Column("detail", Json),
)

# Which units sent (and so may fetch) each attachment; the bytes live in the blob store folder.
blob_owners = Table(
    "blob_owners", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("unit_code", String(32), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

# The registration calendar (seeds 001, attachment 3): open for recording, closed while NHSO processes,
# a confirmation round. A day in no period is open (daily recording after go-live).
periods = Table(
    "periods", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("phase", String(16), nullable=False),   # open | processing | confirmation
    Column("starts", Date, nullable=False),
    Column("ends", Date, nullable=False),          # exclusive
)

# A unit's statement: who was entitled on a date, signed by the server; the registrar confirms it.
statements = Table(
    "statements", metadata,
    Column("id", String(36), primary_key=True),
    Column("unit_code", String(32), nullable=False, index=True),
    Column("as_of", Date, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("body", Json, nullable=False),
    Column("signature", Text, nullable=False),
    Column("confirmed_by", String(13)),
    Column("confirmed_at", DateTime(timezone=True)),
)

# The finance officers' claims (issue 19 §3): the server's own copy of each (app.claims.codec.to_json, its history
# made here), staged for NHSO; ``submission``: how many times the unit submitted it.
claims = Table(
    "claims", metadata,
    Column("id", String(36), primary_key=True),
    Column("unit_code", String(32), nullable=False),
    Column("state", String(20), nullable=False),
    Column("author_cid", String(13), nullable=False),
    Column("submission", Integer, nullable=False),
    Column("data", Json, nullable=False),
    Column("statement_id", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("claims_unit_state", "unit_code", "state"),
    Index("claims_state", "state"),
)

CLAIM_FEED = ("claim", "payment")  # the feed kinds only a unit's finance officers read (their own feed)

# Each receipt once per unit (app.claims.receipt_key): two claims racing with the same receipt meet here.
claim_receipts = Table(
    "claim_receipts", metadata,
    Column("unit_code", String(32), primary_key=True),
    Column("receipt_key", String(400), primary_key=True),
    Column("claim_id", String(36), nullable=False, index=True),
)

# Which blobs are a claim's evidence (only the unit's finance officers and NHSO staff may fetch them).
claim_evidence = Table(
    "claim_evidence", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("claim_id", String(36), primary_key=True),
    Column("unit_code", String(32), nullable=False),
    Index("claim_evidence_unit", "unit_code", "sha256"),
)

# A unit's payment statement for a month, signed by the server; the transfer once NHSO records it.
payment_statements = Table(
    "payment_statements", metadata,
    Column("id", String(64), primary_key=True),
    Column("unit_code", String(32), nullable=False),
    Column("month", String(7), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("body", Json, nullable=False),
    Column("signature", Text, nullable=False),
    Column("transfer", Json),
    Column("transfer_signature", Text),
    Index("payment_statements_unit_month", "unit_code", "month", unique=True),
)

# The certificates of entitlement the units issued (issue 18 §4), each checked against the register when
# recorded; a unit's number is unique within the unit.
certificates = Table(
    "certificates", metadata,
    Column("unit_code", String(32), primary_key=True),
    Column("number", String(32), primary_key=True),
    Column("cid", String(13), nullable=False, index=True),
    Column("relation", String(16), nullable=False),
    Column("via_cid", String(13), nullable=False),
    Column("admitted_on", Date, nullable=False),
    Column("issued_by", String(13), nullable=False),
    Column("account_id", String(36), nullable=False),
    Column("data", Json, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

MIGRATIONS = Path(__file__).with_name("migrations")


def private_folder(folder: Path) -> Path:
    """``folder``, made if need be, readable by its owner only (0700): the embedded server's database holds
    the keys that sign log-ins and statements."""
    folder.mkdir(parents=True, exist_ok=True)
    # A shared sticky folder (/tmp, for a database file put straight in it) is not ours to close: 0700 on
    # /tmp locks every other user out of it (PostgreSQL's own, for one: initdb then fails).
    if os.name == "posix" and not folder.stat().st_mode & stat.S_ISVTX:
        os.chmod(folder, 0o700)
    return folder


def default_url() -> str:
    """$LGO_CENTRAL_DB, or the embedded SQLite file in the per-user data folder."""
    url = os.environ.get("LGO_CENTRAL_DB")
    if url:
        return url
    import platformdirs
    folder = private_folder(Path(platformdirs.user_data_dir("LGO Registry Desk", "NHSO")) / "central")
    return f"sqlite:///{folder / 'central.sqlite3'}"


def default_blob_dir(url: str) -> Path:
    """$LGO_BLOB_DIR, or a folder beside the embedded SQLite file."""
    override = os.environ.get("LGO_BLOB_DIR")
    if override:
        return Path(override)
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):]).parent / "blobs"
    raise RuntimeError("set LGO_BLOB_DIR: where the server keeps attachments")


def make_engine(url: str) -> Engine:
    """The engine; SQL parameters (people's data, hashes) never appear in an error's text or a log."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            private_folder(Path(path).parent)
            if os.name == "posix":
                Path(path).touch(mode=0o600, exist_ok=True)
                os.chmod(path, 0o600)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None  # transactions begin below, as IMMEDIATE
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:
            # Take the write lock at the start: two requests that read and then write the same rows run one
            # after the other, as PostgreSQL's row locks make them, instead of the second failing its write.
            # A read (reading() below) takes none: WAL lets it run beside a writer.
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READING) else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url, pool_size=10, max_overflow=10, hide_parameters=True)
    _ping_after_idle(engine)
    return engine


READING = "lgo_reading"


@contextlib.contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for a request that only reads — each statement a consistent snapshot of its own, as in
    a READ COMMITTED transaction. On PostgreSQL it runs in autocommit: a statement is one round trip, with no
    BEGIN and COMMIT around it (the token check and a feed page: two round trips instead of six). On SQLite it
    is a plain (deferred) transaction that takes no write lock. Should a statement write after all (the
    server's token key, made on first use), the write is kept."""
    if engine.dialect.name == "sqlite":
        with engine.connect().execution_options(**{READING: True}) as conn:
            yield conn
            conn.commit()
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT", **{READING: True}) as conn:
            yield conn


PING_AFTER_IDLE = 5.0  # seconds a pooled connection may rest before it is checked on its way out


def _ping_after_idle(engine: Engine) -> None:
    """A pooled connection that rested longer than PING_AFTER_IDLE is checked (``SELECT 1``) before use, and
    replaced when PostgreSQL has dropped it (a restart, an idle timeout). SQLAlchemy's ``pool_pre_ping``
    checks every checkout: two round trips more on every request of a busy server (BEGIN, SELECT 1), and
    each round trip waits for a PostgreSQL backend and the worker's GIL again — the feed's tail on a loaded
    machine. A connection in use every few milliseconds is not checked."""
    @event.listens_for(engine, "checkin")
    def _rested_from(_dbapi_conn, record) -> None:
        record.info["lgo_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check_if_rested(dbapi_conn, record, _proxy) -> None:
        since = record.info.get("lgo_idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return
        try:
            cur = dbapi_conn.cursor()
            try:
                cur.execute("SELECT 1")
            finally:
                cur.close()
            dbapi_conn.rollback()
        except engine.dialect.loaded_dbapi.Error as e:  # the pool drops it and takes (or makes) another
            raise DisconnectionError("a pooled connection was dropped by the database") from e


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (Alembic, the same steps on SQLite and PostgreSQL)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
