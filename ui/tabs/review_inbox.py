"""The registrar's review inbox (นายทะเบียน: รอตรวจ): what the unit's registry officers sent, each with the
before/after of every field, the rules' verdicts and its documents; approve several at once with the
registrar's own card and PIN (signed on this PC, offline too), or return one with a reason. Both are use
cases of app.usecases.review, run on the database worker."""
from __future__ import annotations

from app.changeset import ChangeSet
from app.usecases import Changed, Desk
from app.usecases import review

from ..approve import with_card_and_pin
from ..buttons import accept_row
from ..changesets import ChangeSetPanel
from ..dialogs import DeskDialog
from ..i18n import tr
from ..qt import QLabel, QPlainTextEdit, Qt, QVBoxLayout, QWidget
from .host import Host


class ReturnReasonDialog(DeskDialog):
    """Why a change set goes back to its author: the reason wraps as it is typed, the buttons are Thai, and
    "ส่งกลับ" is only pressable once there is a reason — an empty one can never close the dialog and lose it.
    A desk dialog (ui.dialogs): it fits the screen, and Escape after a reason was typed asks first."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("returnDialog")
        self.setWindowTitle(tr("ส่งกลับให้แก้ไข", "Return for correction"))
        ask = QLabel(tr(f"เหตุผลที่ส่งกลับ «{title}» (ผู้บันทึกจะเห็นข้อความนี้)",
                        f"Why is “{title}” returned? (its author reads this)"))
        ask.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("returnReason")
        self.reason.setLineWrapMode(QPlainTextEdit.WidgetWidth)
        self.reason.setTabChangesFocus(True)
        row, self.give_back = accept_row(self, "ส่งกลับ", "Return", "returnConfirm")
        self.give_back.setEnabled(False)
        self.give_back.clicked.connect(self.accept)
        self.set_accept(self.give_back)
        self.reason.textChanged.connect(lambda: self.give_back.setEnabled(bool(self.text)))
        self.reason.textChanged.connect(lambda: self.typed() if self.text else None)
        self.first_field = self.reason
        box = QVBoxLayout(self)
        box.addWidget(ask)
        box.addWidget(self.reason, 1)
        box.addLayout(row)
        self.resize(520, 260)

    @property
    def text(self) -> str:
        return self.reason.toPlainText().strip()


class ReviewInboxTab(ChangeSetPanel):
    title = ("รอตรวจ", "To review")

    def __init__(self, host: Host) -> None:
        super().__init__(host.runner, review.to_review, host.today, multi=True)
        self.host = host
        self.get_blob = host.get_blob
        self.setObjectName("reviewInbox")
        self.approve = self.add_button("อนุมัติที่เลือก (&A)…", "&Approve the chosen…", self.approve_chosen,
                                       "approveButton")
        self.approve.setToolTip(tr("อนุมัติรายการที่เลือกด้วยบัตรและรหัส PIN ของท่าน (แป้นลัด Alt+A)",
                                   "Approve the chosen ones with your card and PIN (Alt+A)"))
        self.give_back = self.add_button("ส่งกลับพร้อมเหตุผล (&R)…", "&Return with a reason…", self.return_chosen,
                                         "returnButton")
        self.give_back.setToolTip(tr("ส่งรายการที่เลือกกลับให้เจ้าหน้าที่ทะเบียนแก้ไข (แป้นลัด Alt+R)",
                                     "Return the chosen one for correction (Alt+R)"))
        self.loaded.connect(host.inbox_loaded.emit)

    def selection_changed(self, chosen: list[ChangeSet]) -> None:
        self.approve.setEnabled(bool(chosen))
        self.give_back.setEnabled(len(chosen) == 1)

    def redraw(self, changed: Changed) -> None:
        if changed.changesets:
            self.reload()

    def approve_chosen(self):
        """The registrar's card and PIN first (the dialog is returned: tests drive it); then the approval."""
        chosen, desk, card = self.selected(), self.desk, self.host.card
        if not chosen or card is None or desk is None:
            return None
        what = tr(f"อนุมัติ {len(chosen)} รายการ: ", f"Approve {len(chosen)}: ") + "; ".join(c.title for c in chosen)

        def approve() -> None:
            self.runner.run(lambda: review.approve(desk, chosen), self._approved, self.host.refused)

        dialog = with_card_and_pin(self.window(), self.runner, card, desk.officer.cid, what, approve)
        self.host.opened(dialog)
        return dialog

    def _approved(self, changed: Changed) -> None:
        n = len(changed.changesets)
        self.host.say(tr(f"อนุมัติแล้ว {n} รายการ", f"{n} approved"))
        self.host.render(changed)

    def return_chosen(self, reason: str | None = None) -> ReturnReasonDialog | None:
        """Without a reason given, the dialog asks for it (not modal-blocking: it is returned, tests drive it)."""
        chosen, desk = self.selected(), self.desk
        if len(chosen) != 1 or desk is None:
            return None
        cs = chosen[0]
        if reason:
            self._return(desk, cs, reason)
            return None
        dialog = ReturnReasonDialog(cs.title, self.window())
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._return(desk, cs, dialog.text))
        dialog.open()
        self.host.opened(dialog)
        return dialog

    def _return(self, desk: Desk, cs: ChangeSet, reason: str) -> None:
        self.runner.run(lambda: review.return_(desk, cs, reason), self._returned, self.host.refused)

    def _returned(self, changed: Changed) -> None:
        self.host.say(tr(f"ส่งกลับ «{changed.changeset.title}» แล้ว", "Returned"))
        self.host.render(changed)
