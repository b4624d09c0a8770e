"""The registrar's return dialog (issue 17): Thai buttons, the reason wraps as it is typed, and an empty reason
can never close the dialog — what was typed is never lost to a refusal."""
from __future__ import annotations

from PySide6.QtTest import QTest

from tests.test_ui_main_window import type_text
from ui.fonts import install_fonts
from ui.qt import QDialog, QPushButton, Qt
from ui.tabs.review_inbox import ReturnReasonDialog

REASON = ("กรุณาแนบสำเนาสูติบัตรของบุตรทั้งสองคน และสำเนาทะเบียนสมรสที่มีลายมือชื่อรับรองสำเนาถูกต้อง "
          "ก่อนส่งให้นายทะเบียนตรวจอีกครั้ง")


def test_the_return_dialog_is_thai_wraps_and_cannot_be_closed_with_an_empty_reason(qtbot, qapp):
    install_fonts(qapp)
    dialog = ReturnReasonDialog("บรรจุใหม่ นางสาววิภาวดี รุ่งเรืองศรี")
    qtbot.addWidget(dialog)
    dialog.show()
    buttons = sorted(b.text() for b in dialog.findChildren(QPushButton))
    assert buttons == ["ยกเลิก", "ส่งกลับ"]
    assert not dialog.give_back.isEnabled()
    QTest.keyClicks(dialog.reason, "   ")
    QTest.keyClick(dialog.reason, Qt.Key_Return)          # a new line in the reason, never "send"
    assert dialog.isVisible() and not dialog.give_back.isEnabled()
    dialog.reason.clear()
    type_text(dialog.reason, REASON)
    assert dialog.give_back.isEnabled()
    assert dialog.reason.horizontalScrollBar().maximum() == 0   # wrapped to the box, no sideways scrolling
    QTest.mouseClick(dialog.give_back, Qt.LeftButton)
    assert dialog.result() == QDialog.Accepted and dialog.text == REASON
