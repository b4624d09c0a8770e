"""Render resources/icons/lgo-desk.svg into a Windows .ico (256 px) for the executable and installer."""
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer


def main(svg: str, ico: str) -> int:
    QGuiApplication.instance() or QGuiApplication(["make_icon", "-platform", "offscreen"])
    image = QImage(256, 256, QImage.Format_ARGB32)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    QSvgRenderer(svg).render(painter)
    painter.end()
    return 0 if image.save(ico, "ICO") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
