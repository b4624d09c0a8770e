"""NHSO's month-end payment statement against the unit's own claims (issue 19 §3, last bullet): what the finance
officer checks before repaying anyone from the transfer.

Each line of the statement is **matched** (this PC holds the claim and NHSO accepted what the PC shows as
accepted), its **amount differs** (both amounts and the difference), or it is **missing here** (a claim this PC
does not hold). A claim of this PC's that is **not in the statement** is one that points at the statement (its
"in transfer" step names it) yet is not among its lines, or one NHSO accepted before the statement's month ended
that is in no statement yet. The totals: the statement's total against the sum of its lines, and against the
transfer once NHSO records it.

Plain values only (no store, no screen): the statement as the server signed it (a dict, app.store.payments) and
the unit's claims in; a :class:`Reconciliation` out.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, Iterable

from ..thai import PartialDate
from .claim import Claim, money
from .states import ClaimState, accepted_amount

S = ClaimState
THAILAND = _dt.timezone(_dt.timedelta(hours=7), "ICT")   # the days of the statement's month are Thai days
EXPECTING = (S.ACCEPTED, S.PARTLY_ACCEPTED)               # accepted, waiting for a month's statement


class Outcome(str, Enum):
    MATCHED = "matched"
    AMOUNT_DIFFERS = "amount_differs"
    MISSING_HERE = "missing_here"
    NOT_IN_STATEMENT = "not_in_statement"

    @property
    def th(self) -> str:
        return {"matched": "ตรงกัน", "amount_differs": "ยอดเงินไม่ตรง", "missing_here": "ไม่มีในเครื่องนี้",
                "not_in_statement": "ไม่อยู่ในรายการโอน"}[self.value]

    @property
    def en(self) -> str:
        return {"matched": "Matched", "amount_differs": "Amount differs", "missing_here": "Missing here",
                "not_in_statement": "Not in the statement"}[self.value]


@dataclass(frozen=True)
class Line:
    """One row of the reconciliation: a statement line, or a claim of this PC's the statement lacks."""

    claim_id: str
    outcome: Outcome
    claimant_cid: str
    patient_cid: str
    first_day: _dt.date | None
    claimed: Decimal | None
    nhso: Decimal | None           # accepted, as the statement says (None: not in the statement)
    here: Decimal | None           # accepted, as this PC's claim says (None: no claim here, or no decision here)
    claim: Claim | None = None     # this PC's claim (None: missing here)

    @property
    def state(self) -> ClaimState | None:
        return self.claim.state if self.claim is not None else None

    @property
    def difference(self) -> Decimal | None:
        """The statement's amount less this PC's (only where both are known)."""
        return None if self.nhso is None or self.here is None else self.nhso - self.here

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.MATCHED


@dataclass(frozen=True)
class Transfer:
    date: _dt.date
    ref: str
    amount: Decimal


@dataclass(frozen=True)
class Reconciliation:
    statement_id: str
    month: str                     # YYYY-MM
    issued_on: _dt.date | None
    lines: tuple[Line, ...]
    total: Decimal                 # the statement's total
    lines_sum: Decimal             # the sum of its lines' accepted amounts
    transfer: Transfer | None      # None: not yet transferred

    @property
    def month_th(self) -> str:
        """«พฤศจิกายน 2569»."""
        y, m = (int(x) for x in self.month.split("-"))
        return PartialDate(y, m).format_th()

    @property
    def count(self) -> int:
        """How many lines the statement has."""
        return sum(1 for x in self.lines if x.nhso is not None)

    @property
    def lines_agree(self) -> bool:
        return self.total == self.lines_sum

    @property
    def transfer_agrees(self) -> bool | None:
        """Does the transfer pay the statement's total? (None: no transfer yet.)"""
        return None if self.transfer is None else self.transfer.amount == self.total

    @property
    def mismatches(self) -> int:
        return sum(1 for x in self.lines if not x.ok)

    @property
    def ok(self) -> bool:
        return self.mismatches == 0 and self.lines_agree and self.transfer_agrees is not False

    @property
    def status(self) -> tuple[str, str]:
        """(Thai, English): ตรงกันทั้งหมด, or what does not agree."""
        th, en = [], []
        if self.mismatches:
            th.append(f"มีรายการไม่ตรง {self.mismatches} รายการ")
            en.append(f"{self.mismatches} lines do not match")
        if not self.lines_agree:
            th.append("ยอดรวมไม่เท่ากับผลรวมรายการ")
            en.append("the total is not the sum of the lines")
        if self.transfer_agrees is False:
            th.append("ยอดโอนไม่เท่ากับยอดรวม")
            en.append("the transfer is not the total")
        return (" · ".join(th), "; ".join(en)) if th else ("ตรงกันทั้งหมด", "All agree")

    def line(self, claim_id: str) -> Line | None:
        return next((x for x in self.lines if x.claim_id == claim_id), None)


