"""Documents attached to a change set: scanned or imported into the encrypted attachment store
(app.store.AttachmentStore), listed with what each one is, and looked at in the program.

The bytes are only ever handled off the GUI thread: scanning on its own thread (it takes seconds), storing
and reading on the database worker, drawing a PDF's pages (PDFium, :func:`picture`) on the page-drawing thread
that the claims' evidence panel shares. A document leaves the encrypted store in clear only when the person
asks for a copy with "บันทึกสำเนา…" and chooses where it goes.
"""
from __future__ import annotations

import html
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Collection

from app import evidence as documents
from app.changeset import ChangeSet
from app.claims.evidence import SourcePage, render
from app.store import AttachmentStore, RegisterStore, StoreProblem
from app.store.attachments import MAX_BYTES
from scan import Scanner, ScanProblem, default_scanner

from .dialogs import DeskDialog
from .i18n import tr
from .qt import (
    QComboBox, QFileDialog, QGroupBox, QHBoxLayout, QImage, QKeySequence, QLabel, QListWidget, QListWidgetItem,
    QPixmap, QPushButton, QScrollArea, Qt, QVBoxLayout, QWidget, Signal,
)
from .tasks import TaskRunner

CARD_PHOTO = documents.CARD_PHOTO.th   # the label of the photo read from the person's ID card
MIME_SHORT = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}

# Slow I/O that is neither the database nor the card: the scanner, a document downloaded on demand.
_slow_io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="slow-io")
# Drawing a page takes tens of milliseconds, a large scan more: never on the GUI thread, and never behind the
# scanner or the database. The document viewer and the claims' evidence panel share it.
page_drawing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lgo-pages")
PDF = "application/pdf"
THUMB_WIDTH = 170    # a PDF's first page in a change set's detail: shown 120 px high, drawn sharp


def picture(page: SourcePage, width: int) -> bytes:
    """The page as a PNG ``width`` wide, turned as the officer turned it (off the GUI thread)."""
    from PIL import Image

    if page.mime == PDF:
        image = Image.open(io.BytesIO(render(page.data, page.index, width)))
    else:
        image = Image.open(io.BytesIO(page.data))
        image.thumbnail((width, width * 3))
    if page.rotation:
        image = image.rotate(-page.rotation, expand=True)
    buf = io.BytesIO()
    image.convert("RGB" if image.mode not in ("L", "RGB") else image.mode).save(buf, "PNG")
    return buf.getvalue()


UNREADABLE_PDF = ("อ่านเอกสาร PDF นี้ไม่ได้ ไฟล์อาจเสียหายหรือส่งมาไม่ครบ กรุณาขอไฟล์ใหม่ "
                  "หรือพิมพ์เอกสารแล้วสแกนแนบใหม่")


def pdf_pages(data: bytes) -> int:
    """Off the GUI thread: how many pages the PDF has, or a StoreProblem saying in Thai why it cannot be read."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise StoreProblem("เอกสาร PDF นี้ถูกตั้งรหัสผ่านไว้ โปรแกรมจึงแสดงไม่ได้ กรุณาขอไฟล์ที่ไม่มีรหัสผ่าน "
                               "หรือพิมพ์เอกสารแล้วสแกนแนบใหม่") from None
        raise StoreProblem(UNREADABLE_PDF) from None
    try:
        return len(document)
    finally:
        document.close()



def _button(th: str, en: str, name: str, slot) -> QPushButton:
    b = QPushButton(tr(th, en))
    b.setObjectName(name)
    b.setAutoDefault(False)   # scan, import, turn a page: never what Enter in a dialog's fields presses
    b.clicked.connect(slot)
    return b


@dataclass
class Attached:
    sha: str
    label: str
    mime: str = ""       # "" when this PC does not hold the file yet (the next sync downloads it)
    size: int = 0

    @property
    def text(self) -> str:
        if not self.mime:
            where = tr("ยังไม่อยู่ในเครื่องนี้ (เปิดขณะออนไลน์เพื่อดาวน์โหลด)", "not on this PC yet (open it online)")
            return f"{self.label} — {where}"
        return f"{self.label} — {MIME_SHORT.get(self.mime, self.mime)} {size_text(self.size)}"


def size_text(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def one_attached(register: RegisterStore, sha: str, label: str) -> Attached:
    """On the database worker: what this PC holds of one document."""
    info = AttachmentStore(register.wc).info(sha)
    return Attached(sha, label, *(info or ("", 0)))


def attached_of(register: RegisterStore, cs: ChangeSet) -> list[Attached]:
    """On the database worker: the change set's documents with what this PC knows of each."""
    return [one_attached(register, sha, label) for sha, label in cs.labelled_evidence()]


