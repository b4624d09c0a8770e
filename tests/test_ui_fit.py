"""Every window and dialog of the desk fits the screen it opens on, with its buttons on the screen and usable:
the log-in, the workspace of each role, the new hire and its four family dialogs, every person event, the unit's
data, the correction of a draft, the registrar's return, approval and confirmation dialogs, the document viewer,
the questions they ask.

It runs on the screen tests/conftest.py gives the UI tests — the most common office laptop, 1366×768 less the
Windows taskbar — and once more, in a child pytest, on a full-HD laptop at Windows' 150 % (1280×688 device-
independent pixels). Every top-level window shown while the tours run is checked when it appears (an
application-wide event filter), so a dialog added later is checked without being named here.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import shiboken6

from app import training
from card.emulator.profiles import load
from tests.central import OFFICERS, REGISTRAR, REGISTRY, UNIT, approve, hire, import_unit, push, ready_session
from tests.conftest import SCREEN
from tests.test_ui_desk import click, log_in, make_desk
from ui.dialogs import FRAME_ALLOWANCE
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtWidgets import QAbstractScrollArea, QDialog, QPushButton, QScrollArea, QWidget

ROOT = Path(__file__).resolve().parent.parent


def problems_of(w: QWidget) -> list[str]:
    """What does not fit: the window outside the screen's available geometry (with room for its title bar),
    or a button of its fixed part (not inside a scroll area) off the screen or hidden behind something."""
    name = w.objectName() or type(w).__name__
    avail = w.screen().availableGeometry()
    out = []
    # a maximised window's title bar is inside the available geometry; any other needs room for one
    room = avail if w.isMaximized() else QRect(avail.topLeft(), avail.size() - FRAME_ALLOWANCE)
    if w.width() > room.width() or w.height() > room.height():
        out.append(f"{name}: {w.width()}×{w.height()} is larger than the room on a {avail.width()}×"
                   f"{avail.height()} screen ({room.width()}×{room.height()} less the title bar)")
    if not avail.contains(w.frameGeometry()):
        out.append(f"{name}: at {w.frameGeometry()} reaches outside the screen {avail}")
    for b in w.findChildren(QPushButton):
        if b.window() is not w or not b.isVisibleTo(w) or _scrolled(b, w):
            continue
        rect = QRect(b.mapToGlobal(QPoint(0, 0)), b.size())
        if not avail.contains(rect):
            out.append(f"{name}: button «{b.text()}» at {rect} is off the screen {avail}")
        elif b.visibleRegion().boundingRect() != b.rect():
            out.append(f"{name}: button «{b.text()}» is cut off ({b.visibleRegion().boundingRect()} of {b.rect()})")
    return out


def _scrolled(widget: QWidget, top: QWidget) -> bool:
    """Inside a scroll area (reached by scrolling, not expected to be on screen at once)."""
    p = widget.parentWidget()
    while p is not None and p is not top:
        if isinstance(p, (QScrollArea, QAbstractScrollArea)):
            return True
        p = p.parentWidget()
    return False


class ScreenWatch(QObject):
    """Checks every top-level window as it is shown (and again on demand)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []
        self.problems: list[str] = []

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if (event.type() == QEvent.Show and isinstance(obj, QWidget) and obj.isWindow()
                and obj.windowType() in (Qt.Window, Qt.Dialog, Qt.Sheet)):
            QTimer.singleShot(50, lambda: self.check(obj))   # once its layout settled
        return False

    def check(self, w: QWidget) -> None:
        if not shiboken6.isValid(w) or not w.isVisible():
            return
        self.seen.extend((type(w).__name__, w.objectName()))
        for p in problems_of(w):
            if p not in self.problems:
                self.problems.append(p)


@pytest.fixture
def watch(qapp):
    w = ScreenWatch()
    qapp.installEventFilter(w)
    yield w
    qapp.removeEventFilter(w)


@pytest.fixture
def office(central_sqlite, tmp_path):
    import_unit(central_sqlite, tmp_path, UNIT, training.UNIT.name, OFFICERS)
    return central_sqlite


def ready_password(officer) -> str:
    """The password tests.central.ready_session chose for the officer's first log-in."""
    return "Lgo-" + officer.cid[-6:] + "-Desk"


def settle(qtbot, watch: ScreenWatch, w: QWidget) -> None:
    qtbot.wait(100)
    watch.check(w)


def close(qtbot, dialog: QDialog) -> None:
    """Close the dialog as a person would (Escape), saying yes to "discard?" if it asks."""
    dialog.reject()
    box = getattr(dialog, "discard_question", None)
    if dialog.isVisible() and box is not None and box.isVisible():
        click(next(b for b in box.buttons() if b.text() in ("ละทิ้ง", "Discard")))
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)


