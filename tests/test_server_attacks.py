"""The central server's threat model, as tests: what a registry officer of another unit with a valid account
and a modified client can read, write, claim or replay, and what parallel requests do — each against a real
server on loopback, on SQLite and on PostgreSQL (the ``central`` fixture runs every test on both)."""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import io
import json
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import select, text

from app import changeset as csmod
from app import events
from app.changeset import ReviewState
from app.domain import StartReason
from app.records import from_dict
from app.rules.entitlement import Relation
from server import security
from server.db import records
from tests.builders import person
from tests.central import OTHER, REGISTRAR, REGISTRY, UNIT, approve, hire, push

OTH = "OTH0002"
NOW = lambda: dt.datetime.now(dt.timezone.utc)  # noqa: E731


def applied(s_registry, s_registrar, cs):
    assert push(s_registry, cs)["state"] == "pending"
    r = approve(s_registrar, cs)
    assert r.status_code == 200 and r.json()["status"] == "applied", r.text
    return cs


def their_hire(first="ของหน่วยอื่น"):
    cs = events.hire(OTH, OTHER[1].cid, person(first=first, born=dt.date(1988, 4, 4)), "local_official",
                     dt.date(2026, 1, 5), "นักจัดการงานทั่วไป")
    cs.state = ReviewState.PENDING
    return cs


def pending(cs):
    cs.state = ReviewState.PENDING
    return cs


def record_of(central, kind, rid):
    with central.engine.begin() as conn:
        return conn.execute(select(records.c.unit_code, records.c.rev, records.c.data).where(
            records.c.type == kind, records.c.id == rid)).first()


def register_dump(central) -> list:
    """The register as bytes would compare: every record, every revision, every record sent to a feed."""
    with central.engine.begin() as conn:
        out = []
        for query in ("SELECT type, id, unit_code, rev, data FROM records ORDER BY type, id",
                      "SELECT type, id, rev, data FROM record_history ORDER BY type, id, rev",
                      "SELECT seq, unit_code, record_type, key, rev, data FROM feed WHERE kind = 'record' ORDER BY seq"):
            out.append([tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for v in row)
                        for row in conn.execute(text(query))])
        return out


# --- 1. a unit writes only its own records -----------------------------------------------------------

def test_another_unit_cannot_rewrite_our_people_or_claim_them_as_new(central, unit):
    ours = applied(unit["registry"], unit["registrar"], hire(children=0))
    me = from_dict("person", ours.operations[0].fields)
    job = from_dict("employment", ours.operations[1].fields)
    before = register_dump(central)
    # their officer, a valid account of another unit, writes our person's death into a change set of theirs
    death = pending(events.death(OTH, OTHER[1].cid, events.Known(me, 1), dt.date(2026, 11, 1),
                                 [events.Known(job, 1)]))
    r = push(unit["other_registry"], death)
    assert r["status"] == "refused" and r["code"] == "changeset.refused"
    assert "หน่วยงานอื่น" in r["message_th"] and me.first_th not in r["message_th"]  # nothing of ours is told
    # or claims our person as a new hire of theirs, to get the record moved to them
    grab = events.hire(OTH, OTHER[1].cid, dataclasses.replace(me, first_th="ชื่อปลอม"), "local_official",
                       dt.date(2026, 11, 1))
    r = push(unit["other_registry"], pending(grab))
    assert r["status"] == "refused" and "รับโอน" in r["message_th"] and "ชื่อปลอม" not in r["message_th"]
    # or opens a service period for our unit from theirs
    ghost = events.hire(OTH, OTHER[1].cid, person(first="ผี"), "local_official", dt.date(2026, 11, 1))
    ghost.operations[1].fields["unit_code"] = UNIT
    assert push(unit["other_registry"], pending(ghost))["status"] == "refused"
    assert register_dump(central) == before
    assert record_of(central, "person", me.cid)[0] == UNIT
    theirs = unit["other_registry"].get("/feed").json()["items"]
    assert all(i["key"] != me.cid for i in theirs)


