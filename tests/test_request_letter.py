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
    for row in words.table:   # a name may wrap at its space inside its cell: the ID, never wrapped, keeps the order
        in_order += [thai_digits_prose(row[2])]
        assert all(flat(part) in text for part in row[1].split())
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


# --- the seeds' template, word for word (001, attachment 2; 000 §3) -----------------------------------------------
# The template letter as the seeds give it («/รัฐวิสาหกิจ/องค์กรอิสระ» is for the other kinds of organisation that
# the same form serves; a local-government unit keeps its own):
SEED_SUBJECT = ("แจ้งรายชื่อนายทะเบียน เพื่อกำหนด Username/Password สำหรับโปรแกรมระบบทะเบียนบุคลากร "
                "องค์กรปกครองส่วนท้องถิ่น/รัฐวิสาหกิจ/องค์กรอิสระ")
SEED_TO = "เลขาธิการสำนักงานหลักประกันสุขภาพแห่งชาติ"
SEED_ENCLOSURE = "สำเนาบัตรประจำตัวประชาชน จำนวน ..... ฉบับ"
SEED_INTRO = ("ตามที่ สำนักงานหลักประกันสุขภาพแห่งชาติ ได้จัดให้มีระบบทะเบียนบุคลากร องค์กรปกครองส่วนท้องถิ่น/รัฐวิสาหกิจ/"
              "องค์กรอิสระ เพื่อลงทะเบียนข้อมูลบุคลากรในสังกัดหน่วยงานต่าง ๆ สำหรับการปรับปรุงข้อมูลสิทธิด้านการรักษาพยาบาล"
              "ให้ถูกต้อง ใช้เป็นข้อมูลในการให้บริการสาธารณสุข นั้น")
SEED_BODY = ("ในการนี้ ....(ชื่อหน่วยงาน).... ขอแจ้งรายชื่อบุคคลในตำแหน่งนายทะเบียนระบบทะเบียนบุคลากรของหน่วยงาน "
             "เพื่อขอรับ Username/Password ในการใช้งานโปรแกรมระบบทะเบียนบุคลากรฯ โดยมีรายชื่อดังนี้ "
             "(หลักฐานประกอบตามสิ่งที่ส่งมาด้วย)")
SEED_CERTIFICATION = (".....ชื่อหน่วยงาน..... ขอรับรองว่าผู้ที่มีรายชื่อตามที่ระบุข้างต้นเป็นเจ้าของหน้าที่ผู้ปฏิบัติงาน"
                      "ของหน่วยงานจริง")
SEED_CLOSING = "จึงเรียนมาเพื่อโปรดพิจารณา"
SEED_HEADER = ("ลำดับ", "ชื่อ - สกุล", "เลขบัตรประจำตัว ประชาชน", "ตำแหน่ง", "เบอร์มือถือ", "อีเมล")
# 000 §3.4: a replacement «เพื่อยกเลิกรหัสของเจ้าหน้าที่ท่านเดิม และกำหนดรหัสผู้ใช้งาน ให้แก่เจ้าหน้าที่ท่านใหม่ ทดแทน»
# 000 §3.1: the e-mail's subject «ขอสิทธิเข้าใช้งานระบบทะเบียนบุคลากร องค์กรปกครองส่วนท้องถิ่น ชื่อหน่วยงาน ชื่อ จังหวัด»
SEED_MAIL_SUBJECT = "ขอสิทธิเข้าใช้งานระบบทะเบียนบุคลากร องค์กรปกครองส่วนท้องถิ่น ชื่อหน่วยงาน ชื่อ จังหวัด"
LGO = ("องค์กรปกครองส่วนท้องถิ่น/รัฐวิสาหกิจ/องค์กรอิสระ", "องค์กรปกครองส่วนท้องถิ่น")


def only_one_registrar() -> AccountRequest:
    return AccountRequest(RequestKind.FIRST, unit(), team()[:1])


def test_the_first_letter_is_the_seeds_template_filled_in():
    words = letter_text(only_one_registrar())
    assert words.subject == SEED_SUBJECT.replace(*LGO)
    assert words.addressee == SEED_TO
    assert words.enclosures[0] == SEED_ENCLOSURE.replace(".....", "1")
    assert words.paragraphs[0] == SEED_INTRO.replace(*LGO)
    assert words.paragraphs[1] == SEED_BODY.replace("....(ชื่อหน่วยงาน)....", "เทศบาลตำบลทดลอง")
    # the template's «เจ้าของหน้าที่» is a slip for เจ้าหน้าที่ (the unit's staff who do the work; the digest reads
    # it so): the sentence is otherwise the template's
    assert words.certification == SEED_CERTIFICATION.replace(".....ชื่อหน่วยงาน.....", "เทศบาลตำบลทดลอง").replace(
        "เจ้าของหน้าที่", "เจ้าหน้าที่")
    assert words.closing == SEED_CLOSING
    # the template's columns, with the role added (000 has three kinds of user) and the ID column in one word
    assert [h for h in words.table_header if h != "บทบาท"] == [
        " ".join(h.replace(" - ", "–").split()).replace("เลขบัตรประจำตัว ประชาชน", "เลขประจำตัวประชาชน")
        for h in SEED_HEADER]


