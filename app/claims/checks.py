"""What is wrong with a claim before it goes to NHSO, each a Thai reason tied to the field it is about.

:func:`check` runs as the finance officer types (over the working copy) and again on the server (over the
register of record). It asks, in this order:

* the patient's right on every day of care, from :mod:`app.rules.entitlement` — a day without it is named
  with the rules' own reason; a day on which social security pays first allows only the shortfall;
* the one-year limit counted from each receipt's date (expired: refused; within :data:`WARN_DAYS`: amber,
  with the days left);
* the completeness checklist — at least one receipt and a scan of each, a medical certificate for in-patient
  care, the unit's certificate of entitlement when the reason is "not yet registered", amounts that add up;
* a receipt already in another of the unit's claims (no double claims).

A verdict's ``subject`` names its field: ``patient``, ``days``, ``facility``, ``illness``, ``paid_first``,
``receipt:<row>`` (0-based), ``pages``, ``other_paid``.
"""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from ..errors import Severity, Verdicts
from ..rules.entitlement import Facts, Relation, add_years, explain_dependent, explain_self, spans_for
from ..thai import format_date_short
from .claim import Care, Claim, FacilityKind, PageLabel, PaidFirst, money, plain_text, receipt_key

Date = _dt.date
CLAIM_WITHIN_YEARS = 1   # a receipt is claimed within a year of its date
WARN_DAYS = 30           # amber this many days before it expires
LONGEST_STAY_DAYS = 366  # days of care beyond this are a typing error, not a stay


def check(claim: Claim, facts: Facts, today: Date, used: dict[str, str] | None = None) -> Verdicts:
    """Everything the rules say about ``claim`` on ``today``; ``used`` maps receipt keys of the unit's other
    claims that still stand to their claim (:func:`app.claims.claim.used_receipts`)."""
    out = Verdicts()
    _check_fields(claim, out)
    if claim.first_day is not None and not any(v.code == "claim.days_long" for v in out.errors):
        _check_days(claim, facts, today, out)   # (a stay of centuries is a typing error, not days to reckon)
    _check_receipts(claim, today, used or {}, out)
    _check_pages(claim, out)
    return out


def _check_fields(claim: Claim, out: Verdicts) -> None:
    if not claim.facility.strip():
        out.add("claim.facility", "กรุณากรอกชื่อสถานพยาบาล", "Name the facility.", subject="facility")
    elif "เอกชน" in claim.facility and claim.facility_kind is FacilityKind.STATE:
        out.add("claim.facility_kind", "ชื่อสถานพยาบาลบ่งว่าเป็นของเอกชน แต่เลือก «สถานพยาบาลของทางราชการ» กรุณาตรวจสอบ",
                "The facility's name says private, but a state facility is chosen: check.", Severity.WARNING,
                "facility")
    if not claim.illness.strip():
        out.add("claim.illness", "กรุณาระบุอาการหรือโรคที่เข้ารับการรักษา", "Say what was treated.", subject="illness")
    if claim.paid_first is None:
        out.add("claim.paid_first", "กรุณาเลือกเหตุที่ต้องสำรองจ่ายเงินเอง", "Say why the patient paid first.",
                subject="paid_first")
    elif claim.paid_first is PaidFirst.OTHER and not claim.paid_first_note.strip():
        out.add("claim.paid_first_note", "เลือก «อื่น ๆ» แล้ว กรุณาระบุเหตุที่ต้องสำรองจ่ายเป็นข้อความ",
                "Say in words why the patient paid first.", subject="paid_first")
    if claim.first_day is None:
        out.add("claim.days", "กรุณากรอกวันที่เข้ารับการรักษา", "Give the days of care.", subject="days")
    elif claim.last_day is not None and claim.last_day < claim.first_day:
        out.add("claim.days_order", "วันสุดท้ายของการรักษาต้องไม่ก่อนวันแรก", "The last day is before the first.",
                subject="days")
    elif claim.last_day is not None and (claim.last_day - claim.first_day).days >= LONGEST_STAY_DAYS:
        out.add("claim.days_long", "ช่วงวันที่รักษายาวเกิน 1 ปี กรุณาตรวจสอบวันที่อีกครั้ง",
                "The stay is longer than a year: check the dates.", subject="days")
    elif claim.care is Care.OUTPATIENT and claim.last_day not in (None, claim.first_day):
        out.add("claim.opd_days", "ผู้ป่วยนอกให้แยกคำขอเบิกตามวันที่เข้ารับบริการแต่ละครั้ง",
                "Out-patient care is claimed one visit (day) per claim.", Severity.WARNING, "days")


