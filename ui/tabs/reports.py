"""The registrar's and registry officers' reports (รายงาน): choose a report of app.usecases.reports.REPORTS, its
parameters, see it on screen (a tree: each beneficiary with their dependents, each section with its lines;
sortable by any column), and save it as PDF or Excel — the very document shown, typeset and written on a thread
of its own (app.documents.write_file: whole or not at all, refusals in Thai). The report itself is built on the
database worker; the GUI thread never waits, a busy bar shows while it runs."""
from __future__ import annotations

import datetime as _dt
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.thai import ThaiDateError, format_date_short, parse_date_short
from app.usecases import Changed, Desk

from ..i18n import tr
from ..main_window import shortcut_tip
from ..papers import save_dialog
from ..qt import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar,
    QPushButton, QSpinBox, Qt, QVBoxLayout, QWidget, Signal,
)
from ..tasks import TaskRunner
from .host import Host

PRINTED = "พิมพ์เมื่อ"     # the subtitle line that says who printed a report and when (app.usecases.reports)
LONG = 30                 # a cell longer than this is said in full under the result when its line is chosen



@dataclass
class Shown:
    """A report made on the worker: the document (for the paper) and what the screen shows of it."""

    key: str
    values: dict[str, Any]
    document: Any                       # app.documents.TableDocument
    headers: list[str]
    kinds: list[str]
    rows: list[tuple[list[str], list[Any], list[tuple[list[str], list[Any]]]]]   # (texts, sort keys, members)
    summary: str
    count: int


def _sort_key(kind: str, value: Any) -> str:
    """One comparable string per cell: numbers padded, dates ISO, Thai text in dictionary order."""
    from app.thai import sort_key

    if value is None or value == "":
        return ""
    if kind in ("int", "money"):
        return f"{float(value) + 1e12:024.4f}"
    if kind == "date":
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    if kind == "cid":
        return str(value)
    return sort_key(str(value)).hex()


def make(desk: Desk, key: str, values: dict[str, Any]) -> Shown:
    """On the database worker: the report's document and its cells as the screen shows them."""
    from app.documents.tables import Group, Table, cell_text
    from app.usecases.reports import report

    doc = report(key).run(desk, values)
    cols = list(doc.table.columns)

    def line(values_: Any) -> tuple[list[str], list[Any]]:
        vals = [values_[i] if i < len(values_) else None for i in range(len(cols))]
        return [cell_text(c, v) for c, v in zip(cols, vals)], [_sort_key(c.kind, v) for c, v in zip(cols, vals)]

    rows, count = [], 0
    for row in doc.table.rows:
        if isinstance(row, Group):
            members = [line(m) for m in row.members]
            rows.append((*line(row.head), members))
            count += 1 + len(members)
        else:
            rows.append((*line(row), []))
            count += 1
    summary = [line for line in doc.subtitle if not line.startswith(PRINTED)]   # who printed it: paper only
    for item in doc.after:      # a counts table: a line per heading, its items on it («คู่สมรส 59 · บุตร 50 คน»)
        if isinstance(item, Table):
            heading, parts = "", []
            for r in [*item.rows, ["", None]]:
                if r[1] is None:
                    if heading and parts:
                        summary.append(f"{heading}: {' · '.join(parts)} คน")
                    heading, parts = str(r[0]).strip(), []
                else:
                    parts.append(f"{str(r[0]).strip()} {r[1]:,}")
    return Shown(key, values, doc, [c.title for c in cols], [c.kind for c in cols], rows, "\n".join(summary), count)


def _log(what: str, error: BaseException) -> None:
    """An unexpected failure in the log: its kind and where, never its message (it may name a person)."""
    import traceback

    where = "".join(traceback.format_tb(error.__traceback__))
    logging.getLogger(__name__).error("%s: %s\n%s", what, type(error).__name__, where)


