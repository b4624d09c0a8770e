"""A claim's evidence panel (issue 19 §2): the receipts and certificates as pages — scanned from the document
feeder (each page appears as it arrives), one page from the flatbed, imported from PDF / JPEG / PNG files or
dropped onto the panel — each page a thumbnail that can be turned, removed and labelled (which receipt it is,
ใบรับรองแพทย์, หนังสือรับรองสิทธิ, อื่น ๆ), the chosen page large beside them.

Kept, the pages become one PDF (:func:`app.claims.evidence.assemble`, the labels as bookmarks) in the encrypted
attachment store, and the claim records one :class:`app.claims.Page` per page of that PDF, in order: every
``Page.sha256`` is the SHA-256 of the one assembled PDF, and a page's place in ``Claim.pages`` is its page number
in it. A receipt's page names the receipt's number, so the checks' rule "a scan per receipt line" counts the
pages labelled with each number (:func:`pages_kept`, :func:`pages_loaded`).

Nothing slow runs on the GUI thread: the scanner and the drawing of pages on threads of their own, the store
on the database worker.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from app.claims import Page, PageLabel
from app.claims.evidence import SourcePage, assemble, pages_of
from app.errors import Refusal
from app.store import AttachmentStore, RegisterStore, StoreProblem
from scan import Scanner, ScanProblem, default_scanner

from ..evidence import page_drawing, picture, read_file
from ..i18n import tr
from ..qt import (
    QAbstractItemView, QColor, QComboBox, QFileDialog, QGroupBox, QHBoxLayout, QIcon, QImage, QLabel, QListWidget,
    QListWidgetItem, QPixmap, QPushButton, QScrollArea, QSize, Qt, QVBoxLayout, QWidget, Signal,
)
from ..tasks import TaskRunner

THUMB_PX = 84
PREVIEW_PX = 640
EVIDENCE_NAME = "หลักฐานประกอบการเบิก"
IMPORTABLE = (".pdf", ".jpg", ".jpeg", ".png")

# The scanner takes seconds a page: on its own thread. Pages are drawn on the page-drawing thread the document
# viewer shares (ui.evidence.page_drawing), so neither waits behind the other.
_scanner_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lgo-scan")


def pages_kept(register: RegisterStore, pdf: bytes, pages: Sequence[SourcePage]) -> tuple[Page, ...]:
    """On the database worker: the assembled PDF into the encrypted store, and the claim's record of it — one
    :class:`Page` per page, every one naming the PDF's SHA-256, in the PDF's order."""
    sha = AttachmentStore(register.wc).put(pdf, EVIDENCE_NAME)
    return tuple(Page(sha, p.label, p.receipt.strip() if p.label is PageLabel.RECEIPT else "") for p in pages)


def pages_loaded(register: RegisterStore, kept: Sequence[Page]) -> list[SourcePage]:
    """On the database worker: a kept claim's pages back from its PDF, each with its label."""
    if not kept:
        return []
    shas = {p.sha256 for p in kept}
    if len(shas) != 1:   # (kept by an older program, one file per page)
        out: list[SourcePage] = []
        for p in kept:
            out += [replace(s, label=p.label, receipt=p.receipt)
                    for s in pages_of(AttachmentStore(register.wc).get(p.sha256))]
        return out
    pages = pages_of(AttachmentStore(register.wc).get(kept[0].sha256))
    return [replace(s, label=p.label, receipt=p.receipt) for s, p in zip(pages, kept)]


def label_text(page: SourcePage) -> str:
    return page.title if page.label is not PageLabel.OTHER else tr("เอกสารอื่น", "Other")


