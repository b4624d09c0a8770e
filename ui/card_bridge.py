"""The card thread, seen from the GUI: its events re-emitted as a Qt signal (delivered on the GUI thread)
and a small live picture of which readers exist and which hold a card. (The PIN is asked in ui.pin_prompt.)"""
from __future__ import annotations

from card.service import CardEvent, CardService, pin_check_allowed

from .qt import QObject, Signal


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
