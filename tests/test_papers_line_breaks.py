"""Where the papers break Thai lines, read back from the PDFs with poppler: a position's title stays whole in the
account-request letter's table (นักทรัพยากรบุคคล, never นัก | ทรัพยากรบุคคล) and a long one wraps between its
own words; «จังหวัด» stays with the province's name in a letterhead (never จังหวัด | ขอนแก่น), and an address
wraps between its parts."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app import training
from app.documents.fonts import register_fonts
from app.documents.letter import LEFT
from app.documents.request_letter import OFFICER_COLUMNS, TABLE_SIZE, request_letter_pdf, sized_table
from app.documents.thaitext import break_lines, segments
from app.regions import provinces
from app.thai import thai_digits_prose
from app.usecases import certificates
from app.usecases.account_request import AccountRequest, OfficerRow, RequestKind, UnitDetails, check, letter_text
from tests.test_certificates import THE_UNIT, desk, family  # noqa: F401 (fixtures)

from .pdfcheck import line_breaks, mid_word_breaks, page_texts, word_boundaries

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler's pdftotext is not installed")

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>')


def demo_request() -> AccountRequest:
    """The request ``./dev demo`` makes: the training unit and its officers (ui/demo.py, request_kit)."""
    u = training.UNIT
    unit = UnitDetails(u.name, u.level, u.code, u.address, u.province, u.phone, "", u.email,
                       "นายสมศักดิ์ ใจดี", "นายกองค์การบริหารส่วนตำบลบ้านฝึกหัด", "ขก 71001/")
    rows = [OfficerRow(o.name, o.cid, o.position, o.role, f"{o.mobile[:3]}-{o.mobile[3:6]}-{o.mobile[6:]}", o.email)
            for o in training.generate(staff=5).officers]
    return AccountRequest(RequestKind.FIRST, unit, rows)


def column_lines(pdf: Path, title: str, x0: float, x1: float) -> list[str]:
    """The lines of one table column as poppler reads the page: the words starting between ``x0`` and ``x1``
    under the column's heading, down to the first line that runs across the column (the text after the table)."""
    xml = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    words = sorted(((float(y), float(x), float(x2), w) for x, y, x2, w in _WORD.findall(xml)))
    top = next(y for y, x, _x2, w in words if w == title and x0 <= x < x1)
    lines: dict[float, list[str]] = {}
    for y, x, x2, w in words:
        if y <= top + 1:
            continue
        if x < x0 and x2 > x1:   # a paragraph after the table
            break
        if x0 <= x < x1:
            lines.setdefault(round(y), []).append(w)
    return [" ".join(ws) for _y, ws in sorted(lines.items())]


def cell_lines(values: list[str], lines: list[str]) -> dict[str, list[str]]:
    """Each value of the column with the lines it was printed on (the column's lines, in order)."""
    out, i = {}, 0
    for value in values:
        got = []
        while "".join(got) != value.replace(" ", ""):
            assert i < len(lines) and value.replace(" ", "").startswith("".join(got) + lines[i].replace(" ", "")), \
                (value, got, lines[i:])
            got.append(lines[i].replace(" ", ""))
            i += 1
        out[value] = got
    return out


