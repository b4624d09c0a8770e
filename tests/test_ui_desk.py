"""The desktop program driven as its users would, through the real PC/SC stack (pcscd + the virtual reader
with training cards), a real central server on loopback and real working copies: log-in (first password,
wrong PIN, lock warning), a new hire read from the card with a spouse and two children, a fifth child
refused with the reason, sent; the registrar returns one and approves one with card and PIN; the officer
sees both."""
from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from PySide6.QtTest import QTest

from app import training
from app.settings import MachineSettings
from app.store import KeyStore, MemoryKeyring
from card.emulator.profiles import load
from tests.builders import type_in
from tests.central import OFFICERS, REGISTRAR, REGISTRY, UNIT, free_port, import_unit
from ui.fonts import install_fonts
from ui.main import Desk
from ui.evidence import EvidenceViewer
from ui.qt import QApplication, QLabel, Qt, QTimer, QUrl

TODAY = dt.date.today()
PASSWORD = "Desk-Password-2569"


def on_modal(name: str, act) -> None:
    """Act on the modal dialog called ``name`` once it is up (a modal exec() runs its own loop)."""
    def poll() -> None:
        w = QApplication.activeModalWidget()
        if w is not None and w.objectName() == name:
            act(w)
        else:
            QTimer.singleShot(20, poll)
    QTimer.singleShot(0, poll)


fill = type_in   # as a person types it


def click(button) -> None:
    QTest.mouseClick(button, Qt.LeftButton)


KEYCHAINS: dict[str, KeyStore] = {}  # one per PC: the same PC keeps its keychain across runs of the program


def make_desk(qtbot, qapp, tmp_path, name: str, url: str) -> Desk:
    install_fonts(qapp)
    keys = KEYCHAINS.setdefault(str(tmp_path / name), KeyStore(MemoryKeyring()))
    desk = Desk(qapp, tmp_path / name, keys, training_mode=False, today=TODAY,
                machine=MachineSettings(url, "test"), sync_interval=3600)
    qtbot.addWidget(desk.login)
    desk.start()
    return desk


def log_in(qtbot, desk: Desk, user: str, password: str, new_password: str | None = None,
           synced: str = "ซิงก์ล่าสุด") -> None:
    w = desk.login
    qtbot.waitUntil(lambda: w.card_data is not None, timeout=20000)
    fill(w.username, user)
    fill(w.password, password)
    fill(w.pin, "1234")
    if new_password:
        def choose(dialog) -> None:
            fill(dialog.first, new_password)
            fill(dialog.second, new_password)
            dialog._check()
        on_modal("newPasswordDialog", choose)
    with qtbot.waitSignal(w.logged_in, timeout=30000):
        click(w.button)
    qtbot.waitUntil(lambda: desk.window is not None and desk.window.register is not None, timeout=10000)
    qtbot.waitUntil(lambda: desk.window.sync_button.isEnabled() and synced in desk.window.sync_label.text(),
                    timeout=30000)


def sync(qtbot, desk: Desk) -> None:
    """Press "sync now" and wait for that sync to end with nothing left to send."""
    w = desk.window
    qtbot.waitUntil(lambda: w.sync_button.isEnabled(), timeout=30000)
    with qtbot.waitSignal(w.synced, timeout=30000):
        click(w.sync_button)
    qtbot.waitUntil(lambda: "ยังไม่ส่ง 0" in w.sync_label.text(), timeout=30000)


def add_person(qtbot, form, cid: str, first: str, last: str, born: str, title: str = "") -> None:
    fill(form.edits["cid"], cid)
    if title:
        fill(form.edits["title_th"], title)
    fill(form.edits["first_th"], first)
    fill(form.edits["last_th"], last)
    fill(form.edits["birth"], born)


