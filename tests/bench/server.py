"""./dev bench server — the central server at national size on PostgreSQL, on this machine.

Loads 7,852 units, 600,000 entitled staff and 900,000 dependents (PostgreSQL with its default
durability; then VACUUM ANALYZE, as a server that has run for a while has), starts
`lgo-central serve --workers 2` on loopback, then:
* a morning's changes: change sets pushed by registry officers and approved (signed) by registrars over
  HTTP — approvals applied per second;
* incremental feed pulls: every unit's PC asking for what changed since its cursor, driven by wrk after a
  warm-up round — pulls per second and p50/p99 latency (goals ≥ 1,000/s, p99 < 200 ms);
and reports the load time and the database size.

``--baseline main`` measures before and after in one run: the server of that git ref serves the same
database beside this tree's (the morning shared out in turns, the feed rounds alternating), so the load
of a shared machine falls on both alike.
"""
from __future__ import annotations

import argparse
import base64
import concurrent.futures as cf
import datetime as dt
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app import changeset as csmod
from app import cid as cidmod
from app import events
from app.changeset import ReviewState
from app.domain import Person, Sex
from app.rules.entitlement import Relation
from app.thai import PartialDate
from server import security
from server.db import make_engine, migrate
from server.pgtemp import TempPostgres

from . import wait_until_up

ROOT = Path(__file__).resolve().parents[2]
FIRST = ["สมชาย", "สมหญิง", "ประเสริฐ", "มาลี", "วิชัย", "สุภาพร", "กิตติ", "อรุณี", "ธนพล", "ศิริพร"]
LAST = ["ใจดี", "ศรีสุข", "ทองดี", "แก้วมณี", "บุญมา", "สายทอง", "พรหมมา", "คำภู", "ภู่ทอง", "ชัยมงคล"]


def unit_sizes(n_units: int, staff: int, rng: random.Random) -> list[int]:
    weights = [rng.lognormvariate(0, 1.1) for _ in range(n_units)]
    total = sum(weights)
    sizes = [max(3, int(staff * w / total)) for w in weights]
    sizes[0] += staff - sum(sizes)  # the biggest city takes the rounding
    return sizes


