"""The claim form and the repayment receipt as the claimant signs them: every part read back in logical order with
pdftotext, the amount in words as an independent implementation of Excel's BAHTTEXT writes it (pythainlp), the
declaration not broken inside a word, the receipts table with its total, and the other right's shortfall."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pythainlp.util import bahttext

from app.claims import Care, Claim, FacilityKind, PaidFirst, PayMethod, Receipt
from app.documents.claim_papers import ClaimPaper, RepaymentPaper, claim_form_pdf, repayment_receipt_pdf
from app.rules.entitlement import Relation
from app.thai import thai_digits_prose
from tests.builders import new_cid
from tests.pdfcheck import line_breaks, mid_word_breaks, page_texts, pages, squeeze

UNIT = "องค์การบริหารส่วนตำบลบ้านฝึกหัด"


def a_claim(**kw) -> Claim:
    base = dict(facility="โรงพยาบาลเอกชนขอนแก่นราม", facility_kind=FacilityKind.PRIVATE, care=Care.INPATIENT,
                first_day=dt.date(2026, 10, 3), last_day=dt.date(2026, 10, 7), illness="ไข้เลือดออก",
                paid_first=PaidFirst.NOT_REGISTERED,
                receipts=(Receipt("IV-69-004512", dt.date(2026, 10, 7), "นายประเสริฐ ทองดี", Decimal("18450.00")),
                          Receipt("IV-69-004513", dt.date(2026, 10, 7), "นายประเสริฐ ทองดี", Decimal("1220.75"))))
    base.update(kw)
    return Claim("CL-2569-000123", "TRN0001", new_cid(), new_cid(), Relation.CHILD, **base)


def paper(claim: Claim, **kw) -> ClaimPaper:
    return ClaimPaper(claim, UNIT, "นายประเสริฐ ทองดี", "ปลัดองค์การบริหารส่วนตำบล", "เด็กชายภูมิใจ ทองดี",
                      dt.date(2026, 11, 30), "นางสาวสุภาพร แก้วมณี", "นักวิชาการเงินและบัญชี", **kw)


@pytest.fixture
def form(tmp_path):
    path = tmp_path / "claim.pdf"
    path.write_bytes(claim_form_pdf(paper(a_claim())))
    return path


def test_the_claim_form_reads_back_every_part_in_order(form):
    assert pages(form) == 1
    text = squeeze(" ".join(page_texts(form)))
    wanted = ["ใบเบิกเงินสวัสดิการเกี่ยวกับการรักษาพยาบาล", f"เขียนที่{UNIT}", "วันที่๓๐พฤศจิกายน๒๕๖๙",
              "ส่วนที่๑ผู้มีสิทธิเป็นผู้กรอก", "ขอเบิกเงินค่ารักษาพยาบาลของบุตรชื่อเด็กชายภูมิใจทองดี",
              "เป็นผู้ป่วยใน", "ตั้งแต่วันที่๓ตุลาคม๒๕๖๙ถึงวันที่๗ตุลาคม๒๕๖๙",
              "ยังไม่มีข้อมูลสิทธิในฐานข้อมูลของสปสช.", "IV-69-004512", "๑๘,๔๕๐.๐๐", "๑,๒๒๐.๗๕", "รวม๑๙,๖๗๐.๗๕",
              "ไม่ได้รับค่ารักษาพยาบาลสำหรับการรักษาครั้งนี้จากสิทธิหรือหน่วยงานอื่น",
              "(นายประเสริฐทองดี)", "ส่วนที่๒เจ้าหน้าที่การเงินเป็นผู้กรอก", "(นางสาวสุภาพรแก้วมณี)"]
    positions = [text.find(squeeze(w)) for w in wanted]
    assert -1 not in positions, [w for w, p in zip(wanted, positions) if p < 0]
    assert positions == sorted(positions)   # in reading order, so shaping did not scramble it


def test_the_amount_in_words_is_what_bahttext_writes(form):
    # pythainlp's bahttext, written independently of app.thai, agrees with Excel's BAHTTEXT from one baht up
    words = bahttext(19670.75)
    assert words == "หนึ่งหมื่นเก้าพันหกร้อยเจ็ดสิบบาทเจ็ดสิบห้าสตางค์"
    assert squeeze(f"({words})") in squeeze(" ".join(page_texts(form)))


def test_the_declaration_breaks_only_between_words(form):
    lines = [line for page in page_texts(form) for line in page.splitlines()]
    declaration = ("ข้าพเจ้าขอรับรองว่า ข้อความข้างต้นเป็นความจริง ผู้ป่วยมีสิทธิตามที่ขอเบิก ใบเสร็จรับเงินที่แนบ"
                   "เป็นหลักฐานการจ่ายเงินจริง และข้าพเจ้ามิได้นำใบเสร็จรับเงินนี้ไปเบิกจากที่อื่น หากปรากฏภายหลังว่า"
                   "ข้อความไม่เป็นความจริง ข้าพเจ้ายินยอมคืนเงินที่ได้รับไปทั้งหมด")
    breaks = line_breaks(declaration, lines)
    assert breaks, "the declaration is not found line by line"
    assert mid_word_breaks(declaration, breaks) == []


def test_what_another_right_paid_is_declared_and_only_the_shortfall_claimed(tmp_path):
    path = tmp_path / "sso.pdf"
    path.write_bytes(claim_form_pdf(paper(a_claim(other_right="ประกันสังคม", other_paid=Decimal("5000")),
                                          thai_digits=False)))
    text = squeeze(" ".join(page_texts(path)))
    assert squeeze("ได้รับค่ารักษาพยาบาลจากประกันสังคมแล้ว เป็นเงิน 5,000.00 บาท จึงขอเบิกเฉพาะส่วนที่ยังขาดอยู่") in text
    assert squeeze(f"รวมขอเบิกเป็นเงินทั้งสิ้น 14,670.75 บาท ({bahttext(14670.75)})") in text
    assert "๑" not in text   # Arabic digits when the unit turned Thai digits off


def test_the_repayment_receipt_says_who_received_what_for_whom_and_how(tmp_path):
    claim = a_claim()
    path = tmp_path / "receipt.pdf"
    path.write_bytes(repayment_receipt_pdf(RepaymentPaper(
        claim, UNIT, "นายประเสริฐ ทองดี", "เด็กชายภูมิใจ ทองดี", Decimal("19670.75"), dt.date(2026, 12, 28),
        PayMethod.TRANSFER, "PV-69/0451", "นางสาวสุภาพร แก้วมณี", "นักวิชาการเงินและบัญชี")))
    text = squeeze(" ".join(page_texts(path)))
    wanted = ["ใบสำคัญรับเงิน", "วันที่๒๘ธันวาคม๒๕๖๙", "PV-69/0451", f"ได้รับเงินจาก{UNIT}",
              "ค่ารักษาพยาบาลของบุตร(เด็กชายภูมิใจทองดี)ณโรงพยาบาลเอกชนขอนแก่นราม", "รวมเป็นเงิน๑๙,๖๗๐.๗๕",
              f"จำนวนเงิน(ตัวอักษร){bahttext(19670.75)}", "จ่ายโดยโอนเข้าบัญชีธนาคาร", "ผู้รับเงิน", "ผู้จ่ายเงิน"]
    positions = [text.find(squeeze(thai_digits_prose(w) if "PV" not in w else w)) for w in wanted]
    assert -1 not in positions, [w for w, p in zip(wanted, positions) if p < 0]
    assert positions == sorted(positions)
