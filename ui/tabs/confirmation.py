"""The registrar's confirmation round (นายทะเบียน: ยืนยันบัญชีรายชื่อ): the unit's statements held on this PC, each
checked against the central server's key and compared with the one before; the chosen one confirmed with the
registrar's own card and PIN (offline too: the confirmation is owed to the server, app.usecases.statements)."""
from __future__ import annotations

from app.statements import Statement
from app.thai import format_date_short
from app.usecases import Changed
from app.usecases import statements

from ..approve import with_card_and_pin
from ..i18n import tr
from ..statements import StatementPanel
from .host import Host


class ConfirmationTab(StatementPanel):
    title = ("ยืนยันบัญชีรายชื่อ", "Confirmation round")

    def __init__(self, host: Host) -> None:
        super().__init__(host.runner, statements.held)
        self.host = host
        self.setObjectName("confirmationRound")
        self.confirm_button.clicked.connect(self.confirm_statement)

    def redraw(self, changed: Changed) -> None:
        if changed.statements or changed.changesets:
            self.reload()

    def confirm_statement(self):
        """The registrar's card and PIN first (the dialog is returned: tests drive it); then the confirmation."""
        st, desk, card = self.selected(), self.desk, self.host.card
        if st is None or card is None or desk is None:
            return None
        people = f"{st.counts.get('beneficiaries', 0):,} + {st.counts.get('dependents', 0):,}"
        what = tr(f"ยืนยันว่าบัญชีรายชื่อผู้มีสิทธิ ณ วันที่ {format_date_short(st.as_of)} ({people} คน) "
                  "ถูกต้องตามที่หน่วยงานทราบ", f"Confirm the statement as of {st.as_of.isoformat()} ({people} people).")

        def confirm() -> None:
            self.runner.run(lambda: statements.confirm(desk, st), lambda changed: self._confirmed(st, changed),
                            self.host.refused)

        dialog = with_card_and_pin(self.window(), self.runner, card, desk.officer.cid, what, confirm)
        self.host.opened(dialog)
        return dialog

    def _confirmed(self, st: Statement, changed: Changed) -> None:
        self.host.say(tr(f"ยืนยันบัญชีรายชื่อ ณ วันที่ {format_date_short(st.as_of)} แล้ว (จะส่งถึง สปสช. เมื่อซิงก์)",
                         "Statement confirmed (sent at the next sync)."))
        self.host.render(changed)