class EvidencePanel(QGroupBox):
    """The pages of one claim (module docstring). ``changed``: pages added, removed, turned or relabelled;
    ``page_arrived``: a page from the feeder is in (its number); ``scanned``: a scan or an import ended."""

    changed = Signal()
    said = Signal(str)
    page_arrived = Signal(int)
    scanned = Signal(int)               # pages the scan or import added
    _fed = Signal(int, bytes)           # a page from the feeder, from the scanner's thread

    def __init__(self, db: TaskRunner, scanner: Scanner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(tr("หลักฐานประกอบการเบิก (ใบเสร็จ ใบรับรองแพทย์)", "Evidence (receipts, certificates)"), parent)
        self.setObjectName("claimEvidence")
        self.setAcceptDrops(True)
        self.db = db
        self.slow = TaskRunner(_scanner_thread, self)
        self.drawing = TaskRunner(page_drawing, self)
        self.scanner = scanner or default_scanner()
        self.pages: list[SourcePage] = []
        self.receipts: list[str] = []
        self.dirty = False               # pages changed since they were loaded or kept
        self.busy = False
        self.read_only = False           # a claim that was sent: its pages are looked at, not changed
        self._thumbs: dict[tuple, QImage] = {}
        self._fed.connect(self._feeder_page)

        self.batch_button = self._button("สแกนจากถาดป้อนกระดาษ", "Scan from the feeder", "scanBatch", self.scan_batch)
        self.one_button = self._button("สแกนทีละหน้า", "Scan one page", "scanOne", self.scan_one)
        self.import_button = self._button("นำเข้าไฟล์…", "Import files…", "importPages", self.import_files)
        self.left_button = self._button("⟲ หมุนซ้าย", "⟲ Turn left", "turnLeft", lambda: self.turn(-90))
        self.right_button = self._button("⟳ หมุนขวา", "⟳ Turn right", "turnRight", lambda: self.turn(90))
        self.remove_button = self._button("ลบหน้านี้", "Remove the page", "removePage", self.remove)
        self.label = QComboBox()
        self.label.setObjectName("pageLabel")
        self.label.setToolTip(tr("หน้าที่เลือกคือเอกสารใด (เลือกหลายหน้าพร้อมกันได้ด้วย Ctrl หรือ Shift)",
                                 "What the chosen pages are (Ctrl or Shift chooses several)"))
        self.label.activated.connect(lambda _i: self.apply_label())

        self.list = QListWidget()
        self.list.setObjectName("pageThumbs")
        self.list.setViewMode(QListWidget.IconMode)
        self.list.setIconSize(QSize(THUMB_PX, int(THUMB_PX * 1.41)))
        self.list.setGridSize(QSize(THUMB_PX + 24, int(THUMB_PX * 1.41) + 44))
        self.list.setMinimumWidth(2 * (THUMB_PX + 24) + 24)   # two thumbnails a row
        self.list.setMovement(QListWidget.Static)
        self.list.setResizeMode(QListWidget.Adjust)
        self.list.setWordWrap(True)
        self.list.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.list.setTabKeyNavigation(False)
        self.list.setAcceptDrops(False)
        self.list.itemSelectionChanged.connect(self._chosen)

        self.preview = QLabel(tr("ยังไม่มีหน้าเอกสาร: สแกน นำเข้าไฟล์ หรือลากไฟล์มาวางที่นี่",
                                 "No pages yet: scan, import, or drop files here."))
        self.preview.setObjectName("pagePreview")
        self.preview.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        self.preview.setWordWrap(True)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.preview)
        scroll.setMinimumWidth(220)
        self.preview_scroll = scroll
        self.status = QLabel(tr("ลากไฟล์ PDF, JPEG หรือ PNG มาวางบนกรอบนี้ก็ได้", "Files can be dropped here too."))
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)

        sources = QHBoxLayout()
        sources.addWidget(self.batch_button)
        sources.addWidget(self.one_button)
        sources.addWidget(self.import_button)
        sources.addStretch(1)
        tools = QHBoxLayout()
        tools.addWidget(QLabel(tr("หน้านี้คือ", "This page is")))
        tools.addWidget(self.label, 1)
        tools.addWidget(self.left_button)
        tools.addWidget(self.right_button)
        tools.addWidget(self.remove_button)
        body = QHBoxLayout()
        body.addWidget(self.list, 2)
        body.addWidget(scroll, 3)
        box = QVBoxLayout(self)
        box.addLayout(sources)
        box.addLayout(tools)
        box.addLayout(body, 1)
        box.addWidget(self.status)
        self.set_receipts([])
        self._enable()

    def _button(self, th: str, en: str, name: str, slot) -> QPushButton:
        b = QPushButton(tr(th, en))
        b.setObjectName(name)
        b.setAutoDefault(False)   # Enter in the claim's fields never scans
        b.clicked.connect(lambda _checked=False: slot())
        return b

    def say(self, text: str) -> None:
        self.status.setText(text)
        self.said.emit(text)

    # --- what the pages are -------------------------------------------------------------------------------

    def set_receipts(self, numbers: Sequence[str]) -> None:
        """The receipt lines of the claim now: a page can be labelled as one of them."""
        numbers = [n.strip() for n in numbers if n.strip()]
        if numbers == self.receipts and self.label.count():
            return
        self.receipts = numbers
        current = self.label.currentData()
        self.label.clear()
        for n in numbers:
            self.label.addItem(tr(f"ใบเสร็จเลขที่ {n}", f"Receipt no. {n}"), f"{PageLabel.RECEIPT.value}|{n}")
        for kind in (PageLabel.MEDICAL_CERTIFICATE, PageLabel.ENTITLEMENT_CERTIFICATE, PageLabel.OTHER):
            self.label.addItem(tr(kind.th if kind is not PageLabel.OTHER else "อื่น ๆ", kind.value), f"{kind.value}|")
        at = self.label.findData(current)
        self.label.setCurrentIndex(max(at, 0))
        self._show_label()

    def label_choices(self) -> list[tuple[str, str]]:
        return [tuple(self.label.itemData(i).split("|", 1)) for i in range(self.label.count())]

    def choose_label(self, label: PageLabel, receipt: str = "") -> None:
        """Label the chosen pages (as the officer does with the combo box)."""
        at = self.label.findData(f"{label.value}|{receipt.strip() if label is PageLabel.RECEIPT else ''}")
        if at < 0:
            raise LookupError(f"no label {label.value} {receipt}")
        self.label.setCurrentIndex(at)
        self.apply_label()

    def apply_label(self) -> None:
        data = self.label.currentData()
        rows = self.chosen_rows()
        if data is None or not rows:
            return
        kind, receipt = data.split("|", 1)
        kind = PageLabel(kind)
        for row in rows:
            self.pages[row] = replace(self.pages[row], label=kind, receipt=receipt)
        self._touched()
        self._redraw_list(keep=rows)

    # --- choosing -------------------------------------------------------------------------------------------

    def chosen_rows(self) -> list[int]:
        return sorted(self.list.row(i) for i in self.list.selectedItems())

    def choose(self, *rows: int) -> None:
        self.list.clearSelection()
        for row in rows:
            item = self.list.item(row)
            if item is not None:
                item.setSelected(True)

    def _chosen(self) -> None:
        self._enable()
        self._show_label()
        self._show_preview()

    def _show_label(self) -> None:
        rows = self.chosen_rows()
        if not rows:
            return
        p = self.pages[rows[0]]
        at = self.label.findData(f"{p.label.value}|{p.receipt if p.label is PageLabel.RECEIPT else ''}")
        if at >= 0:
            self.label.setCurrentIndex(at)

    def _enable(self) -> None:
        chosen = bool(self.list.selectedItems())
        for b in (self.left_button, self.right_button, self.remove_button, self.label):
            b.setEnabled(chosen and not self.busy and not self.read_only)
        for b in (self.batch_button, self.one_button, self.import_button):
            b.setEnabled(not self.busy and not self.read_only)
            b.setVisible(not self.read_only)

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self.setAcceptDrops(not read_only)
        self._enable()

    # --- adding pages ---------------------------------------------------------------------------------------

    def load(self, pages: Sequence[SourcePage]) -> None:
        """The pages a kept claim has (not a change)."""
        self.pages = list(pages)
        self.dirty = False
        self._redraw_list()

    def add(self, pages: Sequence[SourcePage]) -> None:
        first = len(self.pages)
        self.pages += list(pages)
        self._touched()
        self._redraw_list(keep=[len(self.pages) - 1] if pages else None)
        if pages:
            self.list.scrollToItem(self.list.item(len(self.pages) - 1))
        return first

    def _busy(self, busy: bool) -> None:
        self.busy = busy
        self._enable()

    def scan_batch(self) -> None:
        """Every sheet in the feeder, each page shown as it arrives ("หน้า N…")."""
        if self.busy:
            return
        self._busy(True)
        self._batch_count = 0
        self.say(tr("กำลังสแกนจากถาดป้อนกระดาษ…", "Scanning from the feeder…"))
        fed = self._fed

        def run() -> int:
            return len(self.scanner.scan_batch(lambda n, data: fed.emit(n, data)))

        self.slow.run(run, self._batch_done, self._scan_failed)

    def _feeder_page(self, n: int, data: bytes) -> None:
        try:
            [page] = pages_of(data)
        except Refusal as refused:
            self.say(str(refused))
            return
        self._batch_count += 1
        self.add([page])
        self.say(tr(f"หน้า {n}…", f"Page {n}…"))
        self.page_arrived.emit(n)

    def _batch_done(self, count: int) -> None:
        self._busy(False)
        self.say(tr(f"สแกนจากถาดป้อนกระดาษแล้ว {count} หน้า กรุณาระบุว่าแต่ละหน้าคือเอกสารใด",
                    f"{count} pages scanned: say what each one is."))
        self.scanned.emit(count)

    def scan_one(self) -> None:
        if self.busy:
            return
        self._busy(True)
        self.say(tr("กำลังสแกน… กรุณารอสักครู่", "Scanning… please wait."))
        self.slow.run(lambda: pages_of(self.scanner.scan()), self._added, self._scan_failed)

    def _added(self, pages: list[SourcePage]) -> None:
        self._busy(False)
        self.add(pages)
        self.say(tr(f"เพิ่มแล้ว {len(pages)} หน้า", f"{len(pages)} pages added."))
        self.scanned.emit(len(pages))

    def _scan_failed(self, error: BaseException) -> None:
        self._busy(False)
        if isinstance(error, ScanProblem):
            self.say("" if error.cancelled else str(error))
        elif isinstance(error, (Refusal, StoreProblem)):
            self.say(str(error))
        else:
            self.say(tr("สแกนไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด กรุณาใช้ «นำเข้าไฟล์…» แทน", "Scanning failed."))
        self.scanned.emit(0)

    def import_files(self) -> QFileDialog:
        dialog = QFileDialog(self, tr("เลือกไฟล์หลักฐาน", "Choose evidence files"), "",
                             tr("เอกสาร (*.pdf *.jpg *.jpeg *.png)", "Documents (*.pdf *.jpg *.jpeg *.png)"))
        dialog.setObjectName("importPagesDialog")
        dialog.setFileMode(QFileDialog.ExistingFiles)
        dialog.filesSelected.connect(self.import_paths)
        dialog.open()
        return dialog

    def import_paths(self, paths: Sequence[str]) -> None:
        """The pages of each file, in order (a file that is no document is said in Thai; the others come in)."""
        paths = [str(p) for p in paths]
        if not paths or self.busy:
            return
        self._busy(True)
        self.say(tr("กำลังนำเข้าไฟล์…", "Importing…"))

        def read() -> list[SourcePage]:
            out: list[SourcePage] = []
            refused = None
            for path in paths:
                try:
                    out += pages_of(read_file(path))
                except (Refusal, StoreProblem) as e:
                    refused = f"{Path(path).name}: {e}"
            if refused and not out:
                raise Refusal("evidence.import", refused, "Not a document.")
            return out

        self.slow.run(read, self._added, self._scan_failed)

    # drag and drop of files from the desktop or Explorer
    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if any(u.isLocalFile() and u.toLocalFile().lower().endswith(IMPORTABLE) for u in urls):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        paths = [u.toLocalFile() for u in event.mimeData().urls()
                 if u.isLocalFile() and u.toLocalFile().lower().endswith(IMPORTABLE)]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    # --- turning, removing ----------------------------------------------------------------------------------

    def turn(self, degrees: int) -> None:
        rows = self.chosen_rows()
        for row in rows:
            self.pages[row] = self.pages[row].turned(degrees)
        if rows:
            self._touched()
            self._redraw_list(keep=rows)

    def remove(self) -> None:
        rows = self.chosen_rows()
        for row in reversed(rows):
            self.pages.pop(row)
        if rows:
            self._touched()
            left = min(rows[0], len(self.pages) - 1)
            self._redraw_list(keep=[left] if left >= 0 else None)
            self.say(tr(f"ลบแล้ว {len(rows)} หน้า · คงเหลือ {len(self.pages)} หน้า",
                        f"{len(rows)} removed, {len(self.pages)} left."))

    def _touched(self) -> None:
        self.dirty = True
        self.changed.emit()

    # --- drawing --------------------------------------------------------------------------------------------

    @staticmethod
    def _key(page: SourcePage, width: int) -> tuple:
        return (id(page.data), len(page.data), page.index, page.rotation, width)

    def _redraw_list(self, keep: list[int] | None = None) -> None:
        keep = self.chosen_rows() if keep is None else keep
        self.list.blockSignals(True)
        self.list.clear()
        for i, page in enumerate(self.pages):
            item = QListWidgetItem(f"{i + 1} · {label_text(page)}")
            item.setToolTip(label_text(page))
            item.setTextAlignment(Qt.AlignHCenter | Qt.AlignTop)
            image = self._thumbs.get(self._key(page, THUMB_PX))
            if image is not None:
                item.setIcon(QIcon(QPixmap.fromImage(image)))
            else:
                item.setIcon(self._blank())   # a sheet's outline until the page is drawn: nothing jumps
                self._draw(page, THUMB_PX)
            self.list.addItem(item)
        for row in keep:
            if 0 <= row < self.list.count():
                self.list.item(row).setSelected(True)
        if keep and 0 <= keep[-1] < self.list.count():
            self.list.setCurrentItem(self.list.item(keep[-1]), type(self.list.selectionModel()).SelectionFlag.Select)
        self.list.blockSignals(False)
        self._chosen()

    def _blank(self) -> QIcon:
        if getattr(self, "_blank_icon", None) is None:
            sheet = QPixmap(THUMB_PX, int(THUMB_PX * 1.41))
            sheet.fill(QColor("#e5e7eb"))
            self._blank_icon = QIcon(sheet)
        return self._blank_icon

    def _draw(self, page: SourcePage, width: int) -> None:
        key = self._key(page, width)
        if key in self._thumbs:
            return
        self._thumbs[key] = None   # asked once

        def drawn(png: bytes) -> None:
            image = QImage.fromData(png)
            self._thumbs[key] = image
            if width == THUMB_PX:
                for i, p in enumerate(self.pages):
                    if self._key(p, THUMB_PX) == key and self.list.item(i) is not None:
                        self.list.item(i).setIcon(QIcon(QPixmap.fromImage(image)))
            else:
                self._show_preview()

        def failed(_e: BaseException) -> None:
            self._thumbs.pop(key, None)

        self.drawing.run(lambda: picture(page, width), drawn, failed)

    def _show_preview(self) -> None:
        rows = self.chosen_rows()
        if not rows:
            if not self.pages:
                self.preview.setPixmap(QPixmap())
                self.preview.setText(tr("ยังไม่มีหน้าเอกสาร: สแกน นำเข้าไฟล์ หรือลากไฟล์มาวางที่นี่",
                                        "No pages yet: scan, import, or drop files here."))
            return
        page = self.pages[rows[-1]]
        image = self._thumbs.get(self._key(page, PREVIEW_PX))
        if image is None:
            self.preview.setPixmap(QPixmap())
            self.preview.setText(tr(f"กำลังแสดงหน้า {rows[-1] + 1}…", f"Drawing page {rows[-1] + 1}…"))
            self._draw(page, PREVIEW_PX)
            return
        width = max(160, self.preview_scroll.viewport().width() - 8)
        self.preview.setPixmap(QPixmap.fromImage(image).scaledToWidth(min(width, image.width()),
                                                                      Qt.SmoothTransformation))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._show_preview()

    # --- keeping --------------------------------------------------------------------------------------------

    def assembled(self) -> Callable[[], bytes]:
        """A function for a worker: the pages as one PDF (the pages as they are now, copied)."""
        pages = list(self.pages)
        return lambda: assemble(pages, EVIDENCE_NAME)


__all__ = ["EvidencePanel", "pages_kept", "pages_loaded", "picture"]
