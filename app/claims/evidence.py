"""A claim's evidence as one PDF: every scanned or imported page, in the officer's order, turned the way they
turned it, with its label (ใบเสร็จเลขที่ …, ใบรับรองแพทย์, หนังสือรับรองสิทธิ) as a bookmark.

* A JPEG page (what the scanners give) is embedded as it is — the same bytes, no second compression — on a
  page the size of the paper it was scanned from (its dpi, 150 when the file does not say). A PNG is
  embedded losslessly.
* A page of an imported PDF is copied as it is (text stays text).
* A turn is the page's /Rotate: nothing is redrawn.

:func:`pages_of` turns an imported file into its pages; :func:`assemble` makes the PDF; :func:`render` draws
a page of any PDF as a PNG for the screen (PDFium) — thumbnails and the preview, with no viewer outside the
program. A file that is neither an image nor a readable PDF is a Thai :class:`Refusal`.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, replace
from typing import Sequence

from ..errors import Refusal
from ..filetypes import sniff
from .claim import PageLabel

DEFAULT_DPI = 150
NOT_A_DOCUMENT = Refusal(
    "evidence.not_a_document",
    "ไฟล์นี้ไม่ใช่รูปภาพ (JPEG, PNG) หรือเอกสาร PDF ที่อ่านได้ กรุณาเลือกไฟล์อื่น หรือสแกนเอกสารใหม่",
    "The file is not a JPEG or PNG image or a readable PDF: choose another file or scan the paper again.")


@dataclass(frozen=True)
class SourcePage:
    """One page of evidence and where it came from: an image file, or page ``index`` of a PDF file."""

    data: bytes
    mime: str                       # image/jpeg | image/png | application/pdf
    index: int = 0
    rotation: int = 0               # clockwise, a multiple of 90
    label: PageLabel = PageLabel.OTHER
    receipt: str = ""               # the receipt's number, for a receipt page

    def turned(self, degrees: int = 90) -> SourcePage:
        return replace(self, rotation=(self.rotation + degrees) % 360)

    @property
    def title(self) -> str:
        """The bookmark: what the page is."""
        if self.label is PageLabel.RECEIPT and self.receipt.strip():
            return f"ใบเสร็จเลขที่ {self.receipt.strip()}"
        return self.label.th


def pages_of(data: bytes, label: PageLabel = PageLabel.OTHER, receipt: str = "") -> list[SourcePage]:
    """The pages of an imported or scanned file, in order."""
    mime = sniff(data)
    if mime in ("image/jpeg", "image/png"):
        _image_size(data)   # refuses a broken image now, not when the claim is assembled
        return [SourcePage(data, mime, 0, 0, label, receipt)]
    if mime == "application/pdf":
        from pypdf import PdfReader
        try:
            count = len(PdfReader(io.BytesIO(data)).pages)
        except Exception:   # pypdf raises many kinds for a damaged or encrypted file
            raise NOT_A_DOCUMENT from None
        if count == 0:
            raise NOT_A_DOCUMENT
        return [SourcePage(data, mime, i, 0, label, receipt) for i in range(count)]
    raise NOT_A_DOCUMENT


def _image_size(data: bytes) -> tuple[int, int, tuple[float, float]]:
    from PIL import Image
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            dpi = image.info.get("dpi") or (DEFAULT_DPI, DEFAULT_DPI)
            return image.width, image.height, (float(dpi[0]) or DEFAULT_DPI, float(dpi[1]) or DEFAULT_DPI)
    except Exception:   # PIL raises many kinds for a broken image
        raise NOT_A_DOCUMENT from None


def _image_page(page: SourcePage) -> bytes:
    """A one-page PDF holding the image at its paper size (a JPEG's bytes embedded as they are)."""
    from reportlab import rl_config
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    width, height, (dx, dy) = _image_size(page.data)
    w, h = width * 72.0 / dx, height * 72.0 / dy
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(w, h), pageCompression=1)
    # the JPEG's own bytes, not wrapped in ASCII85 text (a quarter larger, for 7-bit channels a PDF never takes);
    # the switch is read only while the image is drawn
    a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        canvas.drawImage(ImageReader(io.BytesIO(page.data)), 0, 0, w, h)
    finally:
        rl_config.useA85 = a85
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def assemble(pages: Sequence[SourcePage], title: str = "") -> bytes:
    """One PDF of ``pages`` in order, each turned by its rotation, with a bookmark per run of pages with the
    same label (a two-page receipt is one bookmark)."""
    from pypdf import PdfReader, PdfWriter

    if not pages:
        raise Refusal("evidence.empty", "ยังไม่มีหน้าเอกสาร กรุณาสแกนหรือนำเข้าไฟล์ก่อน", "No pages yet.")
    writer = PdfWriter()
    readers: dict[int, PdfReader] = {}
    marks: list[tuple[str, int]] = []
    for page in pages:
        if page.mime == "application/pdf":
            reader = readers.get(id(page.data))
            if reader is None:
                reader = readers[id(page.data)] = PdfReader(io.BytesIO(page.data))
            source = reader.pages[page.index]
        else:
            source = PdfReader(io.BytesIO(_image_page(page))).pages[0]
        added = writer.add_page(source)
        if page.rotation:
            added.rotate(page.rotation)
        if not marks or marks[-1][0] != page.title:
            marks.append((page.title, len(writer.pages) - 1))
    for text, number in marks:
        writer.add_outline_item(title=text, page_number=number)
    writer.add_metadata({"/Title": title or "หลักฐานประกอบการเบิก", "/Creator": "LGO Registry Desk"})
    writer.page_mode = "/UseOutlines"
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader
    return len(PdfReader(io.BytesIO(pdf)).pages)


def bookmarks(pdf: bytes) -> list[tuple[str, int]]:
    """The PDF's bookmarks as (title, page index), in order."""
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(pdf))
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline
            if not isinstance(item, list)]


def render(pdf: bytes, index: int = 0, width_px: int = 800) -> bytes:
    """Page ``index`` of a PDF as a PNG ``width_px`` wide (its /Rotate applied), for thumbnails and the preview."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError:
        raise NOT_A_DOCUMENT from None
    try:
        page = document[index]
        scale = width_px / page.get_width()
        image = page.render(scale=scale, may_draw_forms=True).to_pil()
        buf = io.BytesIO()
        image.save(buf, "PNG")
        return buf.getvalue()
    finally:
        document.close()


__all__ = ["DEFAULT_DPI", "SourcePage", "assemble", "bookmarks", "page_count", "pages_of", "render"]
