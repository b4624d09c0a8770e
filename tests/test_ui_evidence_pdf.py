"""A registry change set's PDF documents preview in the program (issue 19 §2): the viewer draws every page of
the PDF (PDFium, off the GUI thread, a page when it is shown), page by page with «หน้าก่อน / หน้าถัดไป» and
«หน้า 2 จาก 5», fitted to the window; a PDF it cannot read says so in Thai.

The PDFs are real: one made by the program (app.claims.evidence.assemble), one made by Pillow's own PDF writer,
and the two joined by poppler's ``pdfunite`` when it is installed. Each page is a sheet of one colour, so what
the viewer shows is checked against what was drawn on the page."""
from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from PIL import Image

from app.claims.evidence import SourcePage, assemble
from app.domain import Officer, Role
from app.events import Known
from app.training import UNIT
from app.usecases import Desk, registry
from app.usecases.forms import UnitData
from tests.builders import Office
from ui.changesets import ChangeSetPanel
from ui.evidence import EvidenceViewer, store_file
from ui.qt import QImage, QPushButton, QTextDocument, QUrl

OFFICER = Officer("3101700000013", "นางมาลี ศรีสุข", "", Role.REGISTRY_OFFICER, UNIT.code, "malee@example.go.th")
RED, GREEN, BLUE, YELLOW, GREY = (200, 30, 30), (30, 160, 60), (40, 60, 200), (230, 200, 20), (90, 90, 90)


class Unit(Office):
    def records(self) -> list:
        return [(UNIT, 1)]


def sheet(colour: tuple[int, int, int], fmt: str = "PNG") -> bytes:
    """A page scanned at 150 dpi: one colour, with a white band at the top (a page, not a blank)."""
    image = Image.new("RGB", (620, 877), colour)
    image.paste((255, 255, 255), (0, 0, 620, 80))
    buf = io.BytesIO()
    image.save(buf, fmt, dpi=(75, 75))
    return buf.getvalue()


def made_here(*colours) -> bytes:
    """A PDF as the claims' evidence panel makes one."""
    return assemble([SourcePage(sheet(c), "image/png") for c in colours], "หลักฐาน")


def made_by_pillow(*colours) -> bytes:
    """A PDF from Pillow's own PDF writer, not the program's."""
    first, *rest = [Image.new("RGB", (620, 877), c) for c in colours]
    buf = io.BytesIO()
    first.save(buf, "PDF", save_all=True, append_images=rest, resolution=75.0)
    return buf.getvalue()


def unit_change_with(office: Office, documents: list[tuple[bytes, str]]):
    """On the worker: the documents into the encrypted store, and a draft change set of the unit carrying them."""
    def make():
        shas = [(store_file(office.register, data, label).sha, label) for data, label in documents]
        desk = Desk.of(office.register, OFFICER)
        form = UnitData(Known(UNIT, 1), UNIT.name, UNIT.level, UNIT.address, UNIT.phone, "saraban@example.go.th")
        return registry.record(desk, form, send=False, evidence=shas).changeset
    return office.call(make)


def panel_with(qtbot, office: Office, documents: list[tuple[bytes, str]]) -> ChangeSetPanel:
    unit_change_with(office, documents)
    panel = ChangeSetPanel(office.runner, lambda desk: [(cs, None, None) for cs in
                                                        desk.register.changesets(UNIT.code)], dt.date(2026, 11, 15))
    qtbot.addWidget(panel)
    panel.resize(1300, 700)
    panel.show()
    with qtbot.waitSignal(panel.shown, timeout=10000):
        panel.attach(Desk.of(office.register, OFFICER))
        qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=10000)
        panel.table.selectRow(0)
    return panel


def thumbnail(panel: ChangeSetPanel, label: str) -> QImage | None:
    """The picture above the document's link in the change set's detail."""
    [item] = [a for a in panel.attached if a.label == label]
    found = panel.detail.document().resource(QTextDocument.ImageResource, QUrl(f"evidence:{item.sha}"))
    return found if isinstance(found, QImage) and not found.isNull() else None


