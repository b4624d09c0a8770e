"""The certificate of entitlement (issue 18 §4) on a real working copy: asked of the rules for the admission date
(refused with their Thai reason and nothing kept), numbered uniquely, kept with its PDF, listed in the unit's
register of certificates (PDF and .xlsx), shown in the person's history; the letter read back with poppler."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from stdnum.th import pin

from app.cid import format_cid
from app.domain import Employment, Marriage, Officer, Parentage, Role, Sex, Unit, UnitLevel
from app.errors import Refusal
from app.rules.entitlement import Relation
from app.store.attachments import AttachmentStore
from app.store.certificates import CertificateStore
from app.thai import thai_digits, thai_digits_prose
from app.usecases import Desk, certificates, person_detail
from app.documents import table_pdf, table_xlsx, write_file
from tests.builders import person

from .pdfcheck import fonts, line_breaks, mid_word_breaks, page_texts, squeeze

UNIT = "TRN0001"
NOW = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.timezone.utc)
OFFICER = Officer("3100600445635", "นางสาวทะเบียน ตั้งใจ", "นักทรัพยากรบุคคล", Role.REGISTRY_OFFICER, UNIT,
                  "o@example.go.th")
FINANCE = Officer("3100600445635", "นายการเงิน มั่นคง", "นักวิชาการเงิน", Role.FINANCE_OFFICER, UNIT, "f@example.go.th")
THE_UNIT = Unit(UNIT, "องค์การบริหารส่วนตำบลบ้านฝึกหัด", UnitLevel.SAO, "ขอนแก่น",
                "99 หมู่ 1 ตำบลบ้านฝึกหัด อำเภอเมืองขอนแก่น จังหวัดขอนแก่น 40000", "043-000-000",
                "saraban@banfukhad.example.go.th")


class Family:
    """A beneficiary of the unit since 2010 with a wife (married 2015) and a son born 2003 (20 on 1 Jun 2023)."""

    def __init__(self, register) -> None:
        self.me = person("สมชาย", "ใจดี", dt.date(1975, 5, 1))
        self.wife = person("มาลี", "ใจดี", dt.date(1980, 3, 3), sex=Sex.FEMALE)
        self.son = person("ปิยะ", "ใจดี", dt.date(2003, 6, 1))
        self.girl = person("วันเพ็ญ", "ใจดี", dt.date(2012, 2, 29), sex=Sex.FEMALE)
        records = [(THE_UNIT, 1), (self.me, 1), (self.wife, 1), (self.son, 1), (self.girl, 1),
                   (Employment("e1", self.me.cid, UNIT, "local_official", dt.date(2010, 1, 1), "นักวิเคราะห์นโยบายและแผน"), 1),
                   (Marriage("m1", self.me.cid, self.wife.cid, "1234/2558", dt.date(2015, 7, 1)), 1),
                   (Parentage("p1", self.me.cid, self.son.cid), 1),
                   (Parentage("p2", self.me.cid, self.girl.cid), 1)]
        register.put(records)


@pytest.fixture
def desk(register) -> Desk:
    d = Desk.of(register, OFFICER)
    d.clock = lambda: NOW
    return d


@pytest.fixture
def family(register) -> Family:
    return Family(register)


def _nothing_kept(desk) -> None:
    assert desk.register.wc.conn.execute("SELECT count(*) FROM certificates").fetchone()[0] == 0
    assert desk.register.wc.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0


def test_the_builders_give_real_citizen_ids(family):
    assert all(pin.is_valid(p.cid) for p in (family.me, family.wife, family.son, family.girl))


def test_a_child_after_the_20th_birthday_is_refused_with_the_rules_reason_and_nothing_is_kept(desk, family):
    with pytest.raises(Refusal) as e:
        certificates.issue(desk, cid=family.son.cid, admitted_on=dt.date(2024, 1, 10), hospital="โรงพยาบาลขอนแก่น")
    assert e.value.code == "child.age_20"
    assert "อายุครบ 20 ปีในวันที่ 01/06/2566" in str(e.value) and "10/01/2567" in str(e.value)
    assert family.son.cid not in str(e.value)   # no citizen ID in a message
    _nothing_kept(desk)
    # the day before the birthday he was still entitled
    assert certificates.grounds(desk, family.son.cid, dt.date(2023, 5, 31)).relation is Relation.CHILD


def test_a_spouse_before_the_marriage_registration_is_refused(desk, family):
    with pytest.raises(Refusal) as e:
        certificates.issue(desk, cid=family.wife.cid, admitted_on=dt.date(2015, 6, 30), hospital="โรงพยาบาลขอนแก่น")
    assert e.value.code == "spouse.before_registration" and "ยังไม่ได้จดทะเบียนสมรสในวันนั้น" in str(e.value)
    _nothing_kept(desk)


def test_the_beneficiary_before_service_and_a_stranger_are_refused(desk, family, register):
    with pytest.raises(Refusal) as e:
        certificates.issue(desk, cid=family.me.cid, admitted_on=dt.date(2009, 12, 31), hospital="โรงพยาบาลขอนแก่น")
    assert e.value.code == "self.not_in_service"
    stranger = person("ผู้อื่น", "ไม่เกี่ยว")
    register.put([(stranger, 1)])
    with pytest.raises(Refusal) as e:
        certificates.issue(desk, cid=stranger.cid, admitted_on=dt.date(2026, 1, 5), hospital="โรงพยาบาลขอนแก่น")
    assert e.value.code == "certificate.not_of_unit"
    _nothing_kept(desk)


def test_bad_input_and_a_finance_officer_are_refused(desk, family, register):
    for kw, code in ((dict(hospital="  "), "certificate.hospital"),
                     (dict(admitted_on=dt.date(2026, 12, 25)), "certificate.future")):
        args = dict(cid=family.me.cid, admitted_on=dt.date(2026, 3, 14), hospital="โรงพยาบาลขอนแก่น") | kw
        with pytest.raises(Refusal) as e:
            certificates.issue(desk, **args)
        assert e.value.code == code
    finance = Desk.of(register, FINANCE)
    with pytest.raises(Refusal) as e:
        certificates.issue(finance, cid=family.me.cid, admitted_on=dt.date(2026, 3, 14), hospital="โรงพยาบาลขอนแก่น")
    assert e.value.code == "certificate.role"
    _nothing_kept(desk)


def test_entitled_people_get_unique_increasing_numbers_kept_with_their_pdf_and_listed(desk, family):
    day = dt.date(2026, 3, 14)
    issued = [certificates.issue(desk, cid=c, admitted_on=day, hospital="โรงพยาบาลขอนแก่น")
              for c in (family.me.cid, family.wife.cid, family.girl.cid)]
    numbers = [c.number for c, _pdf in issued]
    assert len(set(numbers)) == 3
    prefix = {n.split("-")[0] for n in numbers}
    assert len(prefix) == 1 and [int(n.split("-")[1].split("/")[0]) for n in numbers] == [1, 2, 3]
    assert all(n.endswith("/2569") for n in numbers)
    me, wife, girl = (c for c, _pdf in issued)
    assert (me.relation, wife.relation, girl.relation) == (Relation.SELF, Relation.SPOUSE, Relation.CHILD)
    assert wife.via_cid == me.cid == family.me.cid and wife.position == "นักวิเคราะห์นโยบายและแผน"
    assert wife.unit_name == THE_UNIT.name and wife.issued_by_name == OFFICER.name
    # kept: the row and the PDF, encrypted, by its SHA-256 — byte for byte what was handed back
    listed = certificates.issued(desk, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert [c.number for c in listed] == numbers
    assert AttachmentStore(desk.register.wc).get(listed[1].pdf_sha256) == issued[1][1]
    assert certificates.pdf_of(desk, numbers[1]) == issued[1][1]
    assert certificates.issued(desk, dt.date(2026, 12, 1), dt.date(2026, 12, 31)) == []
    # the same PC keeps its number; the next one follows
    again, _pdf = certificates.issue(desk, cid=family.me.cid, admitted_on=day, hospital="โรงพยาบาลศรีนครินทร์")
    assert again.number == f"{prefix.pop()}-4/2569"
    # the person's history shows what was issued about them
    detail = person_detail(desk.register, family.wife.cid, dt.date(2026, 11, 30))
    assert [c.number for c in detail.certificates] == [numbers[1]]


def test_another_pc_of_the_unit_seen_under_this_pcs_number_makes_this_pc_draw_another(desk, family):
    first, _pdf = certificates.issue(desk, cid=family.me.cid, admitted_on=dt.date(2026, 3, 14), hospital="รพ.ก")
    store = CertificateStore(desk.register.wc)
    other = first.__class__(**{**first.__dict__, "number": f"{first.prefix}-9/2569", "device": "another-pc"})
    with desk.register.wc.transaction() as conn:
        conn.execute("DELETE FROM certificates")
        store.keep_in(conn, other)       # as if the feed had brought it from the other PC
    second, _pdf = certificates.issue(desk, cid=family.me.cid, admitted_on=dt.date(2026, 3, 14), hospital="รพ.ก")
    assert second.prefix != first.prefix and second.number.endswith("-1/2569")


def test_the_letter_reads_back_with_the_person_the_hospital_and_the_dates_in_thai_digits(desk, family, tmp_path):
    cert, pdf = certificates.issue(desk, cid=family.girl.cid, admitted_on=dt.date(2026, 3, 14),
                                   hospital="โรงพยาบาลขอนแก่น")
    path = write_file(tmp_path / "certificate.pdf", pdf)
    text = squeeze("".join(page_texts(path)))
    for s in ("วันเพ็ญใจดี", thai_digits(format_cid(family.girl.cid)), "เรียนผู้อำนวยการโรงพยาบาลขอนแก่น",
              "เรื่องขอรับรองสิทธิการรักษาพยาบาล", "๑๔มีนาคม๒๕๖๙", "๓๐พฤศจิกายน๒๕๖๙", "๒๙กุมภาพันธ์๒๕๕๕",
              "บุตรของ" + squeeze(family.me.name_th), "นักวิเคราะห์นโยบายและแผน", "สิทธิสวัสดิการรักษาพยาบาลขององค์กรปกครองส่วนท้องถิ่น",
              "อยู่ระหว่างการลงทะเบียน", squeeze(thai_digits_prose(cert.number)), "นายกองค์การบริหารส่วนตำบลบ้านฝึกหัด",
              "องค์การบริหารส่วนตำบลบ้านฝึกหัด", "ขอแสดงความนับถือ"):
        assert squeeze(s) in text, s
    assert "2569" not in text and "0" not in text.replace("saraban@banfukhad.example.go.th", "")  # Thai digits
    assert all("Sarabun" in f["name"] and f["emb"] == "yes" for f in fonts(path))


def test_no_body_line_ends_inside_a_thai_word(desk, family, tmp_path):
    from app.documents.certificate import body

    cert, pdf = certificates.issue(desk, cid=family.wife.cid, admitted_on=dt.date(2026, 3, 14),
                                   hospital="โรงพยาบาลสมเด็จพระยุพราชกระนวน")
    path = write_file(tmp_path / "certificate.pdf", pdf)
    lines = [line for page in page_texts(path) for line in page.splitlines()]
    checked = 0
    for paragraph in body(cert, family.wife):
        paragraph = thai_digits_prose(paragraph)
        breaks = line_breaks(paragraph, lines)
        assert breaks is not None, paragraph[:40]
        assert mid_word_breaks(paragraph, breaks) == []
        checked += len(breaks)
    assert checked >= 5


def test_the_register_of_certificates_as_pdf_and_xlsx(desk, family, tmp_path):
    from openpyxl import load_workbook

    for c in (family.me.cid, family.wife.cid):
        certificates.issue(desk, cid=c, admitted_on=dt.date(2026, 3, 14), hospital="โรงพยาบาลขอนแก่น")
    doc = certificates.register_document(desk, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert [c.title for c in doc.table.columns] == [
        "ลำดับ", "เลขที่", "วันที่ออก", "ชื่อ–สกุล", "เลขประจำตัวประชาชน", "ความเกี่ยวพัน", "ผู้มีสิทธิ",
        "วันที่เข้ารับการรักษา", "สถานพยาบาล", "ผู้ออก"]
    pdf = write_file(tmp_path / "register.pdf", table_pdf(doc))
    text = squeeze("".join(page_texts(pdf)))
    for s in ("ทะเบียนคุมหนังสือรับรองสิทธิการรักษาพยาบาล", family.wife.name_th, format_cid(family.wife.cid), "คู่สมรส",
              "โรงพยาบาลขอนแก่น", OFFICER.name, "รวม2ฉบับ"):
        assert squeeze(s) in text, s
    book = load_workbook(io.BytesIO(table_xlsx(doc)))
    sheet = book.active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, r in enumerate(rows) if r[0] == "ลำดับ")
    data = rows[header + 1:header + 3]
    assert [r[4] for r in data] == [family.me.cid, family.wife.cid]       # CIDs as text
    assert data[1][5] == "คู่สมรส" and data[1][8] == "โรงพยาบาลขอนแก่น"
    assert data[0][7].date() == dt.date(2026, 3, 14)                      # a real date
    with pytest.raises(Refusal):
        certificates.register_document(desk, dt.date(2026, 11, 30), dt.date(2026, 11, 1))


# --- the central server: the authority (a real server on loopback, SQLite and PostgreSQL) -------------------------

def _on_server_family(unit):
    """A hire with one child, pushed by the registry officer and approved by the registrar on the server."""
    from tests.central import approve, hire, push

    cs = hire(children=1)
    assert push(unit["registry"], cs)["status"] == "accepted"
    r = approve(unit["registrar"], cs)
    assert r.status_code == 200 and r.json()["status"] == "applied", r.text
    me = cs.operations[0].record_id
    child = next(op.record_id for op in cs.operations if op.record_type == "person" and op.record_id != me)
    return me, child


def _wire(number: str, cid: str, via: str, relation: str, admitted: dt.date, by, unit_code: str = UNIT) -> dict:
    from app.store.certificates import Certificate

    c = Certificate(number, unit_code, cid, "ชื่อ", Relation(relation), via, "ผู้มีสิทธิ", "นักวิเคราะห์", "หน่วยงาน",
                    admitted, "โรงพยาบาลขอนแก่น", NOW, NOW.date(), by.cid, by.name)
    return c.to_json()


def test_the_server_records_a_certificate_once_checks_the_right_and_refuses_other_units(unit, central):
    from tests.central import FINANCE, OTHER, REGISTRY

    me, child = _on_server_family(unit)
    s = unit["registry"]
    body = _wire("1234-1/2569", child, me, "child", dt.date(2026, 10, 15), REGISTRY)
    first = s.post("/certificates", body)
    assert first.status_code == 200, first.text
    again = s.post("/certificates", body)                       # a replay: the first answer
    assert again.status_code == 200 and again.json() == first.json()
    clash = s.post("/certificates", {**body, "admitted_on": "2026-10-16"})
    assert clash.status_code == 409 and clash.json()["code"] == "certificate.number_taken"
    before = s.post("/certificates", _wire("1234-2/2569", child, me, "child", dt.date(2026, 9, 30), REGISTRY))
    assert before.status_code == 422 and before.json()["code"] == "certificate.not_entitled"
    assert "ไม่มีสิทธิ" in before.json()["message_th"]
    finance = unit["finance"].post("/certificates", _wire("1234-3/2569", child, me, "child", dt.date(2026, 10, 15),
                                                          FINANCE))
    assert finance.status_code == 403 and finance.json()["code"] == "certificate.role"
    other = unit["other_registry"]
    for wire, code in ((_wire("5678-1/2569", child, me, "child", dt.date(2026, 10, 15), OTHER[1]), "certificate.other_unit"),
                       (_wire("5678-1/2569", child, me, "child", dt.date(2026, 10, 15), OTHER[1], "OTH0002"),
                        "certificate.not_of_unit")):
        r = other.post("/certificates", wire)
        assert r.status_code == 403 and r.json()["code"] == code and r.json()["message_th"], r.text
        assert child not in r.text and me not in r.text
    # the unit's feed brings it to the unit's PCs (and only that unit's)
    mine = [i for i in unit["registrar"].get("/feed", params={"since": 0}).json()["items"] if i["kind"] == "certificate"]
    assert [i["key"] for i in mine] == ["1234-1/2569"] and mine[0]["data"]["cid"] == child
    theirs = other.get("/feed", params={"since": 0}).json()["items"]
    assert not [i for i in theirs if i["kind"] == "certificate"]


def test_the_same_certificate_sent_at_once_from_many_threads_is_recorded_once(unit, central):
    from concurrent.futures import ThreadPoolExecutor

    from server.db import certificates as table, feed
    from tests.central import REGISTRY

    me, child = _on_server_family(unit)
    body = _wire("4321-1/2569", child, me, "child", dt.date(2026, 10, 15), REGISTRY)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _i: unit["registry"].post("/certificates", body), range(8)))
    assert {r.status_code for r in answers} == {200}, [r.text for r in answers if r.status_code != 200]
    assert len({r.json()["recorded_at"] for r in answers}) == 1
    with central.engine.connect() as conn:
        assert conn.execute(table.select()).fetchall().__len__() == 1
        assert len([r for r in conn.execute(feed.select().where(feed.c.kind == "certificate"))]) == 1


@pytest.fixture
def office(central_sqlite, tmp_path):
    """The unit on a real server with its registrar and registry officer ready (tests.test_sync_loop's)."""
    from app import training
    from tests.central import OFFICERS, REGISTRAR, REGISTRY, import_unit, ready_session

    import_unit(central_sqlite, tmp_path, UNIT, training.UNIT.name, OFFICERS)
    for o in (REGISTRAR, REGISTRY):
        ready_session(central_sqlite, o)
    return central_sqlite


def test_a_certificate_issued_offline_on_one_pc_reaches_the_server_and_the_units_other_pc(office, tmp_path):
    from app.usecases import review
    from app.changeset import ReviewState
    from tests.central import REGISTRAR, REGISTRY
    from tests.test_sync_loop import desk as desk_of, pc, submit

    pc1 = pc(tmp_path, "pc1", office, REGISTRY)
    laptop = pc(tmp_path, "laptop", office, REGISTRAR)
    cs = submit(pc1, children=1)
    pc1.sync_once()
    laptop.sync_once()
    [pending] = laptop.register.changesets(UNIT, [ReviewState.PENDING])
    review.approve(desk_of(laptop, REGISTRAR), [pending])
    laptop.sync_once()
    pc1.sync_once()
    me = cs.operations[0].record_id
    officer = desk_of(pc1, REGISTRY)
    pc1.client.base = "http://127.0.0.1:9/v1"                 # offline
    cert, _pdf = certificates.issue(officer, cid=me, admitted_on=dt.date(2026, 10, 20), hospital="โรงพยาบาลขอนแก่น")
    assert pc1.pending_count() == 1
    assert pc1.sync_once().offline and pc1.pending_count() == 1
    pc1.client.base = office.url + "/v1"
    report = pc1.sync_once()
    assert report.certificates == 1 and pc1.pending_count() == 0 and not report.errors
    laptop.sync_once()
    registrar = desk_of(laptop, REGISTRAR)
    listed = certificates.issued(registrar, cert.issued_on, cert.issued_on)
    assert [c.number for c in listed] == [cert.number] and listed[0].hospital == "โรงพยาบาลขอนแก่น"
    pc1.sync_once()                                              # its own comes back: still one
    assert [c.number for c in certificates.issued(officer, cert.issued_on, cert.issued_on)] == [cert.number]


def test_a_certificate_is_owed_to_the_server_and_a_refusal_for_good_is_shown(desk, family):
    from app.store.outbox import Kind, State

    cert, _pdf = certificates.issue(desk, cid=family.me.cid, admitted_on=dt.date(2026, 3, 14), hospital="รพ.ก")
    [item] = desk.outbox.due(Kind.CERTIFICATE)
    assert item.id == f"certificate:{cert.number}" and item.payload["number"] == cert.number
    assert desk.outbox.pending_count() == 1
    desk.outbox.mark(item.id, State.ERROR, "ตามทะเบียนของเซิร์ฟเวอร์กลาง บุคคลนี้ไม่มีสิทธิในวันที่เข้ารับการรักษาที่ระบุ")
    [problem] = desk.outbox.problems(lambda _sid: "")
    assert problem.what_th == f"หนังสือรับรองสิทธิ เลขที่ {cert.number}" and problem.retry_at is None
    assert "ไม่มีสิทธิ" in problem.reason_th


def test_the_units_head_signs_and_its_reference_leads_the_number_when_the_unit_data_has_them(desk, family, tmp_path):
    import dataclasses

    desk.register.put([(dataclasses.replace(THE_UNIT, head_name="นายสมศักดิ์ ใจดี",
                                            head_position="นายกองค์การบริหารส่วนตำบลบ้านฝึกหัด", reference="ขก 52101"),
                        2)])
    cert, pdf = certificates.issue(desk, cid=family.me.cid, admitted_on=dt.date(2026, 3, 14), hospital="รพ.ก")
    text = squeeze("".join(page_texts(write_file(tmp_path / "c.pdf", pdf))))
    assert "(นายสมศักดิ์ใจดี)" in text and "ที่ขก๕๒๑๐๑/" + squeeze(thai_digits(cert.number)) in text
    assert "......" not in text


def test_the_registrar_reads_a_change_of_the_units_head_in_thai(register):
    from app import review as reading
    from app.events import Known
    from app.usecases import forms

    form = forms.UnitData(Known(THE_UNIT, 1), THE_UNIT.name, THE_UNIT.level, THE_UNIT.address, THE_UNIT.phone,
                          THE_UNIT.email, head_name="นายสมศักดิ์  ใจดี", head_position="นายกองค์การบริหารส่วนตำบลบ้านฝึกหัด")
    cs = forms.build(register, OFFICER, form)
    assert cs.operations[0].fields == {"head_name": "นายสมศักดิ์ ใจดี",
                                       "head_position": "นายกองค์การบริหารส่วนตำบลบ้านฝึกหัด"}
    register.put([(THE_UNIT, 1)])
    labels = {c.field for c in reading.describe(register, cs)}
    assert {"ผู้บริหารที่ลงนามหนังสือ", "ตำแหน่งผู้บริหารที่ลงนาม"} <= labels, labels


def test_the_reports_tab_lists_the_certificates_of_a_period(desk, family):
    from app.usecases.reports import report

    cert, _pdf = certificates.issue(desk, cid=family.wife.cid, admitted_on=dt.date(2026, 3, 14), hospital="รพ.ก")
    entry = report("certificates")
    assert entry.params == ("period",) and entry.th == "ทะเบียนคุมหนังสือรับรองสิทธิ"
    doc = entry.run(desk, {"start": dt.date(2026, 11, 1), "end": dt.date(2026, 11, 30)})
    assert [row[1] for row in doc.table.rows] == [cert.number]
    empty = entry.run(desk, {"start": dt.date(2026, 10, 1), "end": dt.date(2026, 10, 31)})
    assert list(empty.table.rows) == []
