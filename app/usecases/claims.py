"""The finance officer's actions on claims (issue 19): start one for a beneficiary, keep it as a draft, mark it
ready once the checklist is complete, submit it to NHSO (owed to the server through the outbox), correct a
rejected one, cancel, repay the claimant after NHSO's transfer, close — and the lists of the desk.

Each action is one transaction: the claim and what is owed about it are kept together or not at all. Only a
finance officer of the claim's unit acts on its claims (the register's officers and the registrar never see
them: receipts say what someone was treated for); the server refuses the same again.
"""
from __future__ import annotations

import datetime as _dt
import functools
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from ..claims import Actor, Claim, ClaimState, PayMethod, check, move
from ..claims.checks import CLAIM_WITHIN_YEARS, WARN_DAYS
from ..claims.codec import from_json, to_json
from ..claims.states import statement_of
from ..domain import Role
from ..errors import Refusal, Verdicts
from ..rules.entitlement import Relation, add_years
from ..store.claims import ClaimStore
from ..store.outbox import Kind
from ..store.payments import PaymentStore
from .context import Changed, Desk

S = ClaimState


class View(str, Enum):
    """The desk's lists of claims."""

    TO_SUBMIT = "to_submit"   # draft or ready
    AT_NHSO = "at_nhso"       # with NHSO: waiting for its decision, or accepted and waiting for its transfer
    REJECTED = "rejected"     # to correct (or cancel)
    TO_REPAY = "to_repay"     # NHSO's transfer is recorded: repay the claimant
    EXPIRING = "expiring"     # not yet submitted, a receipt within 30 days of its year
    ALL = "all"

    @property
    def th(self) -> str:
        return {"to_submit": "รอส่ง", "at_nhso": "อยู่ที่ สปสช.", "rejected": "ไม่อนุมัติ (แก้ไขได้)",
                "to_repay": "รอจ่ายคืน", "expiring": "ใกล้ครบกำหนด 1 ปี", "all": "ทั้งหมด"}[self.value]


STATES_OF_VIEW = {View.TO_SUBMIT: (S.DRAFT, S.READY),
                  View.AT_NHSO: (S.SUBMITTED, S.ACCEPTED, S.PARTLY_ACCEPTED, S.IN_TRANSFER),
                  View.REJECTED: (S.REJECTED,), View.TO_REPAY: (S.IN_TRANSFER,), View.EXPIRING: (S.DRAFT, S.READY),
                  View.ALL: None}


def _finance(desk: Desk, claim: Claim | None = None) -> None:
    officer = desk.officer
    if officer.role is not Role.FINANCE_OFFICER:
        raise Refusal("claim.not_finance", "เฉพาะเจ้าหน้าที่การเงินของหน่วยงานเท่านั้นที่ดูและทำเรื่องเบิกได้",
                      "Only the unit's finance officers handle claims.")
    if claim is not None and claim.unit_code != officer.unit_code:
        raise Refusal("claim.other_unit", "คำขอเบิกนี้เป็นของหน่วยงานอื่น", "The claim belongs to another unit.")


def _store(desk: Desk) -> ClaimStore:
    return ClaimStore(desk.register.wc)


def new_claim(desk: Desk, claimant_cid: str, patient_cid: str, relation: Relation) -> Claim:
    """A fresh draft for a beneficiary's care (nothing kept until :func:`keep`)."""
    _finance(desk)
    return Claim(str(uuid.uuid4()), desk.officer.unit_code, claimant_cid, patient_cid, relation)


def verdicts(desk: Desk, claim: Claim) -> Verdicts:
    """What the rules say about ``claim`` today, over this PC's working copy (the screen shows it as typed)."""
    _finance(desk, claim)
    facts = desk.register.load_facts({claim.claimant_cid, claim.patient_cid})
    return check(claim, facts, desk.today, _store(desk).used_receipts(claim))


def _refuse_errors(found: Verdicts) -> None:
    if not found.ok:
        first = found.errors[0]
        more = len(found.errors) - 1
        raise Refusal("claim.incomplete", first.th + (f" (และอีก {more} รายการ)" if more else ""), first.en,
                      first.subject)


