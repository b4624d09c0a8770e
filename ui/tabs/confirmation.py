"""The registrar's confirmation round (นายทะเบียน: ยืนยันบัญชีรายชื่อ): the unit's statements held on this PC, each
checked against the central server's key and compared with the one before; the chosen one confirmed with the
registrar's own card and PIN (offline too: the confirmation is owed to the server, app.usecases.statements)."""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.statements import Statement, previous_of
from app.thai import format_date_short
from app.usecases import Changed
from app.usecases import statements

from ..approve import with_card_and_pin
from ..i18n import tr
from ..papers import save_dialog
from ..statements import StatementPanel
from ..tasks import TaskRunner
from .host import Host


class ConfirmationTab(StatementPanel):
    title = ("ยืนยันบัญชีรายชื่อ", "Confirmation round")

    def __init__(self, host: Host) -> None:
        super().__init__(host.runner, statements.held)
        self.host = host
        self.setObjectName("confirmationRound")
        self.confirm_button.clicked.connect(self.confirm_statement)
        self.pdf_button.clicked.connect(lambda: self.save_statement("pdf"))
        self.xlsx_button.clicked.connect(lambda: self.save_statement("xlsx"))
        self._papers: TaskRunner | None = None   # a thread of its own: never the GUI's, never the database's
        self.folder = str(Path.home())           # where the last paper went; the next dialog opens there

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

    # --- the statement on paper -------------------------------------------------------------------------

    def save_statement(self, kind: str):
        """The save dialog for the chosen statement as PDF (``kind`` "pdf") or workbook ("xlsx"); returned (tests
        drive it); the paper is made and written off the GUI thread once a file is chosen."""
        from app.documents.statement import default_name

        st = self.selected()
        if st is None or self.desk is None:
            return None
        suffix = f".{kind}"
        title = tr("บันทึกบัญชีรายชื่อเป็น PDF", "Save the statement as PDF") if kind == "pdf" else \
            tr("ส่งออกบัญชีรายชื่อเป็นไฟล์ Excel", "Export the statement to Excel")
        dialog = save_dialog(self.window(), title, Path(self.folder) / default_name(st, suffix), kind,
                             "saveStatementDialog", lambda path: self.write_statement(st, kind, path))
        self.host.opened(dialog)
        return dialog

    def write_statement(self, st: Statement, kind: str, path: str) -> None:
        """Make the paper of ``st`` and write it to ``path``: the unit's name from the working copy (database
        worker), then the typesetting and the file on the papers' thread; progress and outcome in the status line."""
        if not path:
            return
        desk = self.desk
        if desk is None:
            return
        self.folder = str(Path(path).parent)
        statements_held = list(self.statements)
        signed = bool(self.current and self.current.statement.id == st.id and self.current.signed)
        by = desk.officer.name if st.confirmed_by == desk.officer.cid or (st.confirm_queued and not st.confirmed_by) \
            else None
        what = "PDF" if kind == "pdf" else "Excel"
        self.host.say(tr(f"กำลังทำบัญชีรายชื่อ ณ วันที่ {format_date_short(st.as_of)} เป็น {what}…",
                         f"Making the statement as {what}…"))
        if self._papers is None:
            self._papers = TaskRunner(ThreadPoolExecutor(max_workers=1, thread_name_prefix="lgo-paper"), self)

        def unit_name() -> str | None:
            found = desk.register.get("unit", desk.officer.unit_code)
            return f"{found[0].name} จังหวัด{found[0].province}" if found else None

        def make(unit: str | None) -> Path:
            from app.documents import write_file
            from app.documents.statement import statement_pdf, statement_xlsx

            previous = previous_of(statements_held, st)
            paper = statement_pdf if kind == "pdf" else statement_xlsx
            return write_file(path, paper(st, previous, signed, by, unit))

        def typeset(unit: str | None) -> None:
            self._papers.run(lambda: make(unit), self._written, self._not_written)

        self.runner.run(unit_name, typeset, lambda _e: typeset(None))

    def _written(self, path: Path) -> None:
        self.host.say(tr(f"บันทึกบัญชีรายชื่อแล้วที่ {path}", f"Statement saved: {path}"))

    def _not_written(self, error: BaseException) -> None:
        from app.errors import Refusal

        if isinstance(error, Refusal):
            self.host.say(str(error))
            self.host.refused(error)
        else:
            logging.getLogger(__name__).error("statement paper failed", exc_info=error)
            self.host.say(tr("ทำบัญชีรายชื่อไม่สำเร็จเพราะข้อผิดพลาดที่ไม่คาดคิด กรุณาลองอีกครั้ง หรือแจ้งผู้ดูแลระบบ",
                             "The statement could not be made."))
