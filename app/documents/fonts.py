"""Sarabun for ReportLab: registered once, from the bundled files, never from the system."""
from __future__ import annotations

import threading

from ..paths import font_files

FAMILY = "Sarabun"

# The regulation's sizes (16 pt for a letter) are those of TH Sarabun PSK / TH Sarabun New, whose glyphs are
# small for their point size. The bundled Sarabun is drawn larger (its Thai consonants are 0.59 em tall):
# set at 16 pt it fills a 16 cm line with ~60 % of the words a 16-pt TH Sarabun letter holds. Measured on
# the full lines of the seeds' template letter (001, attachment 2): one TH point ≈ 0.64 Sarabun point.
TH_POINT = 0.64


def th_size(points: float) -> float:
    """The Sarabun size that looks like ``points`` of TH Sarabun (``th_size(16)`` is the letter body)."""
    return round(points * TH_POINT, 2)
_lock = threading.Lock()
_done = False


def register_fonts() -> str:
    """Register the four Sarabun faces and the family; returns the family name for styles."""
    global _done
    with _lock:
        if _done:
            return FAMILY
        from reportlab import rl_config
        from reportlab.lib.fonts import addMapping

        # page streams zlib-compressed only, not also ASCII85-encoded (ReportLab's 7-bit habit): a quarter
        # smaller and, without ReportLab's C accelerator, a fifth of the time of a long list
        rl_config.useA85 = 0
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


def thai_style(name: str = "body", size: float | None = None, bold: bool = False, **extra):
    """A shaped Sarabun paragraph style; by default the size of Thai official letters (16 pt TH Sarabun)."""
    size = th_size(16) if size is None else size
    from reportlab.lib.styles import ParagraphStyle

    family = register_fonts()
    extra.setdefault("leading", size * 1.35)
    return ParagraphStyle(name, fontName=f"{family}-Bold" if bold else family, fontSize=size, shaping=1, **extra)
