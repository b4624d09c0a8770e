"""The account-request kit without a server: the wizard's checks (each beside its row and field, in Thai), the
three kinds of request, the regional offices, the .eml (parsed back and sent through a real SMTP server), and
files written whole or not at all."""
from __future__ import annotations

import configparser
import datetime as dt
import email
import email.header
import email.policy
import io
import os
import smtplib
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook
from stdnum.th import pin as stdnum_pin

from app import cid as cidmod
from app import regions, settings
from app.documents.files import write_file
from app.documents.request import read_request
from app.domain import Role, UnitLevel
from app.errors import Refusal, Severity
from app.usecases.account_request import (
    AccountRequest, Leaver, OfficerRow, RequestKind, RequestRefused, UnitDetails, check, file_names, letter_text,
    officer_from_card, produce,
)
from tests.central import Inbox


def cid(first12: str) -> str:
    """A test CID: our check digit, confirmed by python-stdnum (an independent implementation)."""
    value = cidmod.complete(first12)
    assert stdnum_pin.is_valid(value), value
    return value


PALAD, HR, FIN, NEWFIN = cid("141010000001"), cid("241010000002"), cid("341010000003"), cid("541010000004")
BAD_CHECK_DIGIT = PALAD[:12] + str((int(PALAD[12]) + 1) % 10)
assert not stdnum_pin.is_valid(BAD_CHECK_DIGIT)


def tiny_pdf() -> bytes:
    from reportlab.pdfgen import canvas
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(72, 720, "letter")
    c.save()
    return out.getvalue()


def unit(**kw) -> UnitDetails:
    base = dict(name="เทศบาลตำบลทดลอง", level=UnitLevel.SUBDISTRICT, code="OTH0002",
                address="99 หมู่ 1 ตำบลทดลอง อำเภอเมือง", province="มหาสารคาม", phone="043-123456", fax="043-123457",
                email="saraban@thodlong.go.th", head_name="นายสมศักดิ์ ทดลอง", head_position="นายกเทศมนตรีตำบลทดลอง",
                reference="มค 52301/123")
    base.update(kw)
    return UnitDetails(**base)


def team(registrar: str = PALAD, registry: str = HR, finance: str = FIN) -> list[OfficerRow]:
    """The unit's three officers — the registrar (her mobile typed with dashes), a registry officer and a finance
    officer — with these citizen IDs."""
    return [OfficerRow("นางสาวปราณี ปลัด", registrar, "ปลัดเทศบาล", Role.REGISTRAR, "081-234-5671",
                       "pranee@thodlong.go.th"),
            OfficerRow("นายบุญมี ทะเบียน", registry, "นักทรัพยากรบุคคล", Role.REGISTRY_OFFICER, "0812345672",
                       "boonmee@thodlong.go.th"),
            OfficerRow("นางมาลี การเงิน", finance, "นักวิชาการเงินและบัญชี", Role.FINANCE_OFFICER, "0812345673",
                       "malee@thodlong.go.th")]


def first_request(**kw) -> AccountRequest:
    return AccountRequest(RequestKind.FIRST, unit(**kw), team())


# --- the 13 regional offices -----------------------------------------------------------------------------

