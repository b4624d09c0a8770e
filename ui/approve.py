"""The registrar's card and PIN before an approval: their own card in a reader (its CID must be the logged-in
registrar's), then the PIN — with the tries left shown and the lock warning confirmed before a try that could
lock the card. Nothing blocks: the card thread answers, this dialog follows."""
from __future__ import annotations

from typing import Callable

from card.pin import NeedsConfirmation, PinOutcome, PinResult
from card.reader import CardError

from .card_bridge import CardBridge, pin_not_checked, pin_text, risk_the_last_try
from .i18n import tr
from .qt import QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget, Signal
from .tasks import TaskRunner


class CardPinDialog(QDialog):
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
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.Password)
        self.pin.returnPressed.connect(self.go)
        self.pin_label = QLabel(tr("รหัส PIN ของบัตร", "Card PIN"))
        self.button = QPushButton(tr("ยืนยัน", "Confirm"))
        self.button.setObjectName("confirmButton")
        self.button.clicked.connect(self.go)
        cancel = QPushButton(tr("ยกเลิก", "Cancel"))
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(self.button)
        box = QVBoxLayout(self)
        box.addWidget(self.what)
        box.addWidget(self.status)
        box.addWidget(self.pin_label)
        box.addWidget(self.pin)
        box.addLayout(row)
        self.resize(520, 260)
        card.changed.connect(self._look)
        self._card_ok = False
        self._set_pin(False)   # until the officer's own card is found
        self._look()

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
            self._set_pin(False)
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
        needs = self.card.pin_needed(reader)
        self._set_pin(needs)
        if needs:
            self._say(tr("บัตรของท่านพร้อมแล้ว กรุณาใส่รหัส PIN", "Your card is ready: enter the PIN."))
            self.runner.follow(self.card.service.pin_status(reader), lambda r: self._say(pin_text(r)), lambda _e: None)
            self.pin.setFocus()
        else:
            self._say(tr("บัตรของท่านพร้อมแล้ว", "Your card is ready."))

    def _set_pin(self, visible: bool) -> None:
        self.pin.setVisible(visible)
        self.pin_label.setVisible(visible)

    def go(self, confirmed: bool = False) -> None:
        if not self._card_ok:
            self._look()
            return
        if not self.card.pin_needed(self.reader):
            self._done()
            return
        if not self.pin.text():
            self._say(tr("กรุณาใส่รหัส PIN ของบัตร", "Enter the card's PIN."))
            return
        self.button.setEnabled(False)
        self.runner.follow(self.card.service.verify_pin(self.reader, self.pin.text(), confirmed_risk=bool(confirmed)),
                           self._checked, self._failed)

    def _checked(self, result: PinResult) -> None:
        self.button.setEnabled(True)
        self.pin.clear()
        if result.outcome is PinOutcome.OK:
            self._done()
        else:
            self._say(pin_text(result))

    def _failed(self, error: BaseException) -> None:
        self.button.setEnabled(True)
        if isinstance(error, NeedsConfirmation):
            if risk_the_last_try(self, error.tries_left):
                self.go(confirmed=True)
                return
            self.pin.clear()
            self._say(pin_not_checked())
            return
        self.pin.clear()
        self._say(str(error) if isinstance(error, CardError) else tr("ตรวจรหัส PIN ไม่สำเร็จ", "PIN check failed."))

    def _done(self) -> None:
        self.confirmed.emit()
        self.accept()


def with_card_and_pin(parent: QWidget, runner: TaskRunner, card: CardBridge, cid: str, what: str,
                      then: Callable[[], None]) -> CardPinDialog:
    dialog = CardPinDialog(runner, card, cid, what, parent)
    dialog.confirmed.connect(then)
    dialog.open()
    return dialog