def add_dependent(qtbot, hire, button: str, cid: str, first: str, born: str, **extra) -> None:
    click(hire.findChild(type(hire.send_button), button))
    dialog = hire.last_dependent
    add_person(qtbot, dialog.form, cid, first, "ใจงาม", born)
    if "reg_no" in extra:
        fill(dialog.reg_no, extra["reg_no"])
        fill(dialog.reg_on, extra["reg_on"])
    with qtbot.waitSignal(hire.dependent_added, timeout=5000):
        click(dialog.findChild(type(hire.send_button), "addDependent"))


@pytest.fixture
def office(central_sqlite, tmp_path):
    import_unit(central_sqlite, tmp_path, UNIT, training.UNIT.name, OFFICERS)
    return central_sqlite


def test_wrong_pin_counts_down_and_the_last_try_asks_first(qtbot, qapp, tmp_path, slots):
    slots[0].insert(load("registry").card())
    desk = make_desk(qtbot, qapp, tmp_path, "pc", f"http://127.0.0.1:{free_port()}")
    try:
        w = desk.login
        qtbot.waitUntil(lambda: w.card_data is not None, timeout=20000)
        assert w.card_name.text() == "นางมาลี ศรีสุข" and not w.photo.pixmap().isNull()
        qtbot.waitUntil(lambda: "อีก 3 ครั้ง" in w.tries.text(), timeout=10000)
        fill(w.username, REGISTRY.email)
        fill(w.password, "whatever-it-is")
        for left in (2, 1):
            fill(w.pin, "9999")
            with qtbot.waitSignal(w.message_shown, timeout=10000) as said:
                click(w.button)
            assert f"อีก {left} ครั้ง" in said.args[0]
        fill(w.pin, "9999")
        shown = []
        on_modal("lockWarning", lambda box: (shown.append(box.text()), box.buttons()[1].click()))
        with qtbot.waitSignal(w.message_shown, timeout=10000) as said:
            click(w.button)
        assert "ถูกล็อก" in shown[0]
        assert "บัตรไม่ถูกล็อก" in said.args[0]   # the officer chose not to risk it: no try was spent
        assert desk.window is None
    finally:
        desk.close()


