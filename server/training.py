"""The training central server: the made-up training unit, its three officers with a known training
password, and its register — the same people as the desktop's training copy (app.training)."""
from __future__ import annotations

import datetime as _dt
import uuid

from sqlalchemy import select
from sqlalchemy.engine import Engine

from app import training
from app.records import people_of, record_key, to_dict, type_name

from .db import accounts, record_history, records
from .register import register_unit
from .statements import issue
from .security import hash_password, now

TRAINING_PASSWORD = training.TRAINING_PASSWORD


def seed(engine: Engine, staff: int = 120) -> bool:
    """Create the training unit's officers and register once; returns False when they are already there."""
    data = training.generate(staff=staff)
    with engine.begin() as conn:
        if conn.execute(select(accounts.c.id).where(accounts.c.unit_code == data.unit.code)).first() is not None:
            return False
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
    return True


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

