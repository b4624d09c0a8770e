"""Long tables: the PDF read back with poppler (header on every page, หน้า x / y, rows and groups whole, totals
last), and the same columns as a workbook read back with openpyxl (Thai headers, CIDs as text, real dates
shown in the Buddhist era, money with two decimals)."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app import cid as cidmod
from app.documents import Column, Group, Table, TableDocument, table_pdf, table_xlsx, write_file
from app.documents.samples import STATEMENT_COLUMNS, sample_statement
from app.documents.tables import XLSX_DATE_FORMAT, cell_text
from app.thai import PartialDate

from .pdfcheck import fonts, page_texts, run, squeeze


@pytest.fixture(scope="module")
def statement() -> TableDocument:
    return sample_statement()


@pytest.fixture(scope="module")
def pdf(statement, tmp_path_factory):
    return write_file(tmp_path_factory.mktemp("table") / "statement.pdf", table_pdf(statement))


def _cids(group: Group) -> list[str]:
    return [cidmod.format_cid(group.head[2]), *(cidmod.format_cid(m[2]) for m in group.members)]


def test_a_three_page_table_repeats_its_header_and_says_page_x_of_y(statement, pdf):
    texts = page_texts(pdf)
    assert len(texts) == 3  # the sample is made to be three pages
    for n, text in enumerate(texts, start=1):
        flat = squeeze(text)
        for column in statement.table.columns:
            assert squeeze(column.title) in flat, (n, column.title)
        assert f"หน้า {n} / 3" in text
    assert squeeze(statement.title) in squeeze(texts[0])
    assert all(squeeze(line) in squeeze(texts[0]) for line in statement.subtitle)


def test_rows_and_groups_are_never_split_and_the_totals_come_last(statement, pdf):
    texts = [squeeze(t) for t in page_texts(pdf)]
    for group in statement.table.rows:
        where = {i for i, t in enumerate(texts) for c in _cids(group) if c in t}
        assert len(where) == 1, (group.head[1], where)          # the whole group on one page
        page = texts[where.pop()]
        for row in [group.head, *group.members]:
            cells = [cell_text(c, v) for c, v in zip(STATEMENT_COLUMNS, row)]
            assert all(squeeze(c) in page for c in cells if c), row   # every line of every cell with it
        assert sum(t.count(_cids(group)[0]) for t in texts) == 1
    totals = squeeze(statement.table.totals[1])
    assert totals in texts[-1] and not any(totals in t for t in texts[:-1])
    assert texts[-1].index(totals) > texts[-1].index(_cids(statement.table.rows[-1])[-1])


def test_the_font_is_sarabun_embedded_as_a_subset(pdf):
    listed = fonts(pdf)
    assert listed and all("Sarabun" in f["name"] and f["emb"] == "yes" and f["sub"] == "yes" for f in listed)


def test_landscape_and_a_group_longer_than_a_page_splits_between_rows(tmp_path):
    columns = [Column("ลำดับ", "int", 6), Column("ชื่อ–สกุล", "text", 30), Column("เลขประจำตัวประชาชน", "cid", 20)]
    head = [1, "นายสมชาย ใจดี", cidmod.complete("900000000001")]
    members = [["", f"บุตรคนที่ {n}", cidmod.complete(f"9{n + 1:011d}")] for n in range(1, 80)]
    doc = TableDocument("รายการยาว", Table(columns, [Group(head, members), [2, "นางมาลี ศรีสุข",
                                                                          cidmod.complete("900000000999")]]),
                        landscape=True)
    pdf = write_file(tmp_path / "long.pdf", table_pdf(doc))
    assert "841.89 x 595.276" in run("pdfinfo", str(pdf))
    texts = page_texts(pdf)
    assert len(texts) >= 3
    flat = squeeze("".join(texts))
    assert all(cidmod.format_cid(m[2]) in flat for m in members)
    assert all(f"หน้า {n} / {len(texts)}" in t for n, t in enumerate(texts, start=1))


def test_thai_digits_in_a_list_when_asked():
    doc = sample_statement(3, 2)
    doc.thai_digits = True
    text = "".join(page_texts(_pdf(doc)))
    assert "หน้า ๑ / ๑" in text and not any(ch in text for ch in "0123456789")


def _pdf(doc):
    import tempfile
    from pathlib import Path

    return write_file(Path(tempfile.mkdtemp()) / "t.pdf", table_pdf(doc))


# --- the workbook -----------------------------------------------------------------------------------------


def test_the_workbook_has_the_same_columns_thai_headers_text_cids_and_buddhist_era_dates(statement):
    wb = load_workbook(io.BytesIO(table_xlsx(statement)))
    ws = wb.active
    rows = list(ws.iter_rows())
    header_at = next(i for i, r in enumerate(rows) if r[0].value == "ลำดับ")
    assert [c.value for c in rows[header_at]] == [c.title for c in statement.table.columns]
    assert rows[0][0].value == statement.title
    assert ws.freeze_panes == f"A{header_at + 2}"
    assert ws.print_title_rows == f"${header_at + 1}:${header_at + 1}"  # repeated on every printed page
    data = rows[header_at + 1:]
    expected = [r for g in statement.table.rows for r in (g.head, *g.members)]
    assert len(data) == len(expected) + 1  # and the totals
    kinds = [c.kind for c in statement.table.columns]
    for cells, row in zip(data, expected):
        for cell, value, kind in zip(cells, row, kinds):
            if kind == "cid":
                assert isinstance(cell.value, str) and cell.value == value and len(cell.value) == 13
                assert cell.number_format == "@"
            elif kind == "date" and isinstance(value, dt.date):
                assert cell.is_date and cell.value.date() == value
                assert cell.number_format == XLSX_DATE_FORMAT
            elif kind == "date":  # a birth year alone is not a date: its Thai text
                assert isinstance(value, PartialDate) and cell.value == value.format_th()
            elif kind == "money" and value is not None:
                assert cell.data_type == "n" and Decimal(str(cell.value)) == value
                assert cell.number_format == "#,##0.00"
    totals = data[-1]
    assert totals[1].font.b and Decimal(str(totals[-1].value)) == statement.table.totals[-1]
    # dependents are indented under their beneficiary
    member = statement.table.rows[0].members[0]
    at = expected.index(member)
    assert data[at][1].alignment.indent > 0 and not data[at - 1][1].alignment.indent


def test_the_buddhist_era_date_format_is_excels_thai_calendar():
    assert XLSX_DATE_FORMAT.startswith("[$-th-TH,107]")  # locale th-TH, calendar 7 (Thai Buddhist)
    assert "mmmm" in XLSX_DATE_FORMAT and "yyyy" in XLSX_DATE_FORMAT


def test_cell_text_groups_cids_and_formats_each_kind():
    assert cell_text(Column("x", "cid"), "3100600445635") == "3-1006-00445-63-5"
    assert cell_text(Column("x", "cid"), "3100600445635", thai_digits=True) == "๓-๑๐๐๖-๐๐๔๔๕-๖๓-๕"
    assert cell_text(Column("x", "date"), dt.date(2026, 1, 31), True) == "๓๑ มกราคม ๒๕๖๙"
    assert cell_text(Column("x", "date"), PartialDate(1960, 3)) == "มีนาคม 2503"
    assert cell_text(Column("x", "money"), Decimal("1234567.5")) == "1,234,567.50"
    assert cell_text(Column("x", "int"), 12500) == "12,500"
    assert cell_text(Column("x", "text"), None) == ""
    with pytest.raises(ValueError):
        Column("x", "percent")


def test_paragraphs_and_a_summary_table_can_follow_the_list():
    doc = sample_statement(6, 4)
    summary = Table([Column("ประเภท", "text", 30), Column("จำนวน (คน)", "int", 12)],
                    [["ผู้มีสิทธิ", 6], ["ผู้มีสิทธิร่วม", 4]], totals=["รวม", 10])
    doc.after = ["สรุปจำนวนตามประเภท", summary, "ผู้ตรวจสอบ นางมาลี ศรีสุข นายทะเบียน"]
    text = squeeze("".join(page_texts(_pdf(doc))))
    at = text.index(_cids(doc.table.rows[-1])[-1])
    for part in ("สรุปจำนวนตามประเภท", "ประเภทจำนวน(คน)ผู้มีสิทธิ6ผู้มีสิทธิร่วม4รวม10", "ผู้ตรวจสอบนางมาลีศรีสุขนายทะเบียน"):
        at = text.index(part, at)  # in this order, after the list's last row
