"""The working copy's key in the real Secret Service (gnome-keyring on a private D-Bus session)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.store.keys import KeychainUnavailable, KeyStore, platform_backend

ROOT = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from app.store import KeyStore, WorkingCopy
    keys = KeyStore()                         # the platform's backend, chosen explicitly
    wc = WorkingCopy.open(Path(sys.argv[1]), "TRN0001", keys)
    if sys.argv[2] == "write":
        wc.conn.execute("INSERT INTO meta VALUES ('written', 'by the first process')")
    else:
        print(wc.conn.execute("SELECT value FROM meta WHERE key = 'written'").fetchone()[0])
    print(keys.backend_name)
    wc.close()
""")


@pytest.fixture
def secret_service(tmp_path):
    if not shutil.which("gnome-keyring-daemon") or not shutil.which("dbus-daemon"):
        pytest.fail("gnome-keyring and dbus must be installed (./dev installs them)")
    env = {k: v for k, v in os.environ.items() if k not in ("DBUS_SESSION_BUS_ADDRESS", "LGO_KEYRING")}
    env.update(XDG_DATA_HOME=str(tmp_path / "xdg-data"), XDG_RUNTIME_DIR=str(tmp_path / "run"),
               PYTHONPATH=str(ROOT))
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, text=True, env=env)
    env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
    subprocess.run(["gnome-keyring-daemon", "--unlock", "--components=secrets"], input="test-login",
                   text=True, env=env, check=True, capture_output=True)
    yield env
    subprocess.run(["pkill", "-f", f"gnome-keyring-daemon.*{tmp_path}"], check=False)
    bus.terminate()
    bus.wait(5)


def test_a_second_process_opens_the_copy_with_the_key_from_the_secret_service(secret_service, tmp_path):
    data = tmp_path / "data"
    run = lambda mode: subprocess.run([sys.executable, "-c", CHILD, str(data), mode], env=secret_service,
                                      capture_output=True, text=True, timeout=60)
    first = run("write")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "Keyring"  # keyring.backends.SecretService.Keyring
    second = run("read")
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[0] == "by the first process"


def test_no_desktop_session_means_a_clear_thai_refusal_not_a_silent_plaintext_fallback(monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("LGO_KEYRING", raising=False)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    with pytest.raises(KeychainUnavailable, match="ที่เก็บกุญแจ"):
        KeyStore(platform_backend()).get("working-copy/TRN0001")
