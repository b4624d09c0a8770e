"""The claims area of the central server (issue 19 §3): a finance officer's claim staged for NHSO after the server
checked it again on its own register of record, NHSO's decisions, the month's payment statement per unit (signed
like the register statements) and the transfer that pays it.

The server keeps its own copy of each claim: the content (care, receipts, evidence) is the finance officer's, the
history is made here by app.claims.move with the server's clock — never a state or a step because a client said so.
Every move is news in the unit's claims feed (kind ``claim``: the whole claim; ``payment``: a payment statement),
which only the unit's finance officers read. A refusal raises :class:`~server.routes.common.ApiError` before
anything is written; the caller owns the transaction.
"""
from __future__ import annotations

import base64
import datetime as _dt
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.engine import Connection

from app.claims import Actor, Claim, ClaimState, check, money, move, receipt_key
from app.claims.codec import from_json, to_json
from app.claims.states import accepted_amount
from app.errors import Refusal
from app.statements import body_bytes

from .db import CLAIM_FEED, answers, blob_owners, claim_evidence, claim_receipts, claims, feed, payment_statements
from .register import load_facts
from .routes.common import ApiError
from .security import now, signing_key, thai_day

S = ClaimState
TRANSIENT = {"claim.evidence_missing"}
MOST_REASONS = 20  # a refusal names this many reasons at most (a long stay could name one a day)


def refusal(e: Refusal, status: int = 409) -> ApiError:
    return ApiError(status, e.code, e.th, e.en)


def submissions(claim: Claim) -> int:
    return sum(1 for s in claim.history if s.state is S.SUBMITTED)


def _row(conn: Connection, claim_id: str, lock: bool = False):
    query = select(claims).where(claims.c.id == claim_id)
    return conn.execute(query.with_for_update() if lock else query).mappings().first()


def copy_of(row) -> dict[str, Any]:
    """The server's copy as the API and the feed give it."""
    return {"claim": row["data"], "submission": row["submission"]}


def _tell(conn: Connection, unit_code: str, kind: str, key: str, data: dict) -> None:
    conn.execute(feed.insert().values(unit_code=unit_code, kind=kind, record_type="", key=key, rev=0, data=data,
                                      at=now()))


def _save(conn: Connection, claim: Claim, submission: int, author_cid: str, new: bool,
          statement_id: str | None = None) -> None:
    data = to_json(claim)
    at = now()
    if new:
        conn.execute(claims.insert().values(id=claim.id, unit_code=claim.unit_code, state=claim.state.value,
                                            author_cid=author_cid, submission=submission, data=data,
                                            statement_id=statement_id, created_at=at, updated_at=at))
    else:
        values = dict(state=claim.state.value, submission=submission, data=data, updated_at=at)
        if statement_id is not None:
            values["statement_id"] = statement_id
        conn.execute(update(claims).where(claims.c.id == claim.id).values(**values))
    _tell(conn, claim.unit_code, "claim", claim.id, {"claim": data, "submission": submission})


# --- the finance officer's push -----------------------------------------------------------------------------

