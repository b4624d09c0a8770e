"""./dev bench startup — the built program: start to a usable first window, and the sizes users download.

* Linux bundle, natively (goal ≤ 1.0 s): wall time from launching dist/linux/LGO-Registry-Desk to the
  window showing its first data (the program quits itself then: --quit-when-ready). "Cold" runs drop
  the OS page cache first (root only); "warm" runs follow each other.
* Windows installer (goal ≤ 60 MB) and the installed folder, from the last ./dev windows.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from . import report

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "linux" / "LGO-Registry-Desk" / "LGO-Registry-Desk"


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def launch(data_dir: Path) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    t = time.perf_counter()
    subprocess.run([str(BUNDLE), "--training", "--data-dir", str(data_dir), "--quit-when-ready"], env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    return time.perf_counter() - t


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1048576
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1048576


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if not BUNDLE.exists():
        subprocess.run([str(ROOT / "dev"), "bundle"], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        first = launch(data)  # creates and seeds the training copy
        print(f"first start (creates and seeds the training copy): {first * 1000:.0f} ms")
        cold = []
        for _ in range(args.repeat):
            if not drop_caches():
                break
            cold.append(launch(data))
        warm = [launch(data) for _ in range(args.repeat)]
    if cold:
        report("Linux bundle, cold start to first window", cold, 1000)
    else:
        print("cold start: cannot drop the page cache here (not root); warm figures only")
    report("Linux bundle, warm start to first window", warm, 1000)
    print(f"Linux bundle folder: {size_mb(BUNDLE.parent):.0f} MB")
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
    print(f"(median of {statistics.median(warm) * 1000:.0f} ms warm)")


if __name__ == "__main__":
    main()
