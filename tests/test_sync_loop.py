"""The review loop across PCs and days offline, against a real server on loopback, nothing lost or doubled."""
from __future__ import annotations

import datetime as dt

import pytest
import requests
from requests.adapters import HTTPAdapter

from app import training
from app import changeset as csmod
from app.changeset import ReviewState
from app.store import KeyStore, MemoryKeyring, RegisterStore, WorkingCopy
from app.store.device import DeviceSigner
from app.usecases import Desk, registry, review
from app.usecases import statements as rounds
from sync import enrolment
from sync.client import CentralClient
from sync.engine import SyncEngine
from sync.session import remember_officer
from tests.central import OFFICERS, REGISTRAR, REGISTRY, UNIT, hire, import_unit, ready_session


class CutAfterSending(HTTPAdapter):
    """The request reaches the server and is committed there, but the answer never comes back."""

    def __init__(self, path: str):
        super().__init__()
        self.path, self.cut = path, True

    def send(self, request, **kw):
        response = super().send(request, **kw)
        if self.cut and request.path_url.startswith(self.path):
            self.cut = False
            raise requests.ConnectionError("the link dropped before the answer arrived")
        return response


def pc(tmp_path, name: str, central, officer, session: requests.Session | None = None) -> SyncEngine:
    keys = KeyStore(MemoryKeyring())
    wc = WorkingCopy.open(tmp_path / name, UNIT, keys)
    client = CentralClient(central.url, session=session, attempts=2)
    engine = SyncEngine(RegisterStore(wc), client)
    sign_in(engine, officer)
    enrolment.enrol(client, DeviceSigner(wc), f"{name} of {officer.name}")
    engine.register.wc_keys = keys  # for a second connection to the same copy
    return engine


def sign_in(engine: SyncEngine, officer) -> None:
    """Log in online on this PC as the desk does, and remember the officer for an offline log-in."""
    password = "Lgo-" + officer.cid[-6:] + "-Desk"
    tokens = engine.client.login(officer.email, password, officer.cid)
    remember_officer(engine.register, officer.email, password, tokens.account)


def desk(engine: SyncEngine, officer) -> Desk:
    """Where the officer's actions on this PC owe the server (app.usecases)."""
    return Desk.of(engine.register, officer)


def submit(engine: SyncEngine, children: int = 1):
    """The registry officer records a hire with children, submits it, and the PC owes it to the server."""
    cs = hire(children=children)
    cs.state = ReviewState.DRAFT
    return registry.submit(desk(engine, REGISTRY), cs).changeset


def submit_with_scan(engine: SyncEngine, size: int, children: int):
    """A hire with a scanned certificate of ``size`` random bytes, submitted: the PC owes both to the server."""
    import os

    from app.store import AttachmentStore
    engine.attachments = AttachmentStore(engine.register.wc)
    sha = engine.attachments.put(b"%PDF-1.7\n" + os.urandom(size), "birth.pdf")
    cs = hire(children=children)
    cs.evidence.append(sha)
    cs.state = ReviewState.DRAFT
    return registry.submit(desk(engine, REGISTRY), cs).changeset, sha


@pytest.fixture
def office(central_sqlite, tmp_path):
    import_unit(central_sqlite, tmp_path, UNIT, training.UNIT.name, OFFICERS)
    for o in (REGISTRAR, REGISTRY):
        ready_session(central_sqlite, o)  # first log-in: the mailed password changed
    return central_sqlite


def server_records(central) -> dict:
    """The unit's records on the server (the other test unit has its own unit record there)."""
    from server.db import records
    with central.engine.connect() as conn:
        rows = conn.execute(records.select().where(records.c.unit_code == UNIT))
        return {(r.type, r.id): (r.rev, r.data) for r in rows}


def local_records(engine: SyncEngine) -> dict:
    import json
    rows = engine.conn.execute("SELECT type, id, rev, data FROM records")
    return {(t, i): (rev, json.loads(d)) for t, i, rev, d in rows}


def test_officer_submits_registrar_approves_offline_days_later_and_the_officer_sees_it_applied(office, tmp_path):
    pc1 = pc(tmp_path, "pc1", office, REGISTRY)
    laptop = pc(tmp_path, "laptop", office, REGISTRAR)
    cs = submit(pc1, children=2)
    report = pc1.sync_once()
    assert report.pushed == 1 and not report.errors and pc1.pending_count() == 0
    laptop.sync_once()  # at the office: the pending change set arrives whole
    [pending] = laptop.register.changesets(UNIT, [ReviewState.PENDING])
    assert pending.id == cs.id and len(pending.operations) == len(cs.operations)
    # At a meeting with no internet: the approval is signed on the laptop and waits in its outbox.
    laptop.client.base = "http://127.0.0.1:9/v1"
    review.approve(desk(laptop, REGISTRAR), [pending],
                   approved_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3))
    offline = laptop.sync_once()
    assert offline.offline and "ติดต่อเซิร์ฟเวอร์กลางไม่ได้" in offline.errors[0] and laptop.pending_count() == 1
    laptop.client.base = office.url + "/v1"  # days later, back online
    back = laptop.sync_once()
    assert back.approved == 1 and laptop.pending_count() == 0
    pc1.sync_once()
    [applied] = pc1.register.changesets(UNIT, [ReviewState.APPLIED])
    assert applied.id == cs.id
    assert local_records(pc1) == server_records(office)
    person = cs.operations[0].record_id
    assert {s.relation.value for s in pc1.register.spans_of(person)} >= {"self", "child"}


def test_an_approval_whose_answer_was_lost_is_applied_exactly_once(office, tmp_path):
    pc1 = pc(tmp_path, "pc1", office, REGISTRY)
    cut = requests.Session()
    cut.mount("http://", CutAfterSending("/v1/approvals"))
    laptop = pc(tmp_path, "laptop", office, REGISTRAR, session=cut)
    laptop.client.attempts = 1  # no retry inside the call: the next sync finishes the job
    submit(pc1)
    pc1.sync_once()
    laptop.sync_once()
    [pending] = laptop.register.changesets(UNIT, [ReviewState.PENDING])
    review.approve(desk(laptop, REGISTRAR), [pending])
    first = laptop.sync_once()
    assert first.offline and laptop.pending_count() == 1  # the server applied it; we do not know yet
    second = laptop.sync_once()
    assert second.approved == 1 and laptop.pending_count() == 0
    from server.db import record_history
    with office.engine.connect() as conn:
        revs = [r.rev for r in conn.execute(record_history.select().where(record_history.c.type != "unit"))]
    assert revs and set(revs) == {1}  # every record written once
    pc1.sync_once()
    laptop.sync_once()
    assert local_records(pc1) == server_records(office) == local_records(laptop)


