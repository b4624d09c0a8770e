"""The guided actions' dialogs over a real working copy on the database worker (no server, no card): each
event the window offers has its form; a dialog keeps its change set itself, and when keeping is refused it stays
open with the reason and what was typed."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtTest import QTest

from app.changeset import ReviewState
from app.domain import Employment, Officer, Role, Sex
from app.training import UNIT
from app.usecases import Desk
from tests import builders
from tests.builders import person, type_in
from ui.event_dialogs import EVENT_FORMS, PersonEventDialog
from ui.qt import QDialog, Qt

TODAY = dt.date(2026, 11, 15)
OFFICER = Officer("3101700000013", "นางมาลี ศรีสุข", "", Role.REGISTRY_OFFICER, UNIT.code, "malee@example.go.th")
REGISTRAR = Officer("3101700000021", "นายสมพงษ์ ใจดี", "", Role.REGISTRAR, UNIT.code, "sompong@example.go.th")
STAFF = person(first="โสภา", sex=Sex.FEMALE, born=dt.date(1990, 1, 1))


class Office(builders.Office):
    def records(self) -> list:
        return [(UNIT, 1), (STAFF, 1),
                (Employment("e1", STAFF.cid, UNIT.code, "local_official", dt.date(2015, 1, 1)), 1)]


@pytest.fixture
def office(open_office) -> Office:
    return open_office(Office)


def open_event(qtbot, office: Office, kind: str, officer: Officer = OFFICER) -> PersonEventDialog:
    dialog = PersonEventDialog(kind, office.runner, None, Desk.of(office.register, officer), TODAY, STAFF.cid)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.subject.person is not None, timeout=10000)
    return dialog


def test_every_event_the_window_offers_has_its_form(qtbot, office):
    for kind in PersonEventDialog.KINDS:
        dialog = open_event(qtbot, office, kind)
        assert type(dialog.fields) is EVENT_FORMS[kind] and dialog.fields.kind == kind
        qtbot.waitUntil(lambda: dialog.verdicts.toPlainText() != "", timeout=10000)
        dialog.reject()


def test_a_refused_draft_keeps_the_dialog_open_with_what_was_typed_and_the_corrected_one_is_kept(qtbot, office):
    dialog = open_event(qtbot, office, "marriage")
    assert STAFF.first_th in dialog.heading.text()
    type_in(dialog.other.edits["cid"], "3100000000101")
    type_in(dialog.other.edits["first_th"], "สมปอง")
    type_in(dialog.other.edits["last_th"], "ใจงาม")
    type_in(dialog.other.edits["birth"], "01/01/2530")
    type_in(dialog.on, "01/11/2569")
    QTest.mouseClick(dialog.draft_button, Qt.LeftButton)   # no registration number yet
    qtbot.waitUntil(lambda: "เลขทะเบียนสมรส" in dialog.verdicts.toPlainText(), timeout=10000)
    assert dialog.isVisible() and dialog.result_cs is None and office.changesets() == []
    assert dialog.other.edits["first_th"].text() == "สมปอง" and dialog.draft_button.isEnabled()
    type_in(dialog.fields.reg_no, "77/2569")
    with qtbot.waitSignal(dialog.kept, timeout=10000) as kept:
        QTest.mouseClick(dialog.draft_button, Qt.LeftButton)
    changed = kept.args[0]
    assert dialog.result() == QDialog.Accepted and dialog.result_cs is changed.changeset and not dialog.send
    [draft] = office.changesets()
    assert draft.id == changed.changeset.id and draft.state is ReviewState.DRAFT and "สมปอง" in draft.title


def test_a_send_refused_when_kept_leaves_the_typed_work_in_the_open_dialog(qtbot, office):
    # only a registry officer sends a change set: a registrar's send is refused at the keeping step
    dialog = open_event(qtbot, office, "death", officer=REGISTRAR)
    type_in(dialog.on, "10/11/2569")
    qtbot.waitUntil(lambda: dialog.send_button.isEnabled(), timeout=10000)
    QTest.mouseClick(dialog.send_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "เฉพาะเจ้าหน้าที่ทะเบียน" in dialog.verdicts.toPlainText(), timeout=10000)
    assert dialog.isVisible() and dialog.result_cs is None and dialog.on.text() == "10/11/2569"
    assert office.changesets() == []
    # pressed again (Enter), the send is tried again — a refusal never leaves the dialog unable to send
    dialog.verdicts.clear()
    QTest.keyClick(dialog.on, Qt.Key_Return)
    qtbot.waitUntil(lambda: "เฉพาะเจ้าหน้าที่ทะเบียน" in dialog.verdicts.toPlainText(), timeout=10000)
    assert dialog.isVisible() and office.changesets() == []
