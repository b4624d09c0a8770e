"""The registration calendar refuses work while NHSO processes, and the yearly licence verifies offline."""
from __future__ import annotations

import base64
import datetime as dt

import requests

from server import cli
from sync.licence import LicenceState, check, fiscal_year
from tests.central import approve, hire, push


def test_pushes_and_approvals_in_a_closed_period_are_refused_with_a_code_to_queue_behind(central, unit):
    cs = hire()
    push(unit["registry"], cs)
    today = dt.date.today()
    url = central.engine.url.render_as_string(hide_password=False)
    assert cli.main(["--db", url, "calendar", "add", "processing", (today - dt.timedelta(days=1)).isoformat(),
                     (today + dt.timedelta(days=14)).isoformat(), "ประมวลผลข้อมูลประจำปี"]) == 0
    later = hire()
    refused = push(unit["registry"], later)
    assert refused["status"] == "refused" and refused["code"] == "calendar.closed"
    assert "จะส่งให้อัตโนมัติ" in refused["message_th"]
    r = approve(unit["registrar"], cs)
    assert r.status_code == 409 and r.json()["code"] == "calendar.closed"
    phase = unit["registry"].get("/calendar").json()
    assert phase["phase"] == "processing" and phase["phase_th"] == "ปิดบันทึกเพื่อประมวลผล"


def test_the_licence_is_for_this_installation_and_fiscal_year_and_verifies_offline(central, unit):
    s = unit["registry"]
    issued = s.post("/licence", {"installation_id": "PC-0001", "client_version": "0.1.0"}).json()
    key = base64.b64decode(requests.get(central.api("/licence/key"), timeout=10).json()["ed25519"])
    today = dt.date.today()
    assert issued["fiscal_year"] in (fiscal_year(today), fiscal_year(today) + 1)
    ok = check(issued["token"], key, "PC-0001", today, "0.1.0")
    assert ok.may_start and ok.state in (LicenceState.VALID, LicenceState.EXPIRING)
    until = dt.date.fromisoformat(issued["valid_until"])
    soon = check(issued["token"], key, "PC-0001", until - dt.timedelta(days=10), "0.1.0")
    assert soon.state is LicenceState.EXPIRING and soon.may_start and "ต่ออายุให้เอง" in soon.message_th
    late = check(issued["token"], key, "PC-0001", until, "0.1.0")
    assert late.state is LicenceState.EXPIRED and not late.may_start and "หมดอายุ" in late.message_th
    elsewhere = check(issued["token"], key, "PC-0002", today, "0.1.0")
    assert elsewhere.state is LicenceState.INVALID
    tampered = issued["token"].replace(issued["token"][5], "A" if issued["token"][5] != "A" else "B", 1)
    assert check(tampered, key, "PC-0001", today, "0.1.0").state is LicenceState.INVALID


def test_a_too_old_program_gets_no_licence_and_an_old_token_stops_it(central, unit, monkeypatch):
    s = unit["registry"]
    issued = s.post("/licence", {"installation_id": "PC-9", "client_version": "0.1.0"}).json()
    monkeypatch.setenv("LGO_MIN_CLIENT_VERSION", "0.2.0")
    refused = s.post("/licence", {"installation_id": "PC-9", "client_version": "0.1.0"})
    assert refused.status_code == 426 and refused.json()["code"] == "client.too_old"
    fresh = s.post("/licence", {"installation_id": "PC-9", "client_version": "0.2.0"}).json()
    key = base64.b64decode(requests.get(central.api("/licence/key"), timeout=10).json()["ed25519"])
    stale = check(fresh["token"], key, "PC-9", dt.date.today(), "0.1.0")
    assert stale.state is LicenceState.TOO_OLD and "ติดตั้งรุ่นใหม่" in stale.message_th
    assert issued["min_version"] == "0.1.0"


def test_a_statement_lists_the_units_entitled_people_signed_and_the_registrar_confirms_it(central, unit):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from server.statements import body_bytes
    cs = hire(children=2)
    push(unit["registry"], cs)
    assert approve(unit["registrar"], cs).json()["status"] == "applied"
    url = central.engine.url.render_as_string(hide_password=False)
    assert cli.main(["--db", url, "statements", "issue", "2026-11-01"]) == 0
    [st] = unit["registrar"].get("/statements").json()
    assert st["counts"] == {"beneficiaries": 1, "dependents": 2}
    assert {p["relation"] for p in st["body"]["people"]} == {"self", "child"}
    key = base64.b64decode(requests.get(central.api("/licence/key"), timeout=10).json()["ed25519"])
    Ed25519PublicKey.from_public_bytes(key).verify(base64.b64decode(st["signature"]), body_bytes(st["body"]))
    assert unit["registry"].post(f"/statements/{st['id']}/confirm").status_code == 403
    assert unit["other_registrar"].post(f"/statements/{st['id']}/confirm").status_code == 404
    assert unit["registrar"].post(f"/statements/{st['id']}/confirm").json()["confirmed"] is True
    assert unit["registrar"].get("/statements").json()[0]["confirmed_by"] == unit["registrar"].tokens["account"]["cid"]
    [theirs] = unit["other_registrar"].get("/statements").json()  # their own, empty: never ours
    assert theirs["id"] != st["id"] and theirs["counts"] == {"beneficiaries": 0, "dependents": 0}


def test_a_unit_register_row_with_an_unknown_level_is_refused_in_thai_and_nothing_is_imported(central, tmp_path,
                                                                                              capsys):
    from sqlalchemy import select

    from server.db import units
    path = tmp_path / "units.csv"
    path.write_text("code,name,level,province,address,phone,email\n"
                    "NEW0001,เทศบาลตำบลใหม่,องค์การบริหารส่วนตำบล (อบต.),ขอนแก่น,,,\n"
                    "NEW0002,เทศบาลตำบลผิด,อบต.ใหญ่,ขอนแก่น,,,\n", encoding="utf-8")
    url = central.engine.url.render_as_string(hide_password=False)
    assert cli.main(["--db", url, "units", "import", str(path)]) == 2
    said = capsys.readouterr().err
    assert "หน่วยงานรหัส NEW0002: ไม่รู้จักประเภทหน่วยงาน «อบต.ใหญ่»" in said and "นำเข้าใหม่" in said
    with central.engine.connect() as conn:
        assert conn.execute(select(units.c.code).where(units.c.code.like("NEW%"))).all() == []