def test_a_change_set_the_rules_refuse_comes_back_with_its_reason_before_the_registrar_sees_it(office, tmp_path):
    pc1 = pc(tmp_path, "pc1", office, REGISTRY)
    cs = hire(children=4)  # the fourth child: the server's rules refuse it as it arrives
    cs.state = ReviewState.DRAFT
    cs = registry.submit(desk(pc1, REGISTRY), cs).changeset
    pc1.sync_once()
    laptop = pc(tmp_path, "laptop", office, REGISTRAR)
    laptop.sync_once()
    assert laptop.register.changesets(UNIT, [ReviewState.PENDING]) == []
    [back] = pc1.register.changesets(UNIT, [ReviewState.RETURNED])
    assert "บุตรคนที่ 4" in back.return_reason
    assert set(server_records(office)) == {("unit", UNIT)}  # nothing applied: the unit's own record only


def test_a_change_set_the_server_refuses_outright_comes_back_to_its_author_to_correct(office, tmp_path):
    from app.changeset import Op, Operation
    pc1 = pc(tmp_path, "pc1", office, REGISTRY)
    cs = hire(children=0)
    cs.operations.append(Operation(Op.UPDATE, "person", cs.operations[0].record_id, {"nickname": "x"}, 1))
    cs.state = ReviewState.DRAFT  # (a field no record has: as an older or modified program might send)
    cs = registry.submit(desk(pc1, REGISTRY), cs).changeset
    report = pc1.sync_once()
    assert any("ไม่ถูกรูปแบบ" in e for e in report.errors)
    [back] = pc1.register.changesets(UNIT, [ReviewState.RETURNED])
    assert back.id == cs.id and "ไม่ถูกรูปแบบ" in back.return_reason  # editable again, with the reason
    assert set(server_records(office)) == {("unit", UNIT)}


def test_on_a_shared_pc_each_officers_work_goes_out_under_their_own_log_in(office, tmp_path):
    shared = pc(tmp_path, "shared", office, REGISTRY)
    cs = submit(shared)  # queued, not yet sent: the officer logs out and the registrar sits down
    registrar = SyncEngine(shared.register, CentralClient(office.url, attempts=2))
    sign_in(registrar, REGISTRAR)
    report = registrar.sync_once()
    assert report.errors == [] and registrar.pending_count() == 1  # left for its author, not refused
    assert shared.register.changesets(UNIT, [ReviewState.RETURNED]) == []
    sign_in(shared, REGISTRY)
    shared.sync_once()
    assert shared.pending_count() == 0
    with office.engine.begin() as conn:
        assert conn.exec_driver_sql("SELECT id, state FROM changesets").all() == [(cs.id, "pending")]


def test_a_closed_period_keeps_the_change_set_queued_until_it_opens(office, tmp_path):
    from server import cli
    pc1 = pc(tmp_path, "pc1", office, REGISTRY)
    url = office.engine.url.render_as_string(hide_password=False)
    today = dt.date.today()
    cli.main(["--db", url, "calendar", "add", "processing", (today - dt.timedelta(days=1)).isoformat(),
              (today + dt.timedelta(days=3)).isoformat(), "ประมวลผล"])
    submit(pc1)
    closed = pc1.sync_once()
    assert closed.pushed == 0 and pc1.pending_count() == 1 and "ปิดรับข้อมูล" in closed.errors[0]
    from server.db import periods
    with office.engine.begin() as conn:
        conn.execute(periods.delete())  # NHSO opens the register again
    assert pc1.sync_once().pushed == 1 and pc1.pending_count() == 0


def test_a_tampered_approval_is_refused_and_kept_as_an_error_not_retried_forever(office, tmp_path):
    import json
    pc1 = pc(tmp_path, "pc1", office, REGISTRY)
    laptop = pc(tmp_path, "laptop", office, REGISTRAR)
    submit(pc1)
    pc1.sync_once()
    laptop.sync_once()
    [pending] = laptop.register.changesets(UNIT, [ReviewState.PENDING])
    review.approve(desk(laptop, REGISTRAR), [pending])
    with laptop.register.wc.transaction() as conn:
        payload = json.loads(conn.execute("SELECT payload FROM outbox WHERE kind = 'approve'").fetchone()[0])
        payload["signature"] = payload["signature"][:-4] + "AAA="
        conn.execute("UPDATE outbox SET payload = ? WHERE kind = 'approve'", (json.dumps(payload),))
    report = laptop.sync_once()
    assert report.errors and "ลายมือชื่ออิเล็กทรอนิกส์" in report.errors[0]
    state = laptop.conn.execute("SELECT sync_state FROM outbox WHERE kind = 'approve'").fetchone()[0]
    assert state == "error" and laptop.pending_count() == 0
    assert set(server_records(office)) == {("unit", UNIT)}  # nothing applied: the unit's own record only


def test_a_revoked_account_cannot_sync_and_is_told_so(office, tmp_path):
    from sqlalchemy import update

    from server.db import accounts
    pc1 = pc(tmp_path, "pc1", office, REGISTRY)
    submit(pc1)
    with office.engine.begin() as conn:
        conn.execute(update(accounts).where(accounts.c.cid == REGISTRY.cid).values(active=False))
    report = pc1.sync_once()
    assert report.pushed == 0 and "สิ้นสุดแล้ว" in report.errors[0] and pc1.pending_count() == 1


def test_an_attachment_upload_cut_halfway_is_finished_by_the_next_sync(office, tmp_path):
    import hashlib


    class CutMidUpload(HTTPAdapter):
        def __init__(self):
            super().__init__()
            self.puts = 0

        def send(self, request, **kw):
            if request.method == "PUT":
                self.puts += 1
                if self.puts == 2:
                    raise requests.ConnectionError("the link dropped mid-upload")
            return super().send(request, **kw)

    cut = requests.Session()
    cut.mount("http://", CutMidUpload())
    pc1 = pc(tmp_path, "pc1", office, REGISTRY, session=cut)
    pc1.client.attempts = 1
    cs, sha = submit_with_scan(pc1, 700_000, children=1)
    first = pc1.sync_once()
    assert first.offline and pc1.pending_count() == 1
    second = pc1.sync_once()
    assert second.pushed == 1
    got = requests.get(f"{office.url}/v1/blobs/{sha}", headers={"Authorization": f"Bearer {pc1.client.access_token}"},
                       timeout=30)
    assert hashlib.sha256(got.content).hexdigest() == sha


