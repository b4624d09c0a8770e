"""The registrar's confirmation round: the unit's statements (บัญชีรายชื่อผู้มีสิทธิ) as NHSO issued them, each
with its signature checked, what changed since the previous one, and the whole list; confirm with card and
PIN (offline too: the confirmation waits for the next sync)."""
from __future__ import annotations

import datetime as _dt
import html
from dataclasses import dataclass
from typing import Any, Callable

from app.cid import format_cid
from app.statements import Difference, Statement, counts_th, differences, previous_of, relation_th, type_th, verify
from app.thai import format_date_short
from app.usecases import Desk

from .changesets import master_detail
from .i18n import tr
from .qt import (
    QAbstractItemView, QAbstractTableModel, QColor, QHBoxLayout, QHeaderView, QLabel, QModelIndex, QPushButton,
    QSplitter, Qt, QTableView, QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget, Signal,
)
from .tasks import TaskRunner

SHOWN_DIFFERENCES = 300   # more than this: the first ones, and how many more (the whole list is below)


@dataclass
class Shown:
    statement: Statement
    signed: bool
    summary_html: str


def shown(statements: list[Statement], st: Statement, key: bytes | None) -> Shown:
    """On the worker: the statement checked and compared with the previous one."""
    previous = previous_of(statements, st)
    signed = key is not None and verify(st, key)
    return Shown(st, signed, summary_html(st, previous, signed, differences(previous, st)))


def summary_html(st: Statement, previous: Statement | None, signed: bool, diffs: list[Difference]) -> str:
    e = html.escape
    parts = [f"<h3>บัญชีรายชื่อผู้มีสิทธิ ณ วันที่ {format_date_short(st.as_of)}</h3>",
             f"<p>{e(counts_th(previous, st))}</p>"]
    parts.append("<p style='color:#15803d'>✓ ลายมือชื่อดิจิทัลของเซิร์ฟเวอร์กลางถูกต้อง: ข้อมูลตรงกับที่ สปสช. ออก</p>"
                 if signed else
                 "<p style='color:#b91c1c'><b>✗ ตรวจลายมือชื่อดิจิทัลไม่ผ่าน</b> บัญชีนี้อาจไม่ตรงกับที่ สปสช. ออก "
                 "ห้ามยืนยัน กรุณาซิงก์ขณะออนไลน์แล้วตรวจอีกครั้ง หรือแจ้ง สปสช.</p>")
    status = f"สถานะ: <b>{e(st.state_th)}</b>"
    if st.confirmed_at:
        status += f" เมื่อ {format_date_short(_dt.datetime.fromisoformat(st.confirmed_at).date())}"
    parts.append(f"<p>{status}</p>")
    if previous is None:
        parts.append("<p>เป็นบัญชีแรกของหน่วยงาน จึงไม่มีรายการเปรียบเทียบ</p>")
    elif not diffs:
        parts.append(f"<p>ไม่มีการเปลี่ยนแปลงจากบัญชี ณ วันที่ {format_date_short(previous.as_of)}</p>")
    else:
        parts.append(f"<p><b>เปลี่ยนแปลงจากบัญชี ณ วันที่ {format_date_short(previous.as_of)} "
                     f"{len(diffs):,} รายการ</b></p>")
        parts.append("<table cellspacing='0' cellpadding='3' border='1' style='border-collapse:collapse' width='100%'>"
                     "<tr style='background:#eef2f7'><th align='left'>การเปลี่ยนแปลง</th><th align='left'>ชื่อ</th>"
                     "<th align='left'>เลขประจำตัวประชาชน</th><th align='left'>ในฐานะ</th></tr>")
        colour = {"added": "#15803d", "removed": "#b91c1c", "changed": "#b45309"}
        for d in diffs[:SHOWN_DIFFERENCES]:
            parts.append(f"<tr><td style='color:{colour[d.change]}'><b>{e(d.change_th)}</b></td><td>{e(d.name)}</td>"
                         f"<td>{e(format_cid(d.cid))}</td><td>{e(d.detail_th)}</td></tr>")
        parts.append("</table>")
        if len(diffs) > SHOWN_DIFFERENCES:
            parts.append(f"<p>และอีก {len(diffs) - SHOWN_DIFFERENCES:,} รายการ (ดูรายชื่อทั้งหมดด้านล่าง)</p>")
    return "".join(parts)


class PeopleOfStatement(QAbstractTableModel):
    """Every line of the statement (tens of thousands stay smooth: the view asks only for what it shows)."""

    HEADERS = (("เลขประจำตัวประชาชน", "Citizen ID"), ("ชื่อ–นามสกุล", "Name"), ("ในฐานะ", "As"),
               ("ผ่าน", "Through"), ("ประเภทบุคลากร", "Personnel type"))

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, Any]] = []
        self.names: dict[str, str] = {}

    def set_lines(self, lines: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.lines = lines
        self.names = {x["cid"]: x["name"] for x in lines}
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return len(self.HEADERS)

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):  # noqa: N802
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return tr(*self.HEADERS[section])
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if role != Qt.DisplayRole or not index.isValid():
            return None
        x = self.lines[index.row()]
        via = x.get("via_cid") or ""
        return (format_cid(x["cid"]), x["name"], relation_th(x),
                "" if x["relation"] == "self" else (self.names.get(via) or format_cid(via)),
                type_th(x) if x["relation"] == "self" else "")[index.column()]


