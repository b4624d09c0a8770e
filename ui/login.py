"""The log-in window: the card read live (reader, card, photo and name), user name and password, the PIN
with its tries left and the lock-safety question, the first log-in's new password, offline log-in when
the central server cannot be reached, and a lost working copy rebuilt from the server.

Nothing here waits: the card answers through the card thread, the log-in runs on the database worker, and
both come back as callbacks on the GUI thread.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable

from card.reader import CardError
from card.thaiid import CardData

from .buttons import accept_row
from .card_bridge import CardBridge
from .dialogs import fit_to_screen, room_on_screen
from .i18n import language, tr
from .pin_prompt import PinPrompt
from .qt import (
    QComboBox, QDialog, QFormLayout, QFrame, QHBoxLayout, QImage, QLabel, QLineEdit, QMessageBox, QPixmap, QPushButton, QSize,
    Qt, QVBoxLayout, QWidget, Signal,
)
from .tasks import TaskRunner

if TYPE_CHECKING:  # sync.session (requests, pydantic, the store) is imported after the window shows
    from sync.session import Session

log = logging.getLogger(__name__)

# (username, password, card CID, new password or None, start a fresh copy) -> Session, on the worker
LoginFn = Callable[[str, str, str, "str | None", bool], "Session"]

PHOTO_W, PHOTO_H = 132, 160
PREFERRED = QSize(760, 520)

# What an error looks like: red words beside the field at fault, and a red edge on the field.
ERROR_TEXT = "color: #b91c1c;"
ERROR_FIELD = "QLineEdit { border: 1px solid #b91c1c; background: #fef2f2; }"
# The log-in refusals that are about the user name and password (the server's, or the offline check's).
WRONG_PASSWORD = {"auth.wrong", "offline.wrong"}


def error_label(name: str) -> QLabel:
    """A red line for the reason a field was refused, hidden while there is none."""
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_TEXT)
    label.setVisible(False)
    return label


def mark(field: QLineEdit, label: QLabel, text: str) -> None:
    """The field at fault: its reason beside it in red, a red edge, focus in it with what was typed selected."""
    label.setText(text)
    label.setVisible(bool(text))
    field.setStyleSheet(ERROR_FIELD if text else "")
    if text:
        field.setFocus(Qt.OtherFocusReason)
        field.selectAll()


class NewPasswordDialog(QDialog):
    """The first log-in: the officer chooses their own password (typed twice). The desk's dialog habits by hand:
    its save button is the one Enter presses, it fits the screen, focus starts in the first field, a reason is
    said beside its field. (Not a ui.dialogs.DeskDialog for now: as one, shown by exec() from the log-in's
    refusal, the desk tests crashed in Qt's timer dispatch some time after the dialog had closed.)"""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("ตั้งรหัสผ่านใหม่", "Choose a new password"))
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.Password)
        self.first.setObjectName("newPassword")
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.Password)
        self.second.setObjectName("newPasswordAgain")
        self.first_error = error_label("newPasswordError")
        self.problem = error_label("errorText")   # beside the second field: the two differ
        form = QFormLayout()
        form.addRow(tr("รหัสผ่านใหม่", "New password"), self.first)
        form.addRow("", self.first_error)
        form.addRow(tr("พิมพ์อีกครั้ง", "Again"), self.second)
        form.addRow("", self.problem)
        hint = QLabel(tr("อย่างน้อย 10 ตัวอักษร มีทั้งตัวอักษรและตัวเลข ห้ามใช้รหัสผ่านชั่วคราวที่ได้รับทางอีเมล",
                         "At least 10 characters with letters and digits; not the one-time password."))
        hint.setWordWrap(True)
        row, save = accept_row(self, "บันทึกรหัสผ่านใหม่", "Save", "savePassword")
        save.clicked.connect(self._check)
        self.save = save
        for field, label in ((self.first, self.first_error), (self.second, self.problem)):
            field.textEdited.connect(lambda _t, f=field, lb=label: mark(f, lb, ""))
        box = QVBoxLayout(self)
        intro = QLabel(tr("นี่คือการเข้าสู่ระบบครั้งแรก กรุณาตั้งรหัสผ่านของท่านเอง",
                          "This is your first log-in: choose your own password."))
        intro.setWordWrap(True)
        box.addWidget(intro)
        box.addLayout(form)
        box.addWidget(hint)
        box.addStretch(1)
        box.addLayout(row)
        fit_to_screen(self, QSize(480, 280))

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.save.setDefault(True)   # (once in the dialog: the dialog's default, never ยกเลิก)
        self.first.setFocus(Qt.OtherFocusReason)

    def _check(self) -> None:
        if not self.first.text():
            mark(self.first, self.first_error, tr("กรุณากรอกรหัสผ่านใหม่", "Enter a new password."))
        elif self.first.text() != self.second.text():
            self.second.clear()
            mark(self.second, self.problem, tr("รหัสผ่านสองช่องไม่ตรงกัน กรุณาพิมพ์ใหม่", "The two passwords differ."))
        else:
            self.accept()

    def password(self) -> str:
        return self.first.text()


