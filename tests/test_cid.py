"""The 13-digit citizen ID."""
import pytest
from hypothesis import given, strategies as st

from app import cid
from app.errors import Refusal


def test_a_known_valid_id_passes_and_is_normalised_from_card_grouping_and_thai_digits():
    assert cid.validate("1-1017-00203-45-1") == "1101700203451"
    assert cid.validate("๑๑๐๑๗๐๐๒๐๓๔๕๑") == "1101700203451"


@pytest.mark.parametrize("text, code", [
    ("", "cid.empty"),
    ("110170020345", "cid.length"),
    ("11017002034x1", "cid.not_digits"),
    ("1101700203452", "cid.checksum"),
])
def test_bad_ids_are_refused_with_a_reason(text, code):
    with pytest.raises(Refusal) as e:
        cid.validate(text)
    assert e.value.code == code
    assert e.value.th  # a Thai message for the officer


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(0, 9))
def test_exactly_one_check_digit_makes_an_id_valid(first12, last):
    full = first12 + str(last)
    assert cid.is_valid(full) == (last == cid.check_digit(first12))
