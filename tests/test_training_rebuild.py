"""Training data made with the old check-digit rule (weights 12…1, before issue 15) is rebuilt by the training
paths of `./dev run` — the training central server (`lgo-central training`) and the desk's training working
copy (`lgo-desk --training`) — with a Thai note saying why; a sound one, and anything that is not the training
unit's, is left alone."""
from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from sqlalchemy import select

from app import cid as cidmod
from app import training
from app.domain import Person, Unit, UnitLevel
from app.records import to_dict
from app.store import KeyStore, MemoryKeyring, RegisterStore, WorkingCopy
from app.store.db import db_path, key_name
from server import training as server_training
from server.db import (
    accounts, answers, changesets, claims, devices, make_engine, metadata, migrate, record_history, records, sessions,
    units,
)
from server.register import register_unit


def _old_check_digit(first12: str) -> int:
    """The rule the project used before issue 15: the first twelve digits weighted 12…1."""
    return (11 - sum(int(d) * (13 - i) for i, d in enumerate(first12, start=1)) % 11) % 10


@contextlib.contextmanager
def old_rule():
    """Everything made inside (app.training, cid.complete) is made as it was before the fix."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cidmod, "check_digit", _old_check_digit)
        yield


OLD_RULE_ID = "9000000000011"   # the old rule's registrar; today's is 9000000000012
REAL_UNIT = "05400101"           # any other unit: never read for this, never touched


# --- the training central server -------------------------------------------------------------------------

@pytest.fixture
def engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    migrate(eng)
    yield eng
    eng.dispose()


def dump(engine, unit_code: str | None = None) -> list:
    """Every row of every table (or of those rows naming ``unit_code``), in a stable order."""
    out = []
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            query = select(table)
            if unit_code is not None:
                if "unit_code" not in table.c:
                    continue
                query = query.where(table.c.unit_code == unit_code)
            out.append((table.name, sorted(repr(tuple(r)) for r in conn.execute(query))))
    return out


def add_real_unit_with_an_old_rule_id(engine) -> None:
    """A real unit in the same database whose data also fails today's rule: not ours to rebuild."""
    unit = Unit(REAL_UNIT, "องค์การบริหารส่วนตำบลตัวจริง", UnitLevel.SAO, "ขอนแก่น", "1 หมู่ 1", "043-111-111",
                "saraban@real.example.go.th")
    person = Person("3100600445636", "สมชาย", "ใจดี")   # check digit wrong under today's rule
    with engine.begin() as conn:
        register_unit(conn, to_dict(unit))
        conn.execute(records.insert().values(type="person", id=person.cid, unit_code=REAL_UNIT, cid=person.cid,
                                             other_cid=None, rev=1, data=to_dict(person)))
        conn.execute(accounts.insert().values(
            id="acc-real", username="real@real.example.go.th", cid="1101700203451", name="นายจริง", position="ปลัด",
            role="registrar", unit_code=REAL_UNIT, email="real@real.example.go.th", mobile="", password_hash="x",
            must_change_password=True, active=True, failed_logins=0, created_at=dt.datetime.now(dt.timezone.utc)))
        # its stored answers, keyed like the training unit's but for its own change set "cs-10"
        conn.execute(answers.insert().values(key="push:cs-10:pending:1", body={"status": "accepted"}))
        conn.execute(answers.insert().values(key="approve:cs-10", body={"status": "applied"}))
        conn.execute(answers.insert().values(key=f"approve:{REAL_UNIT}:cs-1", body={"status": "applied"}))


