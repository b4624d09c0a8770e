"""The finance officer's desk (เจ้าหน้าที่การเงิน, issue 19 §4): the unit's claims by what is to be done with them —
รอส่ง, อยู่ที่ สปสช., ไม่อนุมัติ, รอจ่ายคืน, ใกล้ครบกำหนด 1 ปี (the days left in amber), ทั้งหมด — each list with its
count; «ทำเรื่องเบิกใหม่…» (Ctrl+N), open a claim (double-click or Enter), «จ่ายคืนผู้มีสิทธิ…» for a claim NHSO
transferred, and the list as an Excel workbook.

Every list is read by :func:`app.usecases.claims.claims_list` on the database worker with the names the register
knows; the window never waits for it.
"""
from __future__ import annotations

import datetime as _dt
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from app.claims import ClaimState, PayMethod, money
from app.claims.checks import WARN_DAYS
from app.claims.states import accepted_amount
from app.errors import Refusal
from app.thai import ThaiDateError, baht_text, format_date_short
from app.usecases import Changed, Desk
from app.usecases import claims as uc
from app.usecases.claims import ClaimLine, View
from app.usecases.forms import typed_date

from ..dialogs import DeskDialog
from ..event_dialogs import date_edit
from ..i18n import tr
from ..main_window import shortcut_tip
from ..papers import save_dialog
from ..qt import (
    QAbstractItemView, QAbstractTableModel, QColor, QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QModelIndex, QPushButton, QSplitter, Qt,
    QTableView, QVBoxLayout, QWidget, Signal,
)
from ..tasks import TaskRunner
from .form import ClaimDialog, amount_text, paper_names

log = logging.getLogger(__name__)
_papers = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lgo-claim-list")
VIEWS = (View.TO_SUBMIT, View.AT_NHSO, View.REJECTED, View.TO_REPAY, View.EXPIRING, View.ALL)
VIEW_TH = {View.REJECTED: "ไม่อนุมัติ"}
COLUMNS = (("ผู้มีสิทธิ (ผู้ขอเบิก)", "Claimant"), ("ผู้ป่วย", "Patient"), ("สถานพยาบาล", "Facility"),
           ("วันที่รักษา", "Days of care"), ("ยอดขอเบิก (บาท)", "Claimed (baht)"), ("สถานะ", "State"),
           ("เหลือเวลาเบิก", "Days left"))
NOT_SUBMITTED = (ClaimState.DRAFT, ClaimState.READY, ClaimState.REJECTED)