def stage(conn: Connection, unit_code: str, by_cid: str, sent_json: dict, staged=None) -> dict:
    """Stage a submitted claim for NHSO, or refuse it (ApiError) with nothing written. Idempotent by the claim's
    id and its submission number: a replay gets the first answer (and writes nothing). ``staged(answer)``, when
    given, runs in the same transaction once the claim is staged anew. The caller has checked the role."""
    try:
        sent = from_json(sent_json)
    except Refusal as e:
        raise refusal(e, 422) from None
    if sent.unit_code != unit_code:
        raise ApiError(403, "claim.other_unit", "ส่งได้เฉพาะคำขอเบิกของหน่วยงานตนเอง", "The claim is another unit's.")
    n = submissions(sent)
    if sent.state is not S.SUBMITTED or n < 1:
        raise ApiError(422, "claim.state", f"ส่งคำขอเบิกที่อยู่ในสถานะ «{sent.state.th}» ไปยัง สปสช. ไม่ได้",
                       "Only a submitted claim is sent.")
    key = f"claim:{unit_code}:{sent.id}:{n}"
    first = conn.execute(select(answers.c.body).where(answers.c.key == key)).first()
    if first is not None:
        return first[0]  # a replay: the first answer
    row = _row(conn, sent.id, lock=True)
    if row is not None and row["unit_code"] != unit_code:
        raise ApiError(409, "claim.id_taken", "รหัสคำขอเบิกนี้ถูกใช้แล้ว กรุณาสร้างคำขอเบิกใหม่", "The id is taken.")
    stored = from_json(row["data"]) if row is not None else None
    if stored is not None and stored.state is not S.REJECTED:
        raise ApiError(409, "claim.at_nhso", f"คำขอเบิกนี้อยู่ในสถานะ «{stored.state.th}» ที่ สปสช. แล้ว ส่งซ้ำไม่ได้",
                       "The claim is already with NHSO.")
    if row is not None and n <= row["submission"]:  # an old submission replayed after a later one was staged
        raise ApiError(409, "claim.stale", f"เป็นการส่งซ้ำของคำขอเบิกฉบับเก่า (ครั้งที่ {n}) ซึ่งมีฉบับที่แก้ไขแล้ว "
                       f"(ครั้งที่ {row['submission']}) อยู่ที่เซิร์ฟเวอร์กลาง จึงไม่รับ", "An older submission.")
    # The content is the officer's; the history is the server's own, moved here with the server's clock.
    claim = sent.with_(history=stored.history if stored is not None else ())
    today = thai_day(now())
    found = _verdicts(conn, claim, today)   # (app.claims folds how a receipt is spelled: plain_text, receipt_key)
    if not found.ok:
        reasons = [v.th for v in found.errors]
        more = f" ; และอีก {len(reasons) - MOST_REASONS} ข้อ" if len(reasons) > MOST_REASONS else ""
        raise ApiError(422, "claim.refused", " ; ".join(reasons[:MOST_REASONS]) + more,
                       "The claim fails the checks on the register of record.", reasons=reasons[:MOST_REASONS],
                       subjects=[v.subject for v in found.errors][:MOST_REASONS], count=len(reasons))
    shas = sorted({p.sha256 for p in claim.pages})
    have = {sha for (sha,) in conn.execute(select(blob_owners.c.sha256).where(and_(
        blob_owners.c.unit_code == unit_code, blob_owners.c.sha256.in_(shas))))} if shas else set()
    if set(shas) - have:
        raise ApiError(409, "claim.evidence_missing",
                       f"เอกสารหลักฐาน {len(set(shas) - have)} ไฟล์ของคำขอเบิกนี้ยังไม่ถึงเซิร์ฟเวอร์กลาง "
                       "ระบบจะส่งให้อีกครั้งเมื่อซิงก์", "Evidence not yet uploaded.", missing=len(set(shas) - have))
    at = now()
    try:
        if stored is not None:
            claim = move(claim, S.DRAFT, Actor.FINANCE, by_cid, at, reason="แก้ไขแล้วส่งใหม่")
        claim = move(claim, S.READY, Actor.FINANCE, by_cid, at)
        claim = move(claim, S.SUBMITTED, Actor.FINANCE, by_cid, at)
    except Refusal as e:
        raise refusal(e) from None
    _save(conn, claim, n, by_cid, row is None)
    conn.execute(delete(claim_receipts).where(claim_receipts.c.claim_id == claim.id))
    keys = sorted({receipt_key(claim.facility, r.number) for r in claim.receipts if r.number.strip()})
    for k in keys:  # one order everywhere: two racing claims meet at the same first key
        conn.execute(claim_receipts.insert().values(unit_code=unit_code, receipt_key=k, claim_id=claim.id))
    conn.execute(delete(claim_evidence).where(claim_evidence.c.claim_id == claim.id))
    for sha in shas:
        conn.execute(claim_evidence.insert().values(sha256=sha, claim_id=claim.id, unit_code=unit_code))
    answer = {"id": claim.id, "state": claim.state.value, "submission": n}
    conn.execute(answers.insert().values(key=key, body=answer))
    if staged is not None:
        staged(answer)
    return answer


