"""The finance officer's desk (issue 19 §4) as they meet it on the 1366×768 laptop: the real workspace logged in as
the training unit's finance officer over a real SQLCipher working copy, SANE's test document feeder for the scans.

The tour: a 10-sheet batch from the feeder (the test feeder always holds 10), seven sheets that were not this
claim's removed, the three left labelled (a two-page receipt, a medical certificate); a claim for a beneficiary's
child whose last two days of care fall after the child's 20th birthday — refused beside the dates — fixed, sent
(one outbox item owed), its pages one PDF in the encrypted store. A registry officer's window shows no claims; the
form fits the laptop; Ctrl+N, Ctrl+S and Escape do what they say.

``LGO_SHOTS=folder`` saves the desk, the form and the evidence panel as PNGs there."""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtTest import QTest

from app.claims import ClaimState, PageLabel, PaidFirst
from app.claims.evidence import bookmarks, page_count
from app import training
from app.domain import Employment, Parentage, ParentKind, Role
from app.rules.entitlement import Relation
from app.store import AttachmentStore
from app.store.claims import ClaimStore
from app.store.outbox import Kind
from app.usecases import Desk
from app.usecases.claims import View
from tests.builders import keep_payment, new_cid, person
from sync.licence import Check, LicenceState
from sync.session import Account, Session
from tests.test_ui_window import OFFICER, TODAY, TRAINING, Office, fill
from ui.claims import ClaimDialog
from ui.dialogs import available
from ui.fonts import install_fonts, install_style
from ui.qt import QApplication, Qt
from ui.workspace import Workspace

FINANCE = next(o for o in TRAINING.officers if o.role is Role.FINANCE_OFFICER)
SHOTS = os.environ.get("LGO_SHOTS", "")


