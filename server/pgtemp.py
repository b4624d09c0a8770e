"""A throwaway PostgreSQL cluster on loopback, for tests and benchmarks (Debian's postgresql package).

PostgreSQL refuses to run as root, so when we are root the cluster belongs to the ``postgres`` system
user, as the Debian package sets it up.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (Debian package postgresql; ./dev installs it)")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TempPostgres:
    def __init__(self, durable: bool = False) -> None:
        self.durable = durable  # tests trade durability for speed; benchmarks keep PostgreSQL's defaults
        self.dir = Path(tempfile.mkdtemp(prefix="lgo-pg-"))
        self.port = _free_port()
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True)

    def start(self) -> str:
        if self.user:
            shutil.chown(self.dir, self.user, self.user)
        data = self.dir / "data"
        self._run(_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "lgo", "-E", "UTF8", "--no-locale")
        fast = "" if self.durable else " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(_bin("pg_ctl"), "-D", str(data), "-l", str(self.dir / "log"), "-w", "-o",
                  f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c shared_buffers=1GB{fast}", "start")
        for _ in range(100):
            if self._run(_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), check=False).returncode == 0:
                break
            time.sleep(0.1)
        self._run(_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "lgo", "lgo")
        return f"postgresql://lgo@127.0.0.1:{self.port}/lgo"

    def stop(self) -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
