"""A claim as JSON and back — the one shape for the working copy and the wire (dates ISO, money as strings
to the satang, enums by value). :func:`from_json` refuses in Thai what is not a claim, never a KeyError."""
from __future__ import annotations

import datetime as _dt
from decimal import InvalidOperation
from typing import Any

from ..errors import Refusal
from ..rules.entitlement import Relation
from .claim import Care, Claim, FacilityKind, Page, PageLabel, PaidFirst, Receipt, money
from .states import ClaimState, PayMethod, Step

BAD = ("claim.malformed", "ข้อมูลคำขอเบิกไม่ครบหรือไม่ถูกต้อง กรุณาสร้างคำขอใหม่จากโปรแกรม",
       "The claim's data is incomplete or malformed.")


def _day(value: _dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def to_json(c: Claim) -> dict[str, Any]:
    return {
        "id": c.id, "unit_code": c.unit_code, "claimant_cid": c.claimant_cid, "patient_cid": c.patient_cid,
        "relation": c.relation.value, "facility": c.facility, "facility_kind": c.facility_kind.value,
        "care": c.care.value, "first_day": _day(c.first_day), "last_day": _day(c.last_day), "illness": c.illness,
        "paid_first": c.paid_first.value if c.paid_first else None, "paid_first_note": c.paid_first_note,
        "receipts": [{"number": r.number, "issued_on": r.issued_on.isoformat(), "payer": r.payer,
                      "amount": str(money(r.amount))} for r in c.receipts],
        "other_right": c.other_right, "other_paid": str(money(c.other_paid)),
        "pages": [{"sha256": p.sha256, "label": p.label.value, "receipt": p.receipt} for p in c.pages],
        "history": [{"state": s.state.value, "at": s.at.isoformat(), "by": s.by, "reason": s.reason,
                     "amount": str(money(s.amount)) if s.amount is not None else None, "statement": s.statement,
                     "voucher": s.voucher, "paid_on": _day(s.paid_on),
                     "method": s.method.value if s.method else None} for s in c.history],
    }


def from_json(d: dict[str, Any]) -> Claim:
    try:
        def day(v):
            return _dt.date.fromisoformat(v) if v else None

        return Claim(
            str(d["id"]), str(d["unit_code"]), str(d["claimant_cid"]), str(d["patient_cid"]), Relation(d["relation"]),
            str(d.get("facility", "")), FacilityKind(d.get("facility_kind", "state")), Care(d.get("care", "opd")),
            day(d.get("first_day")), day(d.get("last_day")), str(d.get("illness", "")),
            PaidFirst(d["paid_first"]) if d.get("paid_first") else None, str(d.get("paid_first_note", "")),
            tuple(Receipt(str(r["number"]), _dt.date.fromisoformat(r["issued_on"]), str(r.get("payer", "")),
                          money(r["amount"])) for r in d.get("receipts", [])),
            str(d.get("other_right", "")), money(d.get("other_paid") or "0"),
            tuple(Page(str(p["sha256"]), PageLabel(p["label"]), str(p.get("receipt", ""))) for p in d.get("pages", [])),
            tuple(Step(ClaimState(s["state"]), _dt.datetime.fromisoformat(s["at"]), str(s["by"]), str(s.get("reason", "")),
                       money(s["amount"]) if s.get("amount") is not None else None, str(s.get("statement", "")),
                       str(s.get("voucher", "")), day(s.get("paid_on")),
                       PayMethod(s["method"]) if s.get("method") else None) for s in d.get("history", [])),
        )
    except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError):
        raise Refusal(*BAD) from None


__all__ = ["from_json", "to_json"]
