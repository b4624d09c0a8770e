"""./dev bench startup — start to the log-in window, against Qt's own floor; and the sizes users download.

* From source (goal ≤ 2.0× the reference): wall time from launching ``python -m ui.main --quit-when-ready``
  with the venv's python to the first turn of its event loop, the log-in window shown (the program prints
  the moment, then quits) — against the reference, ``tests/bench/bare_window.py``: a bare PySide6 window with one Thai label
  that quits the same way, started by the same interpreter with the same environment (offscreen). The two
  are run interleaved, so the machine's load falls on both alike; the medians and their ratio are printed.
  Both the officer's start and the training start (``--training``) are measured.
* Linux bundle, when built (``./dev bundle``; goal ≤ 1.0 s): the same start of dist/linux/LGO-Registry-Desk
  (``--training``). "Cold" runs drop the OS page cache first (root only); "warm" runs follow each other.
* Windows installer (goal ≤ 60 MB) and the installed folder, from the last ./dev windows.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import report

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "linux" / "LGO-Registry-Desk" / "LGO-Registry-Desk"
BARE = Path(__file__).resolve().with_name("bare_window.py")
GOAL_RATIO = 2.0


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def run(cmd: list[str]) -> float:
    """Seconds from launching ``cmd`` (offscreen) to its window shown: the ``shown <time.monotonic()>`` line it
    prints on the first turn of its event loop (the same clock here), else its exit. What the program does
    after the window is up — the imports it warms up on its worker while the officer types — is not counted."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    t = time.monotonic()
    done = subprocess.run(cmd, env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True, timeout=120)
    ended = time.monotonic()
    shown = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("shown ")]
    return (float(shown[-1]) if shown else ended) - t


def bare() -> list[str]:
    return [sys.executable, str(BARE)]


def program(data_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "ui.main", "--data-dir", str(data_dir), "--quit-when-ready", *extra]


def launch(data_dir: Path) -> float:
    return run([str(BUNDLE), "--training", "--data-dir", str(data_dir), "--quit-when-ready"])


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1048576
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1048576


def ratio_line(name: str, program_s: list[float], bare_s: list[float]) -> float:
    r = statistics.median(program_s) / statistics.median(bare_s)
    print(f"{name:<46} median {statistics.median(program_s) * 1000:7.0f} ms  bare window "
          f"{statistics.median(bare_s) * 1000:5.0f} ms  ratio {r:5.2f}  goal ≤ {GOAL_RATIO:g}  "
          f"{'OK' if r <= GOAL_RATIO else 'OVER GOAL'}")
    return r


def from_source(repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        officer, training = Path(tmp) / "officer", Path(tmp) / "training"
        for cmd in (bare(), program(officer), program(training, "--training")):
            run(cmd)  # first starts: the data folders made, the files in the page cache
        samples: dict[str, list[float]] = {"bare": [], "officer": [], "training": []}
        for _ in range(repeat):  # interleaved: whatever else runs on the machine falls on all three
            samples["bare"].append(run(bare()))
            samples["officer"].append(run(program(officer)))
            samples["training"].append(run(program(training, "--training")))
    print(f"from source, {sys.executable}, {repeat} runs each, interleaved "
          f"(load average {os.getloadavg()[0]:.2f}):")
    goal = GOAL_RATIO * statistics.median(samples["bare"])  # the program's goal: twice the bare window
    report("bare PySide6 window, one Thai label", samples["bare"], goal * 1000)
    report("program to its log-in window", samples["officer"], goal * 1000)
    report("program --training to its log-in window", samples["training"], goal * 1000)
    ratio_line("start-up ratio (program / bare window)", samples["officer"], samples["bare"])
    ratio_line("start-up ratio (--training / bare window)", samples["training"], samples["bare"])


def bundle(repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        first = launch(data)  # creates the training copy's folder
        print(f"Linux bundle, first start: {first * 1000:.0f} ms")
        cold = []
        for _ in range(repeat):
            if not drop_caches():
                break
            cold.append(launch(data))
        warm = [launch(data) for _ in range(repeat)]
    if cold:
        report("Linux bundle, cold start to first window", cold, 1000)
    else:
        print("cold start: cannot drop the page cache here (not root); warm figures only")
    report("Linux bundle, warm start to first window", warm, 1000)
    print(f"Linux bundle folder: {size_mb(BUNDLE.parent):.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--no-bundle", action="store_true", help="from source only, even if a bundle is built")
    args = parser.parse_args()
    from_source(args.repeat)
    if BUNDLE.exists() and not args.no_bundle:
        bundle(args.repeat)
    else:
        print("Linux bundle: not measured (build it with ./dev bundle)")
    setups = sorted((ROOT / "dist").glob("LGO-Registry-Desk-Setup-*.exe"))
    installed = ROOT / "build" / "windows" / "dist" / "LGO-Registry-Desk"
    if setups:
        mb = size_mb(setups[-1])
        print(f"Windows installer {setups[-1].name}: {mb:.1f} MB  goal 60 MB  ratio {mb / 60:.2f}  "
              f"{'OK' if mb <= 60 else 'OVER GOAL'}")
        if installed.exists():
            print(f"Windows installed folder: {size_mb(installed):.0f} MB")
    else:
        print("Windows installer: not built here yet — run ./dev windows first")


if __name__ == "__main__":
    main()
