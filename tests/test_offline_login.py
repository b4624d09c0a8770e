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


USER, PASSWORD = "mali.srisuk@example.go.th", "Strong-Pass-2569"


def card_of(conn) -> str:
    """The remembered officer's own card (the CID the online log-in kept)."""
    return conn.execute("SELECT cid FROM local_accounts WHERE username = ?", (USER,)).fetchone()[0]


def try_offline(conn, password="wrong", cid=None, at=NOW + dt.timedelta(days=1)):
    """One offline log-in try with the officer's own card (unless ``cid``); the refusal, or None when let in."""
    try:
        offline.offline_login(conn, USER, password, cid or card_of(conn), at)
    except Refusal as e:
        return e
    return None


def test_offline_log_in_has_the_servers_lock_out_numbers():
    from server import security
    assert (offline.MAX_FAILED, offline.LOCKOUT) == (security.MAX_FAILED, security.LOCKOUT)


def test_too_many_wrong_passwords_lock_offline_log_in_for_the_lock_out_time_with_a_thai_reason(remembered):
    at = NOW + dt.timedelta(days=1)
    codes = [try_offline(remembered.conn, at=at).code for _ in range(offline.MAX_FAILED)]
    assert codes == ["offline.wrong"] * (offline.MAX_FAILED - 1) + ["offline.locked"]
    locked = try_offline(remembered.conn, PASSWORD, at=at + dt.timedelta(minutes=1))  # even the right one
    assert locked.code == "offline.locked"
    assert "ระงับชั่วคราว" in locked.th and "อีก 15 นาที" in locked.th and "blocked" in locked.en
    assert try_offline(remembered.conn, PASSWORD, at=at + offline.LOCKOUT - dt.timedelta(seconds=1)
                       ).code == "offline.locked"
    assert try_offline(remembered.conn, PASSWORD, at=at + offline.LOCKOUT) is None  # the time is over


def test_someone_elses_card_counts_as_a_failed_try(remembered):
    from tests.builders import new_cid
    other = new_cid()
    assert other != card_of(remembered.conn)
    for _ in range(offline.MAX_FAILED - 1):
        assert try_offline(remembered.conn, PASSWORD, cid=other).code == "offline.card_mismatch"
    assert try_offline(remembered.conn).code == "offline.locked"


def test_the_right_password_resets_the_count(remembered):
    for _ in range(offline.MAX_FAILED - 1):
        assert try_offline(remembered.conn).code == "offline.wrong"
    assert try_offline(remembered.conn, PASSWORD) is None
    for _ in range(offline.MAX_FAILED - 1):
        assert try_offline(remembered.conn).code == "offline.wrong"
    assert try_offline(remembered.conn, PASSWORD) is None


def test_the_count_is_kept_in_the_encrypted_copy_across_a_restart_and_an_online_log_in_clears_a_lock(
        remembered, data_dir, keys):
    from app.store import WorkingCopy
    for _ in range(offline.MAX_FAILED - 1):
        try_offline(remembered.conn)
    remembered.close()  # the program is closed and opened again: the count is still there
    again = WorkingCopy.open(data_dir, "TRN0001", keys)
    try:
        assert try_offline(again.conn).code == "offline.locked"
        assert try_offline(again.conn, PASSWORD).code == "offline.locked"
        with again.transaction() as conn:  # back online: the server checked the password and the card
            offline.remember(conn, USER, PASSWORD, card_of(conn), "นางมาลี ศรีสุข", "registry", "TRN0001", NOW)
        assert try_offline(again.conn, PASSWORD) is None
    finally:
        again.close()


def test_wrong_passwords_tried_at_once_from_several_connections_are_all_counted(remembered, data_dir, keys):
    """Two copies of the program (or a script) guessing at once: each guess is counted once, none lost."""
    import threading

    from app.store import WorkingCopy
    remembered.close()
    copies = [WorkingCopy.open(data_dir, "TRN0001", keys) for _ in range(offline.MAX_FAILED)]
    start = threading.Barrier(len(copies))
    codes: list[str] = []

    def guess(copy) -> None:
        start.wait(timeout=30)
        codes.append(try_offline(copy.conn).code)

    threads = [threading.Thread(target=guess, args=(c,)) for c in copies]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(codes) == ["offline.locked"] + ["offline.wrong"] * (offline.MAX_FAILED - 1)
        assert try_offline(copies[0].conn, PASSWORD).code == "offline.locked"
    finally:
        for c in copies:
            c.close()