def test_the_rules_reasons_never_tell_who_stands_behind_another_units_citizen_id(central, unit):
    theirs = applied(unit["other_registry"], unit["other_registrar"], their_hire("ชื่อลับเฉพาะ"))
    them = from_dict("person", theirs.operations[0].fields)
    probe = events.hire(UNIT, REGISTRY.cid, person(first="ผู้ถาม", born=dt.date(1960, 1, 1)), "local_official",
                        dt.date(2026, 10, 1), dependents=[events.NewDependent(events.Known(them, 1), Relation.CHILD)])
    r = push(unit["registry"], pending(probe))  # "is this CID my child?": no, and nothing about them is said
    assert r["status"] == "refused" and r["message_th"]
    assert them.first_th not in r["message_th"] and them.last_th not in r["message_th"]


def test_a_change_set_that_reaches_past_its_unit_is_refused_at_approval_too(central, unit):
    """A change set already in staging (stored before the check existed, or written around the push) is
    checked again when the registrar approves it, and answered invalid without a record written."""
    theirs = applied(unit["other_registry"], unit["other_registrar"], their_hire())
    them = from_dict("person", theirs.operations[0].fields)
    sneaky = pending(events.correct(UNIT, REGISTRY.cid, events.Known(them, 1), "แก้ไขชื่อ", first_th="แก้ชื่อ"))
    sneaky.history = [csmod.Transition(ReviewState.PENDING, NOW(), REGISTRY.cid)]
    with central.engine.begin() as conn:
        conn.execute(text("INSERT INTO changesets (id, unit_code, author_cid, state, data, created_at, updated_at) "
                          "VALUES (:id, :u, :a, 'pending', :d, :t, :t)"),
                     {"id": sneaky.id, "u": UNIT, "a": REGISTRY.cid, "d": json.dumps(csmod.to_json(sneaky)),
                      "t": NOW()})
    before = register_dump(central)
    r = approve(unit["registrar"], sneaky)
    assert r.status_code == 200 and r.json()["status"] == "invalid", r.text
    assert any("หน่วยงานอื่น" in x for x in r.json()["reasons_th"])
    assert register_dump(central) == before
    assert record_of(central, "person", them.cid)[2]["first_th"] == them.first_th


def test_a_transfer_in_names_the_persons_unit_takes_the_person_and_leaves_their_service_to_them(central, unit):
    theirs = applied(unit["other_registry"], unit["other_registrar"], their_hire("ย้ายมา"))
    them = from_dict("person", theirs.operations[0].fields)
    job = from_dict("employment", theirs.operations[1].fields)
    # the old unit ends the service by transfer out (it stays theirs to write)
    out = pending(events.end_service(OTH, OTHER[1].cid, events.Known(them, 1), events.Known(job, 1),
                                     dt.date(2026, 10, 31), events.EndReason.TRANSFER_OUT))
    applied(unit["other_registry"], unit["other_registrar"], out)
    wrong = events.hire(UNIT, REGISTRY.cid, them, "local_official", dt.date(2026, 11, 1), "นักจัดการงานทั่วไป",
                        reason=StartReason.TRANSFER_IN, from_unit="ZZZ9999")
    r = push(unit["registry"], pending(wrong))
    assert r["status"] == "refused" and "หน่วยงานเดิม" in r["message_th"]
    move = events.hire(UNIT, REGISTRY.cid, them, "local_official", dt.date(2026, 11, 1), "นักจัดการงานทั่วไป",
                       reason=StartReason.TRANSFER_IN, from_unit=OTH)
    applied(unit["registry"], unit["registrar"], pending(move))
    owner, rev, _data = record_of(central, "person", them.cid)
    assert owner == UNIT and rev == 2
    old_owner, old_rev, old_job = record_of(central, "employment", job.id)
    assert old_owner == OTH and old_rev == 2 and old_job["end_reason"] == "transfer_out"
    ours = unit["registry"].get("/feed").json()["items"]
    assert any(i["record_type"] == "person" and i["key"] == them.cid for i in ours)


# --- 2. a refusal changes nothing ---------------------------------------------------------------------

def test_a_conflict_at_approval_leaves_the_register_byte_identical(central, unit):
    cs = applied(unit["registry"], unit["registrar"], hire(children=0))
    me = from_dict("person", cs.operations[0].fields)
    job = from_dict("employment", cs.operations[1].fields)
    a = pending(events.end_service(UNIT, REGISTRY.cid, events.Known(me, 1), events.Known(job, 1),
                                   dt.date(2027, 1, 1), events.EndReason.RESIGNATION))
    child = events.NewDependent(person(first="ลูกใหม่", born=dt.date(2026, 10, 15)), Relation.CHILD)
    b = pending(events.add_dependent(UNIT, REGISTRY.cid, events.Known(me, 1), child, dt.date(2026, 10, 15)))
    b.operations.append(a.operations[0])  # b also ends the same service: it will meet a's revision
    for x in (a, b):
        assert push(unit["registry"], x)["state"] == "pending", push(unit["registry"], x)
    assert approve(unit["registrar"], a).json()["status"] == "applied"
    before = register_dump(central)
    r = approve(unit["registrar"], b).json()
    assert r["status"] == "conflict", r
    assert register_dump(central) == before  # the new child of b's first operations was not written either


