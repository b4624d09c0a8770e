"""The one place that imports the Qt binding; the rest of ``ui/`` imports from here.

PySide6 builds each class (and the ``Qt`` namespace) when it is first looked up, which costs more than
loading its modules; so a name is looked up only when a module of ``ui/`` asks for it (the module
``__getattr__`` below), and the log-in window does not pay for the workspace's widgets before it shows.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore, QtGui, QtWidgets

_CORE = (
    "QAbstractTableModel", "QDate", "QEvent", "QModelIndex", "QObject", "QSize", "QSortFilterProxyModel", "Qt",
    "QTimer", "QUrl", "Signal", "Slot",
)
_GUI = (
    "QAction", "QColor", "QDesktopServices", "QFont", "QFontDatabase", "QGuiApplication", "QIcon", "QImage", "QKeyEvent",
    "QKeySequence", "QPalette", "QPixmap", "QTextDocument",
)
_WIDGETS = (
    "QAbstractButton", "QAbstractItemView", "QAbstractSpinBox", "QApplication", "QCheckBox", "QComboBox", "QDateEdit", "QDialog", "QDialogButtonBox",
    "QFileDialog", "QFormLayout", "QFrame", "QGridLayout", "QGroupBox", "QHBoxLayout", "QHeaderView", "QLabel",
    "QLineEdit", "QListWidget", "QListWidgetItem", "QMainWindow", "QMenu", "QMessageBox", "QPlainTextEdit",
    "QProgressBar", "QPushButton", "QInputDialog", "QLayout", "QScrollArea", "QSpinBox", "QStackedWidget", "QTabWidget",
    "QToolButton", "QSizePolicy", "QSplitter", "QStatusBar", "QStyle", "QStyledItemDelegate", "QTableView",
    "QTableWidget", "QTableWidgetItem", "QTextBrowser", "QTextEdit", "QVBoxLayout", "QWidget",
)
_HOME = {**dict.fromkeys(_CORE, QtCore), **dict.fromkeys(_GUI, QtGui), **dict.fromkeys(_WIDGETS, QtWidgets)}
__all__ = [*_CORE, *_GUI, *_WIDGETS]

if TYPE_CHECKING:
    from PySide6.QtCore import *  # noqa: F401,F403
    from PySide6.QtGui import *  # noqa: F401,F403
    from PySide6.QtWidgets import *  # noqa: F401,F403


def __getattr__(name: str):
    try:
        found = getattr(_HOME[name], name)
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = found  # looked up once
    return found
