"""«รายการโอนเงินจาก สปสช.» (NHSO statements and transfers, issue 19 §3–4): the finance officer's second tab.

On the left NHSO's month-end payment statements this PC holds, newest month first, each with its total, whether it
was transferred, and how it reconciles; on the right the chosen statement: its month, when it was issued, the
transfer's date and bank reference (or that it is not transferred yet), its totals and whether they agree, and its
lines against the unit's claims here (app.claims.reconcile) — each outcome in words and in colour, never colour
alone. «จ่ายคืนผู้มีสิทธิ…» opens the claims desk's repayment dialog for a line's claim once NHSO's transfer is
recorded; «ส่งออก Excel…» saves the reconciliation as a workbook.

Read on the database worker (app.usecases.payments); listed again after each sync and after a repayment.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from app.cid import format_cid
from app.claims import ClaimState
from app.claims.reconcile import Line, Outcome, Reconciliation
from app.thai import format_date_short
from app.usecases import Changed, Desk
from app.usecases import payments as uc
from app.usecases.claims import ClaimLine
from app.usecases.payments import StatementSummary

from ..changesets import master_detail
from ..i18n import tr
from ..papers import save_dialog
from ..qt import (
    QAbstractItemView,
    QColor,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .desk import RepayDialog, Row, RowsModel, lines_table, state_text, write_table_xlsx
from .form import amount_text

GOOD, BAD, WARN = "#15803d", "#b91c1c", "#b45309"
COLOUR = {Outcome.MATCHED: GOOD, Outcome.AMOUNT_DIFFERS: BAD, Outcome.MISSING_HERE: BAD,
          Outcome.NOT_IN_STATEMENT: WARN}
MARK = {Outcome.MATCHED: "✓", Outcome.AMOUNT_DIFFERS: "✗", Outcome.MISSING_HERE: "✗", Outcome.NOT_IN_STATEMENT: "!"}
COLUMNS = (("ผู้มีสิทธิ", "Claimant"), ("ผู้ป่วย", "Patient"), ("วันที่รักษา", "First day"),
           ("ขอเบิก", "Claimed"), ("สปสช. อนุมัติ", "NHSO accepted"), ("ยอดเรื่องเบิก", "Here"),
           ("สถานะเรื่องเบิก", "State here"), ("ผลการตรวจ", "Outcome"))
MONEY_COLUMNS = (3, 4, 5)
EMPTY = (("ยังไม่มีรายการโอนเงินจาก สปสช. ในเครื่องนี้\n\nสปสช. ปิดรายการเรื่องเบิกที่อนุมัติแล้วทุกสิ้นเดือน "
         "แล้วโอนเงินให้หน่วยงานภายใน 15–20 วันหลังสิ้นเดือน รายการโอนเงินของแต่ละเดือนจะมาถึงเครื่องนี้เมื่อซิงก์ข้อมูลหลัง "
         "สปสช. ปิดรายการของเดือนนั้นแล้ว"),
         ("No payment statement from NHSO on this PC yet.\n\nNHSO closes the month's accepted claims at each month's "
         "end and transfers 15–20 days later; each month's statement arrives here with the sync after it is closed."))


def _money(amount) -> str:
    return "" if amount is None else amount_text(amount)


@dataclass(frozen=True)
class LineRow:
    """A reconciliation line with the names the register knows, and the desk's line of its claim (to repay)."""

    line: Line
    claimant: str
    patient: str                 # with the relation, as the table shows it
    claim: ClaimLine | None
    patient_name: str = ""       # the name alone
    paid: bool = False           # NHSO's transfer of the statement is recorded

    def outcome_text(self) -> str:
        """Short, for the cell: ✗ ยอดไม่ตรง ต่าง 200.00."""
        x = self.line
        if x.outcome is Outcome.AMOUNT_DIFFERS:
            th, en = ("ยอดไม่ตรง ต่าง " + amount_text(abs(x.difference)), f"differs by {abs(x.difference):,.2f}") \
                if x.difference is not None else ("ยอดไม่ตรง", "differs")
            return f"{MARK[x.outcome]} {tr(th, en)}"
        return f"{MARK[x.outcome]} {tr(x.outcome.th, x.outcome.en)}"

    def explained(self) -> str:
        """In full, for the tooltip and the workbook."""
        x = self.line
        if x.outcome is Outcome.AMOUNT_DIFFERS:
            here = tr(f"{amount_text(x.here)} บาท", f"{x.here:,.2f}") if x.here is not None \
                else tr("ยังไม่มีผลอนุมัติ", "no decision")
            th = f"ยอดเงินไม่ตรง: สปสช. อนุมัติ {amount_text(x.nhso)} บาท · เครื่องนี้ " + here
            en = f"Amount differs: NHSO {x.nhso:,.2f} · here {here}"
            if x.difference is not None:
                th += f" · ต่างกัน {x.difference:+,.2f} บาท"
                en += f" · difference {x.difference:+,.2f}"
            return tr(th, en)
        return tr({Outcome.MATCHED: "ตรงกัน: เครื่องนี้มีเรื่องเบิกนี้ และยอดที่ สปสช. อนุมัติตรงกัน",
                   Outcome.MISSING_HERE: "ไม่มีในเครื่องนี้: รายการโอนมีเรื่องเบิกนี้ แต่เครื่องนี้ไม่มีเรื่องเบิกนี้",
                   Outcome.NOT_IN_STATEMENT: "ไม่อยู่ในรายการโอน: เครื่องนี้มีเรื่องเบิกที่ควรอยู่ในรายการโอนนี้ "
                                             "แต่รายการโอนไม่มี"}[x.outcome], x.outcome.en)

    def cells(self) -> tuple[str, ...]:
        x = self.line
        state = state_text(x.state, self.paid, short=True) if x.state is not None else tr("—", "—")
        return (self.claimant, self.patient, format_date_short(x.first_day) if x.first_day else "",
                _money(x.claimed), _money(x.nhso), _money(x.here), state, self.outcome_text())

    def repayable(self, rec: Reconciliation) -> bool:
        return self.claim is not None and rec.transfer is not None and self.line.state is ClaimState.IN_TRANSFER


