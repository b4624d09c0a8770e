"""The training central server: the made-up training unit, its three officers with a known training
password, and its register — the same people as the desktop's training copy (app.training)."""
from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, delete, or_, select, union
from sqlalchemy.engine import Engine

from app import training
from app.records import people_of, record_key, to_dict, type_name

from .blobs import finance_upload
from .db import (
    accounts, answers, blob_owners, changesets, claim_evidence, claim_receipts, default_blob_dir, metadata,
    record_history, records, sessions, units,
)
from .register import register_unit
from .statements import issue
from .security import THAILAND, hash_password, now, thai_day

TRAINING_PASSWORD = training.TRAINING_PASSWORD
log = logging.getLogger("lgo.central.training")


@dataclass(frozen=True)
class Seeded:
    made: bool                    # the training unit was created now (new, or rebuilt)
    old_rule_ids: tuple[str, ...] = ()  # not empty: the training unit was rebuilt, because it held these IDs


def seed(engine: Engine, staff: int = 120, blob_dir: Path | None = None) -> bool:
    """Create the training unit's officers and register once; returns False when they are already there
    (and sound: a training unit made with the old check-digit rule is rebuilt, see :func:`ensure`)."""
    return ensure(engine, staff, blob_dir).made


def ensure(engine: Engine, staff: int = 120, blob_dir: Path | None = None) -> Seeded:
    """The training unit, its officers and register, in one transaction: created when absent; rebuilt when
    it holds citizen IDs that fail today's check-digit rule (made before issue 15); otherwise left alone.
    Only the training unit's rows are ever read for this or removed (:func:`purge_training_unit`).
    The finance officer's training claims (:func:`put_claims`, their evidence into ``blob_dir``, by default the
    server's own) come with a new unit, and are added once to a training unit made before them."""
    data = training.generate(staff=staff)
    stale: list[str] = []
    blobs = _blob_store(engine, blob_dir)
    with engine.begin() as conn:
        if conn.execute(select(accounts.c.id).where(accounts.c.unit_code == data.unit.code)).first() is not None:
            stale = old_rule_ids(conn)
            if not stale:
                if blobs is not None and not has_training_claims(conn):
                    _put_claims_or_say(conn, data, blobs)
                return Seeded(False)
            purge_training_unit(conn)
        register_unit(conn, to_dict(data.unit))
        hashed = hash_password(TRAINING_PASSWORD)
        for o in data.officers:
            conn.execute(accounts.insert().values(
                id=str(uuid.uuid4()), username=o.email, cid=o.cid, name=o.name, position=o.position,
                role=o.role.value, unit_code=o.unit_code, email=o.email, mobile=o.mobile, password_hash=hashed,
                must_change_password=False, active=True, failed_logins=0, created_at=now()))
        put_register(conn, data)
        # last month's confirmation round, so the registrar's screen has a statement to show in training
        issue(conn, data.unit.code, (_dt.date.today().replace(day=1) - _dt.timedelta(days=1)).replace(day=1))
        if blobs is not None:
            _put_claims_or_say(conn, data, blobs)
    return Seeded(True, tuple(stale))


def _put_claims_or_say(conn: Connection, data: training.TrainingData, blobs) -> None:
    """The training claims, or (say a trainee's claim already holds a receipt number they use) none, with a warning:
    the rest of the training unit is still made."""
    from .routes.common import ApiError
    try:
        with conn.begin_nested():
            put_claims(conn, data, blobs)
    except (ApiError, LookupError) as e:
        log.warning("training claims not made (%s): the training unit has no sample claims", e)


def has_training_claims(conn: Connection) -> bool:
    """Whether the training claims are there: a claim of the training unit on a receipt of a training facility
    (claims a trainee or the demo tour made do not count)."""
    from app.claims import receipt_key
    return any(conn.execute(select(claim_receipts.c.claim_id).where(
        claim_receipts.c.unit_code == training.UNIT.code,
        claim_receipts.c.receipt_key.startswith(receipt_key(name, ""), autoescape=True))).first() is not None
        for name, _kind in training.FACILITIES)


def _blob_store(engine: Engine, blob_dir: Path | None):
    """Where the server keeps attachments (the folder ``lgo-central serve`` uses); None when it cannot be told
    (PostgreSQL without $LGO_BLOB_DIR): the training unit is then made without claims."""
    from .blobs import BlobStore
    try:
        return BlobStore(blob_dir or default_blob_dir(engine.url.render_as_string(hide_password=False)))
    except RuntimeError:
        return None