class StatementPanel(QWidget):
    """The list of statements on the left; the chosen one's check, differences and lines on the right."""

    loaded = Signal(int)
    shown_statement = Signal(str)    # the id shown

    def __init__(self, runner: TaskRunner, fetch: Callable[[Desk], tuple[list[Statement], bytes | None]]) -> None:
        super().__init__()
        self.runner = runner
        self.fetch = fetch          # a use case: (the statements held, the server's key), run on the worker
        self.desk: Desk | None = None
        self.statements: list[Statement] = []
        self.key: bytes | None = None
        self.current: Shown | None = None
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("statementList")
        self.table.setHorizontalHeaderLabels([tr("ณ วันที่", "As of"), tr("ผู้มีสิทธิ", "Staff"),
                                              tr("ผู้มีสิทธิร่วม", "Dependents"), tr("สถานะ", "State")])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setTabKeyNavigation(False)   # one Tab stop; the arrows move in it
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._chosen)
        self.empty = QLabel(tr("ยังไม่มีบัญชีรายชื่อจาก สปสช. (บัญชีจะมาเมื่อซิงก์หลัง สปสช. ออกบัญชีในรอบยืนยัน)",
                               "No statement from NHSO yet."))
        self.empty.setObjectName("muted")
        self.empty.setWordWrap(True)
        self.summary = QTextBrowser()
        self.summary.setObjectName("statementSummary")
        self.model = PeopleOfStatement()
        self.people = QTableView()
        self.people.setObjectName("statementPeople")
        self.people.setModel(self.model)
        self.people.verticalHeader().setVisible(False)
        self.people.setTabKeyNavigation(False)
        self.people.setWordWrap(False)          # a long name is cut at the column's edge, never at a word
        self.people.verticalHeader().setDefaultSectionSize(28)
        self.people.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.people.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((150, 220, 110, 200)):
            self.people.setColumnWidth(col, width)
        self.confirm_button = QPushButton(tr("ยืนยันบัญชีรายชื่อ (&C)…", "&Confirm the statement…"))
        self.confirm_button.setToolTip(tr("ยืนยันบัญชีรายชื่อที่เลือกด้วยบัตรและรหัส PIN (แป้นลัด Alt+C)",
                                          "Confirm the chosen statement with your card and PIN (Alt+C)"))
        self.confirm_button.setObjectName("confirmStatement")
        self.confirm_button.setEnabled(False)
        self.pdf_button = QPushButton(tr("พิมพ์/บันทึก &PDF…", "Print/save &PDF…"))
        self.pdf_button.setObjectName("statementPdf")
        self.pdf_button.setToolTip(tr("บันทึกบัญชีรายชื่อที่เลือกเป็น PDF เพื่อพิมพ์ (แป้นลัด Alt+P)",
                                      "Save the chosen statement as a PDF to print (Alt+P)"))
        self.xlsx_button = QPushButton(tr("ส่งออก &Excel…", "Export to &Excel…"))
        self.xlsx_button.setObjectName("statementXlsx")
        self.xlsx_button.setToolTip(tr("บันทึกบัญชีรายชื่อที่เลือกเป็นไฟล์ Excel (.xlsx) (แป้นลัด Alt+E)",
                                       "Save the chosen statement as an Excel workbook (Alt+E)"))
        for b in (self.pdf_button, self.xlsx_button):
            b.setEnabled(False)
        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        left.addWidget(self.empty)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.xlsx_button)
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        right_split = QSplitter(Qt.Vertical)
        right_split.addWidget(self.summary)
        right_split.addWidget(self.people)
        right_split.setSizes([360, 300])
        right = QVBoxLayout()
        right.addWidget(right_split, 1)
        right.addLayout(buttons)
        master_detail(self, left, right, (380, 860))

    def attach(self, desk: Desk) -> None:
        self.desk = desk
        self.reload()

    def reload(self) -> None:
        if self.desk is None:
            return
        desk, fetch = self.desk, self.fetch
        self.runner.run(lambda: fetch(desk), self._arrived, lambda _e: None)

    def _arrived(self, result: tuple[list[Statement], bytes | None]) -> None:
        chosen = self.current.statement.id if self.current else None
        self.statements, self.key = result
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.statements))
        for i, st in enumerate(self.statements):
            state = QTableWidgetItem(st.state_th)
            state.setForeground(QColor("#15803d" if st.confirmed_by else "#b45309"))
            cells = (format_date_short(st.as_of), f"{st.counts.get('beneficiaries', 0):,}",
                     f"{st.counts.get('dependents', 0):,}")
            for col, text in enumerate(cells):
                self.table.setItem(i, col, QTableWidgetItem(text))
            self.table.setItem(i, 3, state)
        self.empty.setVisible(not self.statements)
        again = [i for i, st in enumerate(self.statements) if st.id == chosen]
        if self.statements:
            self.table.selectRow(again[0] if again else 0)
        self.table.blockSignals(False)
        self._chosen()
        self.loaded.emit(len(self.statements))

    def selected(self) -> Statement | None:
        rows = [i.row() for i in self.table.selectionModel().selectedRows()]
        return self.statements[rows[0]] if len(rows) == 1 and rows[0] < len(self.statements) else None

    def _chosen(self) -> None:
        st = self.selected()
        self.confirm_button.setEnabled(False)
        self.pdf_button.setEnabled(False)
        self.xlsx_button.setEnabled(False)
        if st is None:
            self.summary.setHtml("")
            self.model.set_lines([])
            return
        statements, key = list(self.statements), self.key
        self.runner.run(lambda: shown(statements, st, key), self._show, lambda _e: None)

    def _show(self, result: Shown) -> None:
        if self.selected() is None or self.selected().id != result.statement.id:
            return
        self.current = result
        self.summary.setHtml(result.summary_html)
        self.model.set_lines(result.statement.people)
        st = result.statement
        self.confirm_button.setEnabled(result.signed and not st.confirmed_by and not st.confirm_queued)
        self.pdf_button.setEnabled(True)
        self.xlsx_button.setEnabled(True)
        self.shown_statement.emit(st.id)