def test_a_scanned_document_reaches_the_registrars_laptop_labelled_and_opens_there_offline(office, tmp_path):
    """The officer scans a birth certificate on the training flatbed (SANE's test device through scanimage);
    the registrar's laptop downloads it with the change set, keeps it encrypted, and opens it offline.
    A download cut on the way is finished by the next sync."""
    import hashlib

    from app.store import AttachmentStore
    from scan import SaneScanner

    class CutFirstDownload(HTTPAdapter):
        def __init__(self):
            super().__init__()
            self.cut = True

        def send(self, request, **kw):
            if request.method == "GET" and "/blobs/" in request.path_url and self.cut:
                self.cut = False
                raise requests.ConnectionError("the link dropped during the download")
            return super().send(request, **kw)

    page = SaneScanner().scan()
    pc1 = pc(tmp_path, "pc1", office, REGISTRY)
    pc1.attachments = AttachmentStore(pc1.register.wc)
    sha = pc1.attachments.put(page, "สูติบัตร")
    cs = hire(children=1)
    cs.evidence, cs.evidence_labels = [sha], {sha: "สูติบัตร"}
    cs.state = ReviewState.DRAFT
    cs = registry.submit(desk(pc1, REGISTRY), cs).changeset
    assert pc1.sync_once().pushed == 1

    cut = requests.Session()
    cut.mount("http://", CutFirstDownload())
    laptop = pc(tmp_path, "laptop", office, REGISTRAR, session=cut)
    laptop.client.attempts = 1
    laptop.attachments = AttachmentStore(laptop.register.wc)
    first = laptop.sync_once()
    assert first.offline and not laptop.attachments.has(sha)
    second = laptop.sync_once()
    assert second.fetched == 1 and not second.errors
    [pending] = laptop.register.changesets(UNIT, [ReviewState.PENDING])
    assert pending.evidence_labels == {sha: "สูติบัตร"}
    laptop.client.base = "http://127.0.0.1:9/v1"  # at the meeting, offline
    stored = laptop.attachments.get(sha)
    assert stored == page and hashlib.sha256(stored).hexdigest() == sha and stored.startswith(b"\xff\xd8\xff")
    assert laptop.attachments.info(sha) == ("image/jpeg", len(page))
    on_disk = next(laptop.attachments.folder.rglob(f"{sha}.bin")).read_bytes()
    assert page[:64] not in on_disk  # encrypted at rest, like everything on the laptop
    # The label is part of what the registrar signs: it cannot be changed on the way without the approval failing.
    before = csmod.canonical_digest(pending)
    pending.evidence_labels[sha] = "เอกสารอื่น"
    assert csmod.canonical_digest(pending) != before


def test_an_empty_working_copy_is_rebuilt_from_the_server_with_what_is_under_review(office, tmp_path):
    from app import training as training_data
    from server.training import put_register
    with office.engine.begin() as conn:  # a register that never went through the feed
        put_register(conn, training_data.generate(staff=40))
    pc1 = pc(tmp_path, "pc1", office, REGISTRY)
    cs = submit(pc1)
    pc1.sync_once()
    fresh = pc(tmp_path, "rebuilt", office, REGISTRAR)  # e.g. a laptop whose copy had to be set aside
    steps = []
    report = fresh.sync_once(progress=lambda what, done, total: steps.append(what))
    assert report.pulled > 100 and "records" in steps
    assert local_records(fresh) == server_records(office)
    assert [c.id for c in fresh.register.changesets(UNIT, [ReviewState.PENDING])] == [cs.id]
    today = dt.date(2026, 11, 23)
    assert len(fresh.register.entitled_on(UNIT, today)) > 40  # entitlement derived locally from what came
    assert fresh.sync_once().pulled == 0  # nothing new: nothing pulled


def test_two_pcs_change_the_same_record_the_second_gets_a_comparison_and_a_merge(office, tmp_path):
    import json

    from app import events
    from app.conflicts import merge
    from app.records import from_dict
    pc1 = pc(tmp_path, "pc1", office, REGISTRY)
    laptop = pc(tmp_path, "laptop", office, REGISTRAR)
    cs = submit(pc1, children=0)
    pc1.sync_once()
    laptop.sync_once()
    [p] = laptop.register.changesets(UNIT, [ReviewState.PENDING])
    review.approve(desk(laptop, REGISTRAR), [p])
    laptop.sync_once()
    pc1.sync_once()
    job_op = next(o for o in cs.operations if o.record_type == "employment")
    job, rev = pc1.register.get("employment", job_op.record_id)
    me = events.Known(pc1.register.person(cs.operations[0].record_id), 1)
    # PC 1 records a resignation; someone else, from the same base, corrects the position.
    a = events.end_service(UNIT, REGISTRY.cid, me, events.Known(job, rev), dt.date(2027, 1, 1),
                           events.EndReason.RESIGNATION)
    b = events.correct(UNIT, REGISTRY.cid, events.Known(job, rev), "แก้ไขตำแหน่ง",
                       position="นักวิเคราะห์นโยบายและแผนชำนาญการ")
    a, b = (registry.submit(desk(pc1, REGISTRY), x).changeset for x in (a, b))
    pc1.sync_once()
    laptop.sync_once()
    for x in (a, b):
        [staged] = [c for c in laptop.register.changesets(UNIT, [ReviewState.PENDING]) if c.id == x.id]
        review.approve(desk(laptop, REGISTRAR), [staged])
    laptop.sync_once()
    answer = json.loads(laptop.conn.execute("SELECT answer FROM outbox WHERE id = ?", (f"approve:{b.id}",)
                                            ).fetchone()[0])
    assert answer["status"] == "conflict"
    current = {(c["record_type"], c["key"]): (c["rev"], c["data"]) for c in answer["current"]}
    bases = {("employment", job.id): dict(pc1.register.history("employment", job.id)[rev - 1][1])}
    merged, left = merge(b, current, bases)
    assert left == []  # they ended the service; we changed the position: no field overlaps
    assert merged.operations[0].base_rev == 2 and merged.operations[0].fields == {
        "position": "นักวิเคราะห์นโยบายและแผนชำนาญการ"}
    merged = registry.submit(desk(pc1, REGISTRY), merged).changeset
    pc1.sync_once()
    laptop.sync_once()
    [m] = [c for c in laptop.register.changesets(UNIT, [ReviewState.PENDING]) if c.id == merged.id]
    review.approve(desk(laptop, REGISTRAR), [m])
    laptop.sync_once()
    pc1.sync_once()
    final, final_rev = pc1.register.get("employment", job.id)
    assert final_rev == 3 and final.end_reason is events.EndReason.RESIGNATION
    assert final.position == "นักวิเคราะห์นโยบายและแผนชำนาญการ"
    assert from_dict("employment", server_records(office)[("employment", job.id)][1]) == final


def test_the_background_service_syncs_after_a_change_and_reports_its_status(office, tmp_path):
    import queue

    from sync.service import SyncService
    pc1 = pc(tmp_path, "pc1", office, REGISTRY)
    path = pc1.register.wc.path
    statuses: queue.Queue = queue.Queue()

    def engine():  # the service's own connection to the same working copy
        wc = WorkingCopy.open(path.parent, UNIT, pc1.register.wc_keys)
        return SyncEngine(RegisterStore(wc), pc1.client)

    service = SyncService(engine, statuses.put, interval=3600, after_change=0.1)
    service.start()
    try:
        def settled():
            while True:
                s = statuses.get(timeout=30)
                if not s.running:
                    return s
        first = settled()
        assert first.online is True and first.unsynced == 0 and first.last_success is not None
        submit(pc1)
        service.changed()
        after = settled()
        assert after.online is True and after.unsynced == 0
        pc1.client.base = "http://127.0.0.1:9/v1"  # the link goes down
        submit(pc1)
        service.sync_now()
        down = settled()
        assert down.online is False and down.unsynced == 1 and "ติดต่อเซิร์ฟเวอร์กลางไม่ได้" in down.errors[0]
        assert down.last_success == after.last_success
    finally:
        service.stop()


