"""The log-in window shows before the rest of the program is imported (./dev bench startup measures the
time): importing ui.main loads none of the libraries only log-in, sync and the workspace need — they are
imported on the database worker once the window is up (ui.main.import_the_rest)."""
from __future__ import annotations

import subprocess
import sys

LATER = ("pydantic", "requests", "keyring", "cryptography", "sync.session", "sync.engine", "sync.protocol",
         "app.store.register", "app.store.keys", "app.store.attachments", "ui.workspace", "fastapi", "sqlalchemy")


def test_importing_the_program_loads_only_what_the_log_in_window_needs():
    code = ("import sys, ui.main; "
            f"print(' '.join(m for m in {LATER!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []


def test_what_was_left_for_later_is_still_there_to_import():
    from ui import main

    main.import_the_rest()
    for name in ("sync.session", "app.store.register", "app.store.keys", "app.store.attachments"):
        assert name in sys.modules
