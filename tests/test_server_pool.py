"""The central database's connections: a read takes no transaction round trips on PostgreSQL and no write
lock on SQLite (server.db.reading), and a pooled connection PostgreSQL dropped while it rested is replaced
before a request gets it; an SQLite file put straight in a shared folder (/tmp) leaves that folder open."""
from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import select, text

import server.db as db
from server import security
from tests.central import postgres_cluster  # noqa: F401 — the fixture


@pytest.fixture
def pg_url(postgres_cluster):  # noqa: F811
    _pg, base = postgres_cluster
    admin = db.make_engine(base)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("DROP DATABASE IF EXISTS pool_test"))
        conn.execute(text("CREATE DATABASE pool_test"))
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/pool_test"


def test_a_read_on_sqlite_takes_no_write_lock_and_keeps_the_token_key_it_makes(tmp_path):
    path = tmp_path / "central.sqlite3"
    engine = db.make_engine(f"sqlite:///{path}")
    db.migrate(engine)
    with db.reading(engine) as conn:
        made = security.token_key(conn)  # the first caller makes the key: it must be kept
    with db.reading(engine) as conn:
        assert security.token_key(conn) == made
        conn.execute(select(db.accounts.c.id)).all()
        other = sqlite3.connect(path, timeout=0)
        other.execute("BEGIN IMMEDIATE")  # a writer gets the lock at once while the read is open
        other.rollback()
        other.close()
    with engine.begin() as conn:
        assert security.token_key(conn) == made
    engine.dispose()


def test_a_read_on_postgresql_runs_in_autocommit_and_keeps_the_token_key_it_makes(pg_url):
    engine = db.make_engine(pg_url)
    db.migrate(engine)
    with db.reading(engine) as conn:
        assert conn.connection.dbapi_connection.autocommit
        made = security.token_key(conn)
    with engine.begin() as conn:
        assert not conn.connection.dbapi_connection.autocommit  # the pool gave it back as it was
        assert security.token_key(conn) == made
    engine.dispose()


def test_a_pooled_connection_postgresql_dropped_while_it_rested_is_replaced(pg_url, monkeypatch):
    engine = db.make_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(select(1))
    with db.make_engine(pg_url).connect().execution_options(isolation_level="AUTOCOMMIT") as admin:
        dropped = admin.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                     "WHERE datname = 'pool_test' AND pid <> pg_backend_pid()")).scalar()
    assert dropped >= 1
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)  # it has rested long enough to be checked
    with engine.begin() as conn:
        assert conn.execute(select(1)).scalar() == 1
    with db.reading(engine) as conn:
        assert conn.execute(select(1)).scalar() == 1
    engine.dispose()


def test_an_sqlite_file_put_straight_in_a_shared_sticky_folder_leaves_the_folder_open(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)  # as /tmp
    engine = db.make_engine(f"sqlite:///{shared / 'central.sqlite3'}")
    assert shared.stat().st_mode & 0o7777 == 0o1777
    assert (shared / "central.sqlite3").stat().st_mode & 0o777 == 0o600
    engine.dispose()
    own = tmp_path / "own" / "central"
    db.make_engine(f"sqlite:///{own / 'central.sqlite3'}").dispose()
    assert own.stat().st_mode & 0o777 == 0o700  # a folder of its own is still closed
