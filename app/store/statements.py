"""The unit's statements (บัญชีรายชื่อผู้มีสิทธิ) this PC holds, each kept whole with its state so the registrar
can read and confirm it offline; which ones the feed announced and are still to be fetched; and the central
server's public key they are checked against (kept with the licence)."""
from __future__ import annotations

import base64
import json

from ..statements import Statement
from ..thai import format_date_short
from . import meta

_PREFIX = "statement:"
_WANTED = "statements_wanted"
SERVER_KEY = "licence_key"


class StatementStore:
    def __init__(self, wc) -> None:
        self.wc = wc

    def all(self) -> list[Statement]:
        """Newest first."""
        rows = self.wc.conn.execute("SELECT value FROM meta WHERE key LIKE 'statement:%'").fetchall()
        return sorted((Statement.from_json(json.loads(v)) for (v,) in rows), key=lambda s: s.as_of, reverse=True)

    def get(self, sid: str) -> Statement | None:
        raw = meta.get(self.wc.conn, _PREFIX + sid)
        return Statement.from_json(json.loads(raw)) if raw else None

    def keep_in(self, conn, st: Statement) -> None:
        meta.put_in(conn, _PREFIX + st.id, json.dumps(st.to_json(), ensure_ascii=False))

    def title_of_confirm(self, sid: str) -> str:
        st = self.get(sid)
        return f"ยืนยันบัญชีรายชื่อ ณ วันที่ {format_date_short(st.as_of)}" if st else "ยืนยันบัญชีรายชื่อ"

    def server_key(self) -> bytes | None:
        """The central server's public key (kept with the licence): statements are checked against it."""
        key = meta.get(self.wc.conn, SERVER_KEY)
        return base64.b64decode(key) if key else None

    # --- what the feed announced and is still to be fetched -----------------------------------------------

    def wanted(self) -> list[str]:
        return json.loads(meta.get(self.wc.conn, _WANTED) or "[]")

    def want_in(self, conn, ids: list[str]) -> None:
        meta.put_in(conn, _WANTED, json.dumps(sorted(set(self.wanted()) | set(ids))))

    def fetched_in(self, conn, sid: str) -> None:
        meta.put_in(conn, _WANTED, json.dumps([w for w in self.wanted() if w != sid]))
