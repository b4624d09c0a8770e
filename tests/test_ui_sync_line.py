"""The sync line on a shared PC says whose work waits: each officer's work goes out only under their own log-in,
so what a colleague left on this PC waits for them, and the line says so rather than counting it as the
officer's own. Against the real server on loopback: the officer's own change set goes, the colleague's stays."""
from __future__ import annotations

import datetime as dt

import pytest

from app import events
from app.changeset import ReviewState
from app.domain import Officer, Role
from app.rules.entitlement import Relation
from app.store import DbWorker
from app.usecases import registry
from sync.licence import Check, LicenceState
from sync.service import SyncStatus
from sync.session import Account, Session
from tests.builders import new_cid, person
from tests.central import REGISTRAR, REGISTRY, UNIT, hire
from tests.test_sync_loop import desk, office, pc  # noqa: F401 (office: the fixture)
from ui.tasks import TaskRunner
from ui.workspace import Workspace

COLLEAGUE = Officer(new_cid(), "นางสาวสมใจ ทะเบียนดี", "นักทรัพยากรบุคคล", Role.REGISTRY_OFFICER, UNIT,
                    "somjai@example.go.th")


def colleagues_hire(engine) -> None:
    """A hire the colleague recorded and submitted on this PC before logging out (not sent yet)."""
    me = person(first="มานี", born=dt.date(1992, 2, 2))
    cs = events.hire(UNIT, COLLEAGUE.cid, me, "local_official", dt.date(2026, 10, 1), "นักวิชาการเงินและบัญชี",
                     dependents=[events.NewDependent(person(first="ลูก", born=dt.date(2020, 1, 1)), Relation.CHILD)])
    cs.state = ReviewState.DRAFT
    registry.submit(desk(engine, COLLEAGUE), cs)


@pytest.fixture
def worker():
    w = DbWorker()
    yield w
    w.stop()


def window_of(qtbot, qapp, engine, officer, worker) -> Workspace:
    from ui.fonts import install_fonts
    install_fonts(qapp)
    account = Account(officer.email, officer.cid, officer.name, officer.role, UNIT)
    session = Session(account, True, engine.register, engine.client, Check(LicenceState.VALID, ""), "shared")
    window = Workspace(TaskRunner(worker), session, None, dt.date.today())
    qtbot.addWidget(window)
    window.resize(1366, 728)
    window.show()
    loaded = window.inbox_loaded if officer.role is Role.REGISTRAR else window.work_loaded
    with qtbot.waitSignal(loaded, timeout=30000):
        window.attach(engine.register, None)
    return window


def shown_after(qtbot, window: Workspace, engine) -> str:
    status = SyncStatus(online=True, last_success=dt.datetime.now(dt.timezone.utc), unsynced=engine.pending_count())
    with qtbot.waitSignal(window.unsynced_shown, timeout=30000):
        window.show_sync(status)
    return window.sync_label.text()


def test_the_sync_line_says_which_waiting_items_are_the_officers_and_which_wait_for_a_colleague(
        office, tmp_path, qtbot, qapp, worker):  # noqa: F811
    shared = pc(tmp_path, "shared", office, REGISTRY)
    for _ in range(2):
        colleagues_hire(shared)
    mine = hire()
    mine.state = ReviewState.DRAFT
    registry.submit(desk(shared, REGISTRY), mine)
    assert shared.pending_count() == 3

    window = window_of(qtbot, qapp, shared, REGISTRY, worker)
    line = shown_after(qtbot, window, shared)
    assert "ยังไม่ส่ง 3 รายการ (ของท่าน 1 · ของผู้ใช้อื่นในเครื่องนี้ 2)" in line, line
    assert "เมื่อผู้ใช้นั้นเข้าสู่ระบบ" in window.sync_label.toolTip()
    label = window.sync_label   # the whole line in view at 1366×728, beside «ซิงก์ตอนนี้»
    qtbot.waitUntil(lambda: label.width() >= label.sizeHint().width(), timeout=5000)
    window.grab().save(str(tmp_path / "sync-line.png"))

    # the real sync under this officer's log-in: theirs goes, the colleague's two wait for the colleague
    report = shared.sync_once()
    assert report.pushed == 1 and shared.pending_count() == 2
    line = shown_after(qtbot, window, shared)
    assert "ยังไม่ส่ง 2 รายการ (ของผู้ใช้อื่นในเครื่องนี้ทั้งหมด)" in line, line
    window.close()


def test_the_sync_line_of_a_pc_with_only_the_officers_own_work_is_as_before(office, tmp_path, qtbot, qapp,
                                                                            worker):  # noqa: F811
    laptop = pc(tmp_path, "laptop", office, REGISTRY)
    cs = hire()
    cs.state = ReviewState.DRAFT
    registry.submit(desk(laptop, REGISTRY), cs)
    window = window_of(qtbot, qapp, laptop, REGISTRY, worker)
    line = shown_after(qtbot, window, laptop)
    assert line.endswith("ยังไม่ส่ง 1 รายการ") and "ผู้ใช้อื่น" not in line, line
    assert window.sync_label.toolTip() == ""
    window.close()


def test_a_registrar_on_the_shared_pc_sees_the_officers_change_set_as_waiting_for_its_author(
        office, tmp_path, qtbot, qapp, worker):  # noqa: F811
    shared = pc(tmp_path, "shared", office, REGISTRY)
    cs = hire()
    cs.state = ReviewState.DRAFT
    registry.submit(desk(shared, REGISTRY), cs)
    from tests.test_sync_loop import sign_in
    sign_in(shared, REGISTRAR)     # the registry officer logged out; the registrar sits down
    window = window_of(qtbot, qapp, shared, REGISTRAR, worker)
    assert "ยังไม่ส่ง 1 รายการ (ของผู้ใช้อื่นในเครื่องนี้ทั้งหมด)" in shown_after(qtbot, window, shared)
    window.close()