def test_every_window_and_dialog_fits_the_screen_with_its_buttons(qtbot, qapp, tmp_path, slots, office, watch):
    registry_api, registrar_api = ready_session(office, REGISTRY), ready_session(office, REGISTRAR)
    applied = hire(children=2)
    push(registry_api, applied)
    assert approve(registrar_api, applied).json()["status"] == "applied"
    waiting = hire(children=1)                 # one for the registrar's inbox
    push(registry_api, waiting)
    from server.statements import issue
    import datetime as dt
    with office.engine.begin() as conn:
        issue(conn, UNIT, dt.date.today().replace(day=1))
    beneficiary = applied.operations[0].record_id
    child = next(op.record_id for op in applied.operations if op.fields.get("first_th") == "ลูก0")

    # --- the registry officer ---------------------------------------------------------------------------
    slots[0].insert(load("registry").card())
    desk = make_desk(qtbot, qapp, tmp_path, "pc1", office.url)
    log_in(qtbot, desk, REGISTRY.email, ready_password(REGISTRY))
    w = desk.window
    settle(qtbot, watch, w)
    hire_dialog = w.work.open_hire()
    settle(qtbot, watch, hire_dialog)
    # its documents are reached by scrolling, with the buttons still in view
    scroll = next(p for p in _ancestors(hire_dialog.evidence.scan_button) if isinstance(p, QScrollArea))
    scroll.ensureWidgetVisible(hire_dialog.evidence.scan_button)
    qtbot.wait(50)
    assert not hire_dialog.evidence.scan_button.visibleRegion().isEmpty()
    assert problems_of(hire_dialog) == []
    for name in ("addSpouse", "addChild", "addFather", "addMother"):
        click(hire_dialog.findChild(QPushButton, name))
        settle(qtbot, watch, hire_dialog.last_dependent)
        close(qtbot, hire_dialog.last_dependent)
    close(qtbot, hire_dialog)

    qtbot.waitUntil(lambda: any(w.model.row_at(i).cid == beneficiary for i in range(w.model.rowCount())),
                    timeout=20000)
    from app.usecases import forms
    for cid, kinds in ((beneficiary, [k for k in forms.EVENT_NAMES if k != "child_marriage"]),
                       (child, ["child_marriage"])):
        w.table.selectRow(next(i for i in range(w.model.rowCount()) if w.model.row_at(i).cid == cid))
        qtbot.waitUntil(lambda: w.current_cid() == cid, timeout=5000)
        for kind in kinds:
            dialog = w.work.open_event(kind)
            qtbot.waitUntil(lambda: dialog.subject.person is not None, timeout=10000)
            settle(qtbot, watch, dialog)
            close(qtbot, dialog)
    with qtbot.waitSignal(w.work.unit_opened, timeout=10000) as opened:
        click(w.findChild(QPushButton, "unitButton"))
    settle(qtbot, watch, opened.args[0])
    close(qtbot, opened.args[0])
    desk.close()

    # --- the registrar ----------------------------------------------------------------------------------
    slots[0].remove()
    slots[0].insert(load("registrar").card())
    registrar = make_desk(qtbot, qapp, tmp_path, "laptop", office.url)
    log_in(qtbot, registrar, REGISTRAR.email, ready_password(REGISTRAR))
    r = registrar.window
    settle(qtbot, watch, r)
    qtbot.waitUntil(lambda: r.inbox.table.rowCount() == 1, timeout=20000)
    r.inbox.table.selectRow(0)
    dialog = r.inbox.return_chosen()
    settle(qtbot, watch, dialog)
    close(qtbot, dialog)
    dialog = r.inbox.approve_chosen()
    qtbot.waitUntil(lambda: dialog.pin.isVisible(), timeout=20000)
    settle(qtbot, watch, dialog)
    close(qtbot, dialog)
    r.tabs.setCurrentWidget(r.rounds)
    qtbot.waitUntil(lambda: r.rounds.confirm_button.isEnabled(), timeout=20000)
    dialog = r.rounds.confirm_statement()
    qtbot.waitUntil(lambda: dialog.pin.isVisible(), timeout=20000)
    settle(qtbot, watch, dialog)
    close(qtbot, dialog)
    registrar.close()

    assert watch.problems == []
    seen = set(watch.seen)
    for name in ("LoginWindow", "Workspace", "hireDialog", "dependentDialog", "eventDialog", "unitDialog",
                 "CardPinDialog", "returnDialog"):
        assert name in seen, f"{name} was not shown (seen: {sorted(seen)})"


def _ancestors(w: QWidget):
    p = w.parentWidget()
    while p is not None:
        yield p
        p = p.parentWidget()


@pytest.mark.skipif(SCREEN != "laptop", reason="the child run itself")
def test_the_same_on_a_full_hd_laptop_at_150_percent(pcscd):
    """The tour above once more in a child pytest with QT_SCALE_FACTOR=1.5 (Qt reads it once per process).
    The child uses this run's pcscd and virtual reader (it starts none)."""
    env = {**os.environ, "LGO_TEST_SCREEN": "fullhd150", "LGO_PCSCD_RUNNING": "1"}
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("QT_SCALE_FACTOR", None)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
                           f"{Path(__file__).relative_to(ROOT)}::"
                           "test_every_window_and_dialog_fits_the_screen_with_its_buttons"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
