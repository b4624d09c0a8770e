"""The one place that imports the Qt binding; the rest of ``ui/`` imports from here."""
from PySide6.QtCore import (  # noqa: F401
    QAbstractTableModel, QDate, QEvent, QModelIndex, QObject, QSize, QSortFilterProxyModel, Qt, QTimer, QUrl, Signal,
    Slot,
)
from PySide6.QtGui import (  # noqa: F401
    QAction, QColor, QFont, QFontDatabase, QGuiApplication, QIcon, QImage, QKeyEvent, QKeySequence, QPalette,
    QPixmap, QTextDocument,
)
from PySide6.QtWidgets import (  # noqa: F401
    QAbstractItemView, QApplication, QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFileDialog,
    QFormLayout, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QListWidget, QListWidgetItem, QMainWindow, QMenu, QMessageBox, QPlainTextEdit, QProgressBar, QPushButton,
    QInputDialog, QScrollArea, QSpinBox, QStackedWidget, QTabWidget, QToolButton, QSizePolicy, QSplitter, QStatusBar, QStyle,
    QStyledItemDelegate,
    QTableView, QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget,
)
