"""Accounts from the units' request workbooks, the mail that carries them, and log-in bound to the card."""
from __future__ import annotations

import dataclasses

import requests

from app import training
from app.documents.request import write_request
from app.domain import Officer, Role
from tests.builders import new_cid
from tests.central import Session, import_unit, login, ready_session

OFFICERS = training.generate(staff=5).officers
REGISTRAR, REGISTRY, FINANCE = OFFICERS


def test_a_good_request_creates_accounts_and_mails_each_person_alone(central, tmp_path):
    report = import_unit(central, tmp_path, training.UNIT.code, training.UNIT.name, OFFICERS)
    assert report.ok, report.problems
    assert len(report.created) == 3 and sorted(report.mailed) == sorted(o.email for o in OFFICERS)
    assert len(central.inbox.messages) == 3
    mail = next(m for m in central.inbox.messages if m["To"] == REGISTRAR.email)
    assert mail["Subject"] == f"รหัสผู้ใช้งานระบบทะเบียนบุคลากร อปท. — {training.UNIT.name}"
    body = mail.get_content()
    assert "ในฐานะนายทะเบียน" in body and "รหัสผ่านครั้งแรก:" in body
    assert REGISTRY.email not in body  # nobody else's credentials


def test_a_bad_request_reports_every_problem_by_row_and_creates_nothing(central, tmp_path):
    shared = "shared@example.go.th"
    bad = [
        dataclasses.replace(REGISTRAR),
        Officer(new_cid(), "รองปลัดอีกคน", "รองปลัด", Role.REGISTRAR, training.UNIT.code, "deputy@example.go.th"),
        Officer(REGISTRY.cid, REGISTRY.name, REGISTRY.position, Role.REGISTRY_OFFICER, training.UNIT.code, shared),
        Officer(REGISTRY.cid, REGISTRY.name, REGISTRY.position, Role.FINANCE_OFFICER, training.UNIT.code,
                "other@example.go.th"),
        Officer("1234567890123", "เลขผิด", "นักวิชาการเงิน", Role.FINANCE_OFFICER, training.UNIT.code, shared),
    ]
    path = tmp_path / "bad.xlsx"
    write_request(path, training.UNIT.code, training.UNIT.name, "ขอนแก่น", bad)
    from server.accounts import Mailer, import_request
    report = import_request(central.engine, path, Mailer("127.0.0.1", central.inbox.port))
    text = "\n".join(report.problems)
    assert not report.ok and not report.created and not central.inbox.messages
    assert "แถวที่ 11" in text and "ไม่ถูกต้อง" in text          # the bad CID, by its row
    assert "นายทะเบียนได้เพียง 1 คน" in text
    assert "เป็นทั้งเจ้าหน้าที่ทะเบียนและเจ้าหน้าที่การเงินไม่ได้" in text
    assert "ถูกใช้โดยเจ้าหน้าที่มากกว่า 1 คน" in text
    with central.engine.connect() as conn:
        from server.db import accounts
        assert conn.execute(accounts.select()).first() is None


def test_a_replaced_registrar_loses_the_account_and_the_new_one_gets_one(central, tmp_path):
    import_unit(central, tmp_path, training.UNIT.code, training.UNIT.name, OFFICERS)
    new_registrar = Officer(new_cid(), "นายใหม่ ใจดี", "รองปลัด", Role.REGISTRAR, training.UNIT.code,
                            "new.registrar@example.go.th")
    report = import_unit(central, tmp_path, training.UNIT.code, training.UNIT.name, [new_registrar, REGISTRY, FINANCE])
    assert report.revoked == [REGISTRAR.email] and report.created == [new_registrar.email]
    assert sorted(report.kept) == sorted([REGISTRY.email, FINANCE.email])
    assert login(central, REGISTRAR.email, REGISTRAR.cid).status_code == 401