def lines_table(model: QAbstractTableModel, name: str, widths: tuple[int, ...]) -> QTableView:
    """A list of the desk's lines: whole rows chosen one at a time, one line each, the columns ``widths`` wide and
    the last one stretched."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.setSelectionMode(QAbstractItemView.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setTabKeyNavigation(False)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(28)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.Interactive)
    header.setStretchLastSection(True)
    for col, width in enumerate(widths):
        table.setColumnWidth(col, width)
    return table


def lay_out_asking(dialog: DeskDialog, form: QFormLayout, status: QLabel, ok: QPushButton, back: QPushButton) -> None:
    """A small dialog of the desk: the form, the status line, then the action and its way back at the right."""
    back.setAutoDefault(False)
    back.clicked.connect(dialog.reject)
    dialog.set_accept(ok)
    buttons = QHBoxLayout()
    buttons.addStretch(1)
    buttons.addWidget(ok)
    buttons.addWidget(back)
    box = QVBoxLayout(dialog)
    box.addLayout(form)
    box.addWidget(status)
    box.addLayout(buttons)
    dialog.watch_typing()


def write_table_xlsx(owner: QWidget, host, path: str, document, what: str) -> None:
    """``document()`` (an app.documents.tables.TableDocument, made off the GUI thread) written to ``path`` as a
    workbook, whole or not at all; the status bar says where, or why not (``what``: for the log)."""
    if not path:
        return

    def make() -> Path:
        from app.documents import write_file
        from app.documents.tables import table_xlsx
        return write_file(path, table_xlsx(document()))

    def failed(error: BaseException) -> None:
        if isinstance(error, Refusal):
            host.refused(error)
        else:
            log.error("%s export failed", what, exc_info=error)
            host.say(tr("ส่งออกไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด", "The export failed."))

    TaskRunner(_papers, owner).run(make, lambda p: host.say(tr(f"ส่งออกแล้วที่ {p}", f"Exported: {p}")), failed)


def state_text(state: ClaimState, paid: bool, short: bool = False) -> str:
    """The state as the desk shows it: a claim in NHSO's statement says whether the transfer has come (``short``:
    beside the statement itself, which already says so)."""
    if state is ClaimState.IN_TRANSFER:
        if short:
            return tr("รอจ่ายคืน", "To repay") if paid else tr("รอโอนเงิน", "Not yet transferred")
        return tr("ได้รับเงินโอนแล้ว รอจ่ายคืน", "Transferred: to repay") if paid \
            else tr("รอ สปสช. โอนเงิน", "Waiting for NHSO's transfer")
    return state.th


@dataclass(frozen=True)
class Row:
    """A line of the list with the names the register knows."""

    line: ClaimLine
    claimant: str
    patient: str
    repayable: bool = False     # in a transfer NHSO has recorded: the claimant can be repaid

    @property
    def claim(self):
        return self.line.claim

    def days_text(self) -> str:
        c = self.line
        if c.first_day is None:
            return ""
        last = c.last_day or c.first_day
        if last == c.first_day:
            return format_date_short(c.first_day)
        days = tr(f"({(last - c.first_day).days + 1} วัน)", f"({(last - c.first_day).days + 1} days)")
        if (last.year, last.month) == (c.first_day.year, c.first_day.month):   # 18–20/08/2569 (3 วัน)
            return f"{c.first_day.day:02d}–{format_date_short(last)} {days}"
        return f"{format_date_short(c.first_day)} – {format_date_short(last)} {days}"

    def left_text(self) -> str:
        left = self.line.days_left
        if left is None or self.line.state not in NOT_SUBMITTED:
            return ""
        return tr(f"เกินกำหนด {-left} วัน", f"{-left} days late") if left <= 0 else tr(f"{left} วัน", f"{left} days")

    def cells(self) -> tuple[str, ...]:
        c = self.line
        patient = tr(f"{self.patient} (ตนเอง)", f"{self.patient} (self)") if c.relation.value == "self" \
            else f"{self.patient} ({c.relation.th})"
        return (self.claimant, patient, c.facility, self.days_text(), amount_text(self.line.claimed),
                state_text(c.state, self.repayable), self.left_text())


def rows_of(desk: Desk, view: View) -> tuple[list[Row], dict[View, int]]:
    """On the database worker: the view's lines with names, and how many each view holds."""
    lines = uc.claims_list(desk, view)
    every = lines if view is View.ALL else uc.claims_list(desk, View.ALL)
    paid = uc.transferred(desk)
    counts = uc.view_counts(every, paid)
    counts[view] = len(lines)
    names: dict[str, str] = {}
    for line in lines:
        for cid in (line.claimant_cid, line.patient_cid):
            if cid not in names:
                p = desk.register.person(cid)
                names[cid] = p.name_th if p else cid
    return [Row(x, names[x.claimant_cid], names[x.patient_cid],
                x.state is ClaimState.IN_TRANSFER and uc.statement_of(x.claim) in paid) for x in lines], counts


