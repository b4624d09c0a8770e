"""The main window once someone has logged in: who they are and as what, log-out, the sync status with
"sync now" and its progress, the licence's end when near — and, after the unit's people, the tabs of the
officer's role (ui.tabs: one duty, one file; which role gets which is ui.tabs.TABS_OF_ROLE). The window holds
the officer's :class:`app.usecases.Desk` once the working copy is open and renders what an action changed."""
from __future__ import annotations

import datetime as _dt
import html
from dataclasses import replace

from app.domain import Officer, Role
from app.errors import Refusal
from app.thai import format_date_short
from app.usecases import Changed, Desk
from sync.engine import SyncEngine
from sync.licence import LicenceState
from sync.service import SyncStatus
from sync.session import Account, Session

from .card_bridge import CardBridge
from .changesets import problem_th
from .i18n import tr
from .main_window import MainWindow, add_shortcut, shortcut_tip
from .qt import QLabel, QMessageBox, QProgressBar, QPushButton, QWidget, Signal
from .tabs import TABS_OF_ROLE, Duty
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


class _LoggedIn:
    """Who is logged in, as the sync engine's rule of who sends what reads it (``client.account``): the engine is
    only asked that rule here, never to sync."""

    def __init__(self, account: Account) -> None:
        self.account = account


def owed_on_this_pc(register, account: Account) -> tuple[int, int]:
    """On the database worker: (what this PC still owes the server, how much of it is other users' work). On a
    shared PC each officer's work goes out only under their own log-in (the engine's ``Handler.ours``), so the
    rest waits here for them."""
    engine = SyncEngine(register, _LoggedIn(account))
    others = sum(1 for kind, handler in engine.handlers.items()
                 for item in engine.outbox.due(kind, retry_held=True) if not handler.ours(item.payload))
    return engine.pending_count(), others


def _sync_text(status: SyncStatus, others: int = 0) -> str:
    """The status bar's sync line; ``others``: how many of the items not sent wait for another user's log-in."""
    state = tr("ออนไลน์", "Online") if status.online else tr("ออฟไลน์", "Offline")
    last = _ago(status.last_success)
    n = status.unsynced
    text = tr(f"{state} · ซิงก์ล่าสุด {last} · ยังไม่ส่ง {n} รายการ", f"{state} · last sync {last} · {n} not sent")
    if 0 < others < n:
        text += tr(f" (ของท่าน {n - others} · ของผู้ใช้อื่นในเครื่องนี้ {others})",
                   f" ({n - others} yours · {others} other users')")
    elif others and others >= n:
        text += tr(" (ของผู้ใช้อื่นในเครื่องนี้ทั้งหมด)", " (all other users')")
    if status.conflicts:
        text += tr(f" · ขัดแย้ง {status.conflicts}", f" · {status.conflicts} conflicts")
    return text


def _others_tip(others: int) -> str:
    if not others:
        return ""
    return tr(f"งาน {others} รายการเป็นของผู้ใช้อื่นที่ใช้เครื่องนี้ จะส่งขึ้นเซิร์ฟเวอร์กลางเมื่อผู้ใช้นั้นเข้าสู่ระบบ"
              "ที่เครื่องนี้ (ส่งด้วยบัญชีของท่านไม่ได้ เซิร์ฟเวอร์จะไม่รับ)",
              f"{others} item(s) are the work of other users of this PC: they go to the central server when those "
              "users log in here (the server takes them from no other account).")