def store_file(register: RegisterStore, data: bytes, label: str, expected_sha: str = "") -> Attached:
    """On the database worker: into the encrypted store (StoreProblem in Thai for a file it cannot take, or
    for a download that does not match ``expected_sha``)."""
    store = AttachmentStore(register.wc)
    sha = store.put(data, label, expected_sha)
    mime, size = store.info(sha) or ("", len(data))
    return Attached(sha, label, mime, size)


def read_file(path: str) -> bytes:
    p = Path(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise StoreProblem(f"ไฟล์ใหญ่เกิน {MAX_BYTES // (1024 * 1024)} MB กรุณาสแกนใหม่ด้วยความละเอียดที่ต่ำลง")
        return p.read_bytes()
    except OSError:
        raise StoreProblem("เปิดไฟล์นี้ไม่ได้ กรุณาตรวจสอบว่าไฟล์ยังอยู่และไม่ได้เปิดค้างไว้ในโปรแกรมอื่น") from None


class EvidenceBox(QGroupBox):
    """The documents of the change set being built: scan, import, look, remove."""

    changed = Signal()
    said = Signal(str)

    def __init__(self, runner: TaskRunner, register: RegisterStore, kind: str = "",
                 scanner: Scanner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(tr("เอกสารประกอบ", "Supporting documents"), parent)
        self.runner, self.register = runner, register
        self.scanner = scanner or default_scanner()
        self.items: list[Attached] = []
        self.list = QListWidget()
        self.list.setObjectName("evidenceList")
        self.list.setMaximumHeight(76)
        self.list.setTabKeyNavigation(False)   # one Tab stop
        self.list.itemDoubleClicked.connect(lambda _i: self.view())
        self.kind = QComboBox()
        self.kind.setObjectName("evidenceKind")
        for document in documents.DOCUMENT_KINDS:
            self.kind.addItem(tr(document.th, document.en), document.th)
        self.kind.setCurrentIndex(self.kind.findData(documents.document_for(kind).th))
        self.scan_button = _button("สแกน…", "Scan…", "scanEvidence", self.scan)
        self.import_button = _button("นำเข้าไฟล์…", "Import a file…", "importEvidence", self.import_file)
        self.view_button = _button("ดูเอกสาร", "View", "viewEvidence", self.view)
        self.remove_button = _button("นำออก", "Remove", "removeEvidence", self.remove)
        self.status = QLabel(tr(f"แนบได้เฉพาะ PDF, JPEG หรือ PNG ไฟล์ละไม่เกิน {MAX_BYTES // (1024 * 1024)} MB",
                                f"PDF, JPEG or PNG, up to {MAX_BYTES // (1024 * 1024)} MB each"))
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("เอกสาร", "Document")))
        top.addWidget(self.kind, 1)
        top.addWidget(self.scan_button)
        top.addWidget(self.import_button)
        side = QVBoxLayout()
        side.addWidget(self.view_button)
        side.addWidget(self.remove_button)
        side.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.list, 1)
        bottom.addLayout(side)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addLayout(bottom)
        box.addWidget(self.status)
        self.list.currentRowChanged.connect(lambda _r: self._enable())
        self._enable()

    def _enable(self) -> None:
        chosen = self.list.currentRow() >= 0
        self.view_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.said.emit(text)

    # --- what the change set carries ---------------------------------------------------------------

    def load(self, cs: ChangeSet) -> None:
        register = self.register
        self.runner.run(lambda: attached_of(register, cs), self._loaded, self._failed)

    def _loaded(self, items: list[Attached]) -> None:
        self.items = []
        self.list.clear()
        for item in items:
            self._add(item)

    def set_card_photo(self, photo: bytes) -> None:
        """The photo read from the person's ID card, for the registrar to compare; a later read replaces it."""
        for row in reversed(range(len(self.items))):
            if self.items[row].label == CARD_PHOTO:
                self.items.pop(row)
                self.list.takeItem(row)
        if photo:
            self.add_bytes(photo, CARD_PHOTO)

    # --- adding -------------------------------------------------------------------------------------

    def label(self) -> str:
        return str(self.kind.currentData())

    def add_bytes(self, data: bytes, label: str) -> None:
        register = self.register
        self._say(tr("กำลังเก็บเอกสารแบบเข้ารหัส…", "Storing the document, encrypted…"))
        self.runner.run(lambda: store_file(register, data, label), self._stored, self._failed)

    def scan(self) -> None:
        label = self.label()
        self.scan_button.setEnabled(False)
        self._say(tr("กำลังสแกน… กรุณารอสักครู่", "Scanning… please wait."))
        self.runner.follow(_slow_io.submit(self.scanner.scan), lambda data: self._scanned(data, label),
                           self._scan_failed)

    def _scanned(self, data: bytes, label: str) -> None:
        self.scan_button.setEnabled(True)
        self.add_bytes(data, label)

    def _scan_failed(self, error: BaseException) -> None:
        self.scan_button.setEnabled(True)
        if isinstance(error, ScanProblem):
            self._say("" if error.cancelled else str(error))
        else:
            self._say(tr("สแกนไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด กรุณาใช้ «นำเข้าไฟล์…» แทน", "Scanning failed."))

    def import_file(self) -> None:
        dialog = QFileDialog(self, tr("เลือกไฟล์เอกสาร", "Choose a document"), "",
                             tr("เอกสาร (*.pdf *.jpg *.jpeg *.png)", "Documents (*.pdf *.jpg *.jpeg *.png)"))
        dialog.setObjectName("importEvidenceDialog")
        dialog.setFileMode(QFileDialog.ExistingFile)
        if dialog.exec() and dialog.selectedFiles():
            self.import_path(dialog.selectedFiles()[0])

    def import_path(self, path: str) -> None:
        label, register = self.label(), self.register
        self._say(tr("กำลังเก็บเอกสารแบบเข้ารหัส…", "Storing the document, encrypted…"))
        self.runner.run(lambda: store_file(register, read_file(path), label), self._stored, self._failed)

    def _stored(self, item: Attached) -> None:
        if any(a.sha == item.sha for a in self.items):
            self._say(tr("เอกสารนี้แนบไว้แล้ว", "This document is already attached."))
            return
        self._add(item)
        self._say(tr(f"แนบ{item.label}แล้ว", f"{item.label} attached."))
        self.changed.emit()

    def _add(self, item: Attached) -> None:
        self.items.append(item)
        row = QListWidgetItem(item.text)
        row.setToolTip(item.text)
        self.list.addItem(row)
        self.list.setCurrentRow(self.list.count() - 1)

    def _failed(self, error: BaseException) -> None:
        self._say(str(error) if isinstance(error, StoreProblem) else
                  tr("แนบเอกสารไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด", "The document could not be attached."))

    # --- looking, removing --------------------------------------------------------------------------

    def view(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.items):
            open_viewer(self, self.runner, self.register, self.items[row], self._say)

    def remove(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.items):
            gone = self.items.pop(row)
            self.list.takeItem(row)
            self._say(tr(f"นำ{gone.label}ออกแล้ว", f"{gone.label} removed."))
            self.changed.emit()
        self._enable()


