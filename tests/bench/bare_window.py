"""The reference of ./dev bench startup: a bare PySide6 window that shows one Thai label and quits once it
is shown — Qt's own floor for a window on this machine. Run as a script by the venv's python, exactly as
the program is started (same interpreter, same environment, offscreen); it imports nothing of the project."""
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv[:1])
label = QLabel("ทะเบียนผู้มีสิทธิ")
label.show()
# the first turn of the event loop: the window is up; say when, and quit (as the program's --quit-when-ready)
QTimer.singleShot(0, lambda: (print(f"shown {time.monotonic():.6f}", flush=True), app.quit()))
sys.exit(app.exec())