def test_log_in_needs_the_owners_card_and_the_first_password_must_be_changed(central, tmp_path):
    import_unit(central, tmp_path, training.UNIT.code, training.UNIT.name, OFFICERS)
    wrong_card = login(central, REGISTRY.email, REGISTRAR.cid)
    assert wrong_card.status_code == 403 and wrong_card.json()["code"] == "auth.card_mismatch"
    assert "ไม่ใช่บัตรของเจ้าของบัญชี" in wrong_card.json()["message_th"]
    ok = login(central, REGISTRY.email, REGISTRY.cid)
    assert ok.status_code == 200 and ok.json()["must_change_password"] is True
    token = {"Authorization": f"Bearer {ok.json()['access_token']}"}
    blocked = requests.get(central.api("/me"), headers=token, timeout=10)
    assert blocked.status_code == 403 and blocked.json()["code"] == "auth.password_change_required"
    _u, first = central.inbox.password_for(REGISTRY.email)
    weak = requests.post(central.api("/auth/password"), json={"old_password": first, "new_password": "short"},
                         headers=token, timeout=10)
    assert weak.status_code == 400 and "อย่างน้อย 10 ตัวอักษร" in weak.json()["message_th"]
    changed = requests.post(central.api("/auth/password"), json={"old_password": first,
                                                                 "new_password": "Strong-Pass-2569"},
                            headers=token, timeout=10)
    assert changed.status_code == 204
    me = requests.get(central.api("/me"), headers=token, timeout=10)
    assert me.status_code == 200 and me.json()["role"] == "registry"


def test_repeated_failures_lock_the_account_for_a_while(central, tmp_path):
    import_unit(central, tmp_path, training.UNIT.code, training.UNIT.name, OFFICERS)
    for _ in range(5):
        assert login(central, FINANCE.email, FINANCE.cid, password="not-it").status_code == 401
    locked = login(central, FINANCE.email, FINANCE.cid)  # even the right password, for now
    assert locked.status_code == 423 and "ลองใหม่ในอีก" in locked.json()["message_th"]


def test_log_out_revokes_and_a_refresh_token_spent_twice_ends_its_session(central, tmp_path):
    import_unit(central, tmp_path, training.UNIT.code, training.UNIT.name, OFFICERS)
    s = ready_session(central, REGISTRY)
    r1 = requests.post(central.api("/auth/refresh"), json={"refresh_token": s.tokens["refresh_token"]}, timeout=10)
    assert r1.status_code == 200
    s.tokens = r1.json()
    assert s.get("/me").status_code == 200
    assert s.post("/auth/logout").status_code == 204
    assert s.get("/me").status_code == 401
    new_password = "Lgo-" + REGISTRY.cid[-6:] + "-Desk"
    again = Session(central, requests.post(central.api("/auth/login"), json={
        "username": REGISTRY.email, "password": new_password, "card_cid": REGISTRY.cid}, timeout=10).json())
    spent = again.tokens["refresh_token"]
    fresh = requests.post(central.api("/auth/refresh"), json={"refresh_token": spent}, timeout=10).json()
    reuse = requests.post(central.api("/auth/refresh"), json={"refresh_token": spent}, timeout=10)
    assert reuse.status_code == 401 and reuse.json()["code"] == "auth.refresh_reused"
    again.tokens = fresh  # the rotated tokens die with the session: whoever held the copy is out too
    assert again.get("/me").status_code == 401
    assert requests.post(central.api("/auth/refresh"), json={"refresh_token": fresh["refresh_token"]},
                         timeout=10).status_code == 401


def test_the_training_server_has_the_training_unit_and_its_officers_can_log_in(central):
    from server.training import TRAINING_PASSWORD, seed
    assert seed(central.engine) is True and seed(central.engine) is False  # once
    r = requests.post(central.api("/auth/login"), json={"username": REGISTRY.email, "password": TRAINING_PASSWORD,
                                                        "card_cid": REGISTRY.cid}, timeout=10)
    assert r.status_code == 200 and r.json()["account"]["unit_name"] == training.UNIT.name
    assert r.json()["must_change_password"] is False
