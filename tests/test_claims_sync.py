"""Claims through the outbox and the feed (issue 19 §3), against a real server on loopback: a finance officer's
claim goes out with its evidence under its author's log-in, every finance PC of the unit follows NHSO's decision,
the payment statement and the transfer (the server's history replacing the local one from the submission on),
the register's PCs never see a claim, a claim the server refuses comes back to be corrected, a payment statement
whose signature fails is refused on the PC, and a push cut or killed at every step is staged exactly once."""
from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal

import pytest
import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import func, select

from app import events, training
from app.changeset import ReviewState
from app.claims import Care, ClaimState, Page, PageLabel, PaidFirst, PayMethod, Receipt
from app.rules.entitlement import Relation
from app.store import AttachmentStore
from app.store.claims import ClaimStore
from app.store.outbox import Kind
from app.store.payments import PaymentStore
from app.usecases import Desk
from app.usecases import claims as uc
from sync.engine import SyncEngine
from tests.builders import person
from tests.central import OFFICERS, REGISTRAR, REGISTRY, UNIT, approve, import_unit, push, ready_session
from tests.test_sync_loop import CutBefore, KillServer, ServerProcess, pc

FINANCE = OFFICERS[2]
TODAY = dt.date.today()


def _office(central, tmp_path):
    """The training unit's officers (first log-ins done) and a family in the register of record: a beneficiary
    hired on 1 January 2024 with a child."""
    import_unit(central, tmp_path, UNIT, training.UNIT.name, OFFICERS)
    sessions = {o.role: ready_session(central, o) for o in (REGISTRAR, REGISTRY, FINANCE)}
    me, kid = person(first="ประเสริฐ", born=dt.date(1985, 5, 5)), person(first="ภูมิใจ", born=dt.date(2016, 3, 15))
    cs = events.hire(UNIT, REGISTRY.cid, me, "local_official", dt.date(2024, 1, 1), "ปลัด",
                     dependents=[events.NewDependent(kid, Relation.CHILD)])
    cs.state = ReviewState.PENDING
    assert push(sessions[REGISTRY.role], cs)["state"] == "pending"
    assert approve(sessions[REGISTRAR.role], cs).json()["status"] == "applied"
    central.family = (me.cid, kid.cid)
    return central


@pytest.fixture
def office(central_sqlite, tmp_path):
    return _office(central_sqlite, tmp_path)


@pytest.fixture
def any_office(central, tmp_path):
    """The same office on SQLite and on PostgreSQL: the fault tests (a cut link, a killed server) run on both."""
    return _office(central, tmp_path)


def finance_pc(tmp_path, name: str, central, session: requests.Session | None = None) -> SyncEngine:
    engine = pc(tmp_path, name, central, FINANCE, session=session)
    engine.attachments = AttachmentStore(engine.register.wc)
    return engine


def desk(engine: SyncEngine) -> Desk:
    return Desk.of(engine.register, FINANCE)


def submitted(engine: SyncEngine, central, number: str = "IV-1", pages: int = 2, amount: str = "1850.00"):
    """The finance officer scans the receipt, builds the claim for the beneficiary's child and submits it."""
    me, kid = central.family
    scans = [engine.attachments.put(b"%PDF-1.7\n" + os.urandom(3000), f"page{i}.pdf") for i in range(pages)]
    day = TODAY - dt.timedelta(days=12)
    d = desk(engine)
    claim = uc.new_claim(d, me, kid, Relation.CHILD).with_(
        facility="โรงพยาบาลทดลอง", care=Care.OUTPATIENT, first_day=day, last_day=day, illness="ไข้หวัดใหญ่",
        paid_first=PaidFirst.EMERGENCY, receipts=(Receipt(number, day, "นายประเสริฐ", Decimal(amount)),),
        pages=(Page(scans[0], PageLabel.RECEIPT, number), *(Page(s, PageLabel.OTHER) for s in scans[1:])))
    return uc.submit(d, claim).claims[-1], scans


def server_claims(central) -> dict:
    from server.db import claims
    with central.engine.connect() as conn:
        return {r.id: r for r in conn.execute(claims.select())}


def claim_news(central) -> int:
    from server.db import feed
    with central.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(feed).where(feed.c.kind == "claim")).scalar()


def nhso(central, work):
    """NHSO's side on the server (what lgo-central claims … and /v1/nhso do), in one transaction."""
    with central.engine.begin() as conn:
        return work(conn)


