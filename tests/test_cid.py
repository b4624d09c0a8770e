"""The 13-digit citizen ID: DOPA's rule, checked against an independent implementation (python-stdnum)."""
import pytest
from hypothesis import given, strategies as st
from stdnum.th import pin as stdnum_pin

from app import cid
from app.errors import Refusal

# 3100600445635: the worked example of ../shared/DESIGN.md and of python-stdnum's documentation;
# 1234545678781: python-stdnum's documented valid example. Neither is a person's number we know of.
PUBLISHED_VALID = ["3100600445635", "1234545678781"]


def test_the_worked_example_of_the_design():
    # d1×13 + d2×12 + … + d12×2 = 193; 193 mod 11 = 6; 11 − 6 = 5
    assert sum(int(d) * w for d, w in zip("310060044563", range(13, 1, -1))) == 193
    assert cid.check_digit("310060044563") == 5
    assert cid.validate("3-1006-00445-63-5") == "3100600445635"


@pytest.mark.parametrize("number", PUBLISHED_VALID)
def test_published_valid_ids_pass_here_and_in_the_oracle(number):
    assert stdnum_pin.is_valid(number)
    assert cid.is_valid(number)
    assert cid.validate(cid.format_cid(number)) == number


def test_a_valid_id_is_normalised_from_card_grouping_and_thai_digits():
    assert cid.validate("3-1006-00445-63-5") == "3100600445635"
    assert cid.validate("๓๑๐๐๖๐๐๔๔๕๖๓๕") == "3100600445635"
    assert cid.validate(" 3 1006 00445 63 5 ") == "3100600445635"


@pytest.mark.parametrize("text, code", [
    ("", "cid.empty"),
    ("310060044563", "cid.length"),
    ("31006004456x5", "cid.not_digits"),
    ("3100600445636", "cid.checksum"),
    # the suite's old "valid" example: right under the old 12…1 weights, wrong under DOPA's 13…2
    ("1101700203451", "cid.checksum"),
    ("0" + "100600445635", "cid.first_digit"),
    (cid.complete("010060044563"), "cid.first_digit"),   # a 0-number with a correct check digit
])
def test_bad_ids_are_refused_with_a_reason(text, code):
    with pytest.raises(Refusal) as e:
        cid.validate(text)
    assert e.value.code == code
    assert e.value.th and e.value.en  # Thai for the officer, English second


def test_a_first_digit_0_is_refused_in_thai_with_what_to_do():
    with pytest.raises(Refusal) as e:
        cid.validate(cid.complete("010060044563"))
    assert "ขึ้นต้นด้วย 0" in e.value.th and "กรุณาตรวจสอบ" in e.value.th


def test_training_ids_start_with_9_and_are_valid_with_their_check_digit():
    training = cid.complete("900000000001")
    assert training == "9000000000012"
    assert cid.is_valid(training) and cid.is_training(training)
    assert not stdnum_pin.is_valid(training)  # the oracle knows only the classes 1–8: 9 is ours
    assert not cid.is_valid("9000000000011")  # the old rule's training ID
    assert not cid.is_training("3100600445635")


@given(st.sampled_from("12345678"), st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_the_rule_agrees_with_python_stdnum_on_all_ten_completions(first, rest):
    """For a random 12-digit stem starting 1–8, exactly the completions stdnum accepts are accepted here."""
    stem = first + rest
    for last in "0123456789":
        number = stem + last
        assert cid.is_valid(number) == stdnum_pin.is_valid(number), number
    assert stdnum_pin.is_valid(cid.complete(stem))


@given(st.sampled_from("09"), st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_the_classes_stdnum_refuses_are_decided_here(first, rest):
    """0: always refused, whatever the check digit; 9 (training): exactly one completion is valid."""
    stem = first + rest
    valid = [last for last in "0123456789" if cid.is_valid(stem + last)]
    assert valid == ([] if first == "0" else [str(cid.check_digit(stem))])


@given(st.text(alphabet="0123456789", min_size=12, max_size=12).filter(lambda s: s[0] != "0"), st.integers(0, 9))
def test_exactly_one_check_digit_makes_an_id_valid(first12, last):
    full = first12 + str(last)
    assert cid.is_valid(full) == (last == cid.check_digit(first12))
