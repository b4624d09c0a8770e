"""An attacker's pass over the server's claims area (issue 19 §3), against a real server on loopback, on SQLite and
on PostgreSQL (the ``central`` fixture runs every test on both): an officer of another unit with a valid account
and a modified client, the unit's own registry officer and registrar (who never see a claim: receipts reveal
illness), and NHSO's staff. Every refusal is a Thai reason with nothing written — the claims tables, the answers,
the feed, the payment statements and the audit log are compared row by row — and the races run as real parallel
requests. The attacks tests/test_claims_server.py already makes are not repeated here."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
from decimal import Decimal

import requests
from sqlalchemy import text

import server.claims
from app.claims import ClaimState, Step
from app.claims.codec import to_json
from app.rules.entitlement import Relation
from tests import test_claims_server as base
from tests.builders import new_cid
from tests.central import OFFICERS, REGISTRY
from tests.test_claims_server import (
    FINANCE,
    FINANCE2,
    OTHER_FINANCE,
    TODAY,
    _race,
    claim_of,
    send,
    staff_session,
    staged,
    upload,
)

REGISTRAR = OFFICERS[0]
office = base.office  # the fixture: the unit's two finance officers, the other unit's, and a family on record


def snapshot(central) -> dict:
    """Everything the claims area writes, row by row."""
    tables = {"claims": "id", "claim_receipts": "unit_code, receipt_key", "claim_evidence": "sha256, claim_id",
              "answers": "key", "payment_statements": "id", "feed": "seq", "audit": "id"}
    out = {}
    with central.engine.connect() as conn:
        for table, order in tables.items():
            rows = conn.execute(text(f"SELECT * FROM {table} ORDER BY {order}")).mappings().all()
            out[table] = [json.dumps({k: v for k, v in r.items()}, sort_keys=True, default=str) for r in rows]
    return out


def refused(r: requests.Response, status: int, code: str, words: str = "") -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code, body
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in body["message_th"]) and words in body["message_th"], body
    return body


def reasons(r: requests.Response) -> str:
    assert r.status_code == 422 and r.json()["code"] == "claim.refused", r.text
    return r.json()["message_th"]


def month_closed(office, nhso, monkeypatch, *claims_) -> str:
    """NHSO accepts the claims and closes this month (the server's clock moved to the next month's first day)."""
    for c in claims_:
        assert nhso.post(f"/nhso/claims/{c.id}/decision", {"decision": "accept"}).status_code == 200
    later = dt.datetime.combine((TODAY.replace(day=28) + dt.timedelta(days=4)).replace(day=1), dt.time(3),
                                dt.UTC)
    monkeypatch.setattr(server.claims, "now", lambda: later)
    r = nhso.post("/nhso/payments/close", {"month": TODAY.strftime("%Y-%m")})
    assert r.status_code == 200 and len(r.json()) == 1, r.text
    return r.json()[0]["id"]


# --- who may read and write what ---------------------------------------------------------------------------

def test_no_one_but_the_units_finance_officers_and_nhso_reaches_a_claim_or_its_evidence(office, central,
                                                                                      monkeypatch):
    nhso = staff_session(central)
    claim, sha = staged(office)
    sid = month_closed(office, nhso, monkeypatch, claim)
    their_sha = upload(office["other_finance"])
    before = snapshot(central)
    fresh = claim_of(office, number="IV-NEW", sha=sha)
    for who, officer in (("registry", REGISTRY), ("registrar", REGISTRAR)):
        s = office[who]
        # the unit's register officers: no push, no list, no claim, no feed, no statement, no evidence
        refused(send(s, fresh, officer), 403, "claim.not_finance", "เจ้าหน้าที่การเงิน")
        for path in ("/claims", f"/claims/{claim.id}", "/claims/feed", f"/claims/payments/{sid}"):
            refused(s.get(path), 403, "claim.not_finance", "เจ้าหน้าที่การเงิน")
        refused(s.get(f"/blobs/{sha}"), 404, "blob.missing", "ไม่พบ")
        assert requests.head(central.api(f"/blobs/{sha}"), headers=s.headers, timeout=30).status_code == 404
        # NHSO's door is not theirs either
        refused(s.get(f"/nhso/claims/{claim.id}/blobs/{sha}"), 403, "claim.not_nhso", "สปสช.")
        # nor a claim's news in the register's feed
        assert all(i["kind"] not in ("claim", "payment") for i in s.get("/feed").json()["items"])
    # a finance officer of another unit, with a modified client
    them = office["other_finance"]
    refused(send(them, fresh.with_(id=claim.id), OTHER_FINANCE), 403, "claim.other_unit", "หน่วยงานตนเอง")
    refused(them.get(f"/claims/{claim.id}"), 404, "claim.unknown")
    refused(them.get(f"/claims/payments/{sid}"), 404, "payment.unknown")
    refused(them.get(f"/blobs/{sha}"), 404, "blob.missing")
    refused(them.get(f"/nhso/claims/{claim.id}/blobs/{sha}"), 403, "claim.not_nhso")
    assert them.get("/claims").json() == [] and them.get("/claims/feed").json()["items"] == []
    assert them.get("/claims/feed?since=0&limit=5000").json()["items"] == []
    # their own claim under our claim's id (its unit theirs): the id is ours, nothing of it is theirs
    mine = claim_of(office, officer=OTHER_FINANCE, unit="OTH0002", sha=their_sha).with_(id=claim.id)
    refused(send(them, mine, OTHER_FINANCE), 409, "claim.id_taken", "ถูกใช้แล้ว")
    # every NHSO door, to a unit's officers (even our own finance officer)
    for who in ("finance", "registry", "registrar", "other_finance"):
        s = office[who]
        for r in (s.get("/nhso/claims"), s.get("/nhso/claims?state=in_transfer"),
                  s.post(f"/nhso/claims/{claim.id}/decision", {"decision": "reject", "reason": "x"}),
                  s.post("/nhso/payments/close", {"month": "2026-01"}),
                  s.post(f"/nhso/payments/{sid}/transfer", {"date": TODAY.isoformat(), "ref": "KTB-1"})):
            refused(r, 403, "claim.not_nhso", "เจ้าหน้าที่ สปสช.")
    assert snapshot(central) == before
    # ... while the unit's finance officers and NHSO's staff do reach it
    assert office["finance2"].get(f"/blobs/{sha}").status_code == 200
    got = nhso.get(f"/nhso/claims/{claim.id}/blobs/{sha}")
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == sha
    # NHSO's staff read a claim's evidence through its claim only: not a finance officer's upload no claim names
    loose = upload(office["finance"])
    refused(nhso.get(f"/nhso/claims/@{claim.unit_code}/blobs/{loose}"), 404, "blob.missing")
    assert office["finance2"].get(f"/claims/payments/{sid}").json()["id"] == sid


def test_evidence_is_the_claimants_units_bytes_and_a_tampered_upload_is_never_stored(office, central):
    sha = upload(office["finance"])
    # a finance officer's upload is evidence from the start, before any claim names it: not the register's
    for who in ("registry", "registrar"):
        refused(office[who].get(f"/blobs/{sha}"), 404, "blob.missing")
        assert requests.head(central.api(f"/blobs/{sha}"), headers=office[who].headers, timeout=30).status_code == 404
    assert office["finance2"].get(f"/blobs/{sha}").status_code == 200
    # another unit's blob: its finance officer holds it, ours never sent its bytes
    theirs = upload(office["other_finance"])
    before = snapshot(central)
    refused(send(office["finance"], claim_of(office, number="IV-X", sha=theirs)), 409, "claim.evidence_missing",
            "ยังไม่ถึงเซิร์ฟเวอร์กลาง")
    refused(office["finance"].get(f"/blobs/{theirs}"), 404, "blob.missing")
    # tampered: the bytes sent under a name they do not hash to, whole or as the last piece of a resumed upload
    good = b"%PDF-1.7\n" + os.urandom(4000)
    name = hashlib.sha256(good).hexdigest()
    bad = good[:-1] + bytes([good[-1] ^ 1])
    r = requests.put(central.api(f"/blobs/{name}"), data=bad, headers=office["finance"].headers, timeout=30)
    refused(r, 422, "blob.hash", "ไม่ตรงกับรหัสตรวจสอบ")
    first = requests.put(central.api(f"/blobs/{name}"), data=good[:2000], timeout=30,
                         headers={**office["finance"].headers, "Content-Range": f"bytes 0-1999/{len(good)}"})
    assert first.status_code == 202
    last = requests.put(central.api(f"/blobs/{name}"), data=bad[2000:], timeout=30,
                        headers={**office["finance"].headers, "Content-Range": f"bytes 2000-{len(good) - 1}/{len(good)}"})
    refused(last, 422, "blob.hash")
    refused(send(office["finance"], claim_of(office, number="IV-T", sha=name)), 409, "claim.evidence_missing")
    refused(office["finance"].get(f"/blobs/{name}"), 404, "blob.missing")
    assert snapshot(central) == before
    # the same name with its true bytes is the unit's; the claim then goes
    assert upload(office["finance"], good) == name
    assert send(office["finance"], claim_of(office, number="IV-T", sha=name)).status_code == 200


def test_a_claim_never_takes_a_register_document_from_the_registrar(office, central):
    """A finance officer names in a claim a file the registry officer brought (or sends the same bytes again):
    the claim may cite it, but the registrar and the registry officer still read it."""
    scan = b"%PDF-1.7\n" + os.urandom(3000)
    sha = upload(office["registry"], scan)                     # a registry document, e.g. a marriage certificate
    assert upload(office["finance"], scan) == sha              # the same bytes again, from the finance officer
    assert send(office["finance"], claim_of(office, number="IV-HIDE", sha=sha)).status_code == 200
    for who in ("registry", "registrar"):
        got = office[who].get(f"/blobs/{sha}")
        assert got.status_code == 200 and got.content == scan
        assert requests.head(central.api(f"/blobs/{sha}"), headers=office[who].headers, timeout=30).status_code == 200
    assert office["finance2"].get(f"/blobs/{sha}").status_code == 200


# --- what a claim may say ---------------------------------------------------------------------------------

def test_a_claim_is_judged_on_the_register_of_record_not_on_what_the_client_says(office, central):
    _me, kid = office["family"]
    _claim, sha = staged(office)
    their_sha = upload(office["other_finance"])
    nhso = staff_session(central)
    before = snapshot(central)
    f = office["finance"]
    # a patient who is not the claimant's dependent: a stranger, the child as a spouse, the child as the claimant
    stranger = claim_of(office, number="P-1", sha=sha).with_(patient_cid=new_cid())
    assert "ไม่มีสิทธิ" in reasons(send(f, stranger))
    assert "ไม่มีสิทธิ" in reasons(send(f, claim_of(office, number="P-2", sha=sha).with_(
        relation=Relation.SPOUSE)))
    assert "ไม่มีสิทธิ" in reasons(send(f, claim_of(office, number="P-3", sha=sha).with_(claimant_cid=kid)))
    # a person of another unit: their beneficiary, claimed for by us (and by them for ours)
    them = office["other_finance"]
    ours_by_them = claim_of(office, officer=OTHER_FINANCE, unit="OTH0002", number="P-4", sha=their_sha)
    assert "ไม่มีสิทธิ" in reasons(send(them, ours_by_them, OTHER_FINANCE))
    # more than a year after the receipt, counted by the server's date (a day past, and far past)
    for i, days in enumerate((367, 3650)):
        old = TODAY - dt.timedelta(days=days)
        assert "เกินกำหนดเบิก 1 ปี" in reasons(send(f, claim_of(office, number=f"OLD-{i}", day=old, sha=sha)))
    # the amount claimed is the server's: receipts less what another right paid
    over = claim_of(office, number="A-1", sha=sha).with_(other_right="ประกันสังคม", other_paid=Decimal("5000.00"))
    assert "มากกว่ายอดรวมใบเสร็จ" in reasons(send(f, over))
    unnamed = claim_of(office, number="A-2", sha=sha).with_(other_paid=Decimal("200.00"))
    assert "สิทธิอื่น" in reasons(send(f, unnamed))
    said = {**to_json(claim_of(office, number="A-3", sha=sha)), "claimed": "999999.00"}
    refused(f.post("/claims", {"author_cid": FINANCE.cid, "claim": said}), 422, "request.invalid")
    # a history the client made up: a claim that says it is accepted, or that NHSO moved it before
    c = claim_of(office, number="H-1", sha=sha)
    at = dt.datetime.now(dt.UTC)
    for last in (ClaimState.ACCEPTED, ClaimState.IN_TRANSFER, ClaimState.REPAID):
        forged = c.with_(history=c.history + (Step(last, at, "nhso", amount=Decimal("1200.00"), statement="PS-x"),))
        refused(send(f, forged), 422, "claim.state")
    assert snapshot(central) == before
    # a submission whose history carries NHSO's steps before it: staged with the server's own history, and the
    # amount NHSO accepts in full is receipts − other coverage, whatever the client's history said
    fake = (Step(ClaimState.READY, at, FINANCE.cid), Step(ClaimState.SUBMITTED, at, FINANCE.cid),
            Step(ClaimState.ACCEPTED, at, "nhso", amount=Decimal("90000.00")),
            Step(ClaimState.IN_TRANSFER, at, "nhso", statement="PS-2020-01-X"),
            Step(ClaimState.READY, at, FINANCE.cid), Step(ClaimState.SUBMITTED, at, FINANCE.cid))
    shortfall = c.with_(other_right="ประกันสังคม", other_paid=Decimal("200.50"), history=fake)
    assert send(f, shortfall).status_code == 200
    copy = f.get(f"/claims/{c.id}").json()
    assert [s["state"] for s in copy["claim"]["history"]] == ["ready", "submitted"]
    assert all(s["by"] == FINANCE.cid and s["amount"] is None for s in copy["claim"]["history"])
    done = nhso.post(f"/nhso/claims/{c.id}/decision", {"decision": "accept"})
    assert done.status_code == 200 and done.json()["claim"]["history"][-1]["amount"] == "999.50"


SPELLINGS = ["iv 1", " IV-1 ", "I.V/1", "ＩＶ－１", "IV\u200b-1", "IV-\u2060๑", "IV\u00ad1", "IV\u20101",
             "iv\u2212\u00a01"]


def test_a_receipt_claimed_again_under_another_spelling_is_refused(office, central):
    """The receipt IV-1 of the same facility, written with other spaces, case, dashes, Thai digits, full-width
    letters or characters that print as nothing, is the same receipt."""
    staged(office)  # IV-1
    sha = upload(office["finance2"])
    before = snapshot(central)
    for number in SPELLINGS:
        again = claim_of(office, officer=FINANCE2, number=number, sha=sha)
        again = again.with_(facility=" โรงพยาบาล  ทดลอง\u200b")
        assert "ถูกใช้เบิกในคำขออื่นแล้ว" in reasons(send(office["finance2"], again, FINANCE2)), repr(number)
    assert snapshot(central) == before
    # another facility's IV-1 is another receipt
    assert send(office["finance2"], claim_of(office, officer=FINANCE2, number="IV-1", sha=sha).with_(
        facility="คลินิกเวชกรรมทดลอง"), FINANCE2).status_code == 200


def test_a_replayed_old_submission_never_undoes_a_correction_or_nhsos_decision(office, central):
    f, f2 = office["finance"], office["finance2"]
    nhso = staff_session(central)
    sha = upload(f)
    at = dt.datetime.now(dt.UTC)

    def again(c, times: int = 1):
        """The claim refused (by the server or NHSO), corrected and submitted again, ``times`` times."""
        h = c.history
        for _ in range(times):
            h += (Step(ClaimState.REJECTED, at, "central", reason="x"), Step(ClaimState.DRAFT, at, FINANCE.cid),
                  Step(ClaimState.READY, at, FINANCE.cid), Step(ClaimState.SUBMITTED, at, FINANCE.cid))
        return c.with_(history=h)

    # the other finance officer's claim holds receipt R-1 first; ours with R-1 (submission 1) is refused
    x = claim_of(office, officer=FINANCE2, number="R-1", sha=upload(f2))
    assert send(f2, x, FINANCE2).status_code == 200
    first = claim_of(office, number="R-1", sha=sha)
    assert "ถูกใช้เบิกในคำขออื่นแล้ว" in reasons(send(f, first))
    # ours corrected to R-2 (submission 2) is staged, and NHSO rejects it
    second = again(claim_of(office, number="R-2", sha=sha).with_(id=first.id))
    assert send(f, second).json() == {"id": first.id, "state": "submitted", "submission": 2}
    assert nhso.post(f"/nhso/claims/{first.id}/decision", {"decision": "reject", "reason": "ขาดใบรับรองแพทย์"}
                     ).status_code == 200
    # NHSO rejects the other claim too, corrected to another receipt: R-1 is free again
    assert nhso.post(f"/nhso/claims/{x.id}/decision", {"decision": "reject", "reason": "ผิดเลข"}).status_code == 200
    assert send(f2, again(claim_of(office, officer=FINANCE2, number="R-1b", sha=x.pages[0].sha256).with_(id=x.id)),
                FINANCE2).status_code == 200
    before = snapshot(central)
    # a replay of submission 2 gets its first answer; the old submission 1 never comes back to life
    assert send(f, second).json()["submission"] == 2
    refused(send(f, first), 409, "claim.stale", "ส่งซ้ำ")
    assert snapshot(central) == before
    copy = f.get(f"/claims/{first.id}").json()
    assert copy["submission"] == 2 and copy["claim"]["history"][-1]["state"] == "rejected"
    # the real correction (submission 3) goes, and a replay of it afterwards stages nothing again
    third = again(claim_of(office, number="R-3", sha=sha, amount="900.00").with_(id=first.id), 2)
    assert send(f, third).json() == {"id": first.id, "state": "submitted", "submission": 3}
    assert nhso.post(f"/nhso/claims/{first.id}/decision", {"decision": "reject", "reason": "ซ้ำ"}).status_code == 200
    decided = snapshot(central)
    assert send(f, third).json()["submission"] == 3 and send(f, second).json()["submission"] == 2
    refused(send(f, first), 409, "claim.stale")
    assert snapshot(central) == decided


# --- bodies no client would send ----------------------------------------------------------------------------

def _raw(central, session, body: bytes, content_type="application/json") -> requests.Response:
    return requests.post(central.api("/claims"), data=body, timeout=60,
                         headers={**session.headers, "Content-Type": content_type})


def test_malformed_or_oversized_claims_get_a_thai_answer_never_a_500(office, central):
    f = office["finance"]
    sha = upload(f)
    good = to_json(claim_of(office, number="M-1", sha=sha))
    nhso = staff_session(central)
    before = snapshot(central)

    def answered(r: requests.Response) -> None:
        assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
        body = r.json()
        assert body["code"] and any("\u0e00" <= ch <= "\u0e7f" for ch in body["message_th"]), body

    bodies = [b"{not json", b"[]", b"null", b'"x"', b"{}", b"\xff\xfe\x00", b"[" * 20000 + b"]" * 20000,
              b'{"author_cid": ' + b"[" * 5000 + b"]" * 5000 + b"}",
              json.dumps({"author_cid": FINANCE.cid, "claim": None}).encode(),
              json.dumps({"author_cid": FINANCE.cid, "claim": {**good, "receipts": "IV-1"}}).encode(),
              json.dumps({"author_cid": FINANCE.cid, "claim": {**good, "other_paid": "NaN"}}).encode(),
              json.dumps({"author_cid": FINANCE.cid, "claim": {**good, "other_paid": "1e9"}}).encode(),
              json.dumps({"author_cid": FINANCE.cid, "claim": {**good, "first_day": "2026-02-30"}}).encode(),
              json.dumps({"author_cid": FINANCE.cid, "claim": {**good, "illness": "x\u0000y"}}).encode(),
              json.dumps({"author_cid": FINANCE.cid, "claim": {**good, "facility": "\ud800"}}).encode(),
              json.dumps({"author_cid": FINANCE.cid, "claim": {**good, "receipts": [good["receipts"][0]] * 51}}).encode(),
              json.dumps({"author_cid": FINANCE.cid, "claim": {**good, "history": [{"state": "submitted"}]}}).encode()]
    for body in bodies:
        answered(_raw(central, f, body))
    answered(_raw(central, f, json.dumps({"author_cid": FINANCE.cid, "claim": good}).encode(), "text/plain"))
    # a body past the door's limit: refused before it is read, in Thai
    huge = json.dumps({"author_cid": FINANCE.cid, "claim": {**good, "illness": "ไข้" * 200_000}}).encode()
    r = _raw(central, f, huge)
    assert r.status_code == 413 and r.json()["code"] == "request.too_large" and "ใหญ่เกิน" in r.json()["message_th"]
    # dates at the ends of the calendar
    for day in ("0001-01-01", "9999-12-31"):
        answered(f.post("/claims", {"author_cid": FINANCE.cid, "claim": {**good, "first_day": day, "last_day": day}}))
    # a stay of two thousand years is a typing error, said in one reason (judged day by day it took the server
    # minutes of work and answered a reason for each day: hundreds of megabytes for one short request)
    for first, last in (("0001-01-01", TODAY.isoformat()), ("0001-01-01", "9999-12-31"),
                        ((TODAY - dt.timedelta(days=366)).isoformat(), TODAY.isoformat())):
        odd = {**good, "first_day": first, "last_day": last, "care": "ipd"}
        r = f.post("/claims", {"author_cid": FINANCE.cid, "claim": odd})
        answered(r)
        assert len(r.content) < 4000 and r.json()["message_th"].startswith(
                "ช่วงวันที่รักษายาวเกิน 1 ปี กรุณาตรวจสอบวันที่อีกครั้ง")
    # a year's stay, every day of it before the right began: the reasons are named up to a point, then counted
    year = {**good, "first_day": "2023-01-01", "last_day": "2023-12-31", "care": "ipd"}
    r = f.post("/claims", {"author_cid": FINANCE.cid, "claim": year})
    answered(r)
    assert len(r.content) < 64 * 1024 and "ไม่มีสิทธิ" in r.json()["message_th"]
    for receipt_day in ("0001-01-01", "9999-12-31"):
        odd = {**good, "receipts": [{**good["receipts"][0], "issued_on": receipt_day}]}
        answered(f.post("/claims", {"author_cid": FINANCE.cid, "claim": odd}))
    # a claim of the other shape entirely, and a claim from someone who is not its author
    answered(f.post("/claims", {"author_cid": FINANCE.cid, "claim": {"id": "x"}}))
    refused(f.post("/claims", {"author_cid": FINANCE2.cid, "claim": good}), 403, "claim.not_author")
    # NHSO's inputs: an amount that is not money, a month that is not one, a transfer without a reference
    for r in (nhso.post(f"/nhso/claims/{good['id']}/decision", {"decision": "partly", "amount": "NaN", "reason": "x"}),
              nhso.post(f"/nhso/claims/{good['id']}/decision", {"decision": "approve"}),
              nhso.post("/nhso/payments/close", {"month": "2026-13"}),
              nhso.post("/nhso/payments/close", {"month": "99999-01"}),
              nhso.post("/nhso/payments/PS-x/transfer", {"date": "2026-02-30", "ref": "K"}),
              nhso.post("/nhso/payments/PS-x/transfer", {"date": TODAY.isoformat(), "ref": ""}),
              nhso.get("/nhso/claims?state=nothing"), nhso.get(f"/nhso/claims/{good['id']}/blobs/../../etc")):
        answered(r)
    assert snapshot(central) == before


def test_a_slow_half_sent_claim_writes_nothing(office, central):
    """A body cut off halfway (the link or the client dies mid-request) is never half a claim."""
    f = office["finance"]
    body = json.dumps({"author_cid": FINANCE.cid, "claim": to_json(claim_of(office, sha=upload(f)))}).encode()
    before = snapshot(central)
    host, port = central.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"POST /v1/claims HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  + f"Authorization: {f.headers['Authorization']}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                  + body[: len(body) // 2])
    assert snapshot(central) == before
    assert f.get("/claims").json() == []


# --- races: real parallel requests ----------------------------------------------------------------------------

def test_two_nhso_decisions_at_once_exactly_one_wins(office, central):
    nhso, other = staff_session(central), staff_session_2(central)
    reject = {"decision": "reject", "reason": "สิทธิ ณ วันที่รักษาไม่ใช่สิทธิ อปท."}
    for number, bodies in (("RACE-1", ({"decision": "accept"}, reject)),           # two different decisions
                           ("RACE-2", ({"decision": "accept"}, {"decision": "accept"}))):  # the same one twice
        claim = claim_of(office, number=number, sha=upload(office["finance"]))
        assert send(office["finance"], claim).status_code == 200
        path = f"/nhso/claims/{claim.id}/decision"
        results = _race([lambda p=path, b=bodies[0]: nhso.post(p, b), lambda p=path, b=bodies[1]: other.post(p, b)])
        assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
        refused(next(r for r in results if r.status_code == 409), 409, "claim.move", "เปลี่ยนเป็น")
        winner = next(r for r in results if r.status_code == 200).json()["claim"]["history"]
        copy = office["finance"].get(f"/claims/{claim.id}").json()["claim"]["history"]
        assert copy == winner and [s["state"] for s in copy][:2] == ["ready", "submitted"] and len(copy) == 3
        news = [i for i in office["finance"].get("/claims/feed").json()["items"] if i["key"] == claim.id]
        assert len(news) == 2  # staged, then the one decision


def staff_session_2(central):
    """A second NHSO staff member, with an account of their own."""
    import tests.test_claims_server as m
    email = m.STAFF_EMAIL
    m.STAFF_EMAIL = "claims.second@nhso.example.go.th"
    try:
        return staff_session(central)
    finally:
        m.STAFF_EMAIL = email


def test_close_month_twice_at_once_makes_one_statement(office, central, monkeypatch):
    nhso, other = staff_session(central), staff_session_2(central)
    shas = [upload(office["finance"]) for _ in range(2)]
    claims_ = [claim_of(office, number=f"CM-{i}", sha=shas[i]) for i in range(2)]
    for c in claims_:
        assert send(office["finance"], c).status_code == 200
        assert nhso.post(f"/nhso/claims/{c.id}/decision", {"decision": "accept"}).status_code == 200
    later = dt.datetime.combine((TODAY.replace(day=28) + dt.timedelta(days=4)).replace(day=1), dt.time(3),
                                dt.UTC)
    monkeypatch.setattr(server.claims, "now", lambda: later)
    month = TODAY.strftime("%Y-%m")
    results = _race([lambda: nhso.post("/nhso/payments/close", {"month": month}),
                     lambda: other.post("/nhso/payments/close", {"month": month}),
                     lambda: nhso.post("/nhso/payments/close", {"month": month})])
    assert [r.status_code for r in results] == [200, 200, 200], [r.text for r in results]
    made = [x["id"] for r in results for x in r.json()]
    assert made == [f"PS-{month}-{office['finance'].tokens['account']['unit_code']}"]
    snap = snapshot(central)
    assert len(snap["payment_statements"]) == 1
    statement = json.loads(snap["payment_statements"][0])
    body = statement["body"] if isinstance(statement["body"], dict) else json.loads(statement["body"])
    assert sorted(x["claim_id"] for x in body["lines"]) == sorted(c.id for c in claims_) and body["count"] == 2
    states = [c["claim"]["history"] for c in office["finance"].get("/claims").json()]
    assert all([s["state"] for s in h].count("in_transfer") == 1 for h in states)
    payments = [i for i in office["finance"].get("/claims/feed").json()["items"] if i["kind"] == "payment"]
    assert len(payments) == 1


def test_a_transfer_recorded_twice_at_once_with_different_refs_keeps_one(office, central, monkeypatch):
    nhso, other = staff_session(central), staff_session_2(central)
    claim, _sha = staged(office)
    sid = month_closed(office, nhso, monkeypatch, claim)
    day = server.claims.now().date().isoformat()
    results = _race([lambda: nhso.post(f"/nhso/payments/{sid}/transfer", {"date": day, "ref": "KTB-A"}),
                     lambda: other.post(f"/nhso/payments/{sid}/transfer", {"date": day, "ref": "KTB-B"})])
    assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
    refused(next(r for r in results if r.status_code == 409), 409, "payment.transferred", "บันทึกการโอนเงิน")
    won = next(r for r in results if r.status_code == 200).json()["transfer"]["ref"]
    kept = office["finance"].get(f"/claims/payments/{sid}").json()
    assert kept["transfer"]["ref"] == won
    transfers = [i["data"]["transfer"] for i in office["finance"].get("/claims/feed").json()["items"]
                 if i["kind"] == "payment" and i["data"]["transfer"]]
    assert [t["ref"] for t in transfers] == [won]
    # the same again (either one) changes nothing
    before = snapshot(central)
    again = [nhso.post(f"/nhso/payments/{sid}/transfer", {"date": day, "ref": ref}) for ref in ("KTB-A", "KTB-B")]
    assert sorted(r.status_code for r in again) == [200, 409]
    assert snapshot(central)["payment_statements"] == before["payment_statements"]
    assert snapshot(central)["feed"] == before["feed"]


def test_a_finance_officer_never_changes_the_register(office, central):
    """The other half of the separation of duties: a finance officer's valid account with a modified client can
    neither submit a registration nor approve one."""
    from app import changeset as csmod
    from tests.central import approve, hire
    f = office["finance"]
    # the registry officer's own change set, pending review
    theirs = hire()
    ok = office["registry"].post("/changesets", {"changesets": [csmod.to_json(theirs)]})
    assert ok.status_code == 200 and ok.json()["results"][0]["status"] == "accepted", ok.text
    mine = hire()
    mine.author_cid = FINANCE.cid
    before = snapshot(central)
    with central.engine.connect() as conn:
        register = conn.execute(text("SELECT count(*) FROM records")).scalar()
    r = f.post("/changesets", {"changesets": [csmod.to_json(mine)]})
    assert r.status_code == 200, r.text
    [result] = r.json()["results"]
    assert result["status"] == "refused" and "เจ้าหน้าที่ทะเบียน" in result["message_th"], result
    r = approve(f, theirs)
    assert r.status_code == 403 and "นายทะเบียน" in r.json()["message_th"], r.text
    with central.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM records")).scalar() == register
        assert conn.execute(text("SELECT state FROM changesets WHERE id = :i"), {"i": theirs.id}).scalar() == "pending"
    assert snapshot(central) == before
