"""The official letter (หนังสือภายนอก) of the correspondence regulation (ระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ).

A4; margins left 3 cm, right 2 cm, top 2.5 cm; the emblem 3 cm high centred over the text 1.5 cm from the top
of the first page (the unit's own image, or an empty frame to stamp); ที่ at the left and the unit's name and
address at the right; the date starting under the emblem's centre (๓๑ มกราคม ๒๕๖๙); เรื่อง, เรียน, อ้างถึง and
สิ่งที่ส่งมาด้วย with their text aligned after the label; paragraphs with a 2.5 cm first-line indent, and tables
in between; ขอแสดงความนับถือ, room to sign, the name in brackets and the position centred under it; the
issuing section with its telephone, fax and e-mail at the bottom left of the last page; «- ๒ -» at the top of
every page after the first. Thai digits throughout unless ``thai_digits`` is off (e-mail and web addresses
keep theirs).
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, KeepTogether, NextPageTemplate, PageTemplate,
                                Spacer)

from ..errors import Refusal
from ..filetypes import sniff
from ..thai import format_date_long, thai_digits_prose
from .fonts import register_fonts, th_size, thai_style
from .tables import Table, TableFlow
from .thaitext import ThaiCanvas, ThaiParagraph, baseline_offset, break_lines, draw_text, text_width

LETTER_SIZE = th_size(16)   # the regulation's 16 pt (TH Sarabun), in Sarabun points: see fonts.TH_POINT
PAGE_W, PAGE_H = A4
LEFT, RIGHT, TOP, BOTTOM = 3 * cm, 2 * cm, 2.5 * cm, 2 * cm
EMBLEM_TOP, EMBLEM_H = 1.5 * cm, 3 * cm
INDENT = 2.5 * cm           # the first line of a paragraph
TEXT_W = PAGE_W - LEFT - RIGHT
CENTRE = LEFT + TEXT_W / 2  # the emblem's centre line; the date and the closing start here


@dataclass
class Contact:
    """The section that issues the letter (ส่วนราชการเจ้าของเรื่อง) and how to reach it."""

    section: str
    phone: str = ""
    fax: str = ""
    email: str = ""


@dataclass
class Letter:
    unit: str                          # the issuing office as printed: สำนักงานเทศบาลเมืองกชค
    address: str                       # its address; "\n" starts a new line
    reference: str                     # ที่: ขก ๕๒๑๐๑/๑๒๓
    date: dt.date
    subject: str                       # เรื่อง
    to: str                            # เรียน
    body: Sequence[str | Table]        # paragraphs (first line indented) and tables, in reading order
    signer_name: str                   # printed in brackets under the room to sign
    signer_position: str               # "\n" for more lines: ปลัดเทศบาล ปฏิบัติราชการแทน\nนายกเทศมนตรีเมืองกชค
    contact: Contact | None = None
    refs: Sequence[str] = ()           # อ้างถึง (numbered when more than one)
    enclosures: Sequence[str] = ()     # สิ่งที่ส่งมาด้วย (numbered when more than one)
    emblem: bytes | None = None        # the unit's emblem (PNG or JPEG); None: an empty frame to stamp
    closing: str = "ขอแสดงความนับถือ"
    thai_digits: bool = True
    size: float = LETTER_SIZE


def check_emblem(data: bytes) -> None:
    """Raise a Thai :class:`Refusal` unless ``data`` is a PNG or JPEG image that can be drawn."""
    bad = Refusal("documents.emblem_not_image",
                  "ไฟล์ตราสัญลักษณ์ของหน่วยงานไม่ใช่รูปภาพที่ใช้ได้ กรุณาเลือกไฟล์รูปภาพตราหน่วยงานชนิด PNG หรือ JPEG "
                  "ใหม่ในข้อมูลหน่วยงาน หรือลบตราออกเพื่อพิมพ์กรอบว่างไว้ประทับตรา",
                  "The unit's emblem is not a PNG or JPEG image; choose another file or remove it.")
    if sniff(data) not in ("image/png", "image/jpeg"):
        raise bad
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            im.load()
            if im.width < 1 or im.height < 1:
                raise bad
    except Refusal:
        raise
    except Exception:  # noqa: BLE001 — any undecodable image gets the same plain answer
        raise bad from None


def _require(letter: Letter) -> None:
    for value, label in ((letter.unit, "ชื่อส่วนราชการเจ้าของหนังสือ"), (letter.subject, "เรื่อง"),
                         (letter.to, "คำขึ้นต้น (เรียน)"), (letter.signer_name, "ชื่อผู้ลงนาม"),
                         (letter.signer_position, "ตำแหน่งผู้ลงนาม")):
        if not (value or "").strip():
            raise Refusal("documents.letter_incomplete",
                          f"หนังสือยังไม่มี{label} กรุณากรอก{label}ก่อนพิมพ์หนังสือ",
                          f"The letter has no {label}.", label)


class _Letterhead(Flowable):
    """ที่ at the left, the unit's name and address as a block against the right margin. An address wraps at its
    spaces, between its parts (ตำบลบ้านฝึกหัด | อำเภอเมืองขอนแก่น | จังหวัดขอนแก่น), and inside a part only when the
    part is wider than the block on its own."""

    def __init__(self, reference: str, lines: Sequence[str], font: str, size: float) -> None:
        super().__init__()
        self.reference, self.font, self.size = reference, font, size
        self.leading = size * 1.3
        room = min(8 * cm, TEXT_W - text_width(reference, font, size) - 1 * cm)
        self.lines = [piece for line in lines for piece in break_lines(line, font, size, room, prefer_spaces=True)]
        self.block = max(text_width(line, font, size) for line in self.lines)

    def wrap(self, avail_width: float, avail_height: float):  # noqa: D401
        self.width, self.height = avail_width, len(self.lines) * self.leading
        return self.width, self.height

    def draw(self) -> None:
        top = self.height - baseline_offset(self.size, self.leading)
        draw_text(self.canv, 0, top, self.reference, self.font, self.size)
        x = self.width - self.block
        for i, line in enumerate(self.lines):
            draw_text(self.canv, x, top - i * self.leading, line, self.font, self.size)


class _Closing(Flowable):
    """ขอแสดงความนับถือ from the centre line, room to sign, (name) and position centred under it; and, when
    given, the issuing section's lines at the bottom left of the same page (below everything else)."""

    def __init__(self, closing: str, name: str, position: Sequence[str], contact: Sequence[str], font: str,
                 size: float, left: float) -> None:
        super().__init__()
        self.closing, self.name, self.position, self.contact = closing, name, list(position), list(contact)
        self.font, self.size, self.left = font, size, left
        self.leading = size * 1.3
        self.gap = 3 * self.leading  # room for the signature

    def _signature_height(self) -> float:
        return self.leading * (2 + len(self.position)) + self.gap

    def wrap(self, avail_width: float, avail_height: float):  # noqa: D401
        self.width = avail_width
        self.height = self._signature_height()
        if self.contact:
            self.height += self.leading * (1 + len(self.contact))
        return self.width, self.height

    def draw(self) -> None:
        canv, size, font, leading = self.canv, self.size, self.font, self.leading
        top = self.height - baseline_offset(size, leading)
        draw_text(canv, self.left, top, self.closing, font, size)
        centre = self.left + text_width(self.closing, font, size) / 2
        y = top - leading - self.gap
        for line in [f"({self.name})", *self.position]:
            draw_text(canv, centre, y, line, font, size, "center")
            y -= leading
        if self.contact:
            # at the foot of the frame: the last thing on the page, so nothing else is drawn below it
            _x0, y0 = canv.absolutePosition(0, 0)
            foot = BOTTOM - y0 + len(self.contact) * leading - baseline_offset(size, leading)
            for i, line in enumerate(self.contact):
                draw_text(canv, 0, foot - i * leading, line, font, size)