def test_hire_with_family_review_and_the_officer_sees_the_outcome(qtbot, qapp, tmp_path, slots, office):
    # --- the registry officer, first log-in on the office PC -------------------------------------------
    slots[0].insert(load("registry").card())
    officer = make_desk(qtbot, qapp, tmp_path, "pc1", office.url)
    user, mailed = office.inbox.password_for(REGISTRY.email)
    log_in(qtbot, officer, user, mailed, new_password=PASSWORD)
    w = officer.window
    assert w.user_label.text() == "นางมาลี ศรีสุข · เจ้าหน้าที่ทะเบียน"
    assert w.tabs.count() == 2 and not w.offline_badge.isVisible()
    assert w.unit_label.text() == training.UNIT.name

    # a new hire read from her ID card (the officer's own card leaves the reader, hers goes in)
    slots[0].remove()
    slots[0].insert(load("staff1").card())
    hire = w.work.open_hire()
    with qtbot.waitSignal(hire.form.read_done, timeout=20000) as read:
        click(hire.form.read_button)
    staff = load("staff1").fields
    assert read.args[0] == staff["cid"]
    assert hire.form.edits["first_th"].text() and not hire.form.photo.pixmap().isNull()
    # the card's photo goes with the change set, for the registrar to compare
    qtbot.waitUntil(lambda: hire.evidence.list.count() == 1, timeout=10000)
    assert hire.evidence.list.item(0).text().startswith("รูปถ่ายจากบัตรประชาชน — JPEG")
    fill(hire.position, "นักวิเคราะห์นโยบายและแผน")
    add_dependent(qtbot, hire, "addSpouse", "3100000000012", "สมศักดิ์", "01/05/2525",
                  reg_no="123/2555", reg_on="14/02/2555")
    add_dependent(qtbot, hire, "addChild", "3100000000021", "ลูกหนึ่ง", "01/03/2556")
    add_dependent(qtbot, hire, "addChild", "3100000000039", "ลูกสอง", "01/03/2558")
    qtbot.waitUntil(lambda: hire.send_button.isEnabled(), timeout=10000)
    assert "ผ่านการตรวจตามระเบียบ" in hire.verdicts.toPlainText()
    with qtbot.waitSignal(w.local_change, timeout=10000):
        click(hire.send_button)

    # a second hire with five children: the fifth is refused and the dialog says why
    second = w.work.open_hire()
    add_person(qtbot, second.form, "3200000000011", "สมหญิง", "มากบุตร", "01/01/2530", "นาง")
    fill(second.position, "ครู")   # a hire names the position: an empty one is refused by the rules
    for i, cid in enumerate(("3200000000020", "3200000000038", "3200000000046", "3200000000054",
                             "3200000000062")):
        add_dependent(qtbot, second, "addChild", cid, f"บุตร{i + 1}", f"01/0{i + 1}/256{i}")
    qtbot.waitUntil(lambda: "บุตรคนที่ 4" in second.verdicts.toPlainText(), timeout=10000)
    assert "บุตรคนที่ 5" in second.verdicts.toPlainText() and not second.send_button.isEnabled()
    # the family without the fourth and fifth children is fine: send that
    for _ in range(2):
        second.family.selectRow(second.family.rowCount() - 1)
        second._remove_dependent()
    qtbot.waitUntil(lambda: second.send_button.isEnabled(), timeout=10000)
    with qtbot.waitSignal(w.local_change, timeout=10000):
        click(second.send_button)
    sync(qtbot, officer)
    qtbot.waitUntil(lambda: w.work.table.rowCount() == 2, timeout=10000)
    officer.close()

    # --- the registrar on the laptop: returns one, approves the other with card and PIN ---------------
    slots[0].remove()
    slots[0].insert(load("registrar").card())
    registrar = make_desk(qtbot, qapp, tmp_path, "laptop", office.url)
    user, mailed = office.inbox.password_for(REGISTRAR.email)
    log_in(qtbot, registrar, user, mailed, new_password=PASSWORD)
    r = registrar.window
    qtbot.waitUntil(lambda: r.inbox.table.rowCount() == 2, timeout=20000)
    titles = [r.inbox.table.item(i, 0).text() for i in range(2)]
    first = titles.index(next(t for t in titles if "พร้อมคู่สมรส" in t))
    r.inbox.table.selectRow(1 - first)
    with qtbot.waitSignal(r.inbox.shown, timeout=10000):
        pass
    assert "สมหญิง" in r.inbox.detail.toPlainText() and "ใหม่" in r.inbox.detail.toPlainText()
    r.inbox.return_chosen("กรุณาแนบสำเนาสูติบัตรของบุตรทั้งสองคน")
    qtbot.waitUntil(lambda: r.inbox.table.rowCount() == 1, timeout=10000)
    r.inbox.table.selectRow(0)
    # the hire read from the card: her photo is in the detail, and opens whole when clicked
    qtbot.waitUntil(lambda: "รูปถ่ายจากบัตรประชาชน — JPEG" in r.inbox.detail.toPlainText(), timeout=20000)
    [photo] = r.inbox.attached
    r.inbox.detail.anchorClicked.emit(QUrl(f"evidence:{photo.sha}"))
    qtbot.waitUntil(lambda: r.inbox.findChild(EvidenceViewer) is not None, timeout=10000)
    viewer = r.inbox.findChild(EvidenceViewer)
    assert viewer.windowTitle() == "รูปถ่ายจากบัตรประชาชน" and not viewer.page.pixmap().isNull()
    viewer.close()
    dialog = r.inbox.approve_chosen()
    qtbot.waitUntil(lambda: dialog.pin.isVisible(), timeout=20000)
    fill(dialog.pin, "1234")
    with qtbot.waitSignal(r.local_change, timeout=20000):
        click(dialog.button)
    qtbot.waitUntil(lambda: r.inbox.table.rowCount() == 0, timeout=10000)
    sync(qtbot, registrar)
    registrar.close()

    # --- the officer again: one applied, one returned with the reason ----------------------------------
    slots[0].remove()
    slots[0].insert(load("registry").card())
    again = make_desk(qtbot, qapp, tmp_path, "pc1", office.url)
    log_in(qtbot, again, REGISTRY.email, PASSWORD)
    w = again.window
    sync(qtbot, again)

    def states():
        return sorted(w.work.table.item(i, 1).text() for i in range(w.work.table.rowCount()))
    qtbot.waitUntil(lambda: states() == sorted(["ส่งกลับให้แก้ไข", "บันทึกเข้าทะเบียนกลางแล้ว"]), timeout=20000)
    returned = next(i for i in range(2) if w.work.table.item(i, 1).text() == "ส่งกลับให้แก้ไข")
    w.work.table.selectRow(returned)
    qtbot.waitUntil(lambda: "สำเนาสูติบัตร" in w.work.detail.toPlainText(), timeout=10000)
    # the hire is in the register now: the people list finds her
    qtbot.waitUntil(lambda: w.model.rowCount() >= 4, timeout=20000)
    # she corrects the returned one (a child's birth date) and sends it again
    assert w.work.edit.isEnabled() and w.work.cancel.isEnabled()
    with qtbot.waitSignal(w.work.edit_opened, timeout=10000) as opened:
        click(w.work.edit)
    edit = opened.args[0]
    assert "สำเนาสูติบัตร" in edit.findChild(QLabel, "returnReason").text()
    child = next(i for (i, name), box in edit.edits.items() if name == "first_th" and box.text() == "บุตร1")
    fill(edit.edits[(child, "birth")], "31/02/2560")
    qtbot.waitUntil(lambda: "ไม่มีวันเกิด 31/02/2560" in edit.verdicts.toPlainText(), timeout=10000)
    assert not edit.send_button.isEnabled()
    fill(edit.edits[(child, "birth")], "02/01/2560")
    # and attaches what the registrar asked for: one certificate scanned, the other imported from a file
    qtbot.waitUntil(lambda: edit.evidence.list.count() == 0 and edit.evidence.scan_button.isEnabled(), timeout=5000)
    edit.evidence.kind.setCurrentIndex(edit.evidence.kind.findData("สูติบัตร"))
    click(edit.evidence.scan_button)
    qtbot.waitUntil(lambda: edit.evidence.list.count() == 1, timeout=30000)
    assert edit.evidence.list.item(0).text().startswith("สูติบัตร — JPEG")
    pdf = tmp_path / "สูติบัตร บุตร2.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    (tmp_path / "notes.txt").write_text("not a document")

    def choose(path):
        def act(dialog) -> None:
            dialog.selectFile(str(path))
            dialog.accept()
        return act
    on_modal("importEvidenceDialog", choose(tmp_path / "notes.txt"))
    click(edit.evidence.import_button)
    qtbot.waitUntil(lambda: "แนบได้เฉพาะไฟล์ PDF, JPEG หรือ PNG" in edit.evidence.status.text(), timeout=10000)
    on_modal("importEvidenceDialog", choose(pdf))
    click(edit.evidence.import_button)
    qtbot.waitUntil(lambda: edit.evidence.list.count() == 2, timeout=10000)
    assert edit.evidence.list.item(1).text().startswith("สูติบัตร — PDF")
    qtbot.waitUntil(lambda: edit.send_button.isEnabled(), timeout=10000)
    with qtbot.waitSignal(w.local_change, timeout=10000):
        click(edit.send_button)
    qtbot.waitUntil(lambda: states() == sorted(["รอนายทะเบียนตรวจสอบ", "บันทึกเข้าทะเบียนกลางแล้ว"]), timeout=10000)
    sync(qtbot, again)
    call = again.runner.worker.call
    resent = next(c for c in call(w.register.changesets, UNIT, None) if c.state.value == "pending")
    [birth] = [op.fields["birth"] for op in resent.operations if op.fields.get("first_th") == "บุตร1"]
    assert birth == "2017-01-02" and call(again.session.engine.pending_count) == 0
    # both certificates went with it, labelled, and the server holds the very bytes
    assert list(resent.evidence_labels.values()) == ["สูติบัตร", "สูติบัตร"] and len(resent.evidence) == 2
    assert again.session.client.get_blob(resent.evidence[1]) == pdf.read_bytes()
    again.close()