# --- 3. blobs belong to the units that sent their bytes -----------------------------------------------

def _png(seed: bytes) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + seed * 64


def test_a_blob_is_a_units_only_by_sending_its_bytes(central, unit):
    data = _png(b"ours")
    sha = hashlib.sha256(data).hexdigest()
    ours, theirs = unit["registry"], unit["other_registry"]

    def put(s, body, **headers):
        return requests.put(central.api(f"/blobs/{sha}"), data=body, headers={**s.headers, **headers}, timeout=30)

    def head(s):
        return requests.head(central.api(f"/blobs/{sha}"), headers=s.headers, timeout=30)

    # their half-finished upload is theirs alone: it does not move our offset, nor make the blob anyone's
    half = len(data) // 2
    assert put(theirs, data[:half], **{"Content-Range": f"bytes 0-{half - 1}/{len(data)}"}).status_code == 202
    assert head(ours).status_code == 404 and head(ours).headers["Upload-Offset"] == "0"
    assert put(ours, data).status_code == 201
    assert head(ours).status_code == 200
    # knowing the hash is not enough: a PUT with no body or other bytes gets them nothing
    assert head(theirs).status_code == 404 and head(theirs).headers["Upload-Offset"] == str(half)
    assert put(theirs, b"").status_code >= 400
    wrong = _png(b"other")[: len(data) - half]  # the right length, other bytes: the hash does not hold
    assert put(theirs, wrong, **{"Content-Range": f"bytes {half}-{len(data) - 1}/{len(data)}"}).status_code == 422
    assert theirs.get(f"/blobs/{sha}").status_code == 404 and head(theirs).status_code == 404
    got = ours.get(f"/blobs/{sha}")
    assert got.content == data and got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("attachment")
    # sending the same bytes themselves makes it theirs too (the server keeps one copy)
    assert head(theirs).headers["Upload-Offset"] == "0"  # the failed upload was discarded
    assert put(theirs, data).status_code == 201 and theirs.get(f"/blobs/{sha}").content == data


# --- 4. lock-out counts every guess, in parallel too, and says nothing of who exists -------------------

def _login(central, username, password, cid="0" * 13):
    return requests.post(central.api("/auth/login"), json={"username": username, "password": password,
                                                           "card_cid": cid}, timeout=60)


def test_parallel_wrong_passwords_lock_the_account_after_five_guesses(central, unit):
    name = REGISTRY.email
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: _login(central, name, f"Wrong-guess-{i}"), range(16)))
    codes = [a.json()["code"] for a in answers]
    assert all(a.status_code in (401, 423) for a in answers), codes
    assert codes.count("auth.wrong") <= security.MAX_FAILED and "auth.locked" in codes
    right = _login(central, name, "Lgo-" + REGISTRY.cid[-6:] + "-Desk", REGISTRY.cid)
    assert right.status_code == 423 and "นาที" in right.json()["message_th"]


def test_an_unknown_name_is_answered_and_locked_exactly_like_a_known_one(central, unit):
    for name in (REGISTRY.email, "nobody@example.go.th"):
        first = _login(central, name, "Wrong-pass-1")
        assert (first.status_code, first.json()) == (401, {
            "code": "auth.wrong", "message_th": "ชื่อผู้ใช้งานหรือรหัสผ่านไม่ถูกต้อง",
            "message_en": "Wrong username or password.", "details": {}})
        for i in range(security.MAX_FAILED - 1):
            _login(central, name, f"Wrong-pass-x{i}")
        locked = _login(central, name, "Wrong-pass-again")
        assert locked.status_code == 423 and locked.json()["code"] == "auth.locked"


