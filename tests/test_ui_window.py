"""The workspace window as a registry officer and a registrar meet it on a 1366×768 laptop (tests/conftest.py:
the offscreen screen is that laptop less its taskbar): it fits the screen, the keyboard reaches what the mouse
does (Ctrl+F, Ctrl+N, F5, Alt+ mnemonics, Tab in reading order with the people list one stop), every event the
rules know is reachable from the person it concerns, and the small things seen in use (a send button that says
what it does, the review tab's count, the log-in's errors beside the field at fault)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from PySide6.QtTest import QTest

from app import cid as cidmod
from app import review as rules
from app import training
from app.changeset import ReviewState
from app.domain import Role
from app.errors import Refusal
from app.rules.entitlement import Relation
from app.store import DbWorker
from app.usecases import Desk, forms, person_detail, registry, review
from sync.licence import Check, LicenceState
from sync.session import Account, Session
from tests import builders
from tests.builders import type_in as fill
from tests.test_ui_main_window import type_text
from ui.dialogs import available
from ui.event_dialogs import HireDialog, PersonEventDialog
from ui.fonts import install_fonts
from ui.main import open_register
from ui.qt import QApplication, QPushButton, QStyle, Qt, QTimer
from ui.tasks import TaskRunner
from ui.workspace import Workspace

TODAY = dt.date(2026, 11, 23)
TRAINING = training.generate(staff=120)   # the same made-up unit open_register seeds (deterministic)
OFFICER = next(o for o in TRAINING.officers if o.role is Role.REGISTRY_OFFICER)
REGISTRAR = next(o for o in TRAINING.officers if o.role is Role.REGISTRAR)


class Office(builders.Office):
    """The training unit's working copy on the database worker, and the workspace of one officer over it."""

    def __init__(self, data_dir, keys) -> None:
        self.windows: list[Workspace] = []
        super().__init__(data_dir, keys)

    def open_copy(self, data_dir, keys):
        register, self.unit = open_register(data_dir, training.UNIT.code, keys, True)
        return register

    def window(self, qtbot, officer=OFFICER) -> Workspace:
        account = Account(officer.email, officer.cid, officer.name, officer.role, training.UNIT.code)
        session = Session(account, True, self.register, SimpleNamespace(get_blob=None),
                          Check(LicenceState.VALID, ""), "pc1")
        w = Workspace(self.runner, session, None, TODAY, training=True)
        qtbot.addWidget(w)
        self.windows.append(w)
        w.show()
        w.activateWindow()
        qtbot.waitUntil(w.isActiveWindow, timeout=5000)
        with qtbot.waitSignal(w.people_loaded, timeout=30000):
            w.attach(self.register, self.unit)
        return w

    def close(self) -> None:
        for w in self.windows:
            w.close()
        super().close()


@pytest.fixture
def office(open_office) -> Office:
    return open_office(Office)


def visible_text(button: QPushButton) -> str:
    return button.text().replace("&", "")


def key(widget, k, modifiers=Qt.NoModifier) -> None:
    QTest.keyClick(widget, k, modifiers)


def focus(qapp):
    return QApplication.focusWidget()


# --- the screen ----------------------------------------------------------------------------------------------

def test_the_window_opens_within_the_laptop_screen_with_its_status_bar_and_sync_button_in_view(office, qtbot):
    w = office.window(qtbot)
    screen = available(w)
    assert screen.height() < 780    # the test's laptop screen (768 less the taskbar; or full HD at 150 %)
    assert w.isMaximized()          # smaller than the window's preferred size: it opens maximised
    assert screen.contains(w.frameGeometry()), (w.frameGeometry(), screen)
    bar = w.statusBar()
    assert bar.isVisible()
    for widget in (bar, w.sync_button, w.sync_label):
        top_left = widget.mapToGlobal(widget.rect().topLeft())
        bottom_right = widget.mapToGlobal(widget.rect().bottomRight())
        assert screen.contains(top_left) and screen.contains(bottom_right), widget.objectName()