def test_after_an_online_log_in_the_officer_can_log_in_offline_on_that_pc(office, tmp_path):
    from app.offline import offline_login
    laptop = pc(tmp_path, "laptop", office, REGISTRAR)
    acc = offline_login(laptop.conn, REGISTRAR.email, "Lgo-" + REGISTRAR.cid[-6:] + "-Desk", REGISTRAR.cid,
                        dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3))
    assert acc.role == "registrar" and acc.unit_code == UNIT


class CutBefore(HTTPAdapter):
    """The link drops before the n-th request matching ``method path`` reaches the server."""

    def __init__(self, method: str, path: str, nth: int = 1):
        super().__init__()
        self.method, self.path, self.nth, self.seen = method, path, nth, 0

    def send(self, request, **kw):
        if request.method == self.method and request.path_url.startswith(self.path):
            self.seen += 1
            if self.seen == self.nth:
                raise requests.ConnectionError("the link dropped before the request left")
        return super().send(request, **kw)


def test_a_pull_cut_between_pages_and_a_push_cut_before_sending_are_finished_by_the_next_sync(office, tmp_path):
    pc1 = pc(tmp_path, "pc1", office, REGISTRY)
    laptop = pc(tmp_path, "laptop", office, REGISTRAR)
    pc2 = pc(tmp_path, "pc2", office, REGISTRY)
    pc2.sync_once()  # an up-to-date PC that will fall behind
    for _ in range(3):
        cs = submit(pc1)
    pc1.sync_once()
    laptop.sync_once()
    for p in laptop.register.changesets(UNIT, [ReviewState.PENDING]):
        review.approve(desk(laptop, REGISTRAR), [p])
    laptop.sync_once()
    # pc2 catches up in small pages; the link drops before the second page.
    cut = requests.Session()
    cut.mount("http://", CutBefore("GET", "/v1/feed", nth=2))
    pc2.client.http, pc2.client.attempts, pc2.page_size = cut, 1, 4
    before = pc2.cursor
    first = pc2.sync_once()
    assert first.offline and first.pulled == 4 and pc2.cursor > before  # the page that came is in, with its cursor
    second = pc2.sync_once()
    assert second.pulled > 0 and not second.errors
    assert local_records(pc2) == server_records(office)
    # A push whose request never left: it stays queued and goes next time, once.
    cut_push = requests.Session()
    cut_push.mount("http://", CutBefore("POST", "/v1/changesets"))
    pc1.client.http = cut_push
    pc1.client.attempts = 1
    cs = submit(pc1)
    assert pc1.sync_once().offline and pc1.pending_count() == 1
    assert pc1.sync_once().pushed == 1 and pc1.pending_count() == 0
    staged = [c.id for c in laptop.client.staged("pending")]
    assert staged.count(cs.id) == 1


def test_the_licence_is_renewed_online_and_checked_offline_at_start_up(office, tmp_path):
    from sync.licence import LicenceState
    pc1 = pc(tmp_path, "pc1", office, REGISTRY)
    today = dt.date.today()
    wc = pc1.register.wc
    assert enrolment.licence(wc, "PC-01", "0.1.0", today).state is LicenceState.INVALID  # never renewed yet
    enrolment.renew_licence(pc1.client, wc, "PC-01", "0.1.0")
    pc1.client.base = "http://127.0.0.1:9/v1"  # offline from now on
    ok = enrolment.licence(wc, "PC-01", "0.1.0", today)
    assert ok.may_start
    assert not enrolment.licence(wc, "PC-01", "0.1.0", ok.valid_until).may_start


class ServerProcess:
    """``lgo-central serve`` as its own process on the office's database, so it can be killed (SIGKILL) at any
    point of a request and started again on the same port, the way a server crashes and is restarted."""

    def __init__(self, db_url: str, tmp_path):
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.db_url, self.log = db_url, tmp_path / "central-process.log"
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.kills = 0

    def start(self) -> None:
        import os
        import subprocess
        import sys
        import time
        from pathlib import Path
        root = Path(__file__).resolve().parent.parent
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "server.cli", "--db", self.db_url, "serve",
                                          "--port", str(self.port)], cwd=root, stdout=log, stderr=log,
                                         env={**os.environ, "PYTHONPATH": str(root)})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text(errors="replace")
            try:
                if requests.get(f"{self.url}/v1/health", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.05)
        raise AssertionError("the central server process did not start")

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL: no clean shutdown, whatever was in flight is cut
        self.proc.wait(10)
        self.kills += 1


class KillServer(HTTPAdapter):
    """Kills the server process at the n-th request matching ``method path``: ``before`` it is sent (the
    request meets a dead server) or ``after`` the server answered (it committed; the answer is lost with it)."""

    def __init__(self, server: ServerProcess):
        super().__init__()
        self.server, self.plan, self.seen = server, None, 0

    def arm(self, method: str, path: str, when: str, nth: int = 1) -> None:
        self.plan, self.seen = (method, path, when, nth), 0

    def send(self, request, **kw):
        if self.plan and request.method == self.plan[0] and request.path_url.startswith(self.plan[1]):
            self.seen += 1
            if self.seen == self.plan[3]:
                when, self.plan = self.plan[2], None
                if when == "before":
                    self.server.kill()
                    return super().send(request, **kw)  # meets a closed port: a real connection error
                super().send(request, **kw)
                self.server.kill()
                raise requests.ConnectionError("the server died before its answer reached the PC")
        return super().send(request, **kw)


@pytest.fixture
def server_process(office, tmp_path):
    db_url = str(office.engine.url)
    proc = ServerProcess(db_url, tmp_path)
    proc.start()
    yield proc
    if proc.proc.poll() is None:
        proc.kill()


