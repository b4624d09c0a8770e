"""The life of a claim, and who may move it (the same table runs on the desktop and on the server).

    draft → ready → submitted → accepted | partly accepted | rejected
    accepted | partly accepted → in transfer → repaid → closed
    draft | ready → cancelled
    rejected → draft (corrected, then ready and submitted again: the next steps of the same claim)

Each move appends a :class:`Step` to the claim's history; nothing earlier is ever rewritten. The unit's finance
officers move their own unit's claims up to "submitted" and after the transfer; NHSO's staff decide; NHSO's
month-end statement (:data:`Actor.NHSO` too) puts accepted claims into a transfer.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from ..errors import Refusal
from .claim import Claim, money


class ClaimState(str, Enum):
    DRAFT = "draft"
    READY = "ready"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    REJECTED = "rejected"
    IN_TRANSFER = "in_transfer"
    REPAID = "repaid"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def th(self) -> str:
        return {"draft": "ร่าง", "ready": "พร้อมส่ง", "submitted": "ส่ง สปสช. แล้ว", "accepted": "สปสช. อนุมัติ",
                "partly_accepted": "สปสช. อนุมัติบางส่วน", "rejected": "สปสช. ไม่อนุมัติ",
                "in_transfer": "อยู่ในรายการโอนเงิน", "repaid": "จ่ายคืนผู้มีสิทธิแล้ว", "closed": "ปิดเรื่อง",
                "cancelled": "ยกเลิก"}[self.value]


class Actor(str, Enum):
    FINANCE = "finance"   # a finance officer of the claim's unit
    NHSO = "nhso"         # NHSO's staff (decisions, statements, transfers)


class PayMethod(str, Enum):
    CASH = "cash"
    TRANSFER = "transfer"
    CHEQUE = "cheque"

    @property
    def th(self) -> str:
        return {"cash": "เงินสด", "transfer": "โอนเข้าบัญชีธนาคาร", "cheque": "เช็ค"}[self.value]


S = ClaimState
MOVES: dict[tuple[ClaimState, ClaimState], Actor] = {
    (S.DRAFT, S.READY): Actor.FINANCE,
    (S.READY, S.DRAFT): Actor.FINANCE,          # opened again to change something
    (S.READY, S.SUBMITTED): Actor.FINANCE,
    (S.DRAFT, S.CANCELLED): Actor.FINANCE,
    (S.READY, S.CANCELLED): Actor.FINANCE,
    (S.SUBMITTED, S.ACCEPTED): Actor.NHSO,
    (S.SUBMITTED, S.PARTLY_ACCEPTED): Actor.NHSO,
    (S.SUBMITTED, S.REJECTED): Actor.NHSO,
    (S.REJECTED, S.DRAFT): Actor.FINANCE,       # corrected: the same claim goes round again
    (S.ACCEPTED, S.IN_TRANSFER): Actor.NHSO,
    (S.PARTLY_ACCEPTED, S.IN_TRANSFER): Actor.NHSO,
    (S.IN_TRANSFER, S.REPAID): Actor.FINANCE,
    (S.REPAID, S.CLOSED): Actor.FINANCE,
}


@dataclass(frozen=True)
class Step:
    """One move: to which state, when, by whom, and what the move carries."""

    state: ClaimState
    at: _dt.datetime
    by: str                          # the officer's CID, or NHSO staff's account
    reason: str = ""                 # rejected / partly accepted / cancelled / corrected
    amount: Decimal | None = None    # accepted (partly) / repaid
    statement: str = ""              # in transfer: NHSO's payment statement
    voucher: str = ""                # repaid: the unit's voucher number (ใบสำคัญจ่าย)
    paid_on: _dt.date | None = None
    method: PayMethod | None = None


def accepted_amount(claim: Claim) -> Decimal | None:
    """What NHSO accepted in the claim's latest decision (None before one)."""
    for step in reversed(claim.history):
        if step.state in (S.ACCEPTED, S.PARTLY_ACCEPTED):
            return step.amount
        if step.state in (S.REJECTED, S.DRAFT):
            return None
    return None


