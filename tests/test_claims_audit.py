"""The audit package (ชุดหลักฐานเพื่อการตรวจสอบ): a period's claims as one zip — the ledger as PDF and workbook, each
claim's evidence PDF, NHSO's statements, a SHA-256 manifest — read back the way an auditor would (unzip, poppler's
pdftotext, openpyxl), then verified, altered, cut and padded; and written whole or not at all."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from app.claims import Actor, Care, Claim, ClaimState, PayMethod, Receipt, move
from app.claims.audit import MANIFEST, audit_package, main, safe_name, verify_package
from app.claims.evidence import assemble, pages_of
from app.errors import Refusal
from app.rules.entitlement import Relation
from tests import pdfcheck
from tests.builders import new_cid, unwritable_folder

UNIT = "TRN0001"
UNIT_NAME = "องค์การบริหารส่วนตำบลบ้านฝึกหัด"
FINANCE = new_cid()
PERIOD = (dt.date(2025, 10, 1), dt.date(2026, 9, 30))   # the fiscal year 2569
MADE = dt.datetime(2026, 10, 5, 2, 30, tzinfo=dt.timezone.utc)


def at(day: dt.date, hour: int = 3) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.timezone.utc)


def a_claim(n: int, received: dt.date, amount: str, state: ClaimState = ClaimState.SUBMITTED) -> Claim:
    c = Claim(f"c{n:03d}-{received:%Y%m%d}", UNIT, new_cid(), new_cid(), Relation.CHILD,
              facility=f"โรงพยาบาลทดลองที่ {n}", care=Care.INPATIENT, first_day=received - dt.timedelta(days=3),
              last_day=received - dt.timedelta(days=1), illness="ปอดอักเสบ",
              receipts=(Receipt(f"IV-{n}", received - dt.timedelta(days=1), "นายทดสอบ ใจดี", Decimal(amount)),))
    c = move(c, ClaimState.READY, Actor.FINANCE, FINANCE, at(received))
    c = move(c, ClaimState.SUBMITTED, Actor.FINANCE, FINANCE, at(received, 4))
    if state in (ClaimState.ACCEPTED, ClaimState.IN_TRANSFER, ClaimState.REPAID):
        c = move(c, ClaimState.ACCEPTED, Actor.NHSO, "nhso-staff", at(received + dt.timedelta(days=10)))
    if state in (ClaimState.IN_TRANSFER, ClaimState.REPAID):
        c = move(c, ClaimState.IN_TRANSFER, Actor.NHSO, "nhso-staff", at(received + dt.timedelta(days=40)),
                 statement="ST-2569-03")
    if state is ClaimState.REPAID:
        c = move(c, ClaimState.REPAID, Actor.FINANCE, FINANCE, at(received + dt.timedelta(days=45)),
                 amount=c.claimed, voucher="PV-7", paid_on=received + dt.timedelta(days=45), method=PayMethod.CASH)
    return c


def evidence_pdf(label: str) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (200, 280), 230).save(buf, "JPEG", dpi=(50, 50))
    return assemble(pages_of(buf.getvalue()), title=label)


CLAIMS = [a_claim(2, dt.date(2026, 2, 3), "1250.50", ClaimState.IN_TRANSFER),
          a_claim(1, dt.date(2025, 11, 20), "8200", ClaimState.REPAID),
          a_claim(3, dt.date(2026, 6, 9), "12345"),
          a_claim(9, dt.date(2024, 3, 1), "999", ClaimState.REPAID)]   # long before the period: not in it
IN_ORDER = [CLAIMS[1], CLAIMS[0], CLAIMS[2]]
EVIDENCE = {c.id: evidence_pdf(c.id) for c in CLAIMS}
STATEMENT_JSON = json.dumps({"statement": "ST-2569-03", "lines": [{"claim": CLAIMS[0].id, "amount": "1250.50"}]},
                            ensure_ascii=False).encode()
STATEMENT_PDF = evidence_pdf("statement")


def make(folder: Path, **kw) -> tuple[Path, object]:
    out = folder / "ชุดหลักฐาน-2569.zip"
    args = dict(claims=CLAIMS, evidence=EVIDENCE.get,
                statements=[("ST-2569-03.json", STATEMENT_JSON), ("ใบแจ้งโอนเงิน มี.ค. 69.pdf", STATEMENT_PDF)],
                period=PERIOD, unit_name=UNIT_NAME, out_path=out, now=lambda: MADE)
    args.update(kw)
    return out, audit_package(**args)


def rewrite(package: Path, change: dict[str, bytes | None]) -> None:
    """The same zip with some entries replaced (bytes), dropped (None) or added — as someone with a zip tool would."""
    with zipfile.ZipFile(package) as zf:
        entries = [(i.filename, zf.read(i.filename)) for i in zf.infolist()]
    names = {n for n, _ in entries}
    with zipfile.ZipFile(package, "w") as zf:
        for name, data in entries:
            if name in change:
                if change[name] is not None:
                    zf.writestr(name, change[name])
            else:
                zf.writestr(name, data)
        for name, data in change.items():
            if name not in names and data is not None:
                zf.writestr(name, data)


def test_the_package_holds_the_periods_claims_and_a_manifest_with_every_files_sha256(tmp_path):
    out, manifest = make(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]      # nothing else left in the folder
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        body = json.loads(zf.read(MANIFEST))
        listed = {f["path"]: f for f in body["files"]}
        assert names - {MANIFEST} == set(listed)
        for name, f in listed.items():
            data = zf.read(name)
            assert f["sha256"] == hashlib.sha256(data).hexdigest() and f["size"] == len(data)
        assert hashlib.sha256(zf.read(MANIFEST)).hexdigest() == manifest.sha256
        # every claim of the period's evidence, byte for byte, named by the claim's id; none of the other claim
        for c in IN_ORDER:
            assert zf.read(f"evidence/{c.id}.pdf") == EVIDENCE[c.id]
        assert f"evidence/{CLAIMS[3].id}.pdf" not in names
        assert zf.read("statements/ST-2569-03.json") == STATEMENT_JSON
        [pdf_statement] = [n for n in names if n.startswith("statements/") and n.endswith(".pdf")]
        assert zf.read(pdf_statement) == STATEMENT_PDF and pdf_statement.isascii()
        assert {"ledger.pdf", "ledger.xlsx"} <= names
    assert body["unit"] == {"code": UNIT, "name": UNIT_NAME}
    assert body["period"] == {"start": "2025-10-01", "end": "2026-09-30"} and body["claims"] == 3
    assert dt.datetime.fromisoformat(body["made_at"]) == MADE
    assert manifest.claims == 3 and {f.path for f in manifest.files} == set(listed)
    assert verify_package(out) == []


def test_the_ledger_pdf_reads_back_with_every_claims_amounts_in_ledger_order(tmp_path):
    out, _ = make(tmp_path)
    pdf = tmp_path / "ledger.pdf"
    with zipfile.ZipFile(out) as zf:
        pdf.write_bytes(zf.read("ledger.pdf"))
    text = pdfcheck.squeeze("".join(pdfcheck.page_texts(pdf)))
    assert "ทะเบียนคุมการเบิก" in text and pdfcheck.squeeze(UNIT_NAME) in text
    positions = [text.find(f"{c.claimed:,.2f}") for c in IN_ORDER]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert "21,795.50" in text                                         # the total claimed
    assert "999.00" not in text                                        # the claim outside the period
    history = text.find("ประวัติสถานะของคำขอเบิก")
    assert history > positions[-1]
    assert text.find(ClaimState.REPAID.th.replace(" ", ""), history) > 0 and "PV-7" in text[history:]


def test_the_ledger_workbook_has_the_same_rows_real_dates_and_cids_as_text(tmp_path):
    from openpyxl import load_workbook

    out, _ = make(tmp_path)
    with zipfile.ZipFile(out) as zf:
        wb = load_workbook(io.BytesIO(zf.read("ledger.xlsx")))
    assert wb.sheetnames == ["ทะเบียนคุมการเบิก", "ประวัติสถานะ"]
    ws = wb["ทะเบียนคุมการเบิก"]
    rows = list(ws.iter_rows())
    head_at = next(i for i, r in enumerate(rows) if r[0].value == "ลำดับ")
    head = [c.value for c in rows[head_at]]
    body = rows[head_at + 1:head_at + 1 + len(IN_ORDER)]
    col = {title: head.index(title) for title in head}
    for n, (row, c) in enumerate(zip(body, IN_ORDER), start=1):
        assert row[col["ลำดับ"]].value == n and row[col["เลขที่คำขอเบิก"]].value == c.id
        cid = row[col["ผู้มีสิทธิ"]]
        assert cid.value == c.claimant_cid and isinstance(cid.value, str) and cid.number_format == "@"
        assert row[col["ผู้ป่วย"]].value == c.patient_cid and row[col["ความสัมพันธ์"]].value == "บุตร"
        started = row[col["วันที่เริ่มรักษา"]]
        assert isinstance(started.value, dt.datetime) and started.value.date() == c.first_day
        assert "th-TH" in started.number_format and "yyyy" in started.number_format
        assert row[col["จำนวนวัน"]].value == 3
        assert Decimal(str(row[col["ขอเบิก (บาท)"]].value)) == c.claimed
        assert row[col["สถานะปัจจุบัน"]].value == c.state.th
        assert row[col["หลักฐาน"]].value == "มี"
    repaid, transferred, submitted = body
    assert Decimal(str(repaid[col["จ่ายคืน (บาท)"]].value)) == Decimal("8200")
    assert Decimal(str(transferred[col["โอนแล้ว (บาท)"]].value)) == Decimal("1250.50")
    assert transferred[col["จ่ายคืน (บาท)"]].value is None and submitted[col["อนุมัติ (บาท)"]].value is None
    total = rows[head_at + 1 + len(IN_ORDER)]
    assert total[1].value == "รวม" and Decimal(str(total[col["ขอเบิก (บาท)"]].value)) == Decimal("21795.50")

    hs = wb["ประวัติสถานะ"]
    hrows = [[c.value for c in r] for r in hs.iter_rows()]
    h_at = next(i for i, r in enumerate(hrows) if r[0] == "เลขที่คำขอเบิก")
    steps = [r for r in hrows[h_at + 1:] if r[0]]
    assert [(r[0], r[4]) for r in steps] == [(c.id, s.state.th) for c in IN_ORDER for s in c.history]
    assert all(isinstance(r[2], dt.datetime) for r in steps)


def test_an_altered_evidence_file_is_named_in_thai_and_nothing_else(tmp_path, capsys):
    out, _ = make(tmp_path)
    assert main(["--verify", str(out)]) == 0
    said = capsys.readouterr().out
    assert "ถูกต้อง" in said and "SHA-256" in said
    victim = f"evidence/{IN_ORDER[1].id}.pdf"
    with zipfile.ZipFile(out) as zf:
        altered = zf.read(victim).replace(b"/Title", b"/Titl\x65 ", 1) + b"%"
    rewrite(out, {victim: altered})
    [problem] = verify_package(out)
    assert victim in problem and "ถูกแก้ไข" in problem and "SHA-256" in problem
    assert main(["--verify", str(out)]) == 1
    said = capsys.readouterr().out
    assert "ไม่ถูกต้อง" in said and victim in said


def test_a_missing_file_and_an_extra_file_are_each_named(tmp_path):
    out, _ = make(tmp_path)
    gone = "statements/ST-2569-03.json"
    rewrite(out, {gone: None})
    [problem] = verify_package(out)
    assert problem.startswith("ไม่พบไฟล์") and gone in problem

    (tmp_path / "two").mkdir()
    out2, _ = make(tmp_path / "two")
    rewrite(out2, {"evidence/แทรก.pdf": b"%PDF-1.4 not ours"})
    [problem] = verify_package(out2)
    assert "evidence/แทรก.pdf" in problem and "ไม่อยู่ในบัญชีรายการไฟล์" in problem


def test_a_damaged_or_foreign_file_is_said_plainly(tmp_path):
    junk = tmp_path / "x.zip"
    junk.write_bytes(b"not a zip at all")
    [problem] = verify_package(junk)
    assert "ไม่ใช่ชุดหลักฐาน" in problem
    out, _ = make(tmp_path)
    rewrite(out, {MANIFEST: None})
    [problem] = verify_package(out)
    assert "manifest.json" in problem


def test_an_unwritable_folder_is_a_thai_refusal_and_nothing_is_written(tmp_path):
    folder = unwritable_folder(tmp_path)
    before = set(os.listdir(folder))
    with pytest.raises(Refusal) as no:
        make(folder)
    assert no.value.code == "documents.folder_unwritable" and "ไม่มีสิทธิ์เขียน" in str(no.value)
    assert set(os.listdir(folder)) == before


def test_evidence_that_cannot_be_read_stops_the_package_leaving_the_older_one_as_it_was(tmp_path):
    out, _ = make(tmp_path)
    older = out.read_bytes()

    def broken(claim_id: str) -> bytes:
        if claim_id == IN_ORDER[2].id:
            raise OSError("disk says no")
        return EVIDENCE[claim_id]

    with pytest.raises(Refusal) as no:
        make(tmp_path, evidence=broken)
    assert no.value.code == "audit.evidence" and IN_ORDER[2].id in str(no.value)
    for c in CLAIMS:   # people's data never in the message
        assert c.claimant_cid not in str(no.value) and c.patient_cid not in str(no.value)
    assert [p.name for p in tmp_path.iterdir()] == [out.name] and out.read_bytes() == older


def test_a_statement_that_is_neither_pdf_nor_json_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(Refusal) as no:
        make(tmp_path, statements=[("x.txt", b"hello")])
    assert no.value.code == "audit.statement" and "PDF" in str(no.value)
    assert list(tmp_path.iterdir()) == []


def test_file_names_are_the_same_in_any_zip_tool():
    assert safe_name("c001-20260203") == "c001-20260203"
    assert safe_name("ใบแจ้งโอนเงิน มี.ค. 69").isascii()
    assert safe_name("CON") != "CON" and safe_name("../../etc/passwd") == "etc_passwd"
    assert safe_name("") == "file"


def test_a_byte_changed_in_the_zip_itself_names_the_damaged_file(tmp_path):
    out, _ = make(tmp_path)
    victim = f"evidence/{IN_ORDER[0].id}.pdf"
    raw = bytearray(out.read_bytes())
    at_ = raw.find(EVIDENCE[IN_ORDER[0].id][200:240])   # evidence is stored as it is: its bytes are in the zip
    assert at_ > 0
    raw[at_] ^= 0xFF
    out.write_bytes(bytes(raw))
    [problem] = verify_package(out)
    assert victim in problem and "เสียหาย" in problem


def test_the_command_line_says_in_thai_and_exits_0_or_1(tmp_path):
    import subprocess
    import sys

    out, _ = make(tmp_path)
    run = lambda: subprocess.run([sys.executable, "-m", "app.claims.audit", "--verify", str(out)],  # noqa: E731
                                 capture_output=True, text=True, encoding="utf-8",
                                 cwd=Path(__file__).resolve().parent.parent)
    ok = run()
    assert ok.returncode == 0 and "ถูกต้อง" in ok.stdout
    rewrite(out, {"ledger.xlsx": None})
    bad = run()
    assert bad.returncode == 1 and "ไม่พบไฟล์ ledger.xlsx" in bad.stdout


def test_a_claim_without_evidence_is_in_the_ledger_as_such_and_has_no_file(tmp_path):
    from openpyxl import load_workbook

    draft = Claim("draft-1", UNIT, new_cid(), new_cid(), Relation.SPOUSE, facility="คลินิกทดลอง",
                  first_day=dt.date(2026, 8, 1), last_day=dt.date(2026, 8, 1),
                  receipts=(Receipt("D-1", dt.date(2026, 8, 1), "x", Decimal("450")),))
    out, manifest = make(tmp_path, claims=CLAIMS + [draft])
    assert manifest.claims == 4 and not any(f.path.startswith("evidence/draft") for f in manifest.files)
    with zipfile.ZipFile(out) as zf:
        ws = load_workbook(io.BytesIO(zf.read("ledger.xlsx")))["ทะเบียนคุมการเบิก"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    [line] = [r for r in rows if r[1] == "draft-1"]
    assert line[-1] == "ไม่มี" and line[-2] == ClaimState.DRAFT.th
    assert verify_package(out) == []