# The 77 provinces by DOPA's province code, written here independently of app/data/nhso_regions.json.
PROVINCES_BY_CODE = {
    10: "กรุงเทพมหานคร", 11: "สมุทรปราการ", 12: "นนทบุรี", 13: "ปทุมธานี", 14: "พระนครศรีอยุธยา", 15: "อ่างทอง",
    16: "ลพบุรี", 17: "สิงห์บุรี", 18: "ชัยนาท", 19: "สระบุรี", 20: "ชลบุรี", 21: "ระยอง", 22: "จันทบุรี", 23: "ตราด",
    24: "ฉะเชิงเทรา", 25: "ปราจีนบุรี", 26: "นครนายก", 27: "สระแก้ว", 30: "นครราชสีมา", 31: "บุรีรัมย์", 32: "สุรินทร์",
    33: "ศรีสะเกษ", 34: "อุบลราชธานี", 35: "ยโสธร", 36: "ชัยภูมิ", 37: "อำนาจเจริญ", 38: "บึงกาฬ", 39: "หนองบัวลำภู",
    40: "ขอนแก่น", 41: "อุดรธานี", 42: "เลย", 43: "หนองคาย", 44: "มหาสารคาม", 45: "ร้อยเอ็ด", 46: "กาฬสินธุ์",
    47: "สกลนคร", 48: "นครพนม", 49: "มุกดาหาร", 50: "เชียงใหม่", 51: "ลำพูน", 52: "ลำปาง", 53: "อุตรดิตถ์", 54: "แพร่",
    55: "น่าน", 56: "พะเยา", 57: "เชียงราย", 58: "แม่ฮ่องสอน", 60: "นครสวรรค์", 61: "อุทัยธานี", 62: "กำแพงเพชร",
    63: "ตาก", 64: "สุโขทัย", 65: "พิษณุโลก", 66: "พิจิตร", 67: "เพชรบูรณ์", 70: "ราชบุรี", 71: "กาญจนบุรี",
    72: "สุพรรณบุรี", 73: "นครปฐม", 74: "สมุทรสาคร", 75: "สมุทรสงคราม", 76: "เพชรบุรี", 77: "ประจวบคีรีขันธ์",
    80: "นครศรีธรรมราช", 81: "กระบี่", 82: "พังงา", 83: "ภูเก็ต", 84: "สุราษฎร์ธานี", 85: "ระนอง", 86: "ชุมพร",
    90: "สงขลา", 91: "สตูล", 92: "ตรัง", 93: "พัทลุง", 94: "ปัตตานี", 95: "ยะลา", 96: "นราธิวาส",
}


def test_every_province_has_exactly_one_regional_office_and_bangkok_is_region_13():
    assert len(PROVINCES_BY_CODE) == 77
    listed = regions.provinces()
    assert Counter(listed) == Counter(PROVINCES_BY_CODE.values())  # all 77, none twice, nothing else
    assert [r.number for r in regions.regions()] == list(range(1, 14))
    assert all(r.seat in r.provinces for r in regions.regions())  # each office sits in a province it serves
    assert regions.region_of("กรุงเทพมหานคร").number == 13
    assert regions.region_of("กทม.").number == 13
    assert regions.region_of("จังหวัดขอนแก่น").office == "สำนักงานหลักประกันสุขภาพแห่งชาติ เขต 7 ขอนแก่น"  # seeds' example
    assert regions.region_of("บึงกาฬ").number == 8       # the newest province (2011)
    assert regions.region_of("มหาสารคาม").number == 7
    assert regions.region_of("นราธิวาส").number == 12
    with pytest.raises(Refusal) as refused:
        regions.region_of("ขอนแกน")  # a typo
    assert "ไม่รู้จักจังหวัด «ขอนแกน»" in refused.value.th
    assert regions.with_prefix("ขอนแก่น") == "จังหวัดขอนแก่น" and regions.with_prefix("กทม.") == "กรุงเทพมหานคร"


# --- the checks --------------------------------------------------------------------------------------------

def test_a_complete_first_request_has_no_error():
    result = check(first_request())
    assert result.ok, result.reasons()
    assert result.findings == []
    # without a code the request can still go: NHSO fills it in, and the screen says so
    no_code = check(first_request(code=""))
    assert no_code.ok
    assert [(f.field, f.severity) for f in no_code.at("unit")] == [("code", Severity.INFO)]


