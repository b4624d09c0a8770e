"""The main window: the unit's people, search as you type, and the detail of the chosen person."""
from __future__ import annotations

import datetime as _dt

from app.changeset import ReviewState
from app.domain import Unit
from app.errors import Refusal
from app.people import PeopleFilter, find_people
from app.rules.entitlement import Relation
from app.store import PersonRow, RegisterStore
from app.thai import ThaiDateError, format_date_short
from app.usecases import person_detail

from .dialogs import fit_to_screen, room_on_screen, set_reading_order
from .event_dialogs import date_edit, read_date
from .i18n import tr
from .people_model import PeopleModel, SelectionAwareDelegate
from .evidence import one_attached, open_viewer
from .person_pane import PersonPane
from .qt import (
    QAbstractItemView, QAbstractSpinBox, QAction, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QKeySequence,
    QLabel, QLineEdit, QMainWindow, QSize, QSplitter, Qt, QTableView, QTabWidget, QTimer, QUrl, QVBoxLayout, QWidget,
    Signal,
)
from .tasks import TaskRunner


def _relations() -> list[tuple[str, Relation | None]]:
    return [(tr("ทุกฐานะ", "Everyone"), None), (tr("ผู้มีสิทธิ (บุคลากร)", "Beneficiaries (staff)"), Relation.SELF),
            (tr("คู่สมรส", "Spouses"), Relation.SPOUSE), (tr("บุตร", "Children"), Relation.CHILD),
            (tr("บิดา", "Fathers"), Relation.FATHER), (tr("มารดา", "Mothers"), Relation.MOTHER)]


# The size the window is laid out for; a smaller screen (a 1366×768 laptop, or full HD at 150 %) opens it maximised.
PREFERRED = QSize(1280, 780)


def shortcut_tip(what: str, keys: str) -> str:
    """A tooltip that says what a button does and the keys that do it too: ``รับบุคลากรใหม่ (แป้นลัด Ctrl+N)``."""
    return tr(f"{what} (แป้นลัด {keys})", f"{what} ({keys})")


def add_shortcut(window: QWidget, keys: str, slot, name: str = "") -> QAction:
    """A keyboard shortcut anywhere in ``window`` (while it is the active window)."""
    action = QAction(window)
    action.setObjectName(name)
    action.setShortcut(QKeySequence(keys))
    action.setShortcutContext(Qt.WindowShortcut)
    action.triggered.connect(lambda _checked=False: slot())
    window.addAction(action)
    return action


def open_to_fit(window: QWidget, preferred: QSize) -> None:
    """Open ``window`` at its preferred size where the screen has room for it, else maximised (its status bar and
    buttons are never below the screen's edge or behind the taskbar)."""
    room = room_on_screen(window)
    fit_to_screen(window, preferred)
    if room.width() < preferred.width() or room.height() < preferred.height():
        window.setWindowState(window.windowState() | Qt.WindowMaximized)


def _reviews() -> list[tuple[str, ReviewState | None]]:
    return [(tr("ทุกสถานะงาน", "Any review state"), None),
            (tr("มีงานรอนายทะเบียนตรวจ", "Pending review"), ReviewState.PENDING),
            (tr("มีงานถูกส่งกลับให้แก้ไข", "Returned for correction"), ReviewState.RETURNED)]


def _own(widget: QWidget, root: QWidget) -> bool:
    """A widget of the window's own layout, not a part inside another widget (a list's scroll bar, a field's
    clear button, a tab bar's arrows), which its owner manages."""
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, (QAbstractItemView, QLineEdit, QComboBox, QAbstractSpinBox)) or parent.inherits("QTabBar"):
            return False
        parent = parent.parentWidget()
    return parent is root


