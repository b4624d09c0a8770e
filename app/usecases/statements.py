"""The registrar's confirmation round: the unit's statements held here (readable offline, checked against the
central server's key) and the confirmation, after card and PIN, owed to the server."""
from __future__ import annotations

import copy

from ..statements import Statement
from ..store.outbox import Kind
from .context import Changed, Desk


def held(desk: Desk) -> tuple[list[Statement], bytes | None]:
    """The statements this PC holds, newest first, and the key their signatures are checked against."""
    return desk.statements.all(), desk.statements.server_key()


def confirm(desk: Desk, st: Statement) -> Changed:
    st = copy.deepcopy(st)
    st.confirm_queued = True
    with desk.transaction() as conn:
        desk.statements.keep_in(conn, st)
        desk.outbox.owe_in(conn, f"confirm:{st.id}", Kind.CONFIRM, "", {"statement_id": st.id})
    return Changed(owed=1, statements=True)