def _verdicts(conn: Connection, claim: Claim, today: _dt.date):
    """app.claims.check on the register of record, the server's date, and the unit's claims on the server."""
    from app.errors import Verdicts
    keys = [receipt_key(claim.facility, r.number) for r in claim.receipts if r.number.strip()]
    used = dict(conn.execute(select(claim_receipts.c.receipt_key, claim_receipts.c.claim_id).where(and_(
        claim_receipts.c.unit_code == claim.unit_code, claim_receipts.c.receipt_key.in_(keys)))).all()) if keys else {}
    try:
        facts = load_facts(conn, {claim.claimant_cid, claim.patient_cid}, claim.unit_code)
        return check(claim, facts, today, used)
    except (ValueError, OverflowError, TypeError, KeyError, AttributeError):
        out = Verdicts()
        out.add("claim.unreckonable", "ตรวจสอบสิทธิตามหลักเกณฑ์ไม่ได้ เพราะข้อมูลบางช่องไม่อยู่ในช่วงที่เป็นไปได้ "
                "(เช่น วันที่ที่ห่างจากปัจจุบันมากผิดปกติ) กรุณาตรวจสอบวันที่ที่กรอก", "The rules cannot reckon with it.",
                subject="days")
        return out


# --- NHSO: decisions, the month's payment statements, transfers -------------------------------------------------

DECISIONS = {"accept": S.ACCEPTED, "partly": S.PARTLY_ACCEPTED, "reject": S.REJECTED}


def waiting(conn: Connection, state: ClaimState = S.SUBMITTED, unit_code: str | None = None) -> list[dict]:
    query = select(claims).where(claims.c.state == state.value)
    if unit_code:
        query = query.where(claims.c.unit_code == unit_code)
    return [copy_of(r) for r in conn.execute(query.order_by(claims.c.updated_at, claims.c.id)).mappings()]


def decide(conn: Connection, claim_id: str, decision: str, by: str, amount: str | Decimal | None = None,
           reason: str = "") -> dict:
    """NHSO's decision on a submitted claim, by app.claims.move's table (Actor.NHSO)."""
    row = _row(conn, claim_id, lock=True)
    if row is None:
        raise ApiError(404, "claim.unknown", "ไม่พบคำขอเบิกนี้", "No such claim.")
    if decision not in DECISIONS:
        raise ApiError(422, "claim.decision", "ผลการพิจารณาต้องเป็น accept, partly หรือ reject", "Unknown decision.")
    carried: dict[str, Any] = {"reason": reason.strip()}
    if amount is not None:
        try:
            carried["amount"] = money(amount)
        except ArithmeticError:
            raise ApiError(422, "claim.amount", "จำนวนเงินไม่ถูกต้อง", "Not an amount.") from None
    try:
        claim = move(from_json(row["data"]), DECISIONS[decision], Actor.NHSO, by, now(), **carried)
    except Refusal as e:
        raise refusal(e, 409 if e.code == "claim.move" else 422) from None
    _save(conn, claim, row["submission"], row["author_cid"], False)
    return {"claim": to_json(claim), "submission": row["submission"]}


def _month(month: str) -> tuple[_dt.date, _dt.date]:
    try:
        y, m = (int(x) for x in month.split("-"))
        start = _dt.date(y, m, 1)
    except (ValueError, TypeError):
        raise ApiError(422, "payment.month", "เดือนต้องอยู่ในรูปแบบ ปปปป-ดด (ค.ศ.) เช่น 2026-11",
                       "The month is YYYY-MM.") from None
    return start, _dt.date(y + (m == 12), m % 12 + 1, 1)


def statement_id(month: str, unit_code: str) -> str:
    return f"PS-{month}-{unit_code}"


