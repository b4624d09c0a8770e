"""«ชุดหลักฐานเพื่อการตรวจสอบ…» as the finance officer meets it: the real workspace over the training unit's SQLCipher
working copy, claims of the fiscal year 2569 with their evidence in the encrypted store. The dialog proposes the
year that has ended, a Thai file name, makes the package off the GUI thread and says what went in with the
manifest's SHA-256; the package verifies (the dialog, and an independent unzip + hashlib + pypdf); a tampered one is
shown with its problem in Thai; a stopped export leaves no file; a registry officer is refused in Thai.

``LGO_SHOTS=folder`` saves the dialog idle, at work, done and after each check as PNGs there."""
from __future__ import annotations

import datetime as dt
import io
import threading
import zipfile

import pytest
from PySide6.QtTest import QTest
from pypdf import PdfReader

from app.claims import ClaimState
from app.usecases import Desk
from tests.test_claims_audit import a_claim, evidence_pdf
from tests.test_ui_claims import FINANCE, finance_window, office  # noqa: F401 (office: a fixture)
from tests.test_ui_claims import shot as grab
from tests.test_ui_window import OFFICER
from tests.test_usecases_audit import kept, recomputed
from ui.claims.audit import AuditDialog, _audit_thread, open_audit
from ui.dialogs import available
from ui.qt import Qt


def shot(dialog: AuditDialog, name: str) -> None:
    dialog.layout().activate()       # a result just set: its lines laid out before the picture
    grab(dialog, name)


@pytest.fixture
def year(office):
    """Two claims of the fiscal year 2569 with evidence, one of 2568."""
    def make():
        return [kept(office.register, a_claim(1, dt.date(2025, 11, 3), "1200.00", ClaimState.REPAID),
                     evidence_pdf("หลักฐาน 1")),
                kept(office.register, a_claim(2, dt.date(2026, 2, 14), "850.50", ClaimState.IN_TRANSFER),
                     evidence_pdf("หลักฐาน 2")),
                kept(office.register, a_claim(3, dt.date(2025, 3, 1), "500.00"), evidence_pdf("ปีก่อน"))]
    return office.call(make)


def opened(office, qtbot, officer=FINANCE) -> tuple[object, AuditDialog]:
    w = finance_window(office, qtbot)
    dialog = open_audit(w, Desk.of(office.register, officer))
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert w.dialog is dialog
    return w, dialog


def make(qtbot, w, dialog: AuditDialog, target, signal=None) -> None:
    QTest.mouseClick(dialog.make_button, Qt.LeftButton)
    assert w.dialog.objectName() == "saveAuditDialog"
    with qtbot.waitSignal(signal or dialog.exported, timeout=60000):
        w.dialog.fileSelected.emit(str(target))     # what choosing the file and pressing Save does


def check(qtbot, w, dialog: AuditDialog, package) -> str:
    QTest.mouseClick(dialog.verify_button, Qt.LeftButton)
    assert w.dialog.objectName() == "openAuditDialog"
    with qtbot.waitSignal(dialog.verified, timeout=30000):
        w.dialog.fileSelected.emit(str(package))
    return dialog.verify_result.text()


