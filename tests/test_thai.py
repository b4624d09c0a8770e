"""Thai text helpers: the forms officers read on every screen and document."""
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st
from pythainlp.util import bahttext

from app.thai import (
    PartialDate, ThaiDateError, baht_text, format_amount, format_date_long, format_date_short, parse_date_short, thai_digits,
)


@pytest.mark.parametrize("amount, words", [
    ("120", "หนึ่งร้อยยี่สิบบาทถ้วน"),
    ("0.75", "เจ็ดสิบห้าสตางค์"),
    ("0", "ศูนย์บาทถ้วน"),
    ("11.11", "สิบเอ็ดบาทสิบเอ็ดสตางค์"),
    ("1.01", "หนึ่งบาทหนึ่งสตางค์"),
    ("11", "สิบเอ็ดบาทถ้วน"),
    ("21", "ยี่สิบเอ็ดบาทถ้วน"),
    ("101", "หนึ่งร้อยเอ็ดบาทถ้วน"),
    ("201", "สองร้อยเอ็ดบาทถ้วน"),
    ("1101", "หนึ่งพันหนึ่งร้อยเอ็ดบาทถ้วน"),
    ("1000000", "หนึ่งล้านบาทถ้วน"),
    # a 1 in the ones is เอ็ด after the millions too (the foundation issue's "ล้านหนึ่ง" was wrong)
    ("1,000,001", "หนึ่งล้านเอ็ดบาทถ้วน"),
    ("21,000,001", "ยี่สิบเอ็ดล้านเอ็ดบาทถ้วน"),
    ("51,000,001", "ห้าสิบเอ็ดล้านเอ็ดบาทถ้วน"),
    ("11000000", "สิบเอ็ดล้านบาทถ้วน"),
    ("5001000000", "ห้าพันเอ็ดล้านบาทถ้วน"),
    # ล้าน repeated from 10^12
    ("2000000000000", "สองล้านล้านบาทถ้วน"),
    ("1000000000001", "หนึ่งล้านล้านเอ็ดบาทถ้วน"),
    ("1000001000000", "หนึ่งล้านเอ็ดล้านบาทถ้วน"),
    ("10.20", "สิบบาทยี่สิบสตางค์"),
    ("3500.50", "สามพันห้าร้อยบาทห้าสิบสตางค์"),
])
def test_baht_text_reads_amounts_as_excel_bahttext_does(amount, words):
    assert baht_text(amount) == words


@pytest.mark.parametrize("amount, words", [
    ("0.01", "หนึ่งสตางค์"),
    ("0.10", "สิบสตางค์"),
    ("0.11", "สิบเอ็ดสตางค์"),
    ("0.21", "ยี่สิบเอ็ดสตางค์"),
    ("0.99", "เก้าสิบเก้าสตางค์"),
    ("0.005", "หนึ่งสตางค์"),
    ("0.004", "ศูนย์บาทถ้วน"),
])
def test_below_one_baht_only_the_satang_are_written_as_bahttext_does(amount, words):
    """Excel's BAHTTEXT(0.01) is หนึ่งสตางค์ (DESIGN.md); pythainlp writes ศูนย์บาทหนึ่งสตางค์, so these amounts are
    checked against fixed vectors and left out of the differential test below."""
    assert baht_text(amount) == words


# Amounts in satang: anything from 1 baht to 10^13 baht, and amounts built from six-digit groups that are
# often 0, 1, 11, 101, 1001 … (1,000,001 and its kin, where the เอ็ด rules bite) — uniform draws almost never are.
_GROUP = st.one_of(st.sampled_from([0, 1, 10, 11, 20, 21, 100, 101, 111, 1000, 1001, 10001, 100001]),
                   st.integers(0, 999_999))
_SATANG = st.one_of(
    st.integers(100, 10**15),
    st.builds(lambda top, mid, low, satang: ((top * 10**6 + mid) * 10**6 + low) * 100 + satang,
              st.integers(0, 10), _GROUP, _GROUP, st.integers(0, 99)).filter(lambda n: 100 <= n <= 10**15),
)


def _pythainlp_disagrees_with_excel(baht: int) -> bool:
    """pythainlp writes a 1 in the ones of the *millions* as หนึ่ง after higher millions (1,000,001,000,000 →
    หนึ่งล้านหนึ่งล้าน); BAHTTEXT writes เอ็ด there, as it does for the ones of the baht (see the test's docstring)."""
    return baht >= 10**12 and (baht // 10**6) % 10**6 == 1


@settings(max_examples=400, deadline=None)
@given(_SATANG)
def test_baht_text_agrees_with_pythainlp_from_one_baht_to_ten_trillion(satang):
    """Differential test against an independent implementation (pythainlp.util.bahttext, which its authors
    describe as working like Excel's BAHTTEXT) over random amounts with two decimals, 1 … 10^13 baht.

    Where the two differ, and who is right (per Excel's BAHTTEXT), found by running both over ~700,000 amounts:
    - below one baht: pythainlp writes ศูนย์บาท…สตางค์, Excel only the satang (หนึ่งสตางค์). Excluded here;
      fixed Excel vectors above.
    - the only other difference: a 1 in the ones of the millions after higher millions (amounts ≥ 10^12 whose
      millions end in 000001). pythainlp: หนึ่งล้านหนึ่งล้าน; we write หนึ่งล้านเอ็ดล้าน. Excel is reported to
      write เอ็ด there: a spreadsheet engine's test "measured" against Excel has BAHTTEXT(1000001000000) =
      หนึ่งล้านเอ็ดล้านบาทถ้วน; the Royal Institute's answer quoted in greatfriends/ThaiBahtText#22 is "use เอ็ด
      for the ones and for the ones of the millions, in every case"; and greatfriends/ThaiBahtText#14 lists
      the Excel forms 201 สองร้อยเอ็ด, 2001 สองพันเอ็ด and 5,001,000,000 ห้าพันเอ็ดล้าน. pythainlp itself applies
      the same rule to the baht's ones across ล้าน (1,000,001 → หนึ่งล้านเอ็ด), just not to the millions' ones.
      Not confirmed on a running Excel here: check =BAHTTEXT(1000001000000) on one when at hand.
    - not Excel: Google Sheets' BAHTTEXT (and, by the libnumbertext maintainers' account in
      Numbertext/libnumbertext#65, OpenOffice's) writes เอ็ด only after a ten: jojoee/bahttext's vectors
      "imported from Google Sheet" have 201 → สองร้อยหนึ่ง and 51,000,001 → ห้าสิบเอ็ดล้านหนึ่ง. The foundation
      issue's "ล้านหนึ่ง" vector has that form; the finance offices check against Excel.
    """
    amount = Decimal(satang).scaleb(-2)
    ours, theirs = baht_text(amount), bahttext(float(amount))
    if _pythainlp_disagrees_with_excel(int(amount)):
        # the millions' ones stand just before the last ล้าน: BAHTTEXT's เอ็ด where pythainlp has หนึ่ง
        at = theirs.rindex("หนึ่งล้าน")
        theirs = theirs[:at] + "เอ็ดล้าน" + theirs[at + len("หนึ่งล้าน"):]
    assert ours == theirs, (str(amount), ours, theirs)


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
