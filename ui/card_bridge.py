"""The card thread, seen from the GUI: its events re-emitted as a Qt signal (delivered on the GUI thread)
and a small live picture of which readers exist and which hold a card."""
from __future__ import annotations

from card.pin import PinOutcome, PinResult, lock_warning
from card.service import CardEvent, CardService, pin_check_allowed

from .i18n import tr
from .qt import QMessageBox, QObject, QWidget, Signal


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


class CardBridge(QObject):
    event = Signal(object)   # CardEvent, on the GUI thread
    changed = Signal()       # readers or cards changed

    def __init__(self, pin_on_real_cards: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.readers: tuple[str, ...] = ()
        self.present: set[str] = set()
        self.service_down = False
        self.pin_on_real_cards = pin_on_real_cards
        self.service = CardService(self._from_card_thread, pin_on_real_cards=pin_on_real_cards)
        self.event.connect(self._track)

    def start(self) -> None:
        self.service.start()

    def stop(self) -> None:
        self.service.stop()

    def _from_card_thread(self, event: CardEvent) -> None:
        self.event.emit(event)  # queued across threads

    def _track(self, e: CardEvent) -> None:
        if e.kind == "readers":
            self.readers = e.readers
            self.present &= set(e.readers)
        elif e.kind == "inserted":
            self.present.add(e.reader)
        elif e.kind == "removed":
            self.present.discard(e.reader)
        elif e.kind == "service_down":
            self.service_down, self.readers, self.present = True, (), set()
        elif e.kind == "service_up":
            self.service_down = False
        self.changed.emit()

    def pin_needed(self, reader: str) -> bool:
        return pin_check_allowed(reader, self.pin_on_real_cards)