def old_rule_ids(conn: Connection) -> list[str]:
    """The training unit's citizen IDs (its register, its accounts, its change sets' authors) that fail today's
    rule."""
    code = training.UNIT.code
    query = union(
        select(records.c.cid).where(records.c.unit_code == code),
        select(records.c.other_cid).where(records.c.unit_code == code),
        select(accounts.c.cid).where(accounts.c.unit_code == code),
        select(changesets.c.author_cid).where(changesets.c.unit_code == code),
    )
    return training.old_rule_ids(r[0] for r in conn.execute(query))


def purge_training_unit(conn: Connection) -> None:
    """Remove every row of the training unit — and of no other unit: its accounts and what hangs on them
    (sessions, devices, and whatever names one of its sessions), its records and their history, its change
    sets' stored answers, and every row of any table that names the unit (change sets, feed, statements,
    audit, blob owners …, and tables added later)."""
    code = training.UNIT.code
    account_ids = [r[0] for r in conn.execute(select(accounts.c.id).where(accounts.c.unit_code == code))]
    session_ids = [r[0] for chunk in _chunks(account_ids)
                   for r in conn.execute(select(sessions.c.id).where(sessions.c.account_id.in_(chunk)))]
    changeset_ids = [r[0] for r in conn.execute(select(changesets.c.id).where(changesets.c.unit_code == code))]
    keys = [tuple(r) for r in conn.execute(select(records.c.type, records.c.id).where(records.c.unit_code == code))]
    for table in metadata.sorted_tables:
        for column, ids in (("session_id", session_ids), ("account_id", account_ids)):
            if column in table.c and table is not accounts:
                for chunk in _chunks(ids):
                    conn.execute(delete(table).where(table.c[column].in_(chunk)))
    for kind in {k for k, _ in keys}:
        for chunk in _chunks([rid for k, rid in keys if k == kind]):
            conn.execute(delete(record_history).where(record_history.c.type == kind,
                                                      record_history.c.id.in_(chunk)))
    # stored answers: keyed by the caller's unit ("push:<unit>:<id>:…", "approve:<unit>:<id>:<round>",
    # "claim:<unit>:<id>:<submission>"), or in older
    # databases by the change set alone ("push:<id>:…", "approve:<id>") — matched by their exact shape only
    conn.execute(delete(answers).where(or_(answers.c.key.startswith(f"push:{code}:", autoescape=True),
                                           answers.c.key.startswith(f"approve:{code}:", autoescape=True),
                                           answers.c.key.startswith(f"claim:{code}:", autoescape=True))))
    for cs_id in changeset_ids:
        conn.execute(delete(answers).where(or_(answers.c.key == f"approve:{cs_id}",
                                               answers.c.key.startswith(f"push:{cs_id}:", autoescape=True))))
    for table in metadata.sorted_tables:
        if "unit_code" in table.c:
            conn.execute(delete(table).where(table.c.unit_code == code))
    conn.execute(delete(units).where(units.c.code == code))


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def put_register(conn, data: training.TrainingData) -> None:
    """The training people and their records, at revision 1, in the register of record."""
    rows, history = [], []
    at = _dt.datetime.now(_dt.timezone.utc)
    for record in [*data.persons, *data.records]:
        kind, rid, body = type_name(record), record_key(record), to_dict(record)
        a, b = people_of(kind, body)
        rows.append(dict(type=kind, id=rid, unit_code=data.unit.code, cid=a, other_cid=b, rev=1, data=body))
        history.append(dict(type=kind, id=rid, rev=1, data=body, changeset_id=None, at=at))
    conn.execute(records.insert(), rows)
    conn.execute(record_history.insert(), history)



# --- the finance officer's training claims (issue 19) ---------------------------------------------------------
# A few claims in every state NHSO gives them, for real training people whose right holds on the days of care,
# made by the real flow: staged (server.claims.stage: the server's own checks on the register of record), decided,
# closed into a signed payment statement and its transfer recorded, each at its own time in the past weeks (the
# clock those functions read is set back for each step), so the desk looks current on the day it is seeded.
# Drafts and claims ready to send exist only on a PC: a trainee makes those.

NHSO_STAFF = "lgo-central"           # who decides, as `lgo-central claims …` records it
REJECTED_REASON = "สิทธิ ณ วันที่รักษาไม่ใช่สิทธิ อปท."


@dataclass(frozen=True)
class _Want:
    """One training claim: whose care (the wanted relation, else the beneficiary's own), where, when and what
    NHSO did with it (``decision``: accept | partly | reject | None, still at NHSO)."""
    relation: str
    facility: int              # app.training.FACILITIES
    care: str                  # opd | ipd
    first: _dt.date
    days: int
    submit: _dt.date
    amount: str
    illness: str
    decision: str | None = None
    decide: _dt.date | None = None
    accepted: str | None = None
    reason: str = ""