class LoginWindow(QWidget):
    logged_in = Signal(object)      # Session
    language_chosen = Signal(str)   # "th" or "en": the window is built again in that language
    card_shown = Signal(str)        # the CID read from the card in the chosen reader
    message_shown = Signal(str)     # every refusal or status the window shows (tests and the demo follow it)

    def __init__(self, runner: TaskRunner, card: CardBridge, login: LoginFn, training: bool = False,
                 server_label: str = "") -> None:
        super().__init__()
        self.runner = runner
        self.card = card
        self.login_fn = login
        self.card_data: CardData | None = None
        self.reader = ""
        self._busy = False
        self.setWindowTitle(tr("เข้าสู่ระบบ — ทะเบียนผู้มีสิทธิ อปท.", "Log in — LGO Registry Desk"))
        fit_to_screen(self, PREFERRED)
        room = room_on_screen(self)
        if room.width() < PREFERRED.width() or room.height() < PREFERRED.height():
            self.setWindowState(self.windowState() | Qt.WindowMaximized)

        title = QLabel(tr("ทะเบียนผู้มีสิทธิสวัสดิการรักษาพยาบาล อปท.", "LGO Medical-Welfare Registry"))
        title.setObjectName("loginTitle")
        badge = QLabel(tr("โหมดฝึกหัด — ข้อมูลสมมติ", "Training mode — made-up data"))
        badge.setObjectName("trainingBadge")
        badge.setVisible(training)

        self.photo = QLabel()
        self.photo.setObjectName("cardPhoto")
        self.photo.setFixedSize(PHOTO_W, PHOTO_H)
        self.photo.setAlignment(Qt.AlignCenter)
        self.photo.setFrameShape(QFrame.StyledPanel)
        self.card_name = QLabel("")
        self.card_name.setObjectName("cardName")
        self.card_name.setWordWrap(True)
        self.card_status = QLabel("")
        self.card_status.setObjectName("cardStatus")
        self.card_status.setWordWrap(True)
        self.readers = QComboBox()
        self.readers.currentIndexChanged.connect(lambda _i: self._reader_chosen())
        left = QVBoxLayout()
        left.addWidget(self.photo, 0, Qt.AlignHCenter)
        left.addWidget(self.card_name)
        left.addWidget(self.card_status)
        left.addWidget(self.readers)
        left.addStretch(1)

        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setPlaceholderText(tr("อีเมลที่ใช้เป็นชื่อผู้ใช้งาน", "Your e-mail (user name)"))
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.Password)
        self.prompt = PinPrompt(runner, card, self)   # the card PIN: asked, checked and answered there
        self.prompt.verified.connect(self._log_in)
        self.prompt.said.connect(self._pin_said)
        self.prompt.busy.connect(self._checking_pin)
        self.pin, self.pin_label, self.tries = self.prompt.field, self.prompt.label, self.prompt.tries
        self._tries_told = ""      # the card's count of tries, shown again once a PIN error is being corrected
        self.prompt.told.connect(self._told)
        # The reason a field was refused, beside it (the PIN's in its line of tries, right under it).
        self.username_error = error_label("usernameError")
        self.password_error = error_label("passwordError")
        form = QFormLayout()
        form.addRow(tr("ชื่อผู้ใช้งาน", "User name"), self.username)
        form.addRow("", self.username_error)
        form.addRow(tr("รหัสผ่าน", "Password"), self.password)
        form.addRow("", self.password_error)
        form.addRow(self.pin_label, self.pin)
        form.addRow("", self.tries)
        self.username.textEdited.connect(lambda _t: mark(self.username, self.username_error, ""))
        self.password.textEdited.connect(lambda _t: mark(self.password, self.password_error, ""))
        self.pin.textEdited.connect(lambda _t: self._pin_corrected())
        self.button = QPushButton(tr("เข้าสู่ระบบ", "Log in"))
        self.button.setObjectName("loginButton")
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        for field in (self.username, self.password, self.pin):
            field.returnPressed.connect(self.submit)
        self.message = QLabel("")
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        server = QLabel(tr(f"เซิร์ฟเวอร์กลาง: {server_label}", f"Central server: {server_label}"))
        server.setObjectName("muted")
        server.setVisible(bool(server_label))
        # A unit with no account yet asks NHSO for one: no log-in, no network (issue 18 §2).
        self.request_button = QPushButton(tr("ขอสิทธิเข้าใช้งาน…", "Request accounts…"))
        self.request_button.setObjectName("requestAccounts")
        self.request_button.setAutoDefault(False)
        self.request_button.setToolTip(tr("หน่วยงานที่ยังไม่มีบัญชีผู้ใช้งาน: สร้างหนังสือ แบบฟอร์ม และอีเมลถึง สปสช.",
                                          "A unit with no account yet: make the letter, workbook and e-mail to NHSO."))
        self.request_button.clicked.connect(self.open_request_wizard)
        self.request_wizard = None
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.button)
        right.addWidget(self.request_button, 0, Qt.AlignLeft)
        right.addWidget(self.message)
        right.addStretch(1)
        right.addWidget(server)

        panel = QHBoxLayout()
        panel.addLayout(left)
        panel.addSpacing(24)
        panel.addLayout(right, 1)
        self.language = QComboBox()
        self.language.setObjectName("languageChoice")
        self.language.setToolTip("ภาษา / Language")
        self.language.addItem("ไทย", "th")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(self.language.findData(language()))
        self.language.currentIndexChanged.connect(
            lambda _i: self.language_chosen.emit(str(self.language.currentData())))
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(badge)
        top.addWidget(self.language)
        root = QVBoxLayout(self)
        root.setContentsMargins(32, 24, 32, 24)
        root.addLayout(top)
        root.addSpacing(16)
        root.addLayout(panel, 1)

        self.card.changed.connect(self._readers_changed)
        self.card.event.connect(self._card_event)
        self._clear_card()
        self._readers_changed()
        self.username.setFocus()

    # --- the card ----------------------------------------------------------------------------------

    def _readers_changed(self) -> None:
        readers = list(self.card.readers)
        current = self.readers.currentText()
        self.readers.blockSignals(True)
        self.readers.clear()
        self.readers.addItems(readers)
        if current in readers:
            self.readers.setCurrentText(current)
        elif readers:
            with_card = [r for r in readers if r in self.card.present]
            self.readers.setCurrentText(with_card[0] if with_card else readers[0])
        self.readers.blockSignals(False)
        self.readers.setVisible(len(readers) > 1)
        self._reader_chosen()

    def _reader_chosen(self) -> None:
        reader = self.readers.currentText()
        if reader == self.reader and (self.card_data is not None or reader not in self.card.present):
            self._status_line()
            return
        self.reader = reader
        self._clear_card()
        if reader and reader in self.card.present:
            self._read(reader)
        else:
            self._status_line()

    def _status_line(self) -> None:
        if self.card.service_down:
            text = tr("บริการเครื่องอ่านบัตรของ Windows ไม่ทำงาน กรุณาเสียบเครื่องอ่านบัตร",
                      "The smart-card service is not running: plug in a card reader.")
        elif not self.card.readers:
            text = tr("ไม่พบเครื่องอ่านบัตร กรุณาเสียบเครื่องอ่านบัตรประจำตัวประชาชน", "No card reader: plug one in.")
        elif self.reader not in self.card.present:
            text = tr("กรุณาเสียบบัตรประจำตัวประชาชนของท่าน", "Insert your ID card.")
        elif self.card_data is None:
            text = tr("กำลังอ่านบัตร…", "Reading the card…")
        else:
            text = tr("อ่านบัตรแล้ว", "Card read.")
        self.card_status.setText(text)

    def _card_event(self, e) -> None:
        if e.kind == "inserted" and e.reader == self.reader and self.card_data is None:
            self._read(e.reader)
        elif e.kind == "removed" and e.reader == self.reader:
            self._clear_card()
            self._status_line()

    def _clear_card(self) -> None:
        self.card_data = None
        self.photo.setPixmap(QPixmap())
        self.photo.setText(tr("รูปถ่าย\nจากบัตร", "Photo"))
        self.card_name.setText("")
        self.prompt.forget()

    def _read(self, reader: str) -> None:
        self.card_status.setText(tr("กำลังอ่านบัตร…", "Reading the card…"))
        self.runner.follow(self.card.service.read_card(reader),
                           lambda data: self._card_read(reader, data), lambda e: self._card_failed(reader, e))

    def _card_read(self, reader: str, data: CardData) -> None:
        if reader != self.reader:
            return
        self.card_data = data
        self.card_name.setText(f"{data.name_th.prefix}{data.name_th.full}")
        image = QImage.fromData(data.photo)
        if not image.isNull():
            self.photo.setPixmap(QPixmap.fromImage(image).scaled(PHOTO_W, PHOTO_H, Qt.KeepAspectRatio,
                                                                 Qt.SmoothTransformation))
        self._status_line()
        self.prompt.ask(reader)
        self.card_shown.emit(data.cid)

    def _card_failed(self, reader: str, error: BaseException) -> None:
        if reader != self.reader:
            return
        text = str(error) if isinstance(error, (CardError, ValueError)) else tr(
            "อ่านบัตรไม่สำเร็จ กรุณาถอดบัตรแล้วเสียบใหม่", "The card could not be read: take it out and insert it again.")
        self.card_status.setText(text)

    # --- logging in ---------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        """A refusal that is about no one field: in red under the button."""
        self.message.setStyleSheet(ERROR_TEXT)
        self.message.setText(text)
        self.message_shown.emit(text)

    def _refuse_field(self, field: QLineEdit, label: QLabel, text: str) -> None:
        """A refusal about one field: its reason beside it in red, focus in it with the text selected."""
        self.message.setText("")
        mark(field, label, text)
        self.message_shown.emit(text)

    def _told(self, text: str) -> None:
        self._tries_told = text
        self.tries.setStyleSheet("")

    def _pin_said(self, text: str) -> None:
        """What the card answered (a wrong PIN with the tries left, locked, not checked): in red right under the
        PIN, focus in the PIN to type it again."""
        self.message.setText("")
        self.tries.setText(text)
        self.tries.setStyleSheet(ERROR_TEXT)
        self.pin.setStyleSheet(ERROR_FIELD)
        if self.pin.isVisible():
            self.pin.setFocus(Qt.OtherFocusReason)
            self.pin.selectAll()
        self.message_shown.emit(text)

    def _pin_corrected(self) -> None:
        if self.pin.styleSheet():
            self.pin.setStyleSheet("")
            self.tries.setStyleSheet("")
            self.tries.setText(self._tries_told)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.button.setEnabled(not busy)
        if busy:
            self.message.setStyleSheet("")
            self.message.setText(text)

    def _checking_pin(self, busy: bool) -> None:
        self._set_busy(busy, tr("กำลังตรวจรหัส PIN กับบัตร…", "Checking the PIN with the card…"))

    def open_request_wizard(self):
        """The account-request wizard, with no log-in (it reads officers' cards through this window's reader)."""
        from .request_wizard import open_wizard

        if self.request_wizard is not None and self.request_wizard.isVisible():
            self.request_wizard.raise_()
            self.request_wizard.activateWindow()
            return self.request_wizard
        self.request_wizard = open_wizard(self, card=self.card)
        return self.request_wizard

    def submit(self) -> None:
        if self._busy:
            return
        if self.card_data is None:
            self._say(tr("กรุณาเสียบบัตรประจำตัวประชาชนของท่านและรอให้อ่านบัตรเสร็จก่อน",
                         "Insert your ID card and wait until it is read."))
            return
        if not self.username.text().strip():
            self._refuse_field(self.username, self.username_error,
                               tr("กรุณากรอกชื่อผู้ใช้งาน (อีเมลของท่าน)", "Enter your user name (your e-mail)."))
            return
        if not self.password.text():
            self._refuse_field(self.password, self.password_error, tr("กรุณากรอกรหัสผ่าน", "Enter your password."))
            return
        self.prompt.check()   # verified: logs in

    def _log_in(self, new_password: str | None = None, fresh: bool = False) -> None:
        self._set_busy(True, tr("กำลังเข้าสู่ระบบ…", "Logging in…"))
        user, password, cid = self.username.text().strip(), self.password.text(), self.card_data.cid
        self.runner.run(lambda: self.login_fn(user, password, cid, new_password, fresh),
                        self._logged_in, lambda e: self._refused(e, new_password))

    def _logged_in(self, session: Session) -> None:
        self._set_busy(False)
        self.password.clear()
        self.message.setText("")
        self.message.setStyleSheet("")
        mark(self.password, self.password_error, "")
        mark(self.username, self.username_error, "")
        self.logged_in.emit(session)

    def _refused(self, error: BaseException, new_password: str | None) -> None:
        from app.errors import Refusal  # (these two: loaded by now, the log-in ran them; not before the window)
        from sync.session import CopyNeedsRebuild, PasswordChangeRequired

        self._set_busy(False)
        if isinstance(error, PasswordChangeRequired):
            dialog = NewPasswordDialog(self)
            dialog.setObjectName("newPasswordDialog")
            if dialog.exec():
                self._log_in(new_password=dialog.password())
            else:
                self._say(str(error))
            return
        if isinstance(error, CopyNeedsRebuild):
            box = QMessageBox(QMessageBox.Warning, tr("สำเนาข้อมูลในเครื่องเปิดไม่ได้", "The local copy cannot be opened"),
                              str(error), parent=self)
            box.setObjectName("rebuildQuestion")
            rebuild = box.addButton(tr("สร้างสำเนาใหม่และดาวน์โหลดจากเซิร์ฟเวอร์กลาง", "Rebuild from the server"),
                                    QMessageBox.AcceptRole)
            box.addButton(tr("ยกเลิก", "Cancel"), QMessageBox.RejectRole)
            box.exec()
            if box.clickedButton() is rebuild:
                self._log_in(new_password, fresh=True)
            else:
                self._say(tr("ยังไม่ได้สร้างสำเนาใหม่ ข้อมูลเดิมถูกเก็บไว้ในโฟลเดอร์ quarantine",
                             "Nothing was rebuilt; the old copy is kept in the quarantine folder."))
            return
        if isinstance(error, Refusal) and error.code in WRONG_PASSWORD:
            # the PIN was right (the card said so): the password is what to type again
            text = str(error)
            if self.pin.isVisible():
                text += tr(" — แก้ไขแล้วใส่รหัส PIN อีกครั้ง", " — correct it and enter the PIN again")
            self._refuse_field(self.password, self.password_error, text)
            return
        if isinstance(error, Refusal):
            self._say(str(error))
            return
        log.error("log-in failed", exc_info=error)
        self._say(tr("เข้าสู่ระบบไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด รายละเอียดอยู่ในไฟล์บันทึกของโปรแกรม กรุณาแจ้งผู้ดูแลระบบ",
                     "Log-in failed unexpectedly; the details are in the program's log."))