class RowsModel(QAbstractTableModel):
    """Rows with ``cells()`` under ``columns`` ((Thai, English) titles); a subclass says how each cell shows."""

    columns: tuple[tuple[str, str], ...] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802 (Qt's name)
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return tr(*self.columns[section])
        return None

    def row_at(self, i: int):
        return self.rows[i] if 0 <= i < len(self.rows) else None


class ClaimsModel(RowsModel):
    columns = COLUMNS

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.DisplayRole:
            return row.cells()[index.column()]
        if role == Qt.TextAlignmentRole and index.column() in (4, 6):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ForegroundRole and index.column() == 6:
            left = row.line.days_left
            if left is not None and row.line.state in NOT_SUBMITTED and left <= WARN_DAYS:
                return QColor("#b91c1c") if left <= 0 else QColor("#b45309")
        if role == Qt.ToolTipRole:
            return row.cells()[index.column()]
        return None


class ClaimsTab(QWidget):
    """The finance officer's claims (module docstring); a :class:`ui.tabs.host.Duty`."""

    title = ("เรื่องเบิกค่ารักษาพยาบาล", "Claims")
    loaded = Signal(int)          # the list shown (rows)
    opened = Signal(object)       # a claim dialog opened

    def __init__(self, host) -> None:
        super().__init__()
        self.host, self.runner = host, host.runner
        self.desk: Desk | None = None
        self.dialog = None
        self.scanner = None           # the tests' or the window's scanner (None: the PC's own)
        self.setObjectName("claimsDesk")
        self.views = QListWidget()
        self.views.setObjectName("claimViews")
        self.views.setTabKeyNavigation(False)
        for view in VIEWS:
            item = QListWidgetItem(tr(VIEW_TH.get(view, view.th), view.value))
            item.setData(Qt.UserRole, view.value)
            self.views.addItem(item)
        self.views.setMaximumWidth(200)
        self.views.setCurrentRow(0)
        self.views.currentRowChanged.connect(lambda _r: self.reload())
        self.model = ClaimsModel(self)
        self.table = lines_table(self.model, "claimsTable", (160, 205, 150, 200, 130, 170))
        self.table.doubleClicked.connect(lambda _i: self.open_chosen())
        self.table.activated.connect(lambda _i: self.open_chosen())
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._enable())

        self.new_button = self._button("ทำเรื่องเบิกใหม่ (&N)…", "&New claim…", "newClaim", self.open_new)
        self.new_button.setToolTip(shortcut_tip(tr("ทำเรื่องเบิกใหม่", "A new claim"), "Ctrl+N"))
        self.open_button = self._button("เปิด (&O)", "&Open", "openClaim", self.open_chosen)
        self.repay_button = self._button("จ่ายคืนผู้มีสิทธิ (&R)…", "&Repay the claimant…", "repayClaim",
                                         self.open_repay)
        self.cancel_button = self._button("ยกเลิกเรื่อง…", "Cancel the claim…", "cancelClaim", self.open_cancel)
        self.export_button = self._button("ส่งออก Excel…", "Export to Excel…", "exportClaims", self.export)
        self.audit_button = self._button("ชุดหลักฐานเพื่อการตรวจสอบ…", "Audit package…", "auditPackage",
                                         self.open_audit)
        self.audit_button.setToolTip(tr("ทำชุดหลักฐานของช่วงเวลาหนึ่ง (.zip) ให้ผู้ตรวจสอบ หรือตรวจสอบชุดที่ทำไว้แล้ว",
                                        "Make a period's audit package (.zip), or check one made before"))
        self.count = QLabel("")
        self.count.setObjectName("muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.repay_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.audit_button)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(buttons)
        column.addWidget(self.table, 1)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.views)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([180, 1120])
        box = QVBoxLayout(self)
        box.addWidget(split)
        host.shortcut("Ctrl+N", self.open_new, "newClaimShortcut")
        self._enable()

    def _button(self, th: str, en: str, name: str, slot) -> QPushButton:
        b = QPushButton(tr(th, en))
        b.setObjectName(name)
        b.clicked.connect(lambda _checked=False: slot())
        return b

    # --- Duty ---------------------------------------------------------------------------------------------------

    def attach(self, desk: Desk) -> None:
        self.desk = desk
        self.reload()

    def redraw(self, changed: Changed) -> None:
        if changed.claims:
            self.reload()

    def view(self) -> View:
        item = self.views.currentItem()
        return View(item.data(Qt.UserRole)) if item is not None else View.TO_SUBMIT

    def show_view(self, view: View) -> None:
        self.views.setCurrentRow(VIEWS.index(view))

    def reload(self) -> None:
        desk = self.desk
        if desk is None:
            return
        view = self.view()
        self.runner.run(lambda: rows_of(desk, view), lambda found: self._arrived(view, *found), self.host.refused)

    def _arrived(self, view: View, rows: list[Row], counts: dict[View, int]) -> None:
        if view is not self.view():
            return
        chosen = self.chosen()
        self.model.set_rows(rows)
        for i, v in enumerate(VIEWS):
            th = VIEW_TH.get(v, v.th)
            self.views.item(i).setText(tr(f"{th} ({counts[v]})", f"{v.value} ({counts[v]})"))
        total = sum((r.line.claimed for r in rows), Decimal("0.00"))
        self.count.setText(tr(f"{len(rows)} เรื่อง · รวม {amount_text(total)} บาท", f"{len(rows)} · {total:,.2f}"))
        again = next((i for i, r in enumerate(rows) if chosen and r.line.id == chosen.line.id), 0 if rows else -1)
        if again >= 0:
            self.table.selectRow(again)
        self._enable()
        th = VIEW_TH.get(view, view.th)
        self.host.say(tr(f"เรื่องเบิก{th}: {len(rows)} เรื่อง · ข้อมูล ณ วันที่ {format_date_short(self.host.today)}",
                         f"{view.value}: {len(rows)} claims"))
        self.loaded.emit(len(rows))

    def chosen(self) -> Row | None:
        return self.model.row_at(self.table.currentIndex().row())

    def _enable(self) -> None:
        row = self.chosen()
        self.open_button.setEnabled(row is not None)
        self.repay_button.setEnabled(row is not None and row.repayable)
        self.cancel_button.setEnabled(row is not None and row.line.state in (ClaimState.DRAFT, ClaimState.READY))
        self.export_button.setEnabled(bool(self.model.rows))

    # --- actions -------------------------------------------------------------------------------------------------

    def open_new(self) -> ClaimDialog | None:
        return self._open(None)

    def open_chosen(self) -> ClaimDialog | None:
        row = self.chosen()
        return self._open(row.claim) if row is not None else None

    def _open(self, claim) -> ClaimDialog | None:
        if self.desk is None:
            return None
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        dialog = ClaimDialog(self.host, self.desk, claim, self.scanner, self.window())
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _o=None: setattr(self, "dialog", None))
        self.dialog = dialog
        self.host.opened(dialog)
        self.opened.emit(dialog)
        dialog.open()
        return dialog

    def open_repay(self):
        row = self.chosen()
        if row is None or self.desk is None or row.line.state is not ClaimState.IN_TRANSFER:
            return None
        # (not deleted on close: the receipt it offers afterwards still reports through it)
        dialog = RepayDialog(self.host, self.desk, row, self.window())
        self.host.opened(dialog)
        dialog.open()
        return dialog

    def open_cancel(self):
        row = self.chosen()
        if row is None or self.desk is None or row.line.state not in (ClaimState.DRAFT, ClaimState.READY):
            return None
        dialog = CancelDialog(self.host, self.desk, row, self.window())
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        self.host.opened(dialog)
        dialog.open()
        return dialog

    def open_audit(self):
        if self.desk is None:
            return None
        from .audit import open_audit
        return open_audit(self.host, self.desk)

    def export(self) -> QFileDialog | None:
        if not self.model.rows:
            return None
        view = self.view()
        name = f"เรื่องเบิก-{view.value}-{self.host.today.isoformat()}.xlsx"
        rows = list(self.model.rows)
        dialog = save_dialog(self.window(), tr("ส่งออกรายการเรื่องเบิกเป็น Excel", "Export the claims to Excel"),
                             Path.home() / name, "xlsx", "exportClaimsDialog",
                             lambda path: self.write_xlsx(view, rows, path))
        self.host.opened(dialog)
        return dialog

    def write_xlsx(self, view: View, rows: list[Row], path: str) -> None:
        today = self.host.today

        def document():
            from app.documents.tables import Column, Table, TableDocument
            columns = [Column("ผู้มีสิทธิ", width=26), Column("ผู้ป่วย", width=30), Column("สถานพยาบาล", width=26),
                       Column("วันที่รักษา", width=28), Column("ยอดขอเบิก (บาท)", "money", 14),
                       Column("สถานะ", width=18), Column("เหลือเวลาเบิก", width=14)]
            body = [list(r.cells()[:4]) + [r.line.claimed] + list(r.cells()[5:]) for r in rows]
            total = sum((r.line.claimed for r in rows), Decimal("0.00"))
            return TableDocument(f"เรื่องเบิกค่ารักษาพยาบาล: {VIEW_TH.get(view, view.th)}",
                                 Table(columns, body, totals=["รวม", "", "", "", total, "", ""]),
                                 subtitle=[f"ณ วันที่ {format_date_short(today)}"])

        write_table_xlsx(self, self.host, path, document, "claims")


