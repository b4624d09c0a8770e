"""Change sets: a registry officer's push (a submission, a resubmission or a cancellation — idempotent: a
replay gets the first answer), the unit's staging area (change sets under review), and a registrar's return
of a change set to its author. The server keeps its own copy and moves it with app.changeset's transitions;
every move is news in the unit's feed."""
from __future__ import annotations

import dataclasses

from fastapi import APIRouter, Query
from sqlalchemy import and_, select, update

from app import changeset as csmod
from app.changeset import ReviewState
from app.domain import Role
from app.errors import Refusal
from sync.protocol import (
    API, ApprovalSeal, ChangeSetIn, ChangeSetOut, Id, PushRequest, PushResponse, PushResult, PushStatus, ReturnAnswer,
    ReturnRequest,
)

from .. import calendar, register, security
from ..db import answers, blob_owners, changesets, feed
from .common import Active, ApiError, Caller, Context, Ctx, record_audit

router = APIRouter(prefix=API, tags=["sync"])

# refusals that a later replay of the same request may get past: the register closed for processing, a document
# that has not arrived yet
TRANSIENT = {"calendar.closed", "changeset.evidence_missing"}


@router.post("/changesets", response_model=PushResponse)
def push(body: PushRequest, ctx: Ctx, c: Active) -> PushResponse:
    return PushResponse(results=[_push_one(ctx, c, item) for item in body.changesets])


def _push_one(ctx: Context, c: Caller, item: ChangeSetIn) -> PushResult:
    try:
        cs = csmod.from_json(item.as_json())
    except (KeyError, ValueError, TypeError):
        return PushResult(id=item.id, status=PushStatus.REFUSED, code="changeset.malformed",
                          message_th="ชุดการเปลี่ยนแปลงไม่ครบหรือรูปแบบไม่ถูกต้อง")
    # One submission = one state after one more step of its history: a resubmission is a new request, a
    # replay of the same one gets the first answer. Kept per unit, so no other unit can answer for us, and
    # given only to whom the push itself would be open.
    key = f"push:{c.unit_code}:{cs.id}:{cs.state.value}:{len(cs.history)}"
    try:  # the desk's own rule for this step (app.changeset.require_author), run again on what was sent
        csmod.require_author(c.officer, cs.unit_code, cs.author_cid)
    except Refusal as e:
        return PushResult(id=cs.id, status=PushStatus.REFUSED, code=e.code, message_th=str(e))

    def work(conn):
        first = conn.execute(select(answers.c.body).where(answers.c.key == key)).first()
        if first is not None:
            return PushResult(**first[0])  # a replay gets the first answer
        result = _accept(conn, c, cs)
        if result.code not in TRANSIENT:  # "closed for now" is no final answer: the same push comes again later
            conn.execute(answers.insert().values(key=key, body=result.model_dump(mode="json")))
        return result

    return ctx.in_tx(work)


def _accept(conn, c: Caller, sent) -> PushResult:
    """Take a submission, a resubmission or a cancellation. The server keeps its own copy: the content
    (operations, claims, evidence) is the officer's, the state and history are the server's, moved by
    app.changeset's own transitions and stamped with the server's clock."""
    def refuse(code: str, th: str) -> PushResult:
        return PushResult(id=sent.id, status=PushStatus.REFUSED, code=code, message_th=th)

    if sent.state not in (ReviewState.PENDING, ReviewState.CANCELLED):
        return refuse("changeset.state", f"ส่งชุดการเปลี่ยนแปลงในสถานะ «{sent.state.th}» ไม่ได้")
    phase, period = calendar.phase_on(conn, security.today())
    if phase == "processing":
        return refuse("calendar.closed", calendar.closed_message(period))
    row = conn.execute(select(changesets).where(changesets.c.id == sent.id).with_for_update()).mappings().first()
    if row is not None and row["unit_code"] != c.unit_code:
        return refuse("changeset.id_taken", "รหัสชุดการเปลี่ยนแปลงนี้ถูกใช้แล้ว กรุณาบันทึกใหม่")
    stored = csmod.from_json({**row["data"], "state": row["state"]}) if row is not None else None
    known = {(t.state, t.by_cid) for t in stored.history} if stored is not None else set()
    forged = [t for t in sent.history if (t.state, t.by_cid) not in known
              and not (t.by_cid == c.cid and t.state in (ReviewState.PENDING, ReviewState.CANCELLED))]
    if forged:
        return refuse("changeset.history", "ประวัติของชุดการเปลี่ยนแปลงไม่ตรงกับที่เซิร์ฟเวอร์กลางบันทึกไว้ "
                                           "(มีขั้นตอนที่เซิร์ฟเวอร์ไม่ได้บันทึก) กรุณาบันทึกใหม่")
    if stored is None and sent.state is not ReviewState.PENDING:
        return refuse("changeset.unknown", "ไม่พบชุดการเปลี่ยนแปลงนี้บนเซิร์ฟเวอร์")
    if stored is not None and stored.state is not ReviewState.RETURNED:
        return refuse("changeset.state", f"ชุดการเปลี่ยนแปลงนี้อยู่ในสถานะ «{stored.state.th}» บนเซิร์ฟเวอร์แล้ว")
    if sent.state is ReviewState.CANCELLED:
        cs = stored
        cs.cancel(c.officer)
    else:
        cs = dataclasses.replace(sent, state=stored.state if stored else ReviewState.DRAFT,
                                 history=list(stored.history) if stored else [], return_reason="",
                                 created_at=stored.created_at if stored else security.now())
        verdict, reasons = register.check(conn, cs, security.today())
        if verdict == "refused":
            return refuse("changeset.refused", " ".join(reasons))
        missing = _missing_evidence(conn, c, cs)
        if missing:
            return refuse("changeset.evidence_missing",
                          f"เอกสารแนบ {missing} ฉบับยังไม่ถึงเซิร์ฟเวอร์กลาง ระบบจะส่งให้อีกครั้งเมื่อซิงก์")
        cs.submit(c.officer)
        if verdict == "invalid":  # the rules' verdict now, not a month later from the registrar: back to its author
            cs.rejected("; ".join(reasons))
    store_changeset(conn, cs, row is None)
    record_audit(conn, c, f"changeset.{cs.state.value}", changeset=cs.id)
    if cs.state is ReviewState.RETURNED:
        return PushResult(id=cs.id, status=PushStatus.ACCEPTED, state=cs.state, code="changeset.invalid",
                          message_th=cs.return_reason)
    return PushResult(id=cs.id, status=PushStatus.ACCEPTED, state=cs.state)