def test_a_lost_key_is_explained_and_the_copy_rebuilt_from_the_server_on_request(qtbot, qapp, tmp_path, slots, office):
    from app.store.db import key_name
    from app.store.keys import SERVICE
    ring = MemoryKeyring()
    KEYCHAINS[str(tmp_path / "pc1")] = KeyStore(ring)
    slots[0].insert(load("registry").card())
    desk = make_desk(qtbot, qapp, tmp_path, "pc1", office.url)
    user, mailed = office.inbox.password_for(REGISTRY.email)
    log_in(qtbot, desk, user, mailed, new_password=PASSWORD)
    desk.close()
    ring.delete_password(SERVICE, key_name(UNIT))  # e.g. the Windows profile was rebuilt

    again = make_desk(qtbot, qapp, tmp_path, "pc1", office.url)
    asked = []

    def answer(box) -> None:
        asked.append(box.text())
        click(next(b for b in box.buttons() if "สร้างสำเนาใหม่" in b.text()))
    on_modal("rebuildQuestion", answer)
    log_in(qtbot, again, REGISTRY.email, PASSWORD)
    assert asked and "จึงไม่มีงานใดสูญหาย" in asked[0]  # everything had been synced: said so
    assert again.window.unit_label.text() == training.UNIT.name  # the new copy, downloaded from the server
    again.close()