def lines_of(desk: Desk, statement_id: str) -> tuple[Reconciliation, list[LineRow]]:
    """On the database worker: the statement's reconciliation with the names the register knows."""
    found = uc.reconciliation(desk, statement_id)
    names: dict[str, str] = {}

    def name(cid: str) -> str:
        if cid not in names:
            p = desk.register.person(cid) if cid else None
            names[cid] = p.name_th if p else (format_cid(cid) if cid else "")
        return names[cid]

    rows = []
    for x in found.reconciliation.lines:
        claim = found.claims.get(x.claim_id)
        alone = name(x.patient_cid)
        patient = Row(claim, "", alone).cells()[1] if claim is not None else alone
        rows.append(LineRow(x, name(x.claimant_cid), patient, claim, alone,
                            found.reconciliation.transfer is not None))
    return found.reconciliation, rows


class LinesModel(RowsModel):
    columns = COLUMNS

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.DisplayRole:
            return row.cells()[index.column()]
        if role == Qt.ToolTipRole:
            return row.explained() if index.column() == len(COLUMNS) - 1 else row.cells()[index.column()]
        if role == Qt.TextAlignmentRole and index.column() in MONEY_COLUMNS:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ForegroundRole and index.column() == len(COLUMNS) - 1:
            return QColor(COLOUR[row.line.outcome])
        if role == Qt.ForegroundRole and index.column() == 5 and row.line.outcome is Outcome.AMOUNT_DIFFERS:
            return QColor(BAD)
        return None


def _agree(ok: bool | None) -> str:
    if ok is None:
        return ""
    colour, th, en = (GOOD, "✓ ตรงกัน", "✓ agrees") if ok else (BAD, "✗ ไม่ตรงกัน", "✗ differs")
    return f' <span style="color:{colour}">{tr(th, en)}</span>'


