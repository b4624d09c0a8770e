"""The encrypted working copy: nothing readable without the key, nothing ever deleted."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app import training
from app.store import AttachmentStore, DbWorker, StoreProblem, StoreQuarantined, WorkingCopy
from app.store.db import db_path, key_name
from app.store.migrations import LATEST

ROOT = Path(__file__).resolve().parents[1]


def _files(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())


def test_the_file_holds_no_seeded_cid_or_name_in_clear(data_dir, keys):
    wc = WorkingCopy.open(data_dir, "TRN0001", keys)
    from app.store import RegisterStore
    data = training.generate(20)
    training.seed(RegisterStore(wc), data)
    person = data.persons[5]
    raw = _files(wc.path)  # while open: the WAL too
    wc.close()
    raw += _files(wc.path)
    assert len(raw) > 4096
    for needle in (person.cid, person.first_th, person.last_th, person.first_en, training.UNIT.name):
        assert needle.encode("utf-8") not in raw
        assert needle.encode("utf-16-le") not in raw


def test_sqlite3_cannot_open_it(wc):
    wc.conn.execute("INSERT INTO meta VALUES ('x', 'y')")
    wc.close()
    out = subprocess.run(["sqlite3", str(wc.path), "SELECT count(*) FROM sqlite_master;"],
                         capture_output=True, text=True)
    assert out.returncode != 0
    assert "not a database" in out.stderr


def test_a_wrong_key_quarantines_the_file_byte_identical_and_creates_nothing_by_itself(data_dir, keys):
    wc = WorkingCopy.open(data_dir, "TRN0001", keys)
    wc.conn.execute("INSERT INTO meta VALUES ('kept', 'yes')")
    wc.close()
    before = hashlib.sha256(wc.path.read_bytes()).hexdigest()
    keys.put(key_name("TRN0001"), os.urandom(32))
    with pytest.raises(StoreQuarantined) as e:
        WorkingCopy.open(data_dir, "TRN0001", keys)
    moved = e.value.info.moved_to
    assert e.value.info.reason == "unreadable"
    assert hashlib.sha256(moved.read_bytes()).hexdigest() == before
    assert not wc.path.exists()
    assert "ไม่ได้ลบข้อมูล" in str(e.value) and str(moved) in str(e.value)
    assert keys.get(key_name("TRN0001")) not in (None,) and keys.get(f"quarantine/{moved.name}") is not None
    # Only when the user chooses it: a new, empty copy.
    fresh = WorkingCopy.create_new(data_dir, "TRN0001", keys)
    assert fresh.conn.execute("SELECT count(*) FROM meta WHERE key = 'kept'").fetchone()[0] == 0
    fresh.close()
    assert hashlib.sha256(moved.read_bytes()).hexdigest() == before


def test_a_missing_key_quarantines_and_the_right_key_still_opens_the_moved_file(data_dir, keys):
    wc = WorkingCopy.open(data_dir, "TRN0001", keys)
    wc.conn.execute("INSERT INTO meta VALUES ('kept', 'yes')")
    wc.close()
    key = keys.get(key_name("TRN0001"))
    keys._backend.delete_password("LGO Registry Desk", key_name("TRN0001"))
    with pytest.raises(StoreQuarantined) as e:
        WorkingCopy.open(data_dir, "TRN0001", keys)
    assert e.value.info.reason == "key_missing" and "ไม่พบกุญแจ" in str(e.value)
    # Support can still read the moved file with the old key: nothing was lost.
    from app.store.db import _connect
    conn = _connect(e.value.info.moved_to, key)
    assert conn.execute("SELECT value FROM meta WHERE key = 'kept'").fetchone()[0] == "yes"
    conn.close()


def test_a_damaged_file_is_quarantined_not_deleted(data_dir, keys):
    WorkingCopy.open(data_dir, "TRN0001", keys).close()
    path = db_path(data_dir, "TRN0001")
    garbage = b"\x00garbage" * 1000
    path.write_bytes(garbage)
    with pytest.raises(StoreQuarantined) as e:
        WorkingCopy.open(data_dir, "TRN0001", keys)
    assert e.value.info.moved_to.read_bytes() == garbage


def test_create_new_refuses_to_overwrite_an_existing_copy(data_dir, keys):
    WorkingCopy.open(data_dir, "TRN0001", keys).close()
    with pytest.raises(StoreProblem, match="ไม่สร้างใหม่ทับ"):
        WorkingCopy.create_new(data_dir, "TRN0001", keys)


def test_schema_is_migrated_once_and_reopening_keeps_data(data_dir, keys):
    wc = WorkingCopy.open(data_dir, "TRN0001", keys)
    assert wc.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert wc.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    wc.conn.execute("INSERT INTO meta VALUES ('a', 'b')")
    wc.close()
    again = WorkingCopy.open(data_dir, "TRN0001", keys)
    assert again.conn.execute("SELECT value FROM meta WHERE key = 'a'").fetchone()[0] == "b"
    again.close()


WRITER = textwrap.dedent("""
    import sys, itertools
    from pathlib import Path
    from app.store import KeyStore, MemoryKeyring, WorkingCopy, RegisterStore
    from app.store.db import key_name
    from app.domain import Person
    from app.cid import complete
    keys = KeyStore(MemoryKeyring())
    keys.put(key_name("TRN0001"), bytes.fromhex(sys.stdin.readline().strip()))
    wc = WorkingCopy.open(Path(sys.argv[1]), "TRN0001", keys)
    reg = RegisterStore(wc)
    print("ready", flush=True)
    for rev in itertools.count(2):
        # each transaction rewrites 200 records and adds their history rows: all or nothing
        reg.put([(Person(complete(f"9{i:011d}"), "ชื่อ", f"รุ่น{rev}"), rev) for i in range(200)],
                recompute=False)
        print(rev, flush=True)
