"""The habits every window and dialog of the desk shares, so a person can trust the keyboard and the screen:

* it fits the screen it opens on (:func:`fit_to_screen`: never taller or wider than the available geometry,
  less the title bar) — a dialog whose content can be longer scrolls it and keeps its buttons in view;
* Enter in a field presses the dialog's own accept action and nothing else (:meth:`DeskDialog.set_accept`: the
  dialog's main default; a button the officer has Tabbed to still answers Enter itself, as on Windows);
* Escape, ปิด and the window's ✕ ask "ละทิ้งข้อมูลที่กรอก?" once something was typed (:meth:`DeskDialog.reject`);
* Tab follows the reading order of the layout, and focus starts in the first field (:func:`reading_order`).
"""
from __future__ import annotations

from typing import Callable

from .i18n import tr
from .qt import (
    QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QDialog, QFormLayout, QGridLayout,
    QGuiApplication, QLayout, QLineEdit, QMessageBox, QPlainTextEdit, QPushButton, QScrollArea, QSize, QSplitter,
    QStackedWidget, Qt, QTabWidget, QTextEdit, QWidget,
)

# Room a window manager's title bar and borders take when Qt cannot tell yet (before the first show):
# Windows 10/11 at 100 % draws a 31-px title bar and 1-px borders (the 7-px invisible resize borders lie
# outside the visible frame and may overlap the taskbar).
FRAME_ALLOWANCE = QSize(16, 40)


def available(widget: QWidget):
    """The available geometry (less taskbars) of the screen ``widget`` is on or will open on."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def frame_room(widget: QWidget) -> QSize:
    """What the title bar and the borders add to the widget's size (an allowance before it is shown)."""
    if widget.isVisible():
        outer, inner = widget.frameGeometry(), widget.geometry()
        if outer.height() > inner.height():
            return QSize(outer.width() - inner.width(), outer.height() - inner.height())
    return FRAME_ALLOWANCE


def room_on_screen(widget: QWidget) -> QSize:
    """The largest size the widget may take so that its frame stays within the screen's available geometry."""
    avail, frame = available(widget), frame_room(widget)
    return QSize(avail.width() - frame.width(), avail.height() - frame.height())


def fit_to_screen(widget: QWidget, wanted: QSize | None = None) -> None:
    """Resize ``widget`` to ``wanted`` (its size now by default), capped to the room on its screen. The
    widget's layout must be able to shrink that far: long content scrolls (see :class:`DeskDialog`)."""
    widget.resize((wanted or widget.size()).boundedTo(room_on_screen(widget)))


def keep_on_screen(widget: QWidget) -> None:
    """Move a shown window back inside its screen's available geometry (a dialog that grew, say to show the
    reasons under its fields, must not push its buttons below the taskbar)."""
    if not widget.isVisible() or not widget.isWindow():
        return
    avail, frame = available(widget), widget.frameGeometry()
    x = min(max(frame.left(), avail.left()), max(avail.left(), avail.right() + 1 - frame.width()))
    y = min(max(frame.top(), avail.top()), max(avail.top(), avail.bottom() + 1 - frame.height()))
    if (x, y) != (frame.left(), frame.top()):
        widget.move(x, y)


# --- Tab in reading order ------------------------------------------------------------------------------

_LEAVES = (QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QTextEdit, QPlainTextEdit, QAbstractButton)


def reading_order(root: QWidget) -> list[QWidget]:
    """The widgets Tab should visit in ``root``, in the order the layout reads (rows top to bottom, each
    left to right; a scroll area's content where it sits), not the order they happened to be created in."""
    out: list[QWidget] = []

    def item_widgets(layout: QLayout) -> None:
        if isinstance(layout, QFormLayout):
            for row in range(layout.rowCount()):
                for role in (QFormLayout.LabelRole, QFormLayout.FieldRole, QFormLayout.SpanningRole):
                    item = layout.itemAt(row, role)
                    if item is not None:
                        item_of(item)
            return
        if isinstance(layout, QGridLayout):
            cells = []
            for i in range(layout.count()):
                row, col, _rs, _cs = layout.getItemPosition(i)
                cells.append((row, col, i))
            for _row, _col, i in sorted(cells):
                item_of(layout.itemAt(i))
            return
        for i in range(layout.count()):
            item_of(layout.itemAt(i))

    def item_of(item) -> None:
        if item.widget() is not None:
            widget(item.widget())
        elif item.layout() is not None:
            item_widgets(item.layout())

    def widget(w: QWidget) -> None:
        if w is not root and w.isWindow():
            return
        if w.focusPolicy() & Qt.TabFocus and w.isEnabled() and not w.isHidden():
            out.append(w)
        if isinstance(w, _LEAVES):
            return
        if isinstance(w, QScrollArea):
            if w.widget() is not None:
                widget(w.widget())
            return
        if isinstance(w, QTabWidget):
            widget(w.tabBar())
            if w.currentWidget() is not None:
                widget(w.currentWidget())
            return
        if isinstance(w, QStackedWidget):
            if w.currentWidget() is not None:
                widget(w.currentWidget())
            return
        if isinstance(w, QSplitter):
            for i in range(w.count()):
                widget(w.widget(i))
            return
        if w.layout() is not None:
            item_widgets(w.layout())

    widget(root)
    return [w for w in out if w is not root]


