"""NHSO's payment statements and transfers as the finance officer reconciles them (issue 19 §3, §4): the unit's
statements this PC holds, newest month first, each with its reconciliation against the unit's claims here
(app.claims.reconcile), and one statement's reconciliation line by line. Reading only; finance officers only."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal

from ..claims import ClaimState
from ..claims.reconcile import Reconciliation, reconcile
from ..errors import Refusal
from ..store.payments import PaymentStore
from .claims import ClaimLine, View, _finance, claims_list
from .context import Desk

S = ClaimState
AFTER_DECISION = (S.ACCEPTED, S.PARTLY_ACCEPTED, S.IN_TRANSFER, S.REPAID, S.CLOSED)


@dataclass(frozen=True)
class StatementSummary:
    """A statement as the list shows it."""

    id: str
    month: str
    month_th: str
    issued_on: _dt.date | None
    count: int
    total: Decimal
    transfer_date: _dt.date | None
    transfer_ref: str
    status_th: str
    status_en: str
    ok: bool

    @property
    def transferred_th(self) -> str:
        return f"โอนแล้ว {self.transfer_ref}" if self.transfer_date else "ยังไม่โอน"


@dataclass(frozen=True)
class Reconciled:
    """One statement's reconciliation, with the desk's lines of the claims it names (to repay from)."""

    reconciliation: Reconciliation
    claims: dict[str, ClaimLine]


def _unit_statements(desk: Desk) -> list[dict]:
    unit = desk.officer.unit_code
    return [s for s in PaymentStore(desk.register.wc).all() if s.get("unit_code") == unit]


def _lines(desk: Desk) -> dict[str, ClaimLine]:
    return {x.id: x for x in claims_list(desk, View.ALL)}


def _claims(lines: dict[str, ClaimLine], statements: list[dict]) -> list:
    """The claims a reconciliation can be about, decoded: those NHSO decided for (or that a statement names) —
    a draft or a claim still at NHSO is in no statement and is left as it is stored."""
    named = {x.get("claim_id") for s in statements for x in s["body"].get("lines", [])}
    return [x.claim for x in lines.values() if x.state in AFTER_DECISION or x.id in named]


def _summary(r: Reconciliation) -> StatementSummary:
    th, en = r.status
    t = r.transfer
    return StatementSummary(r.statement_id, r.month, r.month_th, r.issued_on, r.count, r.total,
                            t.date if t else None, t.ref if t else "", th, en, r.ok)


def statements(desk: Desk) -> list[StatementSummary]:
    """The unit's statements here, newest month first, each with how it reconciles."""
    _finance(desk)
    held = _unit_statements(desk)
    claims = _claims(_lines(desk), held)
    return [_summary(reconcile(s, claims)) for s in held]


def reconciliation(desk: Desk, statement_id: str) -> Reconciled:
    _finance(desk)
    found = next((s for s in _unit_statements(desk) if s["id"] == statement_id), None)
    if found is None:
        raise Refusal("payment.unknown", "ไม่พบรายการโอนเงินนี้ในเครื่องนี้ ลองซิงก์ข้อมูลกับเซิร์ฟเวอร์กลางอีกครั้ง",
                      "This PC does not hold that payment statement.")
    lines = _lines(desk)
    return Reconciled(reconcile(found, _claims(lines, [found])), lines)


__all__ = ["Reconciled", "StatementSummary", "reconciliation", "statements"]
