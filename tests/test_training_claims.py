"""Training for the finance officer (issue 19, "Done means", training): `lgo-central training` leaves the training
server with a few claims in every state NHSO gives them — made by the real flow, their evidence the unit's own
blobs, the payment statements signed — which a finance officer's PC follows into the desk's views; and in
`./dev run` a trainee swaps the training card in the reader (`./dev card finance`) to log in as the finance
officer."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from card.emulator.profiles import load

ROOT = Path(__file__).resolve().parents[1]


# --- the training card swapped in a running ./dev run ------------------------------------------------------

def card_in_reader() -> str:
    """The citizen ID on the card in the first virtual slot, read through pcscd as support staff would."""
    out = subprocess.run([sys.executable, "-m", "card.cli", "read", "--json", "--reader", "Virtual PCD 00 00"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["cid"]


def dev_card(trays: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "dev"), "card", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "LGO_CARD_TRAYS": str(trays)})


def test_dev_card_swaps_the_card_in_the_slot_of_a_running_training_desk(slots, tmp_path):
    trays = tmp_path / "cards"
    trays.mkdir()
    assert dev_card(trays, "finance").returncode == 1   # no ./dev run: nothing to swap, and it says so
    (trays / "slot0").write_text("registry\n")           # what ./dev run's with_training_cards does
    ready = tmp_path / "in"
    emulator = subprocess.Popen([sys.executable, "-m", "card.cli", "emulate", "registry", "--slot", "0",
                                 "--ready-file", str(ready), "--tray", str(trays / "slot0")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not ready.exists():
            assert emulator.poll() is None and time.monotonic() < deadline, "the training card did not go in"
            time.sleep(0.1)
        assert card_in_reader() == load("registry").fields["cid"]

        swapped = dev_card(trays, "finance")

        assert swapped.returncode == 0, swapped.stderr
        assert "เสียบบัตรฝึกหัด «finance» ในช่อง 0 แล้ว" in swapped.stderr
        assert card_in_reader() == load("finance").fields["cid"]
        unknown = dev_card(trays, "nobody")
        assert unknown.returncode == 2 and "finance" in unknown.stderr   # the cards there are, listed
        assert card_in_reader() == load("finance").fields["cid"]
        assert dev_card(trays, "registry").returncode == 0               # and back
        assert card_in_reader() == load("registry").fields["cid"]
    finally:
        emulator.send_signal(signal.SIGINT)
        emulator.wait(30)
