"""./dev bench documents — a large unit's statement: 5,000 beneficiaries and 7,500 dependents, grouped.

Goals (issue 18): the statement to PDF < 5 s and to Excel < 3 s on this machine. Printed: seconds (median of
the runs, each with the typesetter's caches emptied, as in a fresh program), the ratio to the goal, pages per
second, and the peak memory (Python allocations while making each document, and the process's peak RSS).
"""
from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

from app.documents import table_pdf, table_xlsx
from app.documents.samples import sample_statement
from app.documents.thaitext import _shaped_word, text_width

from . import report, timed


def cold(fn):
    """Run ``fn`` with the shaping and width caches emptied, as the first document of a program would."""
    def run():
        _shaped_word.cache_clear()
        text_width.cache_clear()
        return fn()
    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--beneficiaries", type=int, default=5_000)
    parser.add_argument("--dependents", type=int, default=7_500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--landscape", action="store_true")
    args = parser.parse_args()

    t = time.perf_counter()
    doc = sample_statement(args.beneficiaries, args.dependents, landscape=args.landscape)
    rows = sum(1 + len(g.members) for g in doc.table.rows)
    print(f"statement: {args.beneficiaries:,} beneficiaries + {args.dependents:,} dependents = {rows:,} rows, "
          f"{len(doc.table.columns)} columns, {'landscape' if args.landscape else 'portrait'} "
          f"(data made in {time.perf_counter() - t:.2f} s, not counted)")

    out = {}
    pdf_times = timed(cold(lambda: out.__setitem__("pdf", table_pdf(doc))), args.repeat)
    xlsx_times = timed(cold(lambda: out.__setitem__("xlsx", table_xlsx(doc))), args.repeat)
    pages = _pages(out["pdf"])
    results = [report("statement to PDF", pdf_times, 5, unit="s"),
               report("statement to Excel (.xlsx)", xlsx_times, 3, unit="s")]
    best = min(pdf_times)
    print(f"  PDF: {pages:,} pages, {len(out['pdf']) / 1e6:.1f} MB, {pages / best:,.0f} pages per second "
          f"({rows / best:,.0f} rows per second)")
    print(f"  Excel: {len(out['xlsx']) / 1e6:.1f} MB, {rows / min(xlsx_times):,.0f} rows per second")

    for name, fn in (("PDF", lambda: table_pdf(doc)), ("Excel", lambda: table_xlsx(doc))):
        tracemalloc.start()
        cold(fn)()
        _now, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  peak Python memory while making the {name}: {peak / 1e6:.0f} MB")
    results += statement_paper(args.beneficiaries, args.dependents, args.repeat)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS) of the process: {rss:.0f} MB")
    print(f"worst ratio to goal: {max(r['ratio'] for r in results):.2f}")


def statement_paper(beneficiaries: int, dependents: int, repeat: int) -> list[dict]:
    """The real statement paper (app/documents/statement.py) of a signed Statement: list, counts, appendix of
    differences from the previous round, confirmation block."""
    from app.documents.statement import sample_statements, statement_pdf, statement_xlsx

    previous, current = sample_statements(beneficiaries, dependents)
    current.confirmed_by, current.confirmed_at = "1100700000001", "2026-11-03T10:15:00+07:00"
    args = (current, previous, True, "นายสมชาย ใจดี", "องค์การบริหารส่วนตำบลบ้านฝึกหัด จังหวัดขอนแก่น")
    print(f"the statement paper (a Statement of {len(current.people):,} lines, with its appendix and confirmation):")
    out = {}
    pdf_times = timed(cold(lambda: out.__setitem__("pdf", statement_pdf(*args))), repeat)
    xlsx_times = timed(cold(lambda: out.__setitem__("xlsx", statement_xlsx(*args))), repeat)
    results = [report("statement paper to PDF", pdf_times, 5, unit="s"),
               report("statement paper to Excel (.xlsx)", xlsx_times, 3, unit="s")]
    pages = _pages(out["pdf"])
    print(f"  PDF: {pages:,} pages, {len(out['pdf']) / 1e6:.1f} MB, {pages / min(pdf_times):,.0f} pages per second")
    return results


def _pages(pdf: bytes) -> int:
    import re

    counts = [int(m) for m in re.findall(rb"/Count (\d+)", pdf)]
    return max(counts) if counts else 0


if __name__ == "__main__":
    main()