""")


def test_a_killed_writer_leaves_the_database_consistent(data_dir, keys):
    wc = WorkingCopy.open(data_dir, "TRN0001", keys)
    wc.close()
    key = keys.get(key_name("TRN0001"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(data_dir)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)
    proc.stdin.write(key.hex() + "\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "ready"
    while int(proc.stdout.readline()) < 12:  # let it commit some transactions, then kill it mid-write
        pass
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    wc = WorkingCopy.open(data_dir, "TRN0001", keys)
    assert wc.integrity_ok()
    revs = {r[0] for r in wc.conn.execute("SELECT rev FROM records WHERE type = 'person'")}
    assert len(revs) == 1, "a transaction was half applied"
    [rev] = revs
    assert rev >= 12
    n = wc.conn.execute("SELECT count(*) FROM record_history WHERE rev = ?", (rev,)).fetchone()[0]
    assert n == 200
    wc.close()


def test_attachments_are_encrypted_on_disk_content_addressed_and_checked(wc):
    store = AttachmentStore(wc)
    pdf = b"%PDF-1.7\n" + "ทะเบียนสมรส เลขที่ 77/2560".encode() + os.urandom(2000)
    sha = store.put(pdf, "marriage.pdf")
    assert sha == hashlib.sha256(pdf).hexdigest()
    assert store.put(pdf) == sha  # the same bytes are stored once
    on_disk = list(store.folder.rglob("*.bin"))
    assert len(on_disk) == 1 and sha in on_disk[0].name
    assert "ทะเบียนสมรส".encode() not in on_disk[0].read_bytes()
    assert store.get(sha) == pdf
    assert not list(store.folder.rglob("*.part"))
    blob = bytearray(on_disk[0].read_bytes())
    blob[-1] ^= 1
    on_disk[0].write_bytes(bytes(blob))
    with pytest.raises(StoreProblem, match="เสียหาย"):
        store.get(sha)


def test_attachments_other_than_pdf_jpeg_png_are_refused_with_what_to_do(wc):
    with pytest.raises(StoreProblem, match="PDF, JPEG หรือ PNG"):
        AttachmentStore(wc).put(b"MZ\x90\x00 a windows program")


def test_a_document_the_central_server_would_not_take_is_refused_when_attached(wc):
    from app.store import attachments
    from server import blobs
    assert attachments.MAX_BYTES == blobs.MAX_BYTES  # what the desk takes, the server takes
    too_big = b"%PDF-1.7\n" + bytes(attachments.MAX_BYTES)
    with pytest.raises(StoreProblem, match=f"ใหญ่เกิน {attachments.MAX_BYTES // 2**20} MB"):
        AttachmentStore(wc).put(too_big)


def test_the_db_worker_runs_jobs_in_order_on_its_own_thread_and_hands_back_errors(wc):
    import threading
    worker = DbWorker()
    try:
        seen = worker.call(lambda: threading.current_thread().name)
        assert seen == "lgo-db" != threading.current_thread().name
        f1 = worker.submit(wc.conn.execute, "INSERT INTO meta VALUES ('w', '1')")
        f2 = worker.submit(lambda: wc.conn.execute("SELECT value FROM meta WHERE key='w'").fetchone()[0])
        f1.result()
        assert f2.result() == "1"
        with pytest.raises(Exception, match="no such table"):
            worker.call(wc.conn.execute, "SELECT * FROM nowhere")
        assert worker.call(lambda: 2 + 2) == 4  # still alive after an error
    finally:
        worker.stop()


def test_thai_names_are_found_inside_the_name_and_by_cid_prefix(register):
    data = training.generate(40)
    training.seed(register, data)
    p = data.persons[10]
    today = dt.date(2026, 11, 23)
    by_last = {r.cid for r in register.people("TRN0001", today, p.last_th)}
    assert p.cid in by_last
    assert p.cid in {r.cid for r in register.people("TRN0001", today, p.cid[:9])}
    assert p.cid in {r.cid for r in register.people("TRN0001", today, p.first_en.lower())}
    assert register.people("TRN0001", today, "ไม่มีชื่อนี้แน่นอน") == []


def test_who_was_entitled_on_a_date_matches_the_rules(register):
    from app.rules.entitlement import Facts, all_spans, entitled_on
    data = training.generate(60)
    training.seed(register, data)
    facts = Facts(persons={p.cid: p for p in data.persons})
    for r in data.records:
        {"Employment": facts.employments, "Marriage": facts.marriages, "Parentage": facts.parentages,
         "Coverage": facts.coverages}[type(r).__name__].append(r)
    facts.reindex()
    for day in (dt.date(2010, 1, 1), dt.date(2024, 6, 15), dt.date(2026, 11, 23)):
        expected = sorted((s.cid, s.relation, s.via_cid) for s in entitled_on(all_spans(facts), day))
        got = sorted((s.cid, s.relation, s.via_cid) for s in register.entitled_on("TRN0001", day))
        assert got == expected and got


def test_history_is_never_overwritten(register):
    from app.domain import Person
    cid = "9000000000012"
    register.put([(Person(cid, "ก", "ข"), 1)])
    register.put([(Person(cid, "ก", "ค"), 2)])
    assert [d["last_th"] for _, d in register.history("person", cid)] == ["ข", "ค"]
    assert register.get("person", cid)[0].last_th == "ค"


def test_a_changed_record_rederives_the_familys_entitlement(register):
    import dataclasses
    from app.domain import MarriageEnd
    data = training.generate(30)
    training.seed(register, data)
    m = next(r for r in data.records if type(r).__name__ == "Marriage")
    day = dt.date(2026, 11, 23)
    assert m.b_cid in {s.cid for s in register.entitled_on("TRN0001", day)}
    ended = dataclasses.replace(m, ended_on=dt.date(2026, 1, 1), end_reason=MarriageEnd.DIVORCE)
    register.put([(ended, 2)])
    assert m.b_cid not in {s.cid for s in register.entitled_on("TRN0001", day)}
    assert m.b_cid in {s.cid for s in register.entitled_on("TRN0001", dt.date(2025, 12, 31))}


def test_the_key_never_lands_in_a_file_or_an_error_message(data_dir, keys):
    wc = WorkingCopy.open(data_dir, "TRN0001", keys)
    from app.store import RegisterStore
    training.seed(RegisterStore(wc), training.generate(10))
    wc.close()
    key = keys.get(key_name("TRN0001"))
    keys.put(key_name("TRN0001"), os.urandom(32))
    with pytest.raises(StoreQuarantined) as e:
        WorkingCopy.open(data_dir, "TRN0001", keys)
    wrong = keys.get(key_name("TRN0001"))
    for k in (key, wrong):
        assert k.hex() not in str(e.value) and k.hex() not in repr(e.value)
        for f in data_dir.rglob("*"):
            if f.is_file():
                blob = f.read_bytes()
                assert k not in blob and k.hex().encode() not in blob and k.hex().upper().encode() not in blob


@pytest.mark.skipif(os.name != "posix", reason="Linux/macOS modes; Windows keeps the per-user folder closed by ACLs")
def test_the_working_copy_folders_are_0700_and_its_files_0600_on_linux(tmp_path, keys):
    """On a PC several people log in to, another Linux user must not even list the unit's working copy, its
    attachments or what log-in keeps — whatever the umask, and also for a copy made before this rule."""
    from app.store import RegisterStore
    from app.store.db import write_tally
    from sync.session import _remember_unit, installation_id
    old_umask = os.umask(0o022)  # the usual default: files 0644, folders 0755
    try:
        data_dir = tmp_path / "LGO Registry Desk"
        wc = WorkingCopy.open(data_dir, "TRN0001", keys)
        RegisterStore(wc).put([(training.UNIT, 1)])  # a write: the WAL and shared-memory files exist now
        AttachmentStore(wc).put(b"%PDF-1.7\n" + os.urandom(2048), "birth.pdf")
        write_tally(wc.path, 3)
        installation_id(data_dir)
        _remember_unit(data_dir, "mali@example.go.th", "TRN0001")
        created = {p.name for p in data_dir.rglob("*")}
        assert {"TRN0001.lgodb", "TRN0001.lgodb-wal", "TRN0001.lgodb-shm", "TRN0001.lgodb.unsynced",
                "installation.id", "accounts.json"} <= created
        wc.close()
        # a copy from before the rule, opened again: folders and files are closed now
        for p in [data_dir, *data_dir.rglob("*")]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        wc = WorkingCopy.open(data_dir, "TRN0001", keys)
        RegisterStore(wc).put([(training.UNIT, 2)])
        AttachmentStore(wc).put(b"%PDF-1.7\n" + os.urandom(2048), "other.pdf")
        write_tally(wc.path, 0)
        wc.close()
        installation_id(data_dir)  # the next log-in reads the installation's id and notes the account's unit
        _remember_unit(data_dir, "mali@example.go.th", "TRN0001")
        # a copy set aside (lost key): its folder is closed too
        keys.put(key_name("TRN0001"), os.urandom(32))
        with pytest.raises(StoreQuarantined):
            WorkingCopy.open(data_dir, "TRN0001", keys)
    finally:
        os.umask(old_umask)
    modes = {p.relative_to(data_dir).as_posix() + ("/" if p.is_dir() else ""): p.stat().st_mode & 0o777
             for p in [data_dir, *data_dir.rglob("*")]}
    assert any(name.startswith("quarantine/") for name in modes) and any(".bin" in name for name in modes)
    assert {name: oct(mode) for name, mode in modes.items() if mode != (0o700 if name.endswith("/") else 0o600)} == {}