def test_the_log_in_window_fits_the_screen_too(qapp, qtbot):
    from ui.card_bridge import CardBridge
    from ui.login import LoginWindow
    install_fonts(qapp)
    worker = DbWorker()
    try:
        w = LoginWindow(TaskRunner(worker), CardBridge(False), lambda *a: None)
        qtbot.addWidget(w)
        w.show()
        assert available(w).contains(w.frameGeometry())
        assert available(w).contains(w.button.mapToGlobal(w.button.rect().bottomRight()))
    finally:
        worker.stop()


# --- shortcuts -----------------------------------------------------------------------------------------------

def test_ctrl_f_puts_the_cursor_in_the_search_box_with_what_was_typed_selected(office, qtbot, qapp):
    w = office.window(qtbot)
    with qtbot.waitSignal(w.people_loaded, timeout=10000):
        type_text(w.search, "ใจดี")
    w.table.setFocus()
    w.tabs.setCurrentIndex(1)          # from "my work" too: Ctrl+F goes back to the people
    key(w, Qt.Key_F, Qt.ControlModifier)
    assert w.tabs.currentIndex() == 0
    assert focus(qapp) is w.search
    assert w.search.selectedText() == "ใจดี"
    assert "Ctrl+F" in w.search.toolTip()


def test_ctrl_n_opens_a_new_hire_and_its_button_says_so(office, qtbot):
    w = office.window(qtbot)
    hire = w.work.hire_button
    assert "Ctrl+N" in hire.toolTip() and "รับบุคลากรใหม่" in hire.toolTip()
    key(w.table, Qt.Key_N, Qt.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(w.dialog, HireDialog) and w.dialog.isVisible(), timeout=5000)
    w.dialog.reject()


def test_alt_n_the_hire_buttons_mnemonic_opens_it_too(office, qtbot):
    w = office.window(qtbot)
    assert "(&N)" in w.work.hire_button.text()
    key(w.table, Qt.Key_N, Qt.AltModifier)
    qtbot.waitUntil(lambda: isinstance(w.dialog, HireDialog) and w.dialog.isVisible(), timeout=5000)
    w.dialog.reject()


def test_f5_syncs_now_and_says_so_in_the_buttons_tooltip(office, qtbot):
    w = office.window(qtbot)
    assert "F5" in w.sync_button.toolTip()
    asked = []
    w.sync_requested.connect(lambda: asked.append(True))
    key(w.table, Qt.Key_F5)
    assert asked == [True]
    w.sync_button.setEnabled(False)    # a sync under way: F5 does not ask for another
    key(w.table, Qt.Key_F5)
    assert asked == [True]


# --- Tab -----------------------------------------------------------------------------------------------------

def test_tab_leaves_the_people_list_in_one_stop_without_changing_the_chosen_person(office, qtbot, qapp):
    w = office.window(qtbot)
    qtbot.waitUntil(lambda: w.pane.detail is not None, timeout=10000)
    w.table.setFocus()
    chosen = w.current_cid()
    key(w.table, Qt.Key_Tab)
    assert focus(qapp) is not w.table
    assert w.current_cid() == chosen


def test_tab_follows_the_reading_order_of_the_people_tab(office, qtbot, qapp):
    w = office.window(qtbot)
    w.search.setFocus()
    seen = [focus(qapp)]
    for _ in range(10):
        key(focus(qapp), Qt.Key_Tab)
        seen.append(focus(qapp))
    work, certificate = w.work, w.certificate_actions
    expected = [w.search, w.relation_filter, w.review_filter, w.entitled_check, work.hire_button, work.event_button,
                certificate.issue_button, work.unit_button, certificate.register_button,
                w.table]   # the day is disabled until its box is ticked
    assert seen[:len(expected)] == expected


# --- every event from the person it concerns ---------------------------------------------------------------