def close_month(conn: Connection, month: str, by: str, today: _dt.date | None = None) -> list[str]:
    """Each unit's payment statement for ``month``: its claims accepted (in full or in part) before the month
    ended and not yet in a statement, signed by the server; each claim moves to ``in_transfer``. Returns the
    statements made (none when there was nothing to close)."""
    today = today or thai_day(now())
    _start, end = _month(month)
    if today < end:
        raise ApiError(409, "payment.month_open", f"เดือน {month} ยังไม่สิ้นสุด ปิดรายการประจำเดือนได้ตั้งแต่วันที่ "
                       f"{end.isoformat()}", "The month has not ended.")
    rows = conn.execute(select(claims).where(claims.c.state.in_((S.ACCEPTED.value, S.PARTLY_ACCEPTED.value)))
                        .order_by(claims.c.unit_code, claims.c.id).with_for_update()).mappings().all()
    by_unit: dict[str, list[tuple[Any, Claim]]] = {}
    for row in rows:
        claim = from_json(row["data"])
        if thai_day(claim.history[-1].at) < end:
            by_unit.setdefault(row["unit_code"], []).append((row, claim))
    made = []
    key = signing_key(conn)
    for unit_code, items in sorted(by_unit.items()):
        sid = statement_id(month, unit_code)
        if conn.execute(select(payment_statements.c.id).where(payment_statements.c.id == sid)).first() is not None:
            continue  # closed already: what was decided since goes into the next month's
        lines = [{"claim_id": c.id, "claimant_cid": c.claimant_cid, "patient_cid": c.patient_cid,
                  "first_day": c.first_day.isoformat() if c.first_day else None, "claimed": str(c.claimed),
                  "accepted": str(money(accepted_amount(c) or 0)), "decision": c.state.value} for _r, c in items]
        total = sum((Decimal(x["accepted"]) for x in lines), Decimal("0.00"))
        body = {"id": sid, "unit_code": unit_code, "month": month, "issued_on": today.isoformat(), "lines": lines,
                "count": len(lines), "total": str(money(total))}
        signature = base64.b64encode(key.sign(body_bytes(body))).decode()
        conn.execute(payment_statements.insert().values(id=sid, unit_code=unit_code, month=month, issued_at=now(),
                                                        body=body, signature=signature))
        at = now()
        for row, claim in items:
            try:
                moved = move(claim, S.IN_TRANSFER, Actor.NHSO, by, at, statement=sid)
            except Refusal as e:
                raise refusal(e) from None
            _save(conn, moved, row["submission"], row["author_cid"], False, statement_id=sid)
        _tell_payment(conn, sid)
        made.append(sid)
    return made


def _payment_row(conn: Connection, sid: str, lock: bool = False):
    query = select(payment_statements).where(payment_statements.c.id == sid)
    return conn.execute(query.with_for_update() if lock else query).mappings().first()


def payment_out(row) -> dict:
    return {"id": row["id"], "unit_code": row["unit_code"], "month": row["month"], "body": row["body"],
            "signature": row["signature"], "transfer": row["transfer"],
            "transfer_signature": row["transfer_signature"] or ""}


def _tell_payment(conn: Connection, sid: str) -> None:
    row = _payment_row(conn, sid)
    _tell(conn, row["unit_code"], "payment", sid, payment_out(row))


def record_transfer(conn: Connection, sid: str, date: _dt.date, ref: str, today: _dt.date | None = None) -> dict:
    """NHSO's transfer of a payment statement's total to the unit (the bank's reference), signed by the server.
    The same transfer recorded again changes nothing; a different one is refused."""
    today = today or thai_day(now())
    ref = ref.strip()
    row = _payment_row(conn, sid, lock=True)
    if row is None:
        raise ApiError(404, "payment.unknown", "ไม่พบรายการโอนเงิน (payment statement) นี้", "No such statement.")
    if not ref:
        raise ApiError(422, "payment.ref", "กรุณาระบุเลขอ้างอิงการโอนของธนาคาร", "Give the bank's reference.")
    transfer = {"statement": sid, "date": date.isoformat(), "ref": ref, "amount": row["body"]["total"]}
    if row["transfer"]:
        if row["transfer"] == transfer:
            return payment_out(row)
        raise ApiError(409, "payment.transferred", "บันทึกการโอนเงินของรายการนี้ไว้แล้ว (วันที่หรือเลขอ้างอิงต่างจากนี้)",
                       "A transfer is already recorded.")
    if date > today:
        raise ApiError(422, "payment.future", "วันที่โอนเงินยังไม่ถึง กรุณาตรวจสอบวันที่", "The date is in the future.")
    if date < _dt.date.fromisoformat(row["body"]["issued_on"]):
        raise ApiError(422, "payment.early", "วันที่โอนเงินอยู่ก่อนวันที่ออกรายการ กรุณาตรวจสอบวันที่",
                       "The transfer is dated before the statement.")
    signature = base64.b64encode(signing_key(conn).sign(body_bytes(transfer))).decode()
    conn.execute(update(payment_statements).where(payment_statements.c.id == sid).values(
        transfer=transfer, transfer_signature=signature))
    _tell_payment(conn, sid)
    return payment_out(_payment_row(conn, sid))


__all__ = ["CLAIM_FEED", "DECISIONS", "TRANSIENT", "close_month", "copy_of", "decide", "payment_out",
           "record_transfer", "stage", "statement_id", "submissions", "waiting"]