def statement_of(claim: Claim) -> str:
    """The payment statement the claim's latest "in transfer" step names ("" if none)."""
    for step in reversed(claim.history):
        if step.state is S.IN_TRANSFER:
            return step.statement
    return ""


def _decided_on(claim: Claim) -> _dt.date | None:
    for step in reversed(claim.history):
        if step.state in EXPECTING:
            at = step.at
            return (at if at.tzinfo else at.replace(tzinfo=_dt.timezone.utc)).astimezone(THAILAND).date()
    return None


def _month_end(month: str) -> _dt.date:
    y, m = (int(x) for x in month.split("-"))
    return _dt.date(y + (m == 12), m % 12 + 1, 1)


def _day(text: Any) -> _dt.date | None:
    return _dt.date.fromisoformat(text) if text else None


def reconcile(statement: dict[str, Any], claims: Iterable[Claim]) -> Reconciliation:
    """``statement``: a payment statement as app.store.payments keeps it; ``claims``: the unit's claims here."""
    body = statement["body"]
    sid = statement["id"]
    mine = {c.id: c for c in claims}
    lines: list[Line] = []
    for x in body.get("lines", []):
        nhso = money(x["accepted"])
        claimed = money(x["claimed"]) if x.get("claimed") is not None else None
        claim = mine.get(x["claim_id"])
        if claim is None:
            lines.append(Line(x["claim_id"], Outcome.MISSING_HERE, x.get("claimant_cid", ""), x.get("patient_cid", ""),
                              _day(x.get("first_day")), claimed, nhso, None))
            continue
        here = accepted_amount(claim)
        here = money(here) if here is not None else None
        outcome = Outcome.MATCHED if here == nhso else Outcome.AMOUNT_DIFFERS
        lines.append(Line(claim.id, outcome, claim.claimant_cid, claim.patient_cid, claim.first_day, claim.claimed,
                          nhso, here, claim))
    listed = {x.claim_id for x in lines}
    end = _month_end(statement["month"])
    for claim in mine.values():
        if claim.id in listed:
            continue
        points_here = statement_of(claim) == sid
        decided = _decided_on(claim) if claim.state in EXPECTING else None
        if points_here or (decided is not None and decided < end):
            here = accepted_amount(claim)
            lines.append(Line(claim.id, Outcome.NOT_IN_STATEMENT, claim.claimant_cid, claim.patient_cid,
                              claim.first_day, claim.claimed, None, money(here) if here is not None else None, claim))
    sent = statement.get("transfer")
    transfer = Transfer(_dt.date.fromisoformat(sent["date"]), sent.get("ref", ""), money(sent["amount"])) \
        if sent else None
    lines_sum = sum((x.nhso for x in lines if x.nhso is not None), Decimal("0.00"))
    return Reconciliation(sid, statement["month"], _day(body.get("issued_on")), tuple(lines), money(body["total"]),
                          lines_sum, transfer)


__all__ = ["Line", "Outcome", "Reconciliation", "Transfer", "reconcile", "statement_of"]
