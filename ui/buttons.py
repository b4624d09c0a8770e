"""The button row every dialog that asks something ends with: ยกเลิก, then its own accept action — the only
button Enter ever presses (the dialog's default; cancel is never a default, so Enter cannot close the dialog
while it checks or keeps what was typed)."""
from __future__ import annotations

from .i18n import tr
from .qt import QDialog, QHBoxLayout, QPushButton


def accept_row(dialog: QDialog, th: str, en: str, name: str) -> tuple[QHBoxLayout, QPushButton]:
    """(the row, its accept button). The caller connects the accept button to what it does."""
    accept = QPushButton(tr(th, en))
    accept.setObjectName(name)
    accept.setDefault(True)
    cancel = QPushButton(tr("ยกเลิก", "Cancel"))
    cancel.setAutoDefault(False)
    cancel.clicked.connect(dialog.reject)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(cancel)
    row.addWidget(accept)
    return row, accept