def test_the_units_data_is_corrected_through_the_registrar_and_the_header_follows(qtbot, qapp, tmp_path, slots,
                                                                                 office):
    from tests.central import approve, ready_session
    slots[0].insert(load("registry").card())
    desk = make_desk(qtbot, qapp, tmp_path, "pc1", office.url)
    user, mailed = office.inbox.password_for(REGISTRY.email)
    log_in(qtbot, desk, user, mailed, new_password=PASSWORD)
    w = desk.window
    with qtbot.waitSignal(w.work.unit_opened, timeout=10000) as opened:
        click(w.findChild(type(w.sync_button), "unitButton"))
    dialog = opened.args[0]
    assert dialog.edits["name"].text() == training.UNIT.name
    # nothing changed yet: nothing to send, and the dialog says so
    click(dialog.send_button)
    qtbot.waitUntil(lambda: "ยังไม่ได้แก้ไขข้อมูลใด" in dialog.verdicts.toPlainText(), timeout=10000)
    new_name = "องค์การบริหารส่วนตำบลบ้านฝึกหัดพัฒนา"
    fill(dialog.edits["name"], new_name)
    fill(dialog.edits["email"], "saraban@")
    qtbot.waitUntil(lambda: "อีเมล «saraban@» ไม่ถูกต้อง" in dialog.verdicts.toPlainText(), timeout=10000)
    assert not dialog.send_button.isEnabled()
    fill(dialog.edits["email"], "saraban@banfukhat.go.th")
    fill(dialog.edits["phone"], "0 4421 1234 ต่อ 12")
    qtbot.waitUntil(lambda: dialog.send_button.isEnabled(), timeout=10000)
    with qtbot.waitSignal(w.local_change, timeout=10000):
        click(dialog.send_button)
    sync(qtbot, desk)
    assert w.unit_label.text() == training.UNIT.name  # not yet: the registrar has not approved it
    [staged] = [c for c in desk.runner.worker.call(w.register.changesets, UNIT, None) if c.kind == "unit"]
    registrar = ready_session(office, REGISTRAR)
    answer = approve(registrar, staged).json()
    assert answer["status"] == "applied", answer
    sync(qtbot, desk)
    qtbot.waitUntil(lambda: w.unit_label.text() == new_name, timeout=20000)
    found = desk.runner.worker.call(w.register.get, "unit", UNIT)
    assert found[0].email == "saraban@banfukhat.go.th" and found[0].phone == "0 4421 1234 ต่อ 12" and found[1] == 2
    desk.close()


