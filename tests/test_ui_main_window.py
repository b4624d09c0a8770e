"""The first window, driven as an officer would: people listed, search as you type, the detail pane."""
from __future__ import annotations

import datetime as dt

import pytest

from app.usecases import person_detail
from ui.fonts import install_fonts
from app.store import DbWorker
from ui.main import open_register
from ui.main_window import MainWindow
from ui.tasks import TaskRunner
from ui.qt import QApplication, QEvent, QFontDatabase, QKeyEvent, Qt

TODAY = dt.date(2026, 11, 23)


def type_text(widget, text: str) -> None:
    """Type as a Thai keyboard does: one key event per character, carrying the character.
    (QTest.keyClicks only knows ASCII.)"""
    widget.setFocus()
    for ch in text:
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key_unknown, Qt.NoModifier, ch))


class Browse:
    """The people window over a seeded training copy, as the workspace shows it after log-in."""

    def __init__(self, data_dir, keys) -> None:
        self.worker = DbWorker()
        self.runner = TaskRunner(self.worker)
        self.window = MainWindow(self.runner, TODAY, training=True)
        self.register, self.unit = None, None
        self.data_dir, self.keys = data_dir, keys

    def start(self) -> None:
        self.window.show()
        self.runner.run(lambda: open_register(self.data_dir, "TRN0001", self.keys, True), self._opened)

    def _opened(self, result) -> None:
        self.register, self.unit = result
        self.window.attach(self.register, self.unit)

    def close(self) -> None:
        if self.register is not None:
            self.worker.call(self.register.wc.close)
        self.worker.stop()


@pytest.fixture
def desk(qtbot, qapp, data_dir, keys):
    install_fonts(qapp)
    d = Browse(data_dir, keys)
    qtbot.addWidget(d.window)
    with qtbot.waitSignal(d.window.people_loaded, timeout=30000):
        d.start()
    yield d
    d.close()


def test_the_training_unit_opens_with_its_people_in_thai_and_the_first_person_detailed(desk, qtbot):
    w = desk.window
    assert w.unit_label.text() == "องค์การบริหารส่วนตำบลบ้านฝึกหัด"
    assert w.model.rowCount() > 200
    assert w.model.headerData(0, Qt.Horizontal) == "เลขประจำตัวประชาชน"
    qtbot.waitUntil(lambda: w.pane.detail is not None, timeout=10000)
    assert w.pane.detail.person.cid == w.model.rows[0].cid
    assert "สิทธิ ณ วันที่ 23/11/2569" in w.pane.toPlainText()
    assert "ผู้มีสิทธิ" in w.statusBar().currentMessage()


def test_staff_come_first_in_thai_dictionary_order(desk):
    rows = desk.window.model.rows
    staff = [r for r in rows if r.relation.value == "self"]
    assert rows[: len(staff)] == staff
    from app.thai import sort_key
    keys = [sort_key(f"{desk.register.person(r.cid).first_th} {desk.register.person(r.cid).last_th}")
            for r in staff[:60]]
    assert keys == sorted(keys)


def test_typing_a_thai_surname_narrows_the_list_and_shows_that_person(desk, qtbot):
    w = desk.window
    target = next(r for r in w.model.rows if r.relation.value == "child")
    surname = desk.register.person(target.cid).last_th
    with qtbot.waitSignal(w.people_loaded, timeout=10000):
        type_text(w.search, surname)
    assert 0 < w.model.rowCount() < 200
    assert all(surname in r.name_th for r in w.model.rows)
    assert w.count_label.text().startswith("พบ ")
    with qtbot.waitSignal(w.people_loaded, timeout=10000):
        w.search.clear()
    assert w.model.rowCount() > 200


def test_a_cid_prefix_finds_the_person_and_nonsense_finds_nobody(desk, qtbot):
    w = desk.window
    cid = w.model.rows[5].cid
    with qtbot.waitSignal(w.people_loaded, timeout=10000):
        qtbot.keyClicks(w.search, cid)
    assert {r.cid for r in w.model.rows} == {cid}
    with qtbot.waitSignal(w.people_loaded, timeout=10000):
        w.search.setText("ไม่มีใครชื่อนี้")
    assert w.model.rowCount() == 0
    assert w.count_label.text() == "พบ 0 รายการ"