def load(url: str, n_units: int, staff: int, dependents: int, rng: random.Random) -> dict:
    import psycopg
    engine = make_engine(url)
    migrate(engine)
    pw_hash = security.hash_password("bench-not-a-secret")
    seq = iter(range(1, 10**9))
    new_cid = lambda: cidmod.complete(f"8{next(seq):011d}")  # noqa: E731
    dep_rate = dependents / staff
    now = security.now().isoformat()
    counts = {"persons": 0, "records": 0}
    units_out = []
    t = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy("COPY units (code, name, province, rev, data) FROM STDIN") as cp:
            sizes = unit_sizes(n_units, staff, rng)
            for i in range(n_units):
                code = f"U{i:05d}"
                units_out.append((code, sizes[i]))
                cp.write_row((code, f"หน่วยงาน {i}", "ขอนแก่น", 1,
                              json.dumps({"code": code, "name": f"หน่วยงาน {i}", "level": "sao"})))
        with cur.copy("COPY records (type, id, unit_code, cid, other_cid, rev, data) FROM STDIN") as cp:
            deps_left = dependents
            for code, size in units_out:
                for _ in range(size):
                    me = new_cid()
                    born = f"{rng.randint(1966, 2001)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                    cp.write_row(("person", me, code, me, None, 1, json.dumps(
                        {"cid": me, "first_th": rng.choice(FIRST), "last_th": rng.choice(LAST), "birth": born,
                         "sex": "1"}, ensure_ascii=False)))
                    eid = str(uuid.uuid4())
                    cp.write_row(("employment", eid, code, me, None, 1, json.dumps(
                        {"id": eid, "cid": me, "unit_code": code, "personnel_type": "local_official",
                         "start": "2015-10-01", "start_reason": "hire"})))
                    counts["persons"] += 1
                    counts["records"] += 2
                    n_deps = min(deps_left, int(dep_rate) + (rng.random() < dep_rate - int(dep_rate)))
                    for k in range(n_deps):
                        d = new_cid()
                        if k == 0:
                            cp.write_row(("person", d, code, d, None, 1, json.dumps(
                                {"cid": d, "first_th": rng.choice(FIRST), "last_th": rng.choice(LAST),
                                 "birth": "1985-05-05", "sex": "2"}, ensure_ascii=False)))
                            mid = str(uuid.uuid4())
                            cp.write_row(("marriage", mid, code, me, d, 1, json.dumps(
                                {"id": mid, "a_cid": me, "b_cid": d, "registration_no": "1/2558",
                                 "registered_on": "2015-02-14"})))
                        else:
                            cp.write_row(("person", d, code, d, None, 1, json.dumps(
                                {"cid": d, "first_th": rng.choice(FIRST), "last_th": rng.choice(LAST),
                                 "birth": f"{2010 + k}-03-03", "sex": "1"}, ensure_ascii=False)))
                            pid = str(uuid.uuid4())
                            cp.write_row(("parentage", pid, code, me, d, 1, json.dumps(
                                {"id": pid, "parent_cid": me, "child_cid": d, "kind": "legitimate"})))
                        counts["persons"] += 1
                        counts["records"] += 2
                    deps_left -= n_deps
        with cur.copy("COPY accounts (id, username, cid, name, position, role, unit_code, email, mobile, "
                      "password_hash, must_change_password, active, failed_logins, created_at) FROM STDIN") as cp:
            for code, _size in units_out:
                for role in ("registry", "registrar"):
                    cp.write_row((str(uuid.uuid4()), f"{role}@{code.lower()}.example", new_cid(), f"{role} {code}",
                                  "ปลัด" if role == "registrar" else "นักทรัพยากรบุคคล", role, code,
                                  f"{role}@{code.lower()}.example", "", pw_hash, False, True, 0, now))
        conn.commit()
    # VACUUM, not only ANALYZE: a morning's server has had its tables vacuumed long before. Left to itself,
    # autovacuum takes the freshly copied records table (its visibility map, its hint bits) during the
    # feed pulls, on the same two cores — seen in pg_stat_user_tables.last_autovacuum of a run.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        for table in ("records", "accounts", "units"):
            c.exec_driver_sql(f"VACUUM (ANALYZE) {table}")
        c.exec_driver_sql("CHECKPOINT")
    return {"seconds": time.perf_counter() - t, "units": units_out, **counts}


def sessions_for(url: str, units: list) -> dict:
    """An access token per unit and role (sessions made directly: 15,704 argon2 log-ins are not the point)."""
    from sqlalchemy import select
    from server.db import accounts, devices, sessions
    engine = make_engine(url)
    out = {}
    key = Ed25519PrivateKey.generate()
    pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    with engine.begin() as conn:
        tkey = security.token_key(conn)
        rows = conn.execute(select(accounts.c.id, accounts.c.unit_code, accounts.c.role, accounts.c.cid)).all()
        sess, devs = [], []
        for aid, code, role, cid in rows:
            sid = str(uuid.uuid4())
            sess.append(dict(id=sid, account_id=aid, refresh_hash=uuid.uuid4().hex + uuid.uuid4().hex,
                             created_at=security.now(), expires_at=security.now() + dt.timedelta(days=1),
                             revoked=False))
            device_id = str(uuid.uuid4())
            if role == "registrar":
                devs.append(dict(id=device_id, account_id=aid, public_key=pub, label="bench",
                                 created_at=security.now(), revoked=False))
            out[(code, role)] = {"token": security.make_access_token(tkey, sid, aid), "cid": cid,
                                 "device": device_id}
        conn.execute(sessions.insert(), sess)
        conn.execute(devices.insert(), devs)
    return out, key


def morning(base: str, who: dict, key, units: list, n: int, rng: random.Random) -> dict:
    chosen = rng.choices([u for u, _ in units], weights=[s for _, s in units], k=n)
    return approve_all(base, who, key, chosen, rng)