def test_the_registrar_confirms_the_units_statement_seeing_what_changed_since_the_last(qtbot, qapp, tmp_path, slots,
                                                                                       office):
    from server.statements import issue
    from tests.central import approve, hire, push, ready_session
    with office.engine.begin() as conn:
        issue(conn, UNIT, dt.date(2026, 10, 1))
    registry, registrar_api = ready_session(office, REGISTRY), ready_session(office, REGISTRAR)
    cs = hire(children=2)
    push(registry, cs)
    assert approve(registrar_api, cs).json()["status"] == "applied"
    with office.engine.begin() as conn:
        newest = issue(conn, UNIT, dt.date(2026, 11, 1))

    slots[0].insert(load("registrar").card())
    desk = make_desk(qtbot, qapp, tmp_path, "laptop", office.url)
    log_in(qtbot, desk, REGISTRAR.email, "Lgo-" + REGISTRAR.cid[-6:] + "-Desk")
    w = desk.window
    rounds = w.rounds
    w.tabs.setCurrentWidget(rounds)
    qtbot.waitUntil(lambda: rounds.table.rowCount() == 2, timeout=20000)
    assert rounds.table.item(0, 0).text() == "01/11/2569" and rounds.table.item(0, 3).text() == "รอนายทะเบียนยืนยัน"
    qtbot.waitUntil(lambda: rounds.confirm_button.isEnabled(), timeout=10000)
    # the newest statement's summary is rendered off the GUI thread: wait for it, not for the first one shown
    qtbot.waitUntil(lambda: "(+1)" in rounds.summary.toPlainText(), timeout=10000)
    text = rounds.summary.toPlainText()
    assert "ลายมือชื่อดิจิทัลของเซิร์ฟเวอร์กลางถูกต้อง" in text
    assert "ผู้มีสิทธิ 1 คน (+1) · ผู้มีสิทธิร่วม 2 คน (+2)" in text
    assert "เปลี่ยนแปลงจากบัญชี ณ วันที่ 01/10/2569 3 รายการ" in text and text.count("เพิ่ม") >= 3
    assert rounds.model.rowCount() == 3
    # the older one: the first of the unit, nothing to compare, already past
    rounds.table.selectRow(1)
    qtbot.waitUntil(lambda: "เป็นบัญชีแรกของหน่วยงาน" in rounds.summary.toPlainText(), timeout=10000)
    rounds.table.selectRow(0)
    qtbot.waitUntil(lambda: rounds.confirm_button.isEnabled(), timeout=10000)
    dialog = rounds.confirm_statement()
    qtbot.waitUntil(lambda: dialog.pin.isVisible(), timeout=20000)
    fill(dialog.pin, "1234")
    with qtbot.waitSignal(w.local_change, timeout=20000):
        click(dialog.button)
    qtbot.waitUntil(lambda: rounds.table.item(0, 3).text() == "ยืนยันแล้ว รอส่งเมื่อซิงก์", timeout=10000)
    assert not rounds.confirm_button.isEnabled()
    sync(qtbot, desk)
    sync(qtbot, desk)  # the confirmation went up; the feed brings the statement back confirmed
    qtbot.waitUntil(lambda: rounds.table.item(0, 3).text() == "ยืนยันแล้ว", timeout=20000)
    [st] = [s for s in registrar_api.get("/statements", params={"brief": "true"}).json() if s["id"] == newest]
    assert st["confirmed_by"] == REGISTRAR.cid and "body" not in st
    # the confirmed statement on paper, made off the GUI thread, the unit's name from the working copy
    qtbot.waitUntil(lambda: rounds.pdf_button.isEnabled(), timeout=10000)
    click(rounds.pdf_button)
    paper = tmp_path / "บัญชีรายชื่อผู้มีสิทธิ 2569-11-01.pdf"
    assert w.dialog.objectName() == "saveStatementDialog" and w.dialog.selectedFiles()[0].endswith(paper.name)
    w.dialog.fileSelected.emit(str(paper))
    w.dialog.close()
    qtbot.waitUntil(lambda: w.statusBar().currentMessage().startswith("บันทึกบัญชีรายชื่อแล้วที่"), timeout=20000)
    text = subprocess.run(["pdftotext", str(paper), "-"], capture_output=True, text=True, check=True).stdout
    assert "ยืนยันแล้วโดย" in text and "ตรวจแล้วถูกต้อง" in text and "บัญชีรายชื่อผู้มีสิทธิ ณ วันที่ 1 พฤศจิกายน 2569" in text
    desk.close()