def download(runner: TaskRunner, register: RegisterStore, item: Attached, get_blob: Callable[[str], bytes],
             done: Callable[[Attached], None], say: Callable[[str], None]) -> None:
    """A document this PC does not hold (an applied change set's, from another PC): fetched from the central
    server off the GUI thread, checked against its SHA-256, kept encrypted, then ``done``."""
    def fetched(data: bytes) -> None:
        runner.run(lambda: store_file(register, data, item.label, item.sha), done, lambda e: say(str(e)))

    def failed(error: BaseException) -> None:
        say(str(error) if str(error) else tr("ดาวน์โหลดเอกสารไม่สำเร็จ", "The download failed."))

    say(tr(f"กำลังดาวน์โหลด{item.label}จากเซิร์ฟเวอร์กลาง…", f"Downloading {item.label}…"))
    runner.follow(_slow_io.submit(get_blob, item.sha), fetched, failed)


def open_viewer(parent: QWidget, runner: TaskRunner, register: RegisterStore, item: Attached,
                say: Callable[[str], None], get_blob: Callable[[str], bytes] | None = None) -> None:
    """Read and decrypt on the worker, then show it; ``say`` gets the Thai reason when it cannot be opened.
    A document this PC does not hold is downloaded first when ``get_blob`` is given."""
    if not item.mime:
        if get_blob is not None:
            download(runner, register, item, get_blob,
                     lambda got: open_viewer(parent, runner, register, got, say), say)
            return
        say(tr("เอกสารนี้ยังไม่ได้ดาวน์โหลดมาที่เครื่องนี้ กรุณาซิงก์ขณะออนไลน์แล้วเปิดอีกครั้ง",
               "Not downloaded yet: sync while online, then open it again."))
        return

    def shown(data: bytes) -> None:
        viewer = EvidenceViewer(runner, item, data, parent)
        viewer.setAttribute(Qt.WA_DeleteOnClose)
        viewer.open()

    def failed(error: BaseException) -> None:
        say(str(error) if isinstance(error, StoreProblem) else tr("เปิดเอกสารไม่สำเร็จ", "Could not open it."))

    runner.run(lambda: AttachmentStore(register.wc).get(item.sha), shown, failed)