@contextlib.contextmanager
def _clock(at: _dt.datetime):
    """server.claims reads the time through its ``now``: set back to ``at`` while a past step is replayed."""
    from . import claims as central
    real = central.now
    central.now = lambda: at
    try:
        yield
    finally:
        central.now = real


def put_claims(conn: Connection, data: training.TrainingData, blobs) -> list[str]:
    """The training unit's claims, one at least in each state NHSO's side gives (at NHSO, accepted, partly accepted,
    rejected, in a closed month's payment statement whose transfer is recorded, in one whose transfer is not yet),
    their evidence stored as the unit's blobs; returns the claims' ids. Dates count back from today (Thai day)."""
    from . import claims as central

    real_now = now()
    today = thai_day(real_now)
    this_month = today.replace(day=1)
    last_month = (this_month - _dt.timedelta(days=1)).replace(day=1)
    before = (last_month - _dt.timedelta(days=1)).replace(day=1)
    day = _dt.timedelta(days=1)

    def at(d: _dt.date, hour: int) -> _dt.datetime:   # a Thai office hour of that day, never later than now
        return min(_dt.datetime.combine(d, _dt.time(hour), THAILAND).astimezone(_dt.timezone.utc), real_now)

    later = max(today - 4 * day, this_month)   # decided this month: in no statement yet
    plan = {  # by the month the claims are paid in
        before: [
            _Want("child", 0, "opd", before - 8 * day, 1, before + 2 * day, "1250.00", "ไข้สูง ปวดศีรษะ (ไข้หวัดใหญ่)",
                  "accept", before + 9 * day),
            _Want("self", 1, "ipd", before - 14 * day, 3, before + 3 * day, "18400.00", "ปอดอักเสบ นอนโรงพยาบาล 3 วัน",
                  "partly", before + 10 * day, "15900.00", "ค่าห้องพิเศษเกินอัตราที่เบิกได้ เบิกได้ตามอัตราห้องสามัญ"),
        ],
        last_month: [
            _Want("spouse", 1, "opd", last_month - 6 * day, 1, last_month + 3 * day, "2680.00",
                  "ปวดหลังเรื้อรัง กายภาพบำบัด", "accept", last_month + 11 * day),
        ],
        this_month: [
            _Want("mother", 0, "opd", today - 40 * day, 1, today - 33 * day, "960.00",
                  "ความดันโลหิตสูง ตรวจติดตามอาการ", "reject", today - 20 * day, reason=REJECTED_REASON),
            _Want("child", 2, "opd", today - 24 * day, 1, today - 18 * day, "740.00", "ท้องเสียเฉียบพลัน",
                  "accept", later),
            _Want("self", 2, "ipd", today - 30 * day, 2, today - 21 * day, "9800.00", "ไส้ติ่งอักเสบเฉียบพลัน ผ่าตัด",
                  "partly", later, "9200.00", "ยาและเวชภัณฑ์นอกบัญชียาหลักแห่งชาติ เบิกไม่ได้ 600.00 บาท"),
            _Want("spouse", 3, "opd", today - 9 * day, 1, today - 3 * day, "1580.00", "ฟันผุ อุดฟัน 2 ซี่"),
            _Want("child", 0, "opd", today - 6 * day, 1, today - 2 * day, "420.00", "ผื่นแพ้ คัน"),
        ],
    }
    finance = next(o for o in data.officers if o.role.value == "finance")
    people = _Chooser(conn, data)
    made: list[str] = []
    for month, wants in plan.items():
        for want in wants:
            made.append(_one_claim(conn, data, blobs, people, finance.cid, want, len(made) + 1, at))
        if month == this_month:
            break
        ym = month.strftime("%Y-%m")
        closed_at = at(month.replace(day=28) + 5 * day, 9)   # the first days of the next month
        with _clock(closed_at), conn.begin_nested() as savepoint:
            sids = central.close_month(conn, ym, NHSO_STAFF)
            if sids != [central.statement_id(ym, data.unit.code)]:
                savepoint.rollback()  # it would close another unit's month too: never, from a training seed
                continue
        if month == before:  # NHSO transfers 15–20 days after the month's end
            paid = month.replace(day=28) + 4 * day
            paid = paid.replace(day=1) + 16 * day
            with _clock(at(paid + day, 10)):
                central.record_transfer(conn, sids[0], paid, f"KTB-TRN-{paid:%y%m%d}")
    return made


