"""./dev bench reports — the registrar's reports (app/usecases/reports.py) on a large unit: the training unit
made with 5,000 staff (and their families) in a real SQLCipher working copy.

Printed: seconds to build each report from the working copy (median of the runs), and to typeset the largest
(who is entitled) as PDF and Excel. Goals: a report on screen < 2 s; the entitled list's papers as the statement's
(PDF < 5 s, Excel < 3 s: the same rows).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from app import training
from app.documents import table_pdf, table_xlsx
from app.domain import Role
from app.store import KeyStore, MemoryKeyring, RegisterStore, WorkingCopy
from app.usecases import Desk
from app.usecases.reports import REPORTS

from . import report, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    t = time.perf_counter()
    data = training.generate(staff=args.staff)
    with tempfile.TemporaryDirectory() as folder:
        wc = WorkingCopy.open(Path(folder), training.UNIT.code, KeyStore(MemoryKeyring()))
        register = RegisterStore(wc)
        spans = training.seed(register, data)
        officer = next(o for o in data.officers if o.role is Role.REGISTRAR)
        desk = Desk.of(register, officer)
        print(f"unit: {args.staff:,} staff, {len(data.persons):,} people, {spans:,} spans "
              f"(made in {time.perf_counter() - t:.1f} s, not counted)")
        docs = {}
        for r in REPORTS:
            if "period" in r.params:
                continue   # a report over a period (certificates) has nothing issued in a fresh copy
            values = {"days": 365}
            times = timed(lambda r=r: docs.__setitem__(r.key, r.run(desk, values)), args.repeat)
            report(f"{r.key}: built from the working copy", times, 2, unit="s")
        doc = docs["entitled"]
        rows = sum(1 + len(getattr(g, "members", ())) for g in doc.table.rows)
        print(f"  entitled: {rows:,} lines")
        report("entitled to PDF", timed(lambda: table_pdf(doc), 1), 5, unit="s")
        report("entitled to Excel (.xlsx)", timed(lambda: table_xlsx(doc), 1), 3, unit="s")
        wc.close()


if __name__ == "__main__":
    main()
