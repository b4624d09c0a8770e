"""Versioned schema of the working copy. Each step runs once, in order, in one transaction; the
version is ``PRAGMA user_version``. Never edit a released step: add the next one.
"""
from __future__ import annotations

import sqlcipher3.dbapi2 as sqlite

STEPS: list[str] = [
    # 1 — records, their history, derived entitlement, search, change sets, attachments
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

    -- Every record of the register, as JSON, with the server revision it was last seen at.
    -- cid / other_cid: the people it concerns (for a marriage, both spouses; a parentage, parent and child).
    CREATE TABLE records (
        type TEXT NOT NULL,
        id TEXT NOT NULL,
        cid TEXT,
        other_cid TEXT,
        unit_code TEXT,
        rev INTEGER NOT NULL DEFAULT 0,
        data TEXT NOT NULL,
        PRIMARY KEY (type, id)
    ) WITHOUT ROWID;
    CREATE INDEX records_cid ON records (cid);
    CREATE INDEX records_other_cid ON records (other_cid);

    -- History is never overwritten: each version of each record is kept.
    CREATE TABLE record_history (
        type TEXT NOT NULL,
        id TEXT NOT NULL,
        rev INTEGER NOT NULL,
        data TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (type, id, rev)
    ) WITHOUT ROWID;

    -- Entitlement derived from the records by app.rules (recomputed per family on change).
    CREATE TABLE spans (
        cid TEXT NOT NULL,
        relation TEXT NOT NULL,
        via_cid TEXT NOT NULL,
        unit_code TEXT NOT NULL,
        personnel_type TEXT NOT NULL,
        start TEXT NOT NULL,
        end TEXT,
        secondary INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX spans_via ON spans (via_cid);
    CREATE INDEX spans_unit_start ON spans (unit_code, start);
    CREATE INDEX spans_cid ON spans (cid);

    -- Who appears in a unit's list of people, and as what (derived, like spans).
    CREATE TABLE unit_people (
        unit_code TEXT NOT NULL,
        cid TEXT NOT NULL,
        relation TEXT NOT NULL,
        via_cid TEXT NOT NULL,
        name_th TEXT NOT NULL,
        name_en TEXT NOT NULL,
        sort_key BLOB NOT NULL,  -- Thai dictionary order of first name then surname (app.thai.sort_key)
        PRIMARY KEY (unit_code, cid, relation, via_cid)
    ) WITHOUT ROWID;
    CREATE INDEX unit_people_order ON unit_people (unit_code, relation != 'self', sort_key);

    -- Thai names are not split into words by the default tokenizer: trigrams find them anywhere.
    CREATE VIRTUAL TABLE person_search USING fts5 (cid UNINDEXED, text, tokenize = 'trigram');

    CREATE TABLE changesets (
        id TEXT PRIMARY KEY,
        unit_code TEXT NOT NULL,
        author_cid TEXT NOT NULL,
        state TEXT NOT NULL,
        title TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX changesets_state ON changesets (unit_code, state);

    -- Attachments live encrypted on disk; their per-file keys live here, inside the encrypted store.
    CREATE TABLE attachments (
        sha256 TEXT PRIMARY KEY,
        file_key BLOB NOT NULL,
        size INTEGER NOT NULL,
        mime TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    """,
    # 2 — the sync outbox: what this PC still owes the server, each with its sync state
    """
    CREATE TABLE outbox (
        id TEXT PRIMARY KEY,               -- "push:<change set>:<step>" or "approve:<change set>"
        kind TEXT NOT NULL,                -- push | approve
        changeset_id TEXT NOT NULL,
        payload TEXT NOT NULL,             -- the JSON body to send
        sync_state TEXT NOT NULL,          -- queued | uploading | synced | error | conflict
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        answer TEXT NOT NULL DEFAULT '',   -- the server's answer, once it came
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX outbox_state ON outbox (sync_state, created_at);
    """,
    # 3 — who logged in online on this PC, for offline log-in (argon2id hashes, inside the encrypted store)
    """
    CREATE TABLE local_accounts (
        username TEXT PRIMARY KEY,
        cid TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        unit_code TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        last_online_login TEXT NOT NULL
    );
    """,
    # 4 — offline log-in gets the server's lock-out: failed tries counted in the encrypted store
    """
    ALTER TABLE local_accounts ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE local_accounts ADD COLUMN locked_until TEXT;
    """,
    # 5 — an outbox item the server failed on waits alone: how often in a row, and not before when
    """
    ALTER TABLE outbox ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN next_try_at TEXT NOT NULL DEFAULT '';
    """,
    # 6 — the finance officer's claims (app.store.claims): each kept whole with its history, and its receipts by
    # key so a receipt already claimed is found in one lookup
    """
    CREATE TABLE claims (
        id TEXT PRIMARY KEY,
        unit_code TEXT NOT NULL,
        state TEXT NOT NULL,
        claimant_cid TEXT NOT NULL,
        patient_cid TEXT NOT NULL,
        first_receipt TEXT,            -- the oldest receipt's date: the year to claim runs from it
        updated_at TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX claims_unit ON claims (unit_code, state, updated_at);
    CREATE TABLE claim_receipts (
        receipt_key TEXT NOT NULL,     -- app.claims.receipt_key: the facility and the receipt's number
        claim_id TEXT NOT NULL REFERENCES claims (id),
        PRIMARY KEY (receipt_key, claim_id)
    ) WITHOUT ROWID;
    """,
    # 7 — certificates of entitlement (หนังสือรับรองสิทธิ) the unit issued: numbered, kept whole (the PDF in the
    #     attachment store by its SHA-256), listed in the unit's register of certificates (app.usecases.certificates)
    """
    CREATE TABLE certificates (
        number TEXT PRIMARY KEY,           -- "<PC>-<running>/<Buddhist year>", e.g. 4821-7/2569
        unit_code TEXT NOT NULL,
        prefix TEXT NOT NULL,              -- the issuing PC's number (the part before the dash)
        year INTEGER NOT NULL,             -- the Buddhist year of issue
        seq INTEGER NOT NULL,              -- the running number within (prefix, year)
        device TEXT NOT NULL,              -- the issuing PC's key fingerprint (keeps two PCs' prefixes apart)
        cid TEXT NOT NULL,                 -- the person certified
        relation TEXT NOT NULL,            -- app.rules.entitlement.Relation value
        via_cid TEXT NOT NULL,             -- the beneficiary (the person themself for "self")
        admitted_on TEXT NOT NULL,
        issued_at TEXT NOT NULL,           -- UTC, ISO
        issued_on TEXT NOT NULL,           -- the local date printed on the letter
        pdf_sha256 TEXT NOT NULL,
        data TEXT NOT NULL,                -- the rest as printed (names, position, unit, hospital, issuer), JSON
        UNIQUE (prefix, year, seq)
    );
    CREATE INDEX certificates_issued ON certificates (unit_code, issued_on);
    CREATE INDEX certificates_cid ON certificates (cid);
    """,
    # 8 — the claims list read from columns (5,000 claims without decoding each one's JSON): what a line shows,
    #     filled for claims kept before from their JSON (the amount to the satang, from the receipts less what
    #     another right paid; the next save writes it exactly as app.claims computes it)
    """
    ALTER TABLE claims ADD COLUMN relation TEXT NOT NULL DEFAULT '';
    ALTER TABLE claims ADD COLUMN facility TEXT NOT NULL DEFAULT '';
    ALTER TABLE claims ADD COLUMN first_day TEXT;
    ALTER TABLE claims ADD COLUMN last_day TEXT;
    ALTER TABLE claims ADD COLUMN claimed TEXT NOT NULL DEFAULT '0.00';
    UPDATE claims SET relation = json_extract(data, '$.relation'), facility = json_extract(data, '$.facility'),
        first_day = json_extract(data, '$.first_day'), last_day = json_extract(data, '$.last_day'),
        claimed = printf('%.2f', max(0, (SELECT coalesce(sum(CAST(json_extract(value, '$.amount') AS REAL)), 0)
                                         FROM json_each(data, '$.receipts'))
                                      - CAST(coalesce(json_extract(data, '$.other_paid'), '0') AS REAL)));
    """,
]

LATEST = len(STEPS)


def migrate(conn: sqlite.Connection) -> int:
    """Bring the schema to :data:`LATEST`; returns the version found before."""
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > LATEST:
        raise RuntimeError(
            f"ฐานข้อมูลนี้มาจากโปรแกรมรุ่นที่ใหม่กว่า (รุ่นโครงสร้าง {found}) กรุณาปรับปรุงโปรแกรมก่อนเปิด"
        )
    for version in range(found + 1, LATEST + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            _run_script(conn, STEPS[version - 1])
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return found


def _run_script(conn: sqlite.Connection, script: str) -> None:
    """Run a script statement by statement, so it stays inside the caller's transaction
    (``executescript`` would commit first)."""
    buf = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buf += line
        if sqlite.complete_statement(buf):
            conn.execute(buf)
            buf = ""
    if buf.strip():
        conn.execute(buf)