def test_choosing_a_beneficiary_shows_their_dependents_with_periods(desk, qtbot):
    w = desk.window
    qtbot.waitUntil(lambda: w.pane.detail is not None, timeout=10000)  # the first row's detail, shown at start
    details = ((i, desk.worker.call(person_detail, desk.register, row.cid, TODAY))
               for i, row in enumerate(w.model.rows) if i > 0)  # another row than the one already shown
    i, detail = next((i, d) for i, d in details if d and len(d.dependents) >= 2)
    with qtbot.waitSignal(w.detail_loaded, timeout=10000):
        w.table.selectRow(i)
    text = w.pane.toPlainText()
    assert "ผู้มีสิทธิร่วม" in text
    for dep in detail.dependents:
        assert dep.person.name_th in text


def test_sarabun_is_registered_so_thai_never_shows_as_boxes(qapp):
    families = install_fonts(qapp)
    assert "Sarabun" in families
    assert "Sarabun" in QFontDatabase.families()
    assert qapp.font().family() == "Sarabun"


def choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_the_filters_narrow_the_list_by_relation_entitlement_day_and_review_state(desk, qtbot):
    from app import actions, events
    from app.changeset import ReviewState
    from app.rules.entitlement import Relation
    w = desk.window
    everyone = len(w.model.rows)
    with qtbot.waitSignal(w.people_loaded, timeout=10000):
        choose(w.relation_filter, Relation.CHILD)
    assert 0 < len(w.model.rows) < everyone and {r.relation for r in w.model.rows} == {Relation.CHILD}
    assert w.count_label.text().startswith("พบ ")
    # Entitled on a day long before anyone was hired: nobody; the column says which day it is about.
    w.entitled_day.setText("01/01/2500")
    with qtbot.waitSignal(w.people_loaded, timeout=10000):
        w.entitled_check.setChecked(True)
    assert w.model.rows == []
    assert w.model.headerData(4, Qt.Horizontal) == "สิทธิ ณ 01/01/2500"
    w.entitled_day.setText("31/02/2569")  # no such day: said in Thai, the list is kept
    w.entitled_day.editingFinished.emit()
    qtbot.waitUntil(lambda: "ไม่มีวันที่ 31/02/2569 ในปฏิทิน" in w.statusBar().currentMessage())
    assert w.model.headerData(4, Qt.Horizontal) == "สิทธิ ณ 01/01/2500"  # the last good list stays
    w.entitled_day.setText("23/11/2569")
    with qtbot.waitSignal(w.people_loaded, timeout=10000):
        w.entitled_day.editingFinished.emit()
    assert w.model.rows and all(r.entitled and r.relation is Relation.CHILD for r in w.model.rows)
    # Only those with a change set waiting for the registrar: a death recorded for one staff member.
    staff = next(r for r in desk.worker.call(lambda: desk.register.people("TRN0001", TODAY))
                 if r.relation is Relation.SELF and r.entitled)

    def record_death():
        person = actions.known_person(desk.register, staff.cid)
        job = actions.open_employment(desk.register, staff.cid, "TRN0001")
        cs = events.death("TRN0001", "1101700000001", person, TODAY, [job])
        cs.state = ReviewState.PENDING
        desk.register.save_changeset(cs)
    desk.worker.call(record_death)
    with qtbot.waitSignal(w.people_loaded, timeout=10000):
        choose(w.relation_filter, None)
        w.entitled_check.setChecked(False)
        choose(w.review_filter, ReviewState.PENDING)
    assert [r.cid for r in w.model.rows] == [staff.cid]
    with qtbot.waitSignal(w.people_loaded, timeout=10000):
        choose(w.review_filter, ReviewState.RETURNED)
    assert w.model.rows == [] and w.count_label.text() == "พบ 0 รายการ"
