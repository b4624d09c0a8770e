"""Logging in at the desk against a real server on loopback: the first log-in's password change, the card
that must be the account's, offline log-in when the server cannot be reached, the licence, a lost key."""
from __future__ import annotations

import datetime as dt

import pytest

from app import settings, training
from app.domain import Role
from app.errors import Refusal
from app.store import KeyStore, MemoryKeyring
from app.store.db import key_name
from app.store.keys import SERVICE
from app.usecases import Desk, registry
from sync.session import CopyNeedsRebuild, PasswordChangeRequired, log_in
from tests.central import OFFICERS, REGISTRAR, REGISTRY, UNIT, free_port, hire, import_unit

NEW = "Desk-Password-2569"


@pytest.fixture
def office(central_sqlite, tmp_path):
    import_unit(central_sqlite, tmp_path, UNIT, training.UNIT.name, OFFICERS)
    return central_sqlite


def first_login(central, data_dir, keys, officer=REGISTRY):
    user, mailed = central.inbox.password_for(officer.email)
    with pytest.raises(PasswordChangeRequired) as asked:
        log_in(central.url, data_dir, keys, user, mailed, officer.cid)
    assert "ตั้งรหัสผ่านใหม่" in str(asked.value)
    return log_in(central.url, data_dir, keys, user, mailed, officer.cid, new_password=NEW)


def test_first_login_changes_the_password_then_offline_login_works(office, tmp_path):
    data, keys = tmp_path / "pc1", KeyStore(MemoryKeyring())
    session = first_login(office, data, keys)
    assert session.online and session.account.role is Role.REGISTRY_OFFICER
    assert session.account.unit_code == UNIT and session.account.name == REGISTRY.name
    assert session.licence.may_start
    session.register.wc.close()

    # the server cannot be reached (nothing listens there): the same officer logs in offline
    dead = f"http://127.0.0.1:{free_port()}"
    offline = log_in(dead, data, keys, REGISTRY.email, NEW, REGISTRY.cid)
    assert not offline.online and offline.account.cid == REGISTRY.cid
    offline.register.wc.close()
    with pytest.raises(Refusal) as wrong:
        log_in(dead, data, keys, REGISTRY.email, "not-the-password", REGISTRY.cid)
    assert "รหัสผ่านไม่ถูกต้อง" in str(wrong.value)
    with pytest.raises(Refusal) as stranger:
        log_in(dead, data, keys, REGISTRAR.email, NEW, REGISTRAR.cid)
    assert "ยังไม่เคยเข้าสู่ระบบออนไลน์ที่เครื่องนี้" in str(stranger.value)
    # a PC nobody set a server for: the refusal also says how IT sets one
    unset = settings.MachineSettings(dead, "default")
    with pytest.raises(Refusal) as unconfigured:
        log_in(dead, data, keys, REGISTRAR.email, NEW, REGISTRAR.cid, unreachable_hint=settings.unreachable_hint(unset))
    assert "/SERVER=https://" in str(unconfigured.value) and dead in str(unconfigured.value)
    assert settings.unreachable_hint(settings.MachineSettings("https://central.example", "/etc/settings.ini")) == ""


def test_the_card_must_be_the_accounts_and_the_server_says_no_without_an_offline_fallback(office, tmp_path):
    data, keys = tmp_path / "pc1", KeyStore(MemoryKeyring())
    first_login(office, data, keys).register.wc.close()
    with pytest.raises(Refusal) as other_card:
        log_in(office.url, data, keys, REGISTRY.email, NEW, REGISTRAR.cid)
    assert "บัตร" in str(other_card.value)
    with pytest.raises(Refusal) as empty:
        log_in(office.url, data, keys, "", "", REGISTRY.cid)
    assert "กรุณากรอกชื่อผู้ใช้งานและรหัสผ่าน" in str(empty.value)


def test_an_expired_licence_refuses_to_start_with_what_to_do(office, tmp_path):
    data, keys = tmp_path / "pc1", KeyStore(MemoryKeyring())
    first_login(office, data, keys).register.wc.close()
    dead = f"http://127.0.0.1:{free_port()}"
    # two years on, still offline: the licence kept on this PC has ended
    with pytest.raises(Refusal) as late:
        log_in(dead, data, keys, REGISTRY.email, NEW, REGISTRY.cid, today=dt.date.today() + dt.timedelta(days=730))
    assert late.value.code == "licence.expired"
    assert "ใบอนุญาต" in str(late.value)


def test_a_lost_key_says_what_was_not_sent_and_a_rebuild_downloads_the_unit(office, tmp_path):
    ring = MemoryKeyring()
    data, keys = tmp_path / "pc1", KeyStore(ring)
    session = first_login(office, data, keys)
    engine = session.engine
    sent, unsent = hire(children=1), hire(children=2)
    desk = Desk.of(session.register, REGISTRY)
    for cs in (sent, unsent):
        cs.state = cs.state.DRAFT
    registry.submit(desk, sent)
    assert not engine.sync_once().errors  # on the server, waiting for review
    registry.submit(desk, unsent)  # recorded, never sent
    session.register.wc.close()
    ring.delete_password(SERVICE, key_name(UNIT))  # e.g. the Windows profile was rebuilt

    with pytest.raises(CopyNeedsRebuild) as lost:
        log_in(office.url, data, keys, REGISTRY.email, NEW, REGISTRY.cid)
    assert "มีงาน 1 รายการ" in str(lost.value) and "ไม่อยู่ในสำเนาใหม่" in str(lost.value)

    rebuilt = log_in(office.url, data, keys, REGISTRY.email, NEW, REGISTRY.cid, fresh_copy=True)
    report = rebuilt.engine.sync_once()
    assert not report.errors
    back = {c.id: c.state.value for c in rebuilt.register.changesets(UNIT)}
    assert back == {sent.id: "pending"}  # what reached the server came back; the unsent one is lost, as said
    rebuilt.register.wc.close()


