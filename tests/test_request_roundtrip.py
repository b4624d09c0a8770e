"""The wizard's workbook through a real central server: what the kit writes, ``lgo-central accounts import``
reads (the CLI's own ``main``, against the running server's database), the accounts appear, and each officer
gets their username and one-time password by mail on the test SMTP server and can log in with them.
Then a role change and a replacement, each written by the kit, do to the accounts what their letters ask."""
from __future__ import annotations

from sqlalchemy import select

from app.domain import Role
from app.usecases.account_request import AccountRequest, Leaver, OfficerRow, RequestKind, produce
from server import cli
from server.db import accounts
from tests.central import login
from tests.test_account_request import cid, team, tiny_pdf, unit


PALAD, HR, FIN, NEWFIN = cid("142020000001"), cid("242020000002"), cid("342020000003"), cid("542020000004")


def officers() -> list[OfficerRow]:
    return team(PALAD, HR, FIN)   # the unit of tests/test_account_request.py, with CIDs of this file's own


def import_with_cli(central, tmp_path, workbook, capsys) -> str:
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"   # the database central_sqlite serves
    rc = cli.main(["--db", url, "accounts", "import", str(workbook), "--smtp", f"127.0.0.1:{central.inbox.port}"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    return out


def active(central) -> set[tuple[str, str]]:
    with central.engine.connect() as conn:
        rows = conn.execute(select(accounts.c.cid, accounts.c.role).where(
            (accounts.c.unit_code == "OTH0002") & accounts.c.active.is_(True))).all()
    return {(r.cid, r.role) for r in rows}


def mailed_to(central) -> list[str]:
    return [m["To"] for m in central.inbox.messages]


def test_the_wizards_workbook_becomes_accounts_on_a_real_server(central_sqlite, tmp_path, capsys):
    central = central_sqlite
    folder = tmp_path / "kit"
    folder.mkdir()
    first = produce(AccountRequest(RequestKind.FIRST, unit(), officers()), folder, letter_pdf=tiny_pdf(),
                    mailbox="saraban7@nhso.go.th")
    said = import_with_cli(central, tmp_path, first.workbook, capsys)
    assert "สร้างบัญชีใหม่ 3 บัญชี" in said and "ส่งอีเมล 3 ฉบับ" in said
    assert active(central) == {(PALAD, "registrar"), (HR, "registry"), (FIN, "finance")}
    assert sorted(mailed_to(central)) == ["boonmee@thodlong.go.th", "malee@thodlong.go.th", "pranee@thodlong.go.th"]
    for o in officers():   # each one's own mail opens their own account, with their own card
        assert login(central, o.email, o.cid).status_code == 200
    assert login(central, "malee@thodlong.go.th", PALAD).status_code != 200   # someone else's card does not

    # a role change: the finance officer becomes a registry officer
    rows = officers()
    for r in rows:
        r.current_role = r.role
    rows[2].role = Role.REGISTRY_OFFICER
    change = produce(AccountRequest(RequestKind.ROLE_CHANGE, unit(), rows), tmp_path / "kit", letter_pdf=tiny_pdf(),
                     mailbox="saraban7@nhso.go.th")
    said = import_with_cli(central, tmp_path, change.workbook, capsys)
    assert "สร้างบัญชีใหม่ 1 บัญชี" in said and "ยกเลิก 1" in said
    assert active(central) == {(PALAD, "registrar"), (HR, "registry"), (FIN, "registry")}
    assert mailed_to(central)[3:] == ["malee@thodlong.go.th"]      # only the person whose role changed

    # a replacement: she leaves; a new officer takes the finance role
    rows = officers()[:2] + [OfficerRow("นายใหม่ มาแทน", NEWFIN, "นักวิชาการเงินและบัญชี", Role.FINANCE_OFFICER,
                                        "0812345676", "mai@thodlong.go.th")]
    gone = Leaver("นางมาลี การเงิน", FIN, Role.REGISTRY_OFFICER, "โอนย้าย", successor_cid=NEWFIN)
    swap = produce(AccountRequest(RequestKind.REPLACEMENT, unit(), rows, [gone]), tmp_path / "kit",
                   letter_pdf=tiny_pdf(), mailbox="saraban7@nhso.go.th")
    said = import_with_cli(central, tmp_path, swap.workbook, capsys)
    assert "สร้างบัญชีใหม่ 1 บัญชี" in said and "คงเดิม 2" in said and "ยกเลิก 1" in said
    assert active(central) == {(PALAD, "registrar"), (HR, "registry"), (NEWFIN, "finance")}
    assert mailed_to(central)[4:] == ["mai@thodlong.go.th"]
    assert login(central, "mai@thodlong.go.th", NEWFIN).status_code == 200
    assert login(central, "malee@thodlong.go.th", FIN).status_code != 200    # her account is cancelled
