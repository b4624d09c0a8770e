"""«รายการโอนเงินจาก สปสช.», the finance officer's second tab (issue 19 §3–4), over a finance PC's real working copy
that learnt everything from a real server on loopback: claims submitted from the PC, NHSO's decisions, the month
closed and its transfer recorded on the server (as lgo-central claims … does), the PC's sync keeping the signed
statements. The tab lists the statements newest month first, shows a statement's lines against the claims here — one
that matches, one whose amount differs — repays a claimant from a line (the claim becomes REPAID), exports the
reconciliation to Excel, and follows a sync that brings the next month's statement. A registry officer's window
has no such tab.

``LGO_SHOTS=folder`` saves the tab as a PNG there (1366×728)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from PySide6.QtTest import QTest

from app.claims import ClaimState
from app.store import DbWorker, RegisterStore, WorkingCopy
from app.store.claims import ClaimStore
from sync.licence import Check, LicenceState
from sync.session import Account, Session
from tests.builders import type_in
from tests.central import UNIT
from tests.test_claims_sync import (
    FINANCE,
    TODAY,
    finance_pc,
    nhso,
    office,  # noqa: F401 (a fixture)
    submitted,
)
from tests.test_ui_claims import shot
from ui.fonts import install_fonts, install_style
from ui.qt import QColor, Qt
from ui.tasks import TaskRunner
from ui.workspace import Workspace

# an independent oracle for the month's name: the Thai calendar's months, the year in the Buddhist era
MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม",
          "พฤศจิกายน", "ธันวาคม")


def thai_month(d: dt.date) -> str:
    return f"{MONTHS[d.month - 1]} {d.year + 543}"


def thai_day(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year + 543}"


def after(d: dt.date) -> dt.date:
    """The first day of the month after ``d``'s."""
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


class FinancePC:
    """The finance PC's working copy on the program's database worker (a second connection to the copy the sync
    engine keeps), and the finance officer's workspace over it."""

    def __init__(self, engine, path) -> None:
        self.worker = DbWorker()
        self.runner = TaskRunner(self.worker)
        keys = engine.register.wc_keys
        self.register = self.worker.call(lambda: RegisterStore(WorkingCopy.open(path, UNIT, keys)))
        self.window: Workspace | None = None

    def open(self, qtbot, statements: bool = True) -> Workspace:
        account = Account(FINANCE.email, FINANCE.cid, FINANCE.name, FINANCE.role, UNIT)
        session = Session(account, True, self.register, SimpleNamespace(get_blob=None),
                          Check(LicenceState.VALID, ""), "fin")
        w = self.window = Workspace(self.runner, session, None, TODAY)
        qtbot.addWidget(w)
        w.resize(1366, 728)
        w.show()
        tab = w.duty("paymentsDesk")
        with qtbot.waitSignal(tab.shown if statements else tab.loaded, timeout=30000):
            w.attach(self.register, None)
        return w

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
        self.worker.call(self.register.wc.close)
        self.worker.stop()


@pytest.fixture
def central_office(office):  # noqa: F811 (the fixture of tests/test_claims_sync.py)
    """The central server on loopback with the training unit's officers and a family (tests/test_claims_sync.py)."""
    return office


@pytest.fixture
def fin(central_office, tmp_path, qapp):
    install_fonts(qapp)
    install_style(qapp)
    engine = finance_pc(tmp_path, "fin", central_office)
    engine.sync_once()
    yield engine
    qapp.setStyleSheet("")


def close_and_transfer(hq, month: dt.date, ref: str | None) -> str:
    """NHSO closes ``month`` (after it ended) and, given a bank reference, records the transfer."""
    import server.claims as central_claims
    end = after(month)
    [sid] = nhso(hq, lambda conn: central_claims.close_month(conn, month.strftime("%Y-%m"), "nhso.staff",
                                                                   today=end))
    if ref:
        nhso(hq, lambda conn: central_claims.record_transfer(conn, sid, end + dt.timedelta(days=17), ref,
                                                                 today=end + dt.timedelta(days=17)))
    return sid