class EvidenceViewer(DeskDialog):
    """One document, fitted to the window's width (scroll for the rest): an image, or a PDF page by page with
    «หน้าก่อน» / «หน้าถัดไป» (Page Up / Page Down) and «หน้า 2 จาก 5». A PDF's pages are drawn by PDFium on the
    page-drawing thread, each only when it is shown (and the next one ahead), so a long PDF opens at once.
    «บันทึกสำเนา…» keeps a copy. It fits the screen (ui.dialogs); Enter and Escape close it."""

    def __init__(self, runner: TaskRunner, item: Attached, data: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.item, self.data = runner, item, data
        self.drawing = TaskRunner(page_drawing, self)
        self.setObjectName("evidenceViewer")
        self.setWindowTitle(item.label)
        self.resize(820, 900)
        self.page = QLabel()
        self.page.setObjectName("evidencePage")
        self.page.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        self.page.setWordWrap(True)
        self.is_pdf = item.mime == PDF or data[:5] == b"%PDF-"
        self.count = 0                  # a PDF's pages, once known
        self.index = 0                  # the PDF page shown
        self._drawn: dict[tuple[int, int], QImage | None] = {}   # (page, width) → drawn (None: being drawn)
        self.image: QImage | None = None
        if self.is_pdf:
            self.page.setText(tr("กำลังเปิดเอกสาร…", "Opening the document…"))
        else:
            image = QImage.fromData(data)
            self.image = None if image.isNull() else image
            if self.image is None:
                self.page.setText(tr(f"{item.label}: แสดงไฟล์นี้ไม่ได้ ไฟล์อาจเสียหาย กด «บันทึกสำเนา…» "
                                     "เพื่อเก็บไฟล์ไว้ตรวจสอบ",
                                     f"{item.label}: this file cannot be shown; it may be damaged."))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.page)
        # always there: a page fitted to the width is taller than the window, and a scroll bar that came and went
        # would change the width the page is fitted to
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOn)
        self.scroll = scroll
        self.note = QLabel("")
        self.note.setObjectName("muted")
        self.note.setWordWrap(True)
        self.previous = _button("‹ หน้าก่อน", "‹ Previous page", "previousPage",
                                     lambda: self.turn_to(self.index - 1))
        self.previous.setShortcut(QKeySequence(Qt.Key_PageUp))
        self.next = _button("หน้าถัดไป ›", "Next page ›", "nextPage", lambda: self.turn_to(self.index + 1))
        self.next.setShortcut(QKeySequence(Qt.Key_PageDown))
        self.where = QLabel("")
        self.where.setObjectName("pageNumber")
        self.where.setAlignment(Qt.AlignCenter)
        save = _button("บันทึกสำเนา…", "Save a copy…", "saveEvidenceCopy", self.save_copy)
        close = _button("ปิด", "Close", "closeViewer", self.accept)
        close.setAutoDefault(True)
        self.set_accept(close)   # nothing to keep here: Enter closes, as Escape does
        pages = QHBoxLayout()
        pages.addStretch(1)
        pages.addWidget(self.previous)
        pages.addWidget(self.where)
        pages.addWidget(self.next)
        pages.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.note, 1)
        row.addWidget(save)
        row.addWidget(close)
        box = QVBoxLayout(self)
        if self.is_pdf:
            box.addLayout(pages)
        box.addWidget(scroll, 1)
        box.addLayout(row)
        for b in (self.previous, self.next):
            b.setVisible(False)
        if self.is_pdf:
            self.drawing.run(lambda: pdf_pages(data), self._counted, self._unreadable)
        self._fit()

    # --- a PDF's pages ------------------------------------------------------------------------------

    def _counted(self, count: int) -> None:
        self.count = count
        if count == 0:
            self._unreadable(StoreProblem(UNREADABLE_PDF))
            return
        for b in (self.previous, self.next):
            b.setVisible(count > 1)
        self.turn_to(0)

    def _unreadable(self, error: BaseException) -> None:
        self.page.setPixmap(QPixmap())
        self.page.setText(str(error) if isinstance(error, StoreProblem) else UNREADABLE_PDF)
        self.where.setText("")

    def turn_to(self, index: int) -> None:
        if not 0 <= index < self.count:
            return
        self.index = index
        self.where.setText(tr(f"หน้า {index + 1} จาก {self.count}", f"Page {index + 1} of {self.count}"))
        self.previous.setEnabled(index > 0)
        self.next.setEnabled(index < self.count - 1)
        self.scroll.verticalScrollBar().setValue(0)
        self._fit()

    def _width(self) -> int:
        return max(200, self.scroll.viewport().width() - 8)

    def _draw_width(self) -> int:
        """The width a page is drawn at: the window's (sharp on a high-density screen), in steps, so that
        dragging the window's edge does not draw the page again for every pixel."""
        px = self._width() * self.devicePixelRatioF()
        return int(min(2400, max(480, -(-px // 160) * 160)))

    def _draw(self, index: int, width: int) -> None:
        key = (index, width)
        if key in self._drawn or not 0 <= index < self.count:
            return
        self._drawn[key] = None   # asked once
        data = self.data

        def draw() -> bytes | None:   # on the drawing thread: a page turned past while it waited is not drawn
            return picture(SourcePage(data, PDF, index), width) if abs(index - self.index) <= 1 else None

        def drawn(png: bytes | None) -> None:
            if png is None or abs(index - self.index) > 1:   # turned past it: a long PDF keeps only what is near
                self._drawn.pop(key, None)
                return
            self._drawn[key] = QImage.fromData(png)
            if index == self.index:
                self._fit()

        def failed(_e: BaseException) -> None:
            if index == self.index:
                self.page.setPixmap(QPixmap())
                self.page.setText(tr(f"แสดงหน้า {index + 1} ไม่ได้ ไฟล์อาจเสียหาย กด «บันทึกสำเนา…» "
                                     "เพื่อเก็บไฟล์ไว้ตรวจสอบ", f"Page {index + 1} cannot be shown."))

        self.drawing.run(draw, drawn, failed)

    def _pdf_page(self) -> QImage | None:
        """The page shown, drawn for the window's width (asked for when it is not); meanwhile the page drawn
        at another width, if any."""
        width = self._draw_width()
        for i, w in [k for k in self._drawn if abs(k[0] - self.index) > 1]:   # far pages let go: memory stays flat
            del self._drawn[(i, w)]
        image = self._drawn.get((self.index, width))
        self._draw(self.index, width)
        if image is not None:
            self._draw(self.index + 1, width)   # the next page, ready when it is asked for
            return image
        return next((im for (i, _w), im in self._drawn.items() if i == self.index and im is not None), None)

    # --- showing ------------------------------------------------------------------------------------

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self.is_pdf:
            if not self.count:
                return
            image = self._pdf_page()
            if image is None:
                self.page.setPixmap(QPixmap())
                self.page.setText(tr(f"กำลังแสดงหน้า {self.index + 1}…", f"Drawing page {self.index + 1}…"))
                return
            self.page.setPixmap(QPixmap.fromImage(image).scaledToWidth(self._width(), Qt.SmoothTransformation))
            return
        if self.image is None:
            return
        self.page.setPixmap(QPixmap.fromImage(self.image).scaledToWidth(min(self._width(), self.image.width() * 2),
                                                                         Qt.SmoothTransformation))

    def save_copy(self) -> None:
        suffix = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(self.item.mime, "")
        path, _f = QFileDialog.getSaveFileName(self, tr("บันทึกสำเนาเอกสาร", "Save a copy"), self.item.label + suffix)
        if path:
            self.save_to(path)

    def save_to(self, path: str) -> None:
        data = self.data

        def write() -> None:
            try:
                Path(path).write_bytes(data)
            except OSError:
                raise StoreProblem("บันทึกสำเนาไม่ได้ กรุณาเลือกโฟลเดอร์อื่นที่มีสิทธิ์เขียน") from None

        self.runner.run(write, lambda _r: self.note.setText(tr(f"บันทึกสำเนาที่ {path} แล้ว", f"Saved to {path}.")),
                        lambda e: self.note.setText(str(e) if isinstance(e, StoreProblem) else
                                                    tr("บันทึกสำเนาไม่สำเร็จ", "Could not save the copy.")))


def thumbnails(register: RegisterStore, attached: list[Attached]) -> dict[str, bytes]:
    """On the database worker: the picture above each document's link in a change set's detail — an image as it
    is, a PDF's first page drawn small. A PDF that cannot be drawn gets none (its link still opens the viewer,
    which says why)."""
    store = AttachmentStore(register.wc)
    out: dict[str, bytes] = {}
    for a in attached:
        if a.mime.startswith("image/"):
            out[a.sha] = store.get(a.sha)
        elif a.mime == PDF:
            try:
                out[a.sha] = picture(SourcePage(store.get(a.sha), PDF, 0), THUMB_WIDTH)
            except Exception:   # PDFium and PIL raise many kinds for a damaged file
                continue
    return out


def evidence_html(items: list[Attached], thumbs: Collection[str] = ()) -> str:
    """For a change set's detail: each document as a link (evidence:SHA), with its picture above it when
    ``thumbs`` has one (:func:`thumbnails`)."""
    if not items:
        return ""
    e = html.escape
    parts = ["<p><b>เอกสารประกอบ</b></p><table cellspacing='6'><tr>"]
    for a in items:
        thumb = (f"<a href='evidence:{a.sha}'><img src='evidence:{a.sha}' height='120'></a><br>"
                 if a.sha in thumbs else "")
        parts.append(f"<td valign='bottom' align='center'>{thumb}<a href='evidence:{a.sha}'>{e(a.text)}</a></td>")
    parts.append("</tr></table>")
    return "".join(parts)
