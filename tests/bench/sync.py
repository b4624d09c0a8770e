"""./dev bench sync — the desktop's sync against a real server on loopback (PostgreSQL).

* first sync of a ~5,000-person unit into an empty working copy (goal < 5 s);
* a sync with nothing new (goal < 100 ms);
* the client's peak memory (this process only does the client's work: the server and the data
  loading run in processes of their own).
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path


from app.store import KeyStore, MemoryKeyring, RegisterStore, WorkingCopy
from server.pgtemp import TempPostgres
from sync.client import CentralClient
from sync.engine import SyncEngine

from . import report, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
SEED = textwrap.dedent("""
    import sys
    from app import training
    from server.db import make_engine, migrate
    from server.training import put_register
    from server.security import hash_password, now
    from server.db import accounts, units
    import uuid
    engine = make_engine(sys.argv[1])
    migrate(engine)
    data = training.generate(staff=int(sys.argv[2]))
    with engine.begin() as conn:
        conn.execute(units.insert().values(code=data.unit.code, name=data.unit.name, province="ขอนแก่น", rev=1,
                                           data={"code": data.unit.code}))
        o = data.officers[0]
        conn.execute(accounts.insert().values(id=str(uuid.uuid4()), username="bench@example", cid=o.cid, name=o.name,
                     position=o.position, role="registrar", unit_code=o.unit_code, email="bench@example",
                     mobile="", password_hash=hash_password("Bench-Password-1"), must_change_password=False,
                     active=True, failed_logins=0, created_at=now()))
        put_register(conn, data)
    print(len(data.persons), o.cid)
""")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=2000, help="2,000 staff ≈ 5,000 people with their families")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    pg = TempPostgres(durable=True)
    url = pg.start()
    server = None
    try:
        out = subprocess.run([sys.executable, "-c", SEED, url, str(args.staff)], capture_output=True, text=True,
                             check=True, cwd=ROOT).stdout.split()
        people, cid = int(out[0]), out[1]
        port = 19000 + os.getpid() % 1000
        env = {**os.environ, "LGO_BLOB_DIR": tempfile.mkdtemp()}
        server = subprocess.Popen([sys.executable, "-m", "server.cli", "--db", url, "serve", "--port", str(port)],
                                  env=env, cwd=ROOT)
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base)
        with tempfile.TemporaryDirectory() as tmp:
            wc = WorkingCopy.open(Path(tmp), "TRN0001", KeyStore(MemoryKeyring()))
            client = CentralClient(base)
            client.login("bench@example", "Bench-Password-1", cid)
            engine = SyncEngine(RegisterStore(wc), client)
            t = time.perf_counter()
            first = engine.sync_once()
            took = time.perf_counter() - t
            assert not first.errors, first.errors
            print(f"unit: {people:,} people; first sync pulled {first.pulled:,} records")
            report("first sync of the unit into an empty working copy", [took], 5000)
            report("a sync with nothing new", [_timed(engine) for _ in range(args.repeat)], 100)
            wc.close()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"client peak memory (RSS of this process): {rss:.0f} MB")
    finally:
        if server is not None:
            server.terminate()
            server.wait(20)
        pg.stop()


def _timed(engine: SyncEngine) -> float:
    t = time.perf_counter()
    r = engine.sync_once()
    assert r.pulled == 0 and not r.errors
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
