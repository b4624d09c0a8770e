"""The main window once someone has logged in: who they are and as what, log-out, the sync status with
"sync now" and its progress, the licence's end when near — and what the role offers: the registry officer's
guided actions and "my work", the registrar's review inbox."""
from __future__ import annotations

import datetime as _dt
import html
from dataclasses import replace

from app import actions, editing, review
from app.changeset import ChangeSet, ReviewState
from app.domain import Role
from app.errors import Refusal
from app.events import Known
from app.thai import format_date_short
from app.usecases import Desk
from sync.licence import LicenceState
from sync.service import SyncStatus
from sync.session import Session

from .approve import with_card_and_pin
from .card_bridge import CardBridge
from .changesets import ChangeSetPanel, problem_th
from .event_dialogs import EditDialog, HireDialog, PersonEventDialog, UnitDialog
from .i18n import tr
from .main_window import MainWindow
from .qt import (
    QInputDialog, QLabel, QMenu, QMessageBox, QProgressBar, QPushButton, QToolButton, Signal,
)
from .statements import StatementPanel
from .tasks import TaskRunner


def _ago(when: _dt.datetime | None) -> str:
    if when is None:
        return tr("ยังไม่เคย", "never")
    local = when.astimezone()
    return f"{format_date_short(local.date())} {local:%H:%M} น."


def problems_text(status: SyncStatus) -> tuple[str, str]:
    """(the status-bar line, its tooltip) for what did not reach the server and waits to be tried again:
    which change set (or approval, or confirmation), and why — "" when nothing waits."""
    waiting = [p for p in status.problems if p.retry_at is not None]
    if not waiting:
        return "", ""
    first = waiting[0]
    line = tr(f"⚠ ส่งไม่สำเร็จ {first.what_th}: {first.reason_th}",
              f"⚠ Not sent: {first.what_th}: {first.reason_th}")
    if len(waiting) > 1:
        line += tr(f" (และอีก {len(waiting) - 1} รายการ)", f" (and {len(waiting) - 1} more)")
    tip = "\n".join(f"{p.what_th} — {problem_th(p)}" for p in waiting)
    return line, tip


def _sync_text(status: SyncStatus) -> str:
    state = tr("ออนไลน์", "Online") if status.online else tr("ออฟไลน์", "Offline")
    last = _ago(status.last_success)
    text = tr(f"{state} · ซิงก์ล่าสุด {last} · ยังไม่ส่ง {status.unsynced} รายการ",
              f"{state} · last sync {last} · {status.unsynced} not sent")
    if status.conflicts:
        text += tr(f" · ขัดแย้ง {status.conflicts}", f" · {status.conflicts} conflicts")
    return text


