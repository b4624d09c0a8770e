"""Offline log-in: only for who logged in online here recently, with the right password and their own card."""
import datetime as dt

import pytest

from app import offline
from app.errors import Refusal

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def remembered(wc):
    with wc.transaction() as conn:
        offline.remember(conn, "Mali.Srisuk@example.go.th", "Strong-Pass-2569", "9000000000039", "นางมาลี ศรีสุข",
                         "registry", "TRN0001", NOW)
    return wc


def test_an_officer_who_logged_in_online_recently_may_log_in_offline(remembered):
    acc = offline.offline_login(remembered.conn, "mali.srisuk@example.go.th", "Strong-Pass-2569", "9000000000039",
                                NOW + dt.timedelta(days=13))
    assert (acc.role, acc.unit_code) == ("registry", "TRN0001")


@pytest.mark.parametrize("username, password, cid, days, code", [
    ("nobody@example.go.th", "x", "9000000000039", 1, "offline.unknown"),
    ("mali.srisuk@example.go.th", "wrong", "9000000000039", 1, "offline.wrong"),
    ("mali.srisuk@example.go.th", "Strong-Pass-2569", "9000000000012", 1, "offline.card_mismatch"),
    ("mali.srisuk@example.go.th", "Strong-Pass-2569", "9000000000039", 15, "offline.too_long"),
])
def test_offline_log_in_is_refused_with_a_thai_reason(remembered, username, password, cid, days, code):
    with pytest.raises(Refusal) as e:
        offline.offline_login(remembered.conn, username, password, cid, NOW + dt.timedelta(days=days))
    assert e.value.code == code and e.value.th


def test_the_password_is_not_kept_in_clear(remembered):
    stored = remembered.conn.execute("SELECT password_hash FROM local_accounts").fetchone()[0]
    assert "Strong-Pass-2569" not in stored and stored.startswith("$argon2id$")