def test_with_every_role_the_body_names_them_the_thai_way():
    words = letter_text(requests()[RequestKind.FIRST])
    assert words.paragraphs[1] == (
        "ในการนี้ เทศบาลตำบลทดลอง ขอแจ้งรายชื่อบุคคลในตำแหน่งนายทะเบียน เจ้าหน้าที่ทะเบียน และเจ้าหน้าที่การเงิน "
        "ในระบบทะเบียนบุคลากรของหน่วยงาน " + SEED_BODY[SEED_BODY.index("เพื่อขอรับ"):])


def test_a_replacement_says_what_the_seeds_say_of_it():
    words = letter_text(requests()[RequestKind.REPLACEMENT])
    issue = "กำหนดรหัสผู้ใช้งานให้แก่เจ้าหน้าที่ท่านใหม่ทดแทน"
    assert "ยกเลิกรหัสผู้ใช้งานของเจ้าหน้าที่ท่านเดิม" in words.leavers_intro
    assert issue in words.paragraphs[0] and words.paragraphs[0].endswith(SEED_BODY[SEED_BODY.index("โดยมี"):])
    assert words.addressee.startswith("ผู้อำนวยการสำนักงานหลักประกันสุขภาพแห่งชาติ เขต")
    assert "Excel" in words.note    # the workbook lists who stays: the importer revokes the others


def test_a_role_change_names_each_move_once_and_points_to_the_workbook():
    words = letter_text(requests()[RequestKind.ROLE_CHANGE])
    body = words.paragraphs[1]
    assert "จำนวน 1 คน ได้แก่ นางมาลี การเงิน จากเจ้าหน้าที่ทะเบียนเป็นเจ้าหน้าที่การเงิน" in body
    assert body.count("ดังนี้") == 1
    assert "ทั้งหมด" in words.note and "Excel" in words.note


def test_the_letterhead_carries_the_province_and_the_table_the_mobile_as_people_write_it(tmp_path):
    words = letter_text(requests()[RequestKind.FIRST])
    assert words.unit_address == "99 หมู่ 1 ตำบลทดลอง\nอำเภอเมือง จังหวัดมหาสารคาม"
    typed = letter_text(AccountRequest(RequestKind.FIRST, unit(address="1 ถนนกลาง อำเภอเมือง จังหวัดมหาสารคาม 44000"),
                                       team()))
    assert typed.unit_address.count("มหาสารคาม") == 1
    assert [row[5] for row in words.table] == ["081-234-5671", "081-234-5672", "081-234-5673"]
    text = flat(text_of(request_letter_pdf(requests()[RequestKind.FIRST]), tmp_path))
    assert "จังหวัดมหาสารคาม" in text and "๐๘๑-๒๓๔-๕๖๗๑" in text


def test_no_id_mobile_or_e_mail_is_broken_and_a_role_wraps_only_after_jao_na_thi(tmp_path):
    lines = []
    for kind, request in requests().items():
        lines += text_of(request_letter_pdf(request), tmp_path).splitlines()
        for row in letter_text(request).table:
            for value in (thai_digits_prose(row[2]), thai_digits_prose(row[5]), row[6]):
                assert any(value in line for line in lines), f"{value} is broken across lines ({kind})"
    for line in lines:
        cells = line.split()
        for word in ("เจ้าหน้าที่การ", "เจ้าหน้าที่ทะ"):
            assert word not in cells, line       # never เจ้าหน้าที่การ | เงิน
    assert not any(cell in ("เงิน", "เบียน") for line in lines for cell in line.split()), "a role split mid-word"


def test_the_email_subject_is_the_seeds_and_the_body_is_short(tmp_path):
    from app.usecases.account_request import email_draft, workbook_bytes
    for kind, request in requests().items():
        msg = email_draft(request, b"%PDF-1.4", workbook_bytes(request), "saraban7@nhso.go.th")
        assert msg["Subject"] == SEED_MAIL_SUBJECT.replace("ชื่อหน่วยงาน ชื่อ จังหวัด", "เทศบาลตำบลทดลอง จังหวัดมหาสารคาม")
        body = msg.get_body(("plain",)).get_content()
        lines = [line for line in body.splitlines() if line.strip()]
        assert len(lines) <= 12, body
        assert lines[1] == "เรียน " + letter_text(request).addressee
        assert "จึงเรียนมาเพื่อโปรดพิจารณา" in lines
        if kind is RequestKind.ROLE_CHANGE:
            assert "จำนวน 1 คน" in body            # the one whose role changes, not everybody listed
        if kind is RequestKind.REPLACEMENT:
            assert "ยกเลิกรหัสของเจ้าหน้าที่ท่านเดิม และกำหนดรหัสผู้ใช้งานให้แก่เจ้าหน้าที่ท่านใหม่ทดแทน" in body