class CancelDialog(DeskDialog):
    """«ยกเลิกเรื่อง…»: a claim not yet sent is cancelled with a reason (kept in its history; its receipts may then
    be claimed again in another claim)."""

    def __init__(self, host, desk: Desk, row: Row, parent=None) -> None:
        super().__init__(parent)
        self.host, self.desk, self.claim = host, desk, row.claim
        self.setObjectName("cancelClaimDialog")
        self.setWindowTitle(tr("ยกเลิกเรื่องเบิก", "Cancel the claim"))
        self.reason = QLineEdit()
        self.reason.setObjectName("cancelReason")
        self.reason.setPlaceholderText(tr("เหตุที่ยกเลิก เช่น ผู้มีสิทธิขอถอนเรื่อง", "Why"))
        self.status = QLabel("")
        self.status.setObjectName("fieldErrorText")
        self.status.setWordWrap(True)
        self.ok = QPushButton(tr("ยกเลิกเรื่องนี้", "Cancel this claim"))
        self.ok.setObjectName("confirmCancel")
        self.ok.clicked.connect(self.confirm)
        form = QFormLayout()
        form.addRow(tr("เรื่องของ", "Claim of"), QLabel(f"{row.claimant} · {row.cells()[1]}"))
        form.addRow(tr("เหตุที่ยกเลิก", "Reason"), self.reason)
        lay_out_asking(self, form, self.status, self.ok, QPushButton(tr("ไม่ยกเลิก", "Keep it")))
        self.resize(520, 180)

    def confirm(self) -> None:
        desk, claim, reason = self.desk, self.claim, self.reason.text()
        self.ok.setEnabled(False)

        def done(changed: Changed) -> None:
            self.host.render(changed)
            self.host.say(tr("ยกเลิกเรื่องเบิกแล้ว", "Claim cancelled."))
            self.dirty = False
            self.accept()

        def refused(error: BaseException) -> None:
            self.ok.setEnabled(True)
            self.status.setText(str(error) if isinstance(error, Refusal) else tr("ยกเลิกไม่สำเร็จ", "Not cancelled."))

        self.host.runner.run(lambda: uc.cancel(desk, claim, reason), done, refused)


