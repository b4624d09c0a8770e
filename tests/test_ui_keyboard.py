"""The day's main work with the keyboard alone, as a registry officer and a registrar who do not reach for the
mouse: log in, search, a new hire with a spouse, send; the registrar approves it with card and PIN (a wrong PIN
first). Every key goes to the widget that has the focus — the test never puts the focus anywhere itself — so it
also proves the focus starts where the typing starts and Tab reaches each field. Enter and Escape are pressed in
each dialog on the way, and what they did is asserted.

Through the real parts: pcscd with the virtual reader and the training cards, a real central server on loopback,
real working copies."""
from __future__ import annotations

import pytest
from PySide6.QtTest import QTest

from app import training
from card.emulator.profiles import load
from tests.central import OFFICERS, REGISTRAR, REGISTRY, UNIT, import_unit, ready_session
from tests.test_ui_desk import make_desk
from ui.qt import QApplication, QEvent, QKeyEvent, Qt

TABS = 30   # a field further than this many Tabs away is not reachable in practice


def focused():
    w = QApplication.focusWidget()
    assert w is not None, "nothing has the keyboard focus"
    return w


def key(k, mod=Qt.NoModifier) -> None:
    QTest.keyClick(focused(), k, mod)


def type_keys(text: str) -> None:
    """Typed into whatever has the focus (Thai as a Thai keyboard sends it: a key event per character)."""
    target = focused()
    if text.isascii():
        QTest.keyClicks(target, text)
        return
    for ch in text:
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            QApplication.sendEvent(target, QKeyEvent(kind, Qt.Key_unknown, Qt.NoModifier, ch))


def tab_to(name: str) -> None:
    """Tab until the field called ``name`` has the focus, as a person Tabs to the field they want."""
    seen = []
    for _ in range(TABS):
        if focused().objectName() == name:
            return
        seen.append(focused().objectName() or type(focused()).__name__)
        key(Qt.Key_Tab)
    pytest.fail(f"Tab never reached {name}: {seen}")


@pytest.fixture
def office(central_sqlite, tmp_path):
    import_unit(central_sqlite, tmp_path, UNIT, training.UNIT.name, OFFICERS)
    return central_sqlite