class MainWindow(QMainWindow):
    people_loaded = Signal(int)     # number of rows shown
    detail_loaded = Signal(str)     # the citizen ID shown
    chosen_changed = Signal()       # another person was chosen, or their detail (and so their relations) arrived

    def __init__(self, runner: TaskRunner, today: _dt.date | None = None, training: bool = False) -> None:
        super().__init__()
        self.runner = runner
        self.today = today or _dt.date.today()
        self.register: RegisterStore | None = None
        self.unit: Unit | None = None
        self._generation = 0
        self.setWindowTitle(tr("LGO Registry Desk — ทะเบียนผู้มีสิทธิ อปท.", "LGO Registry Desk"))
        open_to_fit(self, PREFERRED)

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
        self.search.setObjectName("search")
        self.search.setToolTip(shortcut_tip(tr("ค้นหา", "Search"), "Ctrl+F"))
        self.count_label = QLabel("")
        # Every keystroke searches (a search takes milliseconds); keystrokes that come while one runs are
        # folded into a single search of the newest text once it ends (the timer folds a paste).
        self._in_flight, self._again = False, False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.reload)

        self.relation_filter = QComboBox()
        self.relation_filter.setObjectName("relationFilter")
        for label, value in _relations():
            self.relation_filter.addItem(label, value)
        self.review_filter = QComboBox()
        self.review_filter.setObjectName("reviewFilter")
        for label, value in _reviews():
            self.review_filter.addItem(label, value)
        self.entitled_check = QCheckBox(tr("เฉพาะผู้มีสิทธิ ณ วันที่", "Only entitled on"))
        self.entitled_check.setObjectName("entitledCheck")
        self.entitled_day = date_edit(self.today, "entitledDay")
        self.entitled_day.setMaximumWidth(120)
        self.entitled_day.setEnabled(False)
        self.entitled_check.toggled.connect(self.entitled_day.setEnabled)
        for combo in (self.relation_filter, self.review_filter):
            combo.currentIndexChanged.connect(lambda _i: self._timer.start())
        self.entitled_check.toggled.connect(lambda _on: self._timer.start())
        self.entitled_day.editingFinished.connect(self._timer.start)

        self.model = PeopleModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(SelectionAwareDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setObjectName("people")
        self.table.setTabKeyNavigation(False)   # one Tab stop: Tab leaves the list, the arrows move in it
        self.table.setWordWrap(False)           # a long name is cut at the column's edge with "…", never at a word
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        fm = self.table.fontMetrics()
        for col, sample in enumerate(("9-9999-99999-99-9", "", "", "ผู้มีสิทธิ")):
            width = max(fm.horizontalAdvance(sample), fm.horizontalAdvance(self.model.headerData(col, Qt.Horizontal)))
            self.table.setColumnWidth(col, width + 18)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._row_chosen(cur.row()))

        self.pane = PersonPane()
        self.pane.setObjectName("personPane")
        self.pane.anchorClicked.connect(self._document_link)
        self.get_blob = None   # the central server's documents, for one this PC does not hold (set when online)

        top = QHBoxLayout()
        top.addWidget(self.unit_label)
        top.addWidget(self.training_badge)
        top.addStretch(1)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(tr("ค้นหา:", "Search:")))
        bar.addWidget(self.search, 1)
        bar.addWidget(self.count_label)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(tr("แสดง:", "Show:")))
        filters.addWidget(self.relation_filter)
        filters.addWidget(self.review_filter)
        filters.addWidget(self.entitled_check)
        filters.addWidget(self.entitled_day)
        filters.addStretch(1)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.pane)
        split.setStretchFactor(0, 3)   # the list takes the room a wider screen gives; the detail keeps its own
        split.setStretchFactor(1, 2)
        split.setSizes([760, 520])
        self.split = split
        body = QVBoxLayout()
        body.addLayout(bar)
        body.addLayout(filters)
        body.addWidget(split, 1)
        self.actions_row = QHBoxLayout()   # a role's guided actions, added by its tab (ui.tabs.my_work)
        body.insertLayout(2, self.actions_row)
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
        self.find_action = add_shortcut(self, "Ctrl+F", self.go_to_search, "findShortcut")
        self.set_tab_order()

    # --- wiring to the store --------------------------------------------------------------------

    def attach(self, register: RegisterStore, unit: Unit | None) -> None:
        self.register = register
        self.unit = unit
        code = register.wc.unit_code
        self.unit_label.setText(unit.name if unit else code)
        self.search.setEnabled(True)
        self.search.setFocus()
        self.reload()

    def go_to_search(self) -> None:
        """Ctrl+F: to the people tab and the search box, its text selected (typing replaces it)."""
        self.tabs.setCurrentIndex(0)
        self.search.setFocus(Qt.ShortcutFocusReason)
        self.search.selectAll()

    def shortcut(self, keys: str, slot, name: str = "") -> QAction:
        """A keyboard shortcut anywhere in this window (a tab's: e.g. Ctrl+N for a new staff member)."""
        return add_shortcut(self, keys, slot, name)

    def set_tab_order(self) -> None:
        """Tab in the reading order of each tab (the window's own widgets, then the tab's, top to bottom) — a
        widget disabled for now (the search until the copy is open, a button until something is chosen) keeps
        its place for when it is enabled."""
        central = self.centralWidget()
        off = [w for w in central.findChildren(QWidget) if w.focusPolicy() & Qt.TabFocus
               and not w.isEnabledTo(w.parentWidget()) and _own(w, central)]
        for w in off:
            w.setEnabled(True)
        try:
            set_reading_order(central)
            for i in range(self.tabs.count()):
                set_reading_order(self.tabs.widget(i))
        finally:
            for w in off:
                w.setEnabled(False)

    def people_filter(self) -> PeopleFilter:
        """What the filter row asks for; a date that cannot be read is refused in Thai (Refusal)."""
        day = None
        if self.entitled_check.isChecked():
            try:
                day = read_date(self.entitled_day, tr("วันที่ที่ต้องการดูสิทธิ", "the day"))
            except ThaiDateError as e:
                raise Refusal("filter.date", str(e), "The date cannot be read.") from None
        relation, review = self.relation_filter.currentData(), self.review_filter.currentData()
        return PeopleFilter(Relation(relation) if relation else None, day, ReviewState(review) if review else None)

    def reload(self) -> None:
        if self.register is None:
            return
        if self._in_flight:
            self._again = True  # searched again with the newest text and filters when this one ends
            return
        try:
            only = self.people_filter()
        except Refusal as refused:
            self.count_label.setText("")
            self.statusBar().showMessage(str(refused))
            return
        self._generation += 1
        generation = self._generation
        text = self.search.text()
        register, code, today = self.register, self.register.wc.unit_code, self.today
        self._in_flight = True
        self.statusBar().showMessage(tr("กำลังค้นหา…", "Searching…"))
        self.runner.run(lambda: find_people(register, code, today, text, only),
                        lambda rows: self._people_arrived(generation, rows, only), self._search_failed)

    def _search_failed(self, error: BaseException) -> None:
        self._in_flight = self._again = False
        self._failed(error)

    def _people_arrived(self, generation: int, rows: list[PersonRow], only: PeopleFilter = PeopleFilter()) -> None:
        self._in_flight = False
        if self._again:
            self._again = False
            self.reload()  # the text or a filter changed meanwhile: this answer is already old
            return
        if generation != self._generation:
            return  # a newer search is on its way
        self.model.set_rows(rows, only.entitled_on)
        self._fit_columns(rows)
        staff = sum(1 for r in rows if r.relation.value == "self")
        entitled = sum(1 for r in rows if r.entitled)
        if self.search.text().strip() or only.active:
            self.count_label.setText(tr(f"พบ {len(rows):,} รายการ", f"{len(rows):,} found"))
        else:
            self.count_label.setText(tr(f"ทั้งหมด {len(rows):,} คน", f"{len(rows):,} people"))
        day = only.entitled_on or self.today
        self.statusBar().showMessage(tr(
            f"ข้อมูล ณ วันที่ {format_date_short(day)} · ผู้มีสิทธิ {staff:,} คน · "
            f"ผู้มีสิทธิร่วม {len(rows) - staff:,} คน · มีสิทธิ {entitled:,} คน",
            f"As of {day.isoformat()} · {staff:,} staff · {len(rows) - staff:,} dependents · "
            f"{entitled:,} entitled"))
        if rows:
            self.table.selectRow(0)
        else:
            self.pane.show_detail(None, self.today)
            self.chosen_changed.emit()
        self.people_loaded.emit(len(rows))

    def _fit_columns(self, rows: list[PersonRow]) -> None:
        """Widen a column that is narrower than its longest text (a name is never cut while the list has room;
        a column the officer widened stays as wide)."""
        fm = self.table.fontMetrics()
        pad = 18   # the cell's margins on both sides
        header = self.model.headerData
        for col, name in ((1, "name_th"), (2, "name_en")):
            texts = {getattr(r, name) for r in rows}
            texts.add(header(col, Qt.Horizontal))
            needed = max(fm.horizontalAdvance(t) for t in texts) + pad
            if self.table.columnWidth(col) < needed:
                self.table.setColumnWidth(col, needed)
        self._room_for_columns()

    PANE_AT_LEAST = 420   # the detail's tables (a span: relation, type, from, to) read without a scroll bar

    def _room_for_columns(self) -> None:
        """On a narrow screen the list takes the room its columns need from the detail, while the detail keeps
        what its own tables need: every column of the list in view, without scrolling sideways."""
        last = self.model.columnCount() - 1
        fm = self.table.fontMetrics()
        words = max(fm.horizontalAdvance(self.model.headerData(last, Qt.Horizontal)), fm.horizontalAdvance(
            tr("ไม่มีสิทธิ", "No"))) + 18
        need = (sum(self.table.columnWidth(c) for c in range(last)) + words
                + self.table.verticalScrollBar().sizeHint().width() + 2 * self.table.frameWidth() + 2)
        left, right = self.split.sizes()
        if left >= need or left + right == 0:
            return
        give = min(need - left, right - self.PANE_AT_LEAST)
        if give > 0:
            self.split.setSizes([left + give, right - give])

    def _document_link(self, url: QUrl) -> None:
        """A document in the person's pane: shown (downloaded first when this PC does not hold it)."""
        detail, register = self.pane.detail, self.register
        doc = next((d for d in (detail.documents if detail else []) if url.toString() == f"evidence:{d.sha}"), None)
        if doc is None or register is None:
            return
        say = self.statusBar().showMessage
        self.runner.run(lambda: one_attached(register, doc.sha, doc.label),
                        lambda item: open_viewer(self, self.runner, register, item, say, self.get_blob),
                        lambda _e: say(tr("เปิดเอกสารไม่สำเร็จ", "Could not open the document.")))

    def current_cid(self) -> str | None:
        row = self.model.row_at(self.table.currentIndex().row())
        return row.cid if row is not None else None

    def current_relations(self) -> frozenset[Relation]:
        """How the chosen person stands in the register: every relation their detail knows once it arrived,
        until then the chosen row's."""
        row = self.model.row_at(self.table.currentIndex().row())
        if row is None:
            return frozenset()
        detail = self.pane.detail
        if detail is not None and detail.person.cid == row.cid:
            return detail.relations
        return frozenset({row.relation})

    def _row_chosen(self, i: int) -> None:
        row = self.model.row_at(i)
        if row is None or self.register is None:
            return   # (nobody chosen: said by _people_arrived; and no signal while the window is being destroyed)
        self.chosen_changed.emit()
        register, today = self.register, self.today
        self.runner.run(lambda: person_detail(register, row.cid, today),
                        lambda d: self._detail_arrived(row.cid, d), self._failed)

    def reload_detail(self) -> None:
        """Show the chosen person's detail again (an action about them was kept here, e.g. a certificate)."""
        self._row_chosen(self.table.currentIndex().row())

    def _detail_arrived(self, cid: str, detail) -> None:
        current = self.model.row_at(self.table.currentIndex().row())
        if current is not None and current.cid != cid:
            return  # the officer has already moved on
        self.pane.show_detail(detail, self.today)
        self.chosen_changed.emit()
        self.detail_loaded.emit(cid)

    def _failed(self, error: BaseException) -> None:
        self.statusBar().showMessage(tr(f"เกิดข้อผิดพลาด: {error}", f"Error: {error}"))
