"""The unit's statements (บัญชีรายชื่อผู้มีสิทธิ), signed by the server: the list (``brief``: without the people),
one whole, and the registrar's confirmation."""
from __future__ import annotations

from fastapi import APIRouter, Query
from sqlalchemy import select, update

from app.domain import Role
from sync.protocol import API, Id, StatementConfirmed, StatementOut

from .. import security
from .. import statements as stmts
from ..db import statements
from .common import Active, ApiError, Ctx, record_audit

router = APIRouter(prefix=API, tags=["statements"])


@router.get("/statements", response_model=list[StatementOut], response_model_exclude_unset=True)
def statement_list(ctx: Ctx, c: Active, brief: bool = Query(default=False)) -> list[StatementOut]:
    """The unit's statements, newest first; ``brief``: without the lists of people."""
    with ctx.engine.begin() as conn:
        rows = conn.execute(select(statements).where(statements.c.unit_code == c.unit_code)
                            .order_by(statements.c.as_of.desc())).mappings().all()
    return [StatementOut.model_validate({k: v for k, v in stmts.listing(r).items() if not (brief and k == "body")})
            for r in rows]


@router.get("/statements/{statement_id}", response_model=StatementOut)
def statement_one(statement_id: Id, ctx: Ctx, c: Active) -> StatementOut:
    with ctx.engine.begin() as conn:
        row = conn.execute(select(statements).where(statements.c.id == statement_id)).mappings().first()
    if row is None or row["unit_code"] != c.unit_code:
        raise ApiError(404, "statement.unknown", "ไม่พบบัญชีรายชื่อนี้ในหน่วยงานของท่าน")
    return StatementOut.model_validate(stmts.listing(row))


@router.post("/statements/{statement_id}/confirm", response_model=StatementConfirmed)
def statement_confirm(statement_id: Id, ctx: Ctx, c: Active) -> StatementConfirmed:
    if c.role is not Role.REGISTRAR:
        raise ApiError(403, "statement.not_registrar", "เฉพาะนายทะเบียนของหน่วยงานเท่านั้นที่ยืนยันบัญชีรายชื่อได้")
    with ctx.engine.begin() as conn:
        row = conn.execute(select(statements).where(statements.c.id == statement_id)).mappings().first()
        if row is None or row["unit_code"] != c.unit_code:
            raise ApiError(404, "statement.unknown", "ไม่พบบัญชีรายชื่อนี้ในหน่วยงานของท่าน")
        if row["confirmed_by"] is None:
            conn.execute(update(statements).where(statements.c.id == statement_id).values(
                confirmed_by=c.cid, confirmed_at=security.now()))
            record_audit(conn, c, "statement.confirmed", statement=statement_id)
            stmts.tell(conn, c.unit_code, statement_id, row["as_of"], c.cid)
    return StatementConfirmed(id=statement_id, confirmed=True)