class _Chooser:
    """The training unit's beneficiaries, each picked once while there are enough: whose wanted dependent (else
    they themselves) is entitled on every day of care, by app.rules over the register of record — the same facts
    server.claims.stage checks the claim against."""

    def __init__(self, conn: Connection, data: training.TrainingData) -> None:
        officers = {o.cid for o in data.officers}
        self.conn, self.code = conn, data.unit.code
        self.beneficiaries = list(dict.fromkeys(r.cid for r in data.records
                                                if type_name(r) == "employment" and r.cid not in officers))
        self.used: set[str] = set()
        self._spans: dict[str, list] = {}

    def spans(self, cid: str) -> list:
        from app.rules.entitlement import spans_for

        from .register import load_facts
        if cid not in self._spans:
            self._spans[cid] = spans_for(load_facts(self.conn, {cid}, self.code), cid)
        return self._spans[cid]

    def pick(self, relation: str, days: list[_dt.date]):
        """(beneficiary, patient, Relation)."""
        for fresh_only in (True, False):
            for wanted in (relation, "self"):
                for cid in self.beneficiaries:
                    if fresh_only and cid in self.used:
                        continue
                    for s in self.spans(cid):
                        if s.relation.value == wanted and not s.secondary and s.unit_code == self.code \
                                and all(s.contains(d) for d in days):
                            self.used.add(cid)
                            return cid, s.cid, s.relation
        raise LookupError("no training beneficiary is entitled on the days of care")


def _one_claim(conn: Connection, data: training.TrainingData, blobs, people: _Chooser, finance_cid: str,
               want: _Want, n: int, at) -> str:
    """One claim, its evidence kept as the unit's blob, sent and staged as the desk would, then NHSO's decision."""
    from app.claims import Actor, Care, Claim, ClaimState, FacilityKind, Page, PageLabel, PaidFirst, Receipt, move
    from app.claims.codec import to_json
    from app.claims.evidence import assemble, pages_of
    from app.thai import baht_text, format_amount, format_date_short

    from . import claims as central

    code = data.unit.code
    days = [want.first + _dt.timedelta(days=i) for i in range(want.days)]
    claimant, patient, relation = people.pick(want.relation, days)
    names = {p.cid: p.name_th for p in data.persons}
    inpatient = want.care == "ipd"
    facility, kind = training.FACILITIES[want.facility]
    number = f"{days[-1].year + 543 - 2500}-{n:05d}"
    amount = Decimal(want.amount)
    scans = pages_of(training.paper_scan("ใบเสร็จรับเงิน", [
        ("เลขที่", number), ("วันที่", format_date_short(days[-1])), ("ได้รับเงินจาก", names[claimant]),
        ("ผู้ป่วย", names[patient]), ("รายการ", f"ค่ารักษาพยาบาล{Care(want.care).th}"),
        ("จำนวนเงิน", f"{format_amount(amount)} บาท"), ("", f"({baht_text(amount)})")], facility),
        PageLabel.RECEIPT, number)
    if inpatient:
        scans += pages_of(training.paper_scan("ใบรับรองแพทย์", [
            ("ชื่อผู้ป่วย", names[patient]), ("เข้ารับการรักษา", format_date_short(days[0])),
            ("ออกจากโรงพยาบาล", format_date_short(days[-1])), ("การวินิจฉัย", want.illness),
            ("ความเห็นแพทย์", f"นอนพักรักษาตัว {want.days} วัน")], facility), PageLabel.MEDICAL_CERTIFICATE)
    pdf = assemble(scans)
    sha = hashlib.sha256(pdf).hexdigest()
    blobs.put(sha, pdf, None, code)
    if conn.execute(select(blob_owners.c.sha256).where(blob_owners.c.sha256 == sha,
                                                       blob_owners.c.unit_code == code)).first() is None:
        conn.execute(blob_owners.insert().values(sha256=sha, unit_code=code, at=now()))
        # brought by the finance officer: a claim's evidence, never the register officers' to read
        conn.execute(claim_evidence.insert().values(sha256=sha, claim_id=finance_upload(code), unit_code=code))
    claim = Claim(str(uuid.uuid4()), code, claimant, patient, relation, facility, FacilityKind(kind), Care(want.care),
                  days[0], days[-1], want.illness, PaidFirst.EMERGENCY if kind == "state" else PaidFirst.CANNOT_BILL,
                  receipts=(Receipt(number, days[-1], names[claimant], amount),),
                  pages=tuple(Page(sha, s.label, s.receipt) for s in scans))
    sent_at = at(want.submit, 10)
    for state in (ClaimState.READY, ClaimState.SUBMITTED):
        claim = move(claim, state, Actor.FINANCE, finance_cid, sent_at)
    with _clock(sent_at):
        central.stage(conn, code, finance_cid, to_json(claim))
    if want.decision:
        with _clock(at(want.decide, 14)):
            central.decide(conn, claim.id, want.decision, NHSO_STAFF, want.accepted, want.reason)
    return claim.id
