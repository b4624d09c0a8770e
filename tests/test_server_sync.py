"""The review loop on the server: push to staging, approve with a signature, apply with the rules,
answer conflicts and refusals, replay safely, and tell the unit's PCs through the feed."""
from __future__ import annotations

import datetime as dt

import pytest

from app import events
from app.changeset import ReviewState
from tests.central import REGISTRY, UNIT, approve, hire, push

def test_pushed_change_sets_wait_in_staging_and_replays_get_the_first_answer(central, unit):
    cs = hire()
    first = push(unit["registry"], cs)
    assert first["status"] == "accepted" and first["state"] == "pending"
    assert push(unit["registry"], cs) == first
    staged = unit["registrar"].get("/changesets", params={"state": "pending"}).json()
    assert [c["id"] for c in staged] == [cs.id]
    assert unit["other_registrar"].get("/changesets", params={"state": "pending"}).json() == []


def test_an_approval_signed_days_ago_offline_is_applied_with_the_rules_and_reaches_the_feed(central, unit):
    cs = hire(children=2)
    push(unit["registry"], cs)
    three_days_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3)
    r = approve(unit["registrar"], cs, three_days_ago)
    assert r.status_code == 200 and r.json()["status"] == "applied", r.text
    assert approve(unit["registrar"], cs).json() == r.json()  # a replay: the first answer again
    page = unit["registry"].get("/feed", params={"since": 0}).json()
    kinds = [(i["kind"], i["record_type"]) for i in page["items"]]
    assert ("record", "person") in kinds and ("record", "employment") in kinds
    assert page["items"][-1]["kind"] == "changeset" and page["items"][-1]["data"]["state"] == "applied"
    theirs = unit["other_registry"].get("/feed").json()["items"]  # their own unit record only: nothing of ours
    assert [(i["record_type"], i["key"]) for i in theirs] == [("unit", "OTH0002")]


def test_a_fourth_child_is_returned_on_arrival_with_the_thai_reason(central, unit):
    cs = hire(children=4)
    r = push(unit["registry"], cs)  # the rules run at the push: the officer hears it before the registrar
    assert r["state"] == "returned" and r["code"] == "changeset.invalid" and "บุตรคนที่ 4" in r["message_th"]
    returned = unit["registry"].get("/feed").json()["items"][-1]
    assert returned["data"]["state"] == "returned" and "บุตรคนที่ 4" in returned["data"]["reason"]
    assert approve(unit["registrar"], cs).status_code == 409  # nothing left to approve
    assert unit["registrar"].get("/changesets", params={"state": "pending"}).json() == []


def test_a_moved_base_revision_is_a_conflict_with_the_current_record(central, unit):
    cs = hire(children=0)
    push(unit["registry"], cs)
    approve(unit["registrar"], cs)
    emp_op = next(o for o in cs.operations if o.record_type == "employment")
    from app.records import from_dict
    job = events.Known(from_dict("employment", emp_op.fields), 1)
    me = events.Known(from_dict("person", cs.operations[0].fields), 1)
    a = events.end_service(UNIT, REGISTRY.cid, me, job, dt.date(2027, 1, 1), events.EndReason.RESIGNATION)
    b = events.end_service(UNIT, REGISTRY.cid, me, job, dt.date(2027, 2, 1), events.EndReason.TRANSFER_OUT)
    for x in (a, b):
        x.state = ReviewState.PENDING
        push(unit["registry"], x)
    assert approve(unit["registrar"], a).json()["status"] == "applied"
    r = approve(unit["registrar"], b).json()
    assert r["status"] == "conflict" and r["current"][0]["rev"] == 2
    assert r["current"][0]["data"]["end_reason"] == "resignation"


def test_return_needs_a_reason_and_a_returned_change_set_can_be_resubmitted(central, unit):
    cs = hire()
    push(unit["registry"], cs)
    assert unit["registrar"].post(f"/changesets/{cs.id}/return", {"reason": " "}).status_code == 400
    assert unit["registrar"].post(f"/changesets/{cs.id}/return", {"reason": "แนบสูติบัตรด้วย"}).status_code == 200
    assert unit["registry"].get("/feed").json()["items"][-1]["data"]["reason"] == "แนบสูติบัตรด้วย"
    cs.state, cs.return_reason = ReviewState.RETURNED, "แนบสูติบัตรด้วย"
    cs.submit(REGISTRY)  # the officer fixes it and resubmits: the same id, pending again
    again = push(unit["registry"], cs)
    assert again["status"] == "accepted"
    assert approve(unit["registrar"], cs).json()["status"] == "applied"