def add_training_use(engine) -> None:
    """What a trainee leaves behind: a session and an enrolled device, a change set and its stored answer."""
    now = dt.datetime.now(dt.timezone.utc)
    with engine.begin() as conn:
        [account] = conn.execute(select(accounts.c.id).where(accounts.c.cid == OLD_RULE_ID)).first()
        conn.execute(sessions.insert().values(id="s-1", account_id=account, refresh_hash="h" * 64, created_at=now,
                                              expires_at=now, revoked=False))
        conn.execute(devices.insert().values(id="d-1", account_id=account, public_key=b"k" * 32, label="PC",
                                             created_at=now, revoked=False))
        conn.execute(changesets.insert().values(id="cs-1", unit_code=training.UNIT.code, author_cid=OLD_RULE_ID,
                                                state="pending", data={}, created_at=now, updated_at=now))
        conn.execute(answers.insert().values(key="push:cs-1:pending:1", body={"status": "accepted"}))
        conn.execute(answers.insert().values(key="approve:cs-1", body={"status": "applied"}))
        # the same, keyed by the caller's unit as well (issue 15, part 2)
        code = training.UNIT.code
        conn.execute(answers.insert().values(key=f"push:{code}:cs-1:pending:1", body={"status": "accepted"}))
        conn.execute(answers.insert().values(key=f"approve:{code}:cs-1", body={"status": "applied"}))


def training_ids(engine) -> set[str]:
    with engine.connect() as conn:
        found = {r[0] for r in conn.execute(select(records.c.cid).where(records.c.unit_code == training.UNIT.code))}
        found |= {r[0] for r in conn.execute(select(accounts.c.cid).where(
            accounts.c.unit_code == training.UNIT.code))}
    return found - {None}


def test_a_training_server_seeded_with_the_old_rule_is_rebuilt_and_no_other_unit_is_touched(engine, tmp_path):
    with old_rule():
        assert server_training.seed(engine, staff=10) is True
    assert OLD_RULE_ID in training_ids(engine)
    add_training_use(engine)
    add_real_unit_with_an_old_rule_id(engine)
    real_before = dump(engine, REAL_UNIT)
    with engine.connect() as conn:
        real_unit_row = conn.execute(select(units).where(units.c.code == REAL_UNIT)).first()

    seeded = server_training.ensure(engine, staff=10)

    assert seeded.made and OLD_RULE_ID in seeded.old_rule_ids
    ids = training_ids(engine)
    assert ids and all(cidmod.is_valid(c) and cidmod.is_training(c) for c in ids)
    assert {o.cid for o in training.generate(staff=10).officers} <= ids
    # the same training unit a fresh database gets, row for row (apart from ids and times)
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    migrate(fresh)
    server_training.seed(fresh, staff=10)
    add_real_unit_with_an_old_rule_id(fresh)
    with engine.connect() as a, fresh.connect() as b:
        for table in metadata.sorted_tables:  # nothing of the old training unit is left over, in any table
            assert len(a.execute(select(table)).all()) == len(b.execute(select(table)).all()), table.name
        for table in (records, accounts):
            assert a.execute(select(table.c.cid).where(table.c.unit_code == training.UNIT.code)
                             .order_by(table.c.cid)).all() == \
                b.execute(select(table.c.cid).where(table.c.unit_code == training.UNIT.code)
                          .order_by(table.c.cid)).all()
    fresh.dispose()
    assert dump(engine, REAL_UNIT) == real_before
    with engine.connect() as conn:
        assert conn.execute(select(units).where(units.c.code == REAL_UNIT)).first() == real_unit_row
        for table in (sessions, devices, changesets):
            assert conn.execute(select(table)).all() == [], table.name
        kept = sorted(r[0] for r in conn.execute(select(answers.c.key)))
        # the old training claims' stored answers are gone; the new training claims' are their own
        new_claims = {f"claim:{training.UNIT.code}:{r[0]}:1" for r in conn.execute(select(claims.c.id))}
        assert len(new_claims) >= 6 and set(kept) - new_claims == \
            {f"approve:{REAL_UNIT}:cs-1", "approve:cs-10", "push:cs-10:pending:1"}
        assert not conn.execute(select(record_history).where(record_history.c.id == OLD_RULE_ID)).all()


def test_a_sound_training_server_is_left_alone(engine):
    assert server_training.seed(engine, staff=10) is True
    add_real_unit_with_an_old_rule_id(engine)  # the real unit's bad data does not make the training unit stale
    before = dump(engine)
    assert server_training.ensure(engine, staff=10) == server_training.Seeded(False)
    assert dump(engine) == before