def approve_all(base: str, who: dict, key, chosen: list[str], rng: random.Random) -> dict:
    n = len(chosen)

    def one(code: str) -> float:
        reg, boss = who[(code, "registry")], who[(code, "registrar")]
        me = Person(cidmod.complete(f"7{rng.randrange(10**11):011d}"), "ใหม่", "บรรจุ", birth=PartialDate(1995, 1, 1),
                    sex=Sex.MALE)
        wife = Person(cidmod.complete(f"6{rng.randrange(10**11):011d}"), "คู่", "สมรส", birth=PartialDate(1996, 2, 2),
                      sex=Sex.FEMALE)
        cs = events.hire(code, reg["cid"], me, "local_official", dt.date(2026, 11, 1),
                         dependents=[events.NewDependent(wife, Relation.SPOUSE, registration_no="9/2568",
                                                         registered_on=dt.date(2025, 5, 5))])
        cs.state = ReviewState.PENDING
        r = requests.post(f"{base}/v1/changesets", json={"changesets": [csmod.to_json(cs)]},
                          headers={"Authorization": f"Bearer {reg['token']}"}, timeout=60)
        assert r.json()["results"][0]["status"] == "accepted", r.text
        t = time.perf_counter()
        a = requests.post(f"{base}/v1/approvals", headers={"Authorization": f"Bearer {boss['token']}"}, timeout=60,
                          json={"changeset_id": cs.id, "device_id": boss["device"],
                                "approved_at": security.now().isoformat(),
                                "signature": base64.b64encode(key.sign(csmod.canonical_digest(cs))).decode()})
        assert a.json()["status"] == "applied", a.text
        return time.perf_counter() - t

    t = time.perf_counter()
    with cf.ThreadPoolExecutor(8) as pool:
        latencies = list(pool.map(one, chosen))
    wall = time.perf_counter() - t
    return {"n": n, "per_s": n / wall, "p50": statistics.median(latencies) * 1000,
            "p99": sorted(latencies)[int(len(latencies) * 0.99) - 1] * 1000}


def pull_script(who: dict, units: list, work: Path) -> Path:
    lines = [f"{who[(code, 'registry')]['token']} 0" for code, _ in units]
    (work / "clients.txt").write_text("\n".join(lines) + "\n")
    script = work / "pull.lua"
    script.write_text(f"""
local clients = {{}}
for line in io.lines("{work / 'clients.txt'}") do
  local token, since = line:match("(%S+) (%S+)")
  table.insert(clients, {{token, since}})
end
local i = 0
request = function()
  i = i % #clients + 1
  local c = clients[i]
  return wrk.format("GET", "/v1/feed?since=" .. c[2], {{["Authorization"] = "Bearer " .. c[1]}})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %.3f %.3f %.3f\\n", summary.requests,
    e.status + e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
""")
    return script


def warm_up(base: str, script: Path) -> None:
    """A first round warms PostgreSQL's cache and the workers (a morning's server has been up for hours)."""
    subprocess.run(["wrk", "-t2", "-c16", "-d5s", "-s", str(script), base], capture_output=True, check=True)


def feed_pulls(base: str, script: Path, seconds: int) -> dict:
    # --timeout 10s: a slow answer counts in the latencies instead of leaving them as a 2 s timeout
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), base],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"per_s": rps, "requests": int(m.group(1)), "errors": int(m.group(2)), "p50": float(m.group(3)),
            "p99": float(m.group(4)), "max": float(m.group(5))}


FEED_PER_S, FEED_P99 = 1000, 200  # the feed's goals (issue 16)


def serve(url: str, port: int, tree: Path, blobs: Path) -> subprocess.Popen:
    """`lgo-central serve --workers 2` on loopback, the server's code taken from ``tree``."""
    env = {**os.environ, "LGO_BLOB_DIR": str(blobs), "PYTHONPATH": str(tree)}
    return subprocess.Popen([sys.executable, "-m", "server.cli", "--db", url, "serve", "--port", str(port),
                             "--workers", "2"], env=env, cwd=tree)