def _missing_evidence(conn, c: Caller, cs) -> int:
    """How many of the change set's documents the unit has not sent (a unit cites only its own blobs)."""
    if not cs.evidence:
        return 0
    have = {sha for (sha,) in conn.execute(select(blob_owners.c.sha256).where(and_(
        blob_owners.c.unit_code == c.unit_code, blob_owners.c.sha256.in_(cs.evidence))))}
    return len(set(cs.evidence) - have)


def store_changeset(conn, cs, new: bool, approval: ApprovalSeal | None = None) -> None:
    """The server's copy of a change set (with the registrar's approval once approved), and its news in the
    unit's feed (a pending one travels whole, so the registrar's laptop can review it offline)."""
    data = {**csmod.to_json(cs), **({"approval": approval.model_dump()} if approval is not None else {})}
    at = security.now()
    if new:
        conn.execute(changesets.insert().values(id=cs.id, unit_code=cs.unit_code, author_cid=cs.author_cid,
                                                state=cs.state.value, data=data, created_at=at, updated_at=at))
    else:
        conn.execute(update(changesets).where(changesets.c.id == cs.id).values(
            state=cs.state.value, data=data, updated_at=at))
    news = {"state": cs.state.value, "title": cs.title, "reason": cs.return_reason}
    if cs.state is ReviewState.PENDING:
        news["changeset"] = data
    conn.execute(feed.insert().values(unit_code=cs.unit_code, kind="changeset", record_type="", key=cs.id,
                                      rev=0, data=news, at=at))


@router.get("/changesets", response_model=list[ChangeSetOut], response_model_exclude_unset=True)
def staged(ctx: Ctx, c: Active, state: ReviewState = Query(default=ReviewState.PENDING)) -> list[ChangeSetOut]:
    """The unit's change sets in ``state`` (the staging area: those under review, or sent back)."""
    with ctx.engine.begin() as conn:
        rows = conn.execute(select(changesets.c.data, changesets.c.state).where(and_(
            changesets.c.unit_code == c.unit_code, changesets.c.state == state.value))).all()
    return [ChangeSetOut.model_validate({**data, "state": st}) for data, st in rows]


def refused(e: Refusal, status: int = 409) -> ApiError:
    return ApiError(status, e.code, e.th, e.en)


@router.post("/changesets/{cs_id}/return", response_model=ReturnAnswer)
def return_changeset(cs_id: Id, body: ReturnRequest, ctx: Ctx, c: Active) -> ReturnAnswer:
    def work(conn):
        row = registrar_changeset(conn, c, cs_id, lock=True)
        cs = csmod.from_json({**row["data"], "state": row["state"]})
        if cs.state is not ReviewState.PENDING:
            raise ApiError(409, "changeset.state", f"ชุดการเปลี่ยนแปลงนี้อยู่ในสถานะ «{cs.state.th}» แล้ว")
        try:
            cs.return_(c.officer, body.reason.strip())
        except Refusal as e:
            raise refused(e, 400 if e.code == "changeset.reason_missing" else 409) from None
        store_changeset(conn, cs, False)
        record_audit(conn, c, "changeset.returned", changeset=cs_id)
        return ReturnAnswer(id=cs_id, state=ReviewState.RETURNED)
    return ctx.in_tx(work)


def registrar_changeset(conn, c: Caller, cs_id: str, lock: bool = False):
    """The caller's own unit's change set, for its registrar, who did not write it — checked before
    anything about the change set is read or answered."""
    if c.role is not Role.REGISTRAR:
        raise ApiError(403, "changeset.not_registrar", "เฉพาะนายทะเบียนของหน่วยงานเท่านั้นที่อนุมัติหรือส่งกลับได้")
    query = select(changesets).where(changesets.c.id == cs_id)
    row = conn.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None or row["unit_code"] != c.unit_code:
        raise ApiError(404, "changeset.unknown", "ไม่พบชุดการเปลี่ยนแปลงนี้ในหน่วยงานของท่าน")
    if row["author_cid"] == c.cid:
        raise ApiError(403, "changeset.own_approval", "ผู้บันทึกอนุมัติหรือส่งกลับชุดการเปลี่ยนแปลงของตนเองไม่ได้")
    return row
