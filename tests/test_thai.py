"""Thai text helpers: the forms officers read on every screen and document."""
import datetime as dt
from decimal import Decimal

import pytest

from app.thai import (
    PartialDate, ThaiDateError, baht_text, format_amount, format_date_long, format_date_short, parse_date_short, thai_digits,
)


@pytest.mark.parametrize("amount, words", [
    ("120", "หนึ่งร้อยยี่สิบบาทถ้วน"),
    ("0.75", "เจ็ดสิบห้าสตางค์"),
    ("0", "ศูนย์บาทถ้วน"),
    ("51,000,001", "ห้าสิบเอ็ดล้านหนึ่งบาทถ้วน"),
    ("11.11", "สิบเอ็ดบาทสิบเอ็ดสตางค์"),
    ("1.01", "หนึ่งบาทหนึ่งสตางค์"),
    ("21", "ยี่สิบเอ็ดบาทถ้วน"),
    ("101", "หนึ่งร้อยเอ็ดบาทถ้วน"),
    ("1000000", "หนึ่งล้านบาทถ้วน"),
    ("2000000000000", "สองล้านล้านบาทถ้วน"),
    ("10.20", "สิบบาทยี่สิบสตางค์"),
    ("3500.50", "สามพันห้าร้อยบาทห้าสิบสตางค์"),
])
def test_baht_text_reads_amounts_as_written_on_receipts(amount, words):
    assert baht_text(amount) == words


def test_baht_text_rounds_satang_half_up_and_refuses_floats_and_garbage():
    assert baht_text(Decimal("0.745")) == "เจ็ดสิบห้าสตางค์"
    with pytest.raises(TypeError):
        baht_text(1.5)
    with pytest.raises(ValueError, match="ไม่ใช่จำนวนเงิน"):
        baht_text("abc")


def test_official_date_uses_thai_digits_and_buddhist_era():
    assert format_date_long(dt.date(2026, 1, 31)) == "๓๑ มกราคม ๒๕๖๙"
    assert format_date_short(dt.date(2026, 1, 31)) == "31/01/2569"
    assert thai_digits("2569") == "๒๕๖๙"


def test_typed_dates_are_read_in_buddhist_era_with_thai_digits_and_refused_clearly():
    assert parse_date_short("31/01/2569") == dt.date(2026, 1, 31)
    assert parse_date_short("๓๑/๐๑/๒๕๖๙") == dt.date(2026, 1, 31)
    with pytest.raises(ThaiDateError, match="พ.ศ."):
        parse_date_short("31/01/2026")
    with pytest.raises(ThaiDateError, match="ไม่มีวันที่"):
        parse_date_short("30/02/2569")
    with pytest.raises(ThaiDateError, match="วว/ดด/ปปปป"):
        parse_date_short("พรุ่งนี้")


def test_card_birth_dates_with_unknown_month_or_day_are_kept_partial():
    d = PartialDate.from_be_digits("25300000")
    assert (d.year, d.month, d.day) == (1987, 0, 0)
    assert d.earliest() == dt.date(1987, 1, 1) and d.latest() == dt.date(1987, 12, 31)
    m = PartialDate.from_be_digits("25310200")
    assert m.earliest() == dt.date(1988, 2, 1) and m.latest() == dt.date(1988, 2, 29)
    assert m.format_th() == "กุมภาพันธ์ 2531"
    assert PartialDate.from_iso(m.iso()) == m


def test_amounts_are_printed_with_separators_and_two_decimals_beside_their_words():
    assert format_amount("51000001") == "51,000,001.00"
    assert format_amount(Decimal("0.75")) == "0.75"
