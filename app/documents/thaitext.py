"""Thai paragraphs for ReportLab that break between words, not inside them.

ReportLab shapes Thai only through ``Paragraph`` with shaping on, and breaks Thai lines anywhere.
So the text is cut at ICU's line-break opportunities (its Thai dictionary knows where words end),
lines are filled greedily by measured width, and each layout pass builds a fresh shaped Paragraph
with explicit ``<br/>`` (a shaped paragraph re-wrapped twice can lose glyphs).
"""
from __future__ import annotations

import functools
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph


@functools.lru_cache(maxsize=1)
def _icu():
    import icu  # pyicu-wheels bundles ICU with its Thai dictionary (Linux and Windows)

    return icu


def _split(text: str, iterator) -> list[str]:
    iterator.setText(text)
    out, start = [], iterator.first()
    for end in iterator:
        out.append(text[start:end])
        start = end
    return out


def segments(text: str) -> list[str]:
    """Pieces between ICU line-break opportunities (trailing spaces stay with their piece)."""
    icu = _icu()
    return _split(text, icu.BreakIterator.createLineInstance(icu.Locale("th")))


def _graphemes(text: str) -> list[str]:
    """User-perceived characters: a consonant with its vowel and tone marks stays whole."""
    icu = _icu()
    return _split(text, icu.BreakIterator.createCharacterInstance(icu.Locale("th")))


def break_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines no wider than ``width`` points, broken between words; a word wider than a line is cut
    between characters (never between a letter and its marks)."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for seg in segments(para):
            candidate = line + seg
            if stringWidth(candidate.rstrip(), font, size) <= width or not line.strip():
                line = candidate
            else:
                lines.append(line.rstrip())
                line = seg
            while stringWidth(line.rstrip(), font, size) > width and len(_graphemes(line.rstrip())) > 1:
                head = ""
                for g in _graphemes(line):
                    if stringWidth(head + g, font, size) > width and head:
                        break
                    head += g
                lines.append(head)
                line = line[len(head):]
        lines.append(line.rstrip())
    return lines


class ThaiParagraph(Flowable):
    """A plain-text paragraph (no markup) laid out with Thai word breaks and shaping."""

    def __init__(self, text: str, style: ParagraphStyle, lines: list[str] | None = None) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self._fixed_lines = lines
        self._para: Paragraph | None = None
        self.lines: list[str] = []

    def _usable(self, avail_width: float) -> float:
        return avail_width - self.style.leftIndent - self.style.rightIndent

    def wrap(self, avail_width: float, avail_height: float):  # noqa: D401 — ReportLab's name
        self.lines = self._fixed_lines or break_lines(self.text, self.style.fontName, self.style.fontSize,
                                                      self._usable(avail_width))
        markup = "<br/>".join(escape(line) for line in self.lines)
        self._para = Paragraph(markup, self.style)  # fresh each pass: never re-wrap a shaped paragraph
        return self._para.wrap(avail_width, avail_height)

    def split(self, avail_width: float, avail_height: float):
        self.wrap(avail_width, avail_height)
        fit = int((avail_height - self.style.spaceBefore) // self.style.leading)
        if fit <= 0 or fit >= len(self.lines):
            return [] if fit <= 0 else [self]
        first = ThaiParagraph(self.text, self.style, self.lines[:fit])
        rest = ThaiParagraph(self.text, self.style, self.lines[fit:])
        return [first, rest]

    def draw(self) -> None:
        self._para.drawOn(self.canv, 0, 0)

    def getSpaceBefore(self) -> float:  # noqa: N802
        return self.style.spaceBefore

    def getSpaceAfter(self) -> float:  # noqa: N802
        return self.style.spaceAfter
