"""The unit's people as a Qt table model over the rows the register returns (the view only paints
what is visible, so thousands of rows stay smooth)."""
from __future__ import annotations

from app.cid import format_cid
from app.rules.entitlement import Relation
from app.store import PersonRow
from app.thai import format_date_short

from .i18n import tr
from .qt import QAbstractTableModel, QColor, QModelIndex, QPalette, QStyle, QStyledItemDelegate, Qt

GREEN = QColor("#1b7f3b")
GREY = QColor("#8a8a8a")


def relation_label(r: Relation) -> str:
    return {
        Relation.SELF: tr("ผู้มีสิทธิ", "Beneficiary"), Relation.FATHER: tr("บิดา", "Father"),
        Relation.MOTHER: tr("มารดา", "Mother"), Relation.SPOUSE: tr("คู่สมรส", "Spouse"),
        Relation.CHILD: tr("บุตร", "Child"),
    }[r]


class SelectionAwareDelegate(QStyledItemDelegate):
    """Coloured text (green "entitled") would vanish on the blue selection: selected rows use the
    palette's highlighted-text colour instead."""

    def initStyleOption(self, option, index) -> None:  # noqa: N802 — Qt's name
        super().initStyleOption(option, index)
        if option.state & QStyle.State_Selected:
            option.palette.setColor(QPalette.Text, option.palette.color(QPalette.HighlightedText))


class PeopleModel(QAbstractTableModel):
    COLUMNS = ("cid", "name_th", "name_en", "relation", "entitled")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[PersonRow] = []
        self.day = None  # the day "entitled" is about, when the officer chose one; None: today

    def set_rows(self, rows: list[PersonRow], day=None) -> None:
        self.beginResetModel()
        self.rows, self.day = rows, day
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 — Qt's name
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation != Qt.Horizontal or role != Qt.DisplayRole:
            return None
        entitled = (tr("สิทธิ ณ วันนี้", "Entitled today") if self.day is None else
                    tr(f"สิทธิ ณ {format_date_short(self.day)}", f"Entitled on {self.day.isoformat()}"))
        return (tr("เลขประจำตัวประชาชน", "Citizen ID"), tr("ชื่อ–นามสกุล", "Name (Thai)"),
                tr("ชื่อภาษาอังกฤษ", "Name (English)"), tr("ฐานะ", "As"), entitled)[section]

    def data(self, index: QModelIndex, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = self.COLUMNS[index.column()]
        if role == Qt.DisplayRole:
            if col == "cid":
                return format_cid(row.cid)
            if col == "relation":
                return relation_label(row.relation)
            if col == "entitled":
                return tr("มีสิทธิ", "Yes") if row.entitled else tr("ไม่มีสิทธิ", "No")
            return getattr(row, col)
        if role == Qt.ForegroundRole and col == "entitled":
            return GREEN if row.entitled else GREY
        if role == Qt.UserRole:
            return row
        return None

    def row_at(self, i: int) -> PersonRow | None:
        return self.rows[i] if 0 <= i < len(self.rows) else None