def someone(office: Office, relation: Relation, kind: str) -> str:
    """A person of the training unit who stands only as ``relation`` and whom ``kind`` fits (an entitled
    beneficiary; one married for a divorce, unmarried for a marriage; fewer than three children for a birth;
    no parent yet for a parent)."""
    register = office.register

    def find() -> str:
        facts = register.load_facts([p.cid for p in TRAINING.persons])
        for p in TRAINING.persons:
            detail = person_detail(register, p.cid, TODAY)
            if detail is None or detail.relations != {relation}:
                continue
            if not any(s.contains(TODAY) for s in detail.spans):
                continue
            open_marriages = [m for m in facts.marriages_of(p.cid) if m.ended_on is None]
            if kind == "divorce" and not open_marriages:
                continue
            if kind == "marriage" and open_marriages:
                continue
            if kind == "birth" and len(facts.children_links(p.cid)) >= 2:
                continue
            if kind == "parent" and facts.parent_links(p.cid):
                continue
            if relation is Relation.SELF and not [e for e in facts.employments_of(p.cid) if e.end is None
                                                  and e.personnel_type != "pensioner"]:
                continue
            return p.cid
        raise LookupError(f"no {relation.value} for {kind}")
    return office.call(find)


def find_in_window(qtbot, w: Workspace, cid: str) -> None:
    """Ctrl+F and the citizen ID typed: the list narrows to the person, chosen, their detail shown."""
    key(w.table, Qt.Key_F, Qt.ControlModifier)
    with qtbot.waitSignal(w.detail_loaded, timeout=10000, check_params_cb=lambda shown: shown == cid):
        QTest.keyClicks(w.search, cid)
    assert w.current_cid() == cid


def menu_offers(w: Workspace) -> list[str]:
    return [a.objectName() for a in w.work.event_menu.actions()]


def choose_from_menu(qtbot, w: Workspace, kind: str) -> PersonEventDialog:
    """Alt+E opens the event menu; the arrow keys go to the event, Enter opens its dialog."""
    menu = w.work.event_menu
    kinds = menu_offers(w)

    def in_the_menu() -> None:
        if QApplication.activePopupWidget() is not menu:
            QTimer.singleShot(10, in_the_menu)
            return
        for _ in range(kinds.index(kind) + 1):
            key(menu, Qt.Key_Down)
        assert menu.activeAction().objectName() == kind
        key(menu, Qt.Key_Return)

    QTimer.singleShot(0, in_the_menu)
    key(w.table, Qt.Key_E, Qt.AltModifier)
    qtbot.waitUntil(lambda: isinstance(w.dialog, PersonEventDialog) and w.dialog.isVisible(), timeout=5000)
    dialog = w.dialog
    qtbot.waitUntil(lambda: dialog.subject.person is not None, timeout=10000)
    return dialog


def fill_other(form, cid: str, first: str, born: str) -> None:
    fill(form.edits["cid"], cid)
    fill(form.edits["first_th"], first)
    fill(form.edits["last_th"], "ทดสอบดี")
    fill(form.edits["birth"], born)


def fill_event(dialog: PersonEventDialog, kind: str) -> None:
    """What the officer types for each event; the date is today's unless the event asks another."""
    fields = dialog.fields
    if kind in ("marriage", "child_marriage"):
        fill(fields.reg_no, "88/2569")
        fill_other(fields.other, cidmod.complete("310000000101"), "คู่ชีวิต", "01/01/2540")
    elif kind == "birth":
        fill(dialog.on, "01/11/2569")
        fill_other(fields.other, cidmod.complete("310000000202"), "ลูกใหม่", "01/11/2569")
    elif kind == "parent":
        fill_other(fields.other, cidmod.complete("310000000303"), "บิดาแท้", "01/01/2480")
    elif kind in ("end", "death", "divorce"):
        fill(dialog.on, "20/11/2569")
    dialog.changed()


CASES = [(relation, kind) for relation, kinds in forms.EVENTS_OF_RELATION.items() for kind in kinds
         if relation is not Relation.FATHER]   # the training unit records mothers only; a father's is a mother's