def _check_days(claim: Claim, facts: Facts, today: Date, out: Verdicts) -> None:
    days = claim.care_days if (claim.last_day or claim.first_day) >= claim.first_day else []
    if not days:
        return
    if days[-1] > today:
        out.add("claim.days_future", "วันที่รักษายังไม่ถึง กรุณาตรวจสอบวันที่", "The care is in the future.",
                subject="days")
        return
    mine = [s for s in spans_for(facts, claim.claimant_cid)
            if s.cid == claim.patient_cid and s.relation is claim.relation and s.unit_code == claim.unit_code]
    refused: list[tuple[Date, str]] = []
    secondary = False
    for day in days:
        here = [s for s in mine if s.contains(day)]
        if here:
            secondary = secondary or all(s.secondary for s in here)
            continue
        refused.append((day, _why_not(claim, facts, day)))
    for first, last, why in _runs(refused):
        when = format_date_short(first) if first == last else f"{format_date_short(first)} – {format_date_short(last)}"
        out.add("claim.not_entitled", f"วันที่ {when} ไม่มีสิทธิในกองทุนฯ: {why}",
                f"Not entitled on {first.isoformat()}…{last.isoformat()}.", subject="days")
    if secondary:
        if not claim.other_right.strip():
            out.add("claim.shortfall_only",
                    "ผู้ป่วยต้องใช้สิทธิประกันสังคมก่อน เบิกจากกองทุนฯ ได้เฉพาะส่วนที่ประกันสังคมไม่จ่าย: "
                    "กรุณาระบุสิทธิที่ใช้และจำนวนเงินที่ได้รับแล้ว (ใส่ 0 หากไม่ได้รับเลย)",
                    "Social security pays first: state it and what it paid; only the shortfall is claimed.",
                    subject="other_paid")
        else:
            out.add("claim.shortfall", "เบิกได้เฉพาะส่วนที่ประกันสังคมไม่จ่าย", "Only the shortfall is claimed.",
                    Severity.INFO, "other_paid")


def _why_not(claim: Claim, facts: Facts, day: Date) -> str:
    if claim.relation is Relation.SELF:
        errors = [v.th for v in explain_self(facts, claim.patient_cid, day) if v.severity is Severity.ERROR]
        return errors[0] if errors else "ไม่ได้ปฏิบัติงานในตำแหน่งที่มีสิทธิ ณ วันนั้น"
    verdict = explain_dependent(facts, claim.claimant_cid, claim.patient_cid, claim.relation, day)
    if verdict is not None and verdict.severity is Severity.ERROR:
        return verdict.th
    return "มีสิทธิผ่านหน่วยงานอื่นหรือในฐานะอื่น ไม่ใช่ผ่านผู้มีสิทธิรายนี้ในหน่วยงานนี้"


def _runs(refused: list[tuple[Date, str]]):
    """Consecutive days with the same reason, as (first, last, reason)."""
    run: list = []
    for day, why in refused:
        if run and why == run[2] and (day - run[1]).days == 1:
            run[1] = day
            continue
        if run:
            yield tuple(run)
        run = [day, day, why]
    if run:
        yield tuple(run)


