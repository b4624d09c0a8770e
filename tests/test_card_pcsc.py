"""The card through the real stack: pcscd, vsmartcard's virtual reader, the training-card emulator."""
from __future__ import annotations

import queue

import pytest

from card.emulator.profiles import load
from card.pin import NeedsConfirmation, PinOutcome
from card.reader import CardError
from card.service import CardService

R0, R1 = "Virtual PCD 00 00", "Virtual PCD 00 01"


class Events:
    def __init__(self):
        self.q = queue.Queue()

    def __call__(self, event):
        self.q.put(event)

    def wait_for(self, kind, reader="", timeout=10.0):
        while True:
            e = self.q.get(timeout=timeout)
            if e.kind == kind and (not reader or e.reader == reader):
                return e


@pytest.fixture
def service(pcscd):
    events = Events()
    svc = CardService(events, poll_ms=200)
    svc.start()
    events.wait_for("readers")
    yield svc, events
    svc.stop()


def test_insert_read_remove_through_pcscd(service, slots):
    svc, events = service
    profile = load("registry")
    slots[0].insert(profile.card())
    e = events.wait_for("inserted", R0)
    assert e.atr.hex().upper().startswith("3B68")
    texts = []
    card = svc.read_card(R0, on_text=lambda c: texts.append(c.name_th.full)).result(10)
    assert card.cid == profile.fields["cid"]
    assert card.name_th.full == "มาลี ศรีสุข" and texts == ["มาลี ศรีสุข"]
    assert card.photo == profile.photo
    slots[0].remove()
    events.wait_for("removed", R0)


def test_two_readers_hold_two_cards(service, slots):
    svc, events = service
    slots[0].insert(load("registrar").card())
    slots[1].insert(load("bangkok").card())
    events.wait_for("inserted", R0)
    events.wait_for("inserted", R1)
    a = svc.read_card(R0).result(10)
    b = svc.read_card(R1).result(10)
    assert a.name_th.first == "ประเสริฐ"
    assert b.address.province == "กรุงเทพมหานคร" and b.address.district == "วัฒนา"


def test_a_card_pulled_out_mid_read_gives_a_clear_error_and_no_record(service, slots):
    svc, events = service
    slots[0].insert(load("finance").card())
    events.wait_for("inserted", R0)

    def pull(done, total):
        if done > total // 3:
            slots[0].remove()

    future = svc.read_card(R0, on_photo_progress=pull)
    with pytest.raises(CardError) as e:
        future.result(10)
    assert "ดึงออกระหว่างอ่าน" in str(e.value) or "ไม่ครบ" in str(e.value)
    events.wait_for("removed", R0)


def test_pin_right_wrong_tries_lock_and_dead(service, slots):
    svc, events = service
    card = load("registrar").card()
    slots[0].insert(card)
    events.wait_for("inserted", R0)
    assert svc.pin_status(R0).result(10).tries_left == 3
    assert svc.verify_pin(R0, "1234").result(10).outcome is PinOutcome.OK
    wrong = svc.verify_pin(R0, "0000").result(10)
    assert (wrong.outcome, wrong.tries_left) == (PinOutcome.WRONG, 2) and "เหลือโอกาสอีก 2 ครั้ง" in wrong.message
    assert svc.verify_pin(R0, "0000").result(10).tries_left == 1
    # The next wrong PIN would lock the card: never sent without the officer's confirmation.
    with pytest.raises(NeedsConfirmation) as e:
        svc.verify_pin(R0, "0000").result(10)
    assert "บัตรประจำตัวประชาชนของท่านจะถูกล็อก" in str(e.value)
    assert card.pin_state.consecutive_wrong == 2  # nothing was spent
    locked = svc.verify_pin(R0, "0000", confirmed_risk=True).result(10)
    assert locked.outcome is PinOutcome.LOCKED and "ที่ว่าการอำเภอ" in locked.message
    assert svc.pin_status(R0).result(10).outcome is PinOutcome.LOCKED
    assert svc.verify_pin(R0, "1234", confirmed_risk=True).result(10).outcome is PinOutcome.LOCKED
    card.unlock_at_district_office()
    assert svc.verify_pin(R0, "9999").result(10).tries_left == 2  # 4 wrong in all
    dead = svc.verify_pin(R0, "9999").result(10)                  # the 5th: the card is finished
    assert dead.outcome is PinOutcome.DEAD and "ต้องทำบัตรใหม่" in dead.message
    assert svc.pin_status(R0).result(10).outcome is PinOutcome.DEAD


def test_a_pin_that_is_not_four_digits_is_refused_before_reaching_the_card(service, slots):
    svc, events = service
    card = load("registry").card()
    slots[0].insert(card)
    events.wait_for("inserted", R0)
    with pytest.raises(CardError, match="ตัวเลข 4 หลัก"):
        svc.verify_pin(R0, "12a4").result(10)
    assert card.pin_state.consecutive_wrong == 0


def test_the_service_survives_the_smart_card_service_stopping_and_coming_back(pcscd, slots):
    events = Events()
    svc = CardService(events, poll_ms=200)
    svc.start()
    try:
        events.wait_for("readers")
        pcscd.stop()
        down = events.wait_for("service_down")
        assert "บริการเครื่องอ่านบัตร" in down.message or "ไม่พบเครื่องอ่านบัตร" in down.message
        pcscd.start()
        events.wait_for("service_up", timeout=20)
        slots[0].insert(load("staff1").card())
        events.wait_for("inserted", R0, timeout=20)
        assert svc.read_card(R0).result(10).name_en.first == load("staff1").fields["name_en"].split("#")[1]
    finally:
        svc.stop()


def test_another_program_holding_the_reader_does_not_break_us(service, slots):
    from card.pcsc import Context
    svc, events = service
    slots[0].insert(load("staff2").card())
    events.wait_for("inserted", R0)
    other = Context()  # a second program with its own SHARED connection open
    try:
        with other.connect(R0):
            card = svc.read_card(R0).result(10)
    finally:
        other.close()
    assert card.name_en.middle == "Lee"


def test_support_cli_reads_the_card_as_json(slots, tmp_path):
    import json
    import subprocess
    import sys
    slots[0].insert(load("elder").card())
    photo = tmp_path / "photo.jpg"
    out = subprocess.run([sys.executable, "-m", "card.cli", "read", "--json", "--photo", str(photo)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["expires"] is None and data["birth"].endswith("-00-00")
    assert photo.read_bytes() == load("elder").photo
    listed = subprocess.run([sys.executable, "-m", "card.cli", "readers"], capture_output=True, text=True)
    assert "Virtual PCD 00 00" in listed.stdout