def test_the_server_process_killed_at_every_step_loses_nothing_and_doubles_nothing(office, server_process, tmp_path):
    """The officer's PC sends a hire with a scanned certificate, the registrar's laptop approves it and another
    PC follows the feed, while the server process is killed at each step and started again."""
    import hashlib

    from server.db import changesets, record_history

    def connected(name: str, officer) -> tuple[SyncEngine, KillServer]:
        link = KillServer(server_process)
        http = requests.Session()
        http.mount("http://", link)
        engine = pc(tmp_path, name, server_process, officer, session=http)
        engine.client.attempts = 1  # no retry inside a call: the next sync finishes the job
        return engine, link

    def killed_then_finished(engine: SyncEngine, link: KillServer, method: str, path: str, when: str, nth=1):
        link.arm(method, path, when, nth)
        cut = engine.sync_once()
        assert link.plan is None, f"the kill at {method} {path} {when} was never reached"
        assert cut.offline and "ติดต่อเซิร์ฟเวอร์กลางไม่ได้" in cut.errors[0]
        server_process.start()
        return cut

    pc1, link1 = connected("pc1", REGISTRY)
    laptop, link_laptop = connected("laptop", REGISTRAR)
    pc2, link2 = connected("pc2", REGISTRY)
    pc2.sync_once()
    # The laptop's first download of the unit's register is cut halfway and finished.
    killed_then_finished(laptop, link_laptop, "GET", "/v1/changesets", "after")

    cs, sha = submit_with_scan(pc1, 600_000, children=2)  # three pieces of 256 KiB
    # The attachment: before it starts, in the middle of it, and after its last piece was stored.
    killed_then_finished(pc1, link1, "HEAD", "/v1/blobs/", "before")
    killed_then_finished(pc1, link1, "PUT", "/v1/blobs/", "before", nth=2)
    killed_then_finished(pc1, link1, "PUT", "/v1/blobs/", "after", nth=2)
    # The push: before it reaches the server, then after the server committed it.
    killed_then_finished(pc1, link1, "POST", "/v1/changesets", "before")
    assert pc1.pending_count() == 1
    killed_then_finished(pc1, link1, "POST", "/v1/changesets", "after")
    assert pc1.pending_count() == 1  # the PC cannot know the server has it
    done = pc1.sync_once()
    assert done.pushed == 1 and not done.errors and pc1.pending_count() == 0
    # The registrar's laptop: the pull cut, then the approval before and after the server's commit.
    killed_then_finished(laptop, link_laptop, "GET", "/v1/feed", "before")
    laptop.sync_once()
    [pending] = laptop.register.changesets(UNIT, [ReviewState.PENDING])
    assert pending.id == cs.id and pending.evidence == [sha]
    review.approve(desk(laptop, REGISTRAR), [pending])
    killed_then_finished(laptop, link_laptop, "POST", "/v1/approvals", "before")
    killed_then_finished(laptop, link_laptop, "POST", "/v1/approvals", "after")
    again = laptop.sync_once()
    assert again.approved == 1 and not again.errors and laptop.pending_count() == 0
    # Another PC of the unit follows the feed in small pages while the server dies halfway.
    pc2.page_size = 2
    killed_then_finished(pc2, link2, "GET", "/v1/feed", "before", nth=3)
    for engine in (pc1, laptop, pc2):
        assert not engine.sync_once().errors
    assert server_process.kills == 10
    # Exactly once: every record written once, the change set staged once and applied, the scan whole.
    with office.engine.connect() as conn:
        revs = [r.rev for r in conn.execute(record_history.select().where(record_history.c.type != "unit"))]
        states = [r.state for r in conn.execute(changesets.select().where(changesets.c.id == cs.id))]
    assert len(revs) == len(cs.operations) and set(revs) == {1}  # each record of the hire written once
    assert states == ["applied"]
    got = requests.get(f"{server_process.url}/v1/blobs/{sha}", timeout=30,
                       headers={"Authorization": f"Bearer {pc1.client.access_token}"})
    assert hashlib.sha256(got.content).hexdigest() == sha
    # Both sides agree: every PC holds what the server holds.
    assert local_records(pc1) == local_records(laptop) == local_records(pc2) == server_records(office)
    for engine in (pc1, laptop, pc2):
        [mine] = [c for c in engine.register.changesets(UNIT, None) if c.id == cs.id]
        assert mine.state is ReviewState.APPLIED


def test_work_saved_while_a_sync_is_sending_stays_queued_for_the_next_one(office, tmp_path):
    """The sync thread is in the middle of sending; on the window's own connection the officer sends another
    change set. The running sync must not count it as sent: it stays queued and the next sync sends it."""

    class SaveWhileSending(HTTPAdapter):
        def __init__(self):
            super().__init__()
            self.during = None

        def send(self, request, **kw):
            if self.during and request.method == "POST" and request.path_url.startswith("/v1/changesets"):
                self.during, act = None, self.during
                act()
            return super().send(request, **kw)

    link = SaveWhileSending()
    http = requests.Session()
    http.mount("http://", link)
    sync_side = pc(tmp_path, "pc1", office, REGISTRY, session=http)
    window = SyncEngine(RegisterStore(WorkingCopy.open(sync_side.register.wc.path.parent, UNIT,
                                                       sync_side.register.wc_keys)), sync_side.client)
    first = submit(window)
    later = []
    link.during = lambda: later.append(submit(window))
    report = sync_side.sync_once()
    assert later, "the second change set was never saved during the upload"
    assert report.pushed == 1 and window.pending_count() == 1
    again = sync_side.sync_once()
    assert again.pushed == 1 and window.pending_count() == 0
    staged = [c.id for c in sync_side.client.staged("pending")]
    assert sorted(staged) == sorted([first.id, later[0].id])


def test_a_confirmation_round_statement_reaches_the_laptop_shows_what_changed_and_is_confirmed_offline(office,
                                                                                                       tmp_path):
    from app import statements
    from server.statements import issue

    def issue_on(day: dt.date) -> str:
        with office.engine.begin() as conn:
            return issue(conn, UNIT, day)

    pc1 = pc(tmp_path, "pc1", office, REGISTRY)
    laptop = pc(tmp_path, "laptop", office, REGISTRAR)
    enrolment.renew_licence(laptop.client, laptop.register.wc, "laptop-install", "0.1.0")  # keeps the server's key: statements are checked with it
    first_id = issue_on(dt.date(2026, 10, 1))   # last round's: nobody yet
    cs = submit(pc1, children=2)
    pc1.sync_once()
    laptop.sync_once()
    [pending] = laptop.register.changesets(UNIT, [ReviewState.PENDING])
    review.approve(desk(laptop, REGISTRAR), [pending])
    laptop.sync_once()
    second_id = issue_on(dt.date(2026, 11, 1))  # this round's: the hire and two children
    report = laptop.sync_once()
    assert report.statements == 1 and not report.errors
    held = laptop.held_statements.all()
    assert [s.id for s in held] == [second_id, first_id]
    current, previous = held
    key = laptop.held_statements.server_key()
    assert statements.verify(current, key) and statements.verify(previous, key)
    import copy
    tampered = statements.Statement.from_json(copy.deepcopy(current.to_json()))
    tampered.body["counts"]["dependents"] = 1
    assert not statements.verify(tampered, key)
    assert statements.previous_of(held, current).id == first_id
    diffs = statements.differences(previous, current)
    assert sorted(d.change_th for d in diffs) == ["เพิ่ม"] * 3
    assert {d.relation_th for d in diffs} == {"ผู้มีสิทธิ", "บุตร"}
    assert statements.counts_th(previous, current) == "ผู้มีสิทธิ 1 คน (+1) · ผู้มีสิทธิร่วม 2 คน (+2)"
    person = cs.operations[0].record_id
    assert all(d.via_cid in ("", person) for d in diffs)

    # confirmed at a meeting with no internet: it waits, and says so
    laptop.client.base = "http://127.0.0.1:9/v1"
    rounds.confirm(desk(laptop, REGISTRAR), current)
    assert laptop.sync_once().offline and laptop.pending_count() == 1
    assert laptop.held_statements.all()[0].state_th == "ยืนยันแล้ว รอส่งเมื่อซิงก์"
    laptop.client.base = office.url + "/v1"
    back = laptop.sync_once()
    assert back.confirmed == 1 and laptop.pending_count() == 0
    laptop.sync_once()  # the feed brings it back as the server holds it
    confirmed = laptop.held_statements.all()[0]
    assert confirmed.confirmed_by == REGISTRAR.cid and not confirmed.confirm_queued
    assert confirmed.state_th == "ยืนยันแล้ว"
    # a confirmation the server refuses (a statement it does not hold for the unit) is said, and the statement
    # is not shown confirmed
    import uuid
    stray = statements.Statement.from_json({**copy.deepcopy(previous.to_json()), "id": str(uuid.uuid4())})
    rounds.confirm(desk(laptop, REGISTRAR), stray)
    refused = laptop.sync_once()
    assert any("ไม่พบบัญชีรายชื่อนี้" in e for e in refused.errors) and laptop.pending_count() == 0
    assert next(s for s in laptop.held_statements.all() if s.id == stray.id).state_th == "รอนายทะเบียนยืนยัน"
    # the registrar's acts go out only under the registrar's log-in: queued on the officer's session, it waits
    pc1.sync_once()
    older = next(s for s in pc1.held_statements.all() if s.id == first_id)
    rounds.confirm(desk(pc1, REGISTRAR), older)
    assert not pc1.sync_once().errors and pc1.pending_count() == 1
    # a PC that starts afresh gets the unit's statements too
    fresh = pc(tmp_path, "fresh", office, REGISTRAR)
    fresh.sync_once()
    assert [s.id for s in fresh.held_statements.all()] == [second_id, first_id]


