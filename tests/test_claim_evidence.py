"""A claim's evidence as the finance officer makes it: a batch of receipts from SANE's test document feeder, a PDF
imported beside them, a page turned, each labelled — one PDF whose pages are those pages in that order, the
scanned JPEGs embedded byte for byte, the turn kept as the page's rotation, the labels as bookmarks, and every
page drawn back by PDFium for the screen. A file that is no document is refused in Thai."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from app.claims import PageLabel
from app.claims.evidence import assemble, bookmarks, page_count, pages_of, render
from app.errors import Refusal
from scan import SaneScanner


@pytest.fixture(scope="module")
def batch():
    seen = []
    pages = SaneScanner().scan_batch(lambda n, data: seen.append(n))
    return pages, seen


def a_pdf(pages: int) -> bytes:
    buf = io.BytesIO()
    canvas = Canvas(buf)
    for i in range(pages):
        canvas.drawString(72, 720, f"medical certificate page {i + 1}")
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def test_the_feeder_gives_every_sheet_in_order_each_as_it_is_scanned(batch):
    pages, seen = batch
    assert len(pages) == 10            # SANE's test feeder holds ten sheets, then says it is empty
    assert seen == list(range(1, 11))  # each page was handed on as it came (the progress line follows it)
    for data in pages:
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG"


def test_scanned_receipts_and_an_imported_pdf_become_one_pdf_with_bookmarks(batch):
    scans, _ = batch
    receipts = [p for data in scans[:3] for p in pages_of(data, PageLabel.RECEIPT, "IV-69-004512")]
    receipts[1] = receipts[1].turned(90)             # the second sheet went in sideways
    certificate = pages_of(a_pdf(2), PageLabel.MEDICAL_CERTIFICATE)
    other = pages_of(scans[3], PageLabel.RECEIPT, "IV-69-004513")
    pdf = assemble(receipts + certificate + other, "หลักฐาน CL-1")
    reader = PdfReader(io.BytesIO(pdf))
    assert page_count(pdf) == 6
    assert [p.rotation for p in reader.pages] == [0, 90, 0, 0, 0, 0]
    assert bookmarks(pdf) == [("ใบเสร็จเลขที่ IV-69-004512", 0), ("ใบรับรองแพทย์", 3),
                              ("ใบเสร็จเลขที่ IV-69-004513", 5)]
    # the scanner's JPEG is in the PDF byte for byte: nothing was compressed twice
    [xobject] = reader.pages[0]["/Resources"]["/XObject"].values()
    image = xobject.get_object()
    assert image["/Filter"] in ("/DCTDecode", ["/DCTDecode"]) and image._data == scans[0]
    # an imported page stays what it was: its text is still text
    assert "medical certificate page 2" in reader.pages[4].extract_text()
    # a page the size of the paper: SANE's A4 test sheet at its dpi
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(width - 595) < 15 and abs(height - 842) < 15


def test_every_page_is_drawn_for_the_screen_turned_as_the_officer_turned_it(batch):
    scans, _ = batch
    [page] = pages_of(scans[0], PageLabel.RECEIPT, "1")
    pdf = assemble([page, page.turned(90)])
    upright = Image.open(io.BytesIO(render(pdf, 0, 200)))
    sideways = Image.open(io.BytesIO(render(pdf, 1, 200)))
    assert upright.width == sideways.width == 200
    assert upright.height > upright.width and sideways.height < sideways.width


@pytest.mark.parametrize("data", [b"not a document at all", b"%PDF-1.7\nbroken", b"\x89PNG\r\n\x1a\nbroken"])
def test_a_file_that_is_no_document_is_refused_in_thai(data):
    with pytest.raises(Refusal) as refused:
        pages_of(data)
    assert refused.value.code == "evidence.not_a_document"
    assert "กรุณาเลือกไฟล์อื่น" in str(refused.value)


def test_nothing_to_assemble_says_what_to_do():
    with pytest.raises(Refusal) as refused:
        assemble([])
    assert "กรุณาสแกนหรือนำเข้าไฟล์ก่อน" in str(refused.value)
