"""The finance officer's two papers (issue 19 §4): the claim form the claimant signs (ใบเบิกเงินสวัสดิการเกี่ยวกับการ
รักษาพยาบาล) and the receipt the claimant signs when the unit repays them (ใบสำคัญรับเงิน).

Both are A4 forms on the letter's margins and size (16 pt TH Sarabun, Thai digits unless turned off), with the
amount in figures and in words (:func:`app.thai.baht_text`, as Excel's BAHTTEXT writes it). The claim form
follows the parts of the welfare claim form officials know (แบบ ๗๑๓๑): part 1 by the claimant — who they are,
whose care, where and when, why they paid first, the receipts, what another right paid, the amount, the
declaration and the signature; part 2 by the finance officer who checked the evidence.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate, Spacer

from ..cid import format_cid
from ..claims import Claim
from ..claims.states import PayMethod, statement_of
from ..rules.entitlement import Relation
from ..thai import baht_text, format_amount, format_date_long, thai_digits_prose
from .fonts import register_fonts, th_size, thai_style
from .letter import BOTTOM, LEFT, LETTER_SIZE, PAGE_H, RIGHT, TEXT_W, TOP
from .tables import Column, Table, TableFlow
from .thaitext import ThaiCanvas, ThaiParagraph, baseline_offset, draw_text

FUND = "กองทุนสวัสดิการรักษาพยาบาลของบุคลากรองค์กรปกครองส่วนท้องถิ่น"


@dataclass
class ClaimPaper:
    """What the claim form prints beyond the claim itself: the names the register knows."""

    claim: Claim
    unit_name: str
    claimant_name: str
    claimant_position: str
    patient_name: str
    written_on: dt.date                 # the form's date
    officer_name: str = ""              # the finance officer who checked it (part 2)
    officer_position: str = "เจ้าหน้าที่การเงิน"
    thai_digits: bool = True


@dataclass
class RepaymentPaper:
    """The unit's receipt for what it repaid the claimant."""

    claim: Claim
    unit_name: str
    claimant_name: str
    patient_name: str
    amount: Decimal
    paid_on: dt.date
    method: PayMethod
    voucher: str                        # the unit's payment voucher number (ใบสำคัญจ่าย)
    payer_name: str                     # the finance officer who pays
    payer_position: str = "เจ้าหน้าที่การเงิน"
    thai_digits: bool = True


class _Signatures(Flowable):
    """Signature lines side by side: «ลงชื่อ ………… <role>», the name in brackets and the position under each."""

    def __init__(self, blocks: Sequence[tuple[str, str, str]], font: str, size: float) -> None:
        super().__init__()
        self.blocks, self.font, self.size = list(blocks), font, size
        self.leading = size * 1.35

    def wrap(self, avail_width: float, avail_height: float):  # noqa: D401 — ReportLab's name
        self.width, self.height = avail_width, self.leading * 4.6
        return self.width, self.height

    def draw(self) -> None:
        n = len(self.blocks)
        top = self.height - baseline_offset(self.size, self.leading) - self.leading
        for i, (role, name, position) in enumerate(self.blocks):
            centre = self.width * (2 * i + 1) / (2 * n)
            dots = "." * 40
            line = f"ลงชื่อ {dots} {role}"
            draw_text(self.canv, centre, top, line, self.font, self.size, "center")
            y = top - self.leading
            for text in (f"({name})" if name else f"({dots})", position):
                if text:
                    draw_text(self.canv, centre, y, text, self.font, self.size, "center")
                y -= self.leading


def _relation_words(claim: Claim, patient_name: str) -> str:
    if claim.relation is Relation.SELF:
        return "ตนเอง"
    return f"{claim.relation.th} ชื่อ {patient_name} เลขประจำตัวประชาชน {format_cid(claim.patient_cid)}"


def _days(claim: Claim, digits: str) -> str:
    if claim.first_day is None:
        return ""
    first = format_date_long(claim.first_day, digits=digits)
    last = claim.last_day or claim.first_day
    if last == claim.first_day:
        return f"เมื่อวันที่ {first}"
    return f"ตั้งแต่วันที่ {first} ถึงวันที่ {format_date_long(last, digits=digits)}"


def _build(title: str, story: list, thai_digits: bool) -> bytes:
    family = register_fonts()
    buf = io.BytesIO()
    frame = Frame(LEFT, BOTTOM, TEXT_W, PAGE_H - TOP - BOTTOM, 0, 0, 0, 0, id="body")
    doc = BaseDocTemplate(buf, pagesize=A4, title=title, creator="LGO Registry Desk",
                          leftMargin=LEFT, rightMargin=RIGHT, topMargin=TOP, bottomMargin=BOTTOM)
    th = thai_digits_prose if thai_digits else str

    def later(canv, d) -> None:
        if d.page > 1:
            draw_text(canv, LEFT + TEXT_W / 2, PAGE_H - 1.5 * cm - LETTER_SIZE * 0.3, th(f"- {d.page} -"),
                      family, LETTER_SIZE, "center")

    doc.addPageTemplates([PageTemplate("page", [frame], onPage=later)])
    doc.build(story, canvasmaker=ThaiCanvas)
    return buf.getvalue()