class Workspace(MainWindow):
    logout_requested = Signal()
    sync_requested = Signal()
    local_change = Signal()           # something was queued for the server
    work_loaded = Signal(int)         # my work list refreshed
    inbox_loaded = Signal(int)        # review inbox refreshed
    notice = Signal(str)              # every message box text (tests and the demo follow it)
    synced = Signal(object)           # a sync ended (its SyncStatus)
    unsynced_shown = Signal(int, int)  # the sync line counted what waits: (all, other users')

    def __init__(self, runner: TaskRunner, session: Session, card: CardBridge | None, today: _dt.date | None = None,
                 training: bool = False) -> None:
        super().__init__(runner, today, training)
        self.session = session
        self.card = card
        a = session.account
        self.officer = Officer(a.cid, a.name, "", a.role, a.unit_code, email=a.username)  # user names are e-mails
        self.desk: Desk | None = None   # the officer's context for every action, once the copy is attached
        self.dialog = None   # the dialog a tab opened last (tests drive it)

        self.get_blob = session.client.get_blob   # a document of the unit this PC does not hold yet
        self.user_label = QLabel(f"{html.escape(a.name)} · {tr(a.role.th, a.role.en)}")
        self.user_label.setObjectName("userLabel")
        self.offline_badge = QLabel(tr("เข้าสู่ระบบแบบออฟไลน์", "Offline log-in"))
        self.offline_badge.setObjectName("offlineBadge")
        self.offline_badge.setVisible(not session.online)
        logout = QPushButton(tr("ออกจากระบบ", "Log out"))
        logout.setObjectName("logoutButton")
        logout.clicked.connect(self.logout_requested.emit)
        self.request_wizard = None
        if a.role is Role.REGISTRAR:
            # the registrar asks NHSO for a role change or a replacement (issue 18 §2); works offline
            self.request_button = QPushButton(tr("เปลี่ยนบทบาท / ผู้รับผิดชอบ…", "Change roles / replace…"))
            self.request_button.setObjectName("requestChange")
            self.request_button.setToolTip(tr("สร้างหนังสือ แบบฟอร์ม และอีเมลถึง สปสช. เพื่อขอเปลี่ยนบทบาทผู้ใช้งาน "
                                              "หรือแจ้งเปลี่ยนผู้รับผิดชอบ", "The letter, workbook and e-mail to NHSO."))
            self.request_button.clicked.connect(self.open_request_wizard)
            self.top.addWidget(self.request_button)
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
        self.sync_button.setToolTip(shortcut_tip(tr("ซิงก์กับเซิร์ฟเวอร์กลางตอนนี้", "Sync with the central server now"),
                                                 "F5"))
        self.sync_action = add_shortcut(self, "F5", self.sync_now, "syncShortcut")
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
        self.duties: list[Duty] = [tab(self) for tab in TABS_OF_ROLE.get(a.role, ())]
        for duty in self.duties:
            self.tabs.addTab(duty, tr(*duty.title))
        if a.role is Role.FINANCE_OFFICER:
            # the finance officer's own desk: claims, not the registry's people and actions (issue 19 §4)
            self.tabs.removeTab(0)
            self.find_action.setEnabled(False)
        self.tabs.tabBar().setVisible(self.tabs.count() > 1)
        self.certificate_actions = None
        if a.role in (Role.REGISTRY_OFFICER, Role.REGISTRAR):
            from .certificates import CertificateActions   # the certificate of entitlement (issue 18 §4)

            self.certificate_actions = CertificateActions(self)
        self.inbox_loaded.connect(self._count_inbox)
        self.set_tab_order()

    # --- the role's tabs -----------------------------------------------------------------------------------

    def duty(self, name: str) -> QWidget | None:
        """The role's tab with this object name (None: not this role's)."""
        return next((d for d in self.duties if d.objectName() == name), None)

    # The tabs by the names the tests and the demo tour know them by.
    work = property(lambda self: self.duty("myWork"))
    inbox = property(lambda self: self.duty("reviewInbox"))
    rounds = property(lambda self: self.duty("confirmationRound"))
    claims = property(lambda self: self.duty("claimsDesk"))

    def _count_inbox(self, waiting: int) -> None:
        """The registrar's review tab says how many wait: รอตรวจ (3) — it follows every reload of the inbox."""
        inbox = self.inbox
        if inbox is None:
            return
        th, en = inbox.title
        self.tabs.setTabText(self.tabs.indexOf(inbox), tr(f"{th} ({waiting})", f"{en} ({waiting})"))

    def sync_now(self) -> None:
        """F5, or the button: a sync at once (not while one runs)."""
        if self.sync_button.isEnabled():
            self.sync_requested.emit()

    # --- what a tab may ask of the window (ui.tabs.host.Host) -------------------------------------------------

    def say(self, text: str) -> None:
        self.statusBar().showMessage(text)

    def tell(self, text: str) -> None:
        self.notice.emit(text)
        box = QMessageBox(QMessageBox.Information, tr("ทะเบียนผู้มีสิทธิ อปท.", "LGO Registry Desk"), text, parent=self)
        box.setObjectName("notice")
        box.open()

    def refused(self, error: BaseException) -> None:
        if isinstance(error, Refusal):
            self.tell(str(error))
        else:
            self._failed(error)

    def render(self, changed: Changed) -> None:
        if changed.owed:
            self.local_change.emit()
        for duty in self.duties:
            duty.redraw(changed)

    def open_request_wizard(self):
        """The account-request wizard for a role change (a replacement is one choice away), the registrar's own
        row and the unit's code and name filled in from the log-in."""
        from app.usecases.account_request import AccountRequest, OfficerRow, RequestKind, UnitDetails

        from .request_wizard import open_wizard

        if self.request_wizard is not None and self.request_wizard.isVisible():
            self.request_wizard.raise_()
            self.request_wizard.activateWindow()
            return self.request_wizard
        a = self.session.account
        request = AccountRequest(RequestKind.ROLE_CHANGE,
                                 UnitDetails(name=a.unit_name or "", code=a.unit_code or ""),
                                 [OfficerRow(name=a.name, cid=a.cid, role=a.role, email=a.username,
                                             current_role=a.role)])
        self.request_wizard = open_wizard(self, request=request, card=self.card)
        self.opened(self.request_wizard)
        return self.request_wizard

    def opened(self, dialog) -> None:
        self.dialog = dialog

    # --- shared ------------------------------------------------------------------------------------------

    def attach(self, register, unit) -> None:
        super().attach(register, unit)
        if unit is None and self.session.account.unit_name:
            # The server keeps the register of units apart from the unit's records: the name came with log-in.
            self.unit_label.setText(self.session.account.unit_name)
        self.desk = Desk.of(register, self.officer)
        for duty in self.duties:
            duty.attach(self.desk)

    def reload(self) -> None:
        """The people list — not on a finance officer's desk, which has no people tab."""
        if getattr(self, "officer", None) is not None and self.officer.role is Role.FINANCE_OFFICER:
            return
        super().reload()

    def _reload_unit(self) -> None:
        """An approved change of the unit's name arrives by sync: the header follows."""
        register = self.register
        if register is None:
            return
        code = register.wc.unit_code

        def show(found) -> None:
            if found is not None:
                self.unit = found.record
                self.unit_label.setText(found.record.name)

        self.runner.run(lambda: register.get("unit", code), show, lambda _e: None)

    def refresh_lists(self) -> None:
        for duty in self.duties:
            duty.reload()

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
        if status.unsynced:
            self._count_unsynced()   # whose: on a shared PC, some may wait for another user's log-in
        self.synced.emit(status)

    def _count_unsynced(self) -> None:
        """Right after a local change, before the next sync, and after a sync that left something: what waits to
        be sent, and how much of it waits for another user of this PC."""
        if self.desk is None:
            return
        register, account = self.desk.register, self.session.account

        def show(owed: tuple[int, int]) -> None:
            n, others = owed
            if self.sync_button.isEnabled():
                self.sync_label.setText(_sync_text(replace(self._status, unsynced=n), others))
                self.sync_label.setToolTip("\n".join(filter(None, [_others_tip(others), *self._status.errors])))
                self.unsynced_shown.emit(n, others)
        self.runner.run(lambda: owed_on_this_pc(register, account), show, lambda _e: None)

    def _show_licence(self) -> None:
        lic = self.session.licence
        if lic.state is LicenceState.EXPIRING:
            self.licence_label.setText(lic.message_th)
            self.licence_label.setObjectName("licenceWarning")
        else:
            self.licence_label.setText("")
