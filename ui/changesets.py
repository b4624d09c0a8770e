"""Lists of change sets with their detail: the officer's own ("my work": drafts, pending, returned with the
registrar's reason or the conflict's comparison, applied) and the registrar's review inbox (before/after per
field, the rules' verdicts, approve with card and PIN, return with a reason, several at once)."""
from __future__ import annotations

import datetime as _dt
import html
import json
from typing import Callable

from app import review
from app.changeset import ChangeSet, ReviewState
from app.errors import Severity, Verdicts
from app.store import RegisterStore
from app.store.outbox import SyncProblem
from app.thai import format_date_short
from app.usecases import ChangeSetLine, Desk

from .evidence import Attached, attached_of, evidence_html, open_viewer, thumbnails
from .i18n import tr
from .qt import (
    QAbstractItemView, QColor, QHBoxLayout, QHeaderView, QImage, QLabel, QPushButton, QSplitter, Qt, QTableWidget,
    QTableWidgetItem, QTextBrowser, QTextDocument, QUrl, QVBoxLayout, QWidget, Signal,
)
from .tasks import TaskRunner

STATE_COLOUR = {"draft": "#6b7280", "pending": "#b45309", "returned": "#b91c1c", "approved": "#1d4ed8",
                "applied": "#15803d", "cancelled": "#6b7280"}


def at_time(when: _dt.datetime) -> str:
    """A moment as the officer reads it: the time today, else the date and time (local)."""
    local = when.astimezone()
    if local.date() == _dt.datetime.now().astimezone().date():
        return f"{local:%H:%M} น."
    return f"{format_date_short(local.date())} {local:%H:%M} น."


def problem_th(p: SyncProblem) -> str:
    """Why an item is not on the server, and what happens next — in Thai."""
    if p.retry_at is None:
        return f"เซิร์ฟเวอร์กลางไม่รับรายการนี้: {p.reason_th}"
    return (f"ยังส่งไม่สำเร็จ: {p.reason_th} · งานยังเก็บอยู่ในเครื่อง จะลองส่งใหม่อัตโนมัติเวลา {at_time(p.retry_at)} "
            "(ไม่ต้องบันทึกใหม่)")


def problem_short_th(p: SyncProblem) -> str:
    return tr("⚠ ส่งไม่สำเร็จ", "⚠ Not sent yet") if p.retry_at else tr("⚠ เซิร์ฟเวอร์ไม่รับ", "⚠ Refused")


def detail_html(register: RegisterStore, cs: ChangeSet, today: _dt.date, conflict: dict | None = None,
                problem: SyncProblem | None = None) -> str:
    """Runs on the database worker: the change set as the registrar or its author reads it."""
    e = html.escape
    parts = [f"<h3>{e(cs.title)}</h3>",
             f"<p>สถานะ: <b style='color:{STATE_COLOUR.get(cs.state.value, '#000')}'>{e(cs.state.th)}</b>"
             + (f" · มีผลวันที่ {format_date_short(cs.effective_on)}" if cs.effective_on else "")
             + f" · บันทึกเมื่อ {format_date_short(cs.created_at.date())}</p>"]
    if problem is not None:
        parts.append(f"<p style='color:#b91c1c'><b>ยังไม่ถึงเซิร์ฟเวอร์กลาง</b> — {e(problem_th(problem))}</p>")
    if cs.return_reason and cs.state in (ReviewState.RETURNED, ReviewState.DRAFT):
        parts.append(f"<p style='color:#b91c1c'><b>เหตุผลที่ส่งกลับ:</b> {e(cs.return_reason)}</p>")
    if conflict:
        parts.append(_conflict_html(conflict))
    verdicts = review.check(register, cs, today) if cs.state in (ReviewState.DRAFT, ReviewState.PENDING,
                                                                  ReviewState.RETURNED) else None
    if verdicts is not None:
        if verdicts.items:
            parts.append("<p><b>ผลการตรวจตามระเบียบ</b></p>")
        parts.append(verdicts_html(verdicts))
    rows = review.describe(register, cs)
    parts.append("<table cellspacing='0' cellpadding='4' border='1' style='border-collapse:collapse' width='100%'>"
                 "<tr style='background:#eef2f7'><th align='left'>รายการ</th><th align='left'>ข้อมูล</th>"
                 "<th align='left'>เดิม</th><th align='left'>ใหม่</th></tr>")
    last = None
    for r in rows:
        record = e(r.record) if r.record != last else ""
        last = r.record
        old = e(r.before) if r.before else "<span style='color:#9ca3af'>—</span>"
        parts.append(f"<tr><td>{record}</td><td>{e(r.field)}</td><td>{old}</td>"
                     f"<td style='background:#ecfdf5'>{e(r.after)}</td></tr>")
    parts.append("</table>")
    return "".join(parts)


