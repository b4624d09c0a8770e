"""The training central server: the made-up training unit, its three officers with a known training
password, and its register — the same people as the desktop's training copy (app.training)."""
from __future__ import annotations

import datetime as _dt
import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, delete, or_, select, union
from sqlalchemy.engine import Engine

from app import training
from app.records import people_of, record_key, to_dict, type_name

from .db import accounts, answers, changesets, metadata, record_history, records, sessions, units
from .register import register_unit
from .statements import issue
from .security import hash_password, now

TRAINING_PASSWORD = training.TRAINING_PASSWORD


@dataclass(frozen=True)
class Seeded:
    made: bool                    # the training unit was created now (new, or rebuilt)
    old_rule_ids: tuple[str, ...] = ()  # not empty: the training unit was rebuilt, because it held these IDs


def seed(engine: Engine, staff: int = 120) -> bool:
    """Create the training unit's officers and register once; returns False when they are already there
    (and sound: a training unit made with the old check-digit rule is rebuilt, see :func:`ensure`)."""
    return ensure(engine, staff).made


def ensure(engine: Engine, staff: int = 120) -> Seeded:
    """The training unit, its officers and register, in one transaction: created when absent; rebuilt when
    it holds citizen IDs that fail today's check-digit rule (made before issue 15); otherwise left alone.
    Only the training unit's rows are ever read for this or removed (:func:`purge_training_unit`)."""
    data = training.generate(staff=staff)
    stale: list[str] = []
    with engine.begin() as conn:
        if conn.execute(select(accounts.c.id).where(accounts.c.unit_code == data.unit.code)).first() is not None:
            stale = old_rule_ids(conn)
            if not stale:
                return Seeded(False)
            purge_training_unit(conn)
        register_unit(conn, to_dict(data.unit))
        hashed = hash_password(TRAINING_PASSWORD)
        for o in data.officers:
            conn.execute(accounts.insert().values(
                id=str(uuid.uuid4()), username=o.email, cid=o.cid, name=o.name, position=o.position,
                role=o.role.value, unit_code=o.unit_code, email=o.email, mobile=o.mobile, password_hash=hashed,
                must_change_password=False, active=True, failed_logins=0, created_at=now()))
        put_register(conn, data)
        # last month's confirmation round, so the registrar's screen has a statement to show in training
        issue(conn, data.unit.code, (_dt.date.today().replace(day=1) - _dt.timedelta(days=1)).replace(day=1))
    return Seeded(True, tuple(stale))


def old_rule_ids(conn: Connection) -> list[str]:
    """The training unit's citizen IDs (its register, its accounts, its change sets' authors) that fail today's
    rule."""
    code = training.UNIT.code
    query = union(
        select(records.c.cid).where(records.c.unit_code == code),
        select(records.c.other_cid).where(records.c.unit_code == code),
        select(accounts.c.cid).where(accounts.c.unit_code == code),
        select(changesets.c.author_cid).where(changesets.c.unit_code == code),
    )
    return training.old_rule_ids(r[0] for r in conn.execute(query))


def purge_training_unit(conn: Connection) -> None:
    """Remove every row of the training unit — and of no other unit: its accounts and what hangs on them
    (sessions, devices, and whatever names one of its sessions), its records and their history, its change
    sets' stored answers, and every row of any table that names the unit (change sets, feed, statements,
    audit, blob owners …, and tables added later)."""
    code = training.UNIT.code
    account_ids = [r[0] for r in conn.execute(select(accounts.c.id).where(accounts.c.unit_code == code))]
    session_ids = [r[0] for chunk in _chunks(account_ids)
                   for r in conn.execute(select(sessions.c.id).where(sessions.c.account_id.in_(chunk)))]
    changeset_ids = [r[0] for r in conn.execute(select(changesets.c.id).where(changesets.c.unit_code == code))]
    keys = [tuple(r) for r in conn.execute(select(records.c.type, records.c.id).where(records.c.unit_code == code))]
    for table in metadata.sorted_tables:
        for column, ids in (("session_id", session_ids), ("account_id", account_ids)):
            if column in table.c and table is not accounts:
                for chunk in _chunks(ids):
                    conn.execute(delete(table).where(table.c[column].in_(chunk)))
    for kind in {k for k, _ in keys}:
        for chunk in _chunks([rid for k, rid in keys if k == kind]):
            conn.execute(delete(record_history).where(record_history.c.type == kind,
                                                      record_history.c.id.in_(chunk)))
    # stored answers: keyed by the caller's unit ("push:<unit>:<id>:…", "approve:<unit>:<id>:<round>"), or in older
    # databases by the change set alone ("push:<id>:…", "approve:<id>") — matched by their exact shape only
    conn.execute(delete(answers).where(or_(answers.c.key.startswith(f"push:{code}:", autoescape=True),
                                           answers.c.key.startswith(f"approve:{code}:", autoescape=True))))
    for cs_id in changeset_ids:
        conn.execute(delete(answers).where(or_(answers.c.key == f"approve:{cs_id}",
                                               answers.c.key.startswith(f"push:{cs_id}:", autoescape=True))))
    for table in metadata.sorted_tables:
        if "unit_code" in table.c:
            conn.execute(delete(table).where(table.c.unit_code == code))
    conn.execute(delete(units).where(units.c.code == code))


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def put_register(conn, data: training.TrainingData) -> None:
    """The training people and their records, at revision 1, in the register of record."""
    rows, history = [], []
    at = _dt.datetime.now(_dt.timezone.utc)
    for record in [*data.persons, *data.records]:
        kind, rid, body = type_name(record), record_key(record), to_dict(record)
        a, b = people_of(kind, body)
        rows.append(dict(type=kind, id=rid, unit_code=data.unit.code, cid=a, other_cid=b, rev=1, data=body))
        history.append(dict(type=kind, id=rid, rev=1, data=body, changeset_id=None, at=at))
    conn.execute(records.insert(), rows)
    conn.execute(record_history.insert(), history)