def test_the_finance_officer_makes_the_years_package_and_verifies_it(office, qtbot, year, tmp_path):
    inside = year[:2]
    w, dialog = opened(office, qtbot)
    # the workspace's day is 23 November 2026 (2569): the fiscal year 2570 runs, 2569 has ended and is proposed
    assert dialog.year.currentText() == "ปีงบประมาณ 2569"
    assert dialog.span.text() == "ตั้งแต่วันที่ 1 ตุลาคม 2568 ถึงวันที่ 30 กันยายน 2569 (นับรวมทั้งสองวัน)"
    assert not dialog.start.isEnabled() and dialog.year.itemText(0) == "ปีงบประมาณ 2570 (ปีปัจจุบัน)"
    assert (dialog.start.text(), dialog.end.text()) == ("01/10/2568", "30/09/2569")
    room = available(dialog)
    assert dialog.frameGeometry().height() <= room.height() and dialog.frameGeometry().width() <= room.width()
    shot(dialog, "audit-idle")

    QTest.mouseClick(dialog.make_button, Qt.LeftButton)
    save = w.dialog
    assert save.objectName() == "saveAuditDialog"
    assert save.selectedFiles()[0].endswith("ชุดหลักฐานเพื่อการตรวจสอบ-ปีงบประมาณ2569.zip")
    target = tmp_path / "ชุดหลักฐานเพื่อการตรวจสอบ-ปีงบประมาณ2569.zip"
    with qtbot.waitSignal(dialog.exported, timeout=60000) as got:
        save.fileSelected.emit(str(target))
    done = got.args[0]
    assert done.claims == 2 and done.path == target and done.missing == () and done.files == 4
    text = dialog.status.text()
    assert f"เรื่องเบิก 2 เรื่อง ไฟล์ {done.files} ไฟล์ พร้อมบัญชีรายการไฟล์" in text and done.manifest_sha256 in text
    assert dialog.open_folder.isVisible() and not dialog.bar.isVisible() and dialog.make_button.isEnabled()
    assert "สร้างชุดหลักฐานเพื่อการตรวจสอบแล้ว" in w.statusBar().currentMessage()
    shot(dialog, "audit-done")

    # the independent check: every file hashed again against the manifest; the evidence PDFs open
    files = recomputed(target)
    assert sorted(n for n in files if n.startswith("evidence/")) == sorted(f"evidence/{c.id}.pdf" for c in inside)
    with zipfile.ZipFile(target) as zf:
        for c in inside:
            assert len(PdfReader(io.BytesIO(zf.read(f"evidence/{c.id}.pdf"))).pages) == 1
        assert "องค์การบริหารส่วนตำบลบ้านฝึกหัด" in zf.read("manifest.json").decode()

    said = check(qtbot, w, dialog, target)
    assert said.startswith(f"«{target.name}» ถูกต้อง: ไฟล์ทั้ง {done.files} ไฟล์ตรงกับบัญชีรายการไฟล์")
    assert done.manifest_sha256 in said
    shot(dialog, "audit-verified")

    tampered = tmp_path / "แก้แล้ว.zip"
    victim = f"evidence/{inside[0].id}.pdf"
    with zipfile.ZipFile(target) as src, zipfile.ZipFile(tampered, "w") as out:
        for info in src.infolist():
            out.writestr(info, evidence_pdf("ปลอม") if info.filename == victim else src.read(info))
    said = check(qtbot, w, dialog, tampered)
    assert said.splitlines() == [f"«{tampered.name}» ไม่ถูกต้อง พบปัญหา 1 รายการ:",
                                 f"• ไฟล์ {victim} ถูกแก้ไข: รหัสตรวจสอบ (SHA-256) หรือขนาดไม่ตรงกับบัญชีรายการไฟล์"]
    shot(dialog, "audit-tampered")


def test_dates_of_ones_own_choose_the_claims_and_a_backward_range_is_said_in_thai(office, qtbot, year, tmp_path):
    w, dialog = opened(office, qtbot)
    dialog.year.setCurrentIndex(dialog.year.count() - 1)        # กำหนดช่วงวันที่เอง
    assert dialog.start.isEnabled()
    dialog.start.setText("01/01/2569")
    dialog.end.setText("31/12/2568")
    assert "วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น" in dialog.span.text()
    with qtbot.waitSignal(dialog.failed, timeout=5000):
        QTest.mouseClick(dialog.make_button, Qt.LeftButton)     # no save dialog for a period that cannot be
    assert w.dialog is dialog
    dialog.end.setText("31/03/2569")
    target = tmp_path / "ไตรมาส.zip"
    make(qtbot, w, dialog, target)
    with zipfile.ZipFile(target) as zf:
        evidence = [n for n in zf.namelist() if n.startswith("evidence/")]
    assert evidence == [f"evidence/{year[1].id}.pdf"]             # February's claim only


def test_a_stopped_package_leaves_no_file_and_the_bar_shows_the_work(office, qtbot, year, tmp_path):
    w, dialog = opened(office, qtbot)
    hold, holding = threading.Event(), threading.Event()
    office.worker.submit(lambda: (holding.set(), hold.wait(30)))   # the database worker busy with other work
    assert holding.wait(10)
    QTest.mouseClick(dialog.make_button, Qt.LeftButton)
    (out := tmp_path / "out").mkdir()
    w.dialog.fileSelected.emit(str(out / "p.zip"))
    assert dialog.bar.isVisible() and dialog.stop_button.isEnabled() and not dialog.make_button.isEnabled()
    assert dialog.status.text().startswith("กำลังรวบรวมเรื่องเบิกของปีงบประมาณ 2569")
    shot(dialog, "audit-working")
    with qtbot.waitSignal(dialog.failed, timeout=30000) as failed:
        QTest.mouseClick(dialog.stop_button, Qt.LeftButton)
        hold.set()
    assert failed.args[0] == "หยุดการสร้างชุดหลักฐานแล้ว ไม่ได้บันทึกไฟล์ใด ๆ"
    assert list(out.iterdir()) == [] and dialog.make_button.isEnabled() and not dialog.bar.isVisible()