def header_html(rec: Reconciliation) -> str:
    """The chosen statement's header: month, issue, transfer, totals, and the verdict."""
    e = html.escape
    issued = tr(f" · ออกเมื่อ {format_date_short(rec.issued_on)}", f" · issued {rec.issued_on}") \
        if rec.issued_on else ""
    title = tr(f"รายการโอนเงินเดือน{rec.month_th}", f"Payment statement {rec.month}")
    t = rec.transfer
    if t is None:
        transfer = tr(f'<span style="color:{WARN}">ยังไม่โอน</span> — สปสช. โอนเงินภายใน 15–20 วันหลังสิ้นเดือน',
                      f'<span style="color:{WARN}">Not transferred yet</span> (NHSO transfers 15–20 days later)')
    else:
        transfer = tr(f"โอนเมื่อ {format_date_short(t.date)} · เลขอ้างอิงธนาคาร {e(t.ref)} · "
                      f"ยอดโอน {amount_text(t.amount)} บาท{_agree(rec.transfer_agrees)}",
                      f"Transferred {t.date} · bank ref {e(t.ref)} · {t.amount:,.2f}{_agree(rec.transfer_agrees)}")
    totals = tr(f"ยอดรวมตามรายการ {amount_text(rec.total)} บาท · ผลรวม {rec.count} รายการ "
                f"{amount_text(rec.lines_sum)} บาท{_agree(rec.lines_agree)}",
                f"Total {rec.total:,.2f} · {rec.count} lines sum to {rec.lines_sum:,.2f}{_agree(rec.lines_agree)}")
    th, en = rec.status
    verdict = f'<span style="color:{GOOD if rec.ok else BAD}"><b>{"✓" if rec.ok else "✗"} {e(tr(th, en))}</b></span>'
    return (f"<p style='margin:0'><b style='font-size:large'>{e(title)}</b>"
            f"<span style='color:#555'> · {tr('เลขที่', 'no.')} {e(rec.statement_id)}{issued}</span></p>"
            f"<p style='margin:4px 0 0 0'>{tr('การโอน', 'Transfer')}: {transfer}</p>"
            f"<p style='margin:4px 0 0 0'>{totals}</p>"
            f"<p style='margin:4px 0 0 0'>{tr('ผลการตรวจ', 'Reconciliation')}: {verdict}</p>")


def statement_cells(s: StatementSummary) -> tuple[str, str]:
    """A statement in the list, two lines a cell: the month and its transfer; the total and how it reconciles."""
    transfer = tr(f"โอนแล้ว {format_date_short(s.transfer_date)}", f"paid {s.transfer_date}") if s.transfer_date \
        else tr("ยังไม่โอน", "not transferred yet")
    return (f"{s.month_th}\n{transfer}",
            f"{amount_text(s.total)} บาท · {s.count} เรื่อง\n{'✓' if s.ok else '✗'} {tr(s.status_th, s.status_en)}")