def test_a_forged_or_foreign_signature_is_refused(central, unit):
    cs = hire()
    push(unit["registry"], cs)
    other = hire()
    forged = unit["registrar"].post("/approvals", {"changeset_id": cs.id, "device_id": unit["registrar"].device_id,
                                                   "approved_at": dt.datetime.now(dt.timezone.utc).isoformat(),
                                                   "signature": unit["registrar"].sign(other)})
    assert forged.status_code == 403 and forged.json()["code"] == "approval.signature"


# --- who may do what, where: every cell -----------------------------------------------------------------

EXPECTED = {
    # caller (role, in the unit?) -> (pushing one of the unit's change sets, approving, returning, the feed)
    ("registry", True): ("accepted", 403, 403, 200),
    ("registrar", True): ("refused", 200, 200, 200),
    ("finance", True): ("refused", 403, 403, 200),
    ("registry", False): ("refused", 403, 403, 200),
    ("registrar", False): ("refused", 404, 404, 200),
}


@pytest.mark.parametrize("role, own", list(EXPECTED))
def test_role_by_unit_by_endpoint(central, unit, role, own):
    s = unit[role if own else f"other_{role}"]
    target = hire()
    push(unit["registry"], target)            # the unit's change set, from its registry officer
    attempt = hire()
    attempt.author_cid = s.tokens["account"]["cid"]
    want_push, want_approve, want_return, want_feed = EXPECTED[(role, own)]
    pushed = push(s, attempt)
    assert pushed["status"] == want_push
    if want_push == "refused":
        assert pushed["message_th"] and pushed["code"]
    approved = approve(s, target)
    assert approved.status_code == want_approve
    returned = s.post(f"/changesets/{target.id}/return", {"reason": "ตรวจสอบ"})
    # the registrar's approval in this cell has already applied it: returning is then refused as too late
    assert returned.status_code == (409 if want_approve == 200 else want_return)
    for r in (approved, returned):
        if r.status_code >= 400:
            assert r.json()["message_th"]
    feed = s.get("/feed")
    assert feed.status_code == want_feed
    seen = {i["key"] for i in feed.json()["items"]}
    assert (target.id in seen) == own  # a unit sees only its own data


# Reads and the other endpoints, for every kind of caller: a unit sees only its own.
READS = {
    # caller -> (sees the unit's staged change set, may confirm its statement, may fetch its attachment)
    ("registry", True): (True, False, True),
    ("registrar", True): (True, True, True),
    ("finance", True): (True, False, True),
    ("registry", False): (False, False, False),
    ("registrar", False): (False, False, False),
}


@pytest.mark.parametrize("role, own", list(READS))
def test_reads_and_the_other_endpoints_by_role_and_unit(central, unit, role, own):
    import hashlib

    import requests

    from server.statements import issue
    s = unit[role if own else f"other_{role}"]
    target = hire()
    push(unit["registry"], target)
    with central.engine.begin() as conn:
        statement_id = issue(conn, UNIT, dt.date(2026, 11, 1))
    pdf = b"%PDF-1.4\n" + b"x" * 500
    sha = hashlib.sha256(pdf).hexdigest()
    owner = unit["registry"]
    assert requests.put(central.api(f"/blobs/{sha}"), data=pdf, headers=owner.headers, timeout=10).status_code == 201
    sees, confirms, fetches = READS[(role, own)]
    staged = {c["id"] for c in s.get("/changesets", params={"state": "pending"}).json()}
    assert (target.id in staged) == sees
    confirm = s.post(f"/statements/{statement_id}/confirm")
    assert (confirm.status_code == 200) == confirms and confirm.status_code in (200, 403, 404)
    got = requests.get(central.api(f"/blobs/{sha}"), headers=s.headers, timeout=10)
    assert (got.status_code == 200) == fetches
    assert s.get("/me").json()["unit_code"] == (UNIT if own else "OTH0002")
    assert s.get("/calendar").status_code == 200
    assert s.post("/licence", {"installation_id": "PC-1", "client_version": "0.1.0"}).json()["unit_code"] == (
        UNIT if own else "OTH0002")