def test_a_registry_officer_is_refused_in_thai(office, qtbot, year, tmp_path):
    w, dialog = opened(office, qtbot, OFFICER)
    with qtbot.waitSignal(dialog.failed, timeout=30000) as failed:
        QTest.mouseClick(dialog.make_button, Qt.LeftButton)
        w.dialog.fileSelected.emit(str(tmp_path / "p.zip"))
    assert failed.args[0] == "เฉพาะเจ้าหน้าที่การเงินของหน่วยงานเท่านั้นที่ดูและทำเรื่องเบิกได้"
    assert dialog.status.text() == failed.args[0] and not (tmp_path / "p.zip").exists()


def test_evidence_not_on_this_pc_is_named_offline_and_downloaded_online(office, qtbot, year, tmp_path):
    import hashlib

    elsewhere = evidence_pdf("ทำที่เครื่องอื่น")
    sha = hashlib.sha256(elsewhere).hexdigest()
    other = office.call(lambda: kept(office.register, a_claim(5, dt.date(2026, 4, 2), "300.00"), sha=sha))
    w, dialog = opened(office, qtbot)
    assert w.get_blob is None                                   # offline
    make(qtbot, w, dialog, tmp_path / "offline.zip")
    assert dialog.missing.isVisible()
    lines = dialog.missing.text().splitlines()
    assert lines[0] == "หลักฐานของเรื่องเบิก 1 เรื่องไม่อยู่ในชุดนี้ (ทะเบียนคุมระบุว่า «ขาด»):"
    assert other.id in lines[1] and "ไม่ได้เชื่อมต่อเซิร์ฟเวอร์กลาง" in lines[1]
    shot(dialog, "audit-missing")
    said = check(qtbot, w, dialog, tmp_path / "offline.zip")     # intact, and it says what it lacks
    assert said.startswith("«offline.zip» ถูกต้อง") and said.splitlines()[-1] == \
        "หมายเหตุ: ชุดนี้ไม่มีหลักฐานของเรื่องเบิก 1 เรื่อง (ทะเบียนคุมระบุว่า «ขาด»)"

    asked = []
    w.get_blob = lambda s: asked.append(s) or elsewhere         # online: the central server's copy
    dialog.close()
    dialog = open_audit(w, Desk.of(office.register, FINANCE))
    with qtbot.waitSignal(dialog.exported, timeout=60000) as got:
        QTest.mouseClick(dialog.make_button, Qt.LeftButton)
        w.dialog.fileSelected.emit(str(tmp_path / "online.zip"))
    assert asked == [sha] and got.args[0].missing == () and not dialog.missing.isVisible()
    assert "ดาวน์โหลดหลักฐานจากเซิร์ฟเวอร์กลางมาเพิ่ม 1 ไฟล์" in dialog.status.text()
    with zipfile.ZipFile(tmp_path / "online.zip") as zf:
        assert zf.read(f"evidence/{other.id}.pdf") == elsewhere


def test_closing_the_window_while_the_package_is_made_stops_it_and_leaves_no_file(office, qtbot, year, tmp_path):
    w, dialog = opened(office, qtbot)
    hold, holding = threading.Event(), threading.Event()
    office.worker.submit(lambda: (holding.set(), hold.wait(30)))
    assert holding.wait(10)
    QTest.mouseClick(dialog.make_button, Qt.LeftButton)
    (out := tmp_path / "out").mkdir()
    w.dialog.fileSelected.emit(str(out / "p.zip"))
    stop = dialog.stop_event
    QTest.keyClick(dialog, Qt.Key_Escape)                        # no question: the package is stopped
    assert not dialog.isVisible() and stop.is_set()
    hold.set()
    _audit_thread.submit(lambda: None).result(30)                 # the export's thread has finished with it
    assert list(out.iterdir()) == []
