"""The audit package as the finance officer's use case over a real encrypted working copy: the unit's claims of the
fiscal year with their evidence decrypted from the attachment store, the payment statements of its months, the
unit's name — read back the way an auditor would (zipfile + hashlib against the manifest, pypdf for the evidence,
openpyxl for the ledger), a claim whose evidence is not on this PC listed (offline) or downloaded (online), a
registry officer refused, a stopped export leaving nothing behind, a tampered package found out."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.claims import Claim, ClaimState, Page, PageLabel
from app.claims.audit import main
from app.errors import Refusal
from app.store import AttachmentStore
from app.store.claims import ClaimStore
from app.store.payments import PaymentStore
from app.usecases import audit
from tests.test_claims_audit import a_claim, evidence_pdf
from tests.test_usecases_claims import REGISTRY, desk

FY2569 = audit.fiscal_year(2569)


def kept(register, claim: Claim, pdf: bytes | None = None, sha: str = "") -> Claim:
    """``claim`` kept in the working copy, its evidence (``pdf``) in the encrypted store — or only named (``sha``)."""
    if pdf is not None:
        sha = AttachmentStore(register.wc).put(pdf, "หลักฐานประกอบการเบิก")
    if sha:
        claim = claim.with_(pages=(Page(sha, PageLabel.RECEIPT, claim.receipts[0].number),
                                   Page(sha, PageLabel.MEDICAL_CERTIFICATE)))
    with register.wc.transaction() as conn:
        ClaimStore(register.wc).save_in(conn, claim)
    return claim


def statement(register, sid: str, month: str, unit: str = "TRN0001") -> None:
    data = {"id": sid, "unit_code": unit, "month": month, "body": {"id": sid, "unit_code": unit, "month": month,
                                                                   "lines": [], "total": "0.00"},
            "signature": "c2ln"}
    with register.wc.transaction() as conn:
        PaymentStore(register.wc).keep_in(conn, data)


@pytest.fixture
def year(register):
    """Three claims of the fiscal year 2569 with evidence, one of 2568, and statements in and out of the year."""
    pdfs = {n: evidence_pdf(f"หลักฐาน {n}") for n in (1, 2, 3)}
    inside = [kept(register, a_claim(1, dt.date(2025, 11, 3), "1200.00", ClaimState.REPAID), pdfs[1]),
              kept(register, a_claim(2, dt.date(2026, 2, 14), "850.50", ClaimState.IN_TRANSFER), pdfs[2]),
              kept(register, a_claim(3, dt.date(2026, 9, 30), "99.00"), pdfs[3])]
    before = kept(register, a_claim(4, dt.date(2025, 3, 1), "500.00"), evidence_pdf("ปีก่อน"))
    statement(register, "ST-2569-03", "2026-03")
    statement(register, "ST-2567-01", "2024-01")
    statement(register, "ST-OTHER", "2026-03", unit="OTH0002")
    return inside, before, {c.id: pdfs[n] for n, c in zip((1, 2, 3), inside)}


def recomputed(path) -> dict[str, str]:
    """The independent check: every file of the zip hashed again and compared with the manifest by hand."""
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        listed = {f["path"]: f["sha256"] for f in manifest["files"]}
        actual = {n: hashlib.sha256(zf.read(n)).hexdigest() for n in zf.namelist() if n != "manifest.json"}
    assert listed == actual
    return actual


def test_a_years_package_holds_its_claims_evidence_and_statements_and_verifies(register, year, tmp_path):
    inside, before, pdfs = year
    target = tmp_path / audit.default_name(FY2569)
    seen = []
    done = audit.export_audit(desk(register), FY2569, target, lambda n, total: seen.append((n, total)))

    assert target.name == "ชุดหลักฐานเพื่อการตรวจสอบ-ปีงบประมาณ2569.zip"
    assert done.claims == 3 and done.missing == () and done.bytes == target.stat().st_size
    assert seen[-1] == (4, 4) and [n for n, _ in seen] == sorted(n for n, _ in seen)
    assert audit.verify(target) == audit.Verified(target, (), done.files, done.manifest_sha256)
    files = recomputed(target)
    assert done.files == len(files) == 6   # 3 claims' evidence, 1 statement, the ledger as PDF and as workbook
    with zipfile.ZipFile(target) as zf:
        assert hashlib.sha256(zf.read("manifest.json")).hexdigest() == done.manifest_sha256
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["unit"]["code"] == "TRN0001" and manifest["claims"] == 3
        assert "evidence_missing" not in manifest
        for c in inside:   # each claim's evidence, byte for byte as the encrypted store kept it, opens as a PDF
            data = zf.read(f"evidence/{c.id}.pdf")
            assert data == pdfs[c.id] and len(PdfReader(io.BytesIO(data)).pages) == 1
        assert f"evidence/{before.id}.pdf" not in files                      # 2568's claim is not this year's
        assert sorted(n for n in files if n.startswith("statements/")) == ["statements/ST-2569-03.json"]
        assert json.loads(zf.read("statements/ST-2569-03.json"))["month"] == "2026-03"
        ledger = load_workbook(io.BytesIO(zf.read("ledger.xlsx")))
    cells = {c for row in ledger.worksheets[0].iter_rows(values_only=True) for c in row if c is not None}
    assert {c.id for c in inside} <= cells and before.id not in cells
    assert Decimal("1200") in {Decimal(str(c)) for c in cells if isinstance(c, (int, float))}


def test_a_range_of_dates_selects_only_the_claims_with_something_in_it(register, year, tmp_path):
    inside, _before, _ = year
    quarter = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert audit.period_th(quarter) == "1 มกราคม 2569 ถึง 31 มีนาคม 2569"
    assert audit.period_th(FY2569) == "ปีงบประมาณ 2569" and audit.fiscal_year_of(dt.date(2025, 10, 1)) == 2569
    done = audit.export_audit(desk(register), quarter, tmp_path / audit.default_name(quarter))
    assert done.path.name == "ชุดหลักฐานเพื่อการตรวจสอบ-01-01-2569-ถึง-31-03-2569.zip"
    with zipfile.ZipFile(done.path) as zf:
        evidence = sorted(n for n in zf.namelist() if n.startswith("evidence/"))
    # claim 2 was received in February; claim 1's steps, receipt and care all fall in November–December 2568
    # (2025), claim 3's at the end of September
    assert done.claims == 1 and evidence == [f"evidence/{inside[1].id}.pdf"]


def test_evidence_not_on_this_pc_is_listed_offline_and_downloaded_online(register, year, tmp_path, capsys):
    elsewhere = evidence_pdf("ทำที่เครื่องอื่น")
    sha = hashlib.sha256(elsewhere).hexdigest()
    other = kept(register, a_claim(5, dt.date(2026, 4, 2), "300.00"), sha=sha)   # its evidence on another PC
    d = desk(register)

    offline = audit.export_audit(d, FY2569, tmp_path / "offline.zip")
    assert offline.claims == 4 and [m.claim_id for m in offline.missing] == [other.id]
    assert "ไม่ได้เชื่อมต่อเซิร์ฟเวอร์กลาง" in offline.missing[0].why
    recomputed(offline.path)
    assert audit.verify(offline.path).without_evidence == 1
    assert main(["--verify", str(offline.path)]) == 0          # the auditor's command line says so too
    assert f"ไม่มีหลักฐานของเรื่องเบิก 1 เรื่อง (ทะเบียนคุมระบุว่า «ขาด»): {other.id}" in capsys.readouterr().out
    with zipfile.ZipFile(offline.path) as zf:
        assert json.loads(zf.read("manifest.json"))["evidence_missing"]["claims"] == [other.id]
        assert f"evidence/{other.id}.pdf" not in zf.namelist()
        sheet = load_workbook(io.BytesIO(zf.read("ledger.xlsx"))).worksheets[0]
    [row] = [r for r in sheet.iter_rows(values_only=True) if other.id in r]
    assert row[-1] == "ขาด"

    broken = audit.export_audit(d, FY2569, tmp_path / "broken.zip", fetch=lambda _sha: b"%PDF-1.4 not it")
    assert [m.claim_id for m in broken.missing] == [other.id] and "ดาวน์โหลด" in broken.missing[0].why

    asked = []
    online = audit.export_audit(d, FY2569, tmp_path / "online.zip", fetch=lambda s: asked.append(s) or elsewhere)
    assert asked == [sha] and online.missing == () and online.fetched == 1
    assert AttachmentStore(register.wc).get(sha) == elsewhere          # kept here, encrypted, for next time
    with zipfile.ZipFile(online.path) as zf:
        assert zf.read(f"evidence/{other.id}.pdf") == elsewhere


def test_a_registry_officer_is_refused_and_nothing_is_written(register, year, tmp_path):
    (out := tmp_path / "out").mkdir()
    with pytest.raises(Refusal) as no:
        audit.export_audit(desk(register, REGISTRY), FY2569, out / "p.zip")
    assert no.value.code == "claim.not_finance" and "เจ้าหน้าที่การเงิน" in str(no.value)
    assert list(out.iterdir()) == []


def test_a_stopped_export_leaves_no_half_file_and_an_old_package_stays(register, year, tmp_path):
    (out := tmp_path / "out").mkdir()
    target = out / "p.zip"
    target.write_bytes(b"the package of last time")
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 2            # stopped in the middle of the evidence
    with pytest.raises(Refusal) as stopped:
        audit.export_audit(desk(register), FY2569, target, cancelled=stop)
    assert stopped.value.code == "audit.cancelled" and "ไม่ได้บันทึก" in str(stopped.value)
    assert [p.name for p in out.iterdir()] == ["p.zip"] and target.read_bytes() == b"the package of last time"


def test_a_tampered_package_is_found_out_in_thai(register, year, tmp_path):
    inside, _, _ = year
    done = audit.export_audit(desk(register), FY2569, tmp_path / "p.zip")
    tampered = tmp_path / "tampered.zip"
    victim = f"evidence/{inside[0].id}.pdf"
    with zipfile.ZipFile(done.path) as src, zipfile.ZipFile(tampered, "w") as out:
        for info in src.infolist():
            out.writestr(info, evidence_pdf("ปลอม") if info.filename == victim else src.read(info))
    found = audit.verify(tampered)
    assert not found.ok
    assert found.problems == (f"ไฟล์ {victim} ถูกแก้ไข: รหัสตรวจสอบ (SHA-256) หรือขนาดไม่ตรงกับบัญชีรายการไฟล์",)
    assert found.manifest_sha256 == done.manifest_sha256     # the manifest is the same: the file is not
