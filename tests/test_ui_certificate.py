"""The certificate of entitlement from the window, as a registry officer and the registrar meet it: choose a person,
press «ออกหนังสือรับรองสิทธิ…», type an admission date — the rules' refusal beside the field and the issue button off,
or the right on that day and the letter issued, saved as PDF and listed in the person's history; the registrar's
register of certificates on screen and as Excel."""
from __future__ import annotations

import datetime as dt
import io
import os
import subprocess

import pytest
from PySide6.QtTest import QTest

from app.domain import Role
from tests.test_certificates import Family
from tests.test_ui_main_window import type_text
from tests.test_ui_window import OFFICER, REGISTRAR, Office, find_in_window
from ui.certificates import CertificateDialog, RegisterDialog
from ui.fonts import install_fonts
from ui.qt import Qt

SHOTS = os.environ.get("LGO_SHOTS")   # a folder: screenshots of the dialogs are saved there to look at


@pytest.fixture
def office(qapp, data_dir, keys):
    install_fonts(qapp)
    o = Office(data_dir, keys)
    o.family = o.call(Family, o.register)
    yield o
    o.close()


def click(button) -> None:
    QTest.mouseClick(button, Qt.LeftButton)


def type_date(qtbot, dialog: CertificateDialog, text: str) -> str:
    dialog.admitted.clear()
    with qtbot.waitSignal(dialog.checked, timeout=10000, check_params_cb=lambda t: not t.startswith("กรอก")) as said:
        QTest.keyClicks(dialog.admitted, text)
    return said.args[0]


def shot(widget, name: str) -> None:
    if SHOTS:
        QTest.qWait(100)   # the layout follows a changed text at the next turn of the event loop
        widget.grab().save(os.path.join(SHOTS, name))


def test_a_refused_date_says_why_and_an_entitled_one_issues_the_letter(office, qtbot, tmp_path):
    w = office.window(qtbot, OFFICER)
    son = office.family.son
    button = w.certificate_actions.issue_button
    find_in_window(qtbot, w, son.cid)
    assert button.isEnabled()
    shot(w, "window.png")
    click(button)
    dialog = w.dialog
    assert isinstance(dialog, CertificateDialog) and dialog.isVisible()
    assert "ปิยะ" in dialog.findChild(type(dialog.verdict), "who").text()

    said = type_date(qtbot, dialog, "10/01/2567")          # after his 20th birthday (01/06/2566)
    assert "อายุครบ 20 ปี" in said and dialog.verdict.text() == said
    type_text(dialog.hospital, "โรงพยาบาลขอนแก่น")
    assert not dialog.issue_button.isEnabled()
    shot(dialog, "certificate-refused.png")

    said = type_date(qtbot, dialog, "14/03/2566")          # before it: entitled as the beneficiary's child
    assert said.startswith("✔ มีสิทธิในวันที่ 14/03/2566 ในฐานะบุตรของ")
    qtbot.waitUntil(dialog.issue_button.isEnabled, timeout=5000)
    shot(dialog, "certificate-entitled.png")
    with qtbot.waitSignal(dialog.issued, timeout=20000) as issued:
        QTest.keyClick(dialog.hospital, Qt.Key_Return)     # Enter in a field issues
    cert = issued.args[0]
    assert "/" in cert.number and cert.number in dialog.done_label.text()
    assert not dialog.issue_button.isEnabled()

    paper = tmp_path / "หนังสือรับรองสิทธิ.pdf"
    save = dialog.save_dialog
    assert save.objectName() == "saveCertificateDialog" and save.isVisible()
    with qtbot.waitSignal(dialog.saved, timeout=20000):
        save.fileSelected.emit(str(paper))
    save.close()
    assert dialog.open_button.isVisible()
    shot(dialog, "certificate-saved.png")
    text = subprocess.run(["pdftotext", str(paper), "-"], capture_output=True, text=True, check=True).stdout
    assert "ปิยะ" in text and "โรงพยาบาลขอนแก่น" in text and "๑๔ มีนาคม ๒๕๖๖" in text
    # the person's history shows it
    qtbot.waitUntil(lambda: f"ออกหนังสือรับรองสิทธิ เลขที่ {cert.number}" in w.pane.toPlainText(), timeout=10000)
    click(dialog.findChild(type(dialog.issue_button), "closeButton"))
    assert not dialog.isVisible()   # nothing typed is lost: it was issued


def test_the_registrar_lists_the_certificates_of_a_period_and_exports_them(office, qtbot, tmp_path):
    from openpyxl import load_workbook

    from app.usecases import Desk, certificates

    fam = office.family
    desk = Desk.of(office.register, REGISTRAR)
    desk.clock = lambda: dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.timezone.utc)   # within the window's month
    office.call(lambda: certificates.issue(desk, cid=fam.wife.cid, admitted_on=dt.date(2026, 3, 14),
                                           hospital="โรงพยาบาลศรีนครินทร์"))
    w = office.window(qtbot, REGISTRAR)
    assert REGISTRAR.role is Role.REGISTRAR and w.certificate_actions is not None
    click(w.certificate_actions.register_button)
    dialog = w.dialog
    assert isinstance(dialog, RegisterDialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10000)
    assert dialog.table.item(0, 3).text() == fam.wife.name_th and dialog.table.item(0, 5).text() == "คู่สมรส"
    shot(dialog, "certificate-register.png")
    book = tmp_path / "ทะเบียนคุม.xlsx"
    click(dialog.xlsx_button)
    with qtbot.waitSignal(dialog.saved, timeout=20000):
        dialog.save_dialog.fileSelected.emit(str(book))
    dialog.save_dialog.close()
    sheet = load_workbook(io.BytesIO(book.read_bytes())).active
    assert fam.wife.cid in [c.value for row in sheet.iter_rows() for c in row]
