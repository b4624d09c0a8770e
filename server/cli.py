"""lgo-central — the central server's command line.

    lgo-central serve [--host 127.0.0.1] [--port 8765] [--db URL]   (no --db: the embedded SQLite file)
    lgo-central migrate [--db URL]
    lgo-central training [--db URL]   (the training unit; rebuilt when made with the old check-digit rule)
    lgo-central units import FILE.csv [--db URL]
    lgo-central accounts import REQUEST.xlsx [--dry-run] [--smtp HOST:PORT] [--db URL]
    lgo-central staff add EMAIL --cid CID [--name NAME] [--smtp HOST:PORT]   (an NHSO staff account, mailed)
    lgo-central claims list [--state STATE] [--unit CODE]
    lgo-central claims accept ID | partly ID AMOUNT REASON | reject ID REASON   [--by NAME]
    lgo-central claims close-month YYYY-MM
    lgo-central claims transfer STATEMENT --date YYYY-MM-DD --ref BANKREF
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .db import default_blob_dir, default_url, make_engine, migrate


# Per worker: connections beyond this get 503 at once rather than a slow death for everyone; an idle
# keep-alive connection is closed after 5 s (a body that trickles in is cut by server.guard).
LIMITS = dict(log_level="warning", limit_concurrency=256, timeout_keep_alive=5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lgo-central", description="LGO Registry Desk — เซิร์ฟเวอร์กลาง")
    parser.add_argument("--db", default=None, help="database URL (postgresql://… or sqlite:///…)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--workers", type=int, default=1)
    sub.add_parser("migrate")
    sub.add_parser("training", help="create the training unit, its officers and its register (once)")
    units_cmd = sub.add_parser("units").add_subparsers(dest="action", required=True)
    units_cmd.add_parser("import").add_argument("file", type=Path)
    cal = sub.add_parser("calendar").add_subparsers(dest="action", required=True)
    add = cal.add_parser("add", help="a period: open, processing (closed) or confirmation")
    add.add_argument("phase", choices=("open", "processing", "confirmation"))
    add.add_argument("starts", type=lambda t: __import__("datetime").date.fromisoformat(t))
    add.add_argument("ends", type=lambda t: __import__("datetime").date.fromisoformat(t), help="exclusive")
    add.add_argument("name")
    cal.add_parser("list")
    st = sub.add_parser("statements").add_subparsers(dest="action", required=True)
    iss = st.add_parser("issue", help="issue every unit's statement (or one unit's) as of a date")
    iss.add_argument("as_of", type=lambda t: __import__("datetime").date.fromisoformat(t))
    iss.add_argument("--unit")
    acc = sub.add_parser("accounts").add_subparsers(dest="action", required=True)
    imp = acc.add_parser("import")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true")
    imp.add_argument("--smtp", default="127.0.0.1:25", help="the mail relay, HOST:PORT")
    staff = sub.add_parser("staff").add_subparsers(dest="action", required=True)
    sadd = staff.add_parser("add", help="an NHSO staff account (never a unit's officer), its password mailed")
    sadd.add_argument("email")
    sadd.add_argument("--name", default="")
    sadd.add_argument("--cid", default="", help="the staff member's citizen ID (required: their card at log-in)")
    sadd.add_argument("--smtp", default="127.0.0.1:25", help="the mail relay, HOST:PORT")
    cl = sub.add_parser("claims").add_subparsers(dest="action", required=True)
    cll = cl.add_parser("list", help="claims waiting for NHSO's decision (or in another state)")
    cll.add_argument("--state", default="submitted")
    cll.add_argument("--unit")
    for name in ("accept", "partly", "reject"):
        d = cl.add_parser(name)
        d.add_argument("claim_id")
        if name == "partly":
            d.add_argument("amount")
        if name != "accept":
            d.add_argument("reason")
        d.add_argument("--by", default="lgo-central", help="who decides (NHSO staff)")
    cm = cl.add_parser("close-month", help="each unit's signed payment statement of the month's accepted claims")
    cm.add_argument("month")
    cm.add_argument("--by", default="lgo-central")
    ct = cl.add_parser("transfer", help="record NHSO's bank transfer of a payment statement")
    ct.add_argument("statement")
    ct.add_argument("--date", required=True)
    ct.add_argument("--ref", required=True)
    args = parser.parse_args(argv)
    url = args.db or default_url()
    engine = make_engine(url)
    if args.cmd == "migrate":
        migrate(engine)
        print("ปรับโครงสร้างฐานข้อมูลเป็นรุ่นล่าสุดแล้ว")
        return 0
    if args.cmd == "training":
        from app.training import rebuild_note
        from .training import TRAINING_PASSWORD, ensure
        migrate(engine)
        seeded = ensure(engine)
        if seeded.old_rule_ids:  # on stderr: ./dev run keeps this command's stdout quiet, and this must be seen
            print(rebuild_note("สร้างข้อมูลฝึกหัดบนเซิร์ฟเวอร์กลางใหม่", "Rebuilt the training central server's data",
                               list(seeded.old_rule_ids)), file=sys.stderr)
        print(("สร้างหน่วยงานฝึกหัดแล้ว" if seeded.made else "มีหน่วยงานฝึกหัดอยู่แล้ว") +
              f" — รหัสผ่านฝึกหัดของเจ้าหน้าที่ทุกคน: {TRAINING_PASSWORD}")
        return 0
    if args.cmd == "serve":
        import uvicorn

        from .api import create_app
        if url.startswith("sqlite"):
            migrate(engine)  # the embedded database keeps itself current
        if args.workers > 1:  # each worker process builds its own app from the environment
            import os
            os.environ["LGO_CENTRAL_DB"] = url
            os.environ.setdefault("LGO_BLOB_DIR", str(default_blob_dir(url)))
            uvicorn.run("server.asgi:app", host=args.host, port=args.port, workers=args.workers, **LIMITS)
        else:
            uvicorn.run(create_app(engine, default_blob_dir(url)), host=args.host, port=args.port, **LIMITS)
        return 0
    if args.cmd == "units":
        from .accounts import UnitRowError, import_units
        try:
            n = import_units(engine, args.file)
        except UnitRowError as e:
            print(e, file=sys.stderr)
            return 2
        print(f"นำเข้าทะเบียนหน่วยงาน {n:,} หน่วยงาน")
        return 0
    if args.cmd == "statements":
        from sqlalchemy import select

        from .db import units
        from .statements import issue
        with engine.begin() as conn:
            codes = [args.unit] if args.unit else [r[0] for r in conn.execute(select(units.c.code))]
            for code in codes:
                issue(conn, code, args.as_of)
        print(f"ออกบัญชีรายชื่อผู้มีสิทธิ ณ วันที่ {args.as_of} ให้ {len(codes):,} หน่วยงาน")
        return 0
    if args.cmd == "calendar":
        from .calendar import PHASE_TH
        from .db import periods
        if args.action == "add":
            if args.ends <= args.starts:
                print("วันสิ้นสุดต้องอยู่หลังวันเริ่ม", file=sys.stderr)
                return 2
            with engine.begin() as conn:
                conn.execute(periods.insert().values(name=args.name, phase=args.phase, starts=args.starts,
                                                     ends=args.ends))
        with engine.connect() as conn:
            for p in conn.execute(periods.select().order_by(periods.c.starts)).mappings():
                print(f"{p['starts']} – {p['ends']}  {PHASE_TH[p['phase']]:<24} {p['name']}")
        return 0
    if args.cmd == "staff":
        from .accounts import Mailer, StaffError, add_staff
        host, _, port = args.smtp.partition(":")
        try:
            username = add_staff(engine, args.email, Mailer(host, int(port or 25)), args.name, args.cid)
        except StaffError as e:
            print(e, file=sys.stderr)
            return 2
        except OSError:
            print("สร้างบัญชีแล้วแต่ส่งอีเมลไม่ได้ (ติดต่อเครื่องส่งอีเมลไม่ได้) กรุณาตรวจสอบ --smtp", file=sys.stderr)
            return 3
        print(f"สร้างบัญชีเจ้าหน้าที่ สปสช. {username} แล้ว ส่งรหัสผ่านครั้งแรกทางอีเมลแล้ว")
        return 0
    if args.cmd == "claims":
        return _claims(engine, args)
    from .accounts import Mailer, import_request
    host, _, port = args.smtp.partition(":")
    report = import_request(engine, args.file, Mailer(host, int(port or 25)), dry_run=args.dry_run)
    if not report.ok:
        print("แบบขอสิทธิมีข้อผิดพลาด ยังไม่ได้สร้างบัญชีใด ๆ:", file=sys.stderr)
        for p in report.problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(("ทดลอง (ยังไม่บันทึก): " if args.dry_run else "") +
          f"สร้างบัญชีใหม่ {len(report.created)} บัญชี, คงเดิม {len(report.kept)}, ยกเลิก {len(report.revoked)}, "
          f"ส่งอีเมล {len(report.mailed)} ฉบับ")
    for name in report.revoked:
        print(f"  ยกเลิก: {name}")
    return 0


def _claims(engine, args) -> int:
    """NHSO's side of the claims (server.claims), each error one Thai line on stderr and an exit code of 2."""
    import datetime as _dt

    from app.claims import ClaimState

    from . import claims as central
    from .db import audit
    from .routes.common import ApiError
    from .security import now
    try:
        with engine.begin() as conn:
            if args.action == "list":
                try:
                    state = ClaimState(args.state)
                except ValueError:
                    print(f"ไม่รู้จักสถานะ «{args.state}» (ใช้ได้: {', '.join(s.value for s in ClaimState)})",
                          file=sys.stderr)
                    return 2
                for x in central.waiting(conn, state, args.unit):
                    c = x["claim"]
                    print(f"{c['id']}  {c['unit_code']}  {c['first_day'] or '-'}  "
                          f"{sum(float(r['amount']) for r in c['receipts']) - float(c['other_paid']):,.2f}  "
                          f"{c['history'][-1]['state'] if c['history'] else 'draft'}")
                return 0
            if args.action in central.DECISIONS:
                out = central.decide(conn, args.claim_id, args.action, args.by, getattr(args, "amount", None),
                                     getattr(args, "reason", ""))
                conn.execute(audit.insert().values(
                    at=now(), unit_code=out["claim"]["unit_code"],
                    action=f"claim.{central.DECISIONS[args.action].value}", detail={"claim": args.claim_id}))
                print(f"บันทึกผลการพิจารณาคำขอเบิก {args.claim_id}: {ClaimState(out['claim']['history'][-1]['state']).th}")
                return 0
            if args.action == "close-month":
                made = central.close_month(conn, args.month, args.by)
                if not made:
                    print(f"ไม่มีคำขอเบิกที่อนุมัติแล้วรอเข้ารายการโอนเงินของเดือน {args.month}")
                for sid in made:
                    print(f"ออกรายการโอนเงิน {sid}")
                return 0
            try:
                day = _dt.date.fromisoformat(args.date)
            except ValueError:
                print("วันที่โอนต้องอยู่ในรูปแบบ ปปปป-ดด-วว (ค.ศ.) เช่น 2026-12-18", file=sys.stderr)
                return 2
            out = central.record_transfer(conn, args.statement, day, args.ref)
            print(f"บันทึกการโอนเงินของรายการ {args.statement} จำนวน {out['body']['total']} บาท "
                  f"วันที่ {day.isoformat()} แล้ว")
            return 0
    except ApiError as e:
        print(e.problem.message_th, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
