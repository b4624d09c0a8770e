"""The account-request wizard as a person meets it: a refused row shows its Thai reason beside it and keeps
«สร้างเอกสาร…» off; a complete request writes the letter, the workbook and the e-mail into a folder (the .eml
parsed back with both attachments); an unwritable folder is a Thai message; the log-in window opens it with
no log-in."""
from __future__ import annotations

import email
import email.policy
import os

import pytest

from app.domain import Role
from app.usecases.account_request import AccountRequest, OfficerRow, RequestKind
from tests.test_account_request import BAD_CHECK_DIGIT, team, unit
from tests.test_ui_desk import on_modal
from tests.test_ui_main_window import type_text
from ui.dialogs import available
from ui.fields import ERROR_PROPERTY
from ui.fonts import install_fonts
from ui.qt import QApplication, QFileDialog
from ui.request_wizard import RequestWizard

SHOTS = os.environ.get("LGO_SHOTS", "")


@pytest.fixture
def wizard(qapp, qtbot):
    install_fonts(qapp)
    made = []

    def make(**kw):
        w = RequestWizard(mailbox="register@nhso.example.go.th", **kw)
        qtbot.addWidget(w)
        w.show()
        made.append(w)
        return w
    yield make
    for w in made:
        w.discard()


def test_a_refused_row_shows_its_reason_beside_it_and_blocks_producing(wizard, qtbot):
    w = wizard(request=AccountRequest(RequestKind.FIRST, unit(), team()))
    w.recheck()
    assert w.produce_button.isEnabled()
    row = w.officer_rows[1]
    cid = row.fields["cid"]
    cid.clear()
    type_text(cid, BAD_CHECK_DIGIT)
    # the check runs once the typing pauses
    qtbot.waitUntil(lambda: row.reasons.isVisible(), timeout=5000)
    assert "แถวที่ 2" in row.reasons.text() and "เลขประจำตัวประชาชน" in row.reasons.text()
    assert cid.property(ERROR_PROPERTY)
    assert not w.officer_rows[0].reasons.isVisible()
    assert not w.produce_button.isEnabled()
    assert w.dirty
    if SHOTS:
        w.grab().save(os.path.join(SHOTS, "wizard-refused.png"))
    # corrected: the reason goes and the button comes back
    cid.clear()
    type_text(cid, team()[1].cid)
    qtbot.waitUntil(lambda: not row.reasons.isVisible(), timeout=5000)
    assert w.produce_button.isEnabled()


def test_the_wizard_fits_the_laptop_screen(wizard):
    w = wizard()
    room = available(w)
    assert w.frameGeometry().height() <= room.height() and w.frameGeometry().width() <= room.width()
    assert not w.produce_button.isEnabled()   # an empty request cannot be produced
    if SHOTS:
        w.grab().save(os.path.join(SHOTS, "wizard-empty.png"))


def test_a_complete_request_produces_the_three_files(wizard, qtbot, tmp_path):
    w = wizard(request=AccountRequest(RequestKind.FIRST, unit(), team()))
    w.recheck()
    folder = tmp_path / "out"
    folder.mkdir()

    def choose(dialog: QFileDialog) -> None:
        dialog.setDirectory(str(folder))
        dialog.selectFile(str(folder))
        dialog.done(QFileDialog.Accepted)

    on_modal("requestFolderDialog", choose)
    w.produce_button.click()
    qtbot.waitUntil(lambda: w.produced is not None or "ไม่" in w.summary.text(), timeout=20000)
    assert w.produced is not None, w.summary.text()
    out = w.produced
    assert out.letter.parent == folder
    assert out.letter.read_bytes().startswith(b"%PDF-")
    assert out.workbook.read_bytes().startswith(b"PK")
    msg = email.message_from_bytes(out.eml.read_bytes(), policy=email.policy.default)
    names = sorted(part.get_filename() for part in msg.iter_attachments())
    assert names == sorted([out.letter.name, out.workbook.name])
    assert "register@nhso.example.go.th" in msg["To"]
    assert w.done_box.isVisible() and out.eml.name in w.done_text.text()
    assert "สแกน" in w.done_text.text()
    assert w.open_mail.isVisible() and w.open_folder.isVisible()
    if SHOTS:
        w.grab().save(os.path.join(SHOTS, "wizard-produced.png"))


