"""The claim form (issue 19 §4): who claims (searched in the register by name or citizen ID, or read from their
ID card), whose care (the claimant or one of their dependents), where, on which days, for what, why it was paid
first, the receipts, what another right paid — the amount claimed in figures and in baht text as it is typed —
and the evidence panel beside it.

The rules (:func:`app.usecases.claims.verdicts`) run as the officer types — a moment after the last keystroke, on
the database worker — and each Thai reason stands under the field it is about (:mod:`ui.fields`); the checklist
under the form lists them all. «พร้อมส่ง» and «ส่ง สปสช.» are on only while the rules find nothing wrong.
"""
from __future__ import annotations

import datetime as _dt
import logging
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal, InvalidOperation
from pathlib import Path

from app.claims import Care, Claim, ClaimState, FacilityKind, Page, PaidFirst, Receipt, money
from app.errors import Refusal, Severity, Verdicts
from app.people import PeopleFilter, find_people
from app.rules.entitlement import Relation
from app.store import StoreProblem
from app.thai import ThaiDateError, baht_text, format_date_short
from app.usecases import Desk, person_detail
from app.usecases import claims as uc
from app.usecases.forms import typed_date
from scan import Scanner

from ..dialogs import DeskDialog
from ..event_dialogs import date_edit, shortcut
from ..fields import FieldMarks, set_marked
from ..i18n import tr
from ..main_window import shortcut_tip
from ..papers import save_dialog
from ..qt import (
    QAbstractButton, QAbstractItemView, QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QMessageBox, QPushButton, QScrollArea, QSplitter, Qt, QTableWidget, QTableWidgetItem, QTimer,
    QVBoxLayout, QWidget, Signal,
)
from ..tasks import TaskRunner
from .evidence import EvidencePanel, pages_kept, pages_loaded

EDITABLE = (ClaimState.DRAFT, ClaimState.READY, ClaimState.REJECTED)
CHECK_DELAY_MS = 250          # the checks run this long after the last keystroke
RECEIPT_COLUMNS = (("เลขที่", "Number"), ("ลงวันที่", "Date"), ("ชื่อผู้ชำระเงินตามใบเสร็จ", "Payer"),
                   ("จำนวนเงิน (บาท)", "Amount"))
FIELDS = ("patient", "days", "facility", "illness", "paid_first", "receipts", "other_paid", "pages")
log = logging.getLogger(__name__)
_papers = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lgo-claim-paper")