def _styles(size: float):
    body = thai_style("form", size, leading=size * 1.35)
    return dict(
        title=thai_style("formtitle", th_size(20), bold=True, alignment=TA_CENTER),
        centre=body.clone("centre", alignment=TA_CENTER),
        right=body.clone("right", alignment=TA_RIGHT),
        part=thai_style("part", size, bold=True, spaceBefore=size * 0.8),
        item=body.clone("item", leftIndent=0.9 * cm, firstLineIndent=-0.9 * cm, spaceBefore=size * 0.3),
        para=body.clone("para", firstLineIndent=2.5 * cm, spaceBefore=size * 0.3),
        body=body,
    )


def claim_form_pdf(paper: ClaimPaper) -> bytes:
    """The claim form for the claimant to sign, as PDF bytes."""
    c, size = paper.claim, LETTER_SIZE
    digits = "thai" if paper.thai_digits else "arabic"
    th = thai_digits_prose if paper.thai_digits else str
    s = _styles(size)
    family = register_fonts()
    receipts = Table(
        [Column("ลำดับ", "int", 5), Column("เลขที่ใบเสร็จ", "text", 14), Column("ลงวันที่", "date", 16),
         Column("ชื่อผู้ชำระเงินตามใบเสร็จ", "text", 22), Column("จำนวนเงิน (บาท)", "money", 14)],
        [(i, r.number, r.issued_on, r.payer, r.amount) for i, r in enumerate(c.receipts, start=1)],
        totals=("", "รวม", "", "", c.receipts_total), size=th_size(15))
    other = (f"ผู้ป่วยได้รับค่ารักษาพยาบาลจาก{c.other_right}แล้ว เป็นเงิน {format_amount(c.other_paid)} บาท "
             "จึงขอเบิกเฉพาะส่วนที่ยังขาดอยู่" if c.other_right.strip() else
             "ผู้ป่วยไม่ได้รับค่ารักษาพยาบาลสำหรับการรักษาครั้งนี้จากสิทธิหรือหน่วยงานอื่น")
    why = c.paid_first.th if c.paid_first is not None else ""
    if c.paid_first_note.strip():
        why = f"{why} ({c.paid_first_note.strip()})" if why and why != "อื่น ๆ" else c.paid_first_note.strip()
    story: list = [
        ThaiParagraph("ใบเบิกเงินสวัสดิการเกี่ยวกับการรักษาพยาบาล", s["title"]),
        ThaiParagraph(FUND, s["centre"]),
        Spacer(1, size * 0.5),
        ThaiParagraph(th(f"เขียนที่ {paper.unit_name}"), s["right"]),
        ThaiParagraph(f"วันที่ {format_date_long(paper.written_on, digits=digits)}", s["right"]),
        ThaiParagraph(th(f"เลขที่คำขอ {c.id}"), s["right"]),
        ThaiParagraph("ส่วนที่ ๑ ผู้มีสิทธิเป็นผู้กรอก" if paper.thai_digits else "ส่วนที่ 1 ผู้มีสิทธิเป็นผู้กรอก",
                      s["part"]),
        ThaiParagraph(th(f"1.  ข้าพเจ้า {paper.claimant_name} เลขประจำตัวประชาชน {format_cid(c.claimant_cid)} "
                         f"ตำแหน่ง {paper.claimant_position} สังกัด {paper.unit_name}"), s["item"]),
        ThaiParagraph(th(f"2.  ขอเบิกเงินค่ารักษาพยาบาลของ{_relation_words(c, paper.patient_name)} "
                         f"ซึ่งเจ็บป่วยด้วย {c.illness.strip()} และเข้ารับการรักษาพยาบาลเป็น{c.care.th} "
                         f"จาก {c.facility.strip()} ({c.facility_kind.th}) {_days(c, digits)}"), s["item"]),
        ThaiParagraph(th(f"3.  ต้องสำรองจ่ายเงินเองเนื่องจาก{why}"), s["item"]),
        ThaiParagraph(th(f"4.  ตามใบเสร็จรับเงินที่แนบมาพร้อมนี้ จำนวน {len(c.receipts)} ฉบับ ดังนี้"), s["item"]),
        Spacer(1, size * 0.3), TableFlow(receipts, paper.thai_digits), Spacer(1, size * 0.2),
        ThaiParagraph(th(f"5.  {other}"), s["item"]),
        ThaiParagraph(th(f"6.  รวมขอเบิกเป็นเงินทั้งสิ้น {format_amount(c.claimed)} บาท ({baht_text(c.claimed)})"),
                      s["item"]),
        ThaiParagraph("ข้าพเจ้าขอรับรองว่า ข้อความข้างต้นเป็นความจริง ผู้ป่วยมีสิทธิตามที่ขอเบิก ใบเสร็จรับเงินที่แนบ"
                      "เป็นหลักฐานการจ่ายเงินจริง และข้าพเจ้ามิได้นำใบเสร็จรับเงินนี้ไปเบิกจากที่อื่น หากปรากฏภายหลังว่า"
                      "ข้อความไม่เป็นความจริง ข้าพเจ้ายินยอมคืนเงินที่ได้รับไปทั้งหมด", s["para"]),
        KeepTogether([Spacer(1, size * 0.6),
                      _Signatures([("ผู้มีสิทธิ", paper.claimant_name, paper.claimant_position)], family, size)]),
        KeepTogether([
            ThaiParagraph("ส่วนที่ ๒ เจ้าหน้าที่การเงินเป็นผู้กรอก" if paper.thai_digits else
                          "ส่วนที่ 2 เจ้าหน้าที่การเงินเป็นผู้กรอก", s["part"]),
            ThaiParagraph(th(f"ได้ตรวจสอบหลักฐานการขอเบิกแล้ว ถูกต้องครบถ้วน เห็นควรส่งเบิกจาก{FUND} "
                             f"เป็นเงิน {format_amount(c.claimed)} บาท ({baht_text(c.claimed)})"), s["para"]),
            Spacer(1, size * 0.6),
            _Signatures([("ผู้ตรวจสอบ", paper.officer_name, paper.officer_position)], family, size)]),
    ]
    return _build("ใบเบิกเงินสวัสดิการเกี่ยวกับการรักษาพยาบาล", story, paper.thai_digits)


