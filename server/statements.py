"""Statements (บัญชีรายชื่อผู้มีสิทธิ): the unit's entitled people and dependents on a date, computed
with the rules of ``app/`` from the register of record and signed by the server, so the registrar's PC
can check it offline before confirming it in a confirmation round."""
from __future__ import annotations

import base64
import datetime as _dt
import uuid

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from app.rules.entitlement import entitled_on, spans_for
from app.statements import body_bytes

from .db import feed, records, statements
from .register import load_facts
from .security import now, signing_key


def compute(conn: Connection, unit_code: str, as_of: _dt.date) -> dict:
    staff = {row[0] for row in conn.execute(select(records.c.cid).where(and_(
        records.c.type == "employment", records.c.unit_code == unit_code)))}
    facts = load_facts(conn, staff)
    lines = []
    for cid in sorted(staff):
        for s in entitled_on(spans_for(facts, cid), as_of):
            if s.unit_code != unit_code:
                continue
            person = facts.persons.get(s.cid)
            lines.append({"cid": s.cid, "name": person.name_th if person else "", "relation": s.relation.value,
                          "via_cid": s.via_cid, "personnel_type": s.personnel_type, "secondary": s.secondary})
    lines.sort(key=lambda x: (x["via_cid"], x["relation"] != "self", x["cid"]))
    return {"unit_code": unit_code, "as_of": as_of.isoformat(), "people": lines,
            "counts": {"beneficiaries": sum(1 for x in lines if x["relation"] == "self"),
                       "dependents": sum(1 for x in lines if x["relation"] != "self")}}


def issue(conn: Connection, unit_code: str, as_of: _dt.date) -> str:
    body = compute(conn, unit_code, as_of)
    signature = base64.b64encode(signing_key(conn).sign(body_bytes(body))).decode()
    sid = str(uuid.uuid4())
    at = now()
    conn.execute(statements.insert().values(id=sid, unit_code=unit_code, as_of=as_of, issued_at=at, body=body,
                                            signature=signature))
    tell(conn, unit_code, sid, as_of)
    return sid


def tell(conn: Connection, unit_code: str, sid: str, as_of: _dt.date, confirmed_by: str | None = None) -> None:
    """A feed item for the unit's PCs: a statement to fetch (issued, or confirmed since)."""
    conn.execute(feed.insert().values(unit_code=unit_code, kind="statement", record_type="", key=sid, rev=0,
                                      data={"id": sid, "as_of": as_of.isoformat(), "confirmed_by": confirmed_by},
                                      at=now()))


def listing(row) -> dict:
    """A statement as the API gives it."""
    return {"id": row["id"], "as_of": row["as_of"].isoformat(), "counts": row["body"]["counts"],
            "issued_at": row["issued_at"].isoformat(), "confirmed_by": row["confirmed_by"],
            "confirmed_at": row["confirmed_at"].isoformat() if row["confirmed_at"] else None,
            "signature": row["signature"], "body": row["body"]}