@pytest.mark.parametrize(("relation", "kind"), CASES, ids=[f"{r.value}-{k}" for r, k in CASES])
def test_each_event_is_reached_from_the_person_it_concerns_and_sent_as_the_rules_accept_it(office, qtbot, relation,
                                                                                          kind):
    cid = someone(office, relation, kind)
    w = office.window(qtbot)
    find_in_window(qtbot, w, cid)
    qtbot.waitUntil(lambda: kind in menu_offers(w), timeout=5000)
    assert menu_offers(w) == list(forms.events_of({relation}))
    dialog = choose_from_menu(qtbot, w, kind)
    assert dialog.kind == kind and dialog.subject.cid == cid
    # the rules' verdicts on what was typed (the check runs once typing pauses: an older answer does not count)
    with qtbot.waitSignal(dialog.checked, timeout=10000, check_params_cb=lambda _v: not dialog._timer.isActive()):
        fill_event(dialog, kind)
    assert not dialog.errors and "✗" not in dialog.verdicts.toPlainText(), dialog.verdicts.toPlainText()
    assert dialog.send_button.isEnabled()
    with qtbot.waitSignal(dialog.kept, timeout=10000) as kept:
        QTest.mouseClick(dialog.send_button, Qt.LeftButton)
    sent = kept.args[0].changeset
    assert sent.state is ReviewState.PENDING
    # the rules on the register as it is now accept what was sent (as the registrar's check will)
    assert office.call(rules.check, office.register, sent, TODAY).ok
    work = w.work
    qtbot.waitUntil(lambda: any(line.changeset.id == sent.id for line in work.items), timeout=10000)
    titles = [work.table.item(r, 0).text() for r in range(work.table.rowCount())]
    assert sent.title in titles


def test_a_childs_menu_offers_the_childs_marriage_and_none_of_the_beneficiarys_events(office, qtbot):
    child = someone(office, Relation.CHILD, "child_marriage")
    w = office.window(qtbot)
    find_in_window(qtbot, w, child)
    qtbot.waitUntil(lambda: "child_marriage" in menu_offers(w), timeout=5000)
    offered = [a.text() for a in w.work.event_menu.actions()]
    assert "บุตรจดทะเบียนสมรส" in offered
    for beneficiary_only in ("end", "marriage", "birth", "parent"):
        assert forms.PERSON_EVENTS[beneficiary_only].th not in offered


def test_the_event_button_is_off_with_nobody_chosen_and_its_arrow_leaves_its_text_whole(office, qtbot):
    w = office.window(qtbot)
    button = w.work.event_button
    assert button.isEnabled()
    text = visible_text(button)
    assert text.endswith("…")
    arrow = button.style().pixelMetric(QStyle.PM_MenuButtonIndicator, None, button)
    assert button.fontMetrics().horizontalAdvance(text) + arrow <= button.width()
    with qtbot.waitSignal(w.people_loaded, timeout=10000):
        w.search.setText("ไม่มีใครชื่อนี้เลย")
    assert not button.isEnabled() and w.work.event_menu.actions() == []


# --- what the lists show -----------------------------------------------------------------------------------

def test_no_name_in_the_people_list_is_cut_while_the_list_has_room(office, qtbot):
    w = office.window(qtbot)
    fm = w.table.fontMetrics()
    for col, name in ((1, "name_th"), (2, "name_en")):
        longest = max(fm.horizontalAdvance(getattr(r, name)) for r in w.model.rows)
        assert w.table.columnWidth(col) >= longest + 8, name
    assert not w.table.wordWrap()


def relations_of_worker(office: Office, cid: str) -> frozenset[Relation]:
    detail = person_detail(office.register, cid, TODAY)
    return detail.relations if detail is not None else frozenset()


