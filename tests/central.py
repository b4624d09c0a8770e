"""Fixtures for the central server: a real uvicorn on loopback, over SQLite or a throwaway PostgreSQL,
a real SMTP server (aiosmtpd) on loopback, and a unit with its officers' accounts."""
from __future__ import annotations

import base64
import contextlib
import email
import email.policy
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

import datetime as dt

from app import changeset as csmod
from app import events, training
from app.changeset import ReviewState
from app.documents.request import write_request
from app.domain import Officer, Role
from app.rules.entitlement import Relation
from sync.protocol import API
from tests.builders import new_cid, person


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd on loopback, keeping every message it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller
        self.messages: list[email.message.EmailMessage] = []
        inbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's name
                inbox.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def password_for(self, address: str) -> tuple[str, str]:
        for msg in reversed(self.messages):
            if msg["To"] == address:
                body = msg.get_content()
                user = re.search(r"ชื่อผู้ใช้งาน: (\S+)", body).group(1)
                password = re.search(r"รหัสผ่านครั้งแรก: (\S+)", body).group(1)
                return user, password
        raise AssertionError(f"no mail to {address}")


@dataclass
class Central:
    url: str
    engine: object
    inbox: Inbox
    units_csv: Path
    server: object = None
    thread: threading.Thread | None = None
    passwords: dict[str, str] = field(default_factory=dict)

    def api(self, path: str) -> str:
        return f"{self.url}{API}{path}"