def test_the_demo_request_letter_keeps_each_position_title_whole(tmp_path):
    request = demo_request()
    assert check(request).ok, check(request).reasons()
    path = tmp_path / "letter.pdf"
    path.write_bytes(request_letter_pdf(request, date=dt.date(2026, 11, 30)))
    text = letter_text(request)
    table = sized_table(OFFICER_COLUMNS[:len(text.table_header)], text.table)
    at = [c.title for c in table.columns].index("ตำแหน่ง")
    x0 = LEFT + sum(c.width for c in table.columns[:at])
    positions = [thai_digits_prose(row[at]) for row in text.table]
    assert "นักทรัพยากรบุคคล" in positions and "นักวิชาการเงินและบัญชี" in positions
    printed = cell_lines(positions, column_lines(path, "ตำแหน่ง", x0 - 1, x0 + table.columns[at].width - 1))
    assert printed["นักทรัพยากรบุคคล"] == ["นักทรัพยากรบุคคล"]                # the reviewer saw นัก | ทรัพยากรบุคคล
    assert printed["นักวิชาการเงินและบัญชี"] == ["นักวิชาการเงิน", "และบัญชี"]   # between its own words
    for position, lines in printed.items():
        breaks = line_breaks(position, lines)
        assert breaks is not None, (position, lines)
        assert all(b in word_boundaries(position) for b in breaks), (position, lines)   # never inside a word
        assert "นัก" not in lines and not any(line.endswith("และ") for line in lines), (position, lines)
        if position != "ปลัดองค์การบริหารส่วนตำบล":   # (a title and a unit's name: wider than the column)
            assert mid_word_breaks(position, breaks) == [], (position, lines)


@pytest.mark.parametrize("position", ["นักทรัพยากรบุคคลปฏิบัติการ", "นักวิชาการเงินและบัญชีชำนาญการ",
                                      "เจ้าพนักงานธุรการชำนาญงาน", "นักวิเคราะห์นโยบายและแผนชำนาญการพิเศษ",
                                      "นักจัดการงานทั่วไปปฏิบัติการ", "ผู้อำนวยการกองคลัง"])
def test_a_position_in_a_narrow_cell_wraps_after_its_title_and_never_after_nak_or_lae(position):
    font = register_fonts()
    for width in (45, 55, 65, 75, 90, 110):
        lines = break_lines(position, font, TABLE_SIZE, width, prefer_spaces=True)
        assert "".join(lines) == position
        assert not any(line in ("นัก", "ผู้", "เจ้า") or line.endswith("และ") for line in lines), (width, lines)
    wide = break_lines(position, font, TABLE_SIZE, 90, prefer_spaces=True)
    title = next(t for t in ("นักทรัพยากรบุคคล", "นักวิชาการเงิน", "เจ้าพนักงานธุรการ", "นักวิเคราะห์นโยบาย",
                             "นักจัดการงานทั่วไป", "ผู้อำนวยการกองคลัง") if position.startswith(t))
    assert wide[0].startswith(title), wide


def test_the_certificate_letterhead_keeps_the_province_with_changwat(desk, family, tmp_path):  # noqa: F811
    _cert, pdf = certificates.issue(desk, cid=family.girl.cid, admitted_on=dt.date(2026, 3, 14),
                                    hospital="โรงพยาบาลขอนแก่น")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    lines = [line.strip() for line in page_texts(path)[0].splitlines()]
    address = thai_digits_prose(THE_UNIT.address)
    head = lines[next(i for i, line in enumerate(lines) if line.endswith(THE_UNIT.name)) + 1:]
    breaks = line_breaks(address, head)
    assert breaks, head[:4]                                        # the address takes two lines here
    assert all(address[b] == " " for b in breaks), head[:4]        # and wraps between its parts
    assert any(line.startswith("จังหวัดขอนแก่น") for line in head[:3])
    assert not any(line.endswith("จังหวัด") for line in lines)


def test_no_line_ends_between_changwat_and_any_provinces_name():
    from app.documents.thaitext import text_width
    font = register_fonts()
    for province in provinces():
        prose = f"ผู้มีสิทธิซึ่งมีภูมิลำเนาอยู่ในจังหวัด{province}ได้ยื่นคำขอ"
        start = prose.index("จังหวัด")
        inside = range(start + 1, start + len("จังหวัด" + province))
        cuts, pos = [], 0
        for piece in segments(prose):
            pos += len(piece)
            cuts.append(pos)
        assert not [c for c in cuts if c in inside], (province, segments(prose))
        for width in (100, 140, 200):   # a line too narrow for the rest wraps before «จังหวัด», not after it
            if text_width("จังหวัด" + province, font, 16) <= width:
                lines = break_lines(prose, font, 16, width)
                assert not any(line.endswith("จังหวัด") for line in lines), (province, width, lines)
