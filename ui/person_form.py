"""A person's fields, filled from the ID card where it can: the photo shown, and every field that differs
from the record already in the register highlighted with the stored value in its tooltip. A card read that would
replace what the officer typed asks first; a typing mistake is marked on its field (ui.fields)."""
from __future__ import annotations

from app import cid as cidmod
from app.domain import Person, Sex
from app.idcard import person_from_card
from app.thai import format_birth
from app.usecases import forms
from card.reader import CardError
from card.thaiid import CardData

from .card_bridge import CardBridge
from .fields import FieldMarks
from .i18n import tr
from .qt import (
    QComboBox, QFormLayout, QFrame, QHBoxLayout, QImage, QLabel, QLineEdit, QMessageBox, QPixmap, QPushButton, Qt,
    QVBoxLayout, QWidget, Signal,
)
from .tasks import TaskRunner

CHANGED_STYLE = "background:#fef3c7"


class PersonForm(QWidget):
    read_done = Signal(str)   # the CID read from a card
    edited = Signal()

    FIELDS = (("cid", "เลขประจำตัวประชาชน", "Citizen ID"), ("title_th", "คำนำหน้า", "Title"),
              ("first_th", "ชื่อ", "First name"), ("middle_th", "ชื่อกลาง", "Middle name"),
              ("last_th", "นามสกุล", "Surname"), ("first_en", "ชื่อ (อังกฤษ)", "First name (English)"),
              ("last_en", "นามสกุล (อังกฤษ)", "Surname (English)"),
              ("birth", "วันเกิด (วว/ดด/ปปปป พ.ศ.)", "Birth (dd/mm/yyyy BE)"), ("address", "ที่อยู่", "Address"))

    def __init__(self, runner: TaskRunner, card: CardBridge | None, lookup=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.card = card
        self.lookup = lookup       # cid -> Person | None, run on the worker (the stored record, to compare)
        self.stored: Person | None = None
        self.extra: dict[str, str] = {}   # fields read from the card that have no box (title_en, middle_en)
        self.edits: dict[str, QLineEdit] = {}
        self.marks = FieldMarks()
        self.hand_typed = False        # something typed by hand since the last card read (a read asks first)
        self.overwrite_question: QMessageBox | None = None
        form = QFormLayout()
        for name, th, en in self.FIELDS:
            edit = QLineEdit()
            edit.setObjectName(name)
            edit.textEdited.connect(lambda _t: self._typed())
            self.edits[name] = edit
            form.addRow(tr(th, en), self.marks.wrap(edit))
        self.edits["cid"].setInputMask("")
        self.edits["cid"].editingFinished.connect(self._compare)
        self.sex = QComboBox()
        self.sex.setObjectName("sex")
        self.sex.addItem(tr("ชาย", "Male"), Sex.MALE)
        self.sex.addItem(tr("หญิง", "Female"), Sex.FEMALE)
        self.sex.currentIndexChanged.connect(lambda _i: self._changed())
        form.addRow(tr("เพศ", "Sex"), self.sex)
        self.photo_bytes = b""   # the JPEG from the last card read
        self.photo = QLabel(tr("รูปถ่าย", "Photo"))
        self.photo.setFixedSize(110, 134)
        self.photo.setAlignment(Qt.AlignCenter)
        self.photo.setFrameShape(QFrame.StyledPanel)
        self.read_button = QPushButton(tr("อ่านจากบัตรประชาชน", "Read the ID card"))
        self.read_button.setObjectName("readCard")
        self.read_button.setAutoDefault(False)   # never what Enter in a field presses, even after it was used
        self.read_button.clicked.connect(self.read_card)
        self.read_button.setVisible(card is not None)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setObjectName("muted")
        side = QVBoxLayout()
        side.addWidget(self.photo)
        side.addWidget(self.read_button)
        side.addWidget(self.status)
        side.addStretch(1)
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(form, 1)
        box.addLayout(side)

    # --- the card ----------------------------------------------------------------------------------

    def reader(self) -> str:
        if self.card is None:
            return ""
        with_card = [r for r in self.card.readers if r in self.card.present]
        return with_card[0] if with_card else ""

    def read_card(self, reader: str = "") -> None:
        """Read the card in ``reader`` (the one holding a card by default) into the fields; when the officer has
        typed something here, ask first (the card read replaces it)."""
        if self.hand_typed and any(e.text().strip() for e in self.edits.values()):
            self.ask_overwrite(reader)
            return
        self._read(reader)

    def ask_overwrite(self, reader: str = "") -> QMessageBox:
        if self.overwrite_question is not None and self.overwrite_question.isVisible():
            return self.overwrite_question
        box = QMessageBox(QMessageBox.Question, tr("อ่านจากบัตรประชาชน", "Read the ID card"),
                          tr("ข้อมูลที่กรอกไว้จะถูกแทนที่ด้วยข้อมูลจากบัตร", "What you typed will be replaced by the card's data."),
                          parent=self)
        box.setObjectName("overwriteQuestion")
        box.setInformativeText(tr("ตรวจสอบว่าบัตรที่เสียบเป็นบัตรของบุคคลนี้", "Check the card is this person's."))
        keep = box.addButton(tr("เก็บที่กรอกไว้", "Keep what I typed"), QMessageBox.RejectRole)
        replace = box.addButton(tr("แทนที่ด้วยข้อมูลจากบัตร", "Replace with the card's data"), QMessageBox.AcceptRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.buttonClicked.connect(lambda b: self._read(reader) if b is replace else None)
        self.overwrite_question = box
        box.open()
        return box

    def _read(self, reader: str = "") -> None:
        reader = reader or self.reader()
        if not reader:
            self.status.setText(tr("กรุณาเสียบบัตรประจำตัวประชาชนของบุคคลนี้", "Insert this person's ID card."))
            return
        self.status.setText(tr("กำลังอ่านบัตร…", "Reading the card…"))
        self.read_button.setEnabled(False)
        self.runner.follow(self.card.service.read_card(reader), self._card_read, self._card_failed)

    def _card_read(self, data: CardData) -> None:
        self.read_button.setEnabled(True)
        self.photo_bytes = data.photo
        self.fill(person_from_card(data))
        self.hand_typed = False
        image = QImage.fromData(data.photo)
        if not image.isNull():
            self.photo.setPixmap(QPixmap.fromImage(image).scaled(110, 134, Qt.KeepAspectRatio, Qt.SmoothTransformation))
        self.status.setText(tr("อ่านบัตรแล้ว", "Card read."))
        self.read_done.emit(data.cid)

    def _card_failed(self, error: BaseException) -> None:
        self.read_button.setEnabled(True)
        self.status.setText(str(error) if isinstance(error, (CardError, ValueError)) else
                            tr("อ่านบัตรไม่สำเร็จ กรุณาถอดบัตรแล้วเสียบใหม่", "Could not read the card."))

    # --- values ------------------------------------------------------------------------------------

    def fill(self, p: Person) -> None:
        for name, edit in self.edits.items():
            if name == "birth":
                edit.setText(format_birth(p.birth))
            elif name == "cid":
                edit.setText(cidmod.format_cid(p.cid) if len(p.cid) == 13 else p.cid)
            else:
                edit.setText(getattr(p, name) or "")
        self.extra = {"title_en": p.title_en, "middle_en": p.middle_en}
        if p.sex is not None:
            self.sex.setCurrentIndex(0 if p.sex is Sex.MALE else 1)
        self._changed()
        self._compare()  # filled by the card or by code: compare with the stored record as if typed

    def person(self) -> Person:
        """The typed person, or a Refusal / ThaiDateError whose message says what to fix."""
        typed = {**self.extra, **{name: edit.text() for name, edit in self.edits.items()}}
        return forms.typed_person(typed, self.sex.currentData())

    def _typed(self) -> None:
        self.hand_typed = True
        self._changed()

    def _changed(self) -> None:
        self._highlight()
        self.edited.emit()

    def _compare(self) -> None:
        """Look the CID up in the register; differences from the stored record are highlighted."""
        if self.lookup is None:
            return
        cid = cidmod.normalise(self.edits["cid"].text())
        if not cidmod.is_valid(cid):
            self.stored = None
            self._highlight()
            return
        lookup = self.lookup
        self.runner.run(lambda: lookup(cid), self._stored_arrived, lambda _e: None)

    def _stored_arrived(self, stored: Person | None) -> None:
        self.stored = stored
        self._highlight()
        if stored is not None:
            self.status.setText(tr("มีบุคคลนี้ในทะเบียนแล้ว ช่องสีเหลืองคือข้อมูลที่ต่างจากทะเบียน",
                                   "Already in the register: yellow fields differ from it."))
        self.edited.emit()

    def differences(self) -> list[str]:
        if self.stored is None:
            return []
        out = []
        for name, edit in self.edits.items():
            if name == "cid":
                continue
            stored = format_birth(self.stored.birth) if name == "birth" else (getattr(self.stored, name) or "")
            if edit.text().strip() != stored:
                out.append(name)
        return out

    def _highlight(self) -> None:
        different = set(self.differences())
        for name, edit in self.edits.items():
            if name in different:
                stored = format_birth(self.stored.birth) if name == "birth" else getattr(self.stored, name)
                edit.setStyleSheet(CHANGED_STYLE)
                edit.setToolTip(tr(f"ในทะเบียน: {stored or '(ว่าง)'}", f"In the register: {stored or '(empty)'}"))
            else:
                edit.setStyleSheet("")
                edit.setToolTip("")