class Workspace(MainWindow):
    logout_requested = Signal()
    sync_requested = Signal()
    local_change = Signal()           # something was queued for the server
    work_loaded = Signal(int)         # my work list refreshed
    inbox_loaded = Signal(int)        # review inbox refreshed
    notice = Signal(str)              # every message box text (tests and the demo follow it)
    synced = Signal(object)           # a sync ended (its SyncStatus)
    edit_opened = Signal(object)      # the edit dialog, once its fields were read on the worker
    unit_opened = Signal(object)      # the unit-data dialog, once the unit record was read on the worker

    def __init__(self, runner: TaskRunner, session: Session, card: CardBridge | None, today: _dt.date | None = None,
                 training: bool = False) -> None:
        super().__init__(runner, today, training)
        self.session = session
        self.card = card
        a = session.account
        self.me = actions.Me(a.cid, a.name, a.role, a.unit_code, a.username)
        self.dialog = None   # the guided-action dialog open now (tests drive it)

        self.get_blob = session.client.get_blob   # a document of the unit this PC does not hold yet
        self.user_label = QLabel(f"{html.escape(a.name)} · {tr(a.role.th, a.role.en)}")
        self.user_label.setObjectName("userLabel")
        self.offline_badge = QLabel(tr("เข้าสู่ระบบแบบออฟไลน์", "Offline log-in"))
        self.offline_badge.setObjectName("offlineBadge")
        self.offline_badge.setVisible(not session.online)
        logout = QPushButton(tr("ออกจากระบบ", "Log out"))
        logout.setObjectName("logoutButton")
        logout.clicked.connect(self.logout_requested.emit)
        self.top.addWidget(self.offline_badge)
        self.top.addWidget(self.user_label)
        self.top.addWidget(logout)

        self.sync_label = QLabel(tr("ยังไม่ได้ซิงก์", "Not synced yet"))
        self.sync_label.setObjectName("syncLabel")
        self.sync_problem = QLabel("")        # an item the server failed on: which, and why (hidden when none)
        self.sync_problem.setObjectName("syncProblem")
        self.sync_problem.setVisible(False)
        self.sync_progress = QProgressBar()
        self.sync_progress.setMaximumWidth(160)
        self.sync_progress.setVisible(False)
        self.sync_button = QPushButton(tr("ซิงก์ตอนนี้", "Sync now"))
        self.sync_button.setObjectName("syncNow")
        self.sync_button.clicked.connect(self.sync_requested.emit)
        self.licence_label = QLabel("")
        self.licence_label.setObjectName("licenceLabel")
        bar = self.statusBar()
        bar.addPermanentWidget(self.licence_label)
        bar.addPermanentWidget(self.sync_progress)
        bar.addPermanentWidget(self.sync_problem)
        bar.addPermanentWidget(self.sync_label)
        bar.addPermanentWidget(self.sync_button)
        self._show_licence()

        self._status = SyncStatus()      # the last sync's, for the label between syncs
        self.local_change.connect(self._count_unsynced)
        self.work: ChangeSetPanel | None = None
        self.inbox: ChangeSetPanel | None = None
        self.rounds: StatementPanel | None = None
        if a.role is Role.REGISTRY_OFFICER:
            self._officer_tools()
        elif a.role is Role.REGISTRAR:
            self._registrar_tools()
        self.tabs.tabBar().setVisible(self.tabs.count() > 1)

    # --- the registry officer --------------------------------------------------------------------------

    def _officer_tools(self) -> None:
        hire = QPushButton(tr("รับบุคลากรใหม่…", "New staff member…"))
        hire.setObjectName("hireButton")
        hire.clicked.connect(self.open_hire)
        event = QToolButton()
        event.setObjectName("eventButton")
        event.setText(tr("บันทึกเหตุการณ์ของผู้ที่เลือก", "Record an event for the chosen person"))
        event.setPopupMode(QToolButton.InstantPopup)
        menu = QMenu(event)
        for kind, (th, en) in PersonEventDialog.KINDS.items():
            menu.addAction(tr(th, en), lambda k=kind: self.open_event(k))
        event.setMenu(menu)
        unit = QPushButton(tr("ข้อมูลหน่วยงาน…", "Unit data…"))
        unit.setObjectName("unitButton")
        unit.clicked.connect(self.open_unit)
        self.actions_row.addWidget(hire)
        self.actions_row.addWidget(event)
        self.actions_row.addStretch(1)
        self.actions_row.addWidget(unit)
        me, session = self.me, self.session

        def fetch():
            register = self.register
            waiting = {p.changeset_id: p for p in session.engine.sync_problems() if p.kind == "push"}
            return [(cs, review.conflict_of(register, cs) if cs.state is ReviewState.RETURNED else None,
                     waiting.get(cs.id)) for cs in actions.mine(register, me)]

        self.work = ChangeSetPanel(self.runner, fetch, self.today)
        self.work.setObjectName("myWork")
        self.edit = self.work.add_button("แก้ไข…", "Edit…", self.edit_chosen, "editButton")
        self.resend = self.work.add_button("ส่งตรวจอีกครั้ง", "Send again", self.resend_chosen, "resendButton")
        self.merge = self.work.add_button("รวมส่วนที่ไม่ขัดแย้งเป็นชุดใหม่", "Merge what does not overlap",
                                          self.merge_chosen, "mergeButton")
        self.cancel = self.work.add_button("ยกเลิกรายการ", "Cancel it", self.cancel_chosen, "cancelButton")

        def enable(chosen: list[ChangeSet]) -> None:
            one = chosen[0] if len(chosen) == 1 else None
            editable = one is not None and one.state in editing.EDITABLE_STATES
            self.edit.setEnabled(editable)
            self.resend.setEnabled(editable)
            self.merge.setEnabled(one is not None and one.state is ReviewState.RETURNED)
            self.cancel.setEnabled(editable)  # a pending one is the registrar's until it comes back
        self.work.selection_changed = enable
        self.work.loaded.connect(self.work_loaded.emit)
        self.tabs.addTab(self.work, tr("งานของฉัน", "My work"))

    def open_hire(self) -> HireDialog | None:
        if self.register is None:
            return None
        self.dialog = HireDialog(self.runner, self.card, Desk.of(self.register, self.me.officer()), self.today, self)
        self.dialog.setObjectName("hireDialog")
        self.dialog.finished.connect(lambda code, d=self.dialog: self._dialog_done(d, code))
        self.dialog.open()
        return self.dialog

    def open_event(self, kind: str) -> PersonEventDialog | None:
        cid = self.current_cid()
        if self.register is None or cid is None:
            self._tell(tr("กรุณาเลือกบุคคลจากรายชื่อก่อน", "Choose a person from the list first."))
            return None
        desk = Desk.of(self.register, self.me.officer())
        self.dialog = PersonEventDialog(kind, self.runner, self.card, desk, self.today, cid, self)
        self.dialog.setObjectName("eventDialog")
        self.dialog.finished.connect(lambda code, d=self.dialog: self._dialog_done(d, code))
        self.dialog.open()
        return self.dialog

    def open_unit(self) -> None:
        """The unit's record is read on the worker; the dialog opens when it arrives (unit_opened)."""
        if self.register is None:
            return
        register = self.register

        def opened(found) -> None:
            if found is None:
                self._tell(tr("ยังไม่มีข้อมูลหน่วยงานในเครื่องนี้ กรุณาซิงก์ขณะออนไลน์ก่อน",
                              "This PC has no unit record yet: sync while online first."))
                return
            self.dialog = UnitDialog(self.runner, Desk.of(register, self.me.officer()), self.today, Known(*found), self)
            self.dialog.setObjectName("unitDialog")
            self.dialog.finished.connect(lambda code, d=self.dialog: self._dialog_done(d, code))
            self.dialog.open()
            self.unit_opened.emit(self.dialog)

        code = register.wc.unit_code
        self.runner.run(lambda: register.get("unit", code), opened, self._refused)

    def edit_chosen(self) -> None:
        """The fields are read on the database worker; the dialog opens when they arrive (edit_opened)."""
        cs = self._chosen_one(self.work)
        if cs is None or self.register is None:
            return
        register = self.register

        def opened(records) -> None:
            self.dialog = EditDialog(self.runner, Desk.of(register, self.me.officer()), self.today, cs, records, self)
            self.dialog.setObjectName("editDialog")
            self.dialog.finished.connect(lambda code, d=self.dialog: self._dialog_done(d, code))
            self.dialog.open()
            self.edit_opened.emit(self.dialog)

        self.runner.run(lambda: editing.editable(register, cs), opened, self._refused)

    def _dialog_done(self, dialog, code: int) -> None:
        """The dialog kept its change set itself (app.usecases.registry.record) before it was accepted."""
        if code and dialog.result_cs is not None:
            self._kept(dialog.result_cs, dialog.send)

    def _kept(self, cs: ChangeSet, sent: bool) -> None:
        self.statusBar().showMessage(
            tr(f"ส่ง «{cs.title}» ให้นายทะเบียนตรวจแล้ว (จะขึ้นเซิร์ฟเวอร์เมื่อซิงก์)",
               f"“{cs.title}” sent for review (goes to the server at the next sync).") if sent else
            tr(f"บันทึกร่าง «{cs.title}» แล้ว", f"Draft “{cs.title}” saved."))
        if sent:
            self.local_change.emit()
        self.refresh_lists()

    def _chosen_one(self, panel: ChangeSetPanel) -> ChangeSet | None:
        chosen = panel.selected()
        return chosen[0] if len(chosen) == 1 else None

    def resend_chosen(self) -> None:
        cs = self._chosen_one(self.work)
        if cs is None:
            return
        register, engine, officer, today = self.register, self.session.engine, self.me.officer(), self.today

        def resend():
            verdicts = review.check(register, cs, today)
            if not verdicts.ok:
                raise Refusal(verdicts.errors[0].code, verdicts.errors[0].th)
            cs.submit(officer)
            engine.queue_push(cs)
            return cs

        self.runner.run(resend, lambda c: self._kept(c, True), self._refused)

    def cancel_chosen(self) -> None:
        cs = self._chosen_one(self.work)
        if cs is None:
            return
        register, engine, officer = self.register, self.session.engine, self.me.officer()

        def cancel():
            cs.cancel(officer)
            if cs.history and len(cs.history) > 1:
                engine.queue_push(cs)      # the server knew it: tell it
            else:
                register.save_changeset(cs)
            return cs

        self.runner.run(cancel, lambda c: (self.local_change.emit(), self.refresh_lists()), self._refused)

    def merge_chosen(self) -> None:
        cs = self._chosen_one(self.work)
        if cs is None:
            return
        register, engine, officer = self.register, self.session.engine, self.me.officer()

        def merge():
            new, left = review.merged(register, cs)
            if new is None:
                raise Refusal("merge.nothing", "ไม่มีส่วนที่รวมได้ ทุกช่องที่แก้ไขขัดแย้งกับข้อมูลปัจจุบัน กรุณาบันทึกใหม่",
                              "Nothing can be merged.")
            cs.cancel(officer)
            new.submit(officer)
            engine.queue_pushes([cs, new])  # one transaction: never the old one cancelled and the merge lost
            return new, left

        def merged(result) -> None:
            new, left = result
            text = tr(f"รวมเป็นชุดใหม่ «{new.title}» และส่งตรวจแล้ว", f"Merged into “{new.title}” and sent.")
            if left:
                text += tr(" ช่องที่ยังขัดแย้งและต้องตัดสินใจเอง: " + ", ".join(left), " Left to decide: " + ", ".join(left))
            self._tell(text)
            self.local_change.emit()
            self.refresh_lists()

        self.runner.run(merge, merged, self._refused)

    # --- the registrar ---------------------------------------------------------------------------------

    def _registrar_tools(self) -> None:
        me = self.me

        def fetch():
            return [(cs, None, None) for cs in actions.to_review(self.register, me)]

        self.inbox = ChangeSetPanel(self.runner, fetch, self.today, multi=True)
        self.inbox.setObjectName("reviewInbox")
        self.approve = self.inbox.add_button("อนุมัติที่เลือก…", "Approve the chosen…", self.approve_chosen,
                                             "approveButton")
        self.give_back = self.inbox.add_button("ส่งกลับพร้อมเหตุผล…", "Return with a reason…", self.return_chosen,
                                               "returnButton")

        def enable(chosen: list[ChangeSet]) -> None:
            self.approve.setEnabled(bool(chosen))
            self.give_back.setEnabled(len(chosen) == 1)
        self.inbox.selection_changed = enable
        self.inbox.loaded.connect(self.inbox_loaded.emit)
        self.tabs.addTab(self.inbox, tr("รอตรวจ", "To review"))
        session = self.session

        def statements():
            engine = session.engine
            return engine.statements(), engine.statement_key()

        self.rounds = StatementPanel(self.runner, statements)
        self.rounds.setObjectName("confirmationRound")
        self.rounds.confirm_button.clicked.connect(self.confirm_statement)
        self.tabs.addTab(self.rounds, tr("ยืนยันบัญชีรายชื่อ", "Confirmation round"))

    def confirm_statement(self):
        st = self.rounds.selected() if self.rounds is not None else None
        if st is None or self.card is None:
            return None
        people = f"{st.counts.get('beneficiaries', 0):,} + {st.counts.get('dependents', 0):,}"
        what = tr(f"ยืนยันว่าบัญชีรายชื่อผู้มีสิทธิ ณ วันที่ {format_date_short(st.as_of)} ({people} คน) "
                  "ถูกต้องตามที่หน่วยงานทราบ", f"Confirm the statement as of {st.as_of.isoformat()} ({people} people).")
        engine = self.session.engine

        def go() -> None:
            self.runner.run(lambda: engine.queue_confirm(st), lambda _r: self._confirmed(st), self._refused)

        self.dialog = with_card_and_pin(self, self.runner, self.card, self.me.cid, what, go)
        return self.dialog

    def _confirmed(self, st) -> None:
        self.statusBar().showMessage(tr(f"ยืนยันบัญชีรายชื่อ ณ วันที่ {format_date_short(st.as_of)} แล้ว "
                                        "(จะส่งถึง สปสช. เมื่อซิงก์)", "Statement confirmed (sent at the next sync)."))
        self.local_change.emit()
        self.rounds.reload()

    def approve_chosen(self):
        chosen = self.inbox.selected()
        if not chosen or self.card is None:
            return None
        what = tr(f"อนุมัติ {len(chosen)} รายการ: ", f"Approve {len(chosen)}: ") + "; ".join(c.title for c in chosen)
        engine, officer = self.session.engine, self.me.officer()

        def approve():
            for cs in chosen:
                cs.approve(officer)
                engine.queue_approval(cs)
            return len(chosen)

        def go() -> None:
            self.runner.run(approve, lambda n: self._done_review(tr(f"อนุมัติแล้ว {n} รายการ", f"{n} approved")),
                            self._refused)

        self.dialog = with_card_and_pin(self, self.runner, self.card, self.me.cid, what, go)
        return self.dialog

    def return_chosen(self, reason: str | None = None) -> None:
        chosen = self.inbox.selected()
        if len(chosen) != 1:
            return
        cs = chosen[0]
        if not reason:
            reason, ok = QInputDialog.getMultiLineText(self, tr("ส่งกลับให้แก้ไข", "Return for correction"),
                                                       tr(f"เหตุผลที่ส่งกลับ «{cs.title}»", f"Why is “{cs.title}” returned?"))
            if not ok:
                return
        engine, officer = self.session.engine, self.me.officer()

        def give_back():
            cs.return_(officer, reason)
            engine.queue_return(cs)
            return cs

        self.runner.run(give_back, lambda c: self._done_review(tr(f"ส่งกลับ «{c.title}» แล้ว", "Returned")),
                        self._refused)

    def _done_review(self, text: str) -> None:
        self.statusBar().showMessage(text)
        self.local_change.emit()
        self.refresh_lists()

    # --- shared ------------------------------------------------------------------------------------------

    def attach(self, register, unit) -> None:
        super().attach(register, unit)
        if unit is None and self.session.account.unit_name:
            # The server keeps the register of units apart from the unit's records: the name came with log-in.
            self.unit_label.setText(self.session.account.unit_name)
        for panel in (self.work, self.inbox):
            if panel is not None:
                panel.get_blob = self.get_blob
                panel.attach(register)
        if self.rounds is not None:
            self.rounds.reload()

    def _reload_unit(self) -> None:
        """An approved change of the unit's name arrives by sync: the header follows."""
        register = self.register
        if register is None:
            return
        code = register.wc.unit_code

        def show(found) -> None:
            if found is not None:
                self.unit = found[0]
                self.unit_label.setText(found[0].name)

        self.runner.run(lambda: register.get("unit", code), show, lambda _e: None)

    def refresh_lists(self) -> None:
        for panel in (self.work, self.inbox, self.rounds):
            if panel is not None:
                panel.reload()

    def _tell(self, text: str) -> None:
        self.notice.emit(text)
        box = QMessageBox(QMessageBox.Information, tr("ทะเบียนผู้มีสิทธิ อปท.", "LGO Registry Desk"), text, parent=self)
        box.setObjectName("notice")
        box.open()

    def _refused(self, error: BaseException) -> None:
        if isinstance(error, Refusal):
            self._tell(str(error))
        else:
            self._failed(error)

    def show_sync(self, status: SyncStatus) -> None:
        if status.running:
            self.sync_label.setText(tr("กำลังซิงก์…", "Syncing…"))
            self.sync_button.setEnabled(False)
            if status.progress:
                what, done, total = status.progress
                self.sync_progress.setVisible(True)
                self.sync_progress.setRange(0, max(total, 1))
                self.sync_progress.setValue(done)
            return
        self.sync_button.setEnabled(True)
        self.sync_progress.setVisible(False)
        self.sync_label.setText(_sync_text(status))
        self.sync_label.setToolTip("\n".join(status.errors))
        line, tip = problems_text(status)
        self.sync_problem.setText(line)
        self.sync_problem.setToolTip(tip)
        self.sync_problem.setVisible(bool(line))
        held_before = {p.item_id for p in self._status.problems}
        self._status = status
        if status.pulled:
            self.reload()
            self.refresh_lists()
            self._reload_unit()
        elif held_before != {p.item_id for p in status.problems}:
            self.refresh_lists()  # "my work" says which change set waits, and why
        self.synced.emit(status)

    def _count_unsynced(self) -> None:
        """Right after a local change, before the next sync: show that it waits to be sent."""
        engine = self.session.engine

        def show(n: int) -> None:
            if self.sync_button.isEnabled():
                self.sync_label.setText(_sync_text(replace(self._status, unsynced=n)))
        self.runner.run(engine.pending_count, show, lambda _e: None)

    def _show_licence(self) -> None:
        lic = self.session.licence
        if lic.state is LicenceState.EXPIRING:
            self.licence_label.setText(lic.message_th)
            self.licence_label.setObjectName("licenceWarning")
        else:
            self.licence_label.setText("")