def test_each_role_rule_is_said_beside_its_row_and_field_in_thai():
    rows = team()
    rows.append(OfficerRow("นายสมชาย รองปลัด", cid("641010000005"), "รองปลัดเทศบาล", Role.REGISTRAR, "0812345674",
                           "somchai@thodlong.go.th"))                                           # 4: a second registrar
    rows.append(OfficerRow("นายบุญมี ทะเบียน", HR, "นักทรัพยากรบุคคล", Role.FINANCE_OFFICER, "0812345672",
                           "boonmee@thodlong.go.th"))                                           # 5: registry + finance
    rows.append(OfficerRow("นางสาวจันทร์ ผู้ช่วย", BAD_CHECK_DIGIT, "ผู้ช่วยนักวิชาการ", Role.REGISTRY_OFFICER,
                           "0812345675", "malee@thodlong.go.th"))                               # 6: bad CID, shared mail
    rows.append(OfficerRow())                                                                   # 7: the screen's empty row
    result = check(AccountRequest(RequestKind.FIRST, unit(), rows))
    assert not result.ok

    def said(row, field):
        return [f.th for f in result.at("officers", row, field)]

    assert any("นายทะเบียนได้เพียง 1 คน" in t for t in said(0, "role"))
    assert any("นายทะเบียนได้เพียง 1 คน" in t and t.startswith("เจ้าหน้าที่แถวที่ 4") for t in said(3, "role"))
    assert any("เป็นทั้งเจ้าหน้าที่ทะเบียนและเจ้าหน้าที่การเงินไม่ได้" in t for t in said(1, "role"))
    assert any("เป็นทั้งเจ้าหน้าที่ทะเบียนและเจ้าหน้าที่การเงินไม่ได้" in t for t in said(4, "role"))
    assert any(t.startswith("เจ้าหน้าที่แถวที่ 6") and "หลักสุดท้ายไม่ตรง" in t for t in said(5, "cid"))
    assert any("malee@thodlong.go.th ถูกใช้โดยเจ้าหน้าที่มากกว่า 1 คน" in t for t in said(2, "email"))
    assert any("malee@thodlong.go.th ถูกใช้โดยเจ้าหน้าที่มากกว่า 1 คน" in t for t in said(5, "email"))
    assert result.at("officers", 6) == []           # an empty row is no problem
    assert said(2, "role") == [] and said(0, "cid") == []  # nothing said about what is right


def test_a_verdict_about_one_person_is_shown_only_on_that_persons_rows():
    other = cid("741010000006")
    rows = team() + [
        OfficerRow("นายบุญมี ทะเบียน", HR, "นักทรัพยากรบุคคล", Role.FINANCE_OFFICER, "0812345672",
                   "boonmee@thodlong.go.th"),                                                   # 4: HR twice
        OfficerRow("นายสอง บทบาท", other, "เจ้าพนักงานธุรการ", Role.REGISTRY_OFFICER, "0812345677",
                   "a@thodlong.go.th"),                                                         # 5
        OfficerRow("นายสอง บทบาท", other, "เจ้าพนักงานธุรการ", Role.FINANCE_OFFICER, "0812345677",
                   "aa@thodlong.go.th"),                                                        # 6: a second person
    ]
    rows[2].email = "aa@thodlong.go.th"         # 3 and 6 share aa@ ; a@ (row 5) is only a substring of it
    result = check(AccountRequest(RequestKind.FIRST, unit(), rows))
    both = {i: [f.th for f in result.at("officers", i, "role")] for i in (1, 3, 4, 5)}
    assert all(len(said) == 1 for said in both.values()), both
    assert "นายบุญมี" in both[1][0] and "นายบุญมี" in both[3][0]
    assert "นายสอง" in both[4][0] and "นายสอง" in both[5][0]
    shared = [i for i in range(len(rows)) if result.at("officers", i, "email")]
    assert shared == [2, 5]


def test_the_registrar_must_be_palad_deputy_or_head_of_finance_and_every_officer_needs_their_own_mail():
    rows = team()
    rows[0].position = "นักวิเคราะห์นโยบายและแผน"
    rows[1].email = "saraban@thodlong.go.th"    # the unit's shared mailbox
    rows[2].email = "malee@"                    # not an address
    rows[2].mobile = "043-123456"               # an office line, not a mobile
    result = check(AccountRequest(RequestKind.FIRST, unit(), rows))
    assert any("เป็นนายทะเบียนไม่ได้" in f.th for f in result.at("officers", 0, "position"))
    assert any("อีเมลกลางของหน่วยงาน" in f.th for f in result.at("officers", 1, "email"))
    assert any("ไม่ถูกต้อง" in f.th for f in result.at("officers", 2, "email"))
    assert any("เบอร์มือถือ" in f.th for f in result.at("officers", 2, "mobile"))
    only_staff = check(AccountRequest(RequestKind.FIRST, unit(), team()[1:]))
    assert [f.code for f in only_staff.at("officers", None, "role")] == ["registrar.missing"]