CRASH_AT_THE_OUTBOX = r"""
import json, os, signal, sys
from pathlib import Path

import sqlcipher3.dbapi2 as sqlite

from app import changeset as csmod
from app.domain import Officer, Role
from app.statements import Statement
from app.store import KeyStore, MemoryKeyring, RegisterStore, WorkingCopy
from app.store.db import key_name
from app.usecases import Desk, registry, review
from app.usecases import statements as rounds

args = json.loads(sys.stdin.read())
keys = KeyStore(MemoryKeyring())
keys.put(key_name(args["unit"]), bytes.fromhex(args["key"]))
wc = WorkingCopy.open(Path(args["dir"]), args["unit"], keys)
officer = Officer(**{**args["officer"], "role": Role(args["officer"]["role"])})
desk = Desk.of(RegisterStore(wc), officer)


def die_at_the_outbox(action, table, *_rest):
    # The process dies the moment the outbox row is about to be written: whatever was saved before it is
    # either committed (two transactions) or in an open transaction (one), and SIGKILL leaves no clean-up.
    if action == sqlite.SQLITE_INSERT and table == "outbox":
        os.kill(os.getpid(), signal.SIGKILL)
    return sqlite.SQLITE_OK


wc.conn.set_authorizer(die_at_the_outbox)
cs = csmod.from_json(args["cs"])
if args["what"] == "queue_confirm":
    rounds.confirm(desk, Statement.from_json(args["statement"]))
elif args["what"] == "queue_pushes":  # what registry.merge keeps in its one transaction
    with desk.transaction() as conn:
        for step in args["merge"]:
            registry.owe_push_in(conn, desk, csmod.from_json(step))
elif args["what"] == "queue_push":
    registry.submit(desk, cs)
elif args["what"] == "queue_return":
    review.return_(desk, cs, "เอกสารไม่ครบ")
else:
    review.approve(desk, [cs])
print("not killed")
"""


@pytest.mark.parametrize("what", ["queue_push", "queue_return", "queue_approval", "queue_confirm", "queue_pushes"])
def test_a_crash_between_saving_and_queuing_leaves_both_or_neither_and_nothing_pending_unsent(tmp_path, what):
    """The PC dies (SIGKILL) after the change set (or the confirmed statement) was saved and before its outbox
    row was written. Opened again, the copy holds both or neither: never work shown as sent that never goes.
    queue_pushes is the officer's merge: the returned change set cancelled and the merged one submitted."""
    import json
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from app.statements import Statement
    from app.store.db import key_name
    root = Path(__file__).resolve().parent.parent
    keys = KeyStore(MemoryKeyring())
    wc = WorkingCopy.open(tmp_path / "pc", UNIT, keys)
    register = RegisterStore(wc)
    cs = hire(children=1)
    cs.state = ReviewState.DRAFT
    if what != "queue_push":  # (queue_push: the child submits it)
        cs.submit(REGISTRY)
    statement = Statement("st-1", dt.date(2026, 11, 1), {"counts": {}, "people": []}, "c2lnbmF0dXJl")
    before = None
    if what in ("queue_return", "queue_approval"):
        register.save_changeset(cs)  # a pending change set the registrar's PC pulled from the server
        before = ReviewState.PENDING  # (the child returns or approves it)
        if what == "queue_approval":
            DeviceSigner(wc).public_key_b64()  # this PC's key, made at its enrolment
            with wc.transaction() as conn:
                conn.execute("INSERT INTO meta (key, value) VALUES ('device_id', 'dev-1')")
    merge = []
    if what == "queue_pushes":
        cs.return_(REGISTRAR, "ข้อมูลขัดแย้ง")
        register.save_changeset(cs)  # returned to the officer, as the feed brought it
        before = ReviewState.RETURNED
        merged = hire(children=1)
        merged.state = ReviewState.DRAFT
        merged.submit(REGISTRY)
        cs.cancel(REGISTRY)
        merge = [csmod.to_json(cs), csmod.to_json(merged)]
    if what == "queue_confirm":
        with wc.transaction() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)",
                         (f"statement:{statement.id}", json.dumps(statement.to_json())))
    wc.close()
    acting = REGISTRAR if what in ("queue_return", "queue_approval", "queue_confirm") else REGISTRY
    officer = {"cid": acting.cid, "name": acting.name, "position": acting.position, "role": acting.role.value,
               "unit_code": acting.unit_code, "email": acting.email}

    child = subprocess.run(
        [sys.executable, "-c", CRASH_AT_THE_OUTBOX], cwd=root, capture_output=True, timeout=120,
        input=json.dumps({"unit": UNIT, "dir": str(tmp_path / "pc"), "key": keys.get(key_name(UNIT)).hex(),
                          "what": what, "cs": csmod.to_json(cs), "statement": statement.to_json(),
                          "merge": merge, "officer": officer}).encode())
    assert child.returncode == -signal.SIGKILL, child.stderr.decode(errors="replace")[-2000:]

    reopened = WorkingCopy.open(tmp_path / "pc", UNIT, keys)
    try:
        assert reopened.integrity_ok()
        queued = reopened.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
        assert queued == 0  # the process died before the outbox row was written ...
        if what == "queue_confirm":
            held = json.loads(reopened.conn.execute("SELECT value FROM meta WHERE key = ?",
                                                    (f"statement:{statement.id}",)).fetchone()[0])
            assert not held["confirm_queued"]  # ... so the statement is not shown "confirmed, waiting to be sent"
        else:
            found = reopened.conn.execute("SELECT state FROM changesets WHERE id = ?", (cs.id,)).fetchone()
            # ... so the change set is as it was before: not shown submitted, returned or approved
            assert (found[0] if found else None) == (before.value if before else None)
        if what == "queue_pushes":  # the merged change set is not there either: the officer merges again
            assert reopened.conn.execute("SELECT count(*) FROM changesets").fetchone()[0] == 1
        if what == "queue_push":  # no work of this PC's officer is "pending" without being owed to the server
            assert RegisterStore(reopened).changesets(UNIT, [ReviewState.PENDING]) == []
    finally:
        reopened.close()