def repayment_receipt_pdf(paper: RepaymentPaper) -> bytes:
    """The receipt the claimant signs for what the unit repaid them (ใบสำคัญรับเงิน), as PDF bytes."""
    c, size = paper.claim, LETTER_SIZE
    digits = "thai" if paper.thai_digits else "arabic"
    th = thai_digits_prose if paper.thai_digits else str
    s = _styles(size)
    family = register_fonts()
    whose = "ของตนเอง" if c.relation is Relation.SELF else f"ของ{c.relation.th} ({paper.patient_name})"
    sid = statement_of(c)
    paid_by = f" ซึ่ง สปสช. อนุมัติและโอนเงินให้หน่วยงานตามรายการโอนเงินเลขที่ {sid}" if sid else ""
    item = th(f"ค่ารักษาพยาบาล{whose} ณ {c.facility.strip()} {_days(c, digits)} ตามคำขอเบิกเลขที่ {c.id}{paid_by}")
    lines = Table([Column("รายการ", "text", 48), Column("จำนวนเงิน (บาท)", "money", 14)], [(item, paper.amount)],
                  totals=("รวมเป็นเงิน", paper.amount), size=th_size(15))
    story: list = [
        ThaiParagraph("ใบสำคัญรับเงิน", s["title"]),
        Spacer(1, size * 0.5),
        ThaiParagraph(th(f"เขียนที่ {paper.unit_name}"), s["right"]),
        ThaiParagraph(f"วันที่ {format_date_long(paper.paid_on, digits=digits)}", s["right"]),
        ThaiParagraph(th(f"อ้างอิงฎีกา/ใบสำคัญจ่ายเลขที่ {paper.voucher}"), s["right"]),
        ThaiParagraph(th(f"ข้าพเจ้า {paper.claimant_name} เลขประจำตัวประชาชน {format_cid(c.claimant_cid)} "
                         f"ได้รับเงินจาก {paper.unit_name} ดังรายการต่อไปนี้"), s["para"]),
        Spacer(1, size * 0.3), TableFlow(lines, paper.thai_digits), Spacer(1, size * 0.2),
        ThaiParagraph(th(f"จำนวนเงิน (ตัวอักษร) {baht_text(paper.amount)}"), s["body"]),
        ThaiParagraph(f"จ่ายโดย{paper.method.th}", s["body"]),
        ThaiParagraph("ข้าพเจ้าได้รับเงินตามรายการข้างต้นไว้ถูกต้องครบถ้วนแล้ว", s["para"]),
        KeepTogether([Spacer(1, size * 0.6),
                      _Signatures([("ผู้รับเงิน", paper.claimant_name, ""),
                                   ("ผู้จ่ายเงิน", paper.payer_name, paper.payer_position)], family, size)]),
    ]
    return _build("ใบสำคัญรับเงิน", story, paper.thai_digits)


__all__ = ["ClaimPaper", "FUND", "RepaymentPaper", "claim_form_pdf", "repayment_receipt_pdf"]