def test_missing_unit_fields_are_named_and_nothing_is_produced(tmp_path):
    request = first_request(name="", address=" ", province="ขอนแกน", email="", head_name="", level=None)
    result = check(request)
    fields = {f.field for f in result.errors if f.section == "unit"}
    assert fields == {"name", "address", "province", "email", "head_name", "level"}
    assert any(f.th.startswith("จังหวัด: ไม่รู้จักจังหวัด «ขอนแกน»") for f in result.at("unit", None, "province"))
    with pytest.raises(RequestRefused) as refused:
        produce(request, tmp_path, letter_pdf=tiny_pdf(), mailbox=settings.DEFAULT_NHSO_REGISTRATION_MAILBOX)
    assert refused.value.th.startswith("ยังสร้างเอกสารไม่ได้")
    assert "ชื่อหน่วยงาน: กรุณากรอกชื่อหน่วยงาน" in refused.value.reasons
    assert len(refused.value.reasons) == len(result.errors)
    assert list(tmp_path.iterdir()) == []


def test_reading_the_officers_own_card_fills_the_cid_and_thai_name_and_keeps_the_rest():
    from card.thaiid import CardData, parse_address, parse_name
    # the name fields as the card holds them (prefix#first#middle#last), through the reader's own parsers
    card = CardData(NEWFIN, parse_name("นางสาว#จันทร์เพ็ญ##ศรีสุข"), parse_name("Miss#Janpen##Srisuk"), None, "2",
                    "", "", "", None, None, "", parse_address("99#หมู่ที่ 1#ตำบลทดลอง#อำเภอเมือง#จังหวัดมหาสารคาม"))
    typed = OfficerRow(position="นักวิชาการเงินและบัญชี", role=Role.FINANCE_OFFICER, mobile="0812345678",
                       email="janpen@thodlong.go.th")
    row = officer_from_card(card, typed)
    assert (row.name, row.cid) == ("นางสาวจันทร์เพ็ญ ศรีสุข", NEWFIN)
    assert (row.position, row.role, row.email) == (typed.position, typed.role, typed.email)
    rows = team()[:2] + [row]
    assert check(AccountRequest(RequestKind.FIRST, unit(), rows)).ok


# --- the three kinds ---------------------------------------------------------------------------------------

def test_a_role_change_must_change_someones_role_and_says_so_in_the_workbook(tmp_path):
    rows = team()
    for r in rows:
        r.current_role = r.role
    unchanged = AccountRequest(RequestKind.ROLE_CHANGE, unit(), rows)
    assert [f.code for f in check(unchanged).errors] == ["request.no_role_change"]
    rows[2].role = Role.REGISTRY_OFFICER        # the finance officer becomes a registry officer
    changed = AccountRequest(RequestKind.ROLE_CHANGE, unit(), rows)
    out = produce(changed, tmp_path, letter_pdf=tiny_pdf(), mailbox="saraban7@nhso.go.th")
    text = letter_text(changed)
    assert text.subject.startswith("ขอเปลี่ยนบทบาท")
    assert text.addressee == "เลขาธิการสำนักงานหลักประกันสุขภาพแห่งชาติ"
    assert [row[1] for row in text.table] == ["นางมาลี การเงิน"]
    assert "จากเจ้าหน้าที่การเงินเป็นเจ้าหน้าที่ทะเบียน" in text.paragraphs[1]
    back = read_request(out.workbook)
    assert back.ok, [v.th for v in back.problems.items]
    assert back.kind == "ขอเปลี่ยนบทบาทผู้ใช้งาน"
    assert [(o.cid, o.role) for _r, o in back.officers] == [(PALAD, Role.REGISTRAR), (HR, Role.REGISTRY_OFFICER),
                                                            (FIN, Role.REGISTRY_OFFICER)]
    assert sorted(back.notes.values()) == ["คงเดิม", "คงเดิม", "เปลี่ยนบทบาทจากเจ้าหน้าที่การเงิน"]


