"""The claims area of the central server (issue 19 §3), through a real server on loopback over SQLite and
PostgreSQL: a finance officer's claim checked again on the register of record and staged once, every attacker
refused with a Thai reason and nothing written, parallel pushes, and NHSO's staff (their own accounts) deciding,
closing the month into signed payment statements and recording the transfer, through the API and lgo-central."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import threading
import uuid
from decimal import Decimal

import pytest
import requests
from sqlalchemy import func, select

from app import events
from app.changeset import ReviewState
from app.claims import Actor, Care, Claim, ClaimState, Page, PageLabel, PaidFirst, Receipt, move
from app.claims.codec import to_json
from app.domain import Officer, Role
from app.rules.entitlement import Relation
from app.statements import body_bytes
from tests.builders import new_cid, person
from tests.central import (
    OFFICERS, OTHER, REGISTRY, UNIT, Session, approve, import_unit, push, ready_session,
)

TODAY = dt.date.today()
FINANCE = OFFICERS[2]
FINANCE2 = Officer(new_cid(), "นางสาวกานดา เงินดี", "เจ้าพนักงานการเงินและบัญชี", Role.FINANCE_OFFICER, UNIT,
                   "finance2@trn.example.go.th")
OTHER_FINANCE = Officer(new_cid(), "นายเงิน ต่างถิ่น", "นักวิชาการเงินและบัญชี", Role.FINANCE_OFFICER, "OTH0002",
                        "fin@other.example.go.th")
STAFF_EMAIL = "claims.officer@nhso.example.go.th"
STAFF_CIDS: dict[str, str] = {}   # each staff member's citizen ID, by e-mail


@pytest.fixture
def office(central, tmp_path):
    """The unit (two finance officers), the other unit (with its own finance officer), and a family in the register
    of record: a beneficiary hired on 1 January 2024 with a child."""
    import_unit(central, tmp_path, UNIT, "หน่วยฝึกหัด", [*OFFICERS, FINANCE2])
    import_unit(central, tmp_path, "OTH0002", "เทศบาลตำบลทดลอง", [*OTHER, OTHER_FINANCE])
    s = {name: ready_session(central, o) for name, o in
         (("registrar", OFFICERS[0]), ("registry", REGISTRY), ("finance", FINANCE), ("finance2", FINANCE2),
          ("other_finance", OTHER_FINANCE))}
    me, kid = person(first="ประเสริฐ", born=dt.date(1985, 5, 5)), person(first="ภูมิใจ", born=dt.date(2016, 3, 15))
    cs = events.hire(UNIT, REGISTRY.cid, me, "local_official", dt.date(2024, 1, 1), "ปลัด",
                     dependents=[events.NewDependent(kid, Relation.CHILD)])
    cs.state = ReviewState.PENDING
    assert push(s["registry"], cs)["state"] == "pending"
    assert approve(s["registrar"], cs).json()["status"] == "applied"
    s["family"] = (me.cid, kid.cid)
    return s


def upload(s: Session, data: bytes | None = None, sha: str | None = None) -> str:
    data = data if data is not None else b"%PDF-1.7\n" + os.urandom(2000)
    sha = sha or hashlib.sha256(data).hexdigest()
    r = requests.put(s.central.api(f"/blobs/{sha}"), data=data, headers=s.headers, timeout=30)
    assert r.status_code in (201, 422), r.text
    return sha


def claim_of(office, officer=FINANCE, number="IV-1", day=None, receipt_day=None, sha="a" * 64, amount="1200.00",
             unit=UNIT) -> Claim:
    me, kid = office["family"]
    day = day or TODAY - dt.timedelta(days=10)
    c = Claim(str(uuid.uuid4()), unit, me, kid, Relation.CHILD, facility="โรงพยาบาลทดลอง", care=Care.OUTPATIENT,
              first_day=day, last_day=day, illness="ไข้หวัด", paid_first=PaidFirst.CANNOT_BILL,
              receipts=(Receipt(number, receipt_day or day, "นายประเสริฐ", Decimal(amount)),),
              pages=(Page(sha, PageLabel.RECEIPT, number),))
    at = dt.datetime.now(dt.timezone.utc)
    c = move(c, ClaimState.READY, Actor.FINANCE, officer.cid, at)
    return move(c, ClaimState.SUBMITTED, Actor.FINANCE, officer.cid, at)


def send(s: Session, claim: Claim, author: Officer = FINANCE) -> requests.Response:
    return s.post("/claims", {"author_cid": author.cid, "claim": to_json(claim)})


def written(central) -> dict:
    from server.db import answers, audit, claim_receipts, claims, feed
    with central.engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar()
                for t in (answers, claims, claim_receipts, feed, audit)}


def staged(office) -> tuple[Claim, str]:
    sha = upload(office["finance"])
    claim = claim_of(office, sha=sha)
    r = send(office["finance"], claim)
    assert r.status_code == 200, r.text
    return claim, sha


def test_a_claim_is_checked_on_the_register_of_record_and_staged_once(office, central):
    sha = upload(office["finance"])
    claim = claim_of(office, sha=sha)
    first = send(office["finance"], claim)
    assert first.status_code == 200, first.text
    assert first.json() == {"id": claim.id, "state": "submitted", "submission": 1}
    assert send(office["finance"], claim).json() == first.json()   # a replay: the first answer, nothing new
    [mine] = office["finance"].get("/claims").json()
    # the server's own history, stamped by its clock: ready and submitted by the officer who pushed
    assert [s["state"] for s in mine["claim"]["history"]] == ["ready", "submitted"]
    assert {s["by"] for s in mine["claim"]["history"]} == {FINANCE.cid}
    assert office["finance2"].get(f"/claims/{claim.id}").json()["claim"]["id"] == claim.id  # the unit's other one
    news = office["finance"].get("/claims/feed").json()["items"]
    assert [(i["kind"], i["key"]) for i in news] == [("claim", claim.id)]
    # the register's officers never see it: not in the unit's feed, its evidence not theirs to fetch
    assert all(i["kind"] not in ("claim", "payment") for i in office["registry"].get("/feed").json()["items"])
    assert office["registry"].get(f"/blobs/{sha}").status_code == 404
    assert office["finance"].get(f"/blobs/{sha}").status_code == 200


def test_every_attacker_is_refused_with_a_thai_reason_and_nothing_is_written(office, central):
    claim, sha = staged(office)
    before = written(central)

    def refused(r, status: int, code: str, words: str) -> None:
        assert r.status_code == status, r.text
        body = r.json()
        assert body["code"] == code and words in body["message_th"], body

    fresh = claim_of(office, number="IV-2", sha=sha)
    # separation of duties: the register's officers never push claims
    refused(send(office["registry"], fresh, REGISTRY), 403, "claim.not_finance", "เจ้าหน้าที่การเงิน")
    refused(send(office["registrar"], fresh, OFFICERS[0]), 403, "claim.not_finance", "เจ้าหน้าที่การเงิน")
    # a finance officer of another unit: cannot push ours, read ours, nor fetch our evidence
    theirs = claim_of(office, officer=OTHER_FINANCE, number="IV-3", sha=sha)
    refused(send(office["other_finance"], theirs, OTHER_FINANCE), 403, "claim.other_unit", "หน่วยงานตนเอง")
    refused(office["other_finance"].get(f"/claims/{claim.id}"), 404, "claim.unknown", "ไม่พบ")
    assert office["other_finance"].get("/claims").json() == []
    assert office["other_finance"].get("/claims/feed").json()["items"] == []
    assert office["other_finance"].get(f"/blobs/{sha}").status_code == 404
    # a claim past one year from its receipt's date (by the server's date)
    old = TODAY - dt.timedelta(days=400)
    refused(send(office["finance"], claim_of(office, number="IV-4", day=old, sha=sha)), 422, "claim.refused",
            "เกินกำหนดเบิก 1 ปี")
    # a receipt already in another of the unit's claims (another finance officer of the unit, same receipt)
    refused(send(office["finance2"], claim_of(office, officer=FINANCE2, sha=sha), FINANCE2), 422, "claim.refused",
            "ถูกใช้เบิกในคำขออื่นแล้ว")
    # a modified client claiming a day of care the register does not entitle (before the beneficiary's service)
    refused(send(office["finance"], claim_of(office, number="IV-5", day=dt.date(2023, 12, 30),
                                             receipt_day=TODAY - dt.timedelta(days=5), sha=sha)),
            422, "claim.refused", "ไม่มีสิทธิ")
    # a tampered evidence blob: its bytes do not hash to its name, so it is never the unit's, and the claim waits
    good = b"%PDF-1.7\n" + os.urandom(500)
    claimed_sha = hashlib.sha256(good).hexdigest()
    r = requests.put(central.api(f"/blobs/{claimed_sha}"), data=good[:-1] + b"X",
                     headers=office["finance"].headers, timeout=30)
    assert r.status_code == 422 and r.json()["code"] == "blob.hash"
    refused(send(office["finance"], claim_of(office, number="IV-6", sha=claimed_sha)), 409, "claim.evidence_missing",
            "ยังไม่ถึงเซิร์ฟเวอร์กลาง")
    # a history the client made up is not the server's: it keeps its own
    forged = claim_of(office, number="IV-7", sha=sha)
    forged = forged.with_(history=forged.history + (forged.history[-1].__class__(
        ClaimState.ACCEPTED, dt.datetime.now(dt.timezone.utc), "me", amount=Decimal("1200.00")),))
    refused(send(office["finance"], forged), 422, "claim.state", "ส่งคำขอเบิก")
    # NHSO's decisions by a unit's officer
    for who in ("finance", "registrar"):
        refused(office[who].post(f"/nhso/claims/{claim.id}/decision", {"decision": "accept"}), 403,
                "claim.not_nhso", "เจ้าหน้าที่ สปสช.")
        refused(office[who].get("/nhso/claims"), 403, "claim.not_nhso", "เจ้าหน้าที่ สปสช.")
    refused(office["finance"].post("/nhso/payments/close", {"month": "2026-01"}), 403, "claim.not_nhso", "สปสช.")
    # malformed bodies are 422 with the fields, never a 500
    r = office["finance"].post("/claims", {"author_cid": FINANCE.cid, "claim": {**to_json(fresh), "relation": "x"}})
    assert r.status_code == 422 and r.json()["code"] == "request.invalid"
    assert written(central) == before
    assert office["finance"].get(f"/claims/{claim.id}").json()["claim"]["history"][-1]["state"] == "submitted"


def _race(calls) -> list[requests.Response]:
    barrier = threading.Barrier(len(calls))
    out: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        out[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def test_two_finance_officers_with_the_same_receipt_at_once_stage_exactly_one(office, central):
    from server.db import claim_receipts, claims
    sha = upload(office["finance"])
    a, b = claim_of(office, number="RC-77", sha=sha), claim_of(office, officer=FINANCE2, number="RC-77", sha=sha)
    results = _race([lambda: send(office["finance"], a), lambda: send(office["finance2"], b, FINANCE2)])
    assert sorted(r.status_code for r in results) == [200, 422], [r.text for r in results]
    loser = next(r for r in results if r.status_code == 422).json()
    assert "ถูกใช้เบิกในคำขออื่นแล้ว" in loser["message_th"]
    with central.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(claims)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(claim_receipts)).scalar() == 1


def test_the_same_push_twice_at_once_is_staged_once(office, central):
    from server.db import claims, feed
    sha = upload(office["finance"])
    claim = claim_of(office, sha=sha)
    results = _race([lambda: send(office["finance"], claim) for _ in range(3)])
    assert [r.status_code for r in results] == [200, 200, 200], [r.text for r in results]
    assert len({r.text for r in results}) == 1
    with central.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(claims)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(feed).where(feed.c.kind == "claim")).scalar() == 1


def staff_session(central, monkeypatch=None) -> Session:
    """``lgo-central staff add`` mails a one-time password; the staff member logs in (no unit, no card) and
    changes it."""
    from server.cli import main
    from tests.central import login
    url = str(central.engine.url.render_as_string(hide_password=False))
    cid = STAFF_CIDS.setdefault(STAFF_EMAIL, new_cid())
    assert main(["--db", url, "staff", "add", STAFF_EMAIL, "--cid", cid, "--name", "นางสาวพิจารณา รอบคอบ",
                 "--smtp", f"127.0.0.1:{central.inbox.port}"]) == 0
    first = login(central, STAFF_EMAIL, cid)
    assert first.status_code == 200, first.text
    assert first.json()["account"]["role"] == "nhso" and first.json()["account"]["unit_code"] == ""
    s = Session(central, first.json())
    _user, old = central.inbox.password_for(STAFF_EMAIL)
    assert s.post("/auth/password", {"old_password": old, "new_password": "Nhso-Claims-2569"}).status_code == 204
    again = requests.post(central.api("/auth/login"), json={"username": STAFF_EMAIL, "password": "Nhso-Claims-2569",
                                                            "card_cid": cid}, timeout=30)
    return Session(central, again.json())


def test_nhso_staff_decide_close_the_month_and_record_the_transfer(office, central, monkeypatch, capsys):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    import server.claims
    from server.cli import main
    nhso = staff_session(central)
    url = str(central.engine.url.render_as_string(hide_password=False))
    # a staff account is no unit's officer: it neither pushes claims nor reads a unit's
    assert send(nhso, claim_of(office), FINANCE).status_code == 403
    assert nhso.get("/claims").status_code == 403
    assert nhso.get("/claims/feed").status_code == 403
    assert requests.put(central.api(f"/blobs/{'b' * 64}"), data=b"%PDF-1.7\n", headers=nhso.headers,
                        timeout=30).json()["code"] == "staff.not_unit"
    assert nhso.post("/licence", {"installation_id": "X", "client_version": "9.9.9"}).status_code == 403
    shas = [upload(office["finance"]) for _ in range(3)]
    full, part, no = (claim_of(office, number=f"D-{i}", sha=shas[i], amount=a)
                      for i, a in enumerate(("1000.00", "2500.50", "300.00")))
    for c in (full, part, no):
        assert send(office["finance"], c).status_code == 200
    waiting = nhso.get("/nhso/claims").json()
    assert {x["claim"]["id"] for x in waiting} == {full.id, part.id, no.id}
    got = nhso.get(f"/nhso/claims/{part.id}/blobs/{shas[1]}")
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == shas[1]
    assert nhso.get(f"/nhso/claims/{part.id}/blobs/{shas[0]}").status_code == 404  # not this claim's
    # accept through the API; partly and reject through lgo-central
    r = nhso.post(f"/nhso/claims/{full.id}/decision", {"decision": "accept"})
    assert r.status_code == 200 and r.json()["claim"]["history"][-1]["state"] == "accepted", r.text
    assert main(["--db", url, "claims", "partly", part.id, "2000.00", "ค่าห้องพิเศษเกินสิทธิ"]) == 0
    assert main(["--db", url, "claims", "reject", no.id, "สิทธิ ณ วันที่รักษาไม่ใช่สิทธิ อปท."]) == 0
    capsys.readouterr()
    # the same table of moves: a decided claim is not decided again; a partial acceptance needs its reason
    assert main(["--db", url, "claims", "accept", no.id]) == 2
    err = capsys.readouterr().err
    assert "เปลี่ยนเป็น" in err and "Traceback" not in err and err.count("\n") == 1
    r = nhso.post(f"/nhso/claims/{full.id}/decision", {"decision": "reject"})
    assert r.status_code == 409 and r.json()["code"] == "claim.move"
    # the month has not ended yet: refused in one Thai line
    month = TODAY.strftime("%Y-%m")
    assert main(["--db", url, "claims", "close-month", month]) == 2
    assert "ยังไม่สิ้นสุด" in capsys.readouterr().err
    r = nhso.post("/nhso/payments/close", {"month": month})
    assert r.status_code == 409 and r.json()["code"] == "payment.month_open" and "ยังไม่สิ้นสุด" in r.json()["message_th"]
    # once it has: one signed statement for the unit, the accepted claims in transfer
    later = dt.datetime.combine(TODAY.replace(day=28) + dt.timedelta(days=4), dt.time(3), dt.timezone.utc)
    later = later.replace(day=1)
    monkeypatch.setattr(server.claims, "now", lambda: later)
    assert main(["--db", url, "claims", "close-month", month]) == 0
    sid = f"PS-{month}-{UNIT}"
    assert sid in capsys.readouterr().out
    from server.db import payment_statements
    with central.engine.connect() as conn:
        row = conn.execute(select(payment_statements)).mappings().one()
        key = __import__("server.security", fromlist=["signing_key"]).signing_key(conn).public_key()
    assert isinstance(key, Ed25519PublicKey)
    key.verify(base64.b64decode(row["signature"]), body_bytes(row["body"]))  # raises when it does not hold
    assert {(x["claim_id"], x["accepted"]) for x in row["body"]["lines"]} == {(full.id, "1000.00"),
                                                                              (part.id, "2000.00")}
    assert row["body"]["total"] == "3000.00"
    states = {c["claim"]["id"]: c["claim"]["history"][-1] for c in office["finance"].get("/claims").json()}
    assert states[full.id]["state"] == states[part.id]["state"] == "in_transfer"
    assert states[full.id]["statement"] == sid and states[no.id]["state"] == "rejected"
    assert main(["--db", url, "claims", "close-month", month]) == 0  # again: nothing more to close
    assert "ไม่มีคำขอเบิก" in capsys.readouterr().out
    # the transfer: an unknown statement and a date to come are refused; the transfer is recorded once
    assert main(["--db", url, "claims", "transfer", "PS-0000-00-X", "--date", later.date().isoformat(),
                 "--ref", "KTB-1"]) == 2
    assert "ไม่พบรายการโอนเงิน" in capsys.readouterr().err
    assert main(["--db", url, "claims", "transfer", sid, "--date", "2099-01-01", "--ref", "KTB-1"]) == 2
    assert "ยังไม่ถึง" in capsys.readouterr().err
    assert main(["--db", url, "claims", "transfer", sid, "--date", later.date().isoformat(),
                 "--ref", "KTB-20261201-7"]) == 0
    assert main(["--db", url, "claims", "transfer", sid, "--date", later.date().isoformat(),
                 "--ref", "KTB-OTHER"]) == 2
    capsys.readouterr()
    # the same transfer through the API: recorded once, the same answer; another one refused
    same = nhso.post(f"/nhso/payments/{sid}/transfer", {"date": later.date().isoformat(), "ref": "KTB-20261201-7"})
    assert same.status_code == 200 and same.json()["transfer"]["ref"] == "KTB-20261201-7"
    other = nhso.post(f"/nhso/payments/{sid}/transfer", {"date": later.date().isoformat(), "ref": "X-1"})
    assert other.status_code == 409 and other.json()["code"] == "payment.transferred"
    assert nhso.post("/nhso/payments/PS-none/transfer", {"date": later.date().isoformat(),
                                                         "ref": "X-1"}).status_code == 404
    news = office["finance"].get("/claims/feed").json()["items"]
    payments = [i["data"] for i in news if i["kind"] == "payment"]
    assert len(payments) == 2 and payments[-1]["transfer"]["ref"] == "KTB-20261201-7"
    assert payments[-1]["transfer"]["amount"] == "3000.00"
    assert office["other_finance"].get("/claims/feed").json()["items"] == []
    assert office["finance"].get(f"/claims/payments/{sid}").json()["transfer"]["ref"] == "KTB-20261201-7"
    assert office["other_finance"].get(f"/claims/payments/{sid}").status_code == 404


def test_a_staff_account_is_never_a_units_officer(office, central, capsys):
    from server.cli import main
    url = str(central.engine.url.render_as_string(hide_password=False))
    smtp = ["--smtp", f"127.0.0.1:{central.inbox.port}"]
    # a unit's officer cannot be made NHSO staff: not by their ID, not by their e-mail under another ID
    assert main(["--db", url, "staff", "add", "fin@nhso.example.go.th", "--cid", FINANCE.cid, *smtp]) == 2
    assert "เป็นเจ้าหน้าที่ของหน่วยงาน" in capsys.readouterr().err
    assert main(["--db", url, "staff", "add", FINANCE.email, "--cid", new_cid(), *smtp]) == 2
    assert "เป็นเจ้าหน้าที่ของหน่วยงาน" in capsys.readouterr().err
    assert main(["--db", url, "staff", "add", "not-an-address", "--cid", new_cid(), *smtp]) == 2
    # the ID is required, and must be one a card can carry
    assert main(["--db", url, "staff", "add", "nobody@nhso.example.go.th", *smtp]) == 2
    assert "--cid" in capsys.readouterr().err
    assert main(["--db", url, "staff", "add", "nobody@nhso.example.go.th", "--cid", "1234567890123", *smtp]) == 2
    assert "เลขตรวจสอบ" in capsys.readouterr().err
    # nor can a unit's request workbook make an NHSO staff member one of its officers
    staff_cid = new_cid()
    assert main(["--db", url, "staff", "add", "auditor@nhso.example.go.th", "--cid", staff_cid,
                 "--smtp", f"127.0.0.1:{central.inbox.port}"]) == 0
    tmp = central.units_csv.parent
    report = import_unit(central, tmp, "OTH0002", "เทศบาลตำบลทดลอง",
                         [*OTHER, Officer(staff_cid, "นายตรวจ สอบ", "นักวิชาการเงินและบัญชี", Role.FINANCE_OFFICER,
                                          "OTH0002", "auditor@other.example.go.th")])
    assert not report.ok and any("เจ้าหน้าที่ สปสช." in p for p in report.problems)
    # the desktop refuses a staff log-in
    staff_session(central)
    from sync.client import CentralClient, SyncError
    client = CentralClient(central.url)
    with pytest.raises(SyncError) as e:
        client.login(STAFF_EMAIL, "Nhso-Claims-2569", STAFF_CIDS[STAFF_EMAIL])
    assert e.value.code == "auth.staff" and "สปสช." in e.value.message_th and client.account is None

