"""Issue 19's tour, end to end through the real parts: the finance officer's training card in the virtual reader
(pcscd + vpcd), their first log-in against a real central server on loopback, SANE's test document feeder loaded
with three sheets, the encrypted working copy, NHSO's side through ``lgo-central``.

The finance officer scans a 3-page batch, builds a claim for a beneficiary's child, sees the days of care after the
child's 20th birthday refused beside the dates, fixes them and submits; builds a second claim for the beneficiary
from one flatbed page and submits it; both reach the server at the next sync. NHSO's staff reject one and accept
the other; the month is closed and the transfer recorded; the finance officer's PC learns it all at its sync,
shows the reconciliation, repays the claimant, saves the receipt they sign, and exports the audit package, whose
manifest verifies with ``python -m app.claims.audit --verify`` in a process of its own."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal

import pytest
from PySide6.QtTest import QTest

import server.claims
from app import events, training
from app.changeset import ReviewState
from app.claims import ClaimState, PageLabel, PaidFirst
from app.claims.evidence import page_count
from app.rules.entitlement import Relation, add_years
from app.store import AttachmentStore
from app.store.claims import ClaimStore
from card.emulator.profiles import load
from scan import SaneScanner
from server.cli import main as central_cli
from tests.builders import person
from tests.central import OFFICERS, REGISTRAR, REGISTRY, UNIT, approve, import_unit, push, ready_session
from tests.pdfcheck import page_texts, squeeze
from tests.test_ui_desk import PASSWORD, click, fill, log_in, make_desk, sync
from ui.qt import QLabel, Qt
from ui.claims import ClaimDialog

FINANCE = OFFICERS[2]
TODAY = dt.date.today()


def thai(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


@pytest.fixture
def office(central_sqlite, tmp_path):
    """The training unit on the central server: a beneficiary hired in 2024 whose child turned 20 forty days ago,
    approved by the registrar into the register of record."""
    import_unit(central_sqlite, tmp_path, UNIT, training.UNIT.name, OFFICERS)
    registry, registrar = ready_session(central_sqlite, REGISTRY), ready_session(central_sqlite, REGISTRAR)
    birthday = TODAY - dt.timedelta(days=40)
    me = person(first="ประเสริฐ", last="ทดลองเบิก", born=dt.date(1980, 5, 5))
    kid = person(first="ภูมิใจ", last="ทดลองเบิก", born=add_years(birthday, -20))
    cs = events.hire(UNIT, REGISTRY.cid, me, "local_official", dt.date(2024, 1, 1), "ปลัด",
                     dependents=[events.NewDependent(kid, Relation.CHILD)])
    cs.state = ReviewState.PENDING
    assert push(registry, cs)["state"] == "pending"
    assert approve(registrar, cs).json()["status"] == "applied"
    central_sqlite.family = (me, kid, birthday)
    return central_sqlite


def new_claim(qtbot, w) -> ClaimDialog:
    before = w.dialog
    click(w.claims.new_button)
    qtbot.waitUntil(lambda: w.dialog is not before and isinstance(w.dialog, ClaimDialog), timeout=5000)
    qtbot.waitUntil(lambda: w.dialog.isVisible(), timeout=5000)
    return w.dialog


def people(qtbot, dialog, claimant: str, patient: str, relation: Relation) -> None:
    with qtbot.waitSignal(dialog.patients_listed, timeout=10000):
        fill(dialog.claimant_search, claimant)
    dialog.choose_patient(patient, relation)


def sent(qtbot, dialog):
    qtbot.waitUntil(lambda: dialog.submit_button.isEnabled(), timeout=10000)
    with qtbot.waitSignal(dialog.kept, timeout=30000) as kept:
        click(dialog.submit_button)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    return kept.args[0]


def test_the_finance_officers_month_from_the_scanner_to_the_audit_package(qtbot, qapp, tmp_path, slots, office,
                                                                           monkeypatch, capsys):
    me, kid, birthday = office.family
    db = str(office.engine.url.render_as_string(hide_password=False))

    # --- the finance officer's first log-in, with their own card in the reader --------------------------------
    slots[0].insert(load("finance").card())
    desk = make_desk(qtbot, qapp, tmp_path, "finance-pc", office.url)
    user, mailed = office.inbox.password_for(FINANCE.email)
    log_in(qtbot, desk, user, mailed, new_password=PASSWORD)
    w = desk.window
    assert w.tabs.widget(0) is w.claims and "การเงิน" in w.user_label.text()
    w.claims.scanner = SaneScanner(sheets=3)          # three sheets put in SANE's test feeder

    # --- the child's claim: three sheets from the feeder, the days after the 20th birthday refused, then fixed ---
    dialog = new_claim(qtbot, w)
    people(qtbot, dialog, me.cid, kid.cid, Relation.CHILD)
    panel = dialog.evidence
    with qtbot.waitSignal(panel.scanned, timeout=120000) as scanned:
        click(panel.batch_button)
    assert scanned.args == [3] and panel.list.count() == 3
    first, last = birthday - dt.timedelta(days=3), birthday + dt.timedelta(days=1)
    fill(dialog.facility, "โรงพยาบาลเอกชนทดลอง")
    dialog.care.setCurrentIndex(dialog.care.findData("ipd"))
    fill(dialog.first_day, thai(first))
    fill(dialog.last_day, thai(last))
    fill(dialog.illness, "ไข้เลือดออก")
    dialog.paid_first.setCurrentIndex(dialog.paid_first.findData(PaidFirst.CANNOT_BILL.value))
    dialog.set_receipt(0, "RC-101", thai(last), me.name_th, "12,450")
    for rows, label, receipt in (((0, 1), PageLabel.RECEIPT, "RC-101"), ((2,), PageLabel.MEDICAL_CERTIFICATE, "")):
        panel.list.clearSelection()
        for row in rows:
            panel.list.item(row).setSelected(True)
        panel.choose_label(label, receipt)
    qtbot.waitUntil(lambda: thai(birthday) in dialog.marks.note("days").text(), timeout=10000)
    assert "ไม่มีสิทธิ" in dialog.marks.note("days").text() and not dialog.submit_button.isEnabled()
    fixed = birthday - dt.timedelta(days=1)
    fill(dialog.last_day, thai(fixed))
    dialog.set_receipt(0, "RC-101", thai(fixed), me.name_th, "12,450")
    child_claim = sent(qtbot, dialog)
    assert child_claim.state is ClaimState.SUBMITTED and child_claim.claimed == Decimal("12450.00")

    # --- the beneficiary's own out-patient claim: one page on the flatbed ---------------------------------------
    dialog = new_claim(qtbot, w)
    people(qtbot, dialog, me.cid, me.cid, Relation.SELF)
    panel = dialog.evidence
    with qtbot.waitSignal(panel.scanned, timeout=60000) as scanned:
        click(panel.one_button)
    assert scanned.args == [1] and panel.list.count() == 1
    day = TODAY - dt.timedelta(days=20)
    fill(dialog.facility, "คลินิกทดลอง")
    fill(dialog.first_day, thai(day))
    fill(dialog.last_day, thai(day))
    fill(dialog.illness, "ปวดหลัง")
    dialog.paid_first.setCurrentIndex(dialog.paid_first.findData(PaidFirst.EMERGENCY.value))
    dialog.set_receipt(0, "CL-7", thai(day), me.name_th, "850")
    panel.list.item(0).setSelected(True)
    panel.choose_label(PageLabel.RECEIPT, "CL-7")
    own_claim = sent(qtbot, dialog)

    # --- the next sync takes both to the server, with their evidence ---------------------------------------------
    sync(qtbot, desk)
    with office.engine.connect() as conn:
        staged = {c["claim"]["id"] for c in server.claims.waiting(conn)}
    assert staged == {child_claim.id, own_claim.id}

    # --- NHSO's staff: the child's claim accepted, the clinic's rejected; the month closed; the transfer recorded ---
    assert central_cli(["--db", db, "claims", "accept", child_claim.id]) == 0
    assert central_cli(["--db", db, "claims", "reject", own_claim.id, "ใบเสร็จไม่ใช่ต้นฉบับ"]) == 0
    month = TODAY.strftime("%Y-%m")
    later = dt.datetime.combine((TODAY.replace(day=28) + dt.timedelta(days=4)).replace(day=1), dt.time(3),
                                dt.timezone.utc)
    monkeypatch.setattr(server.claims, "now", lambda: later)       # NHSO closes the month once it has ended
    assert central_cli(["--db", db, "claims", "close-month", month]) == 0
    sid = f"PS-{month}-{UNIT}"
    capsys.readouterr()

    # --- the finance PC learns it at its sync: the rejected claim to correct, the accepted one in NHSO's statement --
    sync(qtbot, desk)
    store = ClaimStore(desk.window.register.wc)
    assert store.get(own_claim.id).state is ClaimState.REJECTED
    assert store.get(child_claim.id).state is ClaimState.IN_TRANSFER
    pdf = AttachmentStore(desk.window.register.wc).get(store.get(child_claim.id).pages[0].sha256)
    assert page_count(pdf) == 3
    payments = w.duty("paymentsDesk")
    w.tabs.setCurrentWidget(payments)
    qtbot.waitUntil(lambda: payments.list.rowCount() == 1, timeout=20000)
    assert payments.list.item(0, 0).text().endswith("\nยังไม่โอน")
    payments.table.selectRow(0)
    assert not payments.repay_button.isEnabled()          # nothing to repay before the money has come

    # --- NHSO transfers; the next sync brings only that, and the tab follows by itself ---------------------------
    assert central_cli(["--db", db, "claims", "transfer", sid, "--date", later.date().isoformat(),
                        "--ref", "KTB-TOUR-1"]) == 0
    sync(qtbot, desk)

    # --- the reconciliation: NHSO's signed statement against the claims here, the transfer against its total ------
    qtbot.waitUntil(lambda: "ยังไม่โอน" not in payments.list.item(0, 0).text(), timeout=20000)
    assert payments.list.item(0, 1).text() == "12,450.00 บาท · 1 เรื่อง\n✓ ตรงกันทั้งหมด"
    qtbot.waitUntil(lambda: "KTB-TOUR-1" in payments.header.text(), timeout=20000)
    [line] = payments.model.rows
    assert line.line.claim_id == child_claim.id and line.cells()[-1] == "✓ ตรงกัน"

    # --- the claimant repaid from the line, and the receipt they sign saved as PDF --------------------------------
    payments.table.selectRow(0)
    click(payments.repay_button)
    repay = w.dialog
    assert repay.objectName() == "repayDialog" and repay.amount.text() == "12,450.00"
    said = [label.text() for label in repay.findChildren(QLabel)]
    assert f"{kid.name_th} (บุตร)" in said and not any("(บุตร) (บุตร)" in t for t in said)
    fill(repay.voucher, "PV-88/2570")
    with qtbot.waitSignal(repay.repaid, timeout=10000) as repaid:
        QTest.keyClick(repay.voucher, Qt.Key_Return)
    assert repaid.args[0].state is ClaimState.REPAID
    offer = w.dialog
    click(next(b for b in offer.buttons() if b.objectName() == "saveRepaymentReceipt"))
    qtbot.waitUntil(lambda: w.dialog.objectName() == "saveRepaymentDialog", timeout=5000)
    receipt = tmp_path / "ใบสำคัญรับเงิน.pdf"
    with qtbot.waitSignal(repay.written, timeout=30000):
        w.dialog.fileSelected.emit(str(receipt))   # what choosing the file and pressing Save does
    text = squeeze(" ".join(page_texts(receipt)))
    assert "ใบสำคัญรับเงิน" in text and "PV-88/2570" in text and "หนึ่งหมื่นสองพันสี่ร้อยห้าสิบบาทถ้วน" in text
    assert squeeze(f"ตามรายการโอนเงินเลขที่ {sid}") in text        # the money traced to NHSO's transfer

    # --- the audit package of this fiscal year, verified by the CLI in a process of its own ---------------------
    w.tabs.setCurrentWidget(w.claims)
    click(w.claims.audit_button)
    audit = w.dialog
    assert audit.objectName() == "auditDialog"
    audit.year.setCurrentIndex(0)                       # the fiscal year now running: the claims were made today
    click(audit.make_button)
    package = tmp_path / "ชุดหลักฐาน.zip"
    with qtbot.waitSignal(audit.exported, timeout=60000) as got:
        w.dialog.fileSelected.emit(str(package))
    assert got.args[0].claims == 2 and got.args[0].missing == ()
    checked = subprocess.run([sys.executable, "-m", "app.claims.audit", "--verify", str(package)],
                             capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert checked.returncode == 0 and "ถูกต้อง" in checked.stdout, checked.stdout + checked.stderr
    assert got.args[0].manifest_sha256 in checked.stdout