def test_an_unwritable_folder_is_a_thai_message(wizard, qtbot, tmp_path):
    w = wizard(request=AccountRequest(RequestKind.FIRST, unit(), team()))
    w.recheck()
    w.produce_into(tmp_path / "gone")   # no such folder
    qtbot.waitUntil(lambda: not w.busy, timeout=20000)
    assert w.produced is None
    assert "โฟลเดอร์" in w.summary.text() and "Traceback" not in w.summary.text()
    assert w.produce_button.isEnabled()


def test_replacement_shows_the_leavers_and_their_reasons(wizard, qtbot):
    w = wizard(request=AccountRequest(RequestKind.REPLACEMENT, unit(), team()))
    assert w.leavers_box.isVisible()
    w.show_everything()
    assert not w.produce_button.isEnabled()
    assert "พ้นหน้าที่" in w.leavers_reason.text() and w.leavers_reason.isVisible()


def test_the_log_in_window_opens_the_wizard_with_no_log_in(qapp, qtbot):
    from concurrent.futures import ThreadPoolExecutor

    from ui.card_bridge import CardBridge
    from ui.login import LoginWindow
    from ui.tasks import TaskRunner
    install_fonts(qapp)
    threads = ThreadPoolExecutor(1)
    logins = []
    try:
        w = LoginWindow(TaskRunner(threads), CardBridge(False), lambda *a: logins.append(a))
        qtbot.addWidget(w)
        w.show()
        assert w.request_button.isVisible() and w.request_button.isEnabled()
        w.request_button.click()
        wizard = w.request_wizard
        assert isinstance(wizard, RequestWizard)
        qtbot.waitUntil(wizard.isVisible, timeout=5000)
        assert logins == []                         # nobody logged in
        assert wizard.officer_rows[0].read_card.isVisible()   # the log-in window's reader reads officers' cards
        assert w.open_request_wizard() is wizard     # a second click brings the same one forward
        if SHOTS:
            wizard.grab().save(os.path.join(SHOTS, "wizard-from-login.png"))
        wizard.discard()
    finally:
        threads.shutdown(wait=False)


def test_a_registrar_opens_the_wizard_from_the_workspace_for_a_role_change(qapp, qtbot, data_dir, keys):
    from tests.test_ui_window import OFFICER, REGISTRAR, Office
    install_fonts(qapp)
    office = Office(data_dir, keys)
    try:
        registry_officer = office.window(qtbot, OFFICER)
        assert getattr(registry_officer, "request_button", None) is None   # the registrar's only
        w = office.window(qtbot, REGISTRAR)
        w.request_button.click()
        wizard = w.request_wizard
        assert isinstance(wizard, RequestWizard)
        qtbot.waitUntil(wizard.isVisible, timeout=5000)
        assert wizard.request_kind() is RequestKind.ROLE_CHANGE
        me = wizard.request().officers[0]
        assert me.role is Role.REGISTRAR and me.current_role is Role.REGISTRAR and me.name == REGISTRAR.name
        if SHOTS:
            wizard.grab().save(os.path.join(SHOTS, "wizard-role-change.png"))
        wizard.discard()
    finally:
        office.close()


# --- closing, fitting, the card, the files, the keyboard -----------------------------------------------------

