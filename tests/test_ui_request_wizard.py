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