def test_a_birth_reminds_of_the_birth_certificate_until_one_is_attached(qtbot, qapp, tmp_path, slots, office):
    from tests.central import approve, hire, push, ready_session
    registry_api, registrar_api = ready_session(office, REGISTRY), ready_session(office, REGISTRAR)
    cs = hire(children=0)
    push(registry_api, cs)
    assert approve(registrar_api, cs).json()["status"] == "applied"
    parent = cs.operations[0].record_id

    slots[0].insert(load("registry").card())
    desk = make_desk(qtbot, qapp, tmp_path, "pc1", office.url)
    log_in(qtbot, desk, REGISTRY.email, "Lgo-" + REGISTRY.cid[-6:] + "-Desk")
    w = desk.window
    qtbot.waitUntil(lambda: any(w.model.row_at(i).cid == parent for i in range(w.model.rowCount())), timeout=20000)
    w.table.selectRow(next(i for i in range(w.model.rowCount()) if w.model.row_at(i).cid == parent))
    birth = w.work.open_event("birth")
    add_person(qtbot, birth.other, "3100000000101", "ลูกใหม่", "ใจดี", "01/11/2569")
    fill(birth.on, "01/11/2569")
    qtbot.waitUntil(lambda: "ยังไม่ได้แนบเอกสารประกอบ (สูติบัตร)" in birth.verdicts.toPlainText(), timeout=10000)
    assert birth.send_button.isEnabled()  # a reminder, not a refusal: the registrar decides
    certificate = tmp_path / "birth.png"
    from ui.qt import QImage
    page = QImage(400, 560, QImage.Format_RGB32)
    page.fill(0xFFFFFF)
    assert page.save(str(certificate), "PNG")
    on_modal("importEvidenceDialog", lambda d: (d.selectFile(str(certificate)), d.accept()))
    click(birth.evidence.import_button)
    qtbot.waitUntil(lambda: birth.evidence.list.count() == 1, timeout=10000)
    qtbot.waitUntil(lambda: "ยังไม่ได้แนบเอกสารประกอบ" not in birth.verdicts.toPlainText(), timeout=10000)
    assert birth.evidence.list.item(0).text().startswith("สูติบัตร — PNG")
    with qtbot.waitSignal(w.local_change, timeout=10000):
        click(birth.send_button)
    sync(qtbot, desk)
    [sent] = [c for c in desk.runner.worker.call(w.register.changesets, UNIT, None) if c.kind == "birth"]
    assert list(sent.evidence_labels.values()) == ["สูติบัตร"]
    assert desk.session.client.get_blob(sent.evidence[0]) == certificate.read_bytes()
    # the parent's pane lists the certificate; a copy that lost the file (say, to an antivirus) fetches it again
    w.table.selectRow(next(i for i in range(w.model.rowCount()) if w.model.row_at(i).cid == parent))
    qtbot.waitUntil(lambda: "สูติบัตร — แจ้งเกิดบุตร" in w.pane.toPlainText(), timeout=10000)
    next(w.register.wc.attachments_dir.rglob(f"{sent.evidence[0]}.bin")).unlink()
    w.pane.anchorClicked.emit(QUrl(f"evidence:{sent.evidence[0]}"))
    qtbot.waitUntil(lambda: w.findChild(EvidenceViewer) is not None, timeout=20000)
    viewer = w.findChild(EvidenceViewer)
    assert viewer.windowTitle() == "สูติบัตร" and not viewer.page.pixmap().isNull()
    viewer.close()
    desk.close()