def test_offline_guessing_at_the_desk_is_locked_out_like_online_and_says_so_in_thai(office, tmp_path):
    from app.offline import MAX_FAILED
    data, keys = tmp_path / "pc1", KeyStore(MemoryKeyring())
    first_login(office, data, keys).register.wc.close()
    dead = f"http://127.0.0.1:{free_port()}"  # e.g. the laptop taken home, or stolen
    for _ in range(MAX_FAILED - 1):
        with pytest.raises(Refusal) as wrong:
            log_in(dead, data, keys, REGISTRY.email, "a-guess-2569", REGISTRY.cid)
        assert wrong.value.code == "offline.wrong"
    for password in ("a-guess-2569", NEW):  # the limit is reached; then even the right password waits
        with pytest.raises(Refusal) as locked:
            log_in(dead, data, keys, REGISTRY.email, password, REGISTRY.cid)
        assert locked.value.code == "offline.locked" and "ระงับชั่วคราว" in str(locked.value)
    # online again: the server checks the password and the card, and the PC's lock is lifted
    log_in(office.url, data, keys, REGISTRY.email, NEW, REGISTRY.cid).register.wc.close()
    offline = log_in(dead, data, keys, REGISTRY.email, NEW, REGISTRY.cid)
    assert offline.online is False
    offline.register.wc.close()


class Recorded:
    """Where each kind of work ran: the HTTP of a client, the steps handed to the database worker."""

    def __init__(self) -> None:
        import threading
        self.http: set[str] = set()
        self.database: list[str] = []
        self._lock = threading.Lock()

    def client(self, url: str):
        import threading

        from sync.client import CentralClient
        recorded = self

        class Client(CentralClient):
            def _request_once(self, *args, **kw):
                with recorded._lock:
                    recorded.http.add(threading.current_thread().name)
                return super()._request_once(*args, **kw)

        return Client(url, timeout=15.0, attempts=1)

    def worker(self):
        from app.store import DbWorker
        recorded = self

        class Worker(DbWorker):
            def submit(self, fn, *args, **kwargs):
                recorded.database.append(getattr(fn, "__name__", repr(fn)))
                return super().submit(fn, *args, **kwargs)

        return Worker(name="lgo-db-test")


def test_a_log_in_talks_to_the_server_on_its_own_thread_and_touches_the_copy_only_on_the_database_worker(
        office, tmp_path):
    """As the desk runs it: the log-in on a network thread (here the test's), every step on the working copy
    handed to the database worker; the worker never makes a request. Online, then offline."""
    import threading
    data, keys = tmp_path / "pc1", KeyStore(MemoryKeyring())
    first_login(office, data, keys).register.wc.close()
    here = threading.current_thread().name
    seen = Recorded()
    worker = seen.worker()
    try:
        online = log_in(office.url, data, keys, REGISTRY.email, NEW, REGISTRY.cid, client=seen.client(office.url),
                        database=worker)
        assert online.online and online.licence.may_start
        assert seen.http == {here}  # log-in, licence and its key: none on the database worker
        assert seen.database[:2] == ["_opened_online", "_kept"]
        worker.call(online.register.wc.close)

        dead = f"http://127.0.0.1:{free_port()}"
        offline = log_in(dead, data, keys, REGISTRY.email, NEW, REGISTRY.cid, client=seen.client(dead),
                         database=worker)
        assert not offline.online and seen.database[-1] == "_offline" and seen.http == {here}
        worker.call(offline.register.wc.close)
    finally:
        worker.stop()


def test_on_a_pc_the_registry_officer_enrolled_first_the_registrars_approval_holds_on_the_server(office, tmp_path):
    from app.changeset import ReviewState
    from app.usecases import review

    data, keys = tmp_path / "pc1", KeyStore(MemoryKeyring())
    first = first_login(office, data, keys)                      # the registry officer's log-in enrols the PC
    cs = hire()
    cs.state = ReviewState.DRAFT
    registry.submit(Desk.of(first.register, REGISTRY), cs)
    assert not first.engine.sync_once().errors
    first.register.wc.close()

    then = first_login(office, data, keys, REGISTRAR)             # the registrar, later, on the same PC
    [pending] = then.register.changesets(UNIT, [ReviewState.PENDING])
    review.approve(Desk.of(then.register, REGISTRAR), [pending])
    report = then.engine.sync_once()
    assert not report.errors and then.engine.sync_problems() == []   # the signature held: enrolled for them too
    assert {c.id: c.state for c in then.register.changesets(UNIT)}[cs.id] is ReviewState.APPLIED
    then.register.wc.close()