def month_end() -> dt.date:
    return (TODAY.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def test_a_claim_goes_out_with_its_evidence_and_every_finance_pc_follows_it_to_the_transfer(office, tmp_path):
    import server.claims as central_claims
    fin1, fin2 = finance_pc(tmp_path, "fin1", office), finance_pc(tmp_path, "fin2", office)
    shared = pc(tmp_path, "shared", office, REGISTRY)
    for engine in (fin1, fin2, shared):
        engine.sync_once()  # the register, down to every PC
    claim, scans = submitted(fin1, office)
    report = fin1.sync_once()
    assert report.claims == 1 and not report.errors and fin1.pending_count() == 0
    staged = server_claims(office)[claim.id]
    assert staged.state == "submitted" and staged.author_cid == FINANCE.cid
    # the evidence went first, whole, and is the unit's
    for sha in scans:
        got = requests.get(office.api(f"/blobs/{sha}"), timeout=30,
                           headers={"Authorization": f"Bearer {fin1.client.access_token}"})
        assert got.status_code == 200 and got.content == fin1.attachments.get(sha)
    # NHSO accepts part of it, closes the month and records the transfer
    nhso(office, lambda conn: central_claims.decide(conn, claim.id, "partly", "nhso.staff", "1500.00",
                                                    "ค่ายาบางรายการนอกบัญชียาหลัก"))
    [sid] = nhso(office, lambda conn: central_claims.close_month(conn, TODAY.strftime("%Y-%m"), "nhso.staff",
                                                                   today=month_end()))
    nhso(office, lambda conn: central_claims.record_transfer(conn, sid, month_end(), "KTB-77", today=month_end()))
    for engine in (fin1, fin2):
        report = engine.sync_once()
        assert not report.errors and report.payments == 2, report
        mine = ClaimStore(engine.register.wc).get(claim.id)
        assert mine.state is ClaimState.IN_TRANSFER and mine.history[-1].statement == sid
        states = [s.state for s in mine.history]
        assert states == [ClaimState.READY, ClaimState.SUBMITTED, ClaimState.PARTLY_ACCEPTED, ClaimState.IN_TRANSFER]
        assert mine.history[2].amount == Decimal("1500.00") and "นอกบัญชียาหลัก" in mine.history[2].reason
        kept = PaymentStore(engine.register.wc).get(sid)
        assert kept["body"]["total"] == "1500.00" and kept["transfer"]["ref"] == "KTB-77"
    # the PC that submitted keeps its own steps before the submission (made here), the server's from it on
    assert ClaimStore(fin1.register.wc).get(claim.id).history[0].at == claim.history[0].at
    # the register's officers: no claim and no statement reaches their sync, even on the unit's PCs
    assert not shared.sync_once().errors
    assert ClaimStore(shared.register.wc).all(UNIT) == [] and PaymentStore(shared.register.wc).all() == []
    # the finance officer repays the claimant; a later sync keeps that step of this PC's
    repaid = uc.repay(desk(fin1), ClaimStore(fin1.register.wc).get(claim.id), Decimal("1500.00"), "PV-12",
                      TODAY, PayMethod.TRANSFER).claims[-1]
    assert not fin1.sync_once().errors
    assert ClaimStore(fin1.register.wc).get(claim.id).history == repaid.history


def test_on_a_shared_pc_a_claim_goes_and_comes_only_under_a_finance_log_in_and_nothing_is_missed(office, tmp_path):
    from tests.test_sync_loop import sign_in
    fin1 = finance_pc(tmp_path, "fin1", office)
    fin1.sync_once()
    first, _ = submitted(fin1, office, number="S-1")
    fin1.sync_once()
    shared = finance_pc(tmp_path, "shared", office)   # the finance officer's log-in on the unit's shared PC
    shared.sync_once()
    mine, _ = submitted(shared, office, number="S-2")
    sign_in(shared, REGISTRY)                          # then the registry officer's
    report = shared.sync_once()
    assert report.claims == 0 and shared.pending_count() == 1 and mine.id not in server_claims(office)
    # the registry officer's sync moved the unit's feed on; the claims feed waits for a finance log-in
    from app.store import meta
    assert meta.get(shared.conn, "claims_cursor") is not None
    before = meta.get(shared.conn, "claims_cursor")
    import server.claims as central_claims
    nhso(office, lambda conn: central_claims.decide(conn, first.id, "reject", "nhso.staff", reason="ซ้ำซ้อน"))
    shared.sync_once()
    assert meta.get(shared.conn, "claims_cursor") == before
    assert ClaimStore(shared.register.wc).get(first.id).state is ClaimState.SUBMITTED
    sign_in(shared, FINANCE)
    report = shared.sync_once()
    assert report.claims == 1 and shared.pending_count() == 0 and server_claims(office)[mine.id].state == "submitted"
    assert ClaimStore(shared.register.wc).get(first.id).state is ClaimState.REJECTED


def test_a_claim_the_server_refuses_comes_back_to_be_corrected_and_goes_again(office, tmp_path):
    fin1, fin2 = finance_pc(tmp_path, "fin1", office), finance_pc(tmp_path, "fin2", office)
    fin1.sync_once()
    fin2.sync_once()
    # the same receipt, on two PCs that have not heard of each other's claim: the server stages the first only
    first, _ = submitted(fin1, office, number="RC-9")
    assert fin1.sync_once().claims == 1
    second, _ = submitted(fin2, office, number="RC-9")
    report = fin2.sync_once()
    assert report.claims == 0 and any("ถูกใช้เบิกในคำขออื่นแล้ว" in e for e in report.errors)
    [problem] = fin2.sync_problems()
    assert problem.retry_at is None and "ถูกใช้เบิกในคำขออื่นแล้ว" in problem.reason_th
    back = ClaimStore(fin2.register.wc).get(second.id)
    assert back.state is ClaimState.REJECTED and "เซิร์ฟเวอร์กลางไม่รับ" in back.history[-1].reason
    assert second.id not in server_claims(office)
    # corrected (the receipt was another one) and submitted again: the next submission of the same claim
    fixed = back.with_(receipts=(Receipt("RC-10", back.receipts[0].issued_on, "นายประเสริฐ", Decimal("1850.00")),),
                       pages=(Page(back.pages[0].sha256, PageLabel.RECEIPT, "RC-10"), *back.pages[1:]))
    again = uc.submit(desk(fin2), fixed).claims[-1]
    assert fin2.outbox.due(Kind.CLAIM)[0].id == f"claim:{second.id}:2"
    assert fin2.sync_once().claims == 1
    assert server_claims(office)[second.id].state == "submitted"
    mine = ClaimStore(fin2.register.wc).get(again.id)
    assert mine.state is ClaimState.SUBMITTED and mine.receipts[0].number == "RC-10"
    # NHSO rejects the correction; the PC learns it, the officer corrects it once more and it goes again: the
    # third submission is staged (never answered as the second, whose answer the server already gave)
    import server.claims as central_claims
    nhso(office, lambda conn: central_claims.decide(conn, second.id, "reject", "nhso.staff", reason="ขาดใบรับรองแพทย์"))
    assert not fin2.sync_once().errors
    back = ClaimStore(fin2.register.wc).get(second.id)
    assert back.state is ClaimState.REJECTED and back.history[-1].reason == "ขาดใบรับรองแพทย์"
    uc.submit(desk(fin2), back.with_(illness="ไข้หวัดใหญ่ (แนบใบรับรองแพทย์แล้ว)"))
    assert fin2.sync_once().claims == 1
    staged = server_claims(office)[second.id]
    assert staged.state == "submitted" and staged.submission == 3 and "แนบใบรับรองแพทย์แล้ว" in staged.data["illness"]
    assert not fin2.sync_once().errors
    assert ClaimStore(fin2.register.wc).get(second.id).state is ClaimState.SUBMITTED


class TamperPayments(HTTPAdapter):
    """Changes every payment statement on its way to the PC (in the claims feed, or fetched): its total, or the
    bank's reference of its transfer once one is recorded."""

    def __init__(self, part: str = "total"):
        super().__init__()
        self.part = part

    def tamper(self, data: dict) -> None:
        if self.part == "total":
            data["body"]["total"] = "999999.00"
        elif data.get("transfer"):
            data["transfer"]["ref"] = "ACCOUNT-OF-SOMEONE-ELSE"

    def send(self, request, **kw):
        response = super().send(request, **kw)
        if request.path_url.startswith("/v1/claims/feed"):
            page = response.json()
            for item in page["items"]:
                if item["kind"] == "payment":
                    self.tamper(item["data"])
            response._content = json.dumps(page).encode()
        elif request.path_url.startswith("/v1/claims/payments/"):
            body = response.json()
            self.tamper(body)
            response._content = json.dumps(body).encode()
        response.headers.pop("Content-Encoding", None)
        return response


def test_a_payment_statement_whose_signature_fails_on_the_pc_is_refused_and_not_kept(office, tmp_path):
    import server.claims as central_claims
    http = requests.Session()
    http.mount("http://", TamperPayments())
    fin = finance_pc(tmp_path, "fin", office, session=http)
    fin.sync_once()
    claim, _ = submitted(fin, office)
    fin.sync_once()
    nhso(office, lambda conn: central_claims.decide(conn, claim.id, "accept", "nhso.staff"))
    [sid] = nhso(office, lambda conn: central_claims.close_month(conn, TODAY.strftime("%Y-%m"), "nhso.staff",
                                                                   today=month_end()))
    report = fin.sync_once()
    assert report.payments == 0 and any("ลายมือชื่ออิเล็กทรอนิกส์" in e and sid in e for e in report.errors)
    assert PaymentStore(fin.register.wc).get(sid) is None
    # one Thai line for the officer: which statement, that it was not kept, whom to tell — nothing of the tampered
    # figures, no English, no trace
    [line] = [e for e in report.errors if sid in e]  # said once, though the feed brought it and it was asked again
    assert "ไม่ได้บันทึก" in line and "แจ้งผู้ดูแลระบบ" in line and "999999" not in line and "\n" not in line
    assert not any(c.isascii() and c.isalpha() for c in line.replace(sid, ""))
    # the claim's own news is the server's and came through
    assert ClaimStore(fin.register.wc).get(claim.id).state is ClaimState.IN_TRANSFER
    # asked for again at each sync, still refused while the link tampers with it; kept once it comes as signed
    again = fin.sync_once()
    assert again.payments == 0 and any(sid in e for e in again.errors) and PaymentStore(fin.register.wc).get(sid) is None
    fin.client.http = requests.Session()
    fin.client.http.mount("http://", HTTPAdapter())
    assert fin.sync_once().payments == 1
    assert PaymentStore(fin.register.wc).get(sid)["body"]["total"] == "1850.00"
    assert PaymentStore(fin.register.wc).wanted() == []
    # the transfer: a reference changed on the way is refused too, and the statement kept stays as it was
    nhso(office, lambda conn: central_claims.record_transfer(conn, sid, month_end(), "KTB-77", today=month_end()))
    fin.client.http = requests.Session()
    fin.client.http.mount("http://", TamperPayments("transfer"))
    report = fin.sync_once()
    assert report.payments == 0 and any("ลายมือชื่ออิเล็กทรอนิกส์" in e and sid in e for e in report.errors)
    kept = PaymentStore(fin.register.wc).get(sid)
    assert kept["transfer"] is None and kept["body"]["total"] == "1850.00"
    fin.client.http = requests.Session()
    fin.client.http.mount("http://", HTTPAdapter())
    assert fin.sync_once().payments == 1
    assert PaymentStore(fin.register.wc).get(sid)["transfer"]["ref"] == "KTB-77"


def test_a_claim_pushed_with_the_link_cut_is_staged_exactly_once(any_office, tmp_path):
    office = any_office
    cut = requests.Session()
    link = CutBefore("POST", "/v1/claims")
    cut.mount("http://", link)
    fin = finance_pc(tmp_path, "fin", office, session=cut)
    fin.client.attempts = 1
    fin.sync_once()
    claim, _ = submitted(fin, office)
    report = fin.sync_once()
    assert report.offline and fin.pending_count() == 1
    assert claim.id not in server_claims(office)
    assert fin.sync_once().claims == 1 and fin.pending_count() == 0
    assert server_claims(office)[claim.id].state == "submitted" and claim_news(office) == 1


@pytest.fixture
def server_process(any_office, tmp_path, monkeypatch):
    monkeypatch.setenv("LGO_BLOB_DIR", str(tmp_path / "blobs"))  # the blobs the loopback server keeps (tests.central)
    proc = ServerProcess(any_office.engine.url.render_as_string(hide_password=False), tmp_path)
    proc.start()
    yield proc
    if proc.proc.poll() is None:
        proc.kill()


def test_a_claim_pushed_while_the_server_is_killed_at_every_step_is_staged_exactly_once(any_office, server_process,
                                                                                         tmp_path):
    office = any_office
    link = KillServer(server_process)
    http = requests.Session()
    http.mount("http://", link)
    fin = finance_pc(tmp_path, "fin", server_process, session=http)
    fin.client.attempts = 1
    fin.sync_once()
    claim, scans = submitted(fin, office, pages=1)

    def killed_then_finished(method: str, path: str, when: str, nth: int = 1) -> None:
        link.arm(method, path, when, nth)
        cut = fin.sync_once()
        assert link.plan is None, f"the kill at {method} {path} {when} was never reached"
        assert cut.offline
        server_process.start()

    killed_then_finished("HEAD", "/v1/blobs/", "before")
    killed_then_finished("PUT", "/v1/blobs/", "after")
    killed_then_finished("POST", "/v1/claims", "before")
    assert fin.pending_count() == 1 and claim.id not in server_claims(office)
    killed_then_finished("POST", "/v1/claims", "after")
    assert fin.pending_count() == 1  # the PC cannot know the server has it
    assert server_claims(office)[claim.id].state == "submitted"
    done = fin.sync_once()
    assert done.claims == 1 and not done.errors and fin.pending_count() == 0
    killed_then_finished("GET", "/v1/claims/feed", "before")
    assert not fin.sync_once().errors
    assert server_process.kills == 5
    assert claim_news(office) == 1 and len(server_claims(office)) == 1
    assert fin.sync_problems() == []
    assert ClaimStore(fin.register.wc).get(claim.id).state is ClaimState.SUBMITTED
