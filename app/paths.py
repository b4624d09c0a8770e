"""Where the program's own files are: the source tree, or the folder a frozen build unpacks to."""
from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"


def font_files() -> dict[str, Path]:
    """The bundled Sarabun faces by style: regular, bold, italic, bolditalic."""
    folder = resources_dir() / "fonts"
    return {
        "regular": folder / "Sarabun-Regular.ttf",
        "bold": folder / "Sarabun-Bold.ttf",
        "italic": folder / "Sarabun-Italic.ttf",
        "bolditalic": folder / "Sarabun-BoldItalic.ttf",
    }