class RepayDialog(DeskDialog):
    """«จ่ายคืนผู้มีสิทธิ…»: what the unit paid the claimant from NHSO's transfer (amount, voucher, date, method);
    then the repayment receipt (ใบสำคัญรับเงิน) for the claimant to sign, as PDF to a chosen file."""

    repaid = Signal(object)       # the claim as kept
    written = Signal(str)         # the receipt's path

    def __init__(self, host, desk: Desk, row: Row, parent=None) -> None:
        super().__init__(parent)
        self.host, self.desk, self.row, self.runner = host, desk, row, host.runner
        self.claim = row.claim
        self.setObjectName("repayDialog")
        self.setWindowTitle(tr("จ่ายคืนผู้มีสิทธิ", "Repay the claimant"))
        accepted = accepted_amount(self.claim) or self.claim.claimed
        self.amount = QLineEdit(f"{accepted:,.2f}")
        self.amount.setObjectName("repayAmount")
        self.voucher = QLineEdit()
        self.voucher.setObjectName("voucher")
        self.voucher.setPlaceholderText(tr("เลขที่ใบสำคัญจ่าย", "Voucher number"))
        self.paid_on = date_edit(host.today, "paidOn")
        self.method = QComboBox()
        self.method.setObjectName("payMethod")
        for m in PayMethod:
            self.method.addItem(m.th, m.value)
        self.words = QLabel(baht_text(accepted))
        self.words.setObjectName("muted")
        self.amount.textChanged.connect(self._words)
        self.status = QLabel("")
        self.status.setObjectName("fieldErrorText")
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("ผู้มีสิทธิ", "Claimant"), QLabel(row.claimant))
        form.addRow(tr("ผู้ป่วย", "Patient"), QLabel(row.cells()[1]))
        form.addRow(tr("สปสช. อนุมัติ", "NHSO accepted"), QLabel(tr(f"{amount_text(accepted)} บาท", f"{accepted:,.2f}")))
        form.addRow(tr("จำนวนเงินที่จ่ายคืน", "Amount repaid"), self.amount)
        form.addRow("", self.words)
        form.addRow(tr("เลขที่ใบสำคัญจ่าย", "Voucher no."), self.voucher)
        form.addRow(tr("วันที่จ่าย", "Paid on"), self.paid_on)
        form.addRow(tr("วิธีจ่าย", "Method"), self.method)
        self.ok = QPushButton(tr("บันทึกการจ่ายคืน", "Record the repayment"))
        self.ok.setObjectName("recordRepay")
        self.ok.clicked.connect(self.record)
        cancel = QPushButton(tr("ยกเลิก", "Cancel"))
        cancel.setObjectName("cancelRepay")
        lay_out_asking(self, form, self.status, self.ok, cancel)
        self.first_field = self.voucher
        self.resize(520, 360)

    def _words(self) -> None:
        try:
            self.words.setText(baht_text(money(self.amount.text() or "0")))
        except Exception:   # decimal's InvalidOperation: said when recorded
            self.words.setText("")

    def record(self) -> None:
        try:
            amount = money(self.amount.text())
            paid_on = typed_date(self.paid_on.text(), "วันที่จ่าย")
        except (ThaiDateError, Refusal) as e:
            self.status.setText(str(e))
            return
        except Exception:   # decimal's InvalidOperation
            self.status.setText(tr("จำนวนเงินอ่านไม่ได้ (ตัวอย่าง 1,250.50)", "Cannot read the amount."))
            return
        method = PayMethod(self.method.currentData())
        voucher, desk, claim = self.voucher.text(), self.desk, self.claim
        self.ok.setEnabled(False)
        self.runner.run(lambda: uc.repay(desk, claim, amount, voucher, paid_on, method),
                        lambda changed: self._repaid(changed, amount, paid_on, method, voucher), self._refused)

    def _refused(self, error: BaseException) -> None:
        self.ok.setEnabled(True)
        self.status.setText(str(error) if isinstance(error, Refusal) else tr("บันทึกไม่สำเร็จ", "Not recorded."))

    def _repaid(self, changed: Changed, amount: Decimal, paid_on: _dt.date, method: PayMethod, voucher: str) -> None:
        self.claim = changed.claims[-1]
        self.host.render(changed)
        self.repaid.emit(self.claim)
        self.dirty = False
        self.accept()
        box = QMessageBox(QMessageBox.Question, tr("จ่ายคืนผู้มีสิทธิแล้ว", "Repaid"),
                          tr(f"บันทึกการจ่ายคืน {amount_text(amount)} บาท แล้ว พิมพ์ใบสำคัญรับเงินให้ผู้มีสิทธิลงนามหรือไม่?",
                             f"{amount:,.2f} recorded. Print the receipt for the claimant to sign?"),
                          parent=self.parentWidget())
        box.setObjectName("offerRepaymentReceipt")
        yes = box.addButton(tr("บันทึกใบสำคัญรับเงิน (PDF)…", "Save the receipt (PDF)…"), QMessageBox.AcceptRole)
        yes.setObjectName("saveRepaymentReceipt")
        box.addButton(tr("ไม่ใช่ตอนนี้", "Not now"), QMessageBox.RejectRole)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda b: self.save_receipt(amount, paid_on, method, voucher) if b is yes else None)
        self.host.opened(box)
        box.open()

    def save_receipt(self, amount, paid_on, method, voucher) -> QFileDialog:
        claim, desk, host = self.claim, self.desk, self.host
        name = f"ใบสำคัญรับเงิน-{voucher.strip() or claim.id[:8]}.pdf".replace("/", "-")
        written = self.written

        def write(path: str) -> None:
            if not path:
                return

            def typeset(found) -> None:
                from app.documents import write_file
                from app.documents.claim_papers import RepaymentPaper, repayment_receipt_pdf
                unit, claimant, _position, patient = found
                paper = RepaymentPaper(claim, unit, claimant, patient, amount, paid_on, method, voucher.strip(),
                                       desk.officer.name)
                host.say(tr("กำลังทำใบสำคัญรับเงิน…", "Making the receipt…"))
                TaskRunner(_papers, host.runner).run(
                    lambda: write_file(path, repayment_receipt_pdf(paper)),
                    lambda p: (host.say(tr(f"บันทึกใบสำคัญรับเงินแล้วที่ {p}", f"Saved: {p}")), written.emit(str(p))),
                    host.refused)

            host.runner.run(lambda: paper_names(desk, claim), typeset, host.refused)

        dialog = save_dialog(self.parentWidget(), tr("บันทึกใบสำคัญรับเงินเป็น PDF", "Save the repayment receipt"),
                             Path.home() / name, "pdf", "saveRepaymentDialog", write)
        host.opened(dialog)
        return dialog


__all__ = ["CancelDialog", "ClaimsTab", "RepayDialog", "rows_of"]