def test_my_works_send_button_says_send_for_a_draft_and_send_again_for_a_returned_one(office, qtbot):
    staff = [p.cid for p in TRAINING.persons[3:40]]

    def keep() -> tuple[str, str]:
        mine = [c for c in staff if relations_of_worker(office, c) == {Relation.SELF}]
        desk = Desk.of(office.register, OFFICER)
        subjects = [forms.subject_of(office.register, c, training.UNIT.code) for c in mine[:2]]
        draft = registry.record(desk, forms.Death(subjects[0], TODAY), send=False).changeset
        sent = registry.record(desk, forms.Death(subjects[1], TODAY), send=True).changeset
        review.return_(Desk.of(office.register, REGISTRAR), sent, "แนบใบมรณบัตรด้วย")
        return draft.title, sent.title
    draft, returned = office.call(keep)
    w = office.window(qtbot)
    w.tabs.setCurrentWidget(w.work)
    table = w.work.table
    qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=10000)
    row = {table.item(r, 0).text(): r for r in range(2)}
    table.selectRow(row[draft])
    assert visible_text(w.work.resend) == "ส่งให้นายทะเบียนตรวจ (S)" and w.work.resend.isEnabled()
    table.selectRow(row[returned])
    assert visible_text(w.work.resend) == "ส่งตรวจอีกครั้ง (S)" and w.work.resend.isEnabled()


def test_the_registrars_review_tab_says_how_many_wait_and_follows_a_return(office, qtbot):
    staff = [p.cid for p in TRAINING.persons[3:40]]

    def send_three() -> None:
        mine = [c for c in staff if relations_of_worker(office, c) == {Relation.SELF}]
        desk = Desk.of(office.register, OFFICER)
        for c in mine[:3]:
            registry.record(desk, forms.Death(forms.subject_of(office.register, c, training.UNIT.code), TODAY), True)
    office.call(send_three)
    w = office.window(qtbot, REGISTRAR)
    inbox = w.inbox
    index = w.tabs.indexOf(inbox)
    qtbot.waitUntil(lambda: w.tabs.tabText(index) == "รอตรวจ (3)", timeout=10000)
    w.tabs.setCurrentWidget(inbox)
    inbox.table.selectRow(0)
    with qtbot.waitSignal(w.inbox_loaded, timeout=10000):
        inbox.return_chosen("ขอเอกสารเพิ่ม")
    assert w.tabs.tabText(index) == "รอตรวจ (2)"


# --- log-in -------------------------------------------------------------------------------------------------

@pytest.fixture
def login_window(qapp, qtbot):
    from ui.card_bridge import CardBridge
    from ui.login import LoginWindow
    install_fonts(qapp)
    worker = DbWorker()

    def refuse(*_args):
        raise Refusal("auth.wrong", "ชื่อผู้ใช้งานหรือรหัสผ่านไม่ถูกต้อง", "Wrong username or password.")

    w = LoginWindow(TaskRunner(worker), CardBridge(False), refuse)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    w.card_data = SimpleNamespace(cid=OFFICER.cid)   # a card read whose PIN this reader does not check
    yield w
    worker.stop()


def test_a_wrong_password_is_said_in_red_beside_it_with_the_cursor_there_and_the_text_selected(login_window, qtbot,
                                                                                              qapp):
    w = login_window
    w.username.setFocus()
    QTest.keyClicks(w.username, OFFICER.email)
    key(w.username, Qt.Key_Tab)
    QTest.keyClicks(focus(qapp), "not-my-password")
    assert focus(qapp) is w.password
    with qtbot.waitSignal(w.message_shown, timeout=10000) as said:
        key(w.password, Qt.Key_Return)
    assert said.args[0].startswith("ชื่อผู้ใช้งานหรือรหัสผ่านไม่ถูกต้อง")
    assert w.password_error.isVisible() and w.password_error.text() == said.args[0]
    assert "b91c1c" in w.password_error.styleSheet() and "b91c1c" in w.password.styleSheet()
    assert w.message.text() == ""                      # not under the button, far from the field
    assert focus(qapp) is w.password and w.password.selectedText() == "not-my-password"
    QTest.keyClicks(w.password, "x")                   # typing again clears the mark
    assert not w.password_error.isVisible() and w.password.styleSheet() == ""


def test_an_empty_user_name_is_said_beside_it(login_window, qtbot, qapp):
    w = login_window
    w.password.setFocus()
    QTest.keyClicks(w.password, "whatever")
    with qtbot.waitSignal(w.message_shown, timeout=5000):
        key(w.password, Qt.Key_Return)
    assert w.username_error.isVisible() and "ชื่อผู้ใช้งาน" in w.username_error.text()
    assert focus(qapp) is w.username