def test_english_is_chosen_on_the_log_in_window_kept_for_next_time_and_the_workspace_follows(qtbot, qapp, tmp_path,
                                                                                            slots, office):
    from ui import i18n
    from ui.main import load_preferences
    slots[0].insert(load("registry").card())
    desk = make_desk(qtbot, qapp, tmp_path, "pc1", office.url)
    try:
        assert desk.login.windowTitle().startswith("เข้าสู่ระบบ")
        first = desk.login
        first.language.setCurrentIndex(first.language.findData("en"))
        assert desk.login is not first and desk.login.windowTitle() == "Log in — LGO Registry Desk"
        assert load_preferences(tmp_path / "pc1") == {"language": "en"}
        qtbot.addWidget(desk.login)
        qtbot.waitUntil(lambda: desk.login.tries.text() == "3 PIN tries left.", timeout=20000)
        user, mailed = office.inbox.password_for(REGISTRY.email)
        log_in(qtbot, desk, user, mailed, new_password=PASSWORD, synced="last sync")
        w = desk.window
        assert w.user_label.text() == "นางมาลี ศรีสุข · Registry officer"
        assert [w.tabs.tabText(i) for i in range(w.tabs.count())] == ["The unit's people", "My work"]
        assert w.sync_button.text() == "Sync now"
    finally:
        i18n.set_language("th")
        desk.close()


def test_enter_in_the_card_pin_dialog_confirms_and_a_wrong_pin_keeps_it_open_with_the_tries_left(qtbot, qapp,
                                                                                                   tmp_path, slots):
    """Keyboard only, through pcscd and the training card: a wrong PIN and Enter says how many tries are left
    and leaves the dialog open for the next try; the right PIN and Enter confirms once."""
    from ui.approve import with_card_and_pin
    slots[0].insert(load("registrar").card())
    desk = make_desk(qtbot, qapp, tmp_path, "laptop", f"http://127.0.0.1:{free_port()}")
    try:
        confirmed = []
        dialog = with_card_and_pin(desk.login, desk.runner, desk.card, REGISTRAR.cid, "อนุมัติ 1 รายการ",
                                   lambda: confirmed.append(True))
        qtbot.waitUntil(lambda: dialog.pin.isVisible() and dialog.button.isEnabled(), timeout=20000)
        dialog.pin.setFocus()
        QTest.keyClicks(dialog.pin, "9999")
        with qtbot.waitSignal(dialog.said, timeout=10000,
                              check_params_cb=lambda text: "อีก 2 ครั้ง" in text) as said:
            QTest.keyClick(dialog.pin, Qt.Key_Return)
        assert "ไม่ถูกต้อง" in said.args[0] and dialog.isVisible() and confirmed == []
        qtbot.waitUntil(lambda: dialog.button.isEnabled(), timeout=10000)
        dialog.pin.clear()
        QTest.keyClicks(dialog.pin, "1234")
        with qtbot.waitSignal(dialog.confirmed, timeout=10000):
            QTest.keyClick(dialog.pin, Qt.Key_Return)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
        assert confirmed == [True]
    finally:
        desk.close()
