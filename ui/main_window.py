"""The main window: the unit's people, search as you type, and the detail of the chosen person."""
from __future__ import annotations

import datetime as _dt

from app.domain import Unit
from app.store import PersonRow, RegisterStore
from app.thai import format_date_short
from app.usecases import person_detail

from .i18n import tr
from .people_model import PeopleModel, SelectionAwareDelegate
from .person_pane import PersonPane
from .qt import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMainWindow, QSplitter, Qt, QTableView,
    QTabWidget, QTimer, QVBoxLayout, QWidget, Signal,
)
from .tasks import TaskRunner

SEARCH_DELAY_MS = 200


class MainWindow(QMainWindow):
    people_loaded = Signal(int)     # number of rows shown
    detail_loaded = Signal(str)     # the citizen ID shown

    def __init__(self, runner: TaskRunner, today: _dt.date | None = None, training: bool = False) -> None:
        super().__init__()
        self.runner = runner
        self.today = today or _dt.date.today()
        self.register: RegisterStore | None = None
        self.unit: Unit | None = None
        self._generation = 0
        self.setWindowTitle(tr("LGO Registry Desk — ทะเบียนผู้มีสิทธิ อปท.", "LGO Registry Desk"))
        self.resize(1280, 780)

        self.unit_label = QLabel(tr("กำลังเปิดฐานข้อมูล…", "Opening the database…"))
        self.unit_label.setObjectName("unitTitle")
        self.training_badge = QLabel(tr("โหมดฝึกหัด — ข้อมูลสมมติ", "Training mode — made-up data"))
        self.training_badge.setObjectName("trainingBadge")
        self.training_badge.setVisible(training)

        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("ค้นหาด้วยเลขประจำตัวประชาชน หรือชื่อ–นามสกุล (ไทยหรืออังกฤษ)",
                                          "Search by citizen ID or name (Thai or English)"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumHeight(32)
        self.search.setEnabled(False)
        self.count_label = QLabel("")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.reload)

        self.model = PeopleModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(SelectionAwareDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        for col, width in enumerate((150, 205, 180, 70)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._row_chosen(cur.row()))

        self.pane = PersonPane()

        top = QHBoxLayout()
        top.addWidget(self.unit_label)
        top.addWidget(self.training_badge)
        top.addStretch(1)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(tr("ค้นหา:", "Search:")))
        bar.addWidget(self.search, 1)
        bar.addWidget(self.count_label)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.pane)
        split.setSizes([730, 550])
        body = QVBoxLayout()
        body.addLayout(bar)
        body.addWidget(split, 1)
        self.actions_row = QHBoxLayout()   # the registry officer's buttons, added with the session
        body.insertLayout(1, self.actions_row)
        root = QWidget()
        root.setLayout(body)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.addTab(root, tr("บุคลากรของหน่วยงาน", "The unit's people"))
        self.tabs.tabBar().setVisible(False)
        frame = QVBoxLayout()
        frame.addLayout(top)           # unit, who is logged in, log-out: above every tab
        frame.addWidget(self.tabs, 1)
        central = QWidget()
        central.setLayout(frame)
        self.setCentralWidget(central)
        self.top = top
        self.statusBar().showMessage(tr("กำลังเปิดฐานข้อมูล…", "Opening the database…"))

    # --- wiring to the store --------------------------------------------------------------------

    def attach(self, register: RegisterStore, unit: Unit | None) -> None:
        self.register = register
        self.unit = unit
        code = register.wc.unit_code
        self.unit_label.setText(unit.name if unit else code)
        self.search.setEnabled(True)
        self.search.setFocus()
        self.reload()

    def reload(self) -> None:
        if self.register is None:
            return
        self._generation += 1
        generation = self._generation
        text = self.search.text()
        register, code, today = self.register, self.register.wc.unit_code, self.today
        self.statusBar().showMessage(tr("กำลังค้นหา…", "Searching…"))
        self.runner.run(lambda: register.people(code, today, text),
                        lambda rows: self._people_arrived(generation, rows), self._failed)

    def _people_arrived(self, generation: int, rows: list[PersonRow]) -> None:
        if generation != self._generation:
            return  # a newer search is on its way
        self.model.set_rows(rows)
        staff = sum(1 for r in rows if r.relation.value == "self")
        entitled = sum(1 for r in rows if r.entitled)
        if self.search.text().strip():
            self.count_label.setText(tr(f"พบ {len(rows):,} รายการ", f"{len(rows):,} found"))
        else:
            self.count_label.setText(tr(f"ทั้งหมด {len(rows):,} คน", f"{len(rows):,} people"))
        self.statusBar().showMessage(tr(
            f"ข้อมูล ณ วันที่ {format_date_short(self.today)} · ผู้มีสิทธิ {staff:,} คน · "
            f"ผู้มีสิทธิร่วม {len(rows) - staff:,} คน · มีสิทธิวันนี้ {entitled:,} คน",
            f"As of {self.today.isoformat()} · {staff:,} staff · {len(rows) - staff:,} dependents · "
            f"{entitled:,} entitled today"))
        if rows:
            self.table.selectRow(0)
        else:
            self.pane.show_detail(None, self.today)
        self.people_loaded.emit(len(rows))

    def current_cid(self) -> str | None:
        row = self.model.row_at(self.table.currentIndex().row())
        return row.cid if row is not None else None

    def _row_chosen(self, i: int) -> None:
        row = self.model.row_at(i)
        if row is None or self.register is None:
            return
        register, today = self.register, self.today
        self.runner.run(lambda: person_detail(register, row.cid, today),
                        lambda d: self._detail_arrived(row.cid, d), self._failed)

    def _detail_arrived(self, cid: str, detail) -> None:
        current = self.model.row_at(self.table.currentIndex().row())
        if current is not None and current.cid != cid:
            return  # the officer has already moved on
        self.pane.show_detail(detail, self.today)
        self.detail_loaded.emit(cid)

    def _failed(self, error: BaseException) -> None:
        self.statusBar().showMessage(tr(f"เกิดข้อผิดพลาด: {error}", f"Error: {error}"))