def test_a_replacement_is_addressed_to_the_regional_office_of_the_units_province():
    rows = team()
    rows[2] = OfficerRow("นายใหม่ มาแทน", NEWFIN, "นักวิชาการเงินและบัญชี", Role.FINANCE_OFFICER, "0812345676",
                         "mai@thodlong.go.th")
    gone = Leaver("นางมาลี การเงิน", FIN, Role.FINANCE_OFFICER, "โอนย้าย", successor_cid=NEWFIN)
    request = AccountRequest(RequestKind.REPLACEMENT, unit(), rows, [gone])
    assert check(request).ok, check(request).reasons()
    text = letter_text(request)
    assert text.addressee == "ผู้อำนวยการสำนักงานหลักประกันสุขภาพแห่งชาติ เขต 7 ขอนแก่น"  # มหาสารคาม is in เขต 7
    assert [row[1] for row in text.leavers] == ["นางมาลี การเงิน"] and text.leavers[0][5] == "นายใหม่ มาแทน"
    assert [row[1] for row in text.table] == ["นายใหม่ มาแทน"]
    bangkok = AccountRequest(RequestKind.REPLACEMENT, unit(province="กรุงเทพมหานคร"), rows, [gone])
    assert letter_text(bangkok).addressee.endswith("เขต 13 กรุงเทพมหานคร")

    # the person who left must not stay listed, and the successor must be one of the officers
    still = AccountRequest(RequestKind.REPLACEMENT, unit(), team(), [Leaver("นางมาลี การเงิน", FIN,
                                                                           Role.FINANCE_OFFICER, "ลาออก", NEWFIN)])
    said = check(still)
    assert [f.code for f in said.at("leavers", 0)] == ["leaver.still_listed", "leaver.successor_unknown"]
    assert all(f.th.startswith("ผู้พ้นหน้าที่แถวที่ 1") for f in said.at("leavers", 0))
    nobody = check(AccountRequest(RequestKind.REPLACEMENT, unit(), rows, []))
    assert [f.code for f in nobody.errors] == ["request.no_leaver"]


# --- the e-mail --------------------------------------------------------------------------------------------

def test_the_eml_parses_back_with_thai_subject_and_names_and_both_files_byte_identical(tmp_path):
    letter = tiny_pdf()
    out = produce(first_request(), tmp_path, letter_pdf=letter, mailbox=settings.load().nhso_registration_mailbox)
    raw = out.eml.read_bytes()
    assert raw.isascii()                                   # nothing a 7-bit relay could break
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")          # CRLF throughout
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == ("ขอสิทธิเข้าใช้งานระบบทะเบียนบุคลากร องค์กรปกครองส่วนท้องถิ่น เทศบาลตำบลทดลอง "
                              "จังหวัดมหาสารคาม")
    assert msg["To"].addresses[0].addr_spec == "saraban7@nhso.go.th"
    assert msg["From"].addresses[0].addr_spec == "saraban@thodlong.go.th"
    assert msg["From"].addresses[0].display_name == "เทศบาลตำบลทดลอง"
    assert msg["X-Unsent"] == "1"
    body = msg.get_body(("plain",)).get_content()
    assert "แนบไฟล์สแกนหนังสือที่ผู้บริหารลงนามแล้ว" in body and "เรียน เลขาธิการสำนักงานหลักประกันสุขภาพแห่งชาติ" in body
    parts = list(msg.iter_attachments())
    letter_name, workbook_name, _ = file_names(first_request())
    assert [p.get_filename() for p in parts] == [letter_name, workbook_name]
    assert letter_name == "หนังสือขอสิทธิเข้าใช้งาน เทศบาลตำบลทดลอง.pdf"
    assert parts[0].get_content() == letter == out.letter.read_bytes()
    assert parts[1].get_content() == out.workbook.read_bytes()
    assert parts[1].get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    for part, name in zip(parts, (letter_name, workbook_name)):
        # the old name= parameter, RFC 2047 words, read by mail programs that do not read RFC 2231
        words = part.get_param("name", header="Content-Type")
        decoded = "".join(b.decode(c) if isinstance(b, bytes) else b for b, c in email.header.decode_header(words))
        assert decoded == name
    assert raw.count(b"filename*=utf-8''") == 2 and b"filename*0" not in raw   # RFC 2231, unbroken
    assert raw.count(b"Subject: =?utf-8?b?") == 1                              # RFC 2047


def test_a_long_unit_name_still_makes_short_enough_lines_and_a_windows_file_name(tmp_path):
    long_name = "องค์การบริหารส่วนตำบลหนองบัวใหญ่เฉลิมพระเกียรติ: ศูนย์ราชการ/สำนักปลัด \"ทดลอง\" " * 2
    request = first_request(name=long_name)
    out = produce(request, tmp_path, letter_pdf=tiny_pdf(), mailbox="saraban7@nhso.go.th")
    for path in (out.letter, out.workbook, out.eml):
        assert not set(path.name) & set('\\/:*?"<>|') and len(path.stem) <= 90
    raw = out.eml.read_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert [p.get_filename() for p in msg.iter_attachments()] == [out.letter.name, out.workbook.name]
    assert " ".join(long_name.split()) in msg["Subject"]