def _now(desk: Desk) -> _dt.datetime:
    return desk.clock()


def keep(desk: Desk, claim: Claim) -> Changed:
    """Kept on this PC as the officer typed it: a draft (a ready claim that was changed is a draft again)."""
    _finance(desk, claim)
    stored = _store(desk).get(claim.id)
    if stored is not None and stored.state not in (S.DRAFT, S.READY, S.REJECTED):
        raise Refusal("claim.sent", f"คำขอเบิกนี้อยู่ในสถานะ «{stored.state.th}» แก้ไขไม่ได้แล้ว",
                      "The claim was sent: it cannot be changed.")
    history = stored.history if stored is not None else claim.history
    claim = claim.with_(history=history)
    if claim.state is S.READY:
        claim = move(claim, S.DRAFT, Actor.FINANCE, desk.officer.cid, _now(desk), reason="แก้ไขข้อมูล")
    with desk.transaction() as conn:
        _store(desk).save_in(conn, claim)
    return Changed(claims=(claim,))


def make_ready(desk: Desk, claim: Claim) -> Changed:
    """Checked and complete: ready to submit. A claim the rules refuse stays a draft, with the first reason."""
    _finance(desk, claim)
    _refuse_errors(verdicts(desk, claim))
    claim = _current(desk, claim)
    if claim.state is S.REJECTED:
        claim = move(claim, S.DRAFT, Actor.FINANCE, desk.officer.cid, _now(desk), reason="แก้ไขแล้วส่งใหม่")
    if claim.state is not S.READY:
        claim = move(claim, S.READY, Actor.FINANCE, desk.officer.cid, _now(desk))
    with desk.transaction() as conn:
        _store(desk).save_in(conn, claim)
    return Changed(claims=(claim,))


def _current(desk: Desk, claim: Claim) -> Claim:
    """What the officer typed, on the history this PC keeps (the caller's copy never decides the history)."""
    stored = _store(desk).get(claim.id)
    return claim.with_(history=stored.history) if stored is not None else claim.with_(history=())


def submit(desk: Desk, claim: Claim) -> Changed:
    """Sent to NHSO: checked again, then owed to the server with its evidence (one outbox item per submission)."""
    _finance(desk, claim)
    changed = make_ready(desk, claim)
    claim = move(changed.claims[-1], S.SUBMITTED, Actor.FINANCE, desk.officer.cid, _now(desk))
    submissions = sum(1 for s in claim.history if s.state is S.SUBMITTED)
    with desk.transaction() as conn:
        _store(desk).save_in(conn, claim)
        desk.outbox.owe_in(conn, f"claim:{claim.id}:{submissions}", Kind.CLAIM, claim.id,
                           {"author_cid": desk.officer.cid, "claim": to_json(claim)})
    return Changed(claims=(claim,), owed=1)


def cancel(desk: Desk, claim: Claim, reason: str) -> Changed:
    _finance(desk, claim)
    claim = move(_current(desk, claim), S.CANCELLED, Actor.FINANCE, desk.officer.cid, _now(desk), reason=reason.strip())
    with desk.transaction() as conn:
        _store(desk).save_in(conn, claim)
    return Changed(claims=(claim,))


def transferred(desk: Desk) -> set[str]:
    """The payment statements whose transfer NHSO recorded, as this PC holds them (signatures checked at sync)."""
    return {s["id"] for s in PaymentStore(desk.register.wc).all() if s.get("transfer")}


def repay(desk: Desk, claim: Claim, amount: Decimal, voucher: str, paid_on: _dt.date, method: PayMethod) -> Changed:
    """The claimant repaid from NHSO's transfer (the receipt they sign is app.documents.claim_papers): only once
    this PC holds NHSO's record of the transfer that paid the claim."""
    _finance(desk, claim)
    if paid_on > desk.today:
        raise Refusal("claim.paid_future", "วันที่จ่ายเงินยังไม่ถึง กรุณาตรวจสอบวันที่", "The payment date is in the future.")
    current = _current(desk, claim)
    sid = statement_of(current)
    if current.state is S.IN_TRANSFER and sid not in transferred(desk):
        raise Refusal("claim.not_transferred",
                      f"สปสช. ยังไม่ได้โอนเงินตามรายการ {sid} จ่ายคืนผู้มีสิทธิได้เมื่อได้รับเงินโอนแล้ว "
                      "(กด «ซิงก์ตอนนี้» เพื่อรับข้อมูลการโอนล่าสุด)",
                      "NHSO has not transferred this statement yet: repay once the money has come.")
    claim = move(current, S.REPAID, Actor.FINANCE, desk.officer.cid, _now(desk), amount=amount,
                 voucher=voucher.strip(), paid_on=paid_on, method=method)
    with desk.transaction() as conn:
        _store(desk).save_in(conn, claim)
    return Changed(claims=(claim,))


