"""The unit's statement on paper (app/documents/statement.py): the PDF read back with poppler's pdftotext (every
beneficiary and dependent in logical order, each dependent right after their beneficiary, the counts, the appendix
of differences, the confirmation block; a 3-page statement repeats its header) and the .xlsx with openpyxl."""
import io
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openpyxl import load_workbook

from app.cid import format_cid
from app.documents import write_file
from app.documents.statement import (
    COLUMNS, NOT_CONFIRMED, default_name, sample_statements, statement_document, statement_pdf, statement_xlsx,
)
from app.statements import differences, relation_th, type_th, verify
from app.training import UNIT

from .pdfcheck import page_texts, squeeze

UNIT_NAME = f"{UNIT.name} จังหวัด{UNIT.province}"


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def rounds(key):
    previous, current = sample_statements(40, 60, signing_key=key)
    current.confirmed_by, current.confirmed_at = "1100700000001", "2026-11-03T10:15:00+07:00"
    return previous, current


@pytest.fixture(scope="module")
def pdf(rounds, tmp_path_factory):
    previous, current = rounds
    data = statement_pdf(current, previous, True, "นายสมชาย ใจดี", UNIT_NAME)
    return write_file(tmp_path_factory.mktemp("statement") / default_name(current, ".pdf"), data)


def test_the_sample_statements_are_signed_and_differ(rounds, key):
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    previous, current = rounds
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert verify(current, raw) and verify(previous, raw)
    assert {d.change for d in differences(previous, current)} == {"added", "removed", "changed"}


def test_every_person_is_in_the_pdf_in_order_each_dependent_right_after_their_beneficiary(rounds, pdf):
    previous, current = rounds
    texts = page_texts(pdf)
    assert len(texts) == 3
    whole = squeeze("".join(texts))
    # the list part: up to the counts that follow it
    listing = whole[:whole.index(squeeze("จำนวนผู้มีสิทธิและผู้มีสิทธิร่วม"))]
    order = ("spouse", "child", "father", "mother")
    expected = []
    for x in current.people:
        if x["relation"] == "self":
            expected.append(x)
            expected += sorted((d for d in current.people if d["relation"] != "self" and d["via_cid"] == x["cid"]),
                               key=lambda d: (order.index(d["relation"]), d["cid"]))
    assert len(expected) == len(current.people)
    pos, head, n = 0, None, 0
    for x in expected:
        line = squeeze(x["name"] + format_cid(x["cid"]) + relation_th(x))   # name, grouped CID, relation
        at = listing.find(line, pos)
        assert at >= 0, (x["name"], format_cid(x["cid"]))
        between = listing[pos:at]
        if x["relation"] == "self":
            n += 1
            assert between.endswith(str(n)), (n, between)
            head, first = x, True
        else:   # right after their beneficiary's row (its personnel type) or the dependent before
            assert x["via_cid"] == head["cid"]
            assert between == (squeeze(type_th(head)) if first else ""), (x["name"], between)
            first = False
        pos = at + len(line)


def test_the_pdf_has_the_counts_the_appendix_and_the_confirmation_block(rounds, pdf):
    previous, current = rounds
    last = squeeze(page_texts(pdf)[-1])
    heads = [x for x in current.people if x["relation"] == "self"]
    deps = [x for x in current.people if x["relation"] != "self"]
    assert squeeze(f"รวม ผู้มีสิทธิ {len(heads)} คน ผู้มีสิทธิร่วม {len(deps)} คน") in last
    for t in {type_th(x) for x in heads}:
        n = sum(1 for x in heads if type_th(x) == t)
        assert squeeze(f"{t}{n}") in last
    for rel in {x["relation"] for x in deps}:
        n = sum(1 for x in deps if x["relation"] == rel)
        assert squeeze(f"{relation_th({'relation': rel})}{n}") in last
    assert squeeze("ภาคผนวก การเปลี่ยนแปลงจากบัญชี ณ วันที่ 1 ตุลาคม 2569") in last
    diffs = differences(previous, current)
    for i, d in enumerate(diffs, start=1):
        assert squeeze(f"{i}{d.change_th}{d.name}{format_cid(d.cid)}") in last
    block = squeeze("การยืนยัน: ยืนยันแล้วโดย นายสมชาย ใจดี เมื่อวันที่ 3 พฤศจิกายน 2569 เวลา 10:15 น.")
    sig = squeeze("ลายมือชื่อดิจิทัลของเซิร์ฟเวอร์กลาง: ตรวจแล้วถูกต้อง")
    assert block in last and sig in last and last.index(block) > last.index(squeeze("ภาคผนวก"))