def _check_receipts(claim: Claim, today: Date, used: dict[str, str], out: Verdicts) -> None:
    if not claim.receipts:
        out.add("claim.no_receipt", "กรุณาเพิ่มใบเสร็จรับเงินอย่างน้อย 1 ใบ", "Add at least one receipt.",
                subject="receipt:0")
    seen: set[str] = set()
    for row, r in enumerate(claim.receipts):
        subject, label = f"receipt:{row}", f"ใบเสร็จเลขที่ {r.number}" if r.number.strip() else f"ใบเสร็จแถวที่ {row + 1}"
        if not r.number.strip():
            out.add("receipt.number", f"{label}: กรุณากรอกเลขที่ใบเสร็จ", "Give the receipt's number.", subject=subject)
        if money(r.amount) <= 0:
            out.add("receipt.amount", f"{label}: จำนวนเงินต้องมากกว่า 0", "The amount must be above nothing.",
                    subject=subject)
        if r.issued_on > today:
            out.add("receipt.future", f"{label}: วันที่ในใบเสร็จยังไม่ถึง กรุณาตรวจสอบ", "The receipt is dated in the future.",
                    subject=subject)
        else:
            expires = add_years(r.issued_on, CLAIM_WITHIN_YEARS)
            left = (expires - today).days
            if left <= 0:
                out.add("receipt.expired",
                        f"{label}: เกินกำหนดเบิก 1 ปีนับจากวันที่ในใบเสร็จ ({format_date_short(r.issued_on)}) "
                        "เบิกจากกองทุนฯ ไม่ได้แล้ว",
                        "More than a year since the receipt's date: it can no longer be claimed.", subject=subject)
            elif left <= WARN_DAYS:
                out.add("receipt.expiring",
                        f"{label}: เหลือเวลาเบิกอีก {left} วัน (ครบ 1 ปีในวันที่ {format_date_short(expires)}) "
                        "กรุณาส่งโดยเร็ว", f"{left} days left to claim it.", Severity.WARNING, subject)
        if claim.first_day is not None and r.issued_on < claim.first_day:
            out.add("receipt.before_care", f"{label}: ลงวันที่ก่อนวันแรกที่เข้ารับการรักษา กรุณาตรวจสอบ",
                    "Dated before the care began.", Severity.WARNING, subject)
        key = receipt_key(claim.facility, r.number)
        if r.number.strip():
            if key in seen:
                out.add("receipt.twice", f"{label}: กรอกซ้ำในคำขอนี้", "The same receipt twice in this claim.",
                        subject=subject)
            elif used.get(key, claim.id) != claim.id:
                out.add("receipt.claimed",
                        f"{label} ของ {claim.facility.strip()} ถูกใช้เบิกในคำขออื่นแล้ว เบิกซ้ำไม่ได้",
                        "This receipt is already in another claim.", subject=subject)
            seen.add(key)
    other = money(claim.other_paid)
    if other < 0:
        out.add("claim.other_negative", "จำนวนเงินที่สิทธิอื่นจ่ายต้องไม่ติดลบ", "Cannot be negative.",
                subject="other_paid")
    elif claim.receipts and other > claim.receipts_total:
        out.add("claim.other_exceeds", "จำนวนเงินที่สิทธิอื่นจ่ายแล้วมากกว่ายอดรวมใบเสร็จ ไม่มีส่วนที่ต้องเบิก",
                "The other right paid more than the receipts.", subject="other_paid")
    elif claim.receipts and claim.claimed == Decimal("0.00"):
        out.add("claim.nothing", "ไม่มียอดที่ต้องเบิก (สิทธิอื่นจ่ายครบแล้ว)", "Nothing left to claim.",
                subject="other_paid")
    if other > 0 and not claim.other_right.strip():
        out.add("claim.other_right", "กรุณาระบุสิทธิอื่นที่จ่ายไปแล้ว (เช่น ประกันสังคม)", "Name the other right.",
                subject="other_paid")


def _check_pages(claim: Claim, out: Verdicts) -> None:
    scanned = {plain_text(p.receipt).strip() for p in claim.pages if p.label is PageLabel.RECEIPT}
    for row, r in enumerate(claim.receipts):
        if r.number.strip() and plain_text(r.number).strip() not in scanned:
            out.add("pages.receipt", f"ยังไม่มีภาพสแกนของใบเสร็จเลขที่ {r.number}", "Scan this receipt.",
                    subject="pages")
    labels = {p.label for p in claim.pages}
    if claim.care is Care.INPATIENT and PageLabel.MEDICAL_CERTIFICATE not in labels:
        out.add("pages.medical_certificate", "ผู้ป่วยในต้องแนบใบรับรองแพทย์", "In-patient care needs a medical certificate.",
                subject="pages")
    if claim.paid_first is PaidFirst.NOT_REGISTERED and PageLabel.ENTITLEMENT_CERTIFICATE not in labels:
        out.add("pages.entitlement_certificate",
                "เหตุสำรองจ่ายคือยังไม่มีข้อมูลสิทธิ ต้องแนบหนังสือรับรองสิทธิที่หน่วยงานออกให้",
                "Attach the unit's certificate of entitlement.", subject="pages")


__all__ = ["CLAIM_WITHIN_YEARS", "WARN_DAYS", "check"]
