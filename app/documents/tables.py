"""Tables of Thai data, one column spec for the PDF and the Excel workbook.

A :class:`Table` is a list of :class:`Column` (title, kind, width) and rows of plain values; a row may be a
:class:`Group` (a beneficiary followed by their dependents), kept on one page when it fits. The same table
goes into an official letter (the officers of an account request), into a long list document
(:class:`TableDocument` → :func:`table_pdf`: header repeated on every page, rows never split,
«หน้า x / y», totals at the end) and into a workbook (:func:`table_xlsx`: Thai headers, real Excel dates
shown in the Buddhist era, citizen IDs as text, money as numbers with two decimals).

Kinds and what they take: ``text`` (str), ``cid`` (13 digits; printed 1-2345-67890-12-3, stored as text),
``date`` (``datetime.date`` or ``app.thai.PartialDate``; printed ๓๑ มกราคม ๒๕๖๙), ``money`` (Decimal, int or
str; 1,234.50), ``int``.
"""
from __future__ import annotations

import bisect
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Sequence

from reportlab.lib.units import cm
from reportlab.platypus import Flowable

from ..cid import format_cid
from ..thai import PartialDate, format_date_long, thai_digits_prose
from .fonts import register_fonts, th_size
from .thaitext import ThaiCanvas, baseline_offset, break_lines, draw_text, text_width

LIST_SIZE = th_size(15)   # the body of a list: 15 pt in the TH fonts' scale
KINDS = ("text", "cid", "date", "money", "int")
_ALIGN = {"text": "left", "cid": "center", "date": "center", "money": "right", "int": "right"}
XLSX_DATE_FORMAT = "[$-th-TH,107]d mmmm yyyy"   # Thai month names, Buddhist-era year (Excel's calendar 7)
XLSX_MONEY_FORMAT = "#,##0.00"
XLSX_INT_FORMAT = "#,##0"


@dataclass(frozen=True)
class Column:
    """One column: its Thai title, what kind of value it holds, its width in characters (Excel's unit; the
    PDF divides the page width in the same proportions), and an alignment when the kind's default won't do."""

    title: str
    kind: str = "text"
    width: float = 12
    align: str = ""  # "left" | "center" | "right"; empty: by kind (numbers right, IDs and dates centred)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column kind {self.kind!r} is not one of {KINDS}")

    @property
    def alignment(self) -> str:
        return self.align or _ALIGN[self.kind]


@dataclass
class Group:
    """A row and the rows that belong to it (a beneficiary and their dependents): indented under it, and on
    the same page as it unless the group alone is longer than a page."""

    head: Sequence
    members: Sequence[Sequence] = ()


@dataclass
class Table:
    columns: Sequence[Column]
    rows: Sequence[Sequence | Group]
    totals: Sequence | None = None  # a last row in bold (e.g. "รวม", …, the sum of a money column)
    size: float = LIST_SIZE         # points of Sarabun


@dataclass
class TableDocument:
    """A list document: a title block, then the table; portrait or landscape A4."""

    title: str
    table: Table
    subtitle: Sequence[str] = ()     # lines under the title: the unit, the date the list is as of, …
    landscape: bool = False
    thai_digits: bool = False        # lists print Arabic digits unless asked (letters print Thai ones)
    sheet: str = ""                  # the workbook's sheet name; the title, shortened, when empty
    after: Sequence[str | Table] = ()  # PDF only: paragraphs and smaller tables after the list (counts by
    #                                    type, an appendix, a confirmation block), each table with its own columns


# --- values ----------------------------------------------------------------------------------------------


def cell_text(column: Column, value, thai_digits: bool = False) -> str:
    """What a cell of ``column`` shows in print."""
    if value is None or value == "":
        return ""
    kind = column.kind
    if kind == "cid":
        text = format_cid(str(value))
    elif kind == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            text = format_date_long(value, digits="arabic")
        elif isinstance(value, PartialDate):
            text = format_date_long(value.earliest(), digits="arabic") if value.is_complete else value.format_th()
        else:
            text = str(value)
    elif kind == "money":
        text = f"{Decimal(str(value)):,.2f}"
    elif kind == "int":
        text = f"{int(value):,}"
    else:
        text = str(value)
    return thai_digits_prose(text) if thai_digits else text


