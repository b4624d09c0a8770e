"""The server counts Thai days: at one in the morning in Bangkok it is already the next day for the register (a
registration period closes, a receipt's year to claim ends), though UTC still says yesterday."""
import datetime as dt

from server import security


def test_the_servers_day_is_the_day_in_thailand(monkeypatch):
    one_am_in_bangkok = dt.datetime(2026, 11, 29, 18, 0, tzinfo=dt.timezone.utc)
    monkeypatch.setattr(security, "now", lambda: one_am_in_bangkok)
    assert security.today() == dt.date(2026, 11, 30)
    assert security.thai_day(dt.datetime(2026, 11, 29, 16, 59, tzinfo=dt.timezone.utc)) == dt.date(2026, 11, 29)
    assert security.thai_day(dt.datetime(2026, 11, 29, 17, 0, tzinfo=dt.timezone.utc)) == dt.date(2026, 11, 30)
