"""Thai paragraphs in PDF break between words (ICU), stay inside their column, and are shaped."""
import subprocess

from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import SimpleDocTemplate

import pytest

from app.documents.fonts import register_fonts, thai_style
from app.documents.thaitext import ThaiParagraph, break_lines, segments

TEXT = ("ขอสิทธิเข้าใช้งานระบบทะเบียนบุคลากรองค์กรปกครองส่วนท้องถิ่น สำนักงานเทศบาลเมืองกชค จังหวัดขอนแก่น "
        "นายทะเบียนตรวจสอบข้อมูลผู้มีสิทธิและผู้มีสิทธิร่วมที่เจ้าหน้าที่ทะเบียนบันทึกหรือปรับปรุง")


@pytest.fixture(autouse=True)
def fonts():
    register_fonts()


def test_icu_finds_thai_word_boundaries():
    assert segments("ขอสิทธิเข้าใช้งานระบบ") == ["ขอ", "สิทธิ", "เข้า", "ใช้", "งาน", "ระบบ"]


def test_lines_end_only_between_words_and_fit_the_column():
    width = 6 * cm
    lines = break_lines(TEXT, "Sarabun", 16, width)
    assert len(lines) > 4
    words = segments(TEXT)
    boundaries = set()
    pos = 0
    for w in words:
        pos += len(w)
        boundaries.add(pos)
    pos = 0
    for line in lines:
        start = TEXT.index(line, pos)
        end = start + len(line)
        assert end in boundaries or TEXT[end:end + 1] == " " or end == len(TEXT), line
        assert stringWidth(line, "Sarabun", 16) <= width
        pos = end
    assert "".join(lines).replace(" ", "") == TEXT.replace(" ", "")


def test_a_word_longer_than_the_column_is_cut_between_letters_not_marks():
    lines = break_lines("ผู้มีสิทธิ์" * 8, "Sarabun", 16, 40)
    assert all(not line[0] in "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c"
               for line in lines if line)


def test_a_long_thai_paragraph_flows_across_pages_in_embedded_sarabun(tmp_path):
    out = tmp_path / "long.pdf"
    style = thai_style()
    doc = SimpleDocTemplate(str(out), leftMargin=3 * cm, rightMargin=2 * cm)
    doc.build([ThaiParagraph(TEXT * 30, style)])
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    assert pages >= 2
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "ขอสิทธิเข้าใช้งานระบบ" in text.replace("\n", "")