def test_the_eml_is_a_message_a_real_smtp_server_accepts(tmp_path):
    letter = tiny_pdf()
    out = produce(first_request(), tmp_path, letter_pdf=letter, mailbox="saraban7@nhso.go.th")
    inbox = Inbox()
    try:
        with smtplib.SMTP("127.0.0.1", inbox.port, timeout=30) as smtp:
            refused = smtp.sendmail("saraban@thodlong.go.th", ["saraban7@nhso.go.th"], out.eml.read_bytes())
        assert refused == {}
    finally:
        inbox.stop()
    [got] = inbox.messages
    assert got["Subject"].endswith("เทศบาลตำบลทดลอง จังหวัดมหาสารคาม")
    files = {p.get_filename(): p.get_content() for p in got.iter_attachments()}
    assert files == {out.letter.name: letter, out.workbook.name: out.workbook.read_bytes()}


def test_the_registration_mailbox_is_a_machine_setting_with_the_seeds_address_as_default(tmp_path, monkeypatch):
    monkeypatch.setenv("LGO_MACHINE_SETTINGS", str(tmp_path / "none.ini"))
    assert settings.load().nhso_registration_mailbox == "saraban7@nhso.go.th"
    ini = configparser.ConfigParser()
    ini["central"] = {"server": "https://lgo.nhso.example"}
    ini["nhso"] = {"registration_mailbox": "lgo-accounts@nhso.example"}
    with open(tmp_path / "settings.ini", "w", encoding="utf-8") as f:
        ini.write(f)
    monkeypatch.setenv("LGO_MACHINE_SETTINGS", str(tmp_path / "settings.ini"))
    assert settings.load().nhso_registration_mailbox == "lgo-accounts@nhso.example"
    out = produce(first_request(), tmp_path, letter_pdf=tiny_pdf(), mailbox=settings.load().nhso_registration_mailbox)
    parsed = email.message_from_bytes(out.eml.read_bytes(), policy=email.policy.default)
    assert parsed["To"].addresses[0].addr_spec == "lgo-accounts@nhso.example"


# --- files written whole or not at all ---------------------------------------------------------------------

def test_an_unwritable_folder_is_a_thai_message_and_leaves_nothing(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.geteuid() == 0:       # root writes anywhere it may chmod; sysfs refuses even root
            folder = Path("/sys/kernel")
        before = set(os.listdir(folder))
        with pytest.raises(Refusal) as refused:
            produce(first_request(), folder, letter_pdf=tiny_pdf(), mailbox="saraban7@nhso.go.th")
        assert refused.value.code == "documents.folder_unwritable"
        assert str(folder) in refused.value.th and "กรุณาเลือกโฟลเดอร์อื่น" in refused.value.th
        assert set(os.listdir(folder)) == before
    finally:
        (tmp_path / "locked").chmod(0o755)

    with pytest.raises(Refusal) as gone:
        produce(first_request(), tmp_path / "unplugged", letter_pdf=tiny_pdf(), mailbox="saraban7@nhso.go.th")
    assert "ไม่พบโฟลเดอร์" in gone.value.th


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "รายชื่อ.xlsx"
    write_file(target, b"first")
    assert target.read_bytes() == b"first"
    write_file(target, b"second")
    assert target.read_bytes() == b"second"
    busy = tmp_path / "busy.eml"
    busy.mkdir()                    # something in the way that cannot be replaced
    with pytest.raises(Refusal) as refused:
        write_file(busy, b"x")
    assert refused.value.code == "documents.target_is_folder" and "กรุณาตั้งชื่อไฟล์" in refused.value.th
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy.eml", "รายชื่อ.xlsx"]  # no .part left behind
    assert target.read_bytes() == b"second"


def test_the_workbook_keeps_cids_and_mobiles_as_text(tmp_path):
    out = produce(first_request(), tmp_path, letter_pdf=tiny_pdf(), mailbox="saraban7@nhso.go.th",
                  when=dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc))
    ws = load_workbook(out.workbook).worksheets[0]
    assert [ws.cell(r, 3).value for r in range(7, 10)] == [PALAD, HR, FIN]
    assert ws.cell(7, 6).value == "0812345671"      # leading zero kept
    assert ws.cell(5, 1).value == "ประเภทคำขอ" and ws.cell(5, 2).value == "ขอสิทธิเข้าใช้งาน"
