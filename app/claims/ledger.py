"""The claims ledger of the audit package (ทะเบียนคุมการเบิกเงินสวัสดิการ): every claim of a period with its
amounts claimed, accepted, transferred and repaid, and every step of its history — one :class:`TableDocument`
each, printed as one PDF (the history after the list) and written as one workbook of two sheets.

Plain values in, bytes out; the table layer (:mod:`app.documents.tables`) does the typesetting, so the PDF and
the workbook show the same rows: Thai headers, citizen IDs as text, dates as real Excel dates shown in the
Buddhist era.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable, Mapping, Sequence

from ..documents.fonts import th_size
from ..documents.tables import Column, Table, TableDocument
from ..cid import format_cid
from ..thai import format_date_long
from .claim import Claim
from .states import ClaimState, Step, accepted_amount

THAI_TIME = _dt.timezone(_dt.timedelta(hours=7))   # Thailand keeps no summer time
ZERO = Decimal("0.00")
SIZE = th_size(12)   # a wide landscape ledger: smaller than a list's 15 pt
Period = tuple[_dt.date, _dt.date]


def local_day(at: _dt.datetime) -> _dt.date:
    """The day in Thailand of a moment (a naive moment is taken as UTC, as the store keeps them)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=_dt.timezone.utc)
    return at.astimezone(THAI_TIME).date()


def in_period(claim: Claim, period: Period) -> bool:
    """Something of the claim happened in the period (both days included): a step of its history was taken, a
    receipt was issued, or a day of care fell in it."""
    start, end = period
    days = [local_day(s.at) for s in claim.history] + [r.issued_on for r in claim.receipts]
    days += [d for d in (claim.first_day, claim.last_day) if d is not None]
    return any(start <= d <= end for d in days)


def opened_on(claim: Claim) -> _dt.date | None:
    """The day the claim entered the ledger: its first step, else its first receipt or day of care."""
    if claim.history:
        return local_day(claim.history[0].at)
    return min([r.issued_on for r in claim.receipts] + [d for d in (claim.first_day,) if d], default=None)


def ledger_order(claims: Iterable[Claim]) -> list[Claim]:
    """The ledger's order: by the day each claim entered it, then by id (stable between two exports)."""
    return sorted(claims, key=lambda c: (opened_on(c) or _dt.date.max, c.id))


@dataclass(frozen=True)
class Amounts:
    claimed: Decimal
    accepted: Decimal | None       # None: no decision of NHSO stands
    transferred: Decimal | None    # None: not in a payment statement
    repaid: Decimal | None         # None: not repaid


def amounts(claim: Claim) -> Amounts:
    accepted = accepted_amount(claim)
    states = [s.state for s in claim.history]
    transferred = accepted if ClaimState.IN_TRANSFER in states and accepted is not None else None
    repaid = next((s.amount for s in reversed(claim.history) if s.state is ClaimState.REPAID), None)
    return Amounts(claim.claimed, accepted, transferred, repaid)


def _names(names: Mapping[str, str] | Callable[[str], str] | None) -> Callable[[str], str] | None:
    if names is None:
        return None
    if callable(names):
        return names
    return lambda cid: names.get(cid, "")


