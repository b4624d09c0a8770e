"""Thai text for ReportLab: broken between words, shaped, and extractable in logical order.

ReportLab breaks Thai lines anywhere, so the text is cut at ICU's line-break opportunities (its Thai
dictionary knows where words end) — except inside a word of a larger word list (app.documents.words:
ICU cuts เจ้า|หน้าที่, หลัก|ฐาน, ขอรับ|รอง) — and lines are filled greedily by measured width. Every line is then
shaped with HarfBuzz (tone marks and vowels placed by the font's rules; ญ and ฐ lose their tails over a
lower vowel) and drawn by :func:`draw_text`, the one place text reaches a page. Shaping swaps some
characters for glyphs with no Unicode value of their own (a lowered tone mark, ำ taken apart), which a
PDF reader would copy out as garbage; so each shaped line carries its logical text as ``/ActualText``,
and copy, search and ``pdftotext`` give back exactly the string that was typed.
"""
from __future__ import annotations

import functools
import re
import threading
from typing import Iterable

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.ttfonts import shapeStr
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

_local = threading.local()
_SPACED = re.compile(r"\S+\s*|\s+")
_THAI_LETTER = re.compile("[\u0e01-\u0e2e]")
_THAI_WORD = re.compile("[\u0e01-\u0e2e\u0e40-\u0e44]")   # a consonant or a leading vowel (เ แ โ ใ ไ)
# Prefixes that make a word of the word after them and never end a line on their own: นัก|ทรัพยากรบุคคล,
# เจ้า|พนักงานธุรการ, ผู้|อำนวยการกองคลัง.
BOUND = frozenset({"นัก", "ผู้", "เจ้า"})
# Conjunctions go to the next line with the word they join (นักวิชาการเงิน | และบัญชี, never …และ | บัญชี).
JOINING = frozenset({"และ", "หรือ"})


@functools.lru_cache(maxsize=1)
def _icu():
    import icu  # pyicu-wheels bundles ICU with its Thai dictionary (Linux and Windows)

    return icu


def _iterator(kind: str):
    """One ICU break iterator of each kind per thread (making one costs far more than using it)."""
    it = getattr(_local, kind, None)
    if it is None:
        icu = _icu()
        make = {"line": icu.BreakIterator.createLineInstance,
                "char": icu.BreakIterator.createCharacterInstance}[kind]
        it = make(icu.Locale("th"))
        setattr(_local, kind, it)
    return it


def _split(text: str, iterator) -> list[str]:
    iterator.setText(text)
    out, start = [], iterator.first()
    for end in iterator:
        out.append(text[start:end])
        start = end
    return out


def icu_segments(text: str) -> list[str]:
    """Pieces between ICU line-break opportunities (trailing spaces stay with their piece)."""
    return _split(text, _iterator("line"))


def _bonds(text: str, whole: bool = True) -> dict[int, int]:
    """Each of ICU's breaks inside ``text`` → the length of the longest known word (:mod:`.words`) standing across
    it, wherever that word starts (0: a free break). A prefix that never ends a line (:data:`BOUND`: นัก, ผู้, เจ้า)
    where a word starts, and a conjunction (:data:`JOINING`: และ, หรือ), hold on to the word after them harder than
    any word holds together (they let go last). ``whole=False``: a word that is the whole of ``text`` does not count
    (the text is being opened because it is too long to keep whole)."""
    from .words import LONGEST, known

    pieces, words = icu_segments(text), known()
    bonds, pos = {}, 0
    for piece in pieces[:-1]:
        pos += len(piece)
        bonds[pos] = 0
    if not bonds:
        return bonds
    starts, pos = [], 0
    for g in _graphemes(text):
        starts.append(pos)
        pos += len(g)
    ends = set(starts[1:]) | {len(text)}
    longest_at: dict[int, int] = {}
    for start in starts:
        for end in range(start + 2, min(len(text), start + LONGEST) + 1):
            if end in ends and text[start:end] in words and (whole or end - start < len(text)):
                longest_at[start] = end - start
                for cut in bonds:
                    if start < cut < end and bonds[cut] < end - start:
                        bonds[cut] = end - start
    pos = 0
    for piece, after in zip(pieces, pieces[1:]):
        cut = pos + len(piece)
        if ((piece in JOINING or piece in BOUND and (pos == 0 or text[pos - 1].isspace()))
                and _THAI_WORD.match(after)):
            bonds[cut] = LONGEST + len(piece) + max(longest_at.get(cut, 0), len(after.rstrip()))
        pos = cut
    return bonds


def _cut(text: str, cuts: Iterable[int]) -> list[str]:
    out, begin = [], 0
    for cut in sorted(cuts):
        out.append(text[begin:cut])
        begin = cut
    out.append(text[begin:])
    return out


