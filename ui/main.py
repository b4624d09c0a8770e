"""Start the desktop program: fonts, the card thread, the database worker, the log-in window, then the
workspace of whoever logs in. Only what the log-in window needs is imported before it shows; the rest is
imported on the database worker while the officer types (import_the_rest).

    lgo-desk [--training] [--lang th|en] [--data-dir DIR] [--screenshot FILE] [--self-test REPORT.json]
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

# Only what the log-in window needs is imported before it shows (./dev bench startup: goal ≤ 2× a bare Qt
# window). The rest — the store's rules, keyring, cryptography, requests, pydantic, the workspace — is
# imported inside the functions that use it, and warmed up on the database worker once the window is up
# (import_the_rest).
from app import settings
from app.store import DbWorker, default_data_dir
from app.store.private import create_private, private_dir, write_private

from . import i18n
from .card_bridge import CardBridge
from .fonts import install_fonts, install_style
from .i18n import tr
from .login import LoginWindow
from .qt import QApplication, QEvent, QObject, QTimer, Signal
from .tasks import TaskRunner

if TYPE_CHECKING:
    from app.domain import Unit
    from app.store import KeyStore, RegisterStore
    from sync.service import SyncService
    from sync.session import Session

    from .workspace import Workspace

log = logging.getLogger("lgo.desk")


def open_register(data_dir: Path, unit_code: str, keys: KeyStore, seed_training: bool,
                  fresh: bool = False) -> tuple[RegisterStore, Unit | None]:
    """Runs on the database worker: open (or, when asked, start afresh) the copy; seed training data."""
    from app import training
    from app.store import RegisterStore, WorkingCopy
    wc = (WorkingCopy.create_new if fresh else WorkingCopy.open)(data_dir, unit_code, keys)
    register = RegisterStore(wc)
    if seed_training and register.get("unit", unit_code) is None:
        training.seed(register, training.generate(staff=120))
    found = register.get("unit", unit_code)
    return register, (found.record if found else None)


def renew_old_training_copy(data_dir: Path, keys: KeyStore | None = None) -> tuple[KeyStore | None, str]:
    """Training mode, before the log-in window: a training working copy made with the old check-digit rule
    (issue 15) is set aside (app.training.set_aside_old_copy; nothing is deleted), so the log-in starts a new
    copy from the training central server. Returns the keychain (opened here; the desk goes on with it, or None
    when there is none: the log-in then says why, as always) and the note to show ("" when nothing was done)."""
    from app import training
    from app.store import KeychainUnavailable, KeyStore

    try:
        keys = keys or KeyStore()
        found = training.set_aside_old_copy(data_dir, keys)
    except KeychainUnavailable:
        return keys, ""
    if found is None:
        return keys, ""
    moved_to, stale = found
    log.warning("training working copy made with the old check-digit rule set aside (%d IDs)", len(stale))
    return keys, training.rebuild_note(
        f"ย้ายสำเนาข้อมูลฝึกหัดเดิมของเครื่องนี้ไปไว้ที่ {moved_to} และจะสร้างสำเนาใหม่จากเซิร์ฟเวอร์กลางเมื่อเข้าสู่ระบบ",
        f"Set this PC's training working copy aside in {moved_to}; a new one is downloaded at log-in", stale)


def import_the_rest() -> None:
    """On the database worker, once the log-in window shows: what log-in and the workspace need, imported
    while the officer types (its first use would import it anyway; this only moves the wait off the click)."""
    import app.store.attachments  # noqa: F401
    import app.store.keys  # noqa: F401
    import app.store.register  # noqa: F401
    import sync.service  # noqa: F401
    import sync.session  # noqa: F401


def import_the_workspace(_done: object = None) -> None:
    """On the GUI thread (its widgets are Qt's), after import_the_rest."""
    from . import workspace  # noqa: F401


PREFERENCES = "preferences.json"   # this Windows user's choices (the language); nothing secret


def load_preferences(data_dir: Path) -> dict:
    try:
        found = json.loads((data_dir / PREFERENCES).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def save_preferences(data_dir: Path, changes: dict) -> None:
    try:
        private_dir(data_dir)
        write_private(data_dir / PREFERENCES, json.dumps({**load_preferences(data_dir), **changes}))
    except OSError:
        log.warning("preferences not saved")  # the choice holds for this run only


class _SyncSignals(QObject):
    status = Signal(object)   # SyncStatus, from the sync thread to the GUI thread


INACTIVITY_MINUTES = 15


class Desk:
    """The running program: the card thread, the database worker, the network threads, the log-in window, then
    the workspace of whoever logged in, its background sync — and back to the log-in window at log-out or after
    inactivity. The database worker only touches the database: a log-in's and a log-out's HTTP run on the network
    threads (``net_runner``), and the GUI thread waits on neither."""

    def __init__(self, app: QApplication, data_dir: Path, keys: KeyStore | None, training_mode: bool,
                 today: _dt.date | None = None, machine: settings.MachineSettings | None = None,
                 inactivity_minutes: float = INACTIVITY_MINUTES, sync_interval: float = 300.0) -> None:
        self.app = app
        self.data_dir = data_dir
        self.keys = keys
        self.training = training_mode
        self.today = today
        self.machine = machine or settings.load()
        self.sync_interval = sync_interval
        from .tasks import network_threads
        self.worker = DbWorker()
        self.runner = TaskRunner(self.worker)          # the working copy
        self.network = network_threads()
        self.net_runner = TaskRunner(self.network)     # the central server: log-in, log-out
        self.card = CardBridge(self.machine.pin_on_real_cards)
        self.login = self._login_window()
        self.window: Workspace | None = None
        self.session: Session | None = None
        self.sync: SyncService | None = None
        self._sync_signals = _SyncSignals()
        self._sync_signals.status.connect(self._sync_status)
        self._idle = QTimer()
        self._idle.setSingleShot(True)
        self._idle.setInterval(int(inactivity_minutes * 60_000))
        self._idle.timeout.connect(lambda: self.logout(idle=True))
        self._activity = _ActivityFilter(self._idle)
        app.installEventFilter(self._activity)

    def _login_window(self) -> LoginWindow:
        login = LoginWindow(self.net_runner, self.card, self._log_in, self.training, self.machine.central_server)
        login.logged_in.connect(self._logged_in)
        login.language_chosen.connect(self.choose_language)
        return login

    def choose_language(self, lang: str) -> None:
        """Kept for this Windows user; the log-in window is built again in it at once (the workspace follows)."""
        i18n.set_language(lang)
        save_preferences(self.data_dir, {"language": i18n.language()})
        old, self.login = self.login, self._login_window()
        self.login.setGeometry(old.geometry())
        self.login.show()
        old.close()
        old.deleteLater()

    def start(self) -> None:
        self.card.start()
        self.login.show()

    def _log_in(self, username: str, password: str, cid: str, new_password: str | None, fresh: bool) -> Session:
        """On the network threads: the requests here, every step on the working copy handed to the database
        worker (sync.session.log_in)."""
        from app.store import KeyStore
        from sync.session import log_in

        if self.keys is None:
            self.keys = self.worker.call(KeyStore)  # the platform's keychain; may refuse with a Thai message
        return log_in(self.machine.central_server, self.data_dir, self.keys, username, password, cid,
                      new_password=new_password, fresh_copy=fresh, today=self.today,
                      unreachable_hint=settings.unreachable_hint(self.machine), database=self.worker)

    def _logged_in(self, session: Session) -> None:
        from app.store import AttachmentStore, RegisterStore, WorkingCopy
        from sync.engine import SyncEngine
        from sync.service import SyncService

        from .workspace import Workspace

        self.session = session
        self.window = Workspace(self.runner, session, self.card, self.today, self.training)
        self.window.logout_requested.connect(self.logout)
        self.window.sync_requested.connect(lambda: self.sync and self.sync.sync_now())
        self.window.local_change.connect(lambda: self.sync and self.sync.changed())
        register = session.register
        code = session.account.unit_code
        self.runner.run(lambda: register.get("unit", code),
                        lambda found: self.window and self.window.attach(register, found.record if found else None),
                        lambda e: self.window and self.window._failed(e))
        data_dir, keys, client = self.data_dir, self.keys, session.client

        def make_engine() -> SyncEngine:  # on the sync thread: its own connection to the copy
            wc = WorkingCopy.open(data_dir, code, keys)
            return SyncEngine(RegisterStore(wc), client, AttachmentStore(wc))

        self.sync = SyncService(make_engine, self._sync_signals.status.emit, interval=self.sync_interval)
        self.sync.start()
        self.login.hide()
        self.window.show()
        self._idle.start()

    def _sync_status(self, status) -> None:
        if self.window is not None:
            self.window.show_sync(status)

    def logout(self, idle: bool = False) -> None:
        if self.session is None:
            return
        session, self.session = self.session, None
        if self.sync is not None:
            self.sync.stop(wait=0)  # a request in flight ends by its own timeout; nothing is lost
            self.sync = None
        if self.window is not None:
            self.window.hide()
            self.window.deleteLater()
            self.window = None

        from sync.session import log_out
        self.net_runner.run(log_out, None, None, session)   # the server forgets the session (when online)
        self.runner.run(session.register.wc.close)          # the window's connection to the copy
        self._idle.stop()
        self.login.message.setText(tr("ออกจากระบบอัตโนมัติเพราะไม่มีการใช้งานนาน กรุณาเข้าสู่ระบบอีกครั้ง",
                                      "Logged out after a while without use; log in again.") if idle else "")
        self.login.show()

    def close(self) -> None:
        self.logout()
        self.card.stop()
        self.worker.stop()
        self.network.shutdown(wait=False)  # a log-out under way still ends on the server


class _ActivityFilter(QObject):
    """Any key or mouse use restarts the inactivity timer."""

    KINDS = (QEvent.KeyPress, QEvent.MouseButtonPress, QEvent.Wheel)

    def __init__(self, timer: QTimer) -> None:
        super().__init__()
        self.timer = timer

    def eventFilter(self, _obj, event) -> bool:  # noqa: N802 — Qt's name
        if event.type() in self.KINDS and self.timer.isActive():
            self.timer.start()
        return False


def after_show(desk: Desk, data_dir: Path, training_mode: bool) -> None:
    """Once the log-in window is up, on the database worker (the keychain and the copy are its to touch), in
    order: training mode sets aside a copy made with the old check-digit rule (its note then shown), then the
    rest of the program is imported while the officer types. A log-in queues behind both. (Started from the
    event loop, not before it: the worker's imports would take the GIL from the window's first paint.)"""
    if training_mode:
        def renew() -> str:
            desk.keys, note = renew_old_training_copy(data_dir, desk.keys)
            return note

        def renewed(note: str) -> None:
            if note:
                print(note, file=sys.stderr)
                thai, _, english = note.partition("\n")
                desk.login.message.setText(tr(thai, english))

        desk.runner.run(renew, renewed, lambda e: log.error("the training copy was not checked", exc_info=e))
    desk.runner.run(import_the_rest, import_the_workspace)


def _setup_logging(data_dir: Path) -> None:
    logs = private_dir(private_dir(data_dir) / "logs")
    log_file = logs / "desk.log"
    if not log_file.exists():
        create_private(log_file)
    logging.basicConfig(filename=log_file, level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


MUTEX_NAME = "LGORegistryDesk.Running"  # the installer refuses to run while this exists


def _hold_running_mutex():
    """On Windows, a named mutex held while the program runs (the handle dies with the process)."""
    if sys.platform != "win32":
        return None
    import ctypes

    return ctypes.windll.kernel32.CreateMutexW(None, False, MUTEX_NAME)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lgo-desk", description="LGO Registry Desk")
    parser.add_argument("--training", action="store_true", help="training mode: the made-up training unit")
    parser.add_argument("--lang", choices=("th", "en"), default=None,
                        help="the language of the screens (default: the one last chosen, else Thai)")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--screenshot", type=Path, default=None,
                        help="save a picture of the window once the people are shown, then quit")
    parser.add_argument("--quit-when-ready", action="store_true",
                        help="quit once the log-in window is shown, printing when (for ./dev bench startup)")
    parser.add_argument("--self-test", type=Path, default=None, metavar="REPORT.json",
                        help="check every part of this build, write the report, exit 0 when all passed")
    parser.add_argument("--self-test-central", default=None, metavar="URL",
                        help="with --self-test: also a sync round trip with this training central server")
    argv = sys.argv[1:] if argv is None else argv
    args, qt_args = parser.parse_known_args(argv)  # the rest (e.g. -platform offscreen) is Qt's
    _mutex = _hold_running_mutex()  # noqa: F841 — held for the life of the process
    data_dir = args.data_dir or default_data_dir()
    if args.self_test is not None:
        from . import selftest

        _setup_logging(data_dir)
        QApplication.instance() or QApplication([sys.argv[0], *qt_args])
        return selftest.run(args.self_test, data_dir, args.self_test_central)
    if args.training and args.data_dir is None:
        data_dir = data_dir / "training"
    i18n.set_language(args.lang or load_preferences(data_dir).get("language", "th"))
    private_dir(data_dir)
    _setup_logging(data_dir)

    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    app.setApplicationName("LGO Registry Desk")
    install_fonts(app)
    install_style(app)
    desk = Desk(app, data_dir, None, args.training)
    if args.screenshot is not None:
        shot = args.screenshot

        def save(*_a) -> None:
            QTimer.singleShot(300, lambda: (desk.login.grab().save(str(shot)), app.quit()))

        desk.login.card_shown.connect(save)
        QTimer.singleShot(5000, save)  # no card in any reader: the window as it is
    if args.quit_when_ready:  # the first turn of the event loop: the log-in window is up; say when, and quit
        QTimer.singleShot(0, lambda: (print(f"shown {time.monotonic():.6f}", flush=True), app.quit()))
    desk.start()
    if not args.quit_when_ready:  # (quitting at once: nothing to warm up, and the exit would wait for it)
        QTimer.singleShot(0, lambda: after_show(desk, data_dir, args.training))  # the first turn of the loop
    code = app.exec()
    desk.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
