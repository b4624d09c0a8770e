"""The program's look: Sarabun from the bundled files (with no Thai font on the system every Thai
letter would be an empty box), the stylesheet and the icon from ``resources/``."""
from __future__ import annotations

from app.paths import font_files, resources_dir

from .qt import QApplication, QFont, QFontDatabase, QIcon

FAMILY = "Sarabun"


def install_fonts(app: QApplication, point_size: float = 11) -> list[str]:
    """Register every bundled face and make Sarabun the application's font; returns the families."""
    families: set[str] = set()
    for path in font_files().values():
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            raise RuntimeError(f"โหลดฟอนต์ {path.name} ไม่ได้ — ไฟล์โปรแกรมอาจไม่ครบ กรุณาติดตั้งโปรแกรมใหม่")
        families.update(QFontDatabase.applicationFontFamilies(font_id))
    font = QFont(FAMILY)
    font.setPointSizeF(point_size)
    app.setFont(font)
    return sorted(families)


def install_style(app: QApplication) -> None:
    app.setStyleSheet((resources_dir() / "style.qss").read_text(encoding="utf-8"))
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "lgo-desk.svg")))
