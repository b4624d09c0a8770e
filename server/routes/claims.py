"""Claims (issue 19 §3). ``/claims``: a finance officer of the unit pushes a submitted claim (idempotent; its
evidence first, as blobs), lists the unit's claims, reads one, and follows the unit's claims feed (decisions,
payment statements, transfers). ``/nhso``: NHSO's staff — their own accounts, never a unit's officer — list the
claims waiting, decide each, close a month into signed payment statements, record transfers, and read a claim's
evidence. The work itself is :mod:`server.claims`; here is who may ask."""
from __future__ import annotations

from fastapi import APIRouter, Query, Response
from sqlalchemy import and_, select

from app.claims import ClaimState
from app.domain import Role
from sync.protocol import (
    API, ClaimAnswer, ClaimCopy, ClaimNews, ClaimNewsPage, ClaimPush, CloseMonthIn, DecisionIn, Id,
    PaymentStatementOut, TransferIn,
)

from .. import claims as central
from ..db import CLAIM_FEED, claim_evidence, claims, feed, payment_statements, reading
from .common import Active, ApiError, Caller, Ctx, encoded, record_audit

router = APIRouter(prefix=API, tags=["claims"])
nhso = APIRouter(prefix=API + "/nhso", tags=["nhso"])


def finance(c: Caller) -> None:
    """Separation of duties: the unit's finance officers only (receipts say what someone was treated for)."""
    if c.role is not Role.FINANCE_OFFICER:
        raise ApiError(403, "claim.not_finance", "เฉพาะเจ้าหน้าที่การเงินของหน่วยงานเท่านั้นที่ส่งและดูคำขอเบิกได้",
                       "Only the unit's finance officers handle claims.")


def staff(c: Caller) -> None:
    if not c.staff:
        raise ApiError(403, "claim.not_nhso", "เฉพาะเจ้าหน้าที่ สปสช. เท่านั้นที่พิจารณาคำขอเบิกและบันทึกการโอนเงินได้",
                       "Only NHSO staff decide claims.")


@router.post("/claims", response_model=ClaimAnswer)
def push(body: ClaimPush, ctx: Ctx, c: Active) -> ClaimAnswer:
    finance(c)
    if body.author_cid != c.cid:  # the outbox sends an officer's submission under that officer's own log-in
        raise ApiError(403, "claim.not_author", "ส่งได้เฉพาะคำขอเบิกที่ท่านยื่นเอง ให้ผู้ยื่นเข้าสู่ระบบแล้วส่งเอง",
                       "Only its author sends a submission.")

    def work(conn):
        return central.stage(conn, c.unit_code, c.cid, body.claim.as_json(), staged=lambda answer: record_audit(
            conn, c, "claim.submitted", claim=answer["id"], submission=answer["submission"]))

    return ClaimAnswer.model_validate(ctx.in_tx(work))


@router.get("/claims", response_model=list[ClaimCopy])
def unit_claims(ctx: Ctx, c: Active, state: ClaimState | None = Query(default=None)) -> list[ClaimCopy]:
    finance(c)
    query = select(claims).where(claims.c.unit_code == c.unit_code)
    if state is not None:
        query = query.where(claims.c.state == state.value)
    with ctx.engine.begin() as conn:
        rows = conn.execute(query.order_by(claims.c.updated_at.desc())).mappings().all()
    return [ClaimCopy.model_validate(central.copy_of(r)) for r in rows]


@router.get("/claims/feed", response_model=ClaimNewsPage)
def claims_feed(ctx: Ctx, c: Active, since: int = Query(default=0, ge=0, le=2**63 - 1),
                limit: int = Query(default=500, ge=1, le=5000)) -> Response:
    """The unit's claims news since a cursor of its own (a shared PC's registry officer never reads it)."""
    finance(c)
    with reading(ctx.engine) as conn:
        rows = conn.execute(select(feed.c.seq, feed.c.kind, feed.c.key, feed.c.data).where(and_(
            feed.c.unit_code == c.unit_code, feed.c.seq > since, feed.c.kind.in_(CLAIM_FEED)))
            .order_by(feed.c.seq).limit(limit + 1)).all()
    more = len(rows) > limit
    items = [ClaimNews(seq=seq, kind=kind, key=key, data=data) for seq, kind, key, data in rows[:limit]]
    return encoded(ClaimNewsPage(items=items, next_seq=items[-1].seq if items else since, more=more))