def test_a_three_page_statement_repeats_its_header_and_says_page_x_of_y(rounds, pdf):
    texts = page_texts(pdf)
    for n, text in enumerate(texts, start=1):
        for column in COLUMNS:
            assert squeeze(column.title) in squeeze(text), (n, column.title)
        assert f"หน้า {n} / 3" in text
    first = squeeze(texts[0])
    assert squeeze("บัญชีรายชื่อผู้มีสิทธิ ณ วันที่ 1 พฤศจิกายน 2569") in first and squeeze(UNIT_NAME) in first


def test_an_unconfirmed_statement_says_so_and_a_failed_signature_too(rounds, tmp_path):
    previous, current = rounds
    fresh = type(current).from_json({**current.to_json(), "confirmed_by": None, "confirmed_at": None})
    doc = statement_document(fresh, None, False)
    text = squeeze(" ".join(page_texts(write_file(tmp_path / "s.pdf", statement_pdf(fresh, None, False)))))
    assert squeeze(f"การยืนยัน: {NOT_CONFIRMED}") in text
    assert squeeze("ตรวจไม่ผ่าน") in text and squeeze("เป็นบัญชีแรกของหน่วยงาน") in text
    assert doc.title.startswith("บัญชีรายชื่อผู้มีสิทธิ ณ วันที่")


def test_the_workbook_has_the_same_columns_thai_headers_and_cids_as_text(rounds):
    previous, current = rounds
    wb = load_workbook(io.BytesIO(statement_xlsx(current, previous, True, "นายสมชาย ใจดี", UNIT_NAME)))
    ws = wb.active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header_at = next(i for i, r in enumerate(rows) if r[0] == "ลำดับ")
    assert rows[header_at][:len(COLUMNS)] == [c.title for c in COLUMNS]
    assert rows[0][0] == "บัญชีรายชื่อผู้มีสิทธิ ณ วันที่ 1 พฤศจิกายน 2569"
    top = [r[0] for r in rows[:header_at]]
    assert UNIT_NAME in top and any(str(t).startswith("การยืนยัน: ยืนยันแล้วโดย นายสมชาย ใจดี") for t in top)
    data = rows[header_at + 1:-1]
    assert len(data) == len(current.people)
    cells = list(ws.iter_rows(min_row=header_at + 2, max_row=header_at + 1 + len(data)))
    by_cid = {x["cid"]: x for x in current.people}
    for row, cell_row in zip(data, cells):
        x = by_cid[row[2]]
        assert isinstance(row[2], str) and len(row[2]) == 13 and cell_row[2].number_format == "@"
        assert row[1] == x["name"] and row[3] == relation_th(x)
        assert isinstance(row[0], int) == (x["relation"] == "self")
    assert rows[-1][1] == "รวม ผู้มีสิทธิ 40 คน" and rows[-1][4] == "ผู้มีสิทธิร่วม 60 คน"


def test_the_default_file_name_is_thai_with_the_buddhist_era_date(rounds):
    assert default_name(rounds[1], ".pdf") == "บัญชีรายชื่อผู้มีสิทธิ 2569-11-01.pdf"


# --- from the confirmation tab ---------------------------------------------------------------------------


