"""./dev demo OUT_DIR — the tour of the program, driven offscreen, a screenshot of every screen, and every paper
the program makes (OUT_DIR/papers: the account-request kit, the statement as PDF and Excel, …) with a PNG of each
PDF page (``pdftoppm -r 60``) beside it.

Runs against what ./dev starts: the training central server on loopback, pcscd with the virtual reader,
the registry officer's training card in the first slot and the registrar's in the second. Anyone can look
at the program without a display.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app import training
from app.claims import PageLabel
from app.usecases.claims import View
from app.domain import StartReason
from app.settings import MachineSettings
from app.thai import format_date_short
from app.store import KeyStore

from .evidence import EvidenceViewer
from .fonts import install_fonts, install_style
from .main import Desk
from .qt import QApplication, QEvent, QKeyEvent, Qt, QUrl

PIN = "1234"  # every training card's PIN


def wait(app: QApplication, cond, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise SystemExit(f"demo: timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.01)


def settle(app: QApplication, seconds: float = 0.4) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def type_into(app: QApplication, widget, text: str) -> None:
    widget.clear()
    widget.setFocus()
    for ch in text:
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key_unknown, Qt.NoModifier, ch))


class Tour:
    def __init__(self, app: QApplication, out: Path, server: str) -> None:
        self.app, self.out = app, out
        out.mkdir(parents=True, exist_ok=True)
        self.data = Path(tempfile.mkdtemp(prefix="lgo-demo-"))
        self.keys = KeyStore()
        self.desk = Desk(app, self.data, self.keys, True, machine=MachineSettings(server, "demo"), sync_interval=3600)
        self.n = 0
        self.papers = out / "papers"
        self.papers.mkdir(exist_ok=True)

    def shot(self, widget, name: str) -> None:
        settle(self.app)
        self.n += 1
        path = self.out / f"{self.n:02d}-{name}.png"
        widget.grab().save(str(path))
        print(path)

    def paper(self, path: Path) -> None:
        """A paper the program wrote: its name printed, and a PNG of each page of a PDF beside it."""
        print(path)
        if path.suffix == ".pdf" and shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(path.with_suffix(""))], check=True)
            for png in sorted(path.parent.glob(f"{path.stem}-*.png")):
                print(png)

    def request_kit(self) -> None:
        """Before anyone has an account: «ขอสิทธิเข้าใช้งาน…» on the log-in window, filled in as the training
        unit would, and the three files it writes (letter, workbook, e-mail)."""
        from app.usecases.account_request import OfficerRow, RequestKind, UnitDetails

        u = training.UNIT
        officers = training.generate(staff=5).officers
        unit = UnitDetails(u.name, u.level, u.code, u.address, u.province, u.phone, "", u.email,
                           "นายสมศักดิ์ ใจดี", "นายกองค์การบริหารส่วนตำบลบ้านฝึกหัด", "ขก 71001/")
        rows = [OfficerRow(o.name, o.cid, o.position, o.role, f"{o.mobile[:3]}-{o.mobile[3:6]}-{o.mobile[6:]}", o.email)
                for o in officers]
        wizard = self.desk.login.open_request_wizard()
        wizard.kind.setCurrentIndex(wizard.kind.findData(RequestKind.FIRST.value))
        wizard._fill_unit(unit)   # as typed: the unit's fields, then one officer row each
        for i, row in enumerate(rows):
            (wizard.officer_rows[0] if i == 0 else wizard.add_officer_row()).fill(row)
        wait(self.app, lambda: wizard.recheck().ok, what="the request's checks")
        self.shot(wizard, "account-request")
        folder = self.papers / "request"
        folder.mkdir(exist_ok=True)
        wizard.produce_into(folder)
        wait(self.app, lambda: wizard.produced is not None, 60, "the request's papers")
        self.shot(wizard, "account-request-made")
        out = wizard.produced
        for path in (out.letter, out.workbook, out.eml):
            self.paper(path)
        wizard.close()

    def log_in(self, reader_index: int, email: str, people: bool = True) -> None:
        w = self.desk.login
        wait(self.app, lambda: w.readers.count() > reader_index, what="the card readers")
        w.readers.setCurrentIndex(reader_index)
        wait(self.app, lambda: w.card_data is not None, what="the card to be read")
        type_into(self.app, w.username, email)
        type_into(self.app, w.password, training.TRAINING_PASSWORD)
        type_into(self.app, w.pin, PIN)
        self.shot(w, "log-in")
        w.submit()
        wait(self.app, lambda: self.desk.window is not None and self.desk.window.register is not None, 60,
             "the log-in")
        win = self.desk.window
        wait(self.app, lambda: "ซิงก์ล่าสุด" in win.sync_label.text(), 120, "the first sync")
        if people:   # (a finance officer's desk lists claims, not the people)
            wait(self.app, lambda: win.model.rowCount() > 0, 60, "the people")

    def run(self) -> None:
        registry, registrar = training.generate(staff=5).officers[1], training.generate(staff=5).officers[0]
        self.desk.start()
        self.request_kit()
        self.log_in(0, registry.email)
        win = self.desk.window   # as it opens: maximised on a laptop screen, the status bar in view
        self.shot(win, "people")
        hire = win.work.open_hire()
        hire.reason.setCurrentIndex(hire.reason.findData(StartReason.TRANSFER_IN))  # the transfer-in's extra line
        type_into(self.app, hire.from_unit, "OTH0002")
        self.shot(hire, "transfer-in")
        hire.reason.setCurrentIndex(hire.reason.findData(StartReason.HIRE))
        hire.from_unit.clear()
        hire.form.fill(_demo_person())
        type_into(self.app, hire.position, "นักวิเคราะห์นโยบายและแผน")
        hire.evidence.scan()  # the appointment order, on the training flatbed
        wait(self.app, lambda: hire.evidence.list.count() == 1, 60, "the scan")
        hire.check()
        wait(self.app, lambda: hire.verdicts.toPlainText() != "", what="the rules' verdicts")
        self.shot(hire, "new-hire")
        hire.scroll.ensureWidgetVisible(hire.evidence.list)   # scrolled to its documents: the buttons stay
        self.shot(hire, "new-hire-scrolled-to-its-buttons")
        hire.send_button.click()
        settle(self.app, 1.0)
        win.tabs.setCurrentIndex(1)
        wait(self.app, lambda: win.work.table.rowCount() > 0, what="my work")
        self.shot(win, "my-work")
        opened = []
        win.work.unit_opened.connect(opened.append)
        win.work.open_unit()
        wait(self.app, lambda: bool(opened), what="the unit's data")
        type_into(self.app, opened[0].edits["phone"], "0 4300 0000 ต่อ 12")
        opened[0].check()
        wait(self.app, lambda: "ผ่าน" in opened[0].verdicts.toPlainText(), what="the unit data's verdicts")
        self.shot(opened[0], "unit-data")
        opened[0].reject()                      # something was typed: it asks first
        wait(self.app, lambda: opened[0].discard_question is not None, what="the discard question")
        box = opened[0].discard_question
        self.shot(box, "discard-question")
        next(b for b in box.buttons() if b.text() == "ละทิ้ง").click()
        win.sync_requested.emit()
        wait(self.app, lambda: "ยังไม่ส่ง 0" in win.sync_label.text(), 60, "the sync")
        self.desk.logout()
        self.log_in(1, registrar.email)
        win = self.desk.window
        win.tabs.setCurrentIndex(1)
        wait(self.app, lambda: win.inbox.table.rowCount() > 0, 60, "the review inbox")
        win.inbox.table.selectRow(win.inbox.table.rowCount() - 1)  # this tour's hire: the newest
        wait(self.app, lambda: "JPEG" in win.inbox.detail.toPlainText(), 60, "the change set's detail and its scan")
        self.shot(win, "review-inbox")
        [scan] = win.inbox.attached
        win.inbox.detail.anchorClicked.emit(QUrl(f"evidence:{scan.sha}"))
        wait(self.app, lambda: win.inbox.findChild(EvidenceViewer) is not None, what="the document viewer")
        viewer = win.inbox.findChild(EvidenceViewer)
        self.shot(viewer, "evidence")
        viewer.close()
        dialog = win.inbox.approve_chosen()
        wait(self.app, lambda: dialog.pin.isVisible(), 30, "the registrar's card")
        type_into(self.app, dialog.pin, PIN)
        self.shot(dialog, "approve-card-pin")
        before = win.inbox.table.rowCount()  # the training server keeps earlier tours' work
        dialog.go()
        wait(self.app, lambda: win.inbox.table.rowCount() == before - 1, 30,
             f"the approval ({dialog.status.text()} / {win.statusBar().currentMessage()})")
        win.sync_requested.emit()
        wait(self.app, lambda: "ยังไม่ส่ง 0" in win.sync_label.text(), 60, "the sync")
        win.tabs.setCurrentWidget(win.rounds)
        wait(self.app, lambda: win.rounds.table.rowCount() > 0, 60, "the unit's statements")
        wait(self.app, lambda: "บัญชีรายชื่อผู้มีสิทธิ" in win.rounds.summary.toPlainText(), 30, "the statement")
        self.shot(win, "confirmation-round")
        st = win.rounds.selected()
        for kind in ("pdf", "xlsx"):
            path = self.papers / f"statement.{kind}"
            win.rounds.write_statement(st, kind, str(path))
            wait(self.app, lambda: path.exists(), 120, f"the statement as {kind}")
            self.paper(path)
        self.certificate(win)
        self.reports(win)
        win.tabs.setCurrentIndex(0)
        self.shot(win, "after-approval")
        self.finance()
        self.desk.close()

    def swap_card(self, profile: str, slot: int) -> None:
        """The card in a reader swapped, as ``./dev card PROFILE`` does: the slot's emulator follows its tray file."""
        tray = Path(os.environ.get("LGO_CARD_TRAYS", "")) / f"slot{slot}"
        if not tray.exists():
            raise SystemExit(f"demo: no training card tray at {tray} (run it as ./dev demo)")
        took = tray.with_name(tray.name + ".in")
        took.unlink(missing_ok=True)
        part = tray.with_name(tray.name + ".part")
        part.write_text(profile + "\n", encoding="utf-8")
        part.replace(tray)
        wait(self.app, lambda: took.exists() and took.read_text(encoding="utf-8").strip() == profile, 30,
             f"the {profile} training card in slot {slot}")

    def payments(self, win) -> None:
        """NHSO's statements and transfers (the training server's months), a transferred line reconciled, the claimant
        repaid from it and the receipt they sign saved."""
        tab = win.claims
        loaded: list = []
        tab.loaded.connect(loaded.append)
        tab.show_view(View.TO_REPAY)
        wait(self.app, lambda: bool(loaded) and tab.model.rowCount() > 0, 60, "the claims to repay")
        self.shot(win, "finance-desk-to-repay")
        desk = win.duty("paymentsDesk")
        win.tabs.setCurrentWidget(desk)
        wait(self.app, lambda: desk.list.rowCount() > 0, 60, "NHSO's statements")
        paid = next((r for r in range(desk.list.rowCount()) if "ยังไม่โอน" not in desk.list.item(r, 0).text()), 0)
        shown: list = []
        desk.shown.connect(shown.append)
        desk.list.selectRow(paid)
        wait(self.app, lambda: desk.model.rowCount() > 0 and (bool(shown) or paid == 0), 60, "a statement's lines")
        row = next((i for i in range(desk.model.rowCount()) if self._repayable(desk, i)), 0)
        desk.table.selectRow(row)
        self.shot(win, "finance-payments")
        if not desk.repay_button.isEnabled():
            raise SystemExit("demo: no line of the training statements is left to repay")
        desk.repay_button.click()
        dialog = win.dialog
        type_into(self.app, dialog.voucher, "PV-0125/2570")
        self.shot(dialog, "repay")
        repaid: list = []
        dialog.repaid.connect(repaid.append)
        dialog.ok.click()
        wait(self.app, lambda: bool(repaid), 30, "the repayment")
        offer = win.dialog
        next(b for b in offer.buttons() if b.objectName() == "saveRepaymentReceipt").click()
        wait(self.app, lambda: win.dialog.objectName() == "saveRepaymentDialog", 10, "the receipt's save dialog")
        target = self.papers / "repayment-receipt.pdf"
        win.dialog.fileSelected.emit(str(target))   # what choosing the file and pressing Save does
        wait(self.app, target.exists, 60, "the repayment receipt's PDF")
        self.paper(target)

    @staticmethod
    def _repayable(desk, i: int) -> bool:
        desk.table.selectRow(i)
        return desk.repay_button.isEnabled()

    def audit(self, win) -> None:
        """The audit package of the fiscal year now running, made from the desk and checked against its manifest."""
        win.tabs.setCurrentWidget(win.claims)
        dialog = win.claims.open_audit()
        dialog.year.setCurrentIndex(0)
        self.shot(dialog, "audit")
        exported: list = []
        dialog.exported.connect(exported.append)
        dialog.make_button.click()
        target = self.papers / "audit-package.zip"
        win.dialog.fileSelected.emit(str(target))
        wait(self.app, lambda: bool(exported), 180, "the audit package")
        self.shot(dialog, "audit-done")
        verified: list = []
        dialog.verified.connect(verified.append)
        dialog.verify_button.click()
        win.dialog.fileSelected.emit(str(target))
        wait(self.app, lambda: bool(verified), 60, "the audit package's check")
        self.shot(dialog, "audit-verified")
        dialog.close()

    def finance(self) -> None:
        """The finance officer's desk: their card in the first reader, a claim for a staff member's child built from
        a batch of scans (the feeder), checked against the register, sent to NHSO, and the claim form printed."""
        from app.domain import Parentage, ParentKind
        from app.rules.entitlement import Relation

        finance = training.generate(staff=5).officers[2]
        self.desk.logout()
        self.swap_card("finance", 0)
        try:
            self.log_in(0, finance.email, people=False)
            win = self.desk.window
            tab = win.claims
            loaded: list = []
            tab.loaded.connect(loaded.append)
            tab.reload()
            wait(self.app, lambda: bool(loaded), 60, "the claims list")
            self.shot(win, "finance-desk")
            data = training.generate()
            staff = {e.cid for e in data.records if getattr(e, "personnel_type", "") == "local_official"}
            born = {p.cid: p.birth.earliest() for p in data.persons if p.birth}
            today = win.today
            parent, child = next((r.parent_cid, r.child_cid) for r in data.records
                                 if isinstance(r, Parentage) and r.kind is ParentKind.LEGITIMATE
                                 and r.parent_cid in staff and 3 < (today - born[r.child_cid]).days / 365.25 < 15)
            tab.open_new()
            dialog = win.dialog
            listed: list = []
            dialog.patients_listed.connect(lambda *a: listed.append(a))
            type_into(self.app, dialog.claimant_search, parent)
            wait(self.app, lambda: bool(listed), 30, "the claimant's dependents")
            dialog.choose_patient(child, Relation.CHILD)
            panel = dialog.evidence
            scanned: list = []
            panel.scanned.connect(scanned.append)
            panel.batch_button.click()
            wait(self.app, lambda: bool(scanned), 180, "the feeder's batch")
            for row in range(3, panel.list.count()):
                panel.list.item(row).setSelected(True)
            panel.remove_button.click()
            first, last = today - dt.timedelta(days=12), today - dt.timedelta(days=9)
            type_into(self.app, dialog.facility, "โรงพยาบาลเอกชนขอนแก่นราม")
            dialog.facility_kind.setCurrentIndex(dialog.facility_kind.findData("private"))
            dialog.care.setCurrentIndex(dialog.care.findData("ipd"))
            type_into(self.app, dialog.first_day, format_date_short(first))
            type_into(self.app, dialog.last_day, format_date_short(last))
            type_into(self.app, dialog.illness, "ไข้เลือดออก")
            dialog.paid_first.setCurrentIndex(dialog.paid_first.findData("emergency"))
            receipt = f"IV-{time.time_ns() % 10**8:08d}"   # the training server keeps every earlier tour's claims
            payer = next(p.name_th for p in data.persons if p.cid == parent)
            dialog.set_receipt(0, receipt, format_date_short(last), payer, "18,450.00")
            panel.list.clearSelection()
            for row in (0, 1):
                panel.list.item(row).setSelected(True)
            panel.choose_label(PageLabel.RECEIPT, receipt)
            panel.list.clearSelection()
            panel.list.item(2).setSelected(True)
            panel.choose_label(PageLabel.MEDICAL_CERTIFICATE)
            wait(self.app, dialog.submit_button.isEnabled, 60, f"the claim's checks ({dialog.checklist.text()})")
            self.shot(dialog, "claim-form")
            self.shot(panel, "claim-evidence")
            claim, _problems = dialog.read()
            dialog.write_form(claim, str(self.papers / "claim-form.pdf"))
            wait(self.app, lambda: (self.papers / "claim-form.pdf").exists(), 60, "the claim form's PDF")
            self.paper(self.papers / "claim-form.pdf")
            kept: list = []
            dialog.kept.connect(kept.append)
            dialog.submit_button.click()
            wait(self.app, lambda: bool(kept), 60, "the claim sent")
            synced = win.sync_label.text()
            win.sync_requested.emit()   # the claim goes; what other officers owe from this PC waits for them
            wait(self.app, lambda: win.sync_label.text() != synced and "ซิงก์ล่าสุด" in win.sync_label.text(), 120,
                 "the claim's sync")
            loaded.clear()
            tab.show_view(View.AT_NHSO)
            wait(self.app, lambda: bool(loaded) and tab.model.rowCount() > 0, 60, f"the claim at NHSO ({loaded})")
            self.shot(win, "finance-desk-sent")
            self.payments(win)
            self.audit(win)
        finally:
            self.swap_card("registry", 0)


    def certificate(self, win) -> None:
        """«ออกหนังสือรับรองสิทธิ…» for a staff member's child in hospital: the rules asked for the admission date,
        the letter issued, numbered and saved as PDF; then the register of certificates."""
        win.tabs.setCurrentIndex(0)
        people = win.model
        child = next(people.row_at(r).cid for r in range(people.rowCount())
                     if people.row_at(r).relation.value == "child" and people.row_at(r).entitled)
        shown: list[str] = []
        win.detail_loaded.connect(shown.append)
        type_into(self.app, win.search, child)
        wait(self.app, lambda: child in shown and win.current_cid() == child, 30, "the child's detail")
        dialog = win.certificate_actions.open_issue()
        checked: list[str] = []
        dialog.checked.connect(checked.append)
        type_into(self.app, dialog.admitted, format_date_short(win.today - dt.timedelta(days=3)))
        wait(self.app, lambda: any(t.startswith("✔") for t in checked), 30, "the rules' verdict on the date")
        type_into(self.app, dialog.hospital, "โรงพยาบาลศรีนครินทร์")
        wait(self.app, dialog.issue_button.isEnabled, 30, "the issue button")
        self.shot(dialog, "certificate")
        issued: list = []
        dialog.issued.connect(issued.append)
        dialog.issue()
        wait(self.app, lambda: bool(issued), 60, "the certificate")
        saved: list[str] = []
        dialog.saved.connect(saved.append)
        dialog.save_to(str(self.papers / "certificate.pdf"))
        wait(self.app, lambda: bool(saved), 60, "the certificate's PDF")
        if dialog.save_dialog is not None:
            dialog.save_dialog.close()
        self.shot(dialog, "certificate-issued")
        self.paper(self.papers / "certificate.pdf")
        dialog.close()
        win.search.clear()

    def reports(self, win) -> None:
        """The registrar's reports: each on screen, then as PDF (with a PNG of every page) and as Excel."""
        tab = win.duty("reports")
        win.tabs.setCurrentWidget(tab)
        folder = self.papers / "reports"
        folder.mkdir(exist_ok=True)
        for key in ("entitled", "upcoming", "changesets"):
            tab.choose(key)
            if key == "upcoming":
                tab.days.setValue(365)
            shown: list[str] = []
            tab.shown.connect(shown.append)
            tab.run()
            wait(self.app, lambda: bool(shown), 60, f"the report {key}")
            tab.shown.disconnect(shown.append)
            self.shot(win, f"report-{key}")
            for kind in ("pdf", "xlsx"):
                written: list[str] = []
                tab.written.connect(written.append)
                tab.write(tab.current, kind, str(folder / f"{key}.{kind}"))
                wait(self.app, lambda: bool(written), 60, f"the report {key} as {kind}")
                tab.written.disconnect(written.append)
                self.paper(folder / f"{key}.{kind}")


def _demo_person():
    import datetime as dt

    from app.domain import Person, Sex
    from app.thai import PartialDate
    return Person("3100000000012", "วิภาวดี", "รุ่งเรืองศรี", "นางสาว", birth=PartialDate.of(dt.date(1994, 6, 12)),
                  sex=Sex.FEMALE, first_en="Wiphawadi", last_en="Rungrueangsri")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev demo")
    parser.add_argument("out", type=Path)
    parser.add_argument("--server", default="http://127.0.0.1:8765")
    args, qt_args = parser.parse_known_args(argv)
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    install_fonts(app)
    install_style(app)
    Tour(app, args.out, args.server).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
