"""Thai in PDF comes from the bundled Sarabun, shaped, whatever fonts the system has."""
import subprocess

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate

from app.documents.fonts import register_fonts


def test_a_thai_paragraph_is_written_in_embedded_sarabun_and_reads_back(tmp_path):
    family = register_fonts()
    style = ParagraphStyle("th", fontName=family, fontSize=16, leading=22, shaping=1)
    text = "ผู้มีสิทธิ ปู่ ย่า น้ำ — บุตรคนที่ ๓"
    out = tmp_path / "thai.pdf"
    SimpleDocTemplate(str(out), leftMargin=3 * cm, rightMargin=2 * cm).build(
        [Paragraph(text, style), Paragraph("<b>ตัวหนา</b> <i>ตัวเอียง</i>", style)])
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Sarabun" in fonts and "Sarabun-Bold" in fonts and "Sarabun-Italic" in fonts
    sarabun = [line.split() for line in fonts.splitlines() if "Sarabun" in line]
    assert len(sarabun) == 3 and all(cols[-5] == "yes" for cols in sarabun)  # embedded
    extracted = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "ผู้มีสิทธิ" in extracted and "ตัวหนา" in extracted