def set_reading_order(root: QWidget) -> list[QWidget]:
    """Make Tab follow :func:`reading_order`; returns the order (the first is where focus starts)."""
    order = reading_order(root)
    for first, second in zip(order, order[1:]):
        QWidget.setTabOrder(first, second)
    return order


# --- the dialog ----------------------------------------------------------------------------------------

class DeskDialog(QDialog):
    """A dialog with the desk's habits (module docstring). Subclasses call :meth:`set_accept` with their accept
    button, :meth:`typed` (or let the fields' edit signals do it) once something was entered, and may set
    ``first_field``. ``discard_choices`` lets a dialog offer more than "discard" / "go on" (a draft)."""

    DISCARD_TH = "ละทิ้งข้อมูลที่กรอก?"
    DISCARD_EN = "Discard what you entered?"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accept_button: QPushButton | None = None
        self.first_field: QWidget | None = None
        self.dirty = False
        self._shown_once = False
        self._closing = False
        self.discard_question: QMessageBox | None = None

    def set_accept(self, button: QPushButton) -> None:
        """``button`` is the one Enter presses from any field of this dialog."""
        self.accept_button = button

    def typed(self, *_args) -> None:
        """Something was entered: closing now asks first."""
        self.dirty = True

    def watch_typing(self) -> None:
        """Every field now in the dialog marks it as typed in when the officer edits it."""
        for edit in self.findChildren(QLineEdit):
            if edit.window() is self:
                edit.textEdited.connect(self.typed)
        for edit in self.findChildren(QPlainTextEdit):
            if edit.window() is self:
                edit.textChanged.connect(self.typed)
        for combo in self.findChildren(QComboBox):
            if combo.window() is self:
                combo.activated.connect(self.typed)

    # --- showing -----------------------------------------------------------------------------------------

    def setVisible(self, visible: bool) -> None:  # noqa: N802 (Qt's name)
        if visible and not self._shown_once:
            self._shown_once = True
            self._prepare()
        super().setVisible(visible)
        if visible and self.first_field is not None and self.first_field.isEnabled():
            self.first_field.setFocus(Qt.OtherFocusReason)

    def _prepare(self) -> None:
        """Before the first show: the accept action is the default, Tab reads in order, the size fits."""
        if self.accept_button is not None:
            # The main default must be set once the button is in this dialog (setDefault before it had a
            # dialog parent is not remembered by the dialog, which would pick the first button it finds).
            self.accept_button.setDefault(False)
            self.accept_button.setDefault(True)
        order = set_reading_order(self)
        if self.first_field is None:
            self.first_field = next((w for w in order if isinstance(w, (QLineEdit, QComboBox, QPlainTextEdit,
                                                                        QAbstractSpinBox))), None)
        layout = self.layout()
        if layout is not None:
            layout.activate()
        fit_to_screen(self, self.size().expandedTo(self.minimumSizeHint()))
        # never taller or wider than the screen, whatever it shows later (its content scrolls instead)
        self.setMaximumSize(room_on_screen(self))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        keep_on_screen(self)

    # --- closing ---------------------------------------------------------------------------------------------

    def discard_choices(self, box: QMessageBox) -> dict[QAbstractButton, Callable[[], None]]:
        """Extra buttons for the discard question and what each does (a change-set dialog offers a draft)."""
        return {}

    def reject(self) -> None:
        if not self.dirty or self._closing:
            super().reject()
            return
        if self.discard_question is not None and self.discard_question.isVisible():
            return
        box = QMessageBox(QMessageBox.Question, self.windowTitle(), tr(self.DISCARD_TH, self.DISCARD_EN),
                          parent=self)
        box.setObjectName("discardQuestion")
        box.setInformativeText(tr("สิ่งที่กรอกและเอกสารที่แนบในหน้าต่างนี้จะไม่ถูกบันทึก",
                                  "What you entered and attached in this window will not be kept."))
        go_on = box.addButton(tr("กลับไปกรอกต่อ", "Go back"), QMessageBox.RejectRole)
        discard = box.addButton(tr("ละทิ้ง", "Discard"), QMessageBox.DestructiveRole)
        actions: dict[QAbstractButton, Callable[[], None]] = {discard: self.discard}
        actions.update(self.discard_choices(box))
        box.setDefaultButton(go_on)
        box.setEscapeButton(go_on)
        box.buttonClicked.connect(lambda b: actions.get(b, lambda: None)())
        # Asked afresh each time: an answered question goes (a hidden one left behind would be found instead).
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self._question_gone(box))
        self.discard_question = box
        box.open()

    def _question_gone(self, box: QMessageBox) -> None:
        if self.discard_question is box:
            self.discard_question = None

    def discard(self) -> None:
        """Close without keeping anything (the officer said so)."""
        self._closing = True
        super().reject()
