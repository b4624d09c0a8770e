"""A registrar's approval of a change set, signed on an enrolled device (offline too), checked and applied to
the register in one transaction; one answer per submission, replayed to a repeated request."""
from __future__ import annotations

import datetime as _dt

from fastapi import APIRouter
from sqlalchemy import and_, select

from app import changeset as csmod
from app.changeset import ReviewState
from app.offline import OFFLINE_DAYS
from sync.protocol import API, Approval, ApprovalResult, ApprovalSeal, ApprovalStatus

from .. import calendar, register, security
from ..db import answers, devices
from .changesets import registrar_changeset, store_changeset
from .common import Active, ApiError, Ctx, record_audit

router = APIRouter(prefix=API, tags=["sync"])

CLOCK_SKEW = _dt.timedelta(minutes=5)  # how far ahead of the server's clock a PC's clock may run


@router.post("/approvals", response_model=ApprovalResult)
def approve(body: Approval, ctx: Ctx, c: Active) -> ApprovalResult:
    approved_at = body.approved_at if body.approved_at.tzinfo else body.approved_at.replace(tzinfo=_dt.timezone.utc)

    def work(conn):  # one transaction: the checks, the register, the answer
        row = registrar_changeset(conn, c, body.changeset_id, lock=True)  # who asks, before any answer
        cs = csmod.from_json({**row["data"], "state": row["state"]})
        # one approval per submission: a change set sent back and resubmitted is approved afresh
        rounds = sum(1 for t in cs.history if t.state is ReviewState.PENDING)
        key = f"approve:{c.unit_code}:{body.changeset_id}:{rounds}"
        first = conn.execute(select(answers.c.body).where(answers.c.key == key)).first()
        if first is not None:
            return ApprovalResult(**first[0])
        phase, period = calendar.phase_on(conn, security.today())
        if phase == "processing":
            raise ApiError(409, "calendar.closed", calendar.closed_message(period), "Closed for processing.",
                           reopens=period["ends"].isoformat())
        device = conn.execute(select(devices).where(and_(devices.c.id == body.device_id,
                                                         devices.c.account_id == c.account_id,
                                                         devices.c.revoked.is_(False)))).mappings().first()
        if device is None or not security.signature_holds(bytes(device["public_key"]), body.signature,
                                                          csmod.canonical_digest(cs)):
            raise ApiError(403, "approval.signature",
                           "ลายมือชื่ออิเล็กทรอนิกส์ของการอนุมัติตรวจสอบไม่ผ่าน (เครื่องนี้อาจยังไม่ได้ลงทะเบียน) "
                           "กรุณาอนุมัติใหม่จากเครื่องที่ลงทะเบียนแล้ว", "The approval's signature does not verify.")
        if cs.state is not ReviewState.PENDING:
            raise ApiError(409, "changeset.state", f"ชุดการเปลี่ยนแปลงนี้อยู่ในสถานะ «{cs.state.th}» แล้ว")
        # An approval made offline keeps the time it was signed, within what can be true: not ahead of the
        # server's clock, and not earlier than a registrar can have been offline before the change set
        # reached the server (on a shared PC the registrar may approve before the push has gone out).
        received = max((t.at for t in cs.history if t.state is ReviewState.PENDING), default=cs.created_at)
        earliest = received - _dt.timedelta(days=OFFLINE_DAYS)
        if approved_at > security.now() + CLOCK_SKEW or approved_at < earliest:
            raise ApiError(422, "approval.time",
                           "เวลาอนุมัติไม่ถูกต้อง (อยู่ในอนาคต หรือก่อนที่ชุดการเปลี่ยนแปลงจะส่งถึงนายทะเบียนได้) "
                           "กรุณาตั้งวันเวลาของเครื่องให้ถูกต้องแล้วอนุมัติใหม่", "The approval time cannot be true.",
                           earliest=earliest.isoformat())
        register.lock_units(conn, cs)
        outcome = register.apply(conn, cs, security.thai_day(approved_at))
        cs.approve(c.officer, at=approved_at)
        if outcome.status == "applied":
            cs.applied()
        else:
            cs.rejected("; ".join(outcome.reasons_th))
        store_changeset(conn, cs, False, ApprovalSeal(by_cid=c.cid, device_id=body.device_id,
                                                      approved_at=approved_at.isoformat(), signature=body.signature))
        result = ApprovalResult(changeset_id=cs.id, status=ApprovalStatus(outcome.status),
                                code="" if outcome.status == "applied" else f"approval.{outcome.status}",
                                reasons_th=outcome.reasons_th, current=outcome.current)
        conn.execute(answers.insert().values(key=key, body=result.model_dump(mode="json")))
        record_audit(conn, c, f"approval.{outcome.status}", changeset=cs.id)
        return result

    return ctx.in_tx(work)
