"""The reports tab (ui/tabs/reports.py) as the registrar meets it after log-in on the 1366×768 laptop, over the
training unit's real working copy on the database worker: each report chosen, its parameter typed, shown as a tree
with Thai headers (sortable), then saved as PDF and as Excel through the save dialog — the PDF read back with
pdftotext (names in logical order), the workbook with openpyxl (the same rows, dates as dates, CIDs as text)."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtTest import QTest

from app.domain import Role
from app.usecases import Desk
from app.usecases.reports import entitled_lines, upcoming
from tests.pdfcheck import page_texts, squeeze
from tests.test_ui_fit import problems_of
from tests.test_ui_window import OFFICER, REGISTRAR, Office
from ui.fonts import install_fonts
from ui.qt import QApplication, Qt
from ui.tabs import TABS_OF_ROLE, ReportsTab

SHOTS = Path("/tmp/wt-reports-shots")


@pytest.fixture
def office(qapp, data_dir, keys):
    install_fonts(qapp)
    o = Office(data_dir, keys)
    yield o
    o.close()


def open_reports(office, qtbot, officer=REGISTRAR):
    w = office.window(qtbot, officer)
    tab = w.duty("reports")
    assert tab is not None and w.tabs.tabText(w.tabs.indexOf(tab)) == "รายงาน"
    w.tabs.setCurrentWidget(tab)
    return w, tab


def run(qtbot, tab: ReportsTab, key: str) -> None:
    tab.choose(key)
    with qtbot.waitSignal(tab.shown, timeout=30000):
        QTest.mouseClick(tab.run_button, Qt.LeftButton)


def save(qtbot, w, tab: ReportsTab, kind: str, target: Path) -> None:
    QTest.mouseClick(tab.pdf_button if kind == "pdf" else tab.xlsx_button, Qt.LeftButton)
    dialog = w.dialog
    assert dialog.objectName() == "saveReportDialog" and dialog.isVisible()
    assert dialog.selectedFiles()[0].endswith(f".{kind}")
    with qtbot.waitSignal(tab.written, timeout=60000):
        dialog.fileSelected.emit(str(target))      # what choosing the file and pressing Save does
        dialog.close()
    assert w.statusBar().currentMessage().startswith("บันทึกรายงานแล้วที่") and target.stat().st_size > 0


def tree_rows(tab: ReportsTab) -> list[list[str]]:
    """Every line of the result in the order shown: each top-level line, then the lines under it."""
    out = []
    for top, members in tab.lines():
        out += [top, *members]
    return out


def tops(tab: ReportsTab) -> list[list[str]]:
    return [top for top, _members in tab.lines()]


def body_rows(path: Path, headers: list[str]) -> list[tuple]:
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    start = rows.index(tuple(headers)) + 1
    return rows[start:]


def test_the_registrar_and_the_registry_officer_have_the_reports_tab_and_the_finance_officer_not():
    assert ReportsTab in TABS_OF_ROLE[Role.REGISTRAR] and ReportsTab in TABS_OF_ROLE[Role.REGISTRY_OFFICER]
    assert ReportsTab not in TABS_OF_ROLE[Role.FINANCE_OFFICER]


def test_entitled_on_a_date_shown_grouped_saved_as_pdf_and_excel(office, qtbot, tmp_path):
    w, tab = open_reports(office, qtbot)
    tab.choose("entitled")
    assert tab.date.isVisible() and not tab.days.isVisible() and not tab.start.isVisible()
    tab.date.setText("01/11/2569")
    run(qtbot, tab, "entitled")
    day = dt.date(2026, 11, 1)
    lines = office.call(lambda: entitled_lines(Desk.of(office.register, REGISTRAR), day))
    heads = [x for x in lines if x["relation"] == "self"]
    assert len(tops(tab)) == len(heads)
    assert tab.headers()[:3] == ["ลำดับ", "ชื่อ–สกุล", "เลขประจำตัวประชาชน"]
    first = tops(tab)[0]
    assert first[1] == heads[0]["name"] and first[2].count("-") == 4     # 1-2345-67890-12-3
    family = next(members for _top, members in tab.lines() if members)
    assert {m[3] for m in family} <= {"คู่สมรส", "บุตร", "บิดา", "มารดา"}
    before = tab.lines()
    assert f"ผู้มีสิทธิ {len(heads):,} คน" in tab.summary.text() and "ผู้มีสิทธิร่วม จำแนกตามความสัมพันธ์" in \
        tab.summary.text()
    # sortable: by name, in Thai dictionary order, a header click away
    tab.tree.header().setSortIndicator(1, Qt.DescendingOrder)      # a click on the name's header, twice
    names = [top[1] for top in tops(tab)]
    assert names[0] != first[1] and names[-1] == first[1]
    tab.tree.header().setSortIndicator(0, Qt.AscendingOrder)       # back by number: as the report ordered it
    assert tab.lines() == before

    pdf, xlsx = tmp_path / "entitled.pdf", tmp_path / "entitled.xlsx"
    save(qtbot, w, tab, "pdf", pdf)
    text = squeeze(" ".join(page_texts(pdf)))
    assert squeeze("ผู้มีสิทธิ ณ วันที่ 1 พฤศจิกายน 2569") in text
    at = [text.index(squeeze(x["name"])) for x in heads[:5]]
    assert at == sorted(at)                                   # the first beneficiaries, in the order shown
    save(qtbot, w, tab, "xlsx", xlsx)
    rows = body_rows(xlsx, tab.headers())
    assert [r[1] for r in rows[:len(tree_rows(tab))]] == [r[1] for r in tree_rows(tab)]
    cids = [r[2] for r in rows if r[2]]
    assert all(isinstance(c, str) and len(c) == 13 for c in cids) and set(cids) == {x["cid"] for x in lines}


def test_changes_coming_shown_with_dates_and_days_left_and_saved(office, qtbot, tmp_path):
    w, tab = open_reports(office, qtbot)
    tab.choose("upcoming")
    assert tab.days.isVisible() and tab.days.value() == 90 and not tab.date.isVisible()
    tab.days.setValue(365)
    run(qtbot, tab, "upcoming")
    found = office.call(lambda: upcoming(Desk.of(office.register, REGISTRAR), 365))
    assert found, "the training unit has something coming within a year"
    shown = tree_rows(tab)
    assert [r[1] for r in shown] == [c.name for c in found]
    assert [r[6] for r in shown] == [str((c.day - Desk.of(office.register, REGISTRAR).today).days) for c in found]
    # what is too long for its column is said in full under the result once its line is chosen
    tab.tree.setFocus()
    QTest.keyClick(tab.tree, Qt.Key_Down)
    chosen = tab.tree.currentIndex().row()
    assert f"สิ่งที่ต้องดำเนินการ: {found[chosen].todo}" in tab.detail.text()
    # sortable by the days left as numbers, not as text
    tab.tree.header().setSortIndicator(6, Qt.DescendingOrder)
    days_left = [int(top[6].replace(",", "")) for top in tops(tab)]
    assert days_left == sorted(days_left, reverse=True)

    pdf, xlsx = tmp_path / "upcoming.pdf", tmp_path / "upcoming.xlsx"
    save(qtbot, w, tab, "pdf", pdf)
    text = squeeze(" ".join(page_texts(pdf)))
    assert squeeze(found[0].name) in text and squeeze("สิ่งที่ต้องดำเนินการ") in text
    save(qtbot, w, tab, "xlsx", xlsx)
    rows = body_rows(xlsx, tab.headers())
    assert [r[1] for r in rows] == [c.name for c in found]
    assert [r[5] for r in rows] == [dt.datetime.combine(c.day, dt.time()) for c in found]   # real dates
    assert all(isinstance(r[2], str) and r[2] == c.cid for r, c in zip(rows, found))
    retire = next((c for c in found if c.kind == "retirement"), None)
    if retire is not None:
        assert (retire.day.month, retire.day.day) == (9, 30)


def test_change_sets_by_state_shown_and_a_bad_date_said_in_thai(office, qtbot, tmp_path):
    w, tab = open_reports(office, qtbot)
    run(qtbot, tab, "changesets")
    titles = [top[1] for top in tops(tab)]
    assert titles[0].startswith("รอนายทะเบียนตรวจสอบเกิน 7 วัน") and any(t.startswith("ร่างที่ยังไม่ได้ส่ง") for t in titles)
    save(qtbot, w, tab, "pdf", tmp_path / "changesets.pdf")
    assert squeeze("ชุดการเปลี่ยนแปลงตามสถานะ") in squeeze(" ".join(page_texts(tmp_path / "changesets.pdf")))
    tab.choose("entitled")
    tab.date.setText("31/02/2569")
    QTest.mouseClick(tab.run_button, Qt.LeftButton)
    assert tab.problem.isVisible() and "ไม่มีวันที่" in tab.problem.text()


def test_the_tab_fits_the_laptop_screen_and_the_keyboard_reaches_everything(office, qtbot, qapp):
    w, tab = open_reports(office, qtbot, OFFICER)
    run(qtbot, tab, "entitled")
    qtbot.wait(100)
    assert problems_of(w) == []
    for b in (tab.run_button, tab.pdf_button, tab.xlsx_button):
        assert b.toolTip() and "&" in b.text()
    # Alt+O puts the cursor on the report's choice; Tab goes on through the parameters, the button, the result
    QTest.keyClick(w, Qt.Key_O, Qt.AltModifier)
    assert QApplication.focusWidget() is tab.choice
    reached = []
    for _ in range(12):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key_Tab)
        reached.append(QApplication.focusWidget())
    for widget in (tab.date, tab.run_button, tab.tree, tab.pdf_button, tab.xlsx_button):
        assert widget in reached, widget.objectName()
    if os.environ.get("LGO_SHOTS", "1") == "1":
        SHOTS.mkdir(exist_ok=True)
        w.grab().save(str(SHOTS / "reports-entitled.png"))
        tab.choose("upcoming")
        tab.days.setValue(730)
        run(qtbot, tab, "upcoming")
        w.grab().save(str(SHOTS / "reports-upcoming.png"))
        run(qtbot, tab, "changesets")
        w.grab().save(str(SHOTS / "reports-changesets.png"))


# --- one more report is one more entry: a report over a period (the certificate register will be one) -----------

PERIODS: list[tuple[dt.date, dt.date]] = []


def issued_in(desk, start: dt.date, end: dt.date):
    """A stand-in for app.usecases.certificates.register_document(desk, start, end)."""
    from app.documents.tables import Column, Table, TableDocument

    PERIODS.append((start, end))
    return TableDocument(f"ทะเบียนคุมหนังสือรับรองสิทธิ {start:%Y-%m-%d} – {end:%Y-%m-%d}",
                         Table([Column("ลำดับ", "int", 7), Column("วันที่ออก", "date", 20)], [[1, start]]))


def test_a_report_over_a_period_is_one_entry_and_asks_for_its_first_and_last_day(office, qtbot, monkeypatch):
    from app.usecases import reports

    entry = reports.Report("issued", "ทะเบียนคุมหนังสือรับรองสิทธิ", "Certificates issued", ("period",),
                           "tests.test_ui_reports:issued_in")
    monkeypatch.setattr(reports, "REPORTS", [*reports.REPORTS, entry])
    w, tab = open_reports(office, qtbot)
    tab.choose("issued")
    assert tab.chosen is entry and tab.start.isVisible() and tab.end.isVisible() and not tab.date.isVisible()
    tab.start.setText("01/10/2569")
    tab.end.setText("30/09/2569")
    QTest.mouseClick(tab.run_button, Qt.LeftButton)
    assert "ก่อนวันที่เริ่มต้น" in tab.problem.text() and not PERIODS
    tab.end.setText("31/10/2569")
    run(qtbot, tab, "issued")
    assert PERIODS == [(dt.date(2569 - 543, 10, 1), dt.date(2569 - 543, 10, 31))]
    assert tops(tab) == [["1", "1 ตุลาคม 2569"]]


def test_enter_in_the_days_makes_the_report_and_an_unwritable_folder_is_said_in_thai(office, qtbot, tmp_path):
    w, tab = open_reports(office, qtbot)
    tab.choose("upcoming")
    tab.days.setFocus()
    tab.days.lineEdit().selectAll()
    QTest.keyClicks(tab.days.lineEdit(), "400")
    with qtbot.waitSignal(tab.shown, timeout=30000):
        QTest.keyClick(tab.days.lineEdit(), Qt.Key_Return)
    assert "400 วัน" in tab.current.document.title
    shown = tab.lines()
    w.refresh_lists()                           # what a sync that brought something does
    assert tab.stale.isVisible() and tab.lines() == shown       # said, not redrawn under the officer's eyes
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    folder = locked if not os.access(locked, os.W_OK) else Path("/proc")   # root writes anywhere it may
    try:
        QTest.mouseClick(tab.pdf_button, Qt.LeftButton)
        with qtbot.waitSignal(w.notice, timeout=30000) as told:
            w.dialog.fileSelected.emit(str(folder / "report.pdf"))
            w.dialog.close()
        assert "ไม่มีสิทธิ์เขียนในโฟลเดอร์นี้" in told.args[0] and "Traceback" not in told.args[0]
        assert not (folder / "report.pdf").exists() and list(locked.iterdir()) == []
        assert not tab.busy.isVisible()
    finally:
        locked.chmod(0o700)