class _Host:
    """The window, as far as the confirmation tab asks it: a runner, the status line, dialogs, refusals."""

    def __init__(self, runner) -> None:
        self.runner, self.card, self.said, self.told, self.dialog = runner, None, [], [], None

    def say(self, text: str) -> None:
        self.said.append(text)

    def refused(self, error: BaseException) -> None:
        self.told.append(str(error))

    def opened(self, dialog) -> None:
        self.dialog = dialog


@pytest.fixture
def tab(qtbot, rounds, key):
    from concurrent.futures import ThreadPoolExecutor
    from types import SimpleNamespace

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from app.domain import Officer, Role, Unit, UnitLevel
    from ui.tabs.confirmation import ConfirmationTab
    from ui.tasks import TaskRunner

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-db")
    host = _Host(TaskRunner(pool))
    w = ConfirmationTab(host)
    qtbot.addWidget(w)
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    previous, current = rounds
    w.fetch = lambda desk: ([current, previous], raw)
    unit = Unit(UNIT.code, UNIT.name, next(iter(UnitLevel)), UNIT.province)
    officer = Officer("1100700000001", "นายสมชาย ใจดี", "ปลัด", Role.REGISTRAR, UNIT.code, "x@example.go.th")
    register = SimpleNamespace(get=lambda kind, rid: (unit, 1) if (kind, rid) == ("unit", UNIT.code) else None)
    w.attach(SimpleNamespace(officer=officer, register=register))
    w.show()
    qtbot.waitUntil(lambda: w.pdf_button.isEnabled() and w.xlsx_button.isEnabled(), timeout=10000)
    yield w, host
    pool.shutdown(wait=True)


def test_the_tab_saves_the_chosen_statement_as_pdf_and_as_a_workbook(qtbot, tab, tmp_path):
    w, host = tab
    for kind, button in (("pdf", w.pdf_button), ("xlsx", w.xlsx_button)):
        button.click()
        dialog = host.dialog
        assert dialog is not None and dialog.objectName() == "saveStatementDialog" and dialog.isVisible()
        assert dialog.selectedFiles()[0].endswith(f"บัญชีรายชื่อผู้มีสิทธิ 2569-11-01.{kind}")
        target = tmp_path / f"บัญชีรายชื่อผู้มีสิทธิ 2569-11-01.{kind}"
        dialog.fileSelected.emit(str(target))   # what choosing the file and pressing Save does
        dialog.close()
        qtbot.waitUntil(lambda: host.said and host.said[-1].startswith("บันทึกบัญชีรายชื่อแล้วที่"), timeout=20000)
        assert any(s.startswith("กำลังทำบัญชีรายชื่อ ณ วันที่ 01/11/2569") for s in host.said)
        assert str(target) in host.said[-1] and target.stat().st_size > 0
    text = squeeze(" ".join(page_texts(tmp_path / "บัญชีรายชื่อผู้มีสิทธิ 2569-11-01.pdf")))
    assert squeeze(UNIT_NAME) in text and squeeze("ยืนยันแล้วโดย นายสมชาย ใจดี") in text
    assert squeeze("ตรวจแล้วถูกต้อง") in text
    wb = load_workbook(tmp_path / "บัญชีรายชื่อผู้มีสิทธิ 2569-11-01.xlsx")
    assert wb.active["A1"].value == "บัญชีรายชื่อผู้มีสิทธิ ณ วันที่ 1 พฤศจิกายน 2569"
    assert not host.told


def test_an_unwritable_folder_is_said_in_thai_and_nothing_is_written(qtbot, tab, tmp_path):
    import os
    w, host = tab
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    # root writes anywhere it may: then a folder no one may create files in (/proc)
    folder = locked if not os.access(locked, os.W_OK) else Path("/proc")
    try:
        w.pdf_button.click()
        host.dialog.close()
        w.write_statement(w.selected(), "pdf", str(folder / "statement.pdf"))
        qtbot.waitUntil(lambda: bool(host.told), timeout=20000)
        assert "ไม่มีสิทธิ์เขียนในโฟลเดอร์นี้" in host.told[-1] and host.said[-1] == host.told[-1]
        assert "Traceback" not in host.said[-1] and not (folder / "statement.pdf").exists()
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)
