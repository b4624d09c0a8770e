"""Sarabun for ReportLab: registered once, from the bundled files, never from the system."""
from __future__ import annotations

import threading

from ..paths import font_files

FAMILY = "Sarabun"
_lock = threading.Lock()
_done = False


def register_fonts() -> str:
    """Register the four Sarabun faces and the family; returns the family name for styles."""
    global _done
    with _lock:
        if _done:
            return FAMILY
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        names = {"regular": FAMILY, "bold": f"{FAMILY}-Bold", "italic": f"{FAMILY}-Italic",
                 "bolditalic": f"{FAMILY}-BoldItalic"}
        for style, path in font_files().items():
            pdfmetrics.registerFont(TTFont(names[style], str(path)))
        addMapping(FAMILY, 0, 0, names["regular"])
        addMapping(FAMILY, 1, 0, names["bold"])
        addMapping(FAMILY, 0, 1, names["italic"])
        addMapping(FAMILY, 1, 1, names["bolditalic"])
        _done = True
    return FAMILY


def thai_style(name: str = "body", size: float = 16, bold: bool = False, **extra):
    """A shaped Sarabun paragraph style; 16 pt is the size of Thai official letters."""
    from reportlab.lib.styles import ParagraphStyle

    family = register_fonts()
    return ParagraphStyle(name, fontName=f"{family}-Bold" if bold else family, fontSize=size,
                          leading=size * 1.35, shaping=1, **extra)