def open_document(qtbot, panel: ChangeSetPanel, label: str) -> EvidenceViewer:
    [item] = [a for a in panel.attached if a.label == label]
    assert f"{label} — PDF" in panel.detail.toPlainText()
    panel.detail.anchorClicked.emit(QUrl(f"evidence:{item.sha}"))
    qtbot.waitUntil(lambda: any(v.windowTitle() == label for v in panel.findChildren(EvidenceViewer)), timeout=10000)
    viewer = next(v for v in panel.findChildren(EvidenceViewer) if v.windowTitle() == label)
    qtbot.waitExposed(viewer)
    return viewer


def shown_page(qtbot, viewer: EvidenceViewer, number: int, of: int) -> QImage:
    """Wait until page ``number`` is drawn; its picture as shown."""
    qtbot.waitUntil(lambda: viewer.where.text() == f"หน้า {number} จาก {of}", timeout=10000)
    qtbot.waitUntil(lambda: not viewer.page.pixmap().isNull() and not viewer.page.text(), timeout=10000)
    return viewer.page.pixmap().toImage()


def colour_at_middle(image: QImage) -> tuple[int, int, int]:
    c = image.pixelColor(image.width() // 2, image.height() // 2)
    return c.red(), c.green(), c.blue()


def near(got, want, slack: int = 24) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(got, want))


def turn(qtbot, viewer: EvidenceViewer, name: str) -> None:
    button = viewer.findChild(QPushButton, name)
    assert button.isVisible() and button.isEnabled()
    button.click()


def test_a_pdf_document_of_a_change_set_shows_every_page_fitted_to_the_window(qtbot, open_office):
    office = open_office(Unit)
    ours = made_here(RED, GREEN, BLUE)
    theirs = made_by_pillow(YELLOW, GREY)
    panel = panel_with(qtbot, office, [(ours, "คำสั่งบรรจุ"), (theirs, "ทะเบียนสมรส")])
    # the detail shows each PDF's first page above its link, as it shows an image
    for label, colour in (("คำสั่งบรรจุ", RED), ("ทะเบียนสมรส", YELLOW)):
        picture = thumbnail(panel, label)
        assert picture is not None and near(colour_at_middle(picture), colour), label
        assert picture.height() > picture.width()

    viewer = open_document(qtbot, panel, "คำสั่งบรรจุ")
    first = shown_page(qtbot, viewer, 1, 3)
    assert near(colour_at_middle(first), RED)
    assert first.width() == viewer.scroll.viewport().width() - 8            # fitted to the window's width
    assert first.height() > first.width()                                   # a portrait sheet, not a strip
    assert not viewer.findChild(QPushButton, "previousPage").isEnabled()
    turn(qtbot, viewer, "nextPage")
    second = shown_page(qtbot, viewer, 2, 3)
    assert near(colour_at_middle(second), GREEN) and second != first
    turn(qtbot, viewer, "nextPage")
    assert near(colour_at_middle(shown_page(qtbot, viewer, 3, 3)), BLUE)
    assert not viewer.findChild(QPushButton, "nextPage").isEnabled()
    turn(qtbot, viewer, "previousPage")
    assert near(colour_at_middle(shown_page(qtbot, viewer, 2, 3)), GREEN)
    # a wider window: the page is drawn again to the new width
    viewer.resize(viewer.width() + 200, viewer.height())
    qtbot.waitUntil(lambda: viewer.page.pixmap().width() == viewer.scroll.viewport().width() - 8, timeout=10000)
    assert "บันทึกสำเนา" in viewer.findChild(QPushButton, "saveEvidenceCopy").text()
    viewer.close()

    other = open_document(qtbot, panel, "ทะเบียนสมรส")
    assert near(colour_at_middle(shown_page(qtbot, other, 1, 2)), YELLOW)
    turn(qtbot, other, "nextPage")
    assert near(colour_at_middle(shown_page(qtbot, other, 2, 2)), GREY)
    other.close()


