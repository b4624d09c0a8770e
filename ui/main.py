"""Start the desktop program: fonts, the database worker, the working copy, the main window.

    lgo-desk [--training] [--lang th|en] [--data-dir DIR] [--screenshot FILE] [--self-test REPORT.json]
"""
from __future__ import annotations

import argparse
import datetime as _dt
import logging
import sys
from pathlib import Path

from app import training
from app.domain import Unit
from app.store import (
    DbWorker, KeychainUnavailable, KeyStore, RegisterStore, StoreProblem, StoreQuarantined, WorkingCopy,
    default_data_dir,
)

from . import i18n
from .fonts import install_fonts, install_style
from .i18n import tr
from .main_window import MainWindow
from .qt import QApplication, QMessageBox, QTimer
from .tasks import TaskRunner

log = logging.getLogger("lgo.desk")


def open_register(data_dir: Path, unit_code: str, keys: KeyStore, seed_training: bool,
                  fresh: bool = False) -> tuple[RegisterStore, Unit | None]:
    """Runs on the database worker: open (or, when asked, start afresh) the copy; seed training data."""
    wc = (WorkingCopy.create_new if fresh else WorkingCopy.open)(data_dir, unit_code, keys)
    register = RegisterStore(wc)
    if seed_training and register.get("unit", unit_code) is None:
        training.seed(register, training.generate(staff=120))
    found = register.get("unit", unit_code)
    return register, (found[0] if found else None)


class Desk:
    """The running program: owns the worker, the window and the working copy."""

    def __init__(self, app: QApplication, data_dir: Path, keys: KeyStore | None, unit_code: str,
                 training_mode: bool, today: _dt.date | None = None) -> None:
        self.app = app
        self.data_dir = data_dir
        self.keys = keys
        self.unit_code = unit_code
        self.training = training_mode
        self.worker = DbWorker()
        self.runner = TaskRunner(self.worker)
        self.window = MainWindow(self.runner, today, training_mode)
        self.register: RegisterStore | None = None

    def start(self, fresh: bool = False) -> None:
        self.window.show()
        self.runner.run(self._open, self._opened, self._open_failed, fresh)

    def _open(self, fresh: bool):
        if self.keys is None:
            self.keys = KeyStore()  # the platform's keychain; may refuse with a Thai message
        return open_register(self.data_dir, self.unit_code, self.keys, self.training, fresh)

    def _opened(self, result) -> None:
        self.register, unit = result
        self.window.attach(self.register, unit)

    def _open_failed(self, error: BaseException) -> None:
        if isinstance(error, StoreQuarantined):
            box = QMessageBox(QMessageBox.Warning, tr("เปิดฐานข้อมูลในเครื่องไม่ได้", "Cannot open the local copy"),
                              str(error), parent=self.window)
            new = box.addButton(tr("เริ่มสำเนาใหม่ที่ว่างเปล่า", "Start a new empty copy"), QMessageBox.AcceptRole)
            box.addButton(tr("ปิดโปรแกรม", "Quit"), QMessageBox.RejectRole)
            box.exec()
            if box.clickedButton() is new:
                self.runner.run(self._open, self._opened, self._open_failed, True)
            else:
                self.app.quit()
            return
        if isinstance(error, (KeychainUnavailable, StoreProblem)):
            message = str(error)
        else:
            log.error("opening the working copy failed", exc_info=error)
            message = tr("เปิดฐานข้อมูลในเครื่องไม่ได้เพราะข้อผิดพลาดที่ไม่คาดคิด รายละเอียดถูกบันทึกไว้ในไฟล์บันทึกของโปรแกรม "
                         "กรุณาแจ้งผู้ดูแลระบบ",
                         "The local copy could not be opened because of an unexpected error; details are in the log.")
        QMessageBox.critical(self.window, tr("เปิดโปรแกรมไม่ได้", "Cannot start"), message)
        self.app.quit()

    def close(self) -> None:
        if self.register is not None:
            self.worker.call(self.register.wc.close)
        self.worker.stop()


def _setup_logging(data_dir: Path) -> None:
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(filename=logs / "desk.log", level=logging.INFO,
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
    parser.add_argument("--lang", choices=("th", "en"), default="th")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--unit", default=training.UNIT.code)
    parser.add_argument("--screenshot", type=Path, default=None,
                        help="save a picture of the window once the people are shown, then quit")
    parser.add_argument("--quit-when-ready", action="store_true",
                        help="quit as soon as the window shows its first data (for ./dev bench startup)")
    parser.add_argument("--self-test", type=Path, default=None, metavar="REPORT.json",
                        help="check every part of this build, write the report, exit 0 when all passed")
    parser.add_argument("--self-test-central", default=None, metavar="URL",
                        help="with --self-test: also a sync round trip with this training central server")
    argv = sys.argv[1:] if argv is None else argv
    args, qt_args = parser.parse_known_args(argv)  # the rest (e.g. -platform offscreen) is Qt's
    i18n.set_language(args.lang)
    _mutex = _hold_running_mutex()  # noqa: F841 — held for the life of the process
    data_dir = args.data_dir or default_data_dir()
    if args.self_test is not None:
        from . import selftest

        _setup_logging(data_dir)
        QApplication.instance() or QApplication([sys.argv[0], *qt_args])
        return selftest.run(args.self_test, data_dir, args.self_test_central)
    if args.training and args.data_dir is None:
        data_dir = data_dir / "training"
    data_dir.mkdir(parents=True, exist_ok=True)
    _setup_logging(data_dir)

    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    app.setApplicationName("LGO Registry Desk")
    install_fonts(app)
    install_style(app)
    desk = Desk(app, data_dir, None, args.unit, args.training)
    if args.screenshot is not None:
        shot = args.screenshot

        def save(_cid: str) -> None:
            QTimer.singleShot(100, lambda: (desk.window.grab().save(str(shot)), app.quit()))

        desk.window.detail_loaded.connect(save)
    if args.quit_when_ready:
        desk.window.people_loaded.connect(lambda _n: QTimer.singleShot(0, app.quit))
    desk.start()
    code = app.exec()
    desk.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