def cell_value(column: Column, value):
    """What a workbook cell of ``column`` holds: real dates and numbers, IDs and text as text."""
    if value is None or value == "":
        return None
    kind = column.kind
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, PartialDate):
            return value.earliest() if value.is_complete else value.format_th()
        return value
    if kind == "money":
        return Decimal(str(value)).quantize(Decimal("0.01"))
    if kind == "int":
        return int(value)
    return str(value)


# --- PDF layout ------------------------------------------------------------------------------------------

_PAD_X = 3.0
_PAD_Y = 1.5


@dataclass
class _Entry:
    cells: list[list[str]]
    height: float
    member: bool = False   # a group's member: no page break before it
    shrink: dict[int, float] | None = None  # column → smaller size: a number or date never wraps, it shrinks


@dataclass
class _Layout:
    widths: list[float]
    header: _Entry
    entries: list[_Entry]
    totals: _Entry | None
    cum: list[float] = field(default_factory=list)       # cum[i]: height of entries[:i]
    breaks: list[int] = field(default_factory=list)      # indices a page may start at (not a group member)


class TableFlow(Flowable):
    """A :class:`Table` in a ReportLab story: splits between rows (between groups when it can), repeats the
    header row at the top of every page it continues on."""

    def __init__(self, table: Table, thai_digits: bool = False, page_height: float | None = None,
                 _layout: dict | None = None, _span: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.table = table
        self.thai_digits = thai_digits
        self.page_height = page_height  # the tallest frame it may land in; a longer group splits between rows
        self._layouts = _layout if _layout is not None else {}
        self._span = _span
        self.family = register_fonts()

    # layout, once per width
    def _layout(self, width: float) -> _Layout:
        key = round(width, 2)
        if key not in self._layouts:
            self._layouts[key] = self._make_layout(width)
        return self._layouts[key]

    def _make_layout(self, width: float) -> _Layout:
        t = self.table
        total = sum(c.width for c in t.columns)
        widths = [width * c.width / total for c in t.columns]
        size, leading = t.size, t.size * 1.3
        regular, bold = self.family, f"{self.family}-Bold"
        indent_col = next((i for i, c in enumerate(t.columns) if c.kind == "text"), None)

        def entry(values, font, member=False, header=False) -> _Entry:
            cells, shrink = [], None
            for i, (col, w) in enumerate(zip(t.columns, widths)):
                v = values[i] if i < len(values) else None
                text = v if header else cell_text(col, v, self.thai_digits)
                room = w - 2 * _PAD_X - (size if member and i == indent_col else 0)
                if not text:
                    cells.append([])
                elif header or col.kind == "text":
                    cells.append(break_lines(text, font, size, room, prefer_spaces=True))
                else:
                    cells.append([text])
                    wide = text_width(text, font, size)
                    if wide > room:
                        shrink = shrink or {}
                        shrink[i] = size * room / wide
            lines = max((len(c) for c in cells), default=1) or 1
            return _Entry(cells, lines * leading + 2 * _PAD_Y, member, shrink)

        header = entry([c.title for c in t.columns], bold, header=True)
        entries: list[_Entry] = []
        for row in t.rows:
            if isinstance(row, Group):
                entries.append(entry(row.head, regular))
                entries.extend(entry(m, regular, member=True) for m in row.members)
            else:
                entries.append(entry(row, regular))
        totals = entry(t.totals, bold) if t.totals is not None else None
        layout = _Layout(widths, header, entries, totals)
        acc = 0.0
        layout.cum.append(0.0)
        for i, e in enumerate(entries):
            if not e.member:
                layout.breaks.append(i)
            acc += e.height
            layout.cum.append(acc)
        layout.breaks.append(len(entries))
        return layout

    def _bounds(self, layout: _Layout) -> tuple[int, int]:
        return self._span or (0, len(layout.entries))

    def _height(self, layout: _Layout, start: int, end: int) -> float:
        h = layout.header.height + layout.cum[end] - layout.cum[start]
        if end == len(layout.entries) and layout.totals is not None:
            h += layout.totals.height
        return h

    def wrap(self, avail_width: float, avail_height: float):  # noqa: D401 — ReportLab's name
        layout = self._layout(avail_width)
        start, end = self._bounds(layout)
        self.width, self.height = avail_width, self._height(layout, start, end)
        self._drawn = layout
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float):
        layout = self._layout(avail_width)
        start, end = self._bounds(layout)
        if self._height(layout, start, end) <= avail_height:
            return [self]
        room = avail_height - layout.header.height + layout.cum[start]
        fit = bisect.bisect_right(layout.cum, room, lo=start, hi=end + 1) - 1   # rows start..fit fit
        if fit >= end:  # every row fits but not the totals: keep the last group with the totals
            fit = end - 1
        # the last page break at or before fit (a group starts there)
        b = bisect.bisect_right(layout.breaks, fit) - 1
        k = layout.breaks[b] if b >= 0 else start
        if k <= start:
            group_end = layout.breaks[bisect.bisect_right(layout.breaks, start)] if start < end else end
            group_h = layout.header.height + layout.cum[group_end] - layout.cum[start]
            if self.page_height is not None and group_h > self.page_height and fit > start:
                k = fit  # a group longer than a page: split it between rows
            else:
                return []
        return [TableFlow(self.table, self.thai_digits, self.page_height, self._layouts, (start, k)),
                TableFlow(self.table, self.thai_digits, self.page_height, self._layouts, (k, end))]

    def draw(self) -> None:
        layout = self._drawn
        start, end = self._bounds(layout)
        canv, t = self.canv, self.table
        size, leading = t.size, t.size * 1.3
        regular, bold = self.family, f"{self.family}-Bold"
        xs = [0.0]
        for w in layout.widths:
            xs.append(xs[-1] + w)
        top = self.height
        canv.saveState()
        canv.setLineWidth(0.5)
        # header
        canv.setFillGray(0.88)
        canv.rect(0, top - layout.header.height, xs[-1], layout.header.height, stroke=0, fill=1)
        canv.setFillGray(0)
        rules = [top]
        y = self._draw_entry(layout.header, top, xs, bold, size, leading, header=True)
        rules.append(y)
        indent_col = next((i for i, c in enumerate(t.columns) if c.kind == "text"), None)
        for e in layout.entries[start:end]:
            if not e.member and y not in rules:
                rules.append(y)
            y = self._draw_entry(e, y, xs, regular, size, leading, indent=(indent_col if e.member else None))
        if end == len(layout.entries) and layout.totals is not None:
            canv.setLineWidth(1.2)
            canv.line(0, y, xs[-1], y)
            canv.setLineWidth(0.5)
            y = self._draw_entry(layout.totals, y, xs, bold, size, leading)
        rules.append(y)
        for r in rules:
            canv.line(0, r, xs[-1], r)
        for x in xs:
            canv.line(x, top, x, y)
        canv.restoreState()

    def _draw_entry(self, e: _Entry, top: float, xs: list[float], font: str, size: float, leading: float,
                    header: bool = False, indent: int | None = None) -> float:
        base = top - _PAD_Y - baseline_offset(size, leading)
        for i, (col, lines) in enumerate(zip(self.table.columns, e.cells)):
            align = "center" if header else col.alignment
            left = xs[i] + _PAD_X + (size if i == indent else 0)
            if align == "center":
                x = (left + xs[i + 1] - _PAD_X) / 2
            elif align == "right":
                x = xs[i + 1] - _PAD_X
            else:
                x = left
            cell_size = e.shrink.get(i, size) if e.shrink else size
            for n, line in enumerate(lines):
                draw_text(self.canv, x, base - n * leading, line, font, cell_size, align)
        return top - e.height


