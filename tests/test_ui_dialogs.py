"""Every dialog of the guided actions as a person at an office laptop meets it (issue 17), over a real working copy
on the database worker: it fits the screen (1366×768 less the taskbar; LGO_TEST_SCREEN=fullhd150 for a full-HD
laptop at 150 %) with its buttons in view; Enter in a field presses only the dialog's own accept action (never scan,
import or read-card); Escape closes an untouched dialog at once and asks once something was entered; focus starts
in the first field and Tab follows the reading order; every typing mistake is marked on its field and listed at
once; a retirement before 60 asks whether it is an early one."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QPoint, QRect
from PySide6.QtTest import QTest

from app import editing, events
from app.changeset import ReviewState
from app.domain import Employment, EndReason, Officer, Role, Sex
from app.errors import FieldRefusals
from app.register import validate
from app.rules.entitlement import Facts, Relation
from app.training import UNIT
from app.usecases import Desk, forms, registry
from tests import builders
from tests.builders import person, type_in
from ui.approve import CardPinDialog
from ui.card_bridge import CardBridge
from ui.dialogs import FRAME_ALLOWANCE, available
from ui.event_dialogs import (
    EVENT_FORMS, DependentDialog, EditDialog, HireDialog, PersonEventDialog, UnitDialog,
)
from ui.evidence import Attached, EvidenceViewer
from ui.fields import ERROR_PROPERTY
from ui.qt import QApplication, QDialog, QImage, QLineEdit, QMessageBox, QPushButton, Qt
from ui.tabs.review_inbox import ReturnReasonDialog

TODAY = dt.date(2026, 11, 15)
OFFICER = Officer("3101700000013", "นางมาลี ศรีสุข", "", Role.REGISTRY_OFFICER, UNIT.code, "malee@example.go.th")
STAFF = person(first="โสภา", sex=Sex.FEMALE, born=dt.date(1990, 1, 1))
AT_44 = person(first="สมหมาย", born=dt.date(1982, 3, 1))    # 44 on the day of the retirement below
AT_60 = person(first="สมปอง", born=dt.date(1966, 9, 30))    # 60 the day before it


class Office(builders.Office):
    def __init__(self, data_dir, keys) -> None:
        super().__init__(data_dir, keys)
        self.card = CardBridge()   # not started: no reader, so a card read says "insert the card" and nothing more
        self.desk = Desk.of(self.register, OFFICER)

    def records(self) -> list:
        records = [(UNIT, 1)]
        for i, p in enumerate((STAFF, AT_44, AT_60)):
            records += [(p, 1), (Employment(f"e{i}", p.cid, UNIT.code, "local_official", dt.date(2005, 1, 1),
                                            "นักจัดการงานทั่วไป"), 1)]
        return records


@pytest.fixture
def office(open_office) -> Office:
    return open_office(Office)


def shown(qtbot, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()      # as the window manager does for a new dialog: its shortcuts are live
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    return dialog


def hire(qtbot, office: Office) -> HireDialog:
    return shown(qtbot, HireDialog(office.runner, office.card, office.desk, TODAY))


def event(qtbot, office: Office, kind: str, who=STAFF) -> PersonEventDialog:
    dialog = shown(qtbot, PersonEventDialog(kind, office.runner, office.card, office.desk, TODAY, who.cid))
    qtbot.waitUntil(lambda: dialog.subject.person is not None, timeout=10000)
    return dialog


def fill_hire(dialog: HireDialog, position: str = "นักวิเคราะห์นโยบายและแผน") -> None:
    f = dialog.form.edits
    type_in(f["cid"], "3100000000101")
    type_in(f["first_th"], "วิภาวดี")
    type_in(f["last_th"], "รุ่งเรืองศรี")
    type_in(f["birth"], "01/01/2530")
    type_in(dialog.position, position)


def global_rect(widget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def assert_fits(dialog: QDialog, accept: QPushButton, cancel: QPushButton, accept_enabled: bool) -> None:
    screen = available(dialog)
    name = dialog.windowTitle()
    assert screen.contains(dialog.frameGeometry()), (name, dialog.frameGeometry(), screen)
    # room left for a real title bar and borders too (the offscreen platform draws none)
    assert dialog.height() + FRAME_ALLOWANCE.height() <= screen.height(), name
    assert dialog.width() + FRAME_ALLOWANCE.width() <= screen.width(), name
    for button, enabled in ((accept, accept_enabled), (cancel, True)):
        assert button.isVisible() and screen.contains(global_rect(button)), (name, button.text())
        assert dialog.rect().contains(QRect(button.mapTo(dialog, QPoint(0, 0)), button.size())), (name, button.text())
        assert button.isEnabled() is enabled, (name, button.text())


def cancel_of(dialog: QDialog) -> QPushButton:
    [cancel] = [b for b in dialog.findChildren(QPushButton) if b.text() in ("ยกเลิก", "ปิด") and b.window() is dialog]
    return cancel


# --- fitting the screen --------------------------------------------------------------------------------

def test_every_dialog_fits_the_screen_with_its_buttons_in_view_and_enabled_when_they_should_be(qtbot, office):
    h = hire(qtbot, office)
    assert_fits(h, h.send_button, h.close_button, accept_enabled=False)     # nothing typed: nothing to send
    assert h.draft_button.isEnabled() and global_rect(h.draft_button).bottom() <= available(h).bottom()
    # the family table shows three people at least; the documents are reached by scrolling the form
    assert h.family.height() >= h.family.horizontalHeader().height() + 3 * h.family.verticalHeader().defaultSectionSize()
    h.scroll.ensureWidgetVisible(h.evidence.list)
    assert h.scroll.viewport().rect().intersects(
        QRect(h.evidence.list.mapTo(h.scroll.viewport(), QPoint(0, 0)), h.evidence.list.size()))
    fill_hire(h)
    qtbot.waitUntil(lambda: h.send_button.isEnabled(), timeout=10000)
    assert_fits(h, h.send_button, h.close_button, accept_enabled=True)

    for relation in (Relation.SPOUSE, Relation.CHILD, Relation.FATHER, Relation.MOTHER):
        d = shown(qtbot, DependentDialog(office.runner, office.card, office.register, relation))
        assert_fits(d, d.ok, cancel_of(d), accept_enabled=True)
        assert d.width() >= min(640, available(d).width() - FRAME_ALLOWANCE.width())
        assert d.form.edits["address"].width() >= 300 and d.form.edits["first_th"].width() >= 300
        d.discard()

    for kind in EVENT_FORMS:
        e = event(qtbot, office, kind)
        qtbot.waitUntil(lambda: e.verdicts.toPlainText() != "", timeout=10000)
        assert_fits(e, e.send_button, e.close_button, accept_enabled=e.send_button.isEnabled())
        assert e.draft_button.isEnabled()
        e.discard()

    unit = office.worker.call(registry.unit_data, office.desk)
    u = shown(qtbot, UnitDialog(office.runner, office.desk, TODAY, unit))
    assert_fits(u, u.send_button, u.close_button, accept_enabled=False)   # nothing changed yet

    done = office.worker.call(registry.record, office.desk, forms.Hire(
        person(first="สุดา"), "local_official", TODAY, "นักวิชาการเงินและบัญชี",
        dependents=(events.NewDependent(person(first="ลูกหนึ่ง", born=dt.date(2015, 1, 1)), Relation.CHILD),)), False)
    records = office.worker.call(editing.editable, office.register, done.changeset)
    ed = shown(qtbot, EditDialog(office.runner, office.desk, TODAY, done.changeset, records))
    qtbot.waitUntil(lambda: ed.verdicts.toPlainText() != "", timeout=10000)
    assert_fits(ed, ed.send_button, ed.close_button, accept_enabled=True)

    pin = shown(qtbot, CardPinDialog(office.runner, office.card, OFFICER.cid, "อนุมัติ 12 รายการ: " + "; ".join(
        f"บรรจุใหม่ นางสาววิภาวดี รุ่งเรืองศรี พร้อมคู่สมรสและบุตร {i} คน" for i in range(12))))
    assert_fits(pin, pin.button, cancel_of(pin), accept_enabled=True)
    assert "เสียบบัตร" in pin.status.text()

    r = shown(qtbot, ReturnReasonDialog("บรรจุใหม่ นางสาววิภาวดี รุ่งเรืองศรี"))
    assert_fits(r, r.give_back, cancel_of(r), accept_enabled=False)       # no reason yet

    tall = Attached("0" * 64, "คำสั่งบรรจุ", "image/png", 10)
    page = QImage(1240, 1754, QImage.Format_RGB32)   # an A4 page scanned at 150 dpi: taller than any laptop
    page.fill(0xFFFFFF)
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QBuffer.WriteOnly)
    page.save(buf, "PNG")
    v = shown(qtbot, EvidenceViewer(office.runner, tall, bytes(data)))
    close = v.findChild(QPushButton, "closeViewer")
    assert_fits(v, close, close, accept_enabled=True)


# --- Enter ---------------------------------------------------------------------------------------------

def line_edits(dialog: QDialog) -> list[QLineEdit]:
    return [e for e in dialog.findChildren(QLineEdit) if e.window() is dialog and e.isVisible() and e.isEnabled()]


def test_enter_in_any_field_of_the_hire_dialog_sends_once_the_rules_allow_it_and_never_scans_or_reads_a_card(
        qtbot, office):
    h = hire(qtbot, office)
    qtbot.waitUntil(lambda: h.verdicts.toPlainText() != "", timeout=10000)
    scan_note, card_note = h.evidence.status.text(), h.form.status.text()
    fields = line_edits(h)
    assert {"cid", "first_th", "birth", "address", "position", "start"} <= {e.objectName() for e in fields}
    for edit in fields:                           # half typed: Enter presses nothing at all
        edit.setFocus()
        QTest.keyClick(edit, Qt.Key_Return)
        QTest.keyClick(edit, Qt.Key_Enter, Qt.KeypadModifier)
    assert h.isVisible() and h.result_cs is None and office.changesets() == []
    assert h.evidence.items == [] and h.evidence.status.text() == scan_note and h.evidence.scan_button.isEnabled()
    assert h.form.status.text() == card_note and h.form.read_button.isEnabled()
    assert not any(isinstance(w, DependentDialog) and w.isVisible() for w in QApplication.topLevelWidgets())
    fill_hire(h)
    qtbot.waitUntil(lambda: h.send_button.isEnabled(), timeout=10000)
    type_in(h.position, "นักวิเคราะห์นโยบายและแผนชำนาญการ")
    with qtbot.waitSignal(h.kept, timeout=10000):
        QTest.keyClick(h.position, Qt.Key_Return)    # at once, before the check: it waits for the rules, then sends
    assert h.result() == QDialog.Accepted and h.send and "ชำนาญการ" in h.result_cs.operations[1].fields["position"]
    [sent] = office.changesets()
    assert sent.state is ReviewState.PENDING and h.evidence.items == [] and h.form.status.text() == card_note


def test_ctrl_enter_sends_and_ctrl_s_keeps_a_draft_and_the_tooltips_say_so(qtbot, office):
    h = hire(qtbot, office)
    assert "Ctrl+Enter" in h.send_button.toolTip() and "Ctrl+S" in h.draft_button.toolTip()
    fill_hire(h)
    with qtbot.waitSignal(h.kept, timeout=10000):
        QTest.keyClick(h.form.edits["birth"], Qt.Key_S, Qt.ControlModifier)
    assert office.changesets()[0].state is ReviewState.DRAFT and h.result() == QDialog.Accepted
    h2 = hire(qtbot, office)
    fill_hire(h2)
    type_in(h2.form.edits["cid"], "3100000000110")
    qtbot.waitUntil(lambda: h2.send_button.isEnabled(), timeout=10000)
    with qtbot.waitSignal(h2.kept, timeout=10000):
        QTest.keyClick(h2.position, Qt.Key_Return, Qt.ControlModifier)
    assert h2.send and sorted(c.state.value for c in office.changesets()) == ["draft", "pending"]


def test_enter_in_any_field_of_the_dependent_dialog_adds_and_never_reads_a_card(qtbot, office):
    h = hire(qtbot, office)
    h.add_dependent(Relation.SPOUSE)
    d = h.last_dependent
    qtbot.waitExposed(d)
    card_note = d.form.status.text()
    fields = line_edits(d)
    assert {"cid", "first_th", "address", "registrationNo", "registeredOn"} <= {e.objectName() for e in fields}
    for edit in fields:                           # nothing typed yet: Enter tries "เพิ่ม", which says why not
        QTest.keyClick(edit, Qt.Key_Return)
        assert d.isVisible() and "เลขประจำตัวประชาชน" in d.problem.text()
    assert d.form.status.text() == card_note and d.form.read_button.isEnabled() and h.dependents == []
    for name, text in (("cid", "3100000000012"), ("first_th", "สมศักดิ์"), ("last_th", "ใจงาม"),
                       ("birth", "01/05/2525"), ("address", "99 หมู่ 1 ตำบลบ้านฝึกหัด")):
        type_in(d.form.edits[name], text)
    type_in(d.reg_no, "123/2555")
    type_in(d.reg_on, "14/02/2555")
    with qtbot.waitSignal(h.dependent_added, timeout=5000):
        QTest.keyClick(d.form.edits["address"], Qt.Key_Return)
    assert [dep.person.first_th for dep in h.dependents] == ["สมศักดิ์"] and d.form.status.text() == card_note


def test_a_card_read_over_typed_data_asks_first(qtbot, office):
    d = shown(qtbot, DependentDialog(office.runner, office.card, office.register, Relation.CHILD))
    note = d.form.status.text()
    type_in(d.form.edits["first_th"], "ลูกหนึ่ง")
    QTest.mouseClick(d.form.read_button, Qt.LeftButton)
    box = d.form.overwrite_question
    assert box is not None and box.isVisible() and d.form.status.text() == note   # nothing read yet
    texts = sorted(b.text() for b in box.buttons())
    assert texts == sorted(["แทนที่ด้วยข้อมูลจากบัตร", "เก็บที่กรอกไว้"])
    [keep] = [b for b in box.buttons() if b.text() == "เก็บที่กรอกไว้"]
    QTest.mouseClick(keep, Qt.LeftButton)
    assert d.form.edits["first_th"].text() == "ลูกหนึ่ง" and d.form.status.text() == note
    QTest.mouseClick(d.form.read_button, Qt.LeftButton)
    [replace] = [b for b in d.form.overwrite_question.buttons() if b.text() == "แทนที่ด้วยข้อมูลจากบัตร"]
    QTest.mouseClick(replace, Qt.LeftButton)
    assert "เสียบบัตร" in d.form.status.text()      # the read went ahead (no card in this test's reader)


# --- Escape --------------------------------------------------------------------------------------------

def discard_question(dialog: QDialog) -> QMessageBox | None:
    box = dialog.discard_question
    assert box is None or box.objectName() == "discardQuestion"
    return box if box is not None and box.isVisible() else None


def press(box: QMessageBox, text: str) -> None:
    [button] = [b for b in box.buttons() if b.text() == text]
    QTest.mouseClick(button, Qt.LeftButton)


def test_escape_closes_an_untouched_dialog_and_asks_once_something_was_entered(qtbot, office):
    h = hire(qtbot, office)
    QTest.keyClick(h.form.edits["cid"], Qt.Key_Escape)
    assert not h.isVisible() and discard_question(h) is None and h.result() == QDialog.Rejected

    h = hire(qtbot, office)
    fill_hire(h)
    QTest.keyClick(h.position, Qt.Key_Escape)
    box = discard_question(h)
    assert h.isVisible() and box is not None and box.text() == "ละทิ้งข้อมูลที่กรอก?"
    assert sorted(b.text() for b in box.buttons()) == sorted(["กลับไปกรอกต่อ", "ละทิ้ง", "บันทึกร่าง"])
    press(box, "กลับไปกรอกต่อ")
    assert h.isVisible() and h.form.edits["first_th"].text() == "วิภาวดี" and h.position.text()
    QTest.mouseClick(h.close_button, Qt.LeftButton)
    press(discard_question(h), "ละทิ้ง")
    assert not h.isVisible() and office.changesets() == []

    h = hire(qtbot, office)
    fill_hire(h)
    QTest.keyClick(h.position, Qt.Key_Escape)
    with qtbot.waitSignal(h.kept, timeout=10000):
        press(discard_question(h), "บันทึกร่าง")
    [draft] = office.changesets()
    assert draft.state is ReviewState.DRAFT and "วิภาวดี" in draft.title and not h.isVisible()

    # a dependent added (nothing typed in the hire dialog itself) is something entered too
    h = hire(qtbot, office)
    h.add_dependent(Relation.CHILD)
    d = h.last_dependent
    QTest.keyClick(d.form.edits["cid"], Qt.Key_Escape)       # the untouched dependent dialog closes at once
    assert not d.isVisible() and discard_question(d) is None
    h.add_dependent(Relation.CHILD)
    d = h.last_dependent
    for name, text in (("cid", "3100000000021"), ("first_th", "ลูกหนึ่ง"), ("last_th", "ใจงาม"), ("birth", "01/03/2556")):
        type_in(d.form.edits[name], text)
    QTest.keyClick(d.form.edits["birth"], Qt.Key_Escape)
    assert d.isVisible() and discard_question(d) is not None
    press(discard_question(d), "กลับไปกรอกต่อ")
    with qtbot.waitSignal(h.dependent_added, timeout=5000):
        QTest.keyClick(d.form.edits["birth"], Qt.Key_Return)
    h.form.edits["cid"].setFocus()
    QTest.keyClick(h.form.edits["cid"], Qt.Key_Escape)
    assert h.isVisible() and discard_question(h) is not None


# --- focus and Tab ---------------------------------------------------------------------------------------

def test_the_hire_dialog_starts_in_the_citizen_id_and_tab_follows_the_reading_order(qtbot, office):
    h = hire(qtbot, office)
    h.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is h.form.edits["cid"], timeout=5000)
    visited = []
    for _ in range(60):
        w = QApplication.focusWidget()
        visited.append(w.objectName() or type(w).__name__)
        QTest.keyClick(w, Qt.Key_Tab)
        if QApplication.focusWidget() is h.form.edits["cid"]:
            break
    order = ["cid", "title_th", "first_th", "middle_th", "last_th", "first_en", "last_en", "birth", "address", "sex",
             "readCard", "personnelType", "position", "start", "startReason", "family", "addSpouse", "evidenceKind",
             "scanEvidence", "importEvidence", "evidenceList", "verdicts", "closeDialog", "saveDraft"]
    assert [v for v in visited if v in order] == order, visited
    assert visited.count("family") == 1 and visited.count("evidenceList") == 1   # a table is one Tab stop


# --- mistakes on their fields ------------------------------------------------------------------------------

def test_every_typing_mistake_is_marked_on_its_field_and_all_are_listed_at_once(qtbot, office):
    h = hire(qtbot, office)
    type_in(h.form.edits["cid"], "3100000000102")       # a wrong check digit
    type_in(h.form.edits["birth"], "01/01/2530")
    type_in(h.start, "31/02/2569")
    h.position.clear()
    h.check()
    wrong = {"cid": "หลักสุดท้าย", "first_th": "ชื่อ", "last_th": "นามสกุล", "start": "ไม่มีวันที่ 31/02/2569",
             "position": "ตำแหน่ง"}
    qtbot.waitUntil(lambda: "ตำแหน่ง" in h.verdicts.toPlainText(), timeout=10000)
    # as typed: the fields typed in carry their mistake; one not reached yet is not covered in red
    assert set(h.form.marks.marked()) == {"cid"} and set(h.job_marks.marked()) == {"start"}
    QTest.mouseClick(h.draft_button, Qt.LeftButton)      # trying to keep it: every mistake on its field
    assert office.changesets() == [] and h.isVisible()
    listed = h.verdicts.toPlainText()
    marks = {**h.form.marks.marked(), **h.job_marks.marked()}
    assert set(marks) == set(wrong), marks
    for name, reason in wrong.items():
        field = h.form.edits.get(name) or getattr(h, name)
        note = (h.form.marks.note(name) or h.job_marks.note(name))
        assert field.property(ERROR_PROPERTY) is True and note.isVisible() and reason in note.text(), name
        assert note.text() in listed, name                   # listed in the results box too, all at once
    assert not h.send_button.isEnabled() and "birth" not in marks
    # corrected, the marks go
    fill_hire(h)
    type_in(h.start, "01/11/2569")
    qtbot.waitUntil(lambda: h.send_button.isEnabled(), timeout=10000)
    assert h.form.marks.marked() == {} and h.job_marks.marked() == {}
    assert not h.position.property(ERROR_PROPERTY)


def test_an_empty_position_is_refused_by_the_rules_the_server_runs_too():
    me = person(first="วิภาวดี", born=dt.date(1987, 1, 1))
    facts = Facts(persons={})
    for position in ("", "   "):
        cs = events.hire("U1", OFFICER.cid, me, "local_official", dt.date(2026, 11, 1), position)
        _after, verdicts = validate(facts, cs, TODAY)
        [refused] = [v for v in verdicts.errors if v.code == "employment.position"]
        assert refused.subject == "position" and "ตำแหน่ง" in refused.th
    cs = events.hire("U1", OFFICER.cid, me, "local_official", dt.date(2026, 11, 1), "นักวิเคราะห์นโยบายและแผน")
    assert validate(facts, cs, TODAY)[1].ok
    # a retirement with a pension starts the pension's service itself, with no position to type
    job = events.Known(Employment("e1", me.cid, "U1", "local_official", dt.date(2006, 1, 1), "ปลัด"), 1)
    old = person(first="สมพร", born=dt.date(1966, 1, 1))
    job = events.Known(Employment("e1", old.cid, "U1", "local_official", dt.date(1990, 1, 1), "ปลัด"), 1)
    facts = Facts(persons={old.cid: old}, employments=[job.record])
    facts.reindex()
    retired = events.end_service("U1", OFFICER.cid, events.Known(old, 1), job, dt.date(2026, 10, 1),
                                 EndReason.RETIREMENT, pension=True)
    assert "employment.position" not in validate(facts, retired, TODAY)[1].codes()
    # the form reader lists every mistake at once, each on its field
    with pytest.raises(FieldRefusals) as refused:
        forms.typed_person({"cid": "3100000000102", "first_th": " ", "last_th": "", "birth": "31/02/2530"}, Sex.MALE)
    assert [name for name, _v in refused.value.problems] == ["cid", "first_th", "last_th", "birth"]


# --- a retirement before 60 --------------------------------------------------------------------------------

def retire(qtbot, office: Office, who) -> PersonEventDialog:
    e = event(qtbot, office, "end", who)
    e.fields.reason.setCurrentIndex(e.fields.reason.findData(EndReason.RETIREMENT))
    type_in(e.on, "01/10/2569")
    return e


def test_a_retirement_at_44_asks_whether_it_is_early_and_reminds_of_the_order_and_at_60_does_not(qtbot, office):
    e = retire(qtbot, office, AT_44)
    assert e.fields.early.isVisible() and "44" in e.fields.early_note.text() and "คำสั่ง" in e.fields.early_note.text()
    qtbot.waitUntil(lambda: "เกษียณก่อนกำหนด" in e.verdicts.toPlainText(), timeout=10000)
    assert not e.send_button.isEnabled()                        # asked, not silently accepted
    QTest.mouseClick(e.fields.early, Qt.LeftButton, pos=QPoint(8, e.fields.early.height() // 2))
    qtbot.waitUntil(lambda: "ยังไม่ได้แนบเอกสารประกอบ (คำสั่งให้พ้นจากตำแหน่ง)" in e.verdicts.toPlainText(),
                    timeout=10000)
    assert e.send_button.isEnabled()                            # a reminder, not a refusal: the registrar decides

    e = retire(qtbot, office, AT_60)
    qtbot.waitUntil(lambda: e.send_button.isEnabled(), timeout=10000)
    assert not e.fields.early.isVisible() and not e.fields.early_note.isVisible()
    assert "ยังไม่ได้แนบเอกสารประกอบ" not in e.verdicts.toPlainText()


def test_the_age_of_an_early_retirement_is_computed_in_app_on_the_day():
    on = dt.date(2026, 10, 1)
    at = {p.first_th: forms.Subject(p.cid, events.Known(p, 1)) for p in (AT_44, AT_60)}
    assert forms.early_retirement_age(at["สมหมาย"], on, EndReason.RETIREMENT) == 44
    assert forms.early_retirement_age(at["สมปอง"], on, EndReason.RETIREMENT) is None           # 60 the day before
    assert forms.early_retirement_age(at["สมปอง"], dt.date(2026, 9, 29), EndReason.RETIREMENT) == 59
    assert forms.early_retirement_age(at["สมหมาย"], on, EndReason.RESIGNATION) is None
