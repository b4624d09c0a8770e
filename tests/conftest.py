"""Shared fixtures: a keychain that never touches the OS, a fresh working copy per test, Qt offscreen."""
from __future__ import annotations

import os
from pathlib import Path

# The screen the UI tests run on: the most common office laptop (1366×768, less Windows' 40-px taskbar), or
# LGO_TEST_SCREEN=fullhd150 — a full-HD laptop at Windows' 150 % (1280×688 device-independent pixels).
SCREENS = Path(__file__).resolve().parent / "screens"
SCREEN = os.environ.get("LGO_TEST_SCREEN", "laptop")
if SCREEN == "fullhd150":
    os.environ["QT_SCALE_FACTOR"] = "1.5"
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREENS / (SCREEN + '.json')}"
os.environ.setdefault("SANE_CONFIG_DIR", str(Path(__file__).resolve().parent.parent / "scan" / "training"))

import pytest  # noqa: E402

pytest_plugins = ["tests.central"]

from app.store import KeyStore, MemoryKeyring, RegisterStore, WorkingCopy  # noqa: E402


@pytest.fixture
def keys() -> KeyStore:
    return KeyStore(MemoryKeyring())


@pytest.fixture
def data_dir(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def wc(data_dir, keys):
    copy = WorkingCopy.open(data_dir, "TRN0001", keys)
    yield copy
    copy.close()


@pytest.fixture
def register(wc) -> RegisterStore:
    return RegisterStore(wc)


@pytest.fixture
def open_office(qapp, data_dir, keys):
    """``open_office(kind)`` opens ``kind`` (a :class:`tests.builders.Office`) over this test's data folder, with
    the program's fonts installed; every office opened is closed after the test."""
    from ui.fonts import install_fonts
    install_fonts(qapp)
    opened = []

    def open_(kind):
        opened.append(kind(data_dir, keys))
        return opened[-1]
    yield open_
    for office in opened:
        office.close()


# --- the real PC/SC stack: pcscd with the vsmartcard virtual reader, and training cards --------------

class Pcscd:
    """pcscd in the foreground, owned by the tests (so a test may stop it and start it again)."""

    def __init__(self) -> None:
        import shutil
        self.binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
        self.proc = None

    def start(self) -> list[str]:
        import subprocess
        import time
        if os.environ.get("LGO_PCSCD_RUNNING"):   # a child pytest of a run that owns pcscd (tests/test_ui_fit.py)
            return self._readers(time.monotonic() + 10)
        subprocess.run(["pkill", "-x", "pcscd"], capture_output=True)  # one pcscd: ours
        for _ in range(100):
            if subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True).returncode != 0:
                break
            time.sleep(0.05)
        self.proc = subprocess.Popen([self.binary, "--foreground"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        return self._readers(time.monotonic() + 10)

    def _readers(self, deadline: float) -> list[str]:
        import time

        from card.pcsc import Context
        while True:
            try:
                ctx = Context()
                readers = ctx.readers()
                ctx.close()
                if len(readers) >= 2:
                    return readers
            except Exception:
                pass
            if time.monotonic() > deadline:
                pytest.fail("pcscd with vsmartcard-vpcd did not come up (./dev installs pcscd, vsmartcard-vpcd)")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture(scope="session")
def pcscd():
    """The real PC/SC daemon with vsmartcard's two virtual slots ("Virtual PCD 00 00" and "00 01")."""
    daemon = Pcscd()
    daemon.readers = daemon.start()
    yield daemon
    daemon.stop()


@pytest.fixture
def slots(pcscd):
    """The two virtual reader slots, empty at the start and at the end of each test."""
    from card.emulator import VPCD_PORT, CardSlot
    busy = _wait_until_empty()
    if busy:
        pytest.fail(f"a card is already in {busy}: another emulator (lgo-card emulate?) holds the virtual reader")
    pair = [CardSlot(port=VPCD_PORT), CardSlot(port=VPCD_PORT + 1)]
    yield pair
    for s in pair:
        s.remove()
    _wait_until_empty()  # pcscd notices a removal within a few hundred ms: let the next test start clean


def _wait_until_empty(timeout: float = 3.0) -> list[str]:
    """Wait until pcscd sees no card in the virtual readers; returns the readers still holding one."""
    import time

    from smartcard.scard import SCARD_STATE_PRESENT, SCARD_STATE_UNAWARE, SCardGetStatusChange

    from card.pcsc import Context
    ctx = Context()
    try:
        deadline = time.monotonic() + timeout
        while True:
            _rc, states = SCardGetStatusChange(ctx.handle, 0, [(r, SCARD_STATE_UNAWARE) for r in ctx.readers()])
            busy = [r for r, state, _atr in states if state & SCARD_STATE_PRESENT]
            if not busy or time.monotonic() > deadline:
                return busy
            time.sleep(0.05)
    finally:
        ctx.close()
