"""The Qt binding itself, where its faults would reach the officer as a crash."""
from __future__ import annotations

import gc
import sys

from ui.qt import QLabel


def test_calling_qt_a_thousand_times_does_not_wear_down_none(qapp):
    """PySide6 6.12.0 on Python 3.11 dropped a reference to None at every call of a method that returns
    nothing (setText, setEnabled, processEvents…); after a few thousand the program aborted with "Fatal
    Python error: deallocating None". pyproject.toml keeps such a binding off Python 3.11."""
    label = QLabel()
    gc.collect()
    before = sys.getrefcount(None)
    for i in range(2000):
        label.setText(str(i))
        label.setEnabled(i % 2 == 0)
        qapp.processEvents()
    gc.collect()
    assert sys.getrefcount(None) - before > -100, "the Qt binding leaks references to None"