@router.get("/claims/payments/{statement_id}", response_model=PaymentStatementOut)
def unit_payment(statement_id: str, ctx: Ctx, c: Active) -> PaymentStatementOut:
    finance(c)
    with ctx.engine.begin() as conn:
        row = conn.execute(select(payment_statements).where(payment_statements.c.id == statement_id)).mappings().first()
    if row is None or row["unit_code"] != c.unit_code:
        raise ApiError(404, "payment.unknown", "ไม่พบรายการโอนเงินนี้ในหน่วยงานของท่าน", "No such statement here.")
    return PaymentStatementOut.model_validate(central.payment_out(row))


@router.get("/claims/{claim_id}", response_model=ClaimCopy)
def unit_claim(claim_id: Id, ctx: Ctx, c: Active) -> ClaimCopy:
    finance(c)
    with ctx.engine.begin() as conn:
        row = conn.execute(select(claims).where(claims.c.id == claim_id)).mappings().first()
    if row is None or row["unit_code"] != c.unit_code:
        raise ApiError(404, "claim.unknown", "ไม่พบคำขอเบิกนี้ในหน่วยงานของท่าน", "No such claim in your unit.")
    return ClaimCopy.model_validate(central.copy_of(row))


# --- NHSO's staff ------------------------------------------------------------------------------------------------

@nhso.get("/claims", response_model=list[ClaimCopy])
def nhso_claims(ctx: Ctx, c: Active, state: ClaimState = Query(default=ClaimState.SUBMITTED),
                unit: str | None = Query(default=None, max_length=32)) -> list[ClaimCopy]:
    staff(c)
    with ctx.engine.begin() as conn:
        return [ClaimCopy.model_validate(x) for x in central.waiting(conn, state, unit)]


@nhso.post("/claims/{claim_id}/decision", response_model=ClaimCopy)
def nhso_decide(claim_id: Id, body: DecisionIn, ctx: Ctx, c: Active) -> ClaimCopy:
    staff(c)

    def work(conn):
        out = central.decide(conn, claim_id, body.decision, c.username, body.amount, body.reason)
        record_audit(conn, c, f"claim.{central.DECISIONS[body.decision].value}", out["claim"]["unit_code"],
                     claim=claim_id)
        return out

    return ClaimCopy.model_validate(ctx.in_tx(work))


@nhso.get("/claims/{claim_id}/blobs/{sha256}")
def nhso_evidence(claim_id: Id, sha256: str, ctx: Ctx, c: Active) -> Response:
    staff(c)
    with ctx.engine.begin() as conn:
        cited = conn.execute(select(claim_evidence.c.sha256).join(claims, claims.c.id == claim_evidence.c.claim_id)
                             .where(and_(claim_evidence.c.claim_id == claim_id,
                                         claim_evidence.c.sha256 == sha256))).first()  # a claim's, not an upload's
    if cited is None:
        raise ApiError(404, "blob.missing", "ไม่พบไฟล์หลักฐานนี้ในคำขอเบิก", "Not this claim's evidence.")
    from .blobs import blob_call
    data = blob_call(lambda: ctx.blob_store().read(sha256))
    from app.filetypes import sniff
    return Response(content=data, media_type=sniff(data) or "application/octet-stream",
                    headers={"X-Content-Type-Options": "nosniff",
                             "Content-Disposition": f'attachment; filename="{sha256[:16]}"'})


@nhso.post("/payments/close", response_model=list[PaymentStatementOut])
def nhso_close(body: CloseMonthIn, ctx: Ctx, c: Active) -> list[PaymentStatementOut]:
    staff(c)

    def work(conn):
        made = central.close_month(conn, body.month, c.username)
        record_audit(conn, c, "payment.closed", "", month=body.month, statements=made)
        rows = conn.execute(select(payment_statements).where(payment_statements.c.id.in_(made))).mappings().all()
        return [central.payment_out(r) for r in rows]

    return [PaymentStatementOut.model_validate(x) for x in ctx.in_tx(work)]


@nhso.post("/payments/{statement_id}/transfer", response_model=PaymentStatementOut)
def nhso_transfer(statement_id: str, body: TransferIn, ctx: Ctx, c: Active) -> PaymentStatementOut:
    staff(c)

    def work(conn):
        out = central.record_transfer(conn, statement_id, body.date, body.ref)
        record_audit(conn, c, "payment.transferred", out["unit_code"], statement=statement_id)
        return out

    return PaymentStatementOut.model_validate(ctx.in_tx(work))