def test_the_new_password_dialog_keeps_enter_for_save_and_says_a_mismatch_beside_the_second_field(login_window,
                                                                                                  qtbot, qapp):
    from ui.login import NewPasswordDialog
    dialog = NewPasswordDialog(login_window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    assert available(dialog).contains(dialog.frameGeometry())
    assert focus(qapp) is dialog.first
    QTest.keyClicks(dialog.first, "Password-2569")
    key(dialog.first, Qt.Key_Tab)
    QTest.keyClicks(dialog.second, "Password-2568")
    key(dialog.second, Qt.Key_Return)
    assert dialog.isVisible() and dialog.problem.isVisible() and "ไม่ตรงกัน" in dialog.problem.text()
    # in red, right under the field to type again
    assert "b91c1c" in dialog.problem.styleSheet() and "b91c1c" in dialog.second.styleSheet()
    gap = dialog.problem.geometry().top() - dialog.second.geometry().bottom()
    assert 0 <= gap < 20 and abs(dialog.problem.x() - dialog.second.x()) < 4
    assert focus(qapp) is dialog.second and dialog.second.text() == ""
    QTest.keyClicks(dialog.second, "Password-2569")
    key(dialog.second, Qt.Key_Return)
    assert not dialog.isVisible() and dialog.password() == "Password-2569"


def test_a_wrong_pin_is_said_in_red_under_the_pin_with_the_cursor_back_in_it(qtbot, qapp, tmp_path, slots):
    """Keyboard only, through pcscd and the training card: a wrong PIN and Enter."""
    from card.emulator.profiles import load
    from tests.central import REGISTRY, free_port
    from tests.test_ui_desk import make_desk
    slots[0].insert(load("registry").card())
    desk = make_desk(qtbot, qapp, tmp_path, "pc", f"http://127.0.0.1:{free_port()}")
    try:
        w = desk.login
        w.activateWindow()
        qtbot.waitUntil(lambda: w.card_data is not None and w.pin.isVisible(), timeout=20000)
        qtbot.waitUntil(lambda: "อีก 3 ครั้ง" in w.tries.text(), timeout=10000)
        w.username.setFocus()
        QTest.keyClicks(w.username, REGISTRY.email)
        key(w.username, Qt.Key_Tab)
        QTest.keyClicks(w.password, "whatever-it-is")
        key(w.password, Qt.Key_Tab)
        assert focus(qapp) is w.pin
        QTest.keyClicks(w.pin, "9999")
        with qtbot.waitSignal(w.message_shown, timeout=10000) as said:
            key(w.pin, Qt.Key_Return)
        assert "อีก 2 ครั้ง" in said.args[0]
        assert w.tries.text() == said.args[0] and "b91c1c" in w.tries.styleSheet() and "b91c1c" in w.pin.styleSheet()
        assert w.message.text() == ""
        assert focus(qapp) is w.pin and w.pin.text() == ""
        QTest.keyClicks(w.pin, "1")          # typing the PIN again clears the mark, the tries stay said
        assert w.pin.styleSheet() == "" and "อีก 2 ครั้ง" in w.tries.text()
    finally:
        desk.close()


def test_someone_who_is_two_things_gets_the_events_of_both_and_one_marriage():
    both = forms.events_of({Relation.SELF, Relation.CHILD})      # a young staff member whose parent is staff too
    assert both == forms.events_of({Relation.SELF})               # their marriage is one record: the beneficiary's
    assert "child_marriage" not in both
    assert forms.events_of({Relation.SPOUSE, Relation.CHILD}) == ("death", "child_marriage", "divorce")
    assert forms.events_of({Relation.FATHER}) == forms.events_of({Relation.MOTHER}) == ("death",)
    assert forms.events_of(()) == ()
    every = {kind for kinds in forms.EVENTS_OF_RELATION.values() for kind in kinds}
    assert every == set(forms.PERSON_EVENTS) == set(forms.BUILDERS) - {"hire", "correction", "unit"}