def test_guessing_the_old_password_of_a_password_change_counts_toward_the_lock_out(central, unit):
    s = unit["finance"]
    for i in range(security.MAX_FAILED):
        r = s.post("/auth/password", {"old_password": f"Not-it-{i}", "new_password": "Brand-New-2569"})
        assert r.status_code == 400 and r.json()["code"] == "auth.wrong_old_password"
    r = s.post("/auth/password", {"old_password": "Whatever-1", "new_password": "Brand-New-2569"})
    assert r.status_code == 423


# --- 5. stored answers are the caller's own ------------------------------------------------------------

def test_a_stored_approval_answer_is_given_only_to_its_own_units_registrar(central, unit):
    cs = applied(unit["registry"], unit["registrar"], hire(children=1))
    body = {"changeset_id": cs.id, "device_id": unit["other_registrar"].device_id, "approved_at": NOW().isoformat(),
            "signature": base64.b64encode(b"x" * 64).decode()}
    for who in ("finance", "other_registrar", "other_registry"):
        r = unit[who].post("/approvals", body)
        assert r.status_code in (403, 404), (who, r.text)
        assert "reasons_th" not in r.json() and "current" not in r.json()


def test_another_unit_cannot_poison_the_answer_to_our_push(central, unit):
    cs = hire()
    forged = dataclasses.replace(cs, unit_code=OTH, author_cid=OTHER[1].cid)
    theirs = push(unit["other_registry"], forged)  # they send ours first, under their unit
    assert theirs["status"] == "refused"
    mine = push(unit["registry"], cs)  # their stored answer is theirs alone
    assert mine["status"] == "accepted" and mine["state"] == "pending"
    assert push(unit["other_registry"], forged) == theirs
    assert push(unit["registry"], cs) == mine
    squat = their_hire()
    squat.id = cs.id  # a valid change set of their own under our id: the id is taken, ours stays ours
    squat.history = [csmod.Transition(ReviewState.PENDING, NOW(), OTHER[1].cid)]  # (not a replay of theirs)
    assert push(unit["other_registry"], squat)["code"] == "changeset.id_taken"
    assert [c["id"] for c in unit["registrar"].get("/changesets").json()] == [cs.id]
    assert unit["other_registrar"].get("/changesets").json() == []


# --- 6. the server keeps its own history and clock -----------------------------------------------------

def test_a_forged_history_is_refused_and_times_are_the_servers(central, unit):
    cs = hire()
    long_ago = dt.datetime(1999, 1, 1, tzinfo=dt.timezone.utc)
    cs.history = [csmod.Transition(ReviewState.PENDING, long_ago, REGISTRY.cid),
                  csmod.Transition(ReviewState.APPROVED, long_ago, REGISTRAR.cid)]
    r = push(unit["registry"], cs)
    assert r["status"] == "refused" and r["code"] == "changeset.history"
    cs.history = [csmod.Transition(ReviewState.PENDING, long_ago, REGISTRY.cid)]
    assert push(unit["registry"], cs)["state"] == "pending"
    staged = unit["registrar"].get("/changesets").json()[0]
    stamped = dt.datetime.fromisoformat(staged["history"][-1]["at"])
    assert abs(stamped - NOW()) < dt.timedelta(minutes=5)  # the server's clock, not 1999
    for when in (dt.datetime(2999, 1, 1, tzinfo=dt.timezone.utc), long_ago):
        r = approve(unit["registrar"], cs, when)
        assert r.status_code == 422 and r.json()["code"] == "approval.time"
    assert unit["registrar"].get("/changesets").json()[0]["state"] == "pending"


# --- 7. refresh tokens --------------------------------------------------------------------------------

def test_parallel_refreshes_of_one_token_never_give_two_live_sessions(central, unit):
    s = unit["registry"]
    token = s.tokens["refresh_token"]
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _i: requests.post(central.api("/auth/refresh"), json={"refresh_token": token},
                                                         timeout=60), range(6)))
    assert all(a.status_code in (200, 401) for a in answers)
    live = [a.json() for a in answers if a.status_code == 200]
    for tokens in live:  # whatever came out of the race, the reuse ended the session
        s.tokens = tokens
        assert s.get("/me").status_code == 401