class PaymentsTab(QWidget):
    """NHSO's payment statements and their reconciliation (module docstring); a :class:`ui.tabs.host.Duty`."""

    title = ("รายการโอนเงินจาก สปสช.", "NHSO statements and transfers")
    loaded = Signal(int)          # statements listed
    shown = Signal(str)           # the statement whose reconciliation is shown

    def __init__(self, host) -> None:
        super().__init__()
        self.host, self.runner = host, host.runner
        self.desk: Desk | None = None
        self.summaries: list[StatementSummary] = []
        self.current: Reconciliation | None = None
        self.setObjectName("paymentsDesk")
        self.list = QTableWidget(0, 2)
        self.list.setObjectName("paymentStatements")
        self.list.setHorizontalHeaderLabels([tr("เดือน · การโอน", "Month · transfer"),
                                             tr("ยอดรวม · ผลการตรวจ", "Total · reconciliation")])
        self.list.verticalHeader().setVisible(False)
        self.list.verticalHeader().setDefaultSectionSize(54)     # two lines a statement
        self.list.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.list.setTabKeyNavigation(False)
        self.list.setWordWrap(False)
        self.list.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.list.horizontalHeader().setStretchLastSection(True)
        self.list.setColumnWidth(0, 150)
        self.list.itemSelectionChanged.connect(self._chosen)

        self.header = QLabel("")
        self.header.setObjectName("paymentHeader")
        self.header.setTextFormat(Qt.RichText)
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.empty = QLabel(tr(*EMPTY))
        self.empty.setObjectName("paymentsEmpty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.model = LinesModel(self)
        self.table = lines_table(self.model, "reconciliationLines", (115, 135, 90, 78, 90, 98, 120))
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._enable())

        self.repay_button = QPushButton(tr("จ่ายคืนผู้มีสิทธิ (&R)…", "&Repay the claimant…"))
        self.repay_button.setObjectName("repayFromStatement")
        self.repay_button.setToolTip(tr("บันทึกการจ่ายคืนให้ผู้มีสิทธิของรายการที่เลือก (เมื่อ สปสช. โอนเงินแล้ว)",
                                        "Record the repayment of the chosen line's claim (once NHSO transferred)"))
        self.repay_button.clicked.connect(lambda _checked=False: self.open_repay())
        self.export_button = QPushButton(tr("ส่งออก Excel…", "Export to Excel…"))
        self.export_button.setObjectName("exportReconciliation")
        self.export_button.clicked.connect(lambda _checked=False: self.export())
        self.count = QLabel("")
        self.count.setObjectName("muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.repay_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count)
        buttons.addWidget(self.export_button)

        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        right = QVBoxLayout()
        right.addWidget(self.header)
        right.addWidget(self.empty, 1)
        right.addWidget(self.table, 1)
        right.addLayout(buttons)
        master_detail(self, left, right, (372, 988))
        self._enable()

    # --- Duty ---------------------------------------------------------------------------------------------------

    def attach(self, desk: Desk) -> None:
        self.desk = desk
        self.reload()

    def redraw(self, changed: Changed) -> None:
        if changed.claims:
            self.reload()

    def reload(self) -> None:
        desk = self.desk
        if desk is None:
            return
        self.runner.run(lambda: uc.statements(desk), self._listed, self.host.refused)

    def _listed(self, summaries: list[StatementSummary]) -> None:
        chosen = self.chosen_id()
        self.summaries = summaries
        self.list.blockSignals(True)
        self.list.setRowCount(len(summaries))
        for i, s in enumerate(summaries):
            for col, text in enumerate(statement_cells(s)):
                item = QTableWidgetItem(text)
                item.setToolTip(tr(f"{s.id} · {s.count} เรื่อง · {s.transferred_th} · {s.status_th}",
                                   f"{s.id} · {s.count} claims · {s.status_en}"))
                if col == 1:
                    item.setForeground(QColor(GOOD if s.ok else BAD))
                self.list.setItem(i, col, item)
        again = next((i for i, s in enumerate(summaries) if s.id == chosen), 0)
        if summaries:
            self.list.selectRow(again)
        self.list.blockSignals(False)
        self._empty(not summaries)
        self.loaded.emit(len(summaries))
        self._chosen()

    def _empty(self, empty: bool) -> None:
        self.empty.setVisible(empty)
        for w in (self.header, self.table, self.count):
            w.setVisible(not empty)
        if empty:
            self.current = None
            self.model.set_rows([])
            self._enable()

    def chosen_id(self) -> str | None:
        rows = [i.row() for i in self.list.selectionModel().selectedRows()]
        return self.summaries[rows[0]].id if len(rows) == 1 and rows[0] < len(self.summaries) else None

    def _chosen(self) -> None:
        sid, desk = self.chosen_id(), self.desk
        if sid is None or desk is None:
            return
        self.runner.run(lambda: lines_of(desk, sid), self._show, self.host.refused)

    def _show(self, found: tuple[Reconciliation, list[LineRow]]) -> None:
        rec, rows = found
        if rec.statement_id != self.chosen_id():
            return
        kept = self.chosen_line()
        self.current = rec
        self.header.setText(header_html(rec))
        self.model.set_rows(rows)
        self.count.setText(tr(f"{len(rows)} รายการ · จำนวนเงินเป็นบาท", f"{len(rows)} lines · amounts in baht"))
        again = next((i for i, r in enumerate(rows) if kept and r.line.claim_id == kept.line.claim_id), -1)
        if again >= 0:
            self.table.selectRow(again)
        self._enable()
        self.host.say(tr(f"รายการโอนเงินเดือน{rec.month_th}: {tr(*rec.status)}", f"{rec.month}: {rec.status[1]}"))
        self.shown.emit(rec.statement_id)

    def chosen_line(self) -> LineRow | None:
        return self.model.row_at(self.table.currentIndex().row())

    def _enable(self) -> None:
        row, rec = self.chosen_line(), self.current
        self.repay_button.setEnabled(row is not None and rec is not None and row.repayable(rec))
        self.export_button.setEnabled(rec is not None)

    # --- actions -------------------------------------------------------------------------------------------------

    def open_repay(self) -> RepayDialog | None:
        row, rec = self.chosen_line(), self.current
        if row is None or rec is None or self.desk is None or not row.repayable(rec):
            return None
        dialog = RepayDialog(self.host, self.desk, Row(row.claim, row.claimant, row.patient_name),
                             self.window())
        self.host.opened(dialog)
        dialog.open()
        return dialog

    def export(self) -> QFileDialog | None:
        rec = self.current
        if rec is None:
            return None
        rows = list(self.model.rows)
        dialog = save_dialog(self.window(), tr("ส่งออกผลการตรวจรายการโอนเงินเป็น Excel", "Export the reconciliation"),
                             Path.home() / f"รายการโอนเงิน-{rec.month}.xlsx", "xlsx", "exportReconciliationDialog",
                             lambda path: self.write_xlsx(rec, rows, path))
        self.host.opened(dialog)
        return dialog

    def write_xlsx(self, rec: Reconciliation, rows: list[LineRow], path: str) -> None:
        today = self.host.today

        def document():
            from app.documents.tables import Column, Table, TableDocument
            columns = [Column("ผู้มีสิทธิ", width=26), Column("ผู้ป่วย", width=30), Column("วันที่รักษา", "date", 18),
                       Column("ขอเบิก (บาท)", "money", 14), Column("สปสช. อนุมัติ (บาท)", "money", 16),
                       Column("ยอดเรื่องเบิก (บาท)", "money", 16), Column("สถานะเรื่องเบิก", width=22),
                       Column("ผลการตรวจ", width=48)]
            body = [[r.claimant, r.patient, r.line.first_day, r.line.claimed, r.line.nhso, r.line.here,
                     r.line.state.th if r.line.state else "ไม่มีในเครื่องนี้", r.explained()] for r in rows]
            t = rec.transfer
            transfer = f"โอนเมื่อ {format_date_short(t.date)} เลขอ้างอิง {t.ref} ยอดโอน {amount_text(t.amount)} บาท" \
                if t else "ยังไม่โอน"
            return TableDocument(f"ผลการตรวจรายการโอนเงินจาก สปสช. เดือน{rec.month_th}",
                                 Table(columns, body, totals=["รวม", "", "", None, rec.lines_sum, None, "", ""]),
                                 subtitle=[f"เลขที่ {rec.statement_id} · {transfer}",
                                           f"ยอดรวมตามรายการ {amount_text(rec.total)} บาท · {rec.status[0]}",
                                           f"ณ วันที่ {format_date_short(today)}"])

        write_table_xlsx(self, self.host, path, document, "reconciliation")


__all__ = ["LineRow", "PaymentsTab", "header_html", "lines_of"]