class ReportsTab(QWidget):
    title = ("รายงาน", "Reports")

    shown = Signal(str)           # the key of the report now on screen
    written = Signal(str)         # the path of a paper saved

    def __init__(self, host: Host) -> None:
        super().__init__()
        from app.usecases.reports import DEFAULT_DAYS, REPORTS

        self.host = host
        self.runner = host.runner
        self.desk: Desk | None = None
        self.current: Shown | None = None
        self.reports = list(REPORTS)
        self._papers: TaskRunner | None = None
        self.folder = str(Path.home())
        self.setObjectName("reports")

        self.choice = QComboBox()
        self.choice.setObjectName("reportChoice")
        for r in self.reports:
            self.choice.addItem(tr(r.th, r.en), r.key)
            self.choice.setItemData(self.choice.count() - 1, r.about_th, Qt.ToolTipRole)
        choose = QLabel(tr("รายงาน (&O):", "Rep&ort:"))
        choose.setBuddy(self.choice)
        self.choice.setToolTip(tr("เลือกรายงาน (แป้นลัด Alt+O)", "Choose a report (Alt+O)"))

        today = host.today
        self.date = self._date_edit(today, "reportDate")
        self.date_label = QLabel(tr("ณ วันที่ (&D):", "As of (&D):"))
        self.date_label.setBuddy(self.date)
        self.start = self._date_edit(today.replace(day=1), "reportStart")
        self.start_label = QLabel(tr("ตั้งแต่ (&F):", "&From:"))
        self.start_label.setBuddy(self.start)
        self.end = self._date_edit(today, "reportEnd")
        self.end_label = QLabel(tr("ถึง (&T):", "&To:"))
        self.end_label.setBuddy(self.end)
        self.days = QSpinBox()
        self.days.setObjectName("reportDays")
        self.days.setRange(1, 3650)
        self.days.setValue(DEFAULT_DAYS)
        self.days.setSuffix(tr(" วัน", " days"))
        self.days.setToolTip(tr("ดูล่วงหน้ากี่วันนับจากวันนี้", "How many days ahead of today"))
        self.days_label = QLabel(tr("ภายใน (&W):", "&Within:"))
        self.days_label.setBuddy(self.days)

        self.run_button = QPushButton(tr("แสดงรายงาน (&G)", "&Go"))
        self.run_button.setObjectName("runReport")
        self.run_button.setToolTip(shortcut_tip(tr("ทำรายงานตามที่เลือกแล้วแสดงด้านล่าง", "Make the chosen report"),
                                                "Alt+G, Enter"))
        self.run_button.clicked.connect(self.run)
        self.busy = QProgressBar()
        self.busy.setObjectName("reportBusy")
        self.busy.setRange(0, 0)          # busy: how long is not known
        self.busy.setMaximumWidth(140)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)

        top = QHBoxLayout()
        top.addWidget(choose)
        top.addWidget(self.choice, 1)
        for label, field in ((self.date_label, self.date), (self.days_label, self.days),
                             (self.start_label, self.start), (self.end_label, self.end)):
            top.addWidget(label)
            top.addWidget(field)
        top.addWidget(self.run_button)
        top.addWidget(self.busy)

        from ..qt import QStandardItemModel, QTreeView
        self.model = QStandardItemModel(self)
        self.model.setSortRole(Qt.UserRole)     # each cell's sort key: numbers as numbers, Thai in dictionary order
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setObjectName("reportResult")
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.tree.setUniformRowHeights(True)
        self.tree.setSortingEnabled(True)
        self.tree.header().setSortIndicatorShown(True)
        self.tree.setToolTip(tr("คลิกหัวคอลัมน์เพื่อเรียงลำดับ", "Click a column's header to sort by it"))
        self.summary = QLabel(tr("เลือกรายงานแล้วกด «แสดงรายงาน»", "Choose a report and press Go"))
        self.summary.setObjectName("reportSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.detail = QLabel("")
        self.detail.setObjectName("reportLine")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.stale = QLabel(tr("ข้อมูลในเครื่องเปลี่ยนหลังทำรายงานนี้ กด «แสดงรายงาน» (Alt+G) เพื่อทำใหม่",
                               "The data changed since this report was made: press Go (Alt+G) to make it again"))
        self.stale.setObjectName("reportStale")
        self.stale.setStyleSheet("color:#b45309")
        self.stale.setVisible(False)
        self.problem = QLabel("")
        self.problem.setObjectName("reportProblem")
        self.problem.setStyleSheet("color:#b91c1c")
        self.problem.setVisible(False)

        self.pdf_button = QPushButton(tr("พิมพ์/บันทึก PDF… (&P)", "&Print / save PDF…"))
        self.pdf_button.setObjectName("reportPdf")
        self.pdf_button.setToolTip(tr("บันทึกรายงานที่แสดงอยู่เป็นไฟล์ PDF เพื่อพิมพ์หรือส่งต่อ (แป้นลัด Alt+P)",
                                      "Save the report shown as PDF (Alt+P)"))
        self.pdf_button.clicked.connect(lambda: self.save("pdf"))
        self.xlsx_button = QPushButton(tr("ส่งออก Excel… (&X)", "E&xport to Excel…"))
        self.xlsx_button.setObjectName("reportXlsx")
        self.xlsx_button.setToolTip(tr("ส่งออกรายงานที่แสดงอยู่เป็นไฟล์ Excel (แป้นลัด Alt+X)",
                                       "Export the report shown to Excel (Alt+X)"))
        self.xlsx_button.clicked.connect(lambda: self.save("xlsx"))
        for b in (self.pdf_button, self.xlsx_button):
            b.setEnabled(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.problem, 1)
        bottom.addWidget(self.stale, 1)
        bottom.addStretch(0)
        bottom.addWidget(self.pdf_button)
        bottom.addWidget(self.xlsx_button)

        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.tree, 1)
        box.addWidget(self.detail)
        box.addWidget(self.summary)
        box.addLayout(bottom)

        self.choice.currentIndexChanged.connect(self._chosen)
        for edit in (self.date, self.start, self.end, self.days.lineEdit()):
            edit.returnPressed.connect(self.run)     # Enter in a parameter makes the report
        self._chosen()

    def _date_edit(self, day: _dt.date, name: str) -> QLineEdit:
        edit = QLineEdit(format_date_short(day))
        edit.setObjectName(name)
        edit.setPlaceholderText(tr("วว/ดด/ปปปป (พ.ศ.)", "dd/mm/yyyy (BE)"))
        edit.setToolTip(tr("วันที่ พ.ศ. เช่น 01/10/2569", "A date in the Buddhist era, e.g. 01/10/2569"))
        edit.setMaximumWidth(120)
        return edit

    # --- the duty -------------------------------------------------------------------------------------------

    def attach(self, desk: Desk) -> None:
        self.desk = desk

    def reload(self) -> None:
        """After a sync brought something: the report on screen stays as the officer sorted and scrolled it, and
        says that it may be out of date (making it again is one key away)."""
        if self.current is not None:
            self.stale.setVisible(True)

    def redraw(self, changed: Changed) -> None:
        if changed.changesets and self.current is not None and self.current.key == "changesets":
            self.stale.setVisible(True)

    # --- choosing and running -------------------------------------------------------------------------------

    @property
    def chosen(self):
        key = self.choice.currentData()
        return next(r for r in self.reports if r.key == key)

    def choose(self, key: str) -> None:
        self.choice.setCurrentIndex(self.choice.findData(key))

    def _chosen(self) -> None:
        params = self.chosen.params
        for widgets, on in (((self.date_label, self.date), "date" in params),
                            ((self.days_label, self.days), "days" in params),
                            ((self.start_label, self.start, self.end_label, self.end), "period" in params)):
            for w in widgets:
                w.setVisible(on)
        self.problem.setVisible(False)

    def values(self) -> dict[str, Any]:
        """The parameters as typed; a ThaiDateError says which one cannot be read."""
        params, out = self.chosen.params, {}
        if "date" in params:
            out["date"] = parse_date_short(self.date.text())
        if "days" in params:
            out["days"] = self.days.value()
        if "period" in params:
            out["start"], out["end"] = parse_date_short(self.start.text()), parse_date_short(self.end.text())
            if out["end"] < out["start"]:
                raise ThaiDateError("วันที่สิ้นสุดอยู่ก่อนวันที่เริ่มต้น กรุณาตรวจสอบช่วงวันที่")
        return out

    def run(self) -> None:
        desk = self.desk
        if desk is None or not self.run_button.isEnabled():
            return
        try:
            values = self.values()
        except ThaiDateError as e:
            self.problem.setText(str(e))
            self.problem.setVisible(True)
            return
        self.problem.setVisible(False)
        key, r = self.chosen.key, self.chosen
        self.run_button.setEnabled(False)
        self.busy.setVisible(True)
        self.host.say(tr(f"กำลังทำรายงาน «{r.th}»…", f"Making the report “{r.en}”…"))
        self.runner.run(lambda: make(desk, key, values), self._arrived, self._failed)

    def _arrived(self, shown: Shown) -> None:
        self.run_button.setEnabled(True)
        self.busy.setVisible(False)
        self.current = shown
        self.stale.setVisible(False)
        self._fill(shown)
        self.pdf_button.setEnabled(True)
        self.xlsx_button.setEnabled(True)
        self.host.say(tr(f"{shown.document.title}: {shown.count:,} บรรทัด", f"{shown.count:,} lines"))
        self.shown.emit(shown.key)

    def _failed(self, error: BaseException) -> None:
        self.run_button.setEnabled(True)
        self.busy.setVisible(False)
        from app.errors import Refusal

        if isinstance(error, Refusal):
            self.host.refused(error)
        else:
            _log("report failed", error)
            self.host.say(tr("ทำรายงานไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด กรุณาลองอีกครั้ง หรือแจ้งผู้ดูแลระบบ",
                             "The report could not be made."))

    def _fill(self, shown: Shown) -> None:
        """The report's lines into the model; each cell's sort key ends with the line's place in the report, so
        that lines equal in the sorted column keep the report's order (a beneficiary's dependents)."""
        from ..qt import QStandardItem

        right = Qt.AlignRight | Qt.AlignVCenter
        numeric = [k in ("int", "money") for k in shown.kinds]
        order = iter(range(1, 10**9))

        def line(texts: list[str], keys: list[Any]) -> list:
            place = f"\x00{next(order):09d}"
            cells = []
            for i, (t, k) in enumerate(zip(texts, keys)):
                it = QStandardItem(t)
                it.setEditable(False)
                it.setData(k + place, Qt.UserRole)
                if numeric[i]:
                    it.setTextAlignment(right)
                if len(t) > LONG:
                    it.setToolTip(t)
                cells.append(it)
            return cells

        from ..qt import QStandardItemModel

        tree = self.tree
        tree.setSortingEnabled(False)
        # a fresh model, the old one dropped once the view has let go of it: clearing a big, expanded model
        # under its view costs seconds, dropping it a few milliseconds
        old, model = self.model, QStandardItemModel(self)
        model.setSortRole(Qt.UserRole)
        model.setHorizontalHeaderLabels(shown.headers)
        root = model.invisibleRootItem()
        for texts, keys, members in shown.rows:
            top = line(texts, keys)
            for m_texts, m_keys in members:
                top[0].appendRow(line(m_texts, m_keys))
            root.appendRow(top)
        tree.setModel(model)
        self.model = model
        old.deleteLater()
        tree.selectionModel().currentRowChanged.connect(self._line_chosen)
        self.detail.setText("")
        grouped = any(members for _t, _k, members in shown.rows)
        tree.setRootIsDecorated(grouped)
        tree.expandAll()
        header = tree.header()
        header.setSectionResizeMode(QHeaderView.Interactive)
        for i in range(len(shown.headers)):
            tree.resizeColumnToContents(i)
            if tree.columnWidth(i) > 360:
                tree.setColumnWidth(i, 360)
        header.setStretchLastSection(True)
        header.setSortIndicator(-1, Qt.AscendingOrder)   # as the report orders it, until a header is clicked
        tree.setSortingEnabled(True)
        self.summary.setText(shown.summary)

    def _line_chosen(self, current, _previous=None) -> None:
        """The chosen line's long cells in full (they are cut in the columns): «รายละเอียด: …»."""
        if not current.isValid():
            self.detail.setText("")
            return
        parent, row = current.parent(), current.row()
        texts = [self.model.index(row, c, parent).data() or "" for c in range(self.model.columnCount())]
        long = [f"{h}: {t}" for h, t in zip(self.headers(), texts) if len(t) > LONG]
        self.detail.setText("\n".join(long))

    def lines(self) -> list[tuple[list[str], list[list[str]]]]:
        """What the result shows, in the order shown: each line's texts and the texts of the lines under it."""
        model, out = self.model, []
        for r in range(model.rowCount()):
            cols = range(model.columnCount())
            top = [model.item(r, c).text() for c in cols]
            parent = model.item(r, 0)
            members = [[parent.child(j, c).text() for c in cols] for j in range(parent.rowCount())]
            out.append((top, members))
        return out

    def headers(self) -> list[str]:
        return [self.model.headerData(c, Qt.Horizontal) for c in range(self.model.columnCount())]

    # --- on paper ------------------------------------------------------------------------------------------

    def save(self, kind: str):
        """The save dialog for the report on screen as PDF (``kind`` "pdf") or workbook ("xlsx"); returned (tests
        drive it); the paper is typeset and written off the GUI thread once a file is chosen."""
        from app.usecases.reports import default_name, report

        shown = self.current
        if shown is None or self.desk is None:
            return None
        r = report(shown.key)
        title = tr("บันทึกรายงานเป็น PDF", "Save the report as PDF") if kind == "pdf" else \
            tr("ส่งออกรายงานเป็นไฟล์ Excel", "Export the report to Excel")
        name = default_name(r, shown.values, self.desk.today, f".{kind}")
        dialog = save_dialog(self.window(), title, Path(self.folder) / name, kind, "saveReportDialog",
                             lambda path: self.write(shown, kind, path))
        self.host.opened(dialog)
        return dialog

    def write(self, shown: Shown, kind: str, path: str) -> None:
        """Typeset the document shown and write it to ``path`` on the papers' thread; outcome in the status line."""
        if not path:
            return
        self.folder = str(Path(path).parent)
        what = "PDF" if kind == "pdf" else "Excel"
        self.host.say(tr(f"กำลังทำรายงานเป็น {what}…", f"Making the report as {what}…"))
        self.busy.setVisible(True)
        if self._papers is None:
            self._papers = TaskRunner(ThreadPoolExecutor(max_workers=1, thread_name_prefix="lgo-paper"), self)
        doc = shown.document

        def paper() -> Path:
            from app.documents import table_pdf, table_xlsx, write_file

            return write_file(path, (table_pdf if kind == "pdf" else table_xlsx)(doc))

        self._papers.run(paper, self._written, self._not_written)

    def _written(self, path: Path) -> None:
        self.busy.setVisible(False)
        self.host.say(tr(f"บันทึกรายงานแล้วที่ {path}", f"Report saved: {path}"))
        self.written.emit(str(path))

    def _not_written(self, error: BaseException) -> None:
        from app.errors import Refusal

        self.busy.setVisible(False)
        if isinstance(error, Refusal):
            self.host.say(str(error))
            self.host.refused(error)
        else:
            _log("report paper failed", error)
            self.host.say(tr("ทำเอกสารรายงานไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด กรุณาลองอีกครั้ง หรือแจ้งผู้ดูแลระบบ",
                             "The report's paper could not be made."))