def shot(widget, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


@pytest.fixture
def office(qapp, data_dir, keys):
    install_fonts(qapp)
    install_style(qapp)            # the program's look, as ui/main.py gives it (the red reasons under the fields)
    o = Office(data_dir, keys)
    yield o
    o.close()
    qapp.setStyleSheet("")


@pytest.fixture
def family(office):
    """A beneficiary of the training unit and their child, who turned 20 on 15 March 2026 (2569)."""
    me = person(first="ประเสริฐ", last="ทดลองเบิก", cid=new_cid())
    kid = person(first="ภูมิใจ", last="ทดลองเบิก", born=dt.date(2006, 3, 15), cid=new_cid())
    code = office.unit.code if office.unit else "TRN0001"
    office.call(office.register.put, [(me, 1), (kid, 1),
                                      (Employment("claims-e1", me.cid, code, "local_official", dt.date(2005, 10, 1),
                                                  "ปลัด"), 1),
                                      (Parentage("claims-p1", me.cid, kid.cid, ParentKind.LEGITIMATE), 1)])
    return me, kid


def finance_window(office, qtbot) -> Workspace:
    """The workspace as the finance officer logs in to it (the way tests/test_ui_window.py logs officers in): no
    people list is read for them, so the window is ready once the claims are listed."""
    account = Account(FINANCE.email, FINANCE.cid, FINANCE.name, FINANCE.role, training.UNIT.code)
    session = Session(account, True, office.register, SimpleNamespace(get_blob=None), Check(LicenceState.VALID, ""),
                      "pc1")
    w = Workspace(office.runner, session, None, TODAY, training=True)
    qtbot.addWidget(w)
    office.windows.append(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    with qtbot.waitSignal(w.claims.loaded, timeout=30000):
        w.attach(office.register, office.unit)
    return w


def new_claim(qtbot, w) -> ClaimDialog:
    QTest.keyClick(w.claims.table, Qt.Key_N, Qt.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(w.dialog, ClaimDialog) and w.dialog.isVisible(), timeout=5000)
    return w.dialog


def choose_people(qtbot, dialog: ClaimDialog, claimant: str, patient: str, relation: Relation) -> None:
    with qtbot.waitSignal(dialog.patients_listed, timeout=10000):
        fill(dialog.claimant_search, claimant)
    dialog.choose_patient(patient, relation)


def checked(qtbot, dialog: ClaimDialog, until) -> None:
    """Wait for the live checks (they run a moment after the last keystroke) to show what ``until`` wants."""
    qtbot.waitUntil(lambda: until(dialog), timeout=10000)


def test_a_finance_officer_scans_a_batch_builds_a_claim_for_a_child_fixes_the_dates_and_sends_it(office, qtbot,
                                                                                                 family):
    me, kid = family
    w = finance_window(office, qtbot)
    assert w.tabs.count() == 2 and w.tabs.widget(0) is w.claims       # their own desk, not the people list
    assert w.model.rowCount() == 0                                    # (the register is not listed for them)
    shot(w, "desk-empty")
    dialog = new_claim(qtbot, w)
    choose_people(qtbot, dialog, me.cid, kid.cid, Relation.CHILD)

    # the feeder: every sheet shows as it arrives; seven that are not this claim's are removed
    panel = dialog.evidence
    arrived: list[int] = []
    said: list[str] = []
    panel.page_arrived.connect(lambda n: arrived.append((n, panel.list.count())))
    panel.said.connect(said.append)
    panel.page_arrived.connect(lambda n: shot(panel, "evidence-arriving") if n == 4 else None)
    with qtbot.waitSignal(panel.scanned, timeout=180000) as done:
        QTest.mouseClick(panel.batch_button, Qt.LeftButton)
    assert done.args == [10] and len(panel.pages) == 10
    assert arrived == [(n, n) for n in range(1, 11)]                 # each page listed as it came
    assert [t for t in said if t.startswith("หน้า")] == [f"หน้า {n}…" for n in range(1, 11)]
    assert "10 หน้า" in panel.status.text()
    for row in range(3, 10):
        panel.list.item(row).setSelected(True)
    QTest.mouseClick(panel.remove_button, Qt.LeftButton)
    assert len(panel.pages) == 3 and panel.list.count() == 3

    fill(dialog.facility, "โรงพยาบาลทดลองเบิก")
    dialog.care.setCurrentIndex(dialog.care.findData("ipd"))
    fill(dialog.first_day, "10/03/2569")
    fill(dialog.last_day, "16/03/2569")
    fill(dialog.illness, "ปอดอักเสบ")
    dialog.paid_first.setCurrentIndex(dialog.paid_first.findData(PaidFirst.CANNOT_BILL.value))
    dialog.set_receipt(0, "IV-1", "16/03/2569", "นายประเสริฐ ทดลองเบิก", "8,200")
    assert "8,200.00 บาท" in dialog.claimed.text() and "แปดพันสองร้อยบาทถ้วน" in dialog.claimed.text()
    panel.list.clearSelection()
    panel.list.item(0).setSelected(True)
    panel.list.item(1).setSelected(True)
    panel.choose_label(PageLabel.RECEIPT, "IV-1")                   # a receipt of two pages
    panel.list.clearSelection()
    panel.list.item(2).setSelected(True)
    panel.choose_label(PageLabel.MEDICAL_CERTIFICATE)
    QTest.mouseClick(panel.right_button, Qt.LeftButton)             # scanned upside down… and turned back
    QTest.mouseClick(panel.left_button, Qt.LeftButton)

    # the child turned 20 on 15 March: those two days are refused beside the dates, and it cannot be sent
    checked(qtbot, dialog, lambda d: "15/03/2569 – 16/03/2569" in d.marks.note("days").text())
    assert d_visible(dialog.marks.note("days"))
    assert "ไม่มีสิทธิ" in dialog.marks.note("days").text()
    assert not dialog.submit_button.isEnabled() and not dialog.ready_button.isEnabled()
    assert "15/03/2569" in dialog.checklist.text()
    shot(dialog, "form-refused")
    shot(panel, "evidence-panel")

    fill(dialog.last_day, "14/03/2569")
    dialog.set_receipt(0, "IV-1", "14/03/2569", "นายประเสริฐ ทดลองเบิก", "8,200")
    checked(qtbot, dialog, lambda d: d.submit_button.isEnabled())
    assert not dialog.marks.note("days").isVisible() and "ส่ง สปสช. ได้" in dialog.checklist.text()
    shot(dialog, "form-ready")
    with qtbot.waitSignal(dialog.kept, timeout=30000) as kept:
        QTest.mouseClick(dialog.submit_button, Qt.LeftButton)
    claim = kept.args[0]
    assert claim.state is ClaimState.SUBMITTED and claim.claimed == Decimal("8200.00")
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)

    # one item owed to the server; the pages are one PDF in the encrypted store, a Page per page of it
    desk = Desk.of(office.register, FINANCE)
    [item] = office.call(lambda: desk.outbox.due(Kind.CLAIM))
    assert item.payload["claim"]["id"] == claim.id
    stored = office.call(lambda: ClaimStore(office.register.wc).get(claim.id))
    assert [(p.label, p.receipt) for p in stored.pages] == [(PageLabel.RECEIPT, "IV-1"), (PageLabel.RECEIPT, "IV-1"),
                                                            (PageLabel.MEDICAL_CERTIFICATE, "")]
    assert len({p.sha256 for p in stored.pages}) == 1
    pdf = office.call(lambda: AttachmentStore(office.register.wc).get(stored.pages[0].sha256))
    assert page_count(pdf) == 3 and bookmarks(pdf) == [("ใบเสร็จเลขที่ IV-1", 0), ("ใบรับรองแพทย์", 2)]

    # the desk follows: nothing waits to be sent, the claim is at NHSO
    tab = w.claims
    with qtbot.waitSignal(tab.loaded, timeout=10000):
        tab.show_view(View.AT_NHSO)
    assert tab.model.rowCount() == 1
    cells = tab.model.rows[0].cells()
    assert cells[0] == me.name_th and kid.name_th in cells[1] and "บุตร" in cells[1]
    assert cells[4] == "8,200.00" and cells[5] == ClaimState.SUBMITTED.th and cells[3] == "10–14/03/2569 (5 วัน)"
    assert "อยู่ที่ สปสช. (1)" in tab.views.item(1).text()
    shot(w, "desk-at-nhso")


def d_visible(label) -> bool:
    return not label.isHidden()


def test_a_registry_officers_window_shows_no_claims(office, qtbot):
    w = office.window(qtbot, OFFICER)
    assert w.claims is None
    assert all(w.tabs.widget(i).objectName() != "claimsDesk" for i in range(w.tabs.count()))


def test_the_claim_form_fits_the_laptop_screen_and_keeps_its_buttons_in_view(office, qtbot):
    w = finance_window(office, qtbot)
    dialog = new_claim(qtbot, w)
    room = available(dialog)
    frame = dialog.frameGeometry()
    assert room.contains(frame.topLeft()) and frame.width() <= room.width() and frame.height() <= room.height()
    for b in (dialog.draft_button, dialog.submit_button, dialog.close_button, dialog.evidence.batch_button):
        corner = b.mapTo(dialog, b.rect().bottomRight())
        assert dialog.rect().contains(corner), b.objectName()
    shot(dialog, "form-new")


def test_ctrl_s_keeps_a_draft_that_the_desk_lists_to_submit_and_escape_asks_before_discarding(office, qtbot, family):
    me, kid = family
    w = finance_window(office, qtbot)
    dialog = new_claim(qtbot, w)
    choose_people(qtbot, dialog, me.cid, me.cid, Relation.SELF)
    fill(dialog.facility, "คลินิกทดลอง")
    with qtbot.waitSignal(w.claims.loaded, timeout=10000):
        with qtbot.waitSignal(dialog.kept, timeout=10000) as kept:
            QTest.keyClick(dialog.facility, Qt.Key_S, Qt.ControlModifier)
    assert kept.args[0].state is ClaimState.DRAFT
    assert w.claims.view() is View.TO_SUBMIT and w.claims.model.rowCount() == 1
    assert not dialog.dirty

    fill(dialog.illness, "ไข้")
    QTest.keyClick(dialog.illness, Qt.Key_Escape)
    qtbot.waitUntil(lambda: dialog.discard_question is not None and dialog.discard_question.isVisible(), timeout=5000)
    assert dialog.isVisible()
    names = [b.objectName() for b in dialog.discard_question.buttons()]
    assert "discardKeepDraft" in names
    dialog.discard_question.reject()              # "go back": still typing
    qtbot.waitUntil(lambda: dialog.discard_question is None, timeout=5000)
    assert dialog.isVisible()
    dialog.discard()
    assert not dialog.isVisible()


def test_a_kept_claim_opens_again_with_its_pages_and_people(office, qtbot, family, tmp_path):
    me, kid = family
    w = finance_window(office, qtbot)
    dialog = new_claim(qtbot, w)
    choose_people(qtbot, dialog, me.cid, kid.cid, Relation.CHILD)
    from PIL import Image
    jpg = tmp_path / "receipt.jpg"
    Image.new("L", (600, 800), 200).save(jpg, "JPEG", dpi=(150, 150))
    pdf = tmp_path / "certificate.pdf"
    two_page_pdf(pdf)
    with qtbot.waitSignal(dialog.evidence.scanned, timeout=10000):
        drop(dialog.evidence, [jpg, tmp_path / "notes.txt"])         # dragged from the desktop (the .txt is not taken)
    with qtbot.waitSignal(dialog.evidence.scanned, timeout=10000):
        dialog.evidence.import_paths([str(pdf)])                     # «นำเข้าไฟล์…»'s choice
    with qtbot.waitSignal(dialog.evidence.scanned, timeout=60000) as one:
        QTest.mouseClick(dialog.evidence.one_button, Qt.LeftButton)  # SANE's test flatbed: one page
    assert one.args == [1]
    assert [p.mime for p in dialog.evidence.pages] == ["image/jpeg", "application/pdf", "application/pdf", "image/jpeg"]
    fill(dialog.facility, "คลินิกทดลอง")
    with qtbot.waitSignal(dialog.kept, timeout=10000):
        QTest.mouseClick(dialog.draft_button, Qt.LeftButton)
    dialog.discard()
    qtbot.waitUntil(lambda: w.claims.model.rowCount() == 1, timeout=10000)
    w.claims.table.selectRow(0)
    again = w.claims.open_chosen()
    with qtbot.waitSignal(again.loaded, timeout=10000):
        pass
    qtbot.waitUntil(lambda: again.patient.currentData() == f"{kid.cid}|child", timeout=10000)
    assert len(again.evidence.pages) == 4 and again.facility.text() == "คลินิกทดลอง"
    assert again.draft_button.isVisible() and again.evidence.batch_button.isVisible()   # a draft is still changed


def two_page_pdf(path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas
    canvas = Canvas(str(path))
    for n in (1, 2):
        canvas.drawString(72, 720, f"page {n}")
        canvas.showPage()
    canvas.save()


def drop(widget, paths) -> None:
    """Files dropped on ``widget`` as from Explorer or the desktop: the drag enters, then the drop."""
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    (paths[-1]).write_text("not a document")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    centre = widget.rect().center()
    enter = QDragEnterEvent(centre, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(widget, QDropEvent(QPointF(centre), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))


def test_a_sent_claim_opens_to_be_looked_at_not_changed(office, qtbot, family):
    me, kid = family
    claim_at(office, me, kid, "IV-6", states=())
    w = finance_window(office, qtbot)
    tab = w.claims
    from app.usecases import claims as uc
    office.call(lambda: uc.submit(Desk.of(office.register, FINANCE),
                                  ClaimStore(office.register.wc).all(FINANCE.unit_code)[0]))
    with qtbot.waitSignal(tab.loaded, timeout=10000):
        tab.show_view(View.AT_NHSO)
    tab.table.selectRow(0)
    dialog = tab.open_chosen()
    qtbot.waitUntil(lambda: dialog.patient.currentData() == f"{kid.cid}|child", timeout=10000)
    assert not dialog.facility.isEnabled() and not dialog.submit_button.isVisible()
    assert not dialog.draft_button.isVisible() and dialog.print_button.isEnabled()
    assert not dialog.evidence.batch_button.isVisible() and not dialog.evidence.acceptDrops()
    assert ClaimState.SUBMITTED.th in dialog.windowTitle()
    QTest.keyClick(dialog, Qt.Key_Escape)                            # nothing typed: it closes without asking
    assert not dialog.isVisible()


# --- after NHSO: repaid, and the papers -------------------------------------------------------------------------

def claim_at(office, me, kid, number: str, states=(ClaimState.ACCEPTED, ClaimState.IN_TRANSFER),
             issued: dt.date = dt.date(2026, 3, 14)):
    """A claim the finance officer sent for the child, then moved by NHSO (the server's part, done here directly)."""
    from app.claims import Actor, Care, Page, Receipt, move
    from app.usecases import claims as uc

    def make():
        d = Desk.of(office.register, FINANCE)
        c = uc.new_claim(d, me.cid, kid.cid, Relation.CHILD).with_(
            facility="โรงพยาบาลทดลองเบิก", care=Care.INPATIENT, first_day=dt.date(2026, 3, 10),
            last_day=dt.date(2026, 3, 14), illness="ปอดอักเสบ", paid_first=PaidFirst.CANNOT_BILL,
            receipts=(Receipt(number, issued, "นายประเสริฐ ทดลองเบิก", Decimal("8200")),),
            pages=(Page("a" * 64, PageLabel.RECEIPT, number), Page("a" * 64, PageLabel.MEDICAL_CERTIFICATE)))
        if not states:
            return uc.keep(d, c).claims[-1]
        c = uc.submit(d, c).claims[-1]
        now = dt.datetime.now(dt.timezone.utc)
        for state in states:
            carried = {ClaimState.IN_TRANSFER: {"statement": "ST-2569-04"},
                       ClaimState.REJECTED: {"reason": "ใบเสร็จไม่ชัดเจน"}}.get(state, {})
            c = move(c, state, Actor.NHSO, "nhso-staff", now, **carried)
        with d.transaction() as conn:
            ClaimStore(office.register.wc).save_in(conn, c)
            if ClaimState.IN_TRANSFER in states:   # NHSO's statement with its transfer, as the PC's sync keeps it
                keep_payment(conn, "ST-2569-04", FINANCE.unit_code, [c], transfer_on=dt.date(2026, 5, 18))
        return c
    return office.call(make)


def test_a_claim_nhso_transferred_is_repaid_and_its_receipt_saved_as_pdf(office, qtbot, family, tmp_path):
    from tests.pdfcheck import page_texts, squeeze

    me, kid = family
    claim = claim_at(office, me, kid, "IV-7")
    w = finance_window(office, qtbot)
    tab = w.claims
    with qtbot.waitSignal(tab.loaded, timeout=10000):
        tab.show_view(View.TO_REPAY)
    assert tab.model.rowCount() == 1 and tab.repay_button.isEnabled()
    QTest.mouseClick(tab.repay_button, Qt.LeftButton)
    dialog = w.dialog
    assert dialog.objectName() == "repayDialog" and dialog.amount.text() == "8,200.00"
    assert dialog.words.text() == "แปดพันสองร้อยบาทถ้วน"
    fill(dialog.voucher, "PV-12/2569")
    shot(dialog, "repay")
    with qtbot.waitSignal(dialog.repaid, timeout=10000) as repaid:
        QTest.keyClick(dialog.voucher, Qt.Key_Return)              # Enter records it
    assert repaid.args[0].state is ClaimState.REPAID and repaid.args[0].id == claim.id
    offer = w.dialog
    assert offer.objectName() == "offerRepaymentReceipt" and offer.isVisible()
    QTest.mouseClick(next(b for b in offer.buttons() if b.objectName() == "saveRepaymentReceipt"), Qt.LeftButton)
    qtbot.waitUntil(lambda: w.dialog.objectName() == "saveRepaymentDialog", timeout=5000)
    target = tmp_path / "ใบสำคัญรับเงิน.pdf"
    with qtbot.waitSignal(dialog.written, timeout=30000):
        w.dialog.fileSelected.emit(str(target))   # what choosing the file and pressing Save does
    text = squeeze(" ".join(page_texts(target)))
    assert "ใบสำคัญรับเงิน" in text and "PV-12/2569" in text
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0, timeout=10000)   # nothing left to repay


def test_the_claim_form_prints_to_a_chosen_file(office, qtbot, family, tmp_path):
    from tests.pdfcheck import page_texts, squeeze

    me, kid = family
    claim_at(office, me, kid, "IV-8", states=())
    w = finance_window(office, qtbot)
    w.claims.table.selectRow(0)
    dialog = w.claims.open_chosen()
    qtbot.waitUntil(lambda: dialog.patient.currentData() == f"{kid.cid}|child", timeout=10000)
    QTest.mouseClick(dialog.print_button, Qt.LeftButton)
    assert w.dialog.objectName() == "saveClaimForm"
    target = tmp_path / "ใบเบิก.pdf"
    w.dialog.fileSelected.emit(str(target))
    qtbot.waitUntil(lambda: "บันทึกใบเบิกแล้ว" in dialog.status.text(), timeout=30000)
    text = squeeze(" ".join(page_texts(target)))
    assert "IV-8" in text and "แปดพันสองร้อยบาทถ้วน" in text


def test_the_expiring_view_shows_the_days_left_in_amber_and_the_list_goes_to_excel(office, qtbot, family, tmp_path):
    from openpyxl import load_workbook

    from ui.qt import QColor

    me, kid = family
    issued = dt.date.today() - dt.timedelta(days=350)    # 15 or 16 days left of its year
    claim_at(office, me, kid, "IV-9", states=(), issued=issued)
    w = finance_window(office, qtbot)
    tab = w.claims
    with qtbot.waitSignal(tab.loaded, timeout=10000):
        tab.show_view(View.EXPIRING)
    assert tab.model.rowCount() == 1
    left = tab.model.index(0, 6)
    assert tab.model.data(left).endswith("วัน") and tab.model.data(left, Qt.ForegroundRole) == QColor("#b45309")
    shot(w, "desk-expiring")
    QTest.mouseClick(tab.export_button, Qt.LeftButton)
    assert w.dialog.objectName() == "exportClaimsDialog"
    target = tmp_path / "เรื่องเบิก.xlsx"
    w.dialog.fileSelected.emit(str(target))
    qtbot.waitUntil(target.exists, timeout=30000)
    values = [c for row in load_workbook(target).active.iter_rows(values_only=True) for c in row if c is not None]
    assert me.name_th in values and 8200 in values


def test_a_draft_is_cancelled_with_a_reason_and_a_rejected_claim_opens_with_nhsos_reason(office, qtbot, family):
    me, kid = family
    claim_at(office, me, kid, "IV-5", states=())
    rejected = claim_at(office, me, kid, "IV-4", states=(ClaimState.REJECTED,))
    w = finance_window(office, qtbot)
    tab = w.claims
    tab.table.selectRow(0)
    assert tab.cancel_button.isEnabled()
    QTest.mouseClick(tab.cancel_button, Qt.LeftButton)
    dialog = w.dialog
    assert dialog.objectName() == "cancelClaimDialog"
    with qtbot.waitSignal(tab.loaded, timeout=10000):
        QTest.mouseClick(dialog.ok, Qt.LeftButton)          # no reason: refused, said in Thai
        qtbot.waitUntil(lambda: "เหตุผล" in dialog.status.text(), timeout=10000)
        fill(dialog.reason, "ผู้มีสิทธิขอถอนเรื่อง")
        QTest.keyClick(dialog.reason, Qt.Key_Return)
    assert tab.model.rowCount() == 0
    with qtbot.waitSignal(tab.loaded, timeout=10000):
        tab.show_view(View.REJECTED)
    tab.table.selectRow(0)
    assert tab.model.rows[0].claim.id == rejected.id
    again = tab.open_chosen()
    assert "ไม่อนุมัติ" in again.status.text() and again.draft_button.isVisible()