def ledger_documents(claims: Sequence[Claim], period: Period, unit_name: str,
                     names: Mapping[str, str] | Callable[[str], str] | None = None,
                     evidence_files: Mapping[str, str] | None = None) -> tuple[TableDocument, TableDocument]:
    """(the ledger, the state history) of ``claims`` in ledger order. ``names``: CID → name, when the register
    is at hand (else the IDs alone); ``evidence_files``: claim id → its evidence file in the package."""
    name_of = _names(names)
    claims = ledger_order(claims)
    start, end = period
    subtitle = [unit_name, f"ระหว่างวันที่ {format_date_long(start, digits='arabic')} "
                           f"ถึงวันที่ {format_date_long(end, digits='arabic')}",
                f"จำนวน {len(claims):,} รายการ (หลักฐานของแต่ละรายการอยู่ในโฟลเดอร์ evidence ตั้งชื่อตามเลขที่คำขอเบิก)"]
    cols = [Column("ลำดับ", "int", 6), Column("เลขที่คำขอเบิก", "text", 19), Column("วันที่รับเรื่อง", "date", 14),
            Column("ผู้มีสิทธิ", "cid", 16)]
    if name_of:
        cols.append(Column("ชื่อผู้มีสิทธิ", "text", 16))
    cols.append(Column("ผู้ป่วย", "cid", 16))
    if name_of:
        cols.append(Column("ชื่อผู้ป่วย", "text", 16))
    cols += [Column("ความสัมพันธ์", "text", 9), Column("สถานพยาบาล", "text", 16),
             Column("วันที่เริ่มรักษา", "date", 14), Column("จำนวนวัน", "int", 6),
             Column("ขอเบิก (บาท)", "money", 11), Column("อนุมัติ (บาท)", "money", 11),
             Column("โอนแล้ว (บาท)", "money", 11), Column("จ่ายคืน (บาท)", "money", 11),
             Column("สถานะปัจจุบัน", "text", 13), Column("หลักฐาน", "text", 7)]
    rows, totals = [], [ZERO, ZERO, ZERO, ZERO]
    for n, c in enumerate(claims, start=1):
        a = amounts(c)
        row = [n, c.id, opened_on(c), c.claimant_cid]
        if name_of:
            row.append(name_of(c.claimant_cid))
        row.append(c.patient_cid)
        if name_of:
            row.append(name_of(c.patient_cid))
        row += [c.relation.th, c.facility, c.first_day, len(c.care_days), a.claimed, a.accepted, a.transferred,
                a.repaid, c.state.th, _evidence_cell(c.id, evidence_files)]
        rows.append(row)
        for i, v in enumerate((a.claimed, a.accepted, a.transferred, a.repaid)):
            totals[i] += v or ZERO
    total_row: list = [""] * len(cols)
    total_row[1] = "รวม"
    for i, v in zip([i for i, col in enumerate(cols) if col.kind == "money"], totals):
        total_row[i] = v
    ledger = TableDocument("ทะเบียนคุมการเบิกเงินสวัสดิการเกี่ยวกับการรักษาพยาบาล",
                           Table(cols, rows, totals=total_row, size=SIZE), subtitle=subtitle, landscape=True,
                           sheet="ทะเบียนคุมการเบิก")

    hcols = [Column("เลขที่คำขอเบิก", "text", 19), Column("ขั้นที่", "int", 5), Column("วันที่", "date", 12),
             Column("เวลา", "text", 6), Column("สถานะ", "text", 13), Column("โดย", "text", 14),
             Column("จำนวนเงิน (บาท)", "money", 11), Column("เหตุผล", "text", 18),
             Column("เลขที่รายการโอน / ใบสำคัญ", "text", 13), Column("วันที่จ่าย", "date", 12),
             Column("วิธีจ่าย", "text", 10)]
    hrows = []
    for c in claims:
        for n, s in enumerate(c.history, start=1):
            hrows.append(_step_row(c.id, n, s))
    history = TableDocument("ประวัติสถานะของคำขอเบิก", Table(hcols, hrows, size=SIZE), subtitle=subtitle[:2],
                            landscape=True, sheet="ประวัติสถานะ")
    return ledger, history


def _evidence_cell(claim_id: str, files: Mapping[str, str] | None) -> str:
    """«มี» when the claim's evidence is at evidence/<its id>.pdf; its path when its id had to be made safe for a file
    name; «ไม่มี» when it has none."""
    path = (files or {}).get(claim_id)
    if path is None:
        return "ไม่มี"
    return "มี" if path == f"evidence/{claim_id}.pdf" else path


def _step_row(claim_id: str, n: int, s: Step) -> list:
    at = s.at if s.at.tzinfo else s.at.replace(tzinfo=_dt.timezone.utc)
    at = at.astimezone(THAI_TIME)
    by = format_cid(s.by) if s.by.isdigit() and len(s.by) == 13 else s.by   # an officer's CID, or NHSO's account
    return [claim_id, n, at.date(), at.strftime("%H:%M"), s.state.th, by, s.amount, s.reason,
            s.statement or s.voucher, s.paid_on, s.method.th if s.method else ""]


def ledger_pdf(ledger: TableDocument, history: TableDocument) -> bytes:
    """The ledger, then its state history under its own heading, in one landscape PDF."""
    from ..documents.tables import table_pdf

    doc = TableDocument(ledger.title, ledger.table, ledger.subtitle, ledger.landscape, ledger.thai_digits,
                        ledger.sheet, after=[history.title, history.table])
    return table_pdf(doc)


def ledger_xlsx(docs: Sequence[TableDocument]) -> bytes:
    """One workbook, one sheet per document (the ledger, the state history), each as
    :func:`app.documents.tables.table_xlsx` writes its one sheet."""
    from ..documents.tables import tables_xlsx

    return tables_xlsx(docs)


__all__ = ["Amounts", "THAI_TIME", "amounts", "in_period", "ledger_documents", "ledger_order", "ledger_pdf",
           "ledger_xlsx", "local_day", "opened_on"]
