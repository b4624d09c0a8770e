"""./dev bench sync — the desktop's sync against a real server on loopback (PostgreSQL).

* first sync of a ~5,000-person unit into an empty working copy (goal < 5 s);
* a sync with nothing new (goal < 100 ms);
* bytes on the wire for both, counted by a small TCP proxy between the client and the server (every byte of
  HTTP both ways: request and status lines, headers, bodies; not the TCP/IP framing), with the answers
  gzip-compressed as the desktop asks for them, and again uncompressed (the client asks for
  ``Accept-Encoding: identity``: the JSON as it went before the server compressed anything); the time those
  bytes take at 10 Mbit/s. Goals: the first sync's bytes ≤ 25% of the uncompressed ones; a sync with nothing
  new under 2 KB;
* the client's peak memory (this process only does the client's work: the server and the data
  loading run in processes of their own).
"""
from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
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


class CountingProxy:
    """A TCP proxy on loopback that counts the bytes going each way (client → server: ``sent``; server →
    client: ``received``) — what a slow provincial link would have to carry, measured rather than estimated."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sent = self.received = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self) -> None:
        with self._lock:
            self.sent = self.received = 0

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            server = socket.create_connection(self.upstream)
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._pump, args=(client, server, "sent"), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, "received"), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, way: str) -> None:
        try:
            while data := src.recv(65536):
                with self._lock:
                    setattr(self, way, getattr(self, way) + len(data))
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()


LINK = 10_000_000  # bits per second: a slow provincial office link


def report_bytes(name: str, n: float, goal: float, what: str = "bytes") -> None:
    """One figure in bytes with its goal (a ratio above 1 is over the goal), like :func:`report`."""
    ratio = n / goal
    print(f"{name:<46} {n:12,.0f} {what}  {n * 8 / LINK * 1000:9.1f} ms at 10 Mbit/s  goal {goal:,.0f} {what}  "
          f"ratio {ratio:5.2f}  {'OK' if ratio <= 1 else 'OVER GOAL'}")


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
        wait_until_up(f"http://127.0.0.1:{port}")
        proxy = CountingProxy(port)
        base = f"http://127.0.0.1:{proxy.port}"
        wire = {}
        for compressed in (False, True):  # uncompressed first: the reference; then as the desktop syncs
            with tempfile.TemporaryDirectory() as tmp:
                wc = WorkingCopy.open(Path(tmp), "TRN0001", KeyStore(MemoryKeyring()))
                client = CentralClient(base)
                if not compressed:
                    client.http.headers["Accept-Encoding"] = "identity"
                client.login("bench@example", "Bench-Password-1", cid)
                engine = SyncEngine(RegisterStore(wc), client)
                proxy.reset()
                t = time.perf_counter()
                first = engine.sync_once()
                took = time.perf_counter() - t
                assert not first.errors, first.errors
                wire["first", compressed] = (proxy.sent, proxy.received)
                proxy.reset()
                times = [_timed(engine) for _ in range(args.repeat)]
                wire["nothing", compressed] = (proxy.sent / args.repeat, proxy.received / args.repeat)
                if compressed:
                    print(f"unit: {people:,} people; first sync pulled {first.pulled:,} records")
                    report("first sync of the unit into an empty working copy", [took], 5000)
                    report("a sync with nothing new", times, 100)
                else:
                    print(f"(uncompressed reference: first sync {took:.2f} s on loopback)")
                wc.close()
        for label, key in (("first sync", "first"), ("a sync with nothing new", "nothing")):
            for compressed in (False, True):
                up, down = wire[key, compressed]
                how = "gzip" if compressed else "uncompressed"
                print(f"  {label}, {how}: sent {up:,.0f} B, received {down:,.0f} B")
        raw, gz = (sum(wire["first", c]) for c in (False, True))
        print(f"first sync on the wire: {raw:,} B uncompressed → {gz:,} B gzip ({gz / raw:.1%}); "
              f"at 10 Mbit/s {raw * 8 / LINK:.1f} s → {gz * 8 / LINK:.1f} s")
        report_bytes("first sync, bytes on the wire (gzip)", gz, raw * 0.25)
        report_bytes("a sync with nothing new, bytes on the wire", sum(wire["nothing", True]), 2048)
        proxy.close()
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
