"""The store's part of ``lgo-desk --self-test`` (ui.selftest): on this PC's keychain, a working copy written,
closed and read back the same, and a copy opened with a wrong key refused and set aside (on a scratch copy, so
the kept one stays). Raises AssertionError saying which part failed; returns a line for the report."""
from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from .db import StoreQuarantined, WorkingCopy, key_name
from .keys import KeyStore

_MARK = "selftest"   # the meta key the check writes and reads back


def prove_working_copy(data_dir: Path, unit_code: str, keys: KeyStore) -> str:
    wc = WorkingCopy.open(data_dir, unit_code, keys)
    token = secrets.token_hex(8)
    wc.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (_MARK, token))
    wc.close()
    again = WorkingCopy.open(data_dir, unit_code, keys)
    got = again.conn.execute("SELECT value FROM meta WHERE key = ?", (_MARK,)).fetchone()[0]
    again.close()
    if got != token:
        raise AssertionError("reopened copy does not hold what was written")
    scratch = Path(tempfile.mkdtemp(prefix="lgo-selftest-"))
    unit = f"{unit_code}-{secrets.token_hex(3)}"
    WorkingCopy.open(scratch, unit, keys).close()
    keys.put(key_name(unit), secrets.token_bytes(32))
    try:
        WorkingCopy.open(scratch, unit, keys).close()
    except StoreQuarantined as e:
        refused = e.info.moved_to.exists()
    else:
        refused = False
    if not refused:
        raise AssertionError("a wrong key was not refused")
    return f"keychain={keys.backend_name} copy={data_dir}"