def _unit_record(s) -> tuple[int, dict]:
    [item] = [i for i in s.get("/records").json()["items"] if i["record_type"] == "unit"]
    return item["rev"], item["data"]


def test_the_units_basic_data_changes_through_review_and_reaches_the_register_of_units(central, unit):
    from sqlalchemy import select

    from app.domain import Unit
    from app.records import from_dict
    from server.db import units

    rev, data = _unit_record(unit["registry"])
    assert data["code"] == UNIT and rev == 1
    others = unit["other_registry"].get("/records").json()["items"]
    assert [i["key"] for i in others if i["record_type"] == "unit"] == ["OTH0002"]  # each unit sees its own only
    known = events.Known(from_dict("unit", data), rev)
    cs = events.update_unit(REGISTRY.cid, known, name="องค์การบริหารส่วนตำบลบ้านฝึกหัดใหม่", phone="0 4421 1234 ต่อ 12",
                            email="saraban@banfukhat.go.th")
    cs.state = ReviewState.PENDING
    push(unit["registry"], cs)
    r = approve(unit["registrar"], cs).json()
    assert r["status"] == "applied", r
    rev, data = _unit_record(unit["registry"])
    assert rev == 2 and data["name"] == "องค์การบริหารส่วนตำบลบ้านฝึกหัดใหม่" and data["email"] == "saraban@banfukhat.go.th"
    assert isinstance(from_dict("unit", data), Unit)
    with central.engine.connect() as conn:  # NHSO's register of units follows (mail, statements use its name)
        row = conn.execute(select(units.c.name, units.c.rev, units.c.data).where(units.c.code == UNIT)).one()
    assert row.name == "องค์การบริหารส่วนตำบลบ้านฝึกหัดใหม่" and row.rev == 2 and row.data["phone"] == "0 4421 1234 ต่อ 12"
    feed = unit["registry"].get("/feed").json()["items"]
    assert any(i["record_type"] == "unit" and i["rev"] == 2 for i in feed)
    # a second change made on the old revision meets the first: a conflict, not a silent overwrite
    stale = events.update_unit(REGISTRY.cid, known, phone="0 4421 9999")
    stale.state = ReviewState.PENDING
    push(unit["registry"], stale)
    assert approve(unit["registrar"], stale).json()["status"] == "conflict"


def test_a_unit_change_with_a_bad_email_or_another_units_code_is_refused(central, unit):
    from app.records import from_dict

    rev, data = _unit_record(unit["registry"])
    bad = events.update_unit(REGISTRY.cid, events.Known(from_dict("unit", data), rev), email="saraban@")
    bad.state = ReviewState.PENDING
    r = push(unit["registry"], bad)
    assert r["state"] == "returned" and "อีเมล «saraban@» ไม่ถูกต้อง" in r["message_th"]
    other = events.update_unit(REGISTRY.cid, events.Known(from_dict("unit", {**data, "code": "OTH0002"}), 1),
                               name="ยึดชื่อหน่วยงานอื่น")
    other.unit_code = UNIT
    other.state = ReviewState.PENDING
    r = push(unit["registry"], other)
    assert r["status"] == "refused" and r["code"] == "changeset.refused" and "หน่วยงานอื่น" in r["message_th"]
    _rev, data_after = _unit_record(unit["other_registry"])
    assert data_after["name"] == "เทศบาลตำบลทดลอง"


def test_an_older_server_gets_each_units_record_from_its_register_of_units(tmp_path):
    """Migration 0005 on a database that was at 0004 with units but no unit records."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import select

    from server.db import MIGRATIONS, feed, make_engine, records, units

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
        conn.execute(units.insert().values(code="U1", name="เทศบาลตำบลเก่า", province="ขอนแก่น", rev=3, data={
            "code": "U1", "name": "เทศบาลตำบลเก่า", "level": "sao", "province": "ขอนแก่น", "address": "",
            "phone": "", "email": ""}))
        command.upgrade(cfg, "head")
        command.upgrade(cfg, "head")  # twice: nothing doubles
        rows = conn.execute(select(records.c.id, records.c.rev, records.c.data).where(records.c.type == "unit")).all()
        told = conn.execute(select(feed.c.key).where(feed.c.record_type == "unit")).all()
    assert [(r.id, r.rev, r.data["name"]) for r in rows] == [("U1", 3, "เทศบาลตำบลเก่า")] and len(told) == 1
    engine.dispose()