def test_escape_or_close_with_typed_data_asks_before_discarding(wizard, qtbot):
    from PySide6.QtTest import QTest

    from ui.qt import Qt
    untouched = wizard()
    QTest.keyClick(untouched, Qt.Key_Escape)      # nothing typed: Escape just closes
    qtbot.waitUntil(lambda: not untouched.isVisible(), timeout=5000)

    w = wizard()
    type_text(w.unit_edits["name"], "เทศบาลตำบลทดลอง")
    QTest.keyClick(w.unit_edits["name"], Qt.Key_Escape)
    qtbot.waitUntil(lambda: w.discard_question is not None and w.discard_question.isVisible(), timeout=5000)
    question = w.discard_question
    assert question.text() == "ละทิ้งข้อมูลที่กรอก?"
    QTest.keyClick(question, Qt.Key_Escape)      # Escape on the question: back to the form, nothing lost
    qtbot.waitUntil(lambda: w.discard_question is None, timeout=5000)
    assert w.isVisible() and w.unit_edits["name"].text() == "เทศบาลตำบลทดลอง"

    w.close()                                     # the window's ✕ asks the same
    qtbot.waitUntil(lambda: w.discard_question is not None and w.discard_question.isVisible(), timeout=5000)
    discard = next(b for b in w.discard_question.buttons() if b.text() == "ละทิ้ง")
    discard.click()
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=5000)


def test_a_role_change_shows_the_current_role_column_without_scrolling_sideways(wizard, qtbot):
    rows = team()
    for r in rows:
        r.current_role = r.role
    rows[2].role = Role.REGISTRY_OFFICER
    w = wizard(request=AccountRequest(RequestKind.ROLE_CHANGE, unit(), rows))
    qtbot.waitUntil(lambda: w.officer_rows[0].current_role.isVisible(), timeout=5000)
    w.scroll.ensureWidgetVisible(w.officer_rows[-1])
    assert w.scroll.widget().minimumSizeHint().width() <= w.scroll.viewport().width(), "the rows are wider than the window"
    bar = w.scroll.horizontalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() == 0 and not bar.isVisible(), timeout=5000)   # once laid out
    for row in w.officer_rows:
        assert row.labels["current_role"].text() == "บทบาทเดิม" and row.labels["current_role"].isVisible()
        # what the officer reads back is whole: the ID, the mobile, the e-mail and both roles
        for name in ("cid", "mobile", "email"):
            field = row.fields[name]
            assert field.fontMetrics().horizontalAdvance(field.text()) <= field.contentsRect().width() - 4, name
        for combo in (row.role, row.current_role):
            assert combo.fontMetrics().horizontalAdvance(combo.currentText()) <= combo.width() - 24, combo.currentText()
        # …and the columns stand under one another
        assert row.fields["email"].mapTo(w, row.fields["email"].rect().topLeft()).x() == \
            w.officer_rows[0].fields["email"].mapTo(w, w.officer_rows[0].fields["email"].rect().topLeft()).x()
    if SHOTS:
        w.grab().save(os.path.join(SHOTS, "wizard-role-change-columns.png"))


def test_read_from_card_fills_the_officers_name_and_id_from_the_card_in_the_reader(wizard, qtbot, slots):
    from card.emulator.profiles import load
    from ui.card_bridge import CardBridge
    profile = load("staff1")
    title, first, middle, last = profile.fields["name_th"].split("#")
    expected = (title + first if title in ("นาย", "นาง", "นางสาว") else f"{title} {first}") + \
        "".join(f" {p}" for p in (middle, last) if p.strip())
    cid = profile.fields["cid"]
    bridge = CardBridge(False)
    bridge.start()
    try:
        slots[0].insert(profile.card())
        qtbot.waitUntil(lambda: bool(bridge.present), timeout=10000)
        typed = OfficerRow(position="นักทรัพยากรบุคคล", role=Role.REGISTRY_OFFICER, email="hr@thodlong.go.th")
        w = wizard(request=AccountRequest(RequestKind.FIRST, unit(), [typed]), card=bridge)
        row = w.officer_rows[0]
        assert row.read_card.isVisible()
        row.read_card.click()
        qtbot.waitUntil(lambda: row.fields["name"].text() != "", timeout=15000)
        assert row.fields["name"].text() == expected
        assert row.fields["cid"].text() == f"{cid[0]}-{cid[1:5]}-{cid[5:10]}-{cid[10:12]}-{cid[12]}"
        assert row.fields["position"].text() == "นักทรัพยากรบุคคล" and row.fields["email"].text() == "hr@thodlong.go.th"
        assert w.dirty                            # read into the form: closing now asks first
        if SHOTS:
            w.grab().save(os.path.join(SHOTS, "wizard-read-card.png"))
    finally:
        bridge.stop()


