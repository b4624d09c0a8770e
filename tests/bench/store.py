"""./dev bench store — the working copy of a large unit: 10,000 staff and about 15,000 dependents.

Goals (issue 4): open the store < 100 ms; search by name or CID prefix < 30 ms; entitlement of
everyone on a date < 1 s; and the peak memory of it all.
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
import subprocess
import sys
from pathlib import Path

from app import training
from app.store import KeychainUnavailable, KeyStore, MemoryKeyring, RegisterStore, WorkingCopy

from . import report, timed


def seed(data_dir: Path, keys: KeyStore, staff: int) -> None:
    unit = training.UNIT.code
    wc = WorkingCopy.open(data_dir, unit, keys)
    t = time.perf_counter()
    data = training.generate(staff=staff)
    n_spans = training.seed(RegisterStore(wc), data)
    seeded = time.perf_counter() - t
    wc.close()
    people = len(data.persons)
    size = sum(p.stat().st_size for p in data_dir.glob("*.lgodb*"))
    print(f"unit: {people:,} people ({staff:,} staff + {people - staff - 3:,} dependents + 3 officers), "
          f"{len(data.records):,} records, {n_spans:,} entitlement spans; seeded in {seeded:.1f} s; "
          f"file {size / 1e6:.1f} MB")


def measure(data_dir: Path, keys: KeyStore, repeat: int) -> None:
    """What an officer's PC pays: open the unit's copy and ask it the everyday questions."""
    unit = training.UNIT.code
    results = []
    results.append(report("open the store (key, verify, schema check)",
                          timed(lambda: WorkingCopy.open(data_dir, unit, keys).close(), repeat), 100))
    wc = WorkingCopy.open(data_dir, unit, keys)
    register = RegisterStore(wc)
    today = dt.date(2026, 11, 23)
    some = register.people(unit, today, limit=9000)[-1].cid
    queries = ["สมชาย", "ใจดี", "กาญจนา ศรี", "Somchai", "wongsawat", some[:7], some[:11], some, "ภู่ทอง", "ณัฐ"]
    samples = []
    for _ in range(max(1, repeat // 5)):
        for q in queries:
            samples.extend(timed(lambda q=q: register.people(unit, today, q), 1))
    results.append(report("search by Thai/English name or CID prefix", samples, 30))
    days = [dt.date(2010, 1, 1), dt.date(2020, 6, 15), today, dt.date(2030, 1, 1)]
    counts = {}

    def everyone() -> None:
        for d in days:
            counts[d] = len(register.entitled_on(unit, d))

    samples = [s / len(days) for s in timed(everyone, max(3, repeat // 3))]
    results.append(report("entitlement of everyone on a date", samples, 1000))
    print("  entitled on " + ", ".join(f"{d}: {n:,}" for d, n in counts.items()))
    results.append(report("the whole people list (first screen)", timed(lambda: register.people(unit, today), 10),
                          1000))
    wc.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS) of a process that opens and queries the unit: {rss:.0f} MB")
    print(f"worst ratio to goal: {max(r['ratio'] for r in results):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the second process
    args = parser.parse_args()
    try:
        keys = KeyStore()
        print(f"key kept in the OS keychain ({keys.backend_name})")
    except KeychainUnavailable:
        keys = None
    if args.measure:
        measure(args.measure, keys, args.repeat)
        return
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        if keys is None:  # an in-memory keychain cannot cross processes: measure here
            print("no Secret Service here: key in an in-memory keychain, measured in this process")
            keys = KeyStore(MemoryKeyring())
            seed(data_dir, keys, args.staff)
            measure(data_dir, keys, args.repeat)
            return
        seed(data_dir, keys, args.staff)
        subprocess.run([sys.executable, "-m", "tests.bench.store", "--measure", str(data_dir),
                        "--repeat", str(args.repeat)], check=True)


if __name__ == "__main__":
    main()
