"""A claim (คำขอเบิกเงินสวัสดิการเกี่ยวกับการรักษาพยาบาล) as the finance officer records it: who paid for whose care,
where, on which days, with which receipts, and what another right already paid.

Plain values only: the checks (:mod:`.checks`) and the state moves (:mod:`.states`) take a :class:`Claim` and
return verdicts or a new claim; nothing here reads a database or a screen.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from ..rules.entitlement import Relation

Date = _dt.date
CENT = Decimal("0.01")


class Care(str, Enum):
    OUTPATIENT = "opd"
    INPATIENT = "ipd"

    @property
    def th(self) -> str:
        return {"opd": "ผู้ป่วยนอก", "ipd": "ผู้ป่วยใน"}[self.value]


class FacilityKind(str, Enum):
    STATE = "state"
    PRIVATE = "private"

    @property
    def th(self) -> str:
        return {"state": "สถานพยาบาลของทางราชการ", "private": "สถานพยาบาลของเอกชน"}[self.value]


class PaidFirst(str, Enum):
    """Why the patient paid first (สำรองจ่าย) instead of the facility billing NHSO directly."""

    CANNOT_BILL = "cannot_bill"        # the facility cannot bill NHSO directly
    NOT_REGISTERED = "not_registered"  # the right was not yet in NHSO's database
    EMERGENCY = "emergency"            # an emergency at the nearest facility
    OTHER = "other"                    # anything else, said in words

    @property
    def th(self) -> str:
        return {"cannot_bill": "สถานพยาบาลไม่สามารถเบิกจ่ายตรงได้",
                "not_registered": "ยังไม่มีข้อมูลสิทธิในฐานข้อมูลของ สปสช.",
                "emergency": "เจ็บป่วยฉุกเฉิน", "other": "อื่น ๆ"}[self.value]


class PageLabel(str, Enum):
    """What a page of the claim's evidence is."""

    RECEIPT = "receipt"                          # ใบเสร็จรับเงิน (of one receipt line)
    MEDICAL_CERTIFICATE = "medical_certificate"  # ใบรับรองแพทย์
    ENTITLEMENT_CERTIFICATE = "entitlement_certificate"  # หนังสือรับรองสิทธิ (issued by the unit)
    OTHER = "other"

    @property
    def th(self) -> str:
        return {"receipt": "ใบเสร็จรับเงิน", "medical_certificate": "ใบรับรองแพทย์",
                "entitlement_certificate": "หนังสือรับรองสิทธิ", "other": "เอกสารอื่น"}[self.value]


def money(value: Decimal | int | str) -> Decimal:
    """An amount in baht to the satang (half up), from what was typed or stored."""
    return Decimal(str(value).replace(",", "").strip() or "0").quantize(CENT, ROUND_HALF_UP)


def plain_text(text: str) -> str:
    """The text as a reader sees it: without the characters that print as nothing (zero-width spaces and joiners,
    soft hyphens: Unicode's format characters), full-width letters and digits as plain ones, every dash a hyphen,
    every space a space."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        kind = unicodedata.category(ch)
        if kind == "Cf":
            continue
        if "\uff01" <= ch <= "\uff5e":
            ch = chr(ord(ch) - 0xFEE0)
        elif kind == "Pd" or ch == "\u2212":
            ch = "-"
        elif kind == "Zs":
            ch = " "
        out.append(ch)
    return "".join(out)


def receipt_key(facility: str, number: str) -> str:
    """Who issued a receipt and its number, as two receipts are told apart: the same number at another
    facility is another receipt; case, spaces, dashes, Thai digits and what prints as nothing
    (:func:`plain_text`) do not make a different one."""
    def plain(text: str) -> str:
        text = plain_text(text).translate(_THAI_DIGITS).casefold()
        return re.sub(r"[\s\-/.]+", "", text)
    return f"{plain(facility)}|{plain(number)}"


_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


@dataclass(frozen=True)
class Receipt:
    number: str
    issued_on: Date
    payer: str             # the name printed on the receipt
    amount: Decimal


@dataclass(frozen=True)
class Page:
    """One page of the claim's evidence; a receipt's page names the receipt's number."""

    sha256: str
    label: PageLabel
    receipt: str = ""


@dataclass(frozen=True)
class Claim:
    id: str
    unit_code: str
    claimant_cid: str                 # the beneficiary (ผู้มีสิทธิ) who claims
    patient_cid: str                  # who was treated: the claimant or one of their dependents
    relation: Relation                # the patient to the claimant (Relation.SELF: the claimant)
    facility: str = ""
    facility_kind: FacilityKind = FacilityKind.STATE
    care: Care = Care.OUTPATIENT
    first_day: Date | None = None     # days of care, both included
    last_day: Date | None = None
    illness: str = ""                 # in words
    paid_first: PaidFirst | None = None
    paid_first_note: str = ""         # the reason in words (required for OTHER)
    receipts: tuple[Receipt, ...] = ()
    other_right: str = ""             # the other right used first (e.g. ประกันสังคม), if any
    other_paid: Decimal = Decimal("0.00")
    pages: tuple[Page, ...] = ()
    history: tuple = ()               # app.claims.states.Step, oldest first: never rewritten

    @property
    def receipts_total(self) -> Decimal:
        return sum((money(r.amount) for r in self.receipts), Decimal("0.00"))

    @property
    def claimed(self) -> Decimal:
        """What the fund is asked for: the receipts less what another right paid (never below nothing)."""
        return max(self.receipts_total - money(self.other_paid), Decimal("0.00"))

    @property
    def care_days(self) -> list[Date]:
        if self.first_day is None:
            return []
        last = self.last_day or self.first_day
        return [self.first_day + _dt.timedelta(days=i) for i in range((last - self.first_day).days + 1)]

    @property
    def state(self):
        from .states import ClaimState
        return self.history[-1].state if self.history else ClaimState.DRAFT

    def with_(self, **changes) -> Claim:
        return replace(self, **changes)


def used_receipts(claims) -> dict[str, str]:
    """receipt_key → the claim holding it, over the unit's claims that still stand (not cancelled)."""
    from .states import ClaimState
    out: dict[str, str] = {}
    for c in claims:
        if c.state is ClaimState.CANCELLED:
            continue
        for r in c.receipts:
            out.setdefault(receipt_key(c.facility, r.number), c.id)
    return out


__all__ = ["CENT", "Care", "Claim", "FacilityKind", "Page", "PageLabel", "PaidFirst", "Receipt", "money", "receipt_key",
           "used_receipts"]