def start_server(engine, blob_dir: Path | None = None) -> tuple[str, object, threading.Thread]:
    import uvicorn
    from server.api import create_app
    port = free_port()
    config = uvicorn.Config(create_app(engine, blob_dir), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the central server did not start")
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server, thread


def write_units_csv(path: Path, units: list[tuple[str, str, str]]) -> Path:
    lines = ["code,name,level,province,address,phone,email"]
    lines += [f"{code},{name},sao,{prov},,," for code, name, prov in units]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Session:
    """A logged-in officer talking to the server as the desktop would."""

    central: Central
    tokens: dict
    key: Ed25519PrivateKey | None = None
    device_id: str = ""

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    def get(self, path: str, **kw):
        return requests.get(self.central.api(path), headers=self.headers, timeout=30, **kw)

    def post(self, path: str, body=None, **kw):
        return requests.post(self.central.api(path), json=body if body is not None else {}, headers=self.headers,
                             timeout=30, **kw)

    def enrol(self) -> None:
        self.key = Ed25519PrivateKey.generate()
        pub = base64.b64encode(self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
        r = self.post("/devices", {"public_key": pub, "label": "test PC"})
        assert r.status_code == 200, r.text
        self.device_id = r.json()["device_id"]

    def sign(self, cs) -> str:
        from app.changeset import canonical_digest
        return base64.b64encode(self.key.sign(canonical_digest(cs))).decode()


def login(central: Central, address: str, cid: str, password: str | None = None):
    user, first = central.inbox.password_for(address)
    return requests.post(central.api("/auth/login"), json={"username": user, "password": password or first,
                                                           "card_cid": cid}, timeout=30)


def ready_session(central: Central, officer) -> Session:
    """Log in with the mailed password, change it as the first log-in demands, enrol this PC."""
    first = login(central, officer.email, officer.cid)
    assert first.status_code == 200, first.text
    s = Session(central, first.json())
    new = "Lgo-" + officer.cid[-6:] + "-Desk"
    _user, old = central.inbox.password_for(officer.email)
    r = s.post("/auth/password", {"old_password": old, "new_password": new})
    assert r.status_code == 204, r.text
    again = requests.post(central.api("/auth/login"), json={"username": officer.email, "password": new,
                                                            "card_cid": officer.cid}, timeout=30)
    assert again.status_code == 200, again.text
    s = Session(central, again.json())
    s.enrol()
    return s


def import_unit(central: Central, tmp: Path, unit_code: str, unit_name: str, officers) -> object:
    from server.accounts import Mailer, import_request
    path = tmp / f"{unit_code}.xlsx"
    write_request(path, unit_code, unit_name, "ขอนแก่น", officers)
    return import_request(central.engine, path, Mailer("127.0.0.1", central.inbox.port))


@pytest.fixture(scope="session")
def postgres_cluster():
    from server.pgtemp import TempPostgres
    pg = TempPostgres()
    url = pg.start()
    yield pg, url
    pg.stop()


_db_counter = iter(range(1, 10**6))


@contextlib.contextmanager
def running_central(url: str, tmp_path: Path):
    """Migrate the database at ``url``, import the two test units, serve it on loopback with an inbox."""
    from server.accounts import import_units
    from server.db import make_engine, migrate
    engine = make_engine(url)
    migrate(engine)
    inbox = Inbox()
    units_csv = write_units_csv(tmp_path / "units.csv", [
        (training.UNIT.code, training.UNIT.name, "ขอนแก่น"), ("OTH0002", "เทศบาลตำบลทดลอง", "มหาสารคาม")])
    import_units(engine, units_csv)
    base_url, server, thread = start_server(engine, tmp_path / "blobs")
    try:
        yield Central(base_url, engine, inbox, units_csv, server, thread)
    finally:
        server.should_exit = True
        thread.join(10)
        inbox.stop()
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def central(request, tmp_path):
    """The central server, once on SQLite and once on PostgreSQL."""
    from sqlalchemy import text

    from server.db import make_engine
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    else:
        _pg, base = request.getfixturevalue("postgres_cluster")
        name = f"t{next(_db_counter)}"
        admin = make_engine(base)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        url = base.rsplit("/", 1)[0] + f"/{name}"
    with running_central(url, tmp_path) as c:
        yield c


@pytest.fixture
def central_sqlite(tmp_path):
    with running_central(f"sqlite:///{tmp_path / 'central.sqlite3'}", tmp_path) as c:
        yield c


# --- a unit with its officers logged in, and the change-set steps the desktop takes ---------------------

OFFICERS = training.generate(staff=5).officers
REGISTRAR, REGISTRY, FINANCE = OFFICERS
UNIT = training.UNIT.code
OTHER = [Officer(new_cid(), "ปลัดเทศบาลอื่น", "ปลัดเทศบาล", Role.REGISTRAR, "OTH0002", "reg@other.example.go.th"),
         Officer(new_cid(), "เจ้าหน้าที่เทศบาลอื่น", "นักทรัพยากรบุคคล", Role.REGISTRY_OFFICER, "OTH0002",
                 "hr@other.example.go.th")]


@pytest.fixture
def unit(central, tmp_path):
    import_unit(central, tmp_path, UNIT, training.UNIT.name, OFFICERS)
    import_unit(central, tmp_path, "OTH0002", "เทศบาลตำบลทดลอง", OTHER)
    return {name: ready_session(central, o) for name, o in
            (("registrar", REGISTRAR), ("registry", REGISTRY), ("finance", FINANCE),
             ("other_registrar", OTHER[0]), ("other_registry", OTHER[1]))}


def hire(children=1):
    me = person(first="สมชาย", born=dt.date(1990, 1, 1))
    deps = [events.NewDependent(person(first=f"ลูก{i}", born=dt.date(2015 + i, 1, 1)), Relation.CHILD)
            for i in range(children)]
    cs = events.hire(UNIT, REGISTRY.cid, me, "local_official", dt.date(2026, 10, 1), "นักวิเคราะห์", dependents=deps)
    cs.state = ReviewState.PENDING
    return cs


def push(s, cs):
    r = s.post("/changesets", {"changesets": [csmod.to_json(cs)]})
    assert r.status_code == 200, r.text
    return r.json()["results"][0]


def approve(s, cs, at=None):
    return s.post("/approvals", {"changeset_id": cs.id, "device_id": s.device_id,
                                 "approved_at": (at or dt.datetime.now(dt.timezone.utc)).isoformat(),
                                 "signature": s.sign(cs)})


