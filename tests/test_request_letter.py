"""The account-request letter PDF of every kind, read back with pdftotext: the unit, the subject, the officers
with their grouped IDs in Thai digits, the certification sentence, in reading order."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from app import cid as cidmod
from app.documents.request_letter import request_letter_pdf
from app.domain import Role
from app.thai import thai_digits_prose
from app.usecases.account_request import AccountRequest, Leaver, OfficerRow, RequestKind, check, letter_text
from tests.test_account_request import FIN, HR, NEWFIN, PALAD, team, unit

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler's pdftotext is not installed")


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def flat(text: str) -> str:
    """Without any white space: a sentence the letter wrapped onto two lines reads back whole."""
    return "".join(text.split())


def grouped(cid: str) -> str:
    return thai_digits_prose(cidmod.format_cid(cid))


def requests() -> dict[RequestKind, AccountRequest]:
    changed = team()
    changed[1].current_role = Role.REGISTRY_OFFICER
    changed[2].current_role, changed[2].role = Role.REGISTRY_OFFICER, Role.FINANCE_OFFICER
    changed[0].current_role = Role.REGISTRAR
    staying = [r for r in team() if r.cid != FIN] + [
        OfficerRow("นายใหม่ การเงิน", NEWFIN, "นักวิชาการเงิน", Role.FINANCE_OFFICER, "0812345674", "mai@thodlong.go.th")]
    return {
        RequestKind.FIRST: AccountRequest(RequestKind.FIRST, unit(), team()),
        RequestKind.ROLE_CHANGE: AccountRequest(RequestKind.ROLE_CHANGE, unit(), changed),
        RequestKind.REPLACEMENT: AccountRequest(RequestKind.REPLACEMENT, unit(), staying,
                                                [Leaver("นางมาลี การเงิน", FIN, Role.FINANCE_OFFICER, "ลาออก", NEWFIN)]),
    }


@pytest.mark.parametrize("kind", list(RequestKind))
def test_the_letter_reads_back_in_order(kind, tmp_path):
    request = requests()[kind]
    assert check(request).ok, check(request).reasons()
    words = letter_text(request)
    pdf = request_letter_pdf(request, date=dt.date(2026, 1, 31))
    assert pdf.startswith(b"%PDF-")
    text = flat(text_of(pdf, tmp_path))
    in_order = [thai_digits_prose("มค 52301/123"), "เทศบาลตำบลทดลอง", "๓๑ มกราคม ๒๕๖๙", "เรื่อง", "เรียน",
                words.addressee, "สิ่งที่ส่งมาด้วย"]
    if kind is RequestKind.REPLACEMENT:
        in_order += ["นางมาลี การเงิน", grouped(FIN), "ลาออก"]
    shown = [row[1] for row in words.table]
    assert shown, "every kind shows someone in the officers' table"
    for row in words.table:
        in_order += [row[1], thai_digits_prose(row[2])]
    in_order += [words.certification, "จึงเรียนมาเพื่อโปรดพิจารณา", "ขอแสดงความนับถือ", "(นายสมศักดิ์ ทดลอง)",
                 "นายกเทศมนตรีตำบลทดลอง", "saraban@thodlong.go.th"]
    at = 0
    for piece in (flat(thai_digits_prose(p)) for p in in_order):
        found = text.find(piece, at)
        assert found >= 0, f"«{piece}» not found after position {at}:\n{text[at:at + 400]}"
        at = found + len(piece)
    assert flat(thai_digits_prose(words.subject)) in text
    for heading in ("ลำดับ", "ชื่อ–สกุล", "เลขประจำตัวประชาชน", "ตำแหน่ง", "บทบาท", "เบอร์มือถือ", "อีเมล"):
        assert heading in text


def test_first_letter_lists_every_officer_with_the_grouped_id_in_thai_digits(tmp_path):
    text = flat(text_of(request_letter_pdf(requests()[RequestKind.FIRST]), tmp_path))
    for cid_ in (PALAD, HR, FIN):
        assert grouped(cid_) in text
    assert grouped(PALAD).startswith("๑-๔๑๐๑-")
    assert "1-4101" not in text  # the layer prints Thai digits in the letter


def test_a_letter_with_no_reference_leaves_a_blank_to_fill_in(tmp_path):
    request = AccountRequest(RequestKind.FIRST, unit(reference=""), team())
    text = flat(text_of(request_letter_pdf(request), tmp_path))
    assert "ที่......" in text