def checkout(ref: str) -> Path:
    """The project's files at git ``ref``, in a temporary folder (its server is the "before")."""
    tree = Path(tempfile.mkdtemp(prefix="lgo-baseline-"))
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=7852)
    parser.add_argument("--staff", type=int, default=600_000)
    parser.add_argument("--dependents", type=int, default=900_000)
    parser.add_argument("--morning", type=int, default=2000, help="change sets approved in the morning")
    parser.add_argument("--seconds", type=int, default=20, help="length of one round of feed pulls")
    parser.add_argument("--baseline", metavar="GIT_REF", default=None,
                        help="before and after in one run: the server of GIT_REF (e.g. main) serves the same "
                             "database beside this one; the morning is shared out and the feed rounds alternate")
    parser.add_argument("--rounds", type=int, default=None,
                        help="feed rounds per server (default 1, or 2 with --baseline)")
    args = parser.parse_args()
    rounds = args.rounds or (2 if args.baseline else 1)
    rng = random.Random(2569)
    pg = TempPostgres(durable=True)
    url = pg.start()
    servers: dict[str, tuple[subprocess.Popen, str]] = {}
    trees: dict[str, Path] = {}
    scratch = Path(tempfile.mkdtemp(prefix="lgo-bench-"))  # wrk's script and its tokens, the blob folders
    try:
        loaded = load(url, args.units, args.staff, args.dependents, rng)
        print(f"loaded {args.units:,} units, {loaded['persons']:,} people ({args.staff:,} staff), "
              f"{loaded['records']:,} records in {loaded['seconds']:.0f} s")
        who, key = sessions_for(url, loaded["units"])
        port = 18000 + os.getpid() % 1000
        trees = {"this tree": ROOT}
        if args.baseline:
            trees = {f"before ({args.baseline})": checkout(args.baseline), "after (this tree)": ROOT}
        for i, (name, tree) in enumerate(trees.items()):
            servers[name] = (serve(url, port + i, tree, scratch / f"blobs{i}"), f"http://127.0.0.1:{port + i}")
        for _proc, base in servers.values():
            wait_until_up(base)
        names = list(servers)
        # the morning: the same kind of change sets, shared out in turns (each server's writes reach the other's)
        chosen = rng.choices([u for u, _ in loaded["units"]], weights=[s for _, s in loaded["units"]],
                             k=args.morning)
        turns = 4 if args.baseline else 1
        parts: dict[str, list[float]] = {n: [] for n in names}
        for t in range(turns):
            for i, name in enumerate(names):
                share = chosen[(t * len(names) + i)::turns * len(names)]
                m = approve_all(servers[name][1], who, key, share, rng)
                parts[name].append((m["n"], m["n"] / m["per_s"], m["p50"], m["p99"]))
        for name in names:
            n = sum(p[0] for p in parts[name])
            secs = sum(p[1] for p in parts[name])
            print(f"morning, {name}: {n:,} change sets pushed and approved over HTTP (8 clients): "
                  f"{n / secs:.1f} approvals applied/s, approval p50 {statistics.median(p[2] for p in parts[name]):.0f}"
                  f" ms, p99 {max(p[3] for p in parts[name]):.0f} ms")
        script = pull_script(who, loaded["units"], scratch)
        for name in names:
            warm_up(servers[name][1], script)
        feeds: dict[str, list[dict]] = {n: [] for n in names}
        for r in range(rounds):
            for name in names:
                f = feed_pulls(servers[name][1], script, args.seconds)
                feeds[name].append(f)
                print(f"  feed round {r + 1}, {name}: {f['per_s']:.0f}/s, p50 {f['p50']:.1f} ms, "
                      f"p99 {f['p99']:.1f} ms, max {f['max']:.0f} ms (load average {os.getloadavg()[0]:.1f})")
        for name in names:
            per_s = statistics.median(f["per_s"] for f in feeds[name])
            p50 = statistics.median(f["p50"] for f in feeds[name])
            p99 = statistics.median(f["p99"] for f in feeds[name])
            errors = sum(f["errors"] for f in feeds[name])
            ok = per_s >= FEED_PER_S and p99 < FEED_P99 and not errors
            print(f"feed pulls, {name} (wrk, 16 connections, every unit since its cursor; median of {rounds} "
                  f"round(s) of {args.seconds} s): {per_s:.0f}/s (goal ≥ {FEED_PER_S}, ratio {FEED_PER_S / per_s:.2f}),"
                  f" p50 {p50:.1f} ms, p99 {p99:.1f} ms (goal < {FEED_P99}, ratio {p99 / FEED_P99:.2f}), "
                  f"errors {errors} — {'OK' if ok else 'OVER GOAL'}")
        engine = make_engine(url)
        with engine.connect() as c:
            size = c.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
        print(f"database size: {size / 1e9:.2f} GB; load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        for proc, _base in servers.values():
            proc.terminate()
        for proc, _base in servers.values():
            proc.wait(20)
        pg.stop()
        for tree in [*trees.values(), scratch]:
            if tree != ROOT:
                shutil.rmtree(tree, ignore_errors=True)


if __name__ == "__main__":
    main()
