"""The card PIN, asked in one place for every flow that needs it — log-in, approval, a statement's confirmation
(Electrum's one PIN dialog): the PIN field, the card's count of tries left, the lock-safety question before a
try that could lock the card, and every answer the card gives (wrong PIN with the tries left, locked, no longer
usable, taken out mid-check) in the window's language.

The rules themselves are card.pin's (:class:`card.pin.PinGuard`: ask before spending, never retry alone, never
a risky try unconfirmed); the check runs on the card thread and its answer comes back here on the GUI thread.
The window that hosts a :class:`PinPrompt` lays out its widgets, says what it is told, and goes on when the card
accepted the PIN (:attr:`PinPrompt.verified`).
"""
from __future__ import annotations

from card.pin import NeedsConfirmation, PinOutcome, PinResult, lock_warning
from card.reader import CardError

from .card_bridge import CardBridge
from .i18n import tr
from .qt import QLabel, QLineEdit, QMessageBox, QObject, QWidget, Signal
from .tasks import TaskRunner


def risk_the_last_try(parent: QWidget, tries_left: int) -> bool:
    """The lock-safety question before a PIN try that could lock the card; True: the officer goes on.
    (Its object name, "lockWarning", is what the tests and the demo look for.)"""
    box = QMessageBox(QMessageBox.Warning, tr("ระวัง: บัตรอาจถูกล็อก", "Careful: the card may lock"),
                      lock_warning(tries_left), parent=parent)
    box.setObjectName("lockWarning")
    go = box.addButton(tr("ตรวจรหัส PIN ต่อ", "Check the PIN"), QMessageBox.AcceptRole)
    box.addButton(tr("ไม่ตรวจตอนนี้", "Not now"), QMessageBox.RejectRole)
    box.exec()
    return box.clickedButton() is go


def pin_text(result: PinResult) -> str:
    """The card's answer to a PIN in the window's language (the card layer words it in Thai)."""
    n = result.tries_left
    english = {
        PinOutcome.OK: f"{n} PIN tries left." if n is not None else "The PIN is right.",
        PinOutcome.WRONG: f"Wrong PIN: {n} tries left." if n is not None else "Wrong PIN.",
        PinOutcome.LOCKED: "The card's PIN is locked: unlock it at the district office (อำเภอ) before using it.",
        PinOutcome.DEAD: "This card can no longer prove who you are: a new card is needed.",
    }[result.outcome]
    return tr(result.message, english)


def pin_not_checked() -> str:
    return tr("ยังไม่ได้ตรวจรหัส PIN — บัตรไม่ถูกล็อก", "The PIN was not checked; the card is safe.")


class PinPrompt(QObject):
    """The PIN of the card in one reader, checked by that card.

    Widgets for the host's layout: :attr:`label` and :attr:`field` (object name "pin"), and — unless the host
    shows :attr:`told` in a line of its own (``tries_line=False``) — :attr:`tries` (object name "pinTries").
    """

    verified = Signal()       # the card accepted the PIN (or the card in this reader is not PIN-checked)
    told = Signal(str)        # the card's count of tries left (before typing, after a wrong PIN)
    said = Signal(str)        # what the officer must read: a refusal, the PIN not checked, a card error
    busy = Signal(bool)       # a check is on its way to the card (the host's button waits) / it came back

    def __init__(self, runner: TaskRunner, card: CardBridge, parent: QWidget, tries_line: bool = True) -> None:
        super().__init__(parent)
        self.runner, self.card = runner, card   # (no reference back to the window: it may go while a check runs)
        self.reader = ""
        self.label = QLabel(tr("รหัส PIN ของบัตร", "Card PIN"))
        self.field = QLineEdit()
        self.field.setObjectName("pin")
        self.field.setEchoMode(QLineEdit.Password)
        self.field.setMaxLength(12)
        self.tries = QLabel("")
        self.tries.setObjectName("pinTries")
        self.told.connect(self.tries.setText)
        self._shown = (self.label, self.field, self.tries) if tries_line else (self.label, self.field)
        self._show(False)

    @property
    def needed(self) -> bool:
        """The card in the chosen reader is PIN-checked (card.service decides: training cards, and real ones
        only when this PC's settings say so)."""
        return bool(self.reader) and self.card.pin_needed(self.reader)

    def ask(self, reader: str) -> bool:
        """The card in ``reader`` was read: show the field when its PIN is checked, with the tries it has left
        (asked without spending one). True when a PIN is needed."""
        self.reader = reader
        needed = self.needed
        self._show(needed)
        if needed:
            self.card_said_tries()
        return needed

    def card_said_tries(self) -> None:
        self.runner.follow(self.card.service.pin_status(self.reader), lambda r: self.told.emit(pin_text(r)),
                           lambda _e: None)

    def forget(self) -> None:
        """The card went (or another reader was chosen): no PIN is asked until a card is read again."""
        self.reader = ""
        self.tries.setText("")
        self._show(False)

    def _show(self, visible: bool) -> None:
        for w in self._shown:
            w.setVisible(visible)

    def check(self) -> None:
        """The host's button: verified at once when no PIN is needed; else the typed PIN goes to the card."""
        if not self.needed:
            self.verified.emit()
            return
        if not self.field.text():
            self.said.emit(tr("กรุณาใส่รหัส PIN ของบัตร", "Enter the card's PIN."))
            self.field.setFocus()
            return
        self._verify(confirmed=False)

    def _verify(self, confirmed: bool) -> None:
        self.busy.emit(True)
        self.runner.follow(self.card.service.verify_pin(self.reader, self.field.text(), confirmed_risk=confirmed),
                           self._answered, self._failed)

    def _answered(self, result: PinResult) -> None:
        self.field.clear()
        self.busy.emit(False)
        if result.outcome is PinOutcome.OK:
            self.verified.emit()
            return
        text = pin_text(result)
        self.told.emit(text)
        self.said.emit(text)

    def _failed(self, error: BaseException) -> None:
        self.busy.emit(False)
        if isinstance(error, NeedsConfirmation):
            if risk_the_last_try(self.parent(), error.tries_left):
                self._verify(confirmed=True)
                return
            self.field.clear()
            self.said.emit(pin_not_checked())
            return
        self.field.clear()
        self.said.emit(str(error) if isinstance(error, CardError) else tr(
            "ตรวจรหัส PIN ไม่สำเร็จ กรุณาถอดบัตรแล้วเสียบใหม่", "The PIN check failed: re-insert the card."))