def segments(text: str) -> list[str]:
    """Pieces a line may end after: ICU's, except that no line ends inside a known word (:mod:`.words`)
    wherever it stands, even across ICU's own pieces: เจ้า|หน้าที่ → เจ้าหน้าที่, and ข้าพเจ้าขอรับ|รอง, which ICU
    cuts inside รับรอง, keeps ขอรับรอง together."""
    return _cut(text, [cut for cut, bond in _bonds(text).items() if bond == 0])


def _graphemes(text: str) -> list[str]:
    """User-perceived characters: a consonant with its vowel and tone marks stays whole."""
    return _split(text, _iterator("char"))


def _pieces(para: str, font: str, size: float, width: float, prefer_spaces: bool) -> list[str]:
    if prefer_spaces:
        out: list[str] = []
        for token in _SPACED.findall(para):
            out.extend([token] if text_width(token.rstrip(), font, size) <= width else _fitting(token, font, size, width))
        return out
    return _fitting(para, font, size, width)


def _fitting(text: str, font: str, size: float, width: float) -> list[str]:
    """The words of ``text``; a run wider than the whole line is opened at its weakest breaks first — those only
    the shortest words stand across (บุคลากร|องค์กร, where «กรอง» only happens to be spelt, before anything
    inside องค์กรปกครองส่วนท้องถิ่น) — until every part fits. A run that is one compound too long for the line
    opens between its own words (นักทรัพยากร|บุคคล, นักวิชาการเงิน|และบัญชี)."""
    def fits(part: str) -> bool:
        return text_width(part.rstrip(), font, size) <= width

    out: list[str] = []
    for run in segments(text):
        if fits(run):
            out.append(run)
            continue
        bonds = _bonds(run, whole=False)
        for strength in sorted(set(bonds.values())):
            parts = _cut(run, [cut for cut, bond in bonds.items() if bond <= strength])
            if all(fits(p) for p in parts):
                break
        out.extend(parts if bonds else [run])
    return out


def break_lines(text: str, font: str, size: float, width: float, first_width: float | None = None,
                prefer_spaces: bool = False) -> list[str]:
    r"""Lines no wider than ``width`` points (the very first one ``first_width``, for an indent), broken
    between words; a word wider than a line is cut between characters (never between a letter and its
    marks). ``\n`` starts a new line. ``prefer_spaces`` (table cells: names, positions) breaks at spaces,
    and between the words of a part only when that part is wider than the line on its own
    (นางสาวนภัสสร | ภู่ทอง, never นางสาวนภัสสร ภู่ | ทอง)."""
    lines: list[str] = []
    limit = width if first_width is None else first_width
    for para in text.split("\n"):
        if text_width(para, font, size) <= limit:  # the common case in table cells: nothing to break
            lines.append(para.rstrip())
            limit = width
            continue
        line = ""
        for seg in _pieces(para, font, size, width, prefer_spaces):
            candidate = line + seg
            if not line.strip() or text_width(candidate.rstrip(), font, size) <= limit:
                line = candidate
            else:
                lines.append(line.rstrip())
                limit = width
                line = seg
            while text_width(line.rstrip(), font, size) > limit and len(_graphemes(line.rstrip())) > 1:
                head = ""
                for g in _graphemes(line):
                    if text_width(head + g, font, size) > limit and head:
                        break
                    head += g
                if not _THAI_LETTER.search(head):  # an address or a number: after its @ . / - _ if it can
                    cut = max(head.rfind(c) for c in "@./-_")
                    head = head[:cut + 1] if cut > 0 else head
                lines.append(head)
                limit = width
                line = line[len(head):]
        lines.append(line.rstrip())
        limit = width
    return lines


@functools.lru_cache(maxsize=8)
def _advances(font: str) -> tuple[dict, float]:
    from reportlab.pdfbase.pdfmetrics import getFont

    face = getFont(font).face
    return face.charWidths, face.defaultWidth


@functools.lru_cache(maxsize=65536)
def text_width(text: str, font: str, size: float) -> float:
    """The advance width of ``text`` in points (what ReportLab's ``stringWidth`` says, faster)."""
    widths, default = _advances(font)
    get = widths.get
    return sum(get(ord(ch), default) for ch in text) * size / 1000


# Above and below vowels, ำ, tone marks and the other marks: the only characters HarfBuzz moves or swaps in
# Thai (ญ and ฐ lose their tails only over a lower vowel). A line without any is drawn as it is.
_MARKS = re.compile("[\u0e31\u0e33-\u0e3a\u0e47-\u0e4e]")


@functools.lru_cache(maxsize=65536)
def _shaped_word(word: str, font: str, size: float) -> str:
    return shapeStr(word, font, size, force=True)