def detail_with_evidence(register: RegisterStore, cs: ChangeSet, today: _dt.date, conflict: dict | None = None,
                         problem: SyncProblem | None = None) -> tuple[str, list[Attached], dict[str, bytes]]:
    """On the worker: the detail, its documents, and the pictures above their links (images; a PDF's first page)."""
    attached = attached_of(register, cs)
    images = thumbnails(register, attached)
    return detail_html(register, cs, today, conflict, problem) + evidence_html(attached, images), attached, images


def verdicts_html(verdicts: Verdicts) -> str:
    """The rules' verdicts as a coloured list (errors red, warnings amber, explanations blue), or a green tick."""
    if not verdicts.items:
        return f"<p style='color:#15803d'>✓ {html.escape(tr('ผ่านการตรวจตามระเบียบ', 'The rules allow it'))}</p>"
    lines = []
    for v in verdicts.items:
        colour = {Severity.ERROR: "#b91c1c", Severity.WARNING: "#b45309"}.get(v.severity, "#1d4ed8")
        mark = {Severity.ERROR: "✗", Severity.WARNING: "!"}.get(v.severity, "i")
        lines.append(f"<li style='color:{colour}'>{mark} {html.escape(v.th)}</li>")
    return "<ul>" + "".join(lines) + "</ul>"


def _conflict_html(conflict: dict) -> str:
    e = html.escape
    out = ["<p style='color:#b91c1c'><b>ข้อมูลถูกแก้ไขจากเครื่องอื่นก่อนการอนุมัตินี้ (ข้อมูลขัดแย้ง)</b> "
           "เปรียบเทียบด้านล่าง แล้วแก้ไขและส่งใหม่ — ไม่มีข้อมูลใดถูกเขียนทับ</p>",
           "<table cellspacing='0' cellpadding='4' border='1' style='border-collapse:collapse' width='100%'>"
           "<tr style='background:#fef2f2'><th align='left'>ข้อมูล</th><th align='left'>ฉบับที่เห็นตอนบันทึก</th>"
           "<th align='left'>ของเรา</th><th align='left'>ของเครื่องอื่น (ปัจจุบัน)</th></tr>"]
    for d in conflict.get("fields", []):
        style = " style='background:#fee2e2'" if d.get("overlapping") else ""
        out.append(f"<tr{style}><td>{e(review.FIELD_TH.get(d['field'], d['field']))}</td>"
                   f"<td>{e(_plain(d.get('base')))}</td><td>{e(_plain(d.get('ours')))}</td>"
                   f"<td>{e(_plain(d.get('theirs')))}</td></tr>")
    out.append("</table>")
    return "".join(out)


def _plain(value) -> str:
    if value is None:
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def master_detail(owner: QWidget, left: QVBoxLayout, right: QVBoxLayout, sizes: tuple[int, int]) -> None:
    """A list on the left, what is chosen in it on the right, the split between them movable."""
    split = QSplitter(Qt.Horizontal)
    for layout in (left, right):
        holder = QWidget()
        holder.setLayout(layout)
        split.addWidget(holder)
    split.setSizes(list(sizes))
    box = QVBoxLayout(owner)
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(split)