# --- the real server behind a small ASGI wrapper that misbehaves on purpose (in the test, not in the server) --

class Served:
    """The office's server (same database, same blobs) served again on its own port, its app wrapped."""

    def __init__(self, office, tmp_path, wrap):
        import threading
        import time

        import uvicorn

        from server.api import create_app
        from tests.central import free_port
        self.app = wrap(create_app(office.engine, tmp_path / "blobs"))
        port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert time.monotonic() < deadline, "the wrapped central server did not start"
            time.sleep(0.02)
        self.url, self.engine = f"http://127.0.0.1:{port}", office.engine

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


async def _body(receive) -> bytes:
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    return body


def _replay(body: bytes):
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}
    return receive


async def _answer(send, status: int, body: bytes, kind: bytes = b"application/json") -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", kind)]})
    await send({"type": "http.response.body", "body": body})


class RefreshReuseDetector:
    """Answers as a server with refresh-token reuse detection will (OAuth 2.0 Security BCP): a refresh token
    presented a second time is refused. It also holds every refresh until ``expect`` calls have been refused
    for their access token, so threads that all find their token run out really do ask at the same time."""

    def __init__(self, app, expect: int):
        self.app, self.expect = app, expect
        self.presented: list[str] = []
        self.reused = 0
        self.refused = 0

    async def __call__(self, scope, receive, send):
        import asyncio
        import json
        import time
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["path"].endswith("/auth/refresh"):
            body = await _body(receive)
            token = json.loads(body).get("refresh_token", "")
            deadline = time.monotonic() + 10
            while self.refused < self.expect and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            if token in self.presented:
                self.reused += 1
                return await _answer(send, 401, json.dumps({
                    "code": "auth.refresh_reused", "message_th": "การเข้าสู่ระบบนี้สิ้นสุดแล้ว กรุณาเข้าสู่ระบบใหม่",
                    "message_en": "A spent refresh token was presented: the session is ended."}).encode())
            self.presented.append(token)
            return await self.app(scope, _replay(body), send)

        async def counting(message):
            if message["type"] == "http.response.start" and message["status"] == 401:
                self.refused += 1
            await send(message)
        return await self.app(scope, receive, counting)


def test_threads_sharing_a_session_renew_its_token_once_and_never_present_a_spent_refresh_token(office, tmp_path):
    """The sync thread, the database worker and a document download share one client. When its access token
    runs out they all find it at once; one of them renews it and the others use the new token — a second
    refresh with the same token would, on a server with reuse detection, log the officer out."""
    import threading

    threads = 6
    served = Served(office, tmp_path, lambda app: RefreshReuseDetector(app, threads))
    try:
        detector = served.app
        pc1 = pc(tmp_path, "pc1", served, REGISTRY)
        submit(pc1)
        assert pc1.sync_once().pushed == 1
        client = pc1.client
        before = client.refresh_token
        client.access_token = client.access_token[:-6] + "AAAAAA"  # refused, as after its ten minutes
        start = threading.Barrier(threads)
        answers, failures = [], []

        def work(n: int) -> None:
            start.wait(timeout=30)
            try:
                answers.append(client.staged("pending") if n % 2 else client.feed(0, 10))
            except Exception as e:  # noqa: BLE001 — the test reports every failure
                failures.append(f"{type(e).__name__}: {e}")

        running = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
        for t in running:
            t.start()
        for t in running:
            t.join(60)
        assert failures == [] and len(answers) == threads  # every thread got its answer
        assert detector.refused == threads                 # each found the token run out ...
        assert len(detector.presented) == 1 and detector.reused == 0  # ... and the session was renewed once
        assert detector.presented == [before] and client.refresh_token != before
        again = pc1.sync_once()                             # the officer is still logged in
        assert not again.errors and not again.offline
    finally:
        served.stop()


class FailOneChangeSet:
    """The server answers 500 (as an unhandled error in it would) to any push that carries one change set,
    and normally to everything else. ``failing = None``: the fault is fixed."""

    def __init__(self, app):
        self.app, self.failing, self.hits = app, None, 0
        self.answer = (500, b"Internal Server Error", b"text/plain; charset=utf-8")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or self.failing is None or scope["method"] != "POST" \
                or not scope["path"].endswith("/changesets"):
            return await self.app(scope, receive, send)
        body = await _body(receive)
        if self.failing.encode() in body:
            self.hits += 1
            return await _answer(send, *self.answer)
        return await self.app(scope, _replay(body), send)


def test_one_change_set_the_server_fails_on_waits_alone_while_the_rest_syncs_and_goes_once_fixed(office, tmp_path):
    """A bug on the server makes it answer 500 to one change set. The officer's other change sets still go,
    the PC still pulls what others did, and is not shown "offline"; the one that failed keeps its Thai reason,
    waits longer after each failure instead of being hammered, and goes at the first sync after the fix."""
    from app.store.outbox import FIRST_WAIT, LONGEST_WAIT, wait_after
    served = Served(office, tmp_path, FailOneChangeSet)
    try:
        fault = served.app
        pc1 = pc(tmp_path, "pc1", served, REGISTRY)
        pc2 = pc(tmp_path, "pc2", office, REGISTRY)  # another PC of the unit, on a working link
        now = dt.datetime.now(dt.timezone.utc)
        pc1.clock = lambda: now
        first, bad, last = submit(pc1), submit(pc1, children=2), submit(pc1, children=0)
        fault.failing = bad.id
        elsewhere = submit(pc2)
        pc2.sync_once()

        report = pc1.sync_once()
        assert not report.offline and report.complete and fault.hits == 1
        assert report.pushed == 2 and report.held == 1
        staged = [c.id for c in pc2.client.staged("pending")]
        assert sorted(staged) == sorted([first.id, last.id, elsewhere.id])  # the others reached the server
        assert elsewhere.id in {c.id for c in pc1.register.changesets(UNIT)}  # and the pull ran after them
        assert pc1.pending_count() == 1  # the one that failed is still owed, not lost and not "sent"
        [problem] = pc1.sync_problems()
        assert problem.changeset_id == bad.id and problem.title == bad.title and problem.kind == "push"
        assert "เซิร์ฟเวอร์กลางขัดข้อง" in problem.reason_th and "500" in problem.reason_th
        assert problem.retry_at == now + FIRST_WAIT
        assert problem.reason_th in report.errors
        state, error = pc1.conn.execute("SELECT sync_state, last_error FROM outbox WHERE changeset_id = ?",
                                        (bad.id,)).fetchone()
        assert state == "queued" and error == problem.reason_th

        # The next sync, before its time: it waits alone (the server does not see it), the rest goes on.
        more = submit(pc2)
        pc2.sync_once()
        again = pc1.sync_once()
        assert fault.hits == 1 and not again.offline and again.held == 0 and pc1.pending_count() == 1
        assert more.id in {c.id for c in pc1.register.changesets(UNIT)}

        # Its time comes and the server still fails: it waits longer (a minute, two, four … at most an hour).
        now = problem.retry_at
        assert pc1.sync_once().held == 1 and fault.hits == 2
        [later] = pc1.sync_problems()
        assert later.retry_at - now == wait_after(2) == 2 * FIRST_WAIT
        assert wait_after(100) == LONGEST_WAIT

        # The server is fixed; at its time the change set goes, once, and nothing is left waiting.
        fault.failing = None
        now = later.retry_at
        fixed = pc1.sync_once()
        assert fixed.pushed == 1 and not fixed.errors and pc1.pending_count() == 0 and pc1.sync_problems() == []
        assert [c.id for c in pc2.client.staged("pending")].count(bad.id) == 1
    finally:
        served.stop()