def test_the_finance_officer_reconciles_nhsos_statements_and_repays_from_a_line(fin, central_office, tmp_path, qtbot):
    from openpyxl import load_workbook

    import server.claims as central_claims

    hq = central_office      # the central server on loopback
    # three claims go to NHSO; NHSO accepts one, part of another, the third in full
    a, _ = submitted(fin, hq, number="IV-1", amount="1850.00")
    b, _ = submitted(fin, hq, number="IV-2", amount="3000.00")
    c, _ = submitted(fin, hq, number="IV-3", amount="1200.00")
    assert fin.sync_once().claims == 3
    nhso(hq, lambda conn: central_claims.decide(conn, a.id, "accept", "nhso.staff"))
    nhso(hq, lambda conn: central_claims.decide(conn, b.id, "partly", "nhso.staff", "2400.00",
                                                    "ค่าห้องเกินสิทธิ"))
    nhso(hq, lambda conn: central_claims.decide(conn, c.id, "accept", "nhso.staff"))
    first = close_and_transfer(hq, TODAY, "KTB-77")
    assert not fin.sync_once().errors
    # this PC's copy of the third claim says NHSO accepted 1,000.00 (its record changed behind the program's back,
    # as a restored backup might leave it): the statement's 1,200.00 must show as differing
    store = ClaimStore(fin.register.wc)
    mine = store.get(c.id)
    steps = tuple(dataclasses.replace(s, amount=Decimal("1000.00")) if s.state is ClaimState.ACCEPTED else s
                  for s in mine.history)
    with fin.register.wc.transaction() as conn:
        store.save_in(conn, mine.with_(history=steps))

    pc = FinancePC(fin, tmp_path / "fin")
    try:
        w = pc.open(qtbot)
        tab = w.duty("paymentsDesk")
        assert w.tabs.count() == 2 and w.tabs.widget(1) is tab and w.tabs.tabText(1) == "รายการโอนเงินจาก สปสช."
        w.tabs.setCurrentWidget(tab)
        assert tab.list.rowCount() == 1 and not tab.empty.isVisible()
        transferred = after(TODAY) + dt.timedelta(days=17)
        assert tab.list.item(0, 0).text() == f"{thai_month(TODAY)}\nโอนแล้ว {thai_day(transferred)}"
        assert tab.list.item(0, 1).text() == "5,450.00 บาท · 3 เรื่อง\n✗ มีรายการไม่ตรง 1 รายการ"  # 1,850+2,400+1,200
        assert tab.list.item(0, 1).foreground().color() == QColor("#b91c1c")

        header = tab.header.text()
        assert f"รายการโอนเงินเดือน{thai_month(TODAY)}" in header and first in header
        assert "KTB-77" in header and thai_day(transferred) in header and "ยังไม่โอน" not in header
        assert "ยอดรวมตามรายการ 5,450.00 บาท" in header and "ผลรวม 3 รายการ 5,450.00 บาท" in header
        rows = {r.line.claim_id: r for r in tab.model.rows}
        assert set(rows) == {a.id, b.id, c.id}
        cells = rows[a.id].cells()
        assert "ประเสริฐ" in cells[0] and "ภูมิใจ" in cells[1] and "(บุตร)" in cells[1]   # names from the register
        assert cells[3:8] == ("1,850.00", "1,850.00", "1,850.00", "รอจ่ายคืน", "✓ ตรงกัน")
        assert rows[b.id].cells()[3:6] == ("3,000.00", "2,400.00", "2,400.00") and rows[b.id].line.ok
        differs = rows[c.id].cells()
        assert differs[4:6] == ("1,200.00", "1,000.00") and differs[7] == "✗ ยอดไม่ตรง ต่าง 200.00"
        outcome = len(differs) - 1
        tip = tab.model.data(tab.model.index([r.line.claim_id for r in tab.model.rows].index(c.id), outcome),
                             Qt.ToolTipRole)
        assert tip == "ยอดเงินไม่ตรง: สปสช. อนุมัติ 1,200.00 บาท · เครื่องนี้ 1,000.00 บาท · ต่างกัน +200.00 บาท"
        colour = {cid: tab.model.data(tab.model.index(i, outcome), Qt.ForegroundRole)
                  for i, cid in enumerate(r.line.claim_id for r in tab.model.rows)}
        assert colour[a.id] == QColor("#15803d") and colour[c.id] == QColor("#b91c1c")
        shot(w, "payments")

        # repay the claimant of the matched line, from the tab
        assert not tab.repay_button.isEnabled()
        tab.table.selectRow(next(i for i, r in enumerate(tab.model.rows) if r.line.claim_id == a.id))
        assert tab.repay_button.isEnabled()
        QTest.mouseClick(tab.repay_button, Qt.LeftButton)
        dialog = w.dialog
        assert dialog.objectName() == "repayDialog" and dialog.amount.text() == "1,850.00"
        type_in(dialog.voucher, "PV-31/2569")
        with qtbot.waitSignal(tab.shown, timeout=20000), qtbot.waitSignal(dialog.repaid, timeout=10000) as repaid:
            QTest.keyClick(dialog.voucher, Qt.Key_Return)
        assert repaid.args[0].state is ClaimState.REPAID
        w.dialog.reject()                                      # «ไม่ใช่ตอนนี้»: the receipt another time
        assert pc.worker.call(lambda: ClaimStore(pc.register.wc).get(a.id)).state is ClaimState.REPAID
        again = {r.line.claim_id: r for r in tab.model.rows}
        assert again[a.id].cells()[6] == ClaimState.REPAID.th and again[a.id].line.ok   # still matches, now repaid
        qtbot.waitUntil(lambda: not tab.repay_button.isEnabled(), timeout=5000)

        # the reconciliation as a workbook
        QTest.mouseClick(tab.export_button, Qt.LeftButton)
        assert w.dialog.objectName() == "exportReconciliationDialog"
        target = tmp_path / "รายการโอนเงิน.xlsx"
        w.dialog.fileSelected.emit(str(target))   # what choosing the file and pressing Save does
        qtbot.waitUntil(target.exists, timeout=30000)
        values = [v for row in load_workbook(target).active.iter_rows(values_only=True) for v in row if v is not None]
        assert any(isinstance(v, str) and "ประเสริฐ" in v for v in values) and 1850 in values and 1000 in values and 5450 in values
        assert any(isinstance(v, str) and "KTB-77" in v for v in values)
        assert any(isinstance(v, str) and "ยอดเงินไม่ตรง" in v for v in values)

        # next month: NHSO accepts another claim and closes the month, not yet transferred; a sync brings it
        d, _ = submitted(fin, hq, number="IV-4", amount="640.00")
        fin.sync_once()
        nhso(hq, lambda conn: central_claims.decide(conn, d.id, "accept", "nhso.staff"))
        second = close_and_transfer(hq, after(TODAY), None)
        report = fin.sync_once()
        assert not report.errors and report.payments == 1
        with qtbot.waitSignal(tab.loaded, timeout=20000):
            w.refresh_lists()                      # what the window does after a sync that brought something
        assert tab.list.rowCount() == 2
        assert [tab.list.item(i, 0).text().split("\n")[0] for i in range(2)] == [thai_month(after(TODAY)),
                                                                                thai_month(TODAY)]
        assert tab.list.item(0, 0).text().endswith("\nยังไม่โอน") and tab.list.item(0, 1).text().endswith("\n✓ ตรงกันทั้งหมด")
        with qtbot.waitSignal(tab.shown, timeout=20000) as shown:
            tab.list.selectRow(0)
        assert shown.args == [second] and "ยังไม่โอน" in tab.header.text()
        tab.table.selectRow(0)
        assert tab.model.rows[0].line.state is ClaimState.IN_TRANSFER and not tab.repay_button.isEnabled()
        assert tab.model.rows[0].cells()[6] == "รอโอนเงิน"     # the money has not come: nothing to repay
        shot(w, "payments-not-transferred")
    finally:
        pc.close()


def test_a_finance_pc_without_statements_says_when_they_come(fin, tmp_path, qtbot):
    pc = FinancePC(fin, tmp_path / "fin")
    try:
        w = pc.open(qtbot, statements=False)
        tab = w.duty("paymentsDesk")
        w.tabs.setCurrentWidget(tab)
        assert tab.list.rowCount() == 0 and tab.empty.isVisible() and not tab.table.isVisible()
        assert "สิ้นเดือน" in tab.empty.text() and "ซิงก์" in tab.empty.text()
        assert not tab.export_button.isEnabled() and not tab.repay_button.isEnabled()
        shot(w, "payments-empty")
    finally:
        pc.close()


def test_a_registry_officers_window_has_no_payments_tab(open_office, qtbot):
    from tests.test_ui_window import OFFICER, Office
    w = open_office(Office).window(qtbot, OFFICER)
    assert w.duty("paymentsDesk") is None
    assert all(w.tabs.widget(i).objectName() != "paymentsDesk" for i in range(w.tabs.count()))
    assert all("สปสช." not in w.tabs.tabText(i) for i in range(w.tabs.count()))