def test_a_password_change_ends_the_accounts_other_sessions(central, unit):
    other_pc = unit["registrar"]
    this_pc = requests.post(central.api("/auth/login"), json={
        "username": REGISTRAR.email, "password": "Lgo-" + REGISTRAR.cid[-6:] + "-Desk", "card_cid": REGISTRAR.cid},
        timeout=30).json()
    r = requests.post(central.api("/auth/password"), headers={"Authorization": f"Bearer {this_pc['access_token']}"},
                      json={"old_password": "Lgo-" + REGISTRAR.cid[-6:] + "-Desk", "new_password": "Another-Pass-2570"},
                      timeout=30)
    assert r.status_code == 204
    assert other_pc.get("/me").status_code == 401
    assert requests.get(central.api("/me"), headers={"Authorization": f"Bearer {this_pc['access_token']}"},
                        timeout=30).status_code == 200


# --- 8. every answer is a Problem; odd input is refused at the door -----------------------------------

@pytest.mark.parametrize("username", ["\ud800abc", "nul\x00name", "rtl\u202eevil", "x" * 300])
def test_odd_strings_at_log_in_get_a_thai_problem_not_a_500(central, username):
    r = requests.post(central.api("/auth/login"), timeout=30,
                      data=json.dumps({"username": username, "password": "x", "card_cid": "1"}),
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "request.invalid" and r.json()["message_th"]


def test_odd_change_sets_get_an_answer_never_a_500(central, unit):
    s = unit["registry"]
    base = csmod.to_json(hire())
    variants = [
        {**base, "id": "x" * 40},
        {**base, "title": "nul\x00"},
        {**base, "operations": []},
        {**base, "operations": [{**base["operations"][0], "fields": {}}]},
        {**base, "operations": [{**base["operations"][0], "fields": {**base["operations"][0]["fields"],
                                                                      "birth": "ไม่ใช่วันที่"}}]},
        {**base, "operations": [{**base["operations"][0], "fields": {**base["operations"][0]["fields"],
                                                                      "first_th": 12}}]},
        {**base, "operations": [{**base["operations"][1], "op": "update", "base_rev": None}]},
        {**base, "claims": [{"beneficiary_cid": "1", "dependent_cid": "2", "relation": "cousin"}]},
        {**base, "extra": "field"},
    ]
    for body in variants:
        r = s.post("/changesets", {"changesets": [body]})
        assert r.status_code in (200, 422), r.text
        answer = r.json()
        if r.status_code == 200:
            assert answer["results"][0]["status"] == "refused" and answer["results"][0]["message_th"]
        else:
            assert answer["code"] == "request.invalid" and answer["message_th"]
    assert unit["registrar"].get("/changesets").json() == []


def test_unknown_paths_wrong_methods_and_broken_json_answer_problems(central, unit):
    for r in (requests.get(central.api("/nothing-here"), timeout=30),
              requests.delete(central.api("/feed"), timeout=30),
              requests.post(central.api("/auth/login"), data=b"{not json", timeout=30,
                            headers={"Content-Type": "application/json"})):
        assert r.status_code in (400, 404, 405, 422), r.text
        assert set(r.json()) >= {"code", "message_th"} and r.json()["message_th"]


def test_the_same_push_or_approval_twice_at_once_gets_one_answer(central, unit):
    cs = hire()
    with ThreadPoolExecutor(4) as pool:
        pushes = list(pool.map(lambda _i: unit["registry"].post("/changesets", {"changesets": [csmod.to_json(cs)]}),
                               range(4)))
    assert all(p.status_code == 200 for p in pushes), [p.text for p in pushes]
    assert len({json.dumps(p.json(), sort_keys=True) for p in pushes}) == 1
    with ThreadPoolExecutor(4) as pool:
        approvals = list(pool.map(lambda _i: approve(unit["registrar"], cs), range(4)))
    assert all(a.status_code == 200 for a in approvals), [a.text for a in approvals]
    assert {a.json()["status"] for a in approvals} == {"applied"}
    me = cs.operations[0].record_id
    assert record_of(central, "person", me)[1] == 1  # written once


# --- 9. size limits before the body is read ------------------------------------------------------------

def _raw_post(central, path: str, length: int, chunked: bool = False) -> tuple[int, dict]:
    """Send headers that announce ``length`` bytes and only a little of them: a server that waits to read the
    whole body never answers; one that checks the size first answers 413 at once."""
    host, port = central.url.rsplit("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        head = (f"POST /v1{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                + ("Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {length}\r\n") + "\r\n")
        sock.sendall(head.encode())
        if chunked:
            piece = b"x" * 65536
            for _ in range(length // len(piece) + 1):
                try:
                    sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                except OSError:
                    break
        else:
            sock.sendall(b"{")
        reply = io.BytesIO()
        while b"\r\n\r\n" not in reply.getvalue() or not _complete(reply.getvalue()):
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply.write(chunk)
    status = int(reply.getvalue().split(b" ", 2)[1])
    return status, json.loads(reply.getvalue().split(b"\r\n\r\n", 1)[1] or b"{}")


def _complete(raw: bytes) -> bool:
    head, _, body = raw.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def test_oversized_bodies_are_refused_before_they_are_read(central, unit):
    status, body = _raw_post(central, "/auth/login", 40 * 1024 * 1024)
    assert status == 413 and body["code"] == "request.too_large" and "KB" in body["message_th"]
    status, body = _raw_post(central, "/changesets", 40 * 1024 * 1024)
    assert status == 413
    status, body = _raw_post(central, "/auth/login", 2 * 1024 * 1024, chunked=True)
    assert status == 413 and body["code"] == "request.too_large"


# --- 10. secrets and people's data at rest ------------------------------------------------------------

def test_the_embedded_database_is_private_and_errors_carry_no_parameters(tmp_path):
    import os
    import stat

    from sqlalchemy.exc import SQLAlchemyError

    from server.db import make_engine, migrate
    folder = tmp_path / "central"
    engine = make_engine(f"sqlite:///{folder / 'central.sqlite3'}")
    migrate(engine)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(folder / "central.sqlite3").st_mode) == 0o600
    cid = "3100600445635"
    with pytest.raises(SQLAlchemyError) as caught:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO no_such_table VALUES (:cid)"), {"cid": cid})
    assert cid not in str(caught.value)
    engine.dispose()


def test_an_unexpected_failure_answers_a_problem_with_a_request_id_and_logs_no_data(tmp_path, caplog):
    import logging
    import threading
    import time

    import uvicorn

    from server.api import create_app
    from server.db import make_engine, migrate
    from tests.central import free_port
    engine = make_engine(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    migrate(engine)
    app = create_app(engine, tmp_path / "blobs")
    cid = "3100600445635"

    @app.get("/v1/broken")
    def broken():  # a failure deep inside, its message carrying a person's data as a driver's would
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO no_such_table VALUES (:cid, :name)"), {"cid": cid, "name": "สมชาย ใจดี"})

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        with caplog.at_level(logging.INFO):
            r = requests.get(f"http://127.0.0.1:{port}/v1/broken", timeout=30)
        assert r.status_code == 500
        problem = r.json()
        assert problem["code"] == "server.error" and problem["details"]["request_id"] in problem["message_th"]
        assert r.headers["x-request-id"] == problem["details"]["request_id"]
        logged = caplog.text
        assert problem["details"]["request_id"] in logged
        assert cid not in logged and "สมชาย" not in logged and cid not in r.text
    finally:
        server.should_exit = True
        thread.join(10)
        engine.dispose()


# --- 11. found by the attacker's second pass -------------------------------------------------------------

def _their_family(unit):
    me = person(first="พนักงานอื่น", last="ลับมาก", born=dt.date(1985, 3, 7))
    kid = person(first="บุตรลับ", last="ลับมาก", born=dt.date(2015, 6, 9))
    cs = events.hire(OTH, OTHER[1].cid, me, "local_official", dt.date(2026, 1, 5), "นักจัดการงานทั่วไป",
                     dependents=[events.NewDependent(kid, Relation.CHILD)])
    applied(unit["other_registry"], unit["other_registrar"], pending(cs))
    return me, kid, cs


def _their_statement(central):
    from server import statements as stmts
    with central.engine.begin() as conn:
        return {(p["cid"], p["relation"]) for p in stmts.compute(conn, OTH, dt.date.today())["people"]}


def _ours(ops, kind="correction", claims=(), effective_on=None, from_unit=""):
    return pending(csmod.ChangeSet(UNIT, REGISTRY.cid, "ทดสอบ", kind, list(ops), effective_on=effective_on,
                                   claims=list(claims), from_unit=from_unit))


def _create(record):
    from app.records import record_key, to_dict, type_name
    return csmod.Operation(csmod.Op.CREATE, type_name(record), record_key(record), to_dict(record))


def test_new_records_about_another_units_people_are_refused_and_their_list_stays(central, unit):
    import uuid

    from app.domain import Basis, Coverage, Marriage, Parentage, ParentKind, Scheme
    me, kid, _cs = _their_family(unit)
    before = _their_statement(central)
    assert (kid.cid, "child") in before
    made_up = person(first="คู่ปลอม", born=dt.date(1990, 1, 1))
    attempts = [
        _ours([_create(Coverage(str(uuid.uuid4()), kid.cid, Scheme.CSMBS, Basis.OWN, dt.date(2026, 2, 1)))]),
        _ours([_create(made_up), _create(Marriage(str(uuid.uuid4()), me.cid, made_up.cid, "1/2569",
                                                  dt.date(2026, 2, 1)))]),
        _ours([_create(made_up), _create(Parentage(str(uuid.uuid4()), me.cid, made_up.cid, ParentKind.LEGITIMATE))]),
        _ours([_create(Coverage(str(uuid.uuid4()), made_up.cid, Scheme.PRIVATE_INSURANCE, Basis.OWN,
                                dt.date(2026, 2, 1)))], "coverage", [csmod.Claim(me.cid, kid.cid, "child")],
              dt.date(2040, 1, 1)),
    ]
    for cs in attempts:
        r = push(unit["registry"], cs)
        assert r["status"] == "refused" and "หน่วยงานอื่น" in r["message_th"], r
        assert "09/06/2578" not in r["message_th"] and "ลับมาก" not in r["message_th"]  # no birthday, no name
    assert _their_statement(central) == before


def test_a_transfer_in_waits_for_the_old_units_transfer_out_and_brings_no_new_birth_or_death(central, unit):
    me, kid, cs = _their_family(unit)
    job = from_dict("employment", cs.operations[1].fields)
    from app.records import to_dict
    dead = _ours([csmod.Operation(csmod.Op.CREATE, "person", me.cid, {**to_dict(me), "died_on": "2026-11-01"})],
                 "transfer_in", from_unit=OTH)
    for attempt in (dead, pending(events.hire(UNIT, REGISTRY.cid, me, "local_official", dt.date(2026, 11, 1),
                                              "นักจัดการงานทั่วไป", reason=StartReason.TRANSFER_IN, from_unit=OTH))):
        r = push(unit["registry"], attempt)
        assert r["status"] == "refused", r  # still at work there: the old unit has not recorded a transfer out
    out = pending(events.end_service(OTH, OTHER[1].cid, events.Known(me, 1), events.Known(job, 1),
                                     dt.date(2026, 10, 31), events.EndReason.TRANSFER_OUT))
    applied(unit["other_registry"], unit["other_registrar"], out)
    dead.history = [csmod.Transition(ReviewState.PENDING, NOW(), REGISTRY.cid)]
    r = push(unit["registry"], dead)
    assert r["status"] == "refused" and "วันที่เสียชีวิต" in r["message_th"]
    assert record_of(central, "person", me.cid)[0] == OTH and not record_of(central, "person", me.cid)[2]["died_on"]


def test_a_change_set_resubmitted_after_a_conflict_is_approved_afresh(central, unit):
    me = from_dict("person", applied(unit["registry"], unit["registrar"], hire(children=0)).operations[0].fields)
    first = pending(events.correct(UNIT, REGISTRY.cid, events.Known(me, 1), "แก้ชื่อ", first_th="หนึ่ง"))
    second = pending(events.correct(UNIT, REGISTRY.cid, events.Known(me, 1), "แก้นามสกุล", last_th="สอง"))
    for cs in (first, second):
        push(unit["registry"], cs)
    assert approve(unit["registrar"], first).json()["status"] == "applied"
    assert approve(unit["registrar"], second).json()["status"] == "conflict"
    back = csmod.from_json(next(c for c in unit["registry"].get("/changesets", params={"state": "returned"}).json()
                                if c["id"] == second.id))
    back.operations[0].base_rev = 2
    back.state = ReviewState.PENDING
    back.history.append(csmod.Transition(ReviewState.PENDING, NOW(), REGISTRY.cid))
    assert push(unit["registry"], back)["state"] == "pending"
    r = approve(unit["registrar"], back)
    assert r.json()["status"] == "applied", r.text
    assert record_of(central, "person", me.cid)[2]["last_th"] == "สอง"


def test_two_approvals_at_once_cannot_both_marry_one_person(central, unit):
    from app.domain import Sex
    me = from_dict("person", applied(unit["registry"], unit["registrar"], hire(children=0)).operations[0].fields)
    sets = [pending(events.marriage(UNIT, REGISTRY.cid, events.Known(me, 1),
                                    person(first=f"คู่{i}", sex=Sex.FEMALE, born=dt.date(1991, 1, 1)),
                                    f"{i}/2569", dt.date(2026, 11, 1))) for i in range(2)]
    for cs in sets:
        assert push(unit["registry"], cs)["state"] == "pending"
    with ThreadPoolExecutor(2) as pool:
        statuses = [a.json()["status"] for a in pool.map(lambda cs: approve(unit["registrar"], cs), sets)]
    assert sorted(statuses) == ["applied", "invalid"], statuses


def test_out_of_range_values_get_answers_not_500s(central, unit):
    s = unit["registry"]
    r = requests.put(central.api("/blobs/" + "a" * 64), data=b"x", timeout=30,
                     headers={**s.headers, "Content-Range": f"bytes 0-{'9' * 5000}/{'9' * 5000}"})
    assert r.status_code == 400 and r.json()["code"] == "blob.range"
    assert requests.put(central.api("/blobs/" + "a" * 64 + "%0A"), data=b"x", headers=s.headers,
                        timeout=30).status_code == 400
    cs = hire(children=0)
    kid = person(first="ลูก", born=dt.date(9990, 1, 1))
    from app.domain import Parentage, ParentKind
    cs.operations += [_create(kid), _create(Parentage("p-9990", cs.operations[0].record_id, kid.cid,
                                                      ParentKind.LEGITIMATE))]
    cs.claims.append(csmod.Claim(cs.operations[0].record_id, kid.cid, "child"))
    r = push(s, cs)
    assert r["status"] == "refused" and r["message_th"]
    for after in ("a\x00b:c", "\u202e", "x" * 300):
        r = s.get("/records", params={"after": after})
        assert r.status_code == 422 and r.json()["message_th"], after


def test_only_a_registry_officer_gets_an_answer_to_a_push_even_a_replayed_one(central, unit):
    cs = hire(children=0)
    push(unit["registry"], cs)
    r = unit["finance"].post("/changesets", {"changesets": [csmod.to_json(cs)]}).json()["results"][0]
    assert r["status"] == "refused" and r["code"] == "changeset.not_registry"


def test_a_change_set_cites_only_documents_its_unit_has_sent(central, unit):
    data = _png(b"theirs")
    sha = hashlib.sha256(data).hexdigest()
    assert requests.put(central.api(f"/blobs/{sha}"), data=data, headers=unit["other_registry"].headers,
                        timeout=30).status_code == 201
    cs = hire(children=0)
    cs.evidence = [sha]
    r = push(unit["registry"], cs)
    assert r["status"] == "refused" and r["code"] == "changeset.evidence_missing"
    # once our own upload of those bytes is in, the same push goes through (the refusal was not kept as its answer)
    assert requests.put(central.api(f"/blobs/{sha}"), data=data, headers=unit["registry"].headers,
                        timeout=30).status_code == 201
    assert push(unit["registry"], cs)["state"] == "pending"


def test_unfinished_uploads_are_bounded_per_unit_and_slow_bodies_time_out(central, unit, monkeypatch):
    import os

    from server import blobs, guard
    monkeypatch.setattr(blobs, "PARTIAL_QUOTA", 3 * 2**20)
    s = unit["registry"]
    codes = []
    for _ in range(4):
        piece = b"\x89PNG" + os.urandom(2**20)
        name = hashlib.sha256(os.urandom(8)).hexdigest()
        codes.append(requests.put(central.api(f"/blobs/{name}"), data=piece, timeout=30, headers={
            **s.headers, "Content-Range": f"bytes 0-{len(piece) - 1}/{20 * 2**20}"}).status_code)
    assert codes[:2] == [202, 202] and codes[-1] == 507
    other = unit["other_registry"]  # another unit's quota is its own
    piece = b"\x89PNG" + os.urandom(1024)
    assert requests.put(central.api(f"/blobs/{'b' * 64}"), data=piece, timeout=30, headers={
        **other.headers, "Content-Range": f"bytes 0-{len(piece) - 1}/{2**20}"}).status_code == 202
    monkeypatch.setattr(guard, "BODY_WAIT", 1.0)
    host, port = central.url.rsplit("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(f"POST /v1/auth/login HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: 60000\r\n\r\n{{".encode())
        reply = sock.recv(65536)  # the server gives up waiting and answers
    assert b" 408 " in reply.split(b"\r\n", 1)[0] and b"request.too_slow" in reply
