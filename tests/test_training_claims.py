"""Training for the finance officer (issue 19, "Done means", training): `lgo-central training` leaves the training
server with a few claims in every state NHSO gives them — made by the real flow, their evidence the unit's own
blobs, the payment statements signed — which a finance officer's PC follows into the desk's views; and in
`./dev run` a trainee swaps the training card in the reader (`./dev card finance`) to log in as the finance
officer."""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from card.emulator.profiles import load

ROOT = Path(__file__).resolve().parents[1]


# --- the training card swapped in a running ./dev run ------------------------------------------------------

def card_in_reader() -> str:
    """The citizen ID on the card in the first virtual slot, read through pcscd as support staff would."""
    out = subprocess.run([sys.executable, "-m", "card.cli", "read", "--json", "--reader", "Virtual PCD 00 00"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["cid"]


def dev_card(trays: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "dev"), "card", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "LGO_CARD_TRAYS": str(trays)})


def test_dev_card_swaps_the_card_in_the_slot_of_a_running_training_desk(slots, tmp_path):
    trays = tmp_path / "cards"
    trays.mkdir()
    assert dev_card(trays, "finance").returncode == 1   # no ./dev run: nothing to swap, and it says so
    (trays / "slot0").write_text("registry\n")           # what ./dev run's with_training_cards does
    ready = tmp_path / "in"
    emulator = subprocess.Popen([sys.executable, "-m", "card.cli", "emulate", "registry", "--slot", "0",
                                 "--ready-file", str(ready), "--tray", str(trays / "slot0")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not ready.exists():
            assert emulator.poll() is None and time.monotonic() < deadline, "the training card did not go in"
            time.sleep(0.1)
        assert card_in_reader() == load("registry").fields["cid"]

        swapped = dev_card(trays, "finance")

        assert swapped.returncode == 0, swapped.stderr
        assert "เสียบบัตรฝึกหัด «finance» ในช่อง 0 แล้ว" in swapped.stderr
        assert card_in_reader() == load("finance").fields["cid"]
        unknown = dev_card(trays, "nobody")
        assert unknown.returncode == 2 and "finance" in unknown.stderr   # the cards there are, listed
        assert card_in_reader() == load("finance").fields["cid"]
        assert dev_card(trays, "registry").returncode == 0               # and back
        assert card_in_reader() == load("registry").fields["cid"]
    finally:
        emulator.send_signal(signal.SIGINT)
        emulator.wait(30)


# --- the training server's claims, and a finance officer's PC following them ---------------------------------

REJECTED = "สิทธิ ณ วันที่รักษาไม่ใช่สิทธิ อปท."   # NHSO's own words (its LGO FAQ)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A training central server as `./dev run` makes it (`lgo-central training`), served on loopback."""
    from server.cli import main
    from server.db import make_engine
    from tests.central import start_server
    tmp = tmp_path_factory.mktemp("training-central")
    url = f"sqlite:///{tmp / 'central.sqlite3'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("LGO_BLOB_DIR", raising=False)   # the blobs beside the database, where `serve` keeps them
        assert main(["--db", url, "training"]) == 0
    engine = make_engine(url)
    base, server, thread = start_server(engine, tmp / "blobs")
    yield type("Trained", (), {"url": base, "engine": engine, "blobs": tmp / "blobs", "db": url})
    server.should_exit = True
    thread.join(10)
    engine.dispose()


def server_claims(engine) -> list:
    from app.claims.codec import from_json
    from server.db import claims
    from sqlalchemy import select
    with engine.connect() as conn:
        return [(r.statement_id, from_json(r.data)) for r in conn.execute(select(claims).where(
            claims.c.unit_code == "TRN0001").order_by(claims.c.created_at))]


def thai_today():
    from server.security import now, thai_day
    return thai_day(now())


def test_lgo_central_training_leaves_claims_in_every_state_nhso_gives_for_people_entitled_on_the_days(trained):
    from collections import Counter

    from app import training
    from app.claims import ClaimState as S
    from app.rules.entitlement import Facts, spans_for
    from app.records import type_name

    found = server_claims(trained.engine)
    states = Counter(c.state for _sid, c in found)
    assert states[S.SUBMITTED] >= 1 and states[S.ACCEPTED] >= 1 and states[S.PARTLY_ACCEPTED] >= 1
    assert states[S.REJECTED] >= 1 and states[S.IN_TRANSFER] >= 2
    [rejected] = [c for _sid, c in found if c.state is S.REJECTED]
    assert rejected.history[-1].reason == REJECTED and rejected.history[-1].by == "lgo-central"
    for _sid, c in found:
        if c.state is S.PARTLY_ACCEPTED:
            assert c.history[-1].reason.strip() and 0 < c.history[-1].amount < c.claimed
    # an independent oracle: the rules over the training data itself say each patient was entitled, through
    # the claimant, on every day of care — and the care, the submission and NHSO's steps are in the past weeks
    data = training.generate()
    facts = Facts()
    for record in [*data.persons, *data.records]:
        facts.add(type_name(record), record)
    facts.reindex()
    today = thai_today()
    for _sid, c in found:
        spans = [s for s in spans_for(facts, c.claimant_cid) if s.cid == c.patient_cid and s.relation is c.relation]
        assert all(any(s.contains(d) and not s.secondary for s in spans) for d in c.care_days), c.relation
        assert c.claimant_cid not in {o.cid for o in data.officers}
        assert 0 < (today - c.first_day).days < 120 and (today - c.receipts[0].issued_on).days < 365
        times = [s.at for s in c.history]
        assert times == sorted(times) and c.first_day <= times[0].date() and times[-1] <= dt_now()
    assert max(c.first_day for _sid, c in found if c.state is S.SUBMITTED) >= today - dt.timedelta(days=14)


def dt_now():
    return dt.datetime.now(dt.timezone.utc)


def test_training_claims_evidence_is_a_pdf_of_pages_owned_by_the_training_unit(trained, tmp_path):
    import hashlib
    import io

    from pypdf import PdfReader
    from sqlalchemy import select

    from app.claims import PageLabel
    from server.db import blob_owners, claim_evidence
    with trained.engine.connect() as conn:
        owned = {r[0] for r in conn.execute(select(blob_owners.c.sha256).where(blob_owners.c.unit_code == "TRN0001"))}
        evidence = {(r[0], r[1]) for r in conn.execute(select(claim_evidence.c.sha256, claim_evidence.c.claim_id))}
    for _sid, c in server_claims(trained.engine):
        [sha] = {p.sha256 for p in c.pages}
        assert sha in owned and (sha, c.id) in evidence
        pdf = (trained.blobs / sha[:2] / sha).read_bytes()
        assert hashlib.sha256(pdf).hexdigest() == sha
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == len(c.pages)
        marks = [item.title for item in reader.outline]
        assert f"ใบเสร็จเลขที่ {c.receipts[0].number}" in marks
        assert (c.care.value == "ipd") == (PageLabel.MEDICAL_CERTIFICATE in {p.label for p in c.pages})
        listed = tmp_path / "evidence.pdf"
        listed.write_bytes(pdf)
        images = subprocess.run(["pdfimages", "-list", str(listed)], capture_output=True, text=True).stdout
        assert [line.split()[8] for line in images.splitlines()[2:]] == ["jpeg"] * len(c.pages)  # a scan a page


def test_training_payment_statements_are_signed_one_transferred_and_one_not_yet(trained):
    import base64

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from sqlalchemy import select

    from app.claims import ClaimState as S
    from app.store.payments import verify
    from server.claims import payment_out
    from server.db import payment_statements
    from server.security import signing_key
    with trained.engine.begin() as conn:
        key = signing_key(conn).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        rows = [payment_out(r) for r in conn.execute(select(payment_statements).where(
            payment_statements.c.unit_code == "TRN0001").order_by(payment_statements.c.month)).mappings()]
    assert len(rows) == 2 and all(verify(r, key) for r in rows)
    transferred, waiting = rows
    assert transferred["transfer"] and not waiting["transfer"]
    last_day = (dt.date.fromisoformat(transferred["month"] + "-28") + dt.timedelta(days=4)).replace(day=1) \
        - dt.timedelta(days=1)
    paid = dt.date.fromisoformat(transferred["transfer"]["date"])
    assert 15 <= (paid - last_day).days <= 20   # NHSO transfers 15–20 days after the month's end
    last_month = (thai_today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assert waiting["month"] == last_month.strftime("%Y-%m")   # last month's: NHSO has not transferred it yet
    found = server_claims(trained.engine)
    for row in rows:
        listed = {x["claim_id"] for x in row["body"]["lines"]}
        assert listed == {c.id for sid, c in found if sid == row["id"]} and listed
        assert all(c.state is S.IN_TRANSFER for sid, c in found if sid == row["id"])
        tampered = {**row, "body": {**row["body"], "total": "999999.00"}}
        assert not verify(tampered, key)
    assert base64.b64decode(rows[0]["signature"])


def test_lgo_central_training_again_leaves_the_training_claims_as_they_are(trained):
    from server.cli import main
    before = [(sid, c) for sid, c in server_claims(trained.engine)]
    assert main(["--db", trained.db, "training"]) == 0
    assert server_claims(trained.engine) == before


def test_the_finance_officers_pc_follows_the_training_claims_into_the_desks_views(trained, tmp_path):
    import hashlib

    from app import training
    from app.store import AttachmentStore, KeyStore, MemoryKeyring, RegisterStore, WorkingCopy
    from app.store.device import DeviceSigner
    from app.store.payments import PaymentStore
    from app.usecases import Desk
    from app.usecases.claims import View, claims_list
    from sync import enrolment
    from sync.client import CentralClient, SyncError
    from sync.engine import SyncEngine
    from sync.session import remember_officer

    _registrar, registry, finance = training.generate(staff=5).officers
    wc = WorkingCopy.open(tmp_path / "finance-pc", training.UNIT.code, KeyStore(MemoryKeyring()))
    client = CentralClient(trained.url, attempts=2)
    engine = SyncEngine(RegisterStore(wc), client, AttachmentStore(wc))
    # the finance officer's training account: the training password, their training card's ID
    tokens = client.login(finance.email, training.TRAINING_PASSWORD, load("finance").fields["cid"])
    remember_officer(engine.register, finance.email, training.TRAINING_PASSWORD, tokens.account)
    enrolment.enrol(client, DeviceSigner(wc), "training PC")
    report = engine.sync_once()
    assert not report.errors and report.payments >= 2

    desk = Desk.of(engine.register, finance)
    held = server_claims(trained.engine)
    server = {c.id: c for _sid, c in held}
    from server.db import payment_statements
    from sqlalchemy import select
    with trained.engine.connect() as conn:
        paid = {sid for (sid,) in conn.execute(select(payment_statements.c.id).where(
            payment_statements.c.transfer.isnot(None)))}
    views = {v: claims_list(desk, v) for v in View}
    assert {x.id: x.state for x in views[View.ALL]} == {i: c.state for i, c in server.items()}
    # with NHSO: waiting for its decision, or accepted and not yet paid; to repay: in a transfer NHSO has recorded
    with_nhso = {c.id for sid, c in held if c.state.value in ("submitted", "accepted", "partly_accepted")
                 or (c.state.value == "in_transfer" and sid not in paid)}
    to_repay = {c.id for sid, c in held if c.state.value == "in_transfer" and sid in paid}
    rejected = {c.id for _sid, c in held if c.state.value == "rejected"}
    for view, expected in ((View.AT_NHSO, with_nhso), (View.REJECTED, rejected), (View.TO_REPAY, to_repay)):
        assert expected and {x.id for x in views[view]} == expected
    assert views[View.TO_SUBMIT] == [] and views[View.EXPIRING] == []   # drafts exist only on a PC
    assert len(PaymentStore(wc).all()) == 2
    # every claim's evidence came down with the sync, whole: the desk's evidence panel has its pages
    from app.claims.evidence import page_count
    for claim in server.values():
        assert page_count(AttachmentStore(wc).get(claim.pages[0].sha256)) == len(claim.pages)
    # the evidence of every claim is there for the unit's finance officer to fetch, and for nobody else
    sha = next(iter(server.values())).pages[0].sha256
    assert hashlib.sha256(client.get_blob(sha)).hexdigest() == sha
    other = CentralClient(trained.url, attempts=2)
    other.login(registry.email, training.TRAINING_PASSWORD, registry.cid)
    with pytest.raises(SyncError) as refused:
        other.get_blob(sha)
    assert refused.value.status == 404 and refused.value.code == "blob.missing"


def test_a_training_server_made_before_the_training_claims_gets_them_once(tmp_path, monkeypatch):
    from server import training as server_training
    from server.db import make_engine, migrate
    engine = make_engine(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    migrate(engine)
    with monkeypatch.context() as mp:
        mp.setattr(server_training, "put_claims", lambda *a: [])   # as `lgo-central training` was before them
        assert server_training.ensure(engine, staff=30).made
    assert server_claims(engine) == []
    assert server_training.ensure(engine, staff=30) == server_training.Seeded(False)
    made = server_claims(engine)
    assert len(made) >= 6 and all((tmp_path / "blobs" / c.pages[0].sha256[:2] / c.pages[0].sha256).exists()
                                  for _sid, c in made)
    server_training.ensure(engine, staff=30)
    assert server_claims(engine) == made
    engine.dispose()