class ChangeSetPanel(QWidget):
    """A list on the left, the chosen change set on the right, and the buttons the role allows."""

    loaded = Signal(int)           # rows shown
    shown = Signal(str)            # the change set id shown in detail

    def __init__(self, runner: TaskRunner, fetch: Callable[[Desk], list[ChangeSetLine]], today: _dt.date,
                 multi: bool = False) -> None:
        super().__init__()
        self.runner = runner
        self.fetch = fetch            # a use case listing the change sets, run on the worker
        self.today = today
        self.desk: Desk | None = None
        self.register: RegisterStore | None = None
        self.items: list[ChangeSetLine] = []
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([tr("รายการ", "Change"), tr("สถานะ", "State"), tr("วันที่", "Date")])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection if multi else QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setTabKeyNavigation(False)   # one Tab stop: Tab leaves the list, the arrows move in it
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeToContents)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.itemSelectionChanged.connect(self._chosen)
        self.detail = QTextBrowser()
        self.detail.setObjectName("detail")
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._link)
        self.attached: list[Attached] = []   # the shown change set's documents
        self.get_blob = None                  # set by the window when online: fetch one this PC does not hold
        self.said = QLabel("")
        self.said.setObjectName("muted")
        self.said.setWordWrap(True)
        self.empty = QLabel("")
        self.empty.setObjectName("muted")
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        left.addWidget(self.empty)
        right = QVBoxLayout()
        right.addWidget(self.detail, 1)
        right.addWidget(self.said)
        right.addLayout(self.buttons)
        master_detail(self, left, right, (480, 760))

    def add_button(self, th: str, en: str, slot, name: str) -> QPushButton:
        b = QPushButton(tr(th, en))
        b.setObjectName(name)
        b.clicked.connect(slot)
        b.setEnabled(False)
        self.buttons.addWidget(b)
        return b

    def attach(self, desk: Desk) -> None:
        self.desk, self.register = desk, desk.register
        self.reload()

    def reload(self) -> None:
        if self.desk is None:
            return
        desk, fetch = self.desk, self.fetch
        self.runner.run(lambda: fetch(desk), self._arrived, lambda _e: None)

    def _arrived(self, items: list[ChangeSetLine]) -> None:
        chosen = {cs.id for cs in self.selected()}
        self.items = items
        self.table.blockSignals(True)
        self.table.setRowCount(len(items))
        for i, (cs, _c, problem) in enumerate(items):
            title = QTableWidgetItem(cs.title)
            title.setToolTip(cs.title)
            state = QTableWidgetItem(cs.state.th)
            state.setForeground(QColor(STATE_COLOUR.get(cs.state.value, "#000")))
            if problem is not None:  # not on the server: said in the list, the reason in its tooltip and the detail
                state.setText(problem_short_th(problem))
                state.setForeground(QColor("#b91c1c"))
                state.setToolTip(f"{cs.state.th} — {problem_th(problem)}")
            when = QTableWidgetItem(format_date_short(cs.created_at.date()))
            for col, item in enumerate((title, state, when)):
                self.table.setItem(i, col, item)
        self.empty.setText(tr("ไม่มีรายการ", "Nothing here") if not items else "")
        again = [i for i, (cs, _c, _p) in enumerate(items) if cs.id in chosen]
        if again or items:
            self.table.selectRow(again[0] if again else 0)
        else:
            self.detail.setHtml("")
        self.table.blockSignals(False)
        # Once, whether or not the selection moved: the chosen change set may have changed (e.g. returned).
        self._chosen()
        self.loaded.emit(len(items))

    def selected(self) -> list[ChangeSet]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.items[r][0] for r in rows if r < len(self.items)]

    def _chosen(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        self.selection_changed(self.selected())
        if len(rows) != 1 or self.register is None:
            return
        cs, conflict, problem = self.items[rows[0]]
        register, today = self.register, self.today
        self.runner.run(lambda: detail_with_evidence(register, cs, today, conflict, problem),
                        lambda shown: self._detail(cs.id, *shown), lambda _e: None)

    def _detail(self, cs_id: str, text: str, attached: list[Attached], images: dict[str, bytes]) -> None:
        current = self.selected()
        if len(current) == 1 and current[0].id == cs_id:
            self.attached = attached
            document = self.detail.document()
            for sha, data in images.items():
                document.addResource(QTextDocument.ImageResource, QUrl(f"evidence:{sha}"), QImage.fromData(data))
            self.detail.setHtml(text)
            self.said.setText("")
            self.shown.emit(cs_id)

    def _link(self, url: QUrl) -> None:
        link = url.toString()
        for item in self.attached:
            if link == f"evidence:{item.sha}" and self.register is not None:
                open_viewer(self, self.runner, self.register, item, self.said.setText, self.get_blob)

    def selection_changed(self, chosen: list[ChangeSet]) -> None:
        """Overridden by the owner to enable its buttons."""

