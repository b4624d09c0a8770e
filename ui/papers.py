"""Where a paper goes: the one save dialog for every PDF and Excel file the desk writes (a statement, a report, a
certificate and its register, a claim form, a repayment receipt, a list of claims)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from .i18n import tr
from .qt import QFileDialog, QWidget

KINDS = {"pdf": ("เอกสาร PDF (*.pdf)", "PDF documents (*.pdf)"),
         "xlsx": ("สมุดงาน Excel (*.xlsx)", "Excel workbooks (*.xlsx)"),
         "zip": ("ชุดหลักฐาน (*.zip)", "Audit packages (*.zip)")}


def save_dialog(parent: QWidget | None, title: str, suggested: Path | str, kind: str, name: str,
                chosen: Callable[[str], None]) -> QFileDialog:
    """Opened (not modal) to save a ``kind`` ("pdf" or "xlsx") file, ``suggested`` as its path; ``chosen`` gets the
    path picked. ``name`` is the dialog's object name (tests and the demo find it by it)."""
    dialog = QFileDialog(parent, title, str(suggested), tr(*KINDS[kind]))
    dialog.setObjectName(name)
    dialog.setAcceptMode(QFileDialog.AcceptSave)
    dialog.setFileMode(QFileDialog.AnyFile)
    dialog.setDefaultSuffix(kind)
    dialog.fileSelected.connect(chosen)
    dialog.open()
    return dialog