def _labelled(label: str, items: Sequence[str], style, size: float, gap: str = "  ") -> list[Flowable]:
    """เรื่อง/เรียน/อ้างถึง/สิ่งที่ส่งมาด้วย: the label, then each item with its lines aligned after the label."""
    font = style.fontName
    hang = text_width(label + gap, font, size)
    out = []
    for i, item in enumerate(items):
        s = style.clone(f"label{i}", leftIndent=hang, firstLineIndent=-hang if i == 0 else 0,
                        spaceBefore=style.spaceBefore if i == 0 else 0)
        out.append(ThaiParagraph((label + gap if i == 0 else "") + item, s))
    return out


def letter_pdf(letter: Letter) -> bytes:
    """The letter as PDF bytes. Raises a Thai :class:`Refusal` for an emblem that is not an image or a
    missing part (no subject, addressee or signer)."""
    _require(letter)
    if letter.emblem:
        check_emblem(letter.emblem)
    family = register_fonts()
    size = letter.size
    leading = size * 1.3
    th = thai_digits_prose if letter.thai_digits else str
    body = thai_style("letter", size, leading=leading)
    head = body.clone("head", spaceBefore=leading * 0.5)
    para = body.clone("para", firstLineIndent=INDENT, spaceBefore=leading * 0.35)

    first_top = EMBLEM_TOP + EMBLEM_H + 0.3 * cm
    first = Frame(LEFT, BOTTOM, TEXT_W, PAGE_H - first_top - BOTTOM, 0, 0, 0, 0, id="first")
    later = Frame(LEFT, BOTTOM, TEXT_W, PAGE_H - TOP - BOTTOM, 0, 0, 0, 0, id="later")

    def first_page(canv, _doc) -> None:
        _draw_emblem(canv, letter.emblem)

    def later_page(canv, doc) -> None:
        draw_text(canv, CENTRE, PAGE_H - 1.5 * cm - size * 0.3, th(f"- {doc.page} -"), family, size, "center")

    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=A4, title=letter.subject, creator="LGO Registry Desk",
                          leftMargin=LEFT, rightMargin=RIGHT, topMargin=TOP, bottomMargin=BOTTOM)
    doc.addPageTemplates([PageTemplate("first", [first], onPage=first_page),
                          PageTemplate("later", [later], onPage=later_page)])

    story: list[Flowable] = [NextPageTemplate("later")]
    story.append(_Letterhead(th(f"ที่ {letter.reference}"), [th(letter.unit), *th(letter.address).split("\n")],
                             family, size))
    story.append(ThaiParagraph(format_date_long(letter.date, digits="thai" if letter.thai_digits else "arabic"),
                               body.clone("date", leftIndent=CENTRE - LEFT, spaceBefore=leading * 0.3)))
    story += _labelled("เรื่อง", [th(letter.subject)], head, size)
    story += _labelled("เรียน", [th(letter.to)], head, size)
    for label, items in (("อ้างถึง", letter.refs), ("สิ่งที่ส่งมาด้วย", letter.enclosures)):
        items = [th(x) for x in items]
        if len(items) > 1:
            items = [th(f"{n}. ") + x for n, x in enumerate(items, start=1)]
        if items:
            story += _labelled(label, items, head, size)
    story.append(Spacer(1, leading * 0.3))
    for item in letter.body:
        if isinstance(item, Table):
            flow = TableFlow(item, letter.thai_digits, page_height=PAGE_H - TOP - BOTTOM)
            story += [Spacer(1, leading * 0.4), flow, Spacer(1, leading * 0.2)]
        else:
            for text in str(item).split("\n"):
                story.append(ThaiParagraph(th(text), para))
    contact = []
    if letter.contact is not None:
        c = letter.contact
        contact = [th(c.section)]
        contact += [th(f"โทร. {c.phone}")] if c.phone else []
        contact += [th(f"โทรสาร {c.fax}")] if c.fax else []
        contact += [f"ไปรษณีย์อิเล็กทรอนิกส์ {c.email}"] if c.email else []
    closing = _Closing(th(letter.closing), th(letter.signer_name), th(letter.signer_position).split("\n"), contact,
                       family, size, CENTRE - LEFT)
    # the signature never stands alone on a page: the last paragraph goes with it
    last = story.pop() if story and isinstance(story[-1], ThaiParagraph) else None
    story.append(KeepTogether(([last] if last else []) + [Spacer(1, leading * 0.6), closing]))
    doc.build(story, canvasmaker=ThaiCanvas)
    return buf.getvalue()


def _draw_emblem(canv, emblem: bytes | None) -> None:
    top = PAGE_H - EMBLEM_TOP
    if emblem:
        from reportlab.lib.utils import ImageReader

        image = ImageReader(io.BytesIO(emblem))
        w, h = image.getSize()
        width = EMBLEM_H * w / h
        canv.drawImage(image, CENTRE - width / 2, top - EMBLEM_H, width, EMBLEM_H, mask="auto")
    else:
        canv.saveState()
        canv.setStrokeGray(0.7)
        canv.setLineWidth(0.5)
        canv.setDash(2, 2)
        canv.rect(CENTRE - EMBLEM_H / 2, top - EMBLEM_H, EMBLEM_H, EMBLEM_H, stroke=1, fill=0)
        canv.restoreState()