def shaped(text: str, font: str, size: float) -> str:
    """``text`` shaped by HarfBuzz for drawing in ``font`` at ``size`` (a ReportLab ``ShapedStr``), or the
    text itself when it has no mark to place. Shaped a space-separated word at a time (words repeat far more
    than lines do: names, positions, relations), the way ReportLab joins shaped words itself."""
    if not _MARKS.search(text):
        return text
    space = _shaped_word(" ", font, size)
    pieces = []
    for i, word in enumerate(text.split(" ")):
        if i:
            pieces.append(space)
        if word:
            pieces.append(_shaped_word(word, font, size))
    out = pieces[0]
    for piece in pieces[1:]:
        out = out + piece
    return out


def _actual_text(text: str) -> str:
    return "/Span <</ActualText <FEFF" + text.encode("utf-16-be").hex().upper() + ">>> BDC"


def draw_text(canv, x: float, y: float, text: str, font: str, size: float, align: str = "left") -> float:
    """Draw one line of Thai (or any) text with its baseline at ``y``, starting at ``x`` (``align="left"``),
    centred on it (``"center"``) or ending at it (``"right"``). Shaped, and copied out in logical order.
    Returns the width drawn."""
    if not text:
        return 0.0
    width = text_width(text, font, size)
    if align == "center":
        x -= width / 2
    elif align == "right":
        x -= width
    glyphs = shaped(text, font, size)
    if canv._fontname != font or canv._fontsize != size:
        canv.setFont(font, size)
    if glyphs is text:
        canv.drawString(x, y, text)
    else:
        canv.addLiteral(_actual_text(text))
        canv.drawString(x, y, glyphs)
        canv.addLiteral("EMC")
    return width


class ThaiCanvas(Canvas):
    """A canvas whose starting font is Sarabun: a PDF that names Helvetica (ReportLab's default, never
    embedded) would list a font the reader's machine has to substitute."""

    def __init__(self, *args, **kwargs) -> None:
        from .fonts import register_fonts

        if kwargs.get("initialFontName") is None:  # platypus passes None explicitly
            kwargs["initialFontName"] = register_fonts()
        if kwargs.get("initialFontSize") is None:
            kwargs["initialFontSize"] = 10
        super().__init__(*args, **kwargs)


def baseline_offset(size: float, leading: float) -> float:
    """From the top of a line box to its baseline: Sarabun's marks reach ~1.07 em above the baseline and
    ~0.23 em below, so the glyphs sit in the middle of the leading."""
    return (leading - 1.3 * size) / 2 + 1.07 * size


class ThaiParagraph(Flowable):
    """A plain-text paragraph (no markup) laid out with Thai word breaks and shaping.

    The style's ``leftIndent``/``rightIndent``/``firstLineIndent`` (negative for a hanging label such as
    «เรื่อง»), ``alignment`` (left, centre, right), ``leading``, ``spaceBefore``/``spaceAfter`` are honoured.
    """

    def __init__(self, text: str, style: ParagraphStyle, lines: list[str] | None = None,
                 first: bool = True) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self._fixed_lines = lines
        self._first = first  # this piece holds the paragraph's first line (gets the first-line indent)
        self.lines: list[str] = []

    def _usable(self, avail_width: float) -> float:
        return avail_width - self.style.leftIndent - self.style.rightIndent

    def wrap(self, avail_width: float, avail_height: float):  # noqa: D401 — ReportLab's name
        usable = self._usable(avail_width)
        if self._fixed_lines is not None:
            self.lines = self._fixed_lines
        else:
            self.lines = break_lines(self.text, self.style.fontName, self.style.fontSize, usable,
                                     usable - self.style.firstLineIndent)
        self.width = avail_width
        self.height = len(self.lines) * self.style.leading
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float):
        self.wrap(avail_width, avail_height)
        fit = int((avail_height - self.style.spaceBefore) // self.style.leading)
        if fit <= 0 or fit >= len(self.lines):
            return [] if fit <= 0 else [self]
        first = ThaiParagraph(self.text, self.style, self.lines[:fit], first=self._first)
        rest = ThaiParagraph(self.text, self.style, self.lines[fit:], first=False)
        return [first, rest]

    def draw(self) -> None:
        s = self.style
        top = self.height - baseline_offset(s.fontSize, s.leading)
        for i, line in enumerate(self.lines):
            indent = s.leftIndent + (s.firstLineIndent if i == 0 and self._first else 0)
            y = top - i * s.leading
            if s.alignment == TA_CENTER:
                x, align = (indent + self.width - s.rightIndent) / 2, "center"
            elif s.alignment == TA_RIGHT:
                x, align = self.width - s.rightIndent, "right"
            else:
                x, align = indent, "left"
            draw_text(self.canv, x, y, line, s.fontName, s.fontSize, align)

    def getSpaceBefore(self) -> float:  # noqa: N802
        return self.style.spaceBefore

    def getSpaceAfter(self) -> float:  # noqa: N802
        return self.style.spaceAfter