@pytest.mark.skipif(shutil.which("pdfunite") is None, reason="poppler's pdfunite is not installed")
def test_a_pdf_joined_by_poppler_shows_its_five_pages(qtbot, open_office, tmp_path):
    office = open_office(Unit)
    (tmp_path / "a.pdf").write_bytes(made_here(RED, GREEN, BLUE))
    (tmp_path / "b.pdf").write_bytes(made_by_pillow(YELLOW, GREY))
    subprocess.run(["pdfunite", str(tmp_path / "a.pdf"), str(tmp_path / "b.pdf"), str(tmp_path / "all.pdf")],
                   check=True)
    panel = panel_with(qtbot, office, [((tmp_path / "all.pdf").read_bytes(), "คำสั่งบรรจุ")])
    viewer = open_document(qtbot, panel, "คำสั่งบรรจุ")
    seen = []
    for number, colour in enumerate((RED, GREEN, BLUE, YELLOW, GREY), 1):
        if number > 1:
            turn(qtbot, viewer, "nextPage")
        page = shown_page(qtbot, viewer, number, 5)
        assert near(colour_at_middle(page), colour), number
        seen.append(page)
    assert len({p.cacheKey() for p in seen}) == 5 and seen[3] != seen[4]
    viewer.close()


def test_a_pdf_that_cannot_be_read_says_so_in_thai(qtbot, open_office):
    from pypdf import PdfReader, PdfWriter
    office = open_office(Unit)
    good = made_here(RED, GREEN)
    broken = good[:200] + bytes(len(good) - 200)                   # the transfer cut: the rest is zeros
    locked = io.BytesIO()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(good)))
    writer.encrypt("รหัสลับ")
    writer.write(locked)
    panel = panel_with(qtbot, office, [(broken, "คำสั่งบรรจุ"), (locked.getvalue(), "ทะเบียนสมรส")])
    assert thumbnail(panel, "คำสั่งบรรจุ") is None and thumbnail(panel, "ทะเบียนสมรส") is None   # no picture, the link

    viewer = open_document(qtbot, panel, "คำสั่งบรรจุ")
    qtbot.waitUntil(lambda: "อ่านเอกสาร PDF นี้ไม่ได้" in viewer.page.text(), timeout=10000)
    assert "เสียหาย" in viewer.page.text() and viewer.page.pixmap().isNull()
    assert not viewer.findChild(QPushButton, "nextPage").isVisible()
    assert viewer.findChild(QPushButton, "saveEvidenceCopy").isEnabled()   # the file can still be kept
    viewer.close()

    viewer = open_document(qtbot, panel, "ทะเบียนสมรส")
    qtbot.waitUntil(lambda: "ตั้งรหัสผ่าน" in viewer.page.text(), timeout=10000)
    assert viewer.page.pixmap().isNull()
    viewer.close()


def test_a_long_pdf_is_drawn_a_page_at_a_time_and_page_down_turns_it(qtbot, open_office):
    from PySide6.QtTest import QTest

    from ui.qt import Qt
    office = open_office(Unit)
    colours = [(10 + 6 * i, 200 - 4 * i, 90) for i in range(40)]
    panel = panel_with(qtbot, office, [(made_by_pillow(*colours), "คำสั่งบรรจุ")])
    viewer = open_document(qtbot, panel, "คำสั่งบรรจุ")
    assert near(colour_at_middle(shown_page(qtbot, viewer, 1, 40)), colours[0], 8)
    assert {i for i, _w in viewer._drawn} <= {0, 1}          # not the other 38 pages
    viewer.activateWindow()
    qtbot.waitUntil(lambda: viewer.isActiveWindow(), timeout=5000)
    QTest.keyClick(viewer, Qt.Key_PageDown)
    assert near(colour_at_middle(shown_page(qtbot, viewer, 2, 40)), colours[1], 8)
    for _ in range(38):                                        # turned quickly to the end
        viewer.next.click()
    assert near(colour_at_middle(shown_page(qtbot, viewer, 40, 40)), colours[39], 8)
    assert {i for i, _w in viewer._drawn} <= {38, 39}       # what was turned past is let go
    QTest.keyClick(viewer, Qt.Key_PageUp)
    assert near(colour_at_middle(shown_page(qtbot, viewer, 39, 40)), colours[38], 8)
    viewer.close()