def test_after_producing_the_folder_and_the_mail_can_be_opened(wizard, qtbot, tmp_path, monkeypatch):
    import ui.request_wizard as module
    opened = []
    monkeypatch.setattr(module.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    w = wizard(request=AccountRequest(RequestKind.FIRST, unit(), team()))
    w.recheck()
    assert not w.open_folder.isVisible() and not w.open_mail.isVisible()   # nothing made yet
    w.produce_into(tmp_path)
    qtbot.waitUntil(lambda: w.produced is not None, timeout=20000)
    assert w.open_folder.isVisible() and w.open_mail.isVisible()
    assert w.open_mail.text() == "เปิดในโปรแกรมอีเมล"
    w.open_mail.click()
    w.open_folder.click()
    assert opened == [str(w.produced.eml), str(tmp_path)]


def test_tab_walks_the_fields_in_reading_order(wizard, qtbot):
    from PySide6.QtTest import QTest

    from ui.qt import Qt
    from ui.request_wizard import UNIT_FIELDS
    w = wizard(request=AccountRequest(RequestKind.FIRST, unit(), team()[:2]))
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
    w.add_officer.click()                        # a row added after the window opened takes its turn too
    w.kind.setFocus()
    seen = []
    for _ in range(60):
        focus = QApplication.focusWidget()
        if focus is w.produce_button:
            break
        seen.append(focus)
        QTest.keyClick(focus, Qt.Key_Tab)
    else:
        pytest.fail("Tab never reached «สร้างเอกสาร…»")

    def at(widget) -> int:
        for i, f in enumerate(seen):
            if f is widget or widget.isAncestorOf(f):
                return i
        pytest.fail(f"Tab never reached {widget.objectName()}")

    unit_order = [at(w.unit_edits[name]) for name, *_ in UNIT_FIELDS]
    assert unit_order == sorted(unit_order) and at(w.kind) < unit_order[0]
    last = unit_order[-1]
    for row in w.officer_rows:
        order = [at(row.fields[name]) for name in ("name", "cid", "position", "role", "mobile", "email")]
        assert order == sorted(order) and order[0] > last, [seen[i].objectName() for i in order]
        last = at(row.remove)
        assert last > order[-1]
    assert at(w.add_officer) > last
    assert not any(w.leavers_box.isAncestorOf(f) for f in seen)   # the hidden part 3 is not in the way


def test_in_english_the_wizard_has_no_thai_but_the_data(wizard, qtbot):
    import re

    from ui.i18n import language, set_language
    from ui.qt import QComboBox, QGroupBox, QLabel, QLineEdit, QPushButton
    before = language()
    set_language("en")
    try:
        w = wizard(request=AccountRequest(RequestKind.ROLE_CHANGE, unit(), team()), card=object())
        w.recheck()
        texts = [w.windowTitle()]
        texts += [x.text() for x in w.findChildren(QLabel) if x.isVisibleTo(w)]
        texts += [x.text() + x.toolTip() for x in w.findChildren(QPushButton)]
        texts += [x.title() for x in w.findChildren(QGroupBox)]
        texts += [x.placeholderText() for x in w.findChildren(QLineEdit)]
        texts += [x.itemText(i) + x.toolTip() for x in w.findChildren(QComboBox) if x is not w.unit_edits["province"]
                  for i in range(x.count())]
        thai = [t for t in texts if re.search("[\u0e00-\u0e7f]", t)]
        assert thai == [], thai
    finally:
        set_language(before)
