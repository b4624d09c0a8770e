"""The registrar's card and PIN before an approval or a statement's confirmation: their own card in a reader
(its CID must be the logged-in registrar's), then the PIN, asked by the one :class:`ui.pin_prompt.PinPrompt`
(the tries left shown, the lock warning confirmed before a try that could lock the card). Nothing blocks: the
card thread answers, this dialog follows."""
from __future__ import annotations

from typing import Callable

from .buttons import accept_row
from .card_bridge import CardBridge
from .dialogs import DeskDialog
from .i18n import tr
from .pin_prompt import PinPrompt
from .qt import QLabel, QVBoxLayout, QWidget, Signal
from .tasks import TaskRunner


class CardPinDialog(DeskDialog):
    """Fits the screen and Enter confirms (ui.dialogs); a PIN is never kept, so Escape closes without asking."""

    confirmed = Signal()
    said = Signal(str)

    def __init__(self, runner: TaskRunner, card: CardBridge, cid: str, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.card, self.cid = runner, card, cid
        self.reader = ""
        self.setWindowTitle(tr("ยืนยันด้วยบัตรและรหัส PIN", "Confirm with your card and PIN"))
        self.setObjectName("cardPinDialog")
        self.what = QLabel(what)
        self.what.setWordWrap(True)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.prompt = PinPrompt(runner, card, self, tries_line=False)   # the tries left are said in the status line
        self.prompt.told.connect(self._say)
        self.prompt.said.connect(self._say)
        self.prompt.busy.connect(self._checking)
        self.prompt.verified.connect(self._done)
        self.pin, self.pin_label = self.prompt.field, self.prompt.label
        # Enter confirms — and only confirms (ui.buttons.accept_row): with cancel as the dialog's first button,
        # Enter used to check the PIN and close the dialog too, so a wrong PIN spent a try without a word.
        row, self.button = accept_row(self, "ยืนยัน", "Confirm", "confirmButton")
        self.button.clicked.connect(self.go)
        self.set_accept(self.button)
        self.first_field = self.pin
        box = QVBoxLayout(self)
        box.addWidget(self.what)
        box.addWidget(self.status)
        box.addWidget(self.pin_label)
        box.addWidget(self.pin)
        box.addLayout(row)
        self.resize(520, 260)
        card.changed.connect(self._look)
        self._card_ok = False   # until the officer's own card is found, no PIN is asked
        self._look()

    def _checking(self, busy: bool) -> None:
        self.button.setEnabled(not busy)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.said.emit(text)

    def _look(self) -> None:
        """Find the officer's card among the readers (a card read once stays known until removed)."""
        if self.reader and self.reader in self.card.present and self._card_ok:
            return
        self._card_ok = False
        with_card = [r for r in self.card.readers if r in self.card.present]
        if not with_card:
            self._say(tr("กรุณาเสียบบัตรประจำตัวประชาชนของท่าน", "Insert your ID card."))
            self.prompt.forget()
            return
        self._say(tr("กำลังอ่านบัตร…", "Reading the card…"))
        self._try(list(with_card))

    def _try(self, readers: list[str]) -> None:
        if not readers:
            self._say(tr("บัตรที่เสียบไม่ใช่บัตรของท่าน กรุณาใช้บัตรประจำตัวประชาชนของท่านเอง",
                         "The card in the reader is not yours."))
            return
        reader = readers[0]
        self.runner.follow(self.card.service.read_card(reader),
                           lambda data: self._read(reader, data, readers[1:]), lambda _e: self._try(readers[1:]))

    def _read(self, reader: str, data, rest: list[str]) -> None:
        if data.cid != self.cid:
            self._try(rest)
            return
        self.reader, self._card_ok = reader, True
        if self.prompt.ask(reader):
            self._say(tr("บัตรของท่านพร้อมแล้ว กรุณาใส่รหัส PIN", "Your card is ready: enter the PIN."))
            self.pin.setFocus()
        else:
            self._say(tr("บัตรของท่านพร้อมแล้ว", "Your card is ready."))

    def go(self) -> None:
        if not self._card_ok:
            self._look()
            return
        self.prompt.check()   # verified: done

    def _done(self) -> None:
        self.confirmed.emit()
        self.accept()


def with_card_and_pin(parent: QWidget, runner: TaskRunner, card: CardBridge, cid: str, what: str,
                      then: Callable[[], None]) -> CardPinDialog:
    dialog = CardPinDialog(runner, card, cid, what, parent)
    dialog.confirmed.connect(then)
    dialog.open()
    return dialog
