"""PIN safety that does not need the whole stack: the policy for real cards, and no secret in any error."""
import logging

import pytest

from app import settings
from card.pcsc import PcscError
from card.pin import AdmPinVerifier, NeedsConfirmation, PinGuard, PinOutcome
from card.reader import CardError
from card.service import pin_check_allowed
from card.emulator import VirtualCard
from card import thaiid


def test_the_unconfirmed_pin_flow_is_off_for_real_cards_unless_it_says_so(tmp_path, monkeypatch):
    assert pin_check_allowed("Virtual PCD 00 00", on_real_cards=False)
    assert not pin_check_allowed("ACS ACR39U ICC Reader 00 00", on_real_cards=False)
    ini = tmp_path / "settings.ini"
    monkeypatch.setenv("LGO_MACHINE_SETTINGS", str(ini))
    assert settings.load().pin_on_real_cards is False
    ini.write_text("[card]\npin_on_real_cards = yes\n", encoding="utf-8")
    found = settings.load()
    assert found.pin_on_real_cards is True and found.central_server == settings.DEFAULT_SERVER
    assert pin_check_allowed("ACS ACR39U ICC Reader 00 00", found.pin_on_real_cards)


class Wire:
    """Straight into the emulator; optionally the link breaks on VERIFY."""

    def __init__(self, card, break_on_verify=False):
        self.card = card
        self.break_on_verify = break_on_verify
        self.sent = []

    def transmit(self, apdu):
        self.sent.append(bytes(apdu))
        if self.break_on_verify and apdu[:2] == [0x80, 0x20] and len(apdu) > 4:
            raise PcscError("ไม่มีบัตรในเครื่องอ่าน หรือบัตรถูกดึงออกระหว่างอ่าน", 0x80100069)
        r = self.card.process(bytes(apdu))
        return list(r[:-2]), r[-2], r[-1]


def card():
    return VirtualCard(thaiid.build_image({"version": "0003", "cid": "3100600445635"}, b""), "4321")


def test_no_pin_challenge_or_response_in_errors_or_logs(caplog):
    caplog.set_level(logging.DEBUG)
    wire = Wire(card(), break_on_verify=True)
    with pytest.raises(CardError) as e:
        PinGuard(AdmPinVerifier(wire)).verify("4321")
    verify = next(a for a in wire.sent if a[:2] == b"\x80\x20" and len(a) > 4)
    response_hex = verify[5:].hex()
    error = e.value
    texts = [str(error), repr(error), error.en, *map(str, error.args)]
    assert error.__cause__ is None and error.__suppress_context__
    for text in texts + [r.getMessage() for r in caplog.records]:
        assert "4321" not in text
        assert response_hex not in text.lower() and verify.hex() not in text.lower()


def test_the_guard_sends_at_most_one_verify_and_never_a_risky_one_unconfirmed():
    c = card()
    c.pin_state.consecutive_wrong = 2
    wire = Wire(c)
    guard = PinGuard(AdmPinVerifier(wire))
    assert guard.status().tries_left == 1
    with pytest.raises(NeedsConfirmation):
        guard.verify("0000")
    assert not [a for a in wire.sent if a[:2] == b"\x80\x20" and len(a) > 4]  # nothing sent
    result = guard.verify("4321", confirmed_risk=True)
    assert result.outcome is PinOutcome.OK
    assert len([a for a in wire.sent if a[:2] == b"\x80\x20" and len(a) > 4]) == 1
