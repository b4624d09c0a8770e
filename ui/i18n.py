"""Thai first, English second: every string of the program is written as ``tr("ไทย", "English")``."""
from __future__ import annotations

_lang = "th"


def set_language(lang: str) -> None:
    global _lang
    _lang = "en" if lang == "en" else "th"


def language() -> str:
    return _lang


def tr(th: str, en: str) -> str:
    return en if _lang == "en" else th
