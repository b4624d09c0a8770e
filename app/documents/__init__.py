"""Documents: Thai PDFs (ReportLab with HarfBuzz shaping and ICU word breaks) and Excel workbooks.

Everything a paper needs, importable from here (loaded on first use, so importing ``app.documents.request``
does not load ReportLab):

- ``Letter``, ``Contact``, ``letter_pdf(letter) -> bytes``, ``check_emblem(data)`` — the official letter
- ``Column``, ``Group``, ``Table``, ``TableDocument``, ``table_pdf(doc) -> bytes``, ``table_xlsx(doc) -> bytes``
  — tables in letters, long lists, and the same list as a workbook
- ``write_file(path, data) -> Path`` — whole or not at all, refusals in Thai
- ``th_size(points)`` — a size of the regulation (TH Sarabun points) in the bundled Sarabun's points
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # never run; names the modules for type checkers and for PyInstaller, which bundles
    # only what it sees imported (the lazy __getattr__ below it cannot see)
    from .files import write_file
    from .fonts import th_size
    from .letter import Contact, Letter, check_emblem, letter_pdf
    from .tables import Column, Group, Table, TableDocument, table_pdf, table_xlsx

_EXPORTS = {
    "Letter": "letter", "Contact": "letter", "letter_pdf": "letter", "check_emblem": "letter",
    "Column": "tables", "Group": "tables", "Table": "tables", "TableDocument": "tables",
    "table_pdf": "tables", "table_xlsx": "tables",
    "write_file": "files",
    "th_size": "fonts",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