def activated(qtbot, window) -> None:
    """What the window manager does when a window or dialog appears: make it the active one (the offscreen
    platform has no window manager). Which of its widgets has the focus is the program's doing."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)


def log_in_by_keyboard(qtbot, desk, email: str, password: str) -> None:
    w = desk.login
    activated(qtbot, w)
    qtbot.waitUntil(lambda: w.card_data is not None, timeout=20000)
    assert focused() is w.username
    type_keys(email)
    key(Qt.Key_Tab)
    type_keys(password)
    tab_to("pin")
    type_keys("1234")
    with qtbot.waitSignal(w.logged_in, timeout=30000):
        key(Qt.Key_Return)
    qtbot.waitUntil(lambda: desk.window is not None and desk.window.register is not None, timeout=10000)
    qtbot.waitUntil(lambda: desk.window.sync_button.isEnabled() and "ซิงก์ล่าสุด" in desk.window.sync_label.text(),
                    timeout=30000)
    activated(qtbot, desk.window)


def test_a_hire_with_a_spouse_sent_and_approved_with_the_keyboard_alone(qtbot, qapp, tmp_path, slots, office):
    ready_session(office, REGISTRY), ready_session(office, REGISTRAR)
    slots[0].insert(load("registry").card())
    desk = make_desk(qtbot, qapp, tmp_path, "pc1", office.url)
    log_in_by_keyboard(qtbot, desk, REGISTRY.email, "Lgo-" + REGISTRY.cid[-6:] + "-Desk")
    w = desk.window

    # Ctrl+F: the search box, wherever the focus was
    key(Qt.Key_F, Qt.ControlModifier)
    assert focused() is w.search
    type_keys("ไม่มีใครชื่อนี้")
    qtbot.waitUntil(lambda: w.model.rowCount() == 0, timeout=10000)

    # Ctrl+N: a new hire; the focus is in the citizen ID
    key(Qt.Key_N, Qt.ControlModifier)
    qtbot.waitUntil(lambda: w.dialog is not None and w.dialog.isVisible(), timeout=5000)
    hire = w.dialog
    activated(qtbot, hire)
    assert focused() is hire.form.edits["cid"]
    type_keys("3100000000012")
    tab_to("title_th")
    type_keys("นาง")
    tab_to("first_th")
    type_keys("วิภาวดี")
    tab_to("last_th")
    type_keys("รุ่งเรืองศรี")
    tab_to("birth")
    type_keys("12/06/2537")
    # Enter in a field with a rule error does not send (the send button waits for the rules)
    key(Qt.Key_Return)
    assert hire.isVisible() and hire.evidence.list.count() == 0
    tab_to("position")
    type_keys("นักวิเคราะห์นโยบายและแผน")
    key(Qt.Key_Return)          # Enter in ตำแหน่ง: no scan, nothing attached (it used to press "สแกน…")
    assert hire.evidence.list.count() == 0 and "กำลังสแกน" not in hire.evidence.status.text()

    # the spouse: Tab to "เพิ่มคู่สมรส", Space opens it; Escape before typing closes it at once
    tab_to("addSpouse")
    key(Qt.Key_Space)
    spouse = hire.last_dependent
    activated(qtbot, spouse)
    key(Qt.Key_Escape)
    qtbot.waitUntil(lambda: not spouse.isVisible(), timeout=5000)
    activated(qtbot, hire)
    key(Qt.Key_Space)            # the focus is back on "เพิ่มคู่สมรส"
    spouse = hire.last_dependent
    activated(qtbot, spouse)
    assert focused() is spouse.form.edits["cid"]
    type_keys("3100000000021")
    tab_to("first_th")
    type_keys("สมศักดิ์")
    tab_to("last_th")
    type_keys("รุ่งเรืองศรี")
    tab_to("birth")
    type_keys("01/05/2525")
    # Escape after typing asks first; "กลับไปกรอกต่อ" (the question's default) keeps everything
    key(Qt.Key_Escape)
    qtbot.waitUntil(lambda: spouse.discard_question is not None and spouse.discard_question.isVisible(),
                    timeout=5000)
    question = spouse.discard_question
    activated(qtbot, question)
    assert question.text() == "ละทิ้งข้อมูลที่กรอก?"
    with qtbot.waitSignal(question.finished, timeout=5000):
        key(Qt.Key_Return)
    assert spouse.discard_question is None
    assert spouse.isVisible() and spouse.form.edits["first_th"].text() == "สมศักดิ์"
    activated(qtbot, spouse)
    tab_to("registrationNo")
    type_keys("123/2555")
    tab_to("registeredOn")
    type_keys("14/02/2555")
    # Enter in the last field: "เพิ่ม" (it used to read the officer's own card into the spouse's fields)
    with qtbot.waitSignal(hire.dependent_added, timeout=5000) as added:
        key(Qt.Key_Return)
    assert added.args[0] == "3100000000021" and hire.family.rowCount() == 1
    activated(qtbot, hire)

    # Ctrl+Enter sends, once the rules agree
    qtbot.waitUntil(lambda: hire.send_button.isEnabled(), timeout=10000)
    with qtbot.waitSignal(w.local_change, timeout=10000):
        key(Qt.Key_Return, Qt.ControlModifier)
    qtbot.waitUntil(lambda: not hire.isVisible(), timeout=5000)
    # F5: sync now
    activated(qtbot, w)
    with qtbot.waitSignal(w.synced, timeout=30000):
        key(Qt.Key_F5)
    qtbot.waitUntil(lambda: "ยังไม่ส่ง 0" in w.sync_label.text(), timeout=30000)
    desk.close()

    # --- the registrar ---------------------------------------------------------------------------------
    slots[0].remove()
    slots[0].insert(load("registrar").card())
    registrar = make_desk(qtbot, qapp, tmp_path, "laptop", office.url)
    log_in_by_keyboard(qtbot, registrar, REGISTRAR.email, "Lgo-" + REGISTRAR.cid[-6:] + "-Desk")
    r = registrar.window
    key(Qt.Key_Tab, Qt.ControlModifier)          # the next tab: what waits for review
    qtbot.waitUntil(lambda: r.tabs.currentWidget() is r.inbox, timeout=5000)
    qtbot.waitUntil(lambda: r.inbox.table.rowCount() == 1, timeout=20000)
    # Tab to the list, Space chooses the change set under the cursor, Alt+A approves what is chosen
    for _ in range(TABS):
        if focused() is r.inbox.table:
            break
        key(Qt.Key_Tab)
    assert focused() is r.inbox.table, "Tab never reached the review list"
    key(Qt.Key_Space)
    qtbot.waitUntil(lambda: len(r.inbox.selected()) == 1 and r.inbox.approve.isEnabled(), timeout=10000)
    key(Qt.Key_A, Qt.AltModifier)                # อนุมัติที่เลือก (&A)…
    qtbot.waitUntil(lambda: r.dialog is not None and r.dialog.isVisible(), timeout=5000)
    dialog = r.dialog
    qtbot.waitUntil(lambda: dialog.pin.isVisible() and dialog.button.isEnabled(), timeout=20000)
    activated(qtbot, dialog)
    assert focused() is dialog.pin
    type_keys("9999")
    with qtbot.waitSignal(dialog.said, timeout=10000, check_params_cb=lambda text: "อีก 2 ครั้ง" in text):
        key(Qt.Key_Return)
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.button.isEnabled(), timeout=10000)
    key(Qt.Key_A, Qt.ControlModifier)             # the wrong PIN is still there: select it and type over it
    type_keys("1234")
    with qtbot.waitSignal(r.local_change, timeout=20000):
        key(Qt.Key_Return)
    qtbot.waitUntil(lambda: r.inbox.table.rowCount() == 0, timeout=10000)
    registrar.close()
