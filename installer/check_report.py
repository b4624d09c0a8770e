"""Read a self-test report and fail loudly unless it passed: used by ./dev bundle --smoke and
./dev windows --smoke on the Linux host."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("report", type=Path)
    parser.add_argument("--platform", help="the Qt platform plugin the program must have started with")
    parser.add_argument("--reader", help="a smart-card reader the program must have seen")
    parser.add_argument("--frozen", action="store_true", help="the report must come from a frozen build")
    parser.add_argument("--server", help="the central server the machine-wide settings must name")
    parser.add_argument("--sync", action="store_true", help="a sync round trip must have been made")
    args = parser.parse_args()
    if not args.report.exists():
        print(f"self-test: no report at {args.report} — the program did not start or crashed", file=sys.stderr)
        return 1
    report = json.loads(args.report.read_text(encoding="utf-8"))
    problems = []
    for check in report["checks"]:
        mark = "ok  " if check["ok"] else "FAIL"
        print(f"  {mark} {check['name']:<6} {check['detail']}")
        if not check["ok"]:
            problems.append(check["name"])
            print(check.get("trace", ""), file=sys.stderr)
    details = {c["name"]: c["detail"] for c in report["checks"]}
    if args.frozen and not report.get("frozen"):
        problems.append("not a frozen build")
    if args.platform and f"platform={args.platform} " not in details.get("qt", ""):
        problems.append(f"Qt did not start with the {args.platform} platform plugin")
    if args.reader and args.reader not in details.get("card", ""):
        problems.append(f"the reader {args.reader!r} was not seen")
    if args.sync and "sync" not in details:
        problems.append("no sync round trip was made")
    if args.server and f"central_server={args.server} " not in details.get("settings", ""):
        problems.append(f"the machine-wide settings do not name {args.server}")
    print(f"self-test on {report.get('os')}: " + ("passed" if not problems else f"FAILED: {', '.join(problems)}"))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