# --- the list document as PDF ---------------------------------------------------------------------------


def table_pdf(doc: TableDocument) -> bytes:
    """The list as an A4 PDF: title block on the first page, the header row on every page, «หน้า x / y»."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Spacer

    from .fonts import thai_style
    from .thaitext import ThaiParagraph

    family = register_fonts()
    pagesize = landscape(A4) if doc.landscape else A4
    margin, bottom = 1.5 * cm, 2.0 * cm
    buf = io.BytesIO()
    frame = Frame(margin, bottom, pagesize[0] - 2 * margin, pagesize[1] - margin - bottom,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    template = BaseDocTemplate(buf, pagesize=pagesize, title=doc.title, creator="LGO Registry Desk",
                               leftMargin=margin, rightMargin=margin, topMargin=margin, bottomMargin=bottom)
    template.addPageTemplates([PageTemplate("page", [frame])])
    digits = thai_digits_prose if doc.thai_digits else str
    story = [ThaiParagraph(digits(doc.title), thai_style("title", th_size(20), bold=True, alignment=TA_CENTER))]
    for line in doc.subtitle:
        story.append(ThaiParagraph(digits(line), thai_style("subtitle", th_size(16), alignment=TA_CENTER)))
    story.append(Spacer(1, 8))
    page_height = pagesize[1] - margin - bottom
    story.append(TableFlow(doc.table, doc.thai_digits, page_height=page_height))
    text_style = thai_style("after", th_size(16), spaceBefore=th_size(16) * 0.6)
    for item in doc.after:
        if isinstance(item, Table):
            story += [Spacer(1, 10), TableFlow(item, doc.thai_digits, page_height=page_height)]
        else:
            story += [ThaiParagraph(digits(line), text_style) for line in str(item).split("\n")]
    footer_y = bottom / 2

    def decorate(canv, page: int, pages: int) -> None:
        text = digits(f"หน้า {page} / {pages}")
        draw_text(canv, pagesize[0] - margin, footer_y, text, family, th_size(14), "right")
        draw_text(canv, margin, footer_y, digits(doc.title), family, th_size(14), "left")

    template.build(story, canvasmaker=_paged_canvas(decorate))
    return buf.getvalue()


def _paged_canvas(decorate):
    """A canvas that draws every page's footer once the number of pages is known."""
    class PagedCanvas(ThaiCanvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 — ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                decorate(self, self._pageNumber, total)
                ThaiCanvas.showPage(self)
            ThaiCanvas.save(self)

    return PagedCanvas


# --- the list document as a workbook --------------------------------------------------------------------


def _sheet_name(text: str) -> str:
    cleaned = "".join(ch for ch in text if ch not in "[]:*?/\\").strip()
    return (cleaned or "รายการ")[:31]


def table_xlsx(doc: TableDocument) -> bytes:
    """The same list as an .xlsx: the title block, one header row (repeated when printed), the rows."""
    return tables_xlsx([doc])


def tables_xlsx(docs: Sequence[TableDocument]) -> bytes:
    """One workbook, one sheet per list, each as :func:`table_xlsx` writes its one (an audit ledger and its
    history)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for doc in docs:
        _sheet(wb, doc)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet(wb, doc: TableDocument) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    t = doc.table
    ws = wb.create_sheet(_sheet_name(doc.sheet or doc.title))
    for i, col in enumerate(t.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    header_row = 2 + len(doc.subtitle) + 1
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape" if doc.landscape else "portrait"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    def styled(value, **style):
        c = WriteOnlyCell(ws, value=value)
        for k, v in style.items():
            setattr(c, k, v)
        return c

    ws.append([styled(doc.title, font=Font(bold=True, size=16))])
    for line in doc.subtitle:
        ws.append([line])
    ws.append([])
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="E0E0E0")
    head_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.append([styled(c.title, font=head_font, fill=head_fill, alignment=head_align) for c in t.columns])

    formats = {"date": XLSX_DATE_FORMAT, "money": XLSX_MONEY_FORMAT, "int": XLSX_INT_FORMAT, "cid": "@"}
    indent_col = next((i for i, c in enumerate(t.columns) if c.kind == "text"), None)
    indented = Alignment(indent=2)
    bold = Font(bold=True)

    def cells(values, member=False, font=None):
        out = []
        for i, col in enumerate(t.columns):
            v = cell_value(col, values[i] if i < len(values) else None)
            fmt = formats.get(col.kind)
            if fmt is None and not (member and i == indent_col) and font is None:
                out.append(v)  # plain text: no style, the fastest cell to write
                continue
            c = WriteOnlyCell(ws, value=v)
            if fmt and not (col.kind == "date" and isinstance(v, str)):
                c.number_format = fmt
            if member and i == indent_col:
                c.alignment = indented
            if font is not None:
                c.font = font
            out.append(c)
        return out

    for row in t.rows:
        if isinstance(row, Group):
            ws.append(cells(row.head))
            for m in row.members:
                ws.append(cells(m, member=True))
        else:
            ws.append(cells(row))
    if t.totals is not None:
        ws.append(cells(t.totals, font=bold))