def close(desk: Desk, claim: Claim) -> Changed:
    _finance(desk, claim)
    claim = move(_current(desk, claim), S.CLOSED, Actor.FINANCE, desk.officer.cid, _now(desk))
    with desk.transaction() as conn:
        _store(desk).save_in(conn, claim)
    return Changed(claims=(claim,))


@dataclass(frozen=True)
class ClaimLine:
    """A claim as the desk's list shows it, read from the store's columns; the whole claim is decoded only when
    asked for (:attr:`claim`: the one the officer opens), so a list of thousands opens at once."""

    id: str
    state: ClaimState
    claimant_cid: str
    patient_cid: str
    relation: Relation
    facility: str
    first_day: _dt.date | None
    last_day: _dt.date | None
    claimed: Decimal
    days_left: int | None     # to the end of the year to claim, from the oldest receipt (None: no receipt)
    data: str = field(default="", repr=False, compare=False)

    @functools.cached_property
    def claim(self) -> Claim:
        return from_json(json.loads(self.data))


def days_left(claim: Claim, today: _dt.date) -> int | None:
    first = min((r.issued_on for r in claim.receipts), default=None)
    return None if first is None else (add_years(first, CLAIM_WITHIN_YEARS) - today).days


def in_view(line: ClaimLine, view: View, paid: set[str]) -> bool:
    """Does ``line`` belong in ``view``? ``paid``: the statements whose transfer is recorded (:func:`transferred`):
    a claim in a statement NHSO has not paid yet is still with NHSO, not to repay."""
    states = STATES_OF_VIEW[view]
    if states is not None and line.state not in states:
        return False
    if view is View.EXPIRING:
        return line.days_left is not None and line.days_left <= WARN_DAYS
    if line.state is S.IN_TRANSFER and view in (View.AT_NHSO, View.TO_REPAY):
        return (statement_of(line.claim) in paid) is (view is View.TO_REPAY)
    return True


def view_counts(every: list[ClaimLine], paid: set[str]) -> dict[View, int]:
    """How many of ``every`` (the whole list) each view holds; ``paid`` as :func:`in_view` takes it."""
    return {v: sum(1 for x in every if in_view(x, v, paid)) for v in View}


def claims_list(desk: Desk, view: View = View.ALL) -> list[ClaimLine]:
    _finance(desk)
    today, lines = desk.today, []
    for (cid_, state, claimant, patient, relation, facility, first, last, claimed, receipt,
         data) in _store(desk).lines(desk.officer.unit_code, STATES_OF_VIEW[view]):
        left = None if receipt is None else \
            (add_years(_dt.date.fromisoformat(receipt), CLAIM_WITHIN_YEARS) - today).days
        lines.append(ClaimLine(cid_, ClaimState(state), claimant, patient, Relation(relation), facility,
                               _dt.date.fromisoformat(first) if first else None,
                               _dt.date.fromisoformat(last) if last else None, Decimal(claimed), left, data))
    if view is not View.ALL:
        paid = transferred(desk) if view in (View.AT_NHSO, View.TO_REPAY) else set()
        lines = [x for x in lines if in_view(x, view, paid)]
    if view is View.EXPIRING:
        lines.sort(key=lambda x: x.days_left)
    return lines


__all__ = ["ClaimLine", "View", "cancel", "claims_list", "close", "days_left", "in_view", "keep", "make_ready",
           "new_claim", "repay", "statement_of", "submit", "transferred", "verdicts", "view_counts"]