def amount_text(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _field_of(subject: str) -> str:
    return "receipts" if subject.startswith("receipt") else subject


class ClaimDialog(DeskDialog):
    """One claim, new or kept (module docstring). Signals the tests and the desk follow: ``checked`` (the
    verdicts shown), ``patients_listed``, ``kept`` (the claim as kept, after draft / ready / submit)."""

    checked = Signal(object)
    patients_listed = Signal(int)
    claimants_listed = Signal(int)
    kept = Signal(object)
    loaded = Signal()

    def __init__(self, host, desk: Desk, claim: Claim | None = None, scanner: Scanner | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host, self.desk, self.runner = host, desk, host.runner
        self.today = host.today
        self.claim = claim                  # as kept (None: not yet kept)
        self.claim_id = claim.id if claim else ""
        self.kept_pages: tuple[Page, ...] = claim.pages if claim else ()
        self.verdicts: Verdicts | None = None
        self.claimant_detail = None
        self._generation = 0
        self._searching = 0
        self.setObjectName("claimDialog")
        self.setWindowTitle(tr("ทำเรื่องเบิกเงินสวัสดิการรักษาพยาบาล", "Medical-welfare claim"))
        self.marks = FieldMarks()

        # --- who ---------------------------------------------------------------------------------------
        self.claimant_search = QLineEdit()
        self.claimant_search.setObjectName("claimantSearch")
        self.claimant_search.setPlaceholderText(tr("ชื่อ–นามสกุล หรือเลขประจำตัวประชาชนของผู้มีสิทธิ",
                                                   "The beneficiary's name or citizen ID"))
        self.claimant_search.setClearButtonEnabled(True)
        self.claimant = QComboBox()
        self.claimant.setObjectName("claimant")
        self.claimant.setMinimumContentsLength(18)
        self.read_card_button = QPushButton(tr("อ่านบัตร", "Read card"))
        self.read_card_button.setObjectName("claimantCard")
        self.read_card_button.setAutoDefault(False)
        self.read_card_button.setToolTip(tr("อ่านเลขประจำตัวประชาชนจากบัตรของผู้มีสิทธิที่เสียบในเครื่องอ่าน",
                                            "Read the beneficiary's card in the reader"))
        self.read_card_button.setVisible(host.card is not None)
        self.read_card_button.clicked.connect(self.read_card)
        self.patient = QComboBox()
        self.patient.setObjectName("patient")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(CHECK_DELAY_MS)
        self._search_timer.timeout.connect(self.search_claimants)
        self.claimant_search.textChanged.connect(lambda _t: self._search_timer.start())
        self.claimant.currentIndexChanged.connect(lambda _i: self._claimant_chosen())
        self.patient.currentIndexChanged.connect(lambda _i: self._touch("patient"))

        # --- the care ------------------------------------------------------------------------------------
        self.facility = QLineEdit()
        self.facility.setObjectName("facility")
        self.facility_kind = QComboBox()
        self.facility_kind.setObjectName("facilityKind")
        for kind in FacilityKind:
            self.facility_kind.addItem(kind.th, kind.value)
        self.care = QComboBox()
        self.care.setObjectName("care")
        for care in Care:
            self.care.addItem(care.th, care.value)
        self.first_day = date_edit(None, "firstDay")
        self.last_day = date_edit(None, "lastDay")
        self.illness = QLineEdit()
        self.illness.setObjectName("illness")
        self.illness.setPlaceholderText(tr("อาการหรือโรคที่เข้ารับการรักษา", "What was treated"))
        self.paid_first = QComboBox()
        self.paid_first.setObjectName("paidFirst")
        self.paid_first.addItem(tr("— เลือกเหตุที่ต้องสำรองจ่าย —", "— why paid first —"), "")
        for why in PaidFirst:
            self.paid_first.addItem(why.th, why.value)
        self.paid_first_note = QLineEdit()
        self.paid_first_note.setObjectName("paidFirstNote")
        self.paid_first_note.setPlaceholderText(tr("ระบุเหตุเป็นข้อความ", "Say why in words"))

        # --- the receipts ----------------------------------------------------------------------------------
        self.receipts = QTableWidget(0, len(RECEIPT_COLUMNS))
        self.receipts.setObjectName("receiptsTable")
        self.receipts.setHorizontalHeaderLabels([tr(th, en) for th, en in RECEIPT_COLUMNS])
        self.receipts.verticalHeader().setVisible(False)
        head = self.receipts.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.Interactive)
        head.setSectionResizeMode(2, QHeaderView.Stretch)
        for col, width in ((0, 110), (1, 110), (3, 120)):
            self.receipts.setColumnWidth(col, width)
        self.receipts.horizontalHeaderItem(1).setToolTip(tr("วว/ดด/ปปปป (พ.ศ.) เช่น 14/03/2569", "dd/mm/yyyy (BE)"))
        self.receipts.verticalHeader().setDefaultSectionSize(26)
        self.receipts.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.receipts.setTabKeyNavigation(True)
        self.receipts.setMinimumHeight(84)
        self.receipts.setMaximumHeight(120)
        self.receipts.cellChanged.connect(lambda _r, _c: (self._touch("receipts"), self.typed(), self.schedule_check()))
        self.add_receipt_button = QPushButton(tr("+ เพิ่มใบเสร็จ", "+ Add a receipt"))
        self.add_receipt_button.setObjectName("addReceipt")
        self.add_receipt_button.setAutoDefault(False)
        self.add_receipt_button.clicked.connect(lambda: self.add_receipt())
        self.remove_receipt_button = QPushButton(tr("ลบแถวที่เลือก", "Remove the row"))
        self.remove_receipt_button.setObjectName("removeReceipt")
        self.remove_receipt_button.setAutoDefault(False)
        self.remove_receipt_button.clicked.connect(self.remove_receipt)
        self.other_right = QLineEdit()
        self.other_right.setObjectName("otherRight")
        self.other_right.setPlaceholderText(tr("เช่น ประกันสังคม (ว่างไว้หากไม่มี)", "e.g. social security"))
        self.other_paid = QLineEdit("0.00")
        self.other_paid.setObjectName("otherPaid")
        self.other_paid.setMaximumWidth(120)
        self.claimed = QLabel("")
        self.claimed.setObjectName("claimedAmount")
        self.claimed.setWordWrap(True)

        # --- the evidence --------------------------------------------------------------------------------------
        self.evidence = EvidencePanel(self.runner, scanner)
        self.evidence.changed.connect(lambda: (self._touch("pages"), self.typed(), self.schedule_check()))

        # --- the checklist, the buttons ---------------------------------------------------------------------
        self.checklist = QLabel("")
        self.checklist.setObjectName("claimChecklist")
        self.checklist.setWordWrap(True)
        self.checklist.setTextFormat(Qt.RichText)
        self.checklist.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        checks = QScrollArea()
        checks.setWidgetResizable(True)
        checks.setWidget(self.checklist)
        checks.setMaximumHeight(92)
        checks.setFocusPolicy(Qt.NoFocus)
        self.status = QLabel("")
        self.status.setObjectName("claimStatus")
        self.status.setWordWrap(True)
        self.draft_button = self._button("บันทึกร่าง", "Save draft", "keepDraft", self.keep_draft)
        self.draft_button.setToolTip(shortcut_tip(tr("บันทึกร่างไว้ในเครื่องนี้", "Keep as a draft"), "Ctrl+S"))
        self.ready_button = self._button("พร้อมส่ง", "Ready", "makeReady", self.make_ready)
        self.submit_button = self._button("ส่ง สปสช.", "Send to NHSO", "submitClaim", self.submit)
        self.print_button = self._button("พิมพ์ใบเบิก…", "Print the claim form…", "printClaim", self.print_form)
        self.close_button = self._button("ปิด", "Close", "closeClaim", self.reject)
        self.set_accept(self.draft_button)
        self.draft_action = shortcut(self, ("Ctrl+S",), self.keep_draft)

        self._lay_out()
        for w in (self.facility, self.illness, self.paid_first_note, self.other_right, self.other_paid,
                  self.first_day, self.last_day):
            w.textChanged.connect(lambda _t: self.schedule_check())
        for name, w in (("facility", self.facility), ("illness", self.illness), ("paid_first", self.paid_first_note),
                        ("days", self.first_day), ("days", self.last_day), ("other_paid", self.other_right),
                        ("other_paid", self.other_paid)):
            w.textEdited.connect(lambda _t, n=name: self._touch(n))
        for name, combo in (("facility", self.facility_kind), ("days", self.care), ("paid_first", self.paid_first)):
            combo.currentIndexChanged.connect(lambda _i, n=name: (self._touch(n), self.schedule_check()))
        self.paid_first.currentIndexChanged.connect(lambda _i: self._note_needed())
        self.patient.currentIndexChanged.connect(lambda _i: self.schedule_check())
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self.run_checks)
        self.watch_typing()
        self.first_field = self.claimant_search
        self.resize(1340, 720)
        if claim is not None:
            self._load(claim)
        else:
            self.add_receipt()
            self.dirty = False
        self._note_needed()
        self._show_amount()
        self._checklist(Verdicts(), {})
        self._buttons()

    def _button(self, th: str, en: str, name: str, slot) -> QPushButton:
        b = QPushButton(tr(th, en))
        b.setObjectName(name)
        b.setAutoDefault(False)
        b.clicked.connect(lambda _checked=False: slot())
        return b

    def _lay_out(self) -> None:
        m = self.marks
        who = QHBoxLayout()
        who.addWidget(self.claimant_search, 1)
        who.addWidget(self.read_card_button)
        days = QWidget()
        days.setObjectName("days")
        row = QHBoxLayout(days)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.care)
        row.addWidget(QLabel(tr("ตั้งแต่", "from")))
        row.addWidget(self.first_day, 1)
        row.addWidget(QLabel(tr("ถึง", "to")))
        row.addWidget(self.last_day, 1)
        facility = QWidget()
        frow = QHBoxLayout(facility)
        frow.setContentsMargins(0, 0, 0, 0)
        frow.addWidget(self.facility, 3)
        frow.addWidget(self.facility_kind, 2)
        facility.setObjectName("facility")
        self.facility.setObjectName("facilityName")
        paid = QWidget()
        paid.setObjectName("paid_first")
        prow = QHBoxLayout(paid)
        prow.setContentsMargins(0, 0, 0, 0)
        prow.addWidget(self.paid_first, 1)
        prow.addWidget(self.paid_first_note, 1)
        receipts = QWidget()
        receipts.setObjectName("receipts")
        rcol = QVBoxLayout(receipts)
        rcol.setContentsMargins(0, 0, 0, 0)
        rcol.addWidget(self.receipts)
        rbuttons = QHBoxLayout()
        rbuttons.addWidget(self.add_receipt_button)
        rbuttons.addWidget(self.remove_receipt_button)
        rbuttons.addStretch(1)
        rcol.addLayout(rbuttons)
        other = QWidget()
        other.setObjectName("other_paid")
        orow = QHBoxLayout(other)
        orow.setContentsMargins(0, 0, 0, 0)
        orow.addWidget(self.other_right, 1)
        orow.addWidget(QLabel(tr("จ่ายแล้ว", "paid")))
        orow.addWidget(self.other_paid)
        orow.addWidget(QLabel(tr("บาท", "baht")))
        self.patient.setObjectName("patient")
        self.illness.setObjectName("illness")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form.addRow(tr("ค้นหาผู้มีสิทธิ", "Find the beneficiary"), who)
        form.addRow(tr("ผู้มีสิทธิ (ผู้ขอเบิก)", "Claimant"), self.claimant)
        form.addRow(tr("ผู้ป่วย", "Patient"), m.wrap(self.patient))
        form.addRow(tr("สถานพยาบาล", "Facility"), m.wrap(facility))
        form.addRow(tr("การรักษา", "Care"), m.wrap(days))
        form.addRow(tr("อาการ / โรค", "Illness"), m.wrap(self.illness))
        form.addRow(tr("เหตุที่ต้องสำรองจ่าย", "Paid first because"), m.wrap(paid))
        form.addRow(tr("ใบเสร็จรับเงิน", "Receipts"), m.wrap(receipts))
        form.addRow(tr("สิทธิอื่นที่ใช้ก่อน", "Other right used"), m.wrap(other))
        form.addRow(tr("ยอดขอเบิก", "Claimed"), self.claimed)
        pages_note = QWidget()
        pages_note.setObjectName("pages")
        pages_note.setFocusPolicy(Qt.NoFocus)
        form.addRow(tr("หลักฐาน", "Evidence"), m.wrap(pages_note))
        inner = QWidget()
        inner.setLayout(form)
        scroll = QScrollArea()
        scroll.setObjectName("claimFields")
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setMinimumWidth(420)
        self.fields_scroll = scroll
        split = QSplitter(Qt.Horizontal)
        split.addWidget(scroll)
        split.addWidget(self.evidence)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([660, 660])
        split.setChildrenCollapsible(False)
        self.split = split
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.draft_button)
        buttons.addWidget(self.ready_button)
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.close_button)
        box = QVBoxLayout(self)
        box.addWidget(split, 1)
        checks = self.checklist.parentWidget().parentWidget()
        box.addWidget(checks)
        box.addLayout(buttons)

    # --- who --------------------------------------------------------------------------------------------------

    def search_claimants(self) -> None:
        text = self.claimant_search.text().strip()
        if len(text) < 2:
            return
        register, code, today = self.desk.register, self.desk.officer.unit_code, self.today
        self._searching += 1
        asked = self._searching
        self.runner.run(lambda: find_people(register, code, today, text, PeopleFilter(Relation.SELF))[:50],
                        lambda rows: self._claimants(asked, rows), self._failed)

    def _claimants(self, asked: int, rows) -> None:
        if asked != self._searching:
            return
        wanted = self.claim.claimant_cid if self.claim and not self.claimant.count() else None
        self.claimant.blockSignals(True)
        self.claimant.clear()
        for r in rows:
            self.claimant.addItem(f"{r.name_th} · {r.cid}", r.cid)
        if not rows:
            self.claimant.addItem(tr("ไม่พบผู้มีสิทธิที่ตรงกับคำค้น", "Nobody found"), None)
        at = self.claimant.findData(wanted) if wanted else 0
        self.claimant.setCurrentIndex(max(at, 0))
        self.claimant.blockSignals(False)
        self.claimants_listed.emit(len(rows))
        self._claimant_chosen()

    def read_card(self) -> None:
        card = self.host.card
        if card is None:
            return
        with_card = [r for r in card.readers if r in card.present]
        if not with_card:
            self.say(tr("กรุณาเสียบบัตรประจำตัวประชาชนของผู้มีสิทธิ", "Insert the beneficiary's ID card."))
            return
        self.say(tr("กำลังอ่านบัตร…", "Reading the card…"))
        self.runner.follow(card.service.read_card(with_card[0]),
                           lambda data: (self.claimant_search.setText(data.cid), self.say("")),
                           lambda _e: self.say(tr("อ่านบัตรไม่สำเร็จ กรุณาถอดบัตรแล้วเสียบใหม่", "Could not read the card.")))

    def _claimant_chosen(self) -> None:
        cid = self.claimant.currentData()
        if not cid:
            self.claimant_detail = None
            self.patient.clear()
            return
        if self.claimant_detail is not None and self.claimant_detail.person.cid == cid:
            return
        register, today = self.desk.register, self.today
        self.runner.run(lambda: person_detail(register, cid, today), self._patients, self._failed)

    def _patients(self, detail) -> None:
        if detail is None or detail.person.cid != self.claimant.currentData():
            return
        self.claimant_detail = detail
        wanted = f"{self.claim.patient_cid}|{self.claim.relation.value}" if self.claim else None
        current = self.patient.currentData()
        self.patient.blockSignals(True)
        self.patient.clear()
        self.patient.addItem(tr(f"ผู้มีสิทธิเอง: {detail.person.name_th}", f"Self: {detail.person.name_th}"),
                             f"{detail.person.cid}|{Relation.SELF.value}")
        for dep in detail.dependents:
            mark = "" if dep.entitled_today else tr(" (วันนี้ไม่มีสิทธิ)", " (not entitled today)")
            self.patient.addItem(f"{dep.relation.th}: {dep.person.name_th}{mark}", f"{dep.person.cid}|{dep.relation.value}")
        at = self.patient.findData(wanted or current) if (wanted or current) else 0
        self.patient.setCurrentIndex(max(at, 0))
        self.patient.blockSignals(False)
        self.patients_listed.emit(self.patient.count())
        self.schedule_check()

    def choose_patient(self, cid: str, relation: Relation) -> None:
        at = self.patient.findData(f"{cid}|{relation.value}")
        if at < 0:
            raise LookupError("not a dependent of the claimant")
        self.patient.setCurrentIndex(at)
        self.typed()

    # --- the receipts --------------------------------------------------------------------------------------

    def add_receipt(self, number: str = "", issued: str = "", payer: str = "", amount: str = "") -> int:
        row = self.receipts.rowCount()
        self.receipts.blockSignals(True)
        self.receipts.insertRow(row)
        for col, text in enumerate((number, issued, payer, amount)):
            item = QTableWidgetItem(text)
            if col == 3:
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.receipts.setItem(row, col, item)
        self.receipts.blockSignals(False)
        self.receipts.setCurrentCell(row, 0)
        self.schedule_check()
        return row

    def set_receipt(self, row: int, number: str, issued: str, payer: str, amount: str) -> None:
        for col, text in enumerate((number, issued, payer, amount)):
            self.receipts.item(row, col).setText(text)

    def remove_receipt(self) -> None:
        row = self.receipts.currentRow()
        if row >= 0:
            self.receipts.removeRow(row)
            self._touch("receipts")
            self.typed()
            self.schedule_check()

    def _cell(self, row: int, col: int) -> str:
        item = self.receipts.item(row, col)
        return item.text().strip() if item is not None else ""

    # --- reading the form -------------------------------------------------------------------------------------

    def read(self) -> tuple[Claim | None, dict[str, str]]:
        """The claim as typed, and the typing mistakes that are not the rules' (a date that cannot be read)."""
        problems: dict[str, str] = {}
        who = (self.patient.currentData() or "").split("|") if self.patient.currentData() else None
        claimant = self.claimant.currentData()
        if not claimant or not who:
            problems["patient"] = tr("กรุณาเลือกผู้มีสิทธิและผู้ป่วย", "Choose the claimant and the patient.")
            return None, problems

        def day(edit: QLineEdit, what: str, field: str) -> _dt.date | None:
            if not edit.text().strip():
                return None
            try:
                return typed_date(edit.text(), what)
            except (ThaiDateError, Refusal) as e:
                problems.setdefault(field, str(e))
                return None

        first = day(self.first_day, "วันแรกที่รักษา", "days")
        last = day(self.last_day, "วันสุดท้ายที่รักษา", "days") or first
        receipts: list[Receipt] = []
        wrong: list[str] = []
        for row in range(self.receipts.rowCount()):
            number, issued, payer, amount = (self._cell(row, c) for c in range(4))
            if not any((number, issued, payer, amount)):
                continue
            try:
                on = typed_date(issued, f"วันที่ในใบเสร็จแถวที่ {row + 1}")
            except (ThaiDateError, Refusal) as e:
                wrong.append(f"แถวที่ {row + 1}: {e}")
                continue
            try:
                value = money(amount or "0")
            except InvalidOperation:
                wrong.append(f"แถวที่ {row + 1}: จำนวนเงินอ่านไม่ได้ (ตัวอย่าง 1,250.50)")
                continue
            receipts.append(Receipt(number, on, payer, value))
        if wrong:
            problems["receipts"] = "\n".join(wrong)
        try:
            other = money(self.other_paid.text() or "0")
        except InvalidOperation:
            problems["other_paid"] = tr("จำนวนเงินอ่านไม่ได้ (ตัวอย่าง 1,250.50)", "Cannot read the amount.")
            other = Decimal("0.00")
        patient_cid, relation = who[0], Relation(who[1])
        if not self.claim_id:
            self.claim_id = uc.new_claim(self.desk, claimant, patient_cid, relation).id
        why = self.paid_first.currentData()
        base = self.claim or Claim(self.claim_id, self.desk.officer.unit_code, claimant, patient_cid, relation)
        claim = base.with_(
            claimant_cid=claimant, patient_cid=patient_cid, relation=relation, facility=self.facility.text().strip(),
            facility_kind=FacilityKind(self.facility_kind.currentData()), care=Care(self.care.currentData()),
            first_day=first, last_day=last if first else None, illness=self.illness.text().strip(),
            paid_first=PaidFirst(why) if why else None, paid_first_note=self.paid_first_note.text().strip(),
            receipts=tuple(receipts), other_right=self.other_right.text().strip(), other_paid=other,
            pages=self._pages_now())
        return claim, problems

    def _pages_now(self) -> tuple[Page, ...]:
        """The pages as the checks should count them: as labelled now (the PDF's SHA-256 comes when kept)."""
        if not self.evidence.dirty:
            return self.kept_pages
        return tuple(Page("", p.label, p.receipt.strip() if p.label.value == "receipt" else "")
                     for p in self.evidence.pages)

    # --- checking as the officer types ------------------------------------------------------------------------

    def _touch(self, name: str) -> None:
        self.marks.touched.add(name)

    def schedule_check(self) -> None:
        self._show_amount()
        self.evidence.set_receipts([self._cell(r, 0) for r in range(self.receipts.rowCount())])
        self._check_timer.start()

    def _show_amount(self) -> None:
        total = Decimal("0.00")
        for row in range(self.receipts.rowCount()):
            try:
                total += money(self._cell(row, 3) or "0")
            except InvalidOperation:
                pass
        try:
            other = money(self.other_paid.text() or "0")
        except InvalidOperation:
            other = Decimal("0.00")
        claimed = max(total - other, Decimal("0.00"))
        self.claimed.setText(tr(f"<b>{amount_text(claimed)} บาท</b> ({baht_text(claimed)})"
                                f"<br><span style='color:#555'>ใบเสร็จรวม {amount_text(total)} บาท"
                                f" − สิทธิอื่นจ่ายแล้ว {amount_text(other)} บาท</span>",
                                f"<b>{amount_text(claimed)} baht</b> ({baht_text(claimed)})"))

    def run_checks(self) -> None:
        claim, problems = self.read()
        self._generation += 1
        asked = self._generation
        if claim is None:
            self._show_checks(Verdicts(), problems)
            return
        desk = self.desk
        self.runner.run(lambda: uc.verdicts(desk, claim), lambda found: self._checked(asked, found, problems),
                        self._failed)

    def _checked(self, asked: int, found: Verdicts, problems: dict[str, str]) -> None:
        if asked != self._generation:
            return   # typed again meanwhile: a newer check is on its way
        self._show_checks(found, problems)

    def _show_checks(self, found: Verdicts, problems: dict[str, str], everywhere: bool = False) -> None:
        self.verdicts = found if not problems and self.patient.currentData() else None
        beside = dict(problems)
        for v in found.items:
            if v.severity is Severity.INFO:
                continue
            name = _field_of(v.subject)
            text = v.th if v.severity is Severity.ERROR else f"⚠ {v.th}"
            beside[name] = f"{beside[name]}\n{text}" if name in beside else text
        self.marks.show(beside, everywhere)
        wrong = {_field_of(v.subject) for v in found.errors} | set(problems)
        inner = {"days": (self.first_day, self.last_day), "facility": (self.facility,),
                 "paid_first": (self.paid_first, self.paid_first_note), "other_paid": (self.other_right, self.other_paid)}
        for name, widgets in inner.items():   # the red edge on the boxes themselves, not only their row
            for w in widgets:
                set_marked(w, name in wrong and name in self.marks.touched)
        self._checklist(found, problems)
        self._buttons()
        self.checked.emit(found)

    def _checklist(self, found: Verdicts, problems: dict[str, str]) -> None:
        import html
        lines = []
        for text in problems.values():
            lines.append(f"<span style='color:#b91c1c'>✗ {html.escape(text)}</span>")
        for v in found.items:
            colour, mark = {Severity.ERROR: ("#b91c1c", "✗"), Severity.WARNING: ("#b45309", "⚠"),
                            Severity.INFO: ("#1d4ed8", "ℹ")}[v.severity]
            lines.append(f"<span style='color:{colour}'>{mark} {html.escape(v.th)}</span>")
        errors = len(found.errors) + len(problems)
        if self.patient.currentData() is None:
            head = tr("เลือกผู้มีสิทธิและผู้ป่วยก่อน แล้วโปรแกรมจะตรวจตามระเบียบให้ขณะกรอก",
                      "Choose the claimant and the patient: the checks run as you type.")
        elif errors:
            head = tr(f"<b>ยังไม่ครบ/ไม่ถูกต้อง {errors} ข้อ</b> — แก้ไขก่อนส่ง สปสช.", f"<b>{errors} to fix</b>")
        else:
            head = tr("<b style='color:#15803d'>✓ ผ่านการตรวจตามระเบียบและครบตามรายการหลักฐาน — ส่ง สปสช. ได้</b>",
                      "<b>✓ Checked and complete: it can be sent.</b>")
        self.checklist.setText("<br>".join([head] + lines))

    def _buttons(self) -> None:
        state = self.claim.state if self.claim else ClaimState.DRAFT
        editable = state in EDITABLE
        clean = editable and self.verdicts is not None and self.verdicts.ok and bool(self.evidence.pages)
        self.draft_button.setEnabled(editable)
        self.ready_button.setEnabled(clean and (state is not ClaimState.READY or self.dirty))
        self.submit_button.setEnabled(clean)
        self.print_button.setEnabled(self.claim is not None or self.verdicts is not None)
        for b in (self.draft_button, self.ready_button, self.submit_button):
            b.setVisible(editable)

    def _note_needed(self) -> None:
        other = self.paid_first.currentData() == PaidFirst.OTHER.value
        self.paid_first_note.setEnabled(other)
        if not other:
            self.paid_first_note.clear()

    # --- loading a kept claim ----------------------------------------------------------------------------------

    def _load(self, claim: Claim) -> None:
        for w in (self.receipts,):
            w.blockSignals(True)
        self.claimant_search.setText(claim.claimant_cid)
        self.facility.setText(claim.facility)
        self.facility_kind.setCurrentIndex(self.facility_kind.findData(claim.facility_kind.value))
        self.care.setCurrentIndex(self.care.findData(claim.care.value))
        self.first_day.setText(format_date_short(claim.first_day) if claim.first_day else "")
        self.last_day.setText(format_date_short(claim.last_day) if claim.last_day else "")
        self.illness.setText(claim.illness)
        self.paid_first.setCurrentIndex(max(0, self.paid_first.findData(claim.paid_first.value if claim.paid_first
                                                                        else "")))
        self.paid_first_note.setText(claim.paid_first_note)
        self.other_right.setText(claim.other_right)
        self.other_paid.setText(f"{claim.other_paid:.2f}")
        self.receipts.blockSignals(False)
        for r in claim.receipts:
            self.add_receipt(r.number, format_date_short(r.issued_on), r.payer, f"{r.amount:,.2f}")
        if not claim.receipts:
            self.add_receipt()
        self.marks.touched.update(FIELDS)   # a kept claim shows what is wrong with it at once
        editable = claim.state in EDITABLE
        for w in (self.claimant_search, self.read_card_button, self.claimant, self.patient, self.facility,
                  self.facility_kind, self.care, self.first_day, self.last_day, self.illness, self.paid_first,
                  self.paid_first_note, self.other_right, self.other_paid, self.add_receipt_button,
                  self.remove_receipt_button):
            w.setEnabled(editable)
        self.receipts.setEditTriggers(QAbstractItemView.AllEditTriggers if editable
                                      else QAbstractItemView.NoEditTriggers)
        self.evidence.set_read_only(not editable)
        self.setWindowTitle(tr(f"คำขอเบิก — {claim.state.th}", f"Claim — {claim.state.value}"))
        said = next((step for step in reversed(claim.history) if step.reason), None)
        if said is not None and claim.state in (ClaimState.REJECTED, ClaimState.PARTLY_ACCEPTED, ClaimState.CANCELLED):
            self.say(tr(f"{claim.state.th}: {said.reason}", f"{claim.state.value}: {said.reason}"))
        register = self.desk.register
        if claim.pages:
            self.runner.run(lambda: pages_loaded(register, claim.pages), self._pages_arrived, self._failed)
        self.dirty = False

    def _pages_arrived(self, pages) -> None:
        self.evidence.load(pages)
        self.loaded.emit()

    # --- keeping, sending --------------------------------------------------------------------------------------

    def keep_draft(self) -> None:
        self._save(uc.keep, tr("บันทึกร่างแล้ว", "Draft kept."))

    def make_ready(self) -> None:
        self._save(uc.make_ready, tr("ตรวจผ่านแล้ว พร้อมส่ง สปสช.", "Ready to send."))

    def submit(self) -> None:
        self._save(uc.submit, tr("ส่ง สปสช. แล้ว (จะส่งถึงเมื่อซิงก์)", "Sent (delivered at the next sync)."),
                   close=True)

    def _save(self, action, done_text: str, close: bool = False) -> None:
        if not self.draft_button.isEnabled() or not self.draft_button.isVisible():
            return
        claim, problems = self.read()
        if claim is None or problems:
            self._show_checks(self.verdicts or Verdicts(), problems, everywhere=True)
            self.say(next(iter(problems.values())))
            return
        self.say(tr("กำลังบันทึก…", "Keeping…"))
        for b in (self.draft_button, self.ready_button, self.submit_button):
            b.setEnabled(False)
        desk, register = self.desk, self.desk.register
        pages = list(self.evidence.pages)

        def keep_with(pages_record) -> None:
            def run():
                record = pages_record(register) if callable(pages_record) else pages_record
                return action(desk, claim.with_(pages=record))
            self.runner.run(run, lambda changed: self._saved(changed, done_text, close), self._refused)

        if not pages:
            keep_with(())
        elif not self.evidence.dirty:
            keep_with(self.kept_pages)
        else:
            make = self.evidence.assembled()
            TaskRunner(_papers, self).run(make, lambda pdf: keep_with(lambda reg: pages_kept(reg, pdf, pages)),
                                          self._refused)

    def _saved(self, changed, done_text: str, close: bool) -> None:
        self.claim = changed.claims[-1]
        self.claim_id = self.claim.id
        self.kept_pages = self.claim.pages
        self.evidence.dirty = False
        self.dirty = False
        self.say(done_text)
        self.host.render(changed)
        self.kept.emit(self.claim)
        self.setWindowTitle(tr(f"คำขอเบิก — {self.claim.state.th}", f"Claim — {self.claim.state.value}"))
        if close:
            self.accept()
            return
        self._buttons()
        self.schedule_check()

    def _refused(self, error: BaseException) -> None:
        self._buttons()
        if isinstance(error, (Refusal, StoreProblem)):
            self.marks.touched.update(FIELDS)
            self.say(str(error))
            self.schedule_check()
        else:
            log.error("claim not kept", exc_info=error)
            self.say(tr("บันทึกไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด กรุณาลองอีกครั้ง", "Could not keep the claim."))

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, (Refusal, StoreProblem)):
            self.say(str(error))
        else:
            log.error("claim form", exc_info=error)
            self.say(tr("เกิดข้อผิดพลาดที่ไม่คาดคิด", "Something went wrong."))

    def say(self, text: str) -> None:
        self.status.setText(text)

    def discard_choices(self, box: QMessageBox) -> dict[QAbstractButton, object]:
        """Besides "discard" and "go back": keep it as a draft."""
        if not self.draft_button.isVisible():
            return {}
        draft = box.addButton(tr("บันทึกร่าง", "Keep a draft"), QMessageBox.AcceptRole)
        draft.setObjectName("discardKeepDraft")
        return {draft: self._draft_then_close}

    def _draft_then_close(self) -> None:
        self.kept.connect(lambda _c: self.discard())
        self.keep_draft()

    # --- the paper ----------------------------------------------------------------------------------------------

    def print_form(self) -> QFileDialog | None:
        """The claim form for the claimant to sign, as PDF to a chosen file (made off the GUI thread)."""
        claim, _problems = self.read()
        if claim is None:
            self.say(tr("กรุณาเลือกผู้มีสิทธิและผู้ป่วยก่อน", "Choose the claimant and the patient first."))
            return None
        name = f"ใบเบิก-{claim.id[:8]}.pdf"
        dialog = save_dialog(self, tr("บันทึกใบเบิกเป็น PDF", "Save the claim form as PDF"), Path.home() / name, "pdf",
                             "saveClaimForm", lambda path: self.write_form(claim, path))
        self.host.opened(dialog)
        return dialog

    def write_form(self, claim: Claim, path: str) -> None:
        if not path:
            return
        desk = self.desk
        self.say(tr("กำลังทำใบเบิก…", "Making the claim form…"))

        def names():
            return paper_names(desk, claim)

        def typeset(found) -> None:
            from app.documents import write_file
            from app.documents.claim_papers import ClaimPaper, claim_form_pdf
            unit, claimant, position, patient = found
            paper = ClaimPaper(claim, unit, claimant, position, patient, self.today, desk.officer.name)
            TaskRunner(_papers, self).run(lambda: write_file(path, claim_form_pdf(paper)),
                                          lambda p: self.say(tr(f"บันทึกใบเบิกแล้วที่ {p}", f"Saved: {p}")),
                                          self._failed)

        self.runner.run(names, typeset, self._failed)


def paper_names(desk: Desk, claim: Claim) -> tuple[str, str, str, str]:
    """On the database worker: the unit's name, the claimant's name and position, the patient's name."""
    register = desk.register
    unit = register.get("unit", desk.officer.unit_code)
    unit_name = unit.record.name if unit else desk.officer.unit_code
    claimant = register.person(claim.claimant_cid)
    patient = register.person(claim.patient_cid)
    facts = register.load_facts([claim.claimant_cid])
    jobs = sorted(facts.employments_of(claim.claimant_cid), key=lambda e: e.start)
    return (unit_name, claimant.name_th if claimant else claim.claimant_cid, jobs[-1].position if jobs else "",
            patient.name_th if patient else claim.patient_cid)


__all__ = ["ClaimDialog", "paper_names"]