def test_the_officer_sees_which_change_set_did_not_go_and_why_and_sync_now_tries_it_at_once(office, tmp_path):
    """Through the background service (as the window runs it): the status names the change set and the reason,
    the "my work" list marks it, and "sync now" sends it at once once the server is fixed."""
    import queue

    from sync.service import SyncService
    from ui.changesets import problem_th
    from ui.workspace import problems_text
    served = Served(office, tmp_path, FailOneChangeSet)
    try:
        fault = served.app
        pc1 = pc(tmp_path, "pc1", served, REGISTRY)
        ok, bad = submit(pc1), submit(pc1, children=2)
        fault.failing = bad.id
        statuses: queue.Queue = queue.Queue()

        def engine():
            wc = WorkingCopy.open(pc1.register.wc.path.parent, UNIT, pc1.register.wc_keys)
            return SyncEngine(RegisterStore(wc), pc1.client)

        def settled():
            while True:
                s = statuses.get(timeout=60)
                if not s.running:
                    return s

        service = SyncService(engine, statuses.put, interval=3600, after_change=0.1)
        service.start()
        try:
            status = settled()
            assert status.online is True and status.unsynced == 1 and status.last_success is not None
            [problem] = status.problems
            assert problem.title == bad.title
            line, tip = problems_text(status)
            assert "ส่งไม่สำเร็จ" in line and bad.title in line and "เซิร์ฟเวอร์กลางขัดข้อง" in line
            assert "จะลองส่งใหม่อัตโนมัติเวลา" in tip
            assert ok.title not in line
            # "my work" on the window's own connection marks that change set, with the reason
            waiting = {p.changeset_id: p for p in pc1.sync_problems()}
            assert set(waiting) == {bad.id} and "ไม่ต้องบันทึกใหม่" in problem_th(waiting[bad.id])
            fault.failing = None
            service.sync_now()  # the officer does not wait the minute: the held one is tried at once
            status = settled()
            assert status.unsynced == 0 and status.problems == () and problems_text(status) == ("", "")
            assert fault.hits == 1
        finally:
            service.stop()
    finally:
        served.stop()


def test_a_cut_link_still_stops_the_sync_as_offline_and_blames_no_item(office, tmp_path):
    pc1 = pc(tmp_path, "pc1", office, REGISTRY)
    submit(pc1)
    pc1.client.base = "http://127.0.0.1:9/v1"
    report = pc1.sync_once()
    assert report.offline and not report.complete and report.held == 0
    assert pc1.sync_problems() == [] and pc1.pending_count() == 1
    pc1.client.base = office.url + "/v1"
    assert pc1.sync_once().pushed == 1


def test_the_window_names_the_change_set_that_did_not_go_and_why(office, tmp_path, qtbot, qapp):
    """What the officer sees after such a sync: a red line in the status bar with the change set's title and
    the reason, and in "my work" that change set marked, its detail saying it waits and will be sent by itself."""
    from app.domain import Role
    from app.store import DbWorker
    from sync.licence import Check, LicenceState
    from sync.service import SyncStatus
    from sync.session import Account, Session
    from ui.fonts import install_fonts
    from ui.tasks import TaskRunner
    from ui.workspace import Workspace
    served = Served(office, tmp_path, FailOneChangeSet)
    worker = DbWorker()
    try:
        pc1 = pc(tmp_path, "pc1", served, REGISTRY)
        ok, bad = submit(pc1), submit(pc1, children=2)
        served.app.failing = bad.id
        report = pc1.sync_once()
        assert report.pushed == 1 and report.held == 1
        install_fonts(qapp)
        account = Account(REGISTRY.email, REGISTRY.cid, REGISTRY.name, Role.REGISTRY_OFFICER, UNIT)
        session = Session(account, True, pc1.register, pc1.client, Check(LicenceState.VALID, ""), "pc1")
        window = Workspace(TaskRunner(worker), session, None, dt.date.today())
        qtbot.addWidget(window)
        window.show()
        with qtbot.waitSignal(window.work_loaded, timeout=30000):
            window.attach(pc1.register, None)
        window.show_sync(SyncStatus(online=True, last_success=dt.datetime.now(dt.timezone.utc),
                                    unsynced=pc1.pending_count(), problems=tuple(pc1.sync_problems())))
        assert window.sync_problem.isVisible()
        assert bad.title in window.sync_problem.text() and "เซิร์ฟเวอร์กลางขัดข้อง" in window.sync_problem.text()
        assert "ออนไลน์" in window.sync_label.text() and "ยังไม่ส่ง 1 รายการ" in window.sync_label.text()
        table = window.work.table
        rows = {table.item(r, 0).text(): table.item(r, 1) for r in range(table.rowCount())}
        assert "ส่งไม่สำเร็จ" in rows[bad.title].text() and "เซิร์ฟเวอร์กลางขัดข้อง" in rows[bad.title].toolTip()
        assert "ส่งไม่สำเร็จ" not in rows[ok.title].text()
        row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == bad.title)
        table.clearSelection()
        table.selectRow(row)
        qtbot.waitUntil(lambda: bad.title in window.work.detail.toPlainText(), timeout=30000)
        detail = window.work.detail.toPlainText()
        assert "ยังไม่ถึงเซิร์ฟเวอร์กลาง" in detail and "จะลองส่งใหม่อัตโนมัติ" in detail
        window.close()
    finally:
        worker.stop()
        served.stop()


def test_an_answer_the_pc_cannot_read_holds_back_that_change_set_only_and_logs_no_data(office, tmp_path, caplog):
    """Not a 500 but something stranger (a proxy answering one request with a web page): the same — that item
    waits with a plain Thai reason, the others go, and the log names the item, never the person."""
    import logging
    served = Served(office, tmp_path, FailOneChangeSet)
    try:
        pc1 = pc(tmp_path, "pc1", served, REGISTRY)
        ok, odd = submit(pc1), submit(pc1, children=2)
        served.app.failing = odd.id
        served.app.answer = (200, b"<html><body>Sorry</body></html>", b"text/html")
        with caplog.at_level(logging.INFO):
            report = pc1.sync_once()
        assert report.pushed == 1 and report.held == 1 and report.complete and not report.offline
        [problem] = pc1.sync_problems()
        assert problem.changeset_id == odd.id and "ไม่คาดคิด" in problem.reason_th
        person = odd.operations[0]
        logged = caplog.text
        assert odd.id in logged
        for secret in (person.record_id, "สมชาย", pc1.client.access_token, pc1.client.refresh_token):
            assert secret not in logged
    finally:
        served.stop()