def statement_of(claim: Claim) -> str:
    """NHSO's payment statement that put ``claim`` into a transfer ("" when none has)."""
    return next((s.statement for s in reversed(claim.history) if s.state is S.IN_TRANSFER), "")


def move(claim: Claim, to: ClaimState, actor: Actor, by: str, at: _dt.datetime, **carried) -> Claim:
    """The claim with one more step, or a :class:`Refusal` saying in Thai why it cannot move so."""
    now = claim.state
    allowed = MOVES.get((now, to))
    if allowed is None:
        raise Refusal("claim.move", f"คำขอเบิกที่อยู่ในสถานะ «{now.th}» เปลี่ยนเป็น «{to.th}» ไม่ได้",
                      f"A claim that is {now.value} cannot become {to.value}.")
    if allowed is not actor:
        who = "เจ้าหน้าที่การเงินของหน่วยงาน" if allowed is Actor.FINANCE else "เจ้าหน้าที่ สปสช."
        raise Refusal("claim.actor", f"เฉพาะ{who}เท่านั้นที่เปลี่ยนคำขอเบิกเป็น «{to.th}» ได้",
                      f"Only {allowed.value} may make a claim {to.value}.")
    if to is S.ACCEPTED and carried.get("amount") is None:
        carried["amount"] = claim.claimed   # accepted in full
    step = Step(to, at, by, **carried)
    _check_step(claim, step)
    return claim.with_(history=claim.history + (step,))


def _check_step(claim: Claim, step: Step) -> None:
    def refuse(code: str, th: str, en: str) -> None:
        raise Refusal(code, th, en)

    if step.state in (S.REJECTED, S.PARTLY_ACCEPTED, S.CANCELLED) and not step.reason.strip():
        refuse("claim.reason", f"กรุณาระบุเหตุผลที่{step.state.th}", "Say why.")
    if step.state is S.ACCEPTED:
        if money(step.amount) != claim.claimed:
            refuse("claim.accepted_amount", "อนุมัติเต็มจำนวนต้องเท่ากับยอดที่ขอเบิก หากน้อยกว่าให้เลือกอนุมัติบางส่วน",
                   "A full acceptance is of the amount claimed.")
    if step.state is S.PARTLY_ACCEPTED:
        if step.amount is None or not Decimal("0") < money(step.amount) < claim.claimed:
            refuse("claim.partly_amount",
                   f"จำนวนที่อนุมัติบางส่วนต้องมากกว่า 0 และน้อยกว่ายอดที่ขอเบิก ({claim.claimed:,.2f} บาท)",
                   "A partial acceptance is more than nothing and less than the amount claimed.")
    if step.state is S.IN_TRANSFER and not step.statement:
        refuse("claim.statement", "ต้องระบุเลขที่รายการโอนเงิน (statement) ของ สปสช.", "Name NHSO's payment statement.")
    if step.state is S.REPAID:
        accepted = accepted_amount(claim) or Decimal("0")
        if not step.voucher.strip():
            refuse("claim.voucher", "กรุณาระบุเลขที่ใบสำคัญจ่าย", "Give the voucher number.")
        if step.paid_on is None or step.method is None:
            refuse("claim.paid", "กรุณาระบุวันที่จ่ายและวิธีจ่าย (เงินสด โอนเข้าบัญชี หรือเช็ค)",
                   "Give the date and the method of payment.")
        if step.amount is None or not Decimal("0") < money(step.amount) <= accepted:
            refuse("claim.repaid_amount",
                   f"จำนวนที่จ่ายคืนต้องมากกว่า 0 และไม่เกินยอดที่ สปสช. อนุมัติ ({accepted:,.2f} บาท)",
                   "The repayment is more than nothing and at most what NHSO accepted.")


__all__ = ["Actor", "ClaimState", "MOVES", "PayMethod", "Step", "accepted_amount", "move", "statement_of"]