def test_lgo_central_training_prints_why_it_rebuilt_in_thai_then_english(tmp_path, capsys):
    from server.cli import main
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    with old_rule():
        assert main(["--db", url, "training"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "training"]) == 0
    said = capsys.readouterr()
    thai, english = said.err.strip().split("\n")
    assert thai.startswith("สร้างข้อมูลฝึกหัดบนเซิร์ฟเวอร์กลางใหม่ เพราะเลขประจำตัวประชาชน")
    assert "สูตรคำนวณเลขตรวจสอบแบบเก่าที่ผิด" in thai and cidmod.format_cid(OLD_RULE_ID) in thai
    assert english.startswith("Rebuilt the training central server's data") and "check-digit rule" in english
    assert "สร้างหน่วยงานฝึกหัดแล้ว" in said.out
    assert main(["--db", url, "training"]) == 0  # rebuilt once: now sound, nothing more to say
    again = capsys.readouterr()
    assert again.err == "" and "มีหน่วยงานฝึกหัดอยู่แล้ว" in again.out


# --- the desk's training working copy --------------------------------------------------------------------

def make_copy(data_dir, keys, unit_code=training.UNIT.code, staff=10) -> None:
    wc = WorkingCopy.open(data_dir, unit_code, keys)
    training.seed(RegisterStore(wc), training.generate(staff=staff))
    wc.close()


def files(data_dir) -> dict:
    return {p.relative_to(data_dir): p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file()}


def test_a_training_copy_made_with_the_old_rule_is_set_aside_and_a_new_one_starts_empty(data_dir):
    keys = KeyStore(MemoryKeyring())
    with old_rule():
        make_copy(data_dir, keys)
    old_bytes = db_path(data_dir, training.UNIT.code).read_bytes()

    moved_to, stale = training.set_aside_old_copy(data_dir, keys)

    assert OLD_RULE_ID in stale
    assert not db_path(data_dir, training.UNIT.code).exists()
    assert moved_to.parent == data_dir / "quarantine" and moved_to.read_bytes() == old_bytes  # nothing deleted
    assert keys.get(f"quarantine/{moved_to.name}") is not None  # its key kept beside it
    fresh = WorkingCopy.open(data_dir, training.UNIT.code, keys)  # what the next log-in does
    assert fresh.conn.execute("SELECT count(*) FROM records").fetchone()[0] == 0
    fresh.close()


def test_a_sound_training_copy_and_other_units_copies_are_left_alone(data_dir):
    keys = KeyStore(MemoryKeyring())
    make_copy(data_dir, keys)
    with old_rule():
        make_copy(data_dir, keys, unit_code=REAL_UNIT)  # another unit's copy, however made: not ours
    before = files(data_dir)
    assert training.set_aside_old_copy(data_dir, keys) is None
    assert files(data_dir) == before


def test_a_training_copy_whose_key_is_missing_is_left_to_the_log_in(data_dir):
    keys = KeyStore(MemoryKeyring())
    with old_rule():
        make_copy(data_dir, keys)
    before = files(data_dir)
    assert training.set_aside_old_copy(data_dir, KeyStore(MemoryKeyring())) is None
    assert files(data_dir) == before
    assert keys.get(key_name(training.UNIT.code)) is not None


def test_the_desk_in_training_mode_says_in_thai_then_english_why_its_copy_is_renewed(data_dir):
    from ui.main import renew_old_training_copy
    keys = KeyStore(MemoryKeyring())
    with old_rule():
        make_copy(data_dir, keys)
    same, note = renew_old_training_copy(data_dir, keys)
    assert same is keys
    thai, english = note.split("\n")
    assert thai.startswith("ย้ายสำเนาข้อมูลฝึกหัดเดิมของเครื่องนี้ไปไว้ที่ ") and "สูตรคำนวณเลขตรวจสอบแบบเก่าที่ผิด" in thai
    assert english.startswith("Set this PC's training working copy aside") and "check-digit rule" in english
    assert renew_old_training_copy(data_dir, keys) == (keys, "")  # once: nothing left to renew
