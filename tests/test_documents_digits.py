"""Thai digits and long dates of official documents, against pythainlp as an independent oracle."""
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from pythainlp.util import arabic_digit_to_thai_digit, thai_strftime

from app.thai import format_date_long, thai_digits, thai_digits_prose

_NO_LATIN = st.text(alphabet=st.sampled_from("0123456789 -/.,()กขคงจฉชซญดตถทนบปผพฟมยรลวศสหอฮะาิีึืุูเแโใไ่้๊๋ั็์ำๆ"),
                    max_size=40)


@given(_NO_LATIN)
def test_thai_digits_agree_with_pythainlp(text):
    assert thai_digits(text) == arabic_digit_to_thai_digit(text)
    assert thai_digits_prose(text) == arabic_digit_to_thai_digit(text)  # nothing Latin: every digit converts


@settings(max_examples=300)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_long_dates_agree_with_pythainlp(d):
    when = dt.datetime(d.year, d.month, d.day)
    assert format_date_long(d) == thai_strftime(when, "%-d %B %Y", thaidigit=True)
    assert format_date_long(d, digits="arabic") == thai_strftime(when, "%-d %B %Y")


def test_addresses_and_latin_words_keep_their_digits():
    text = "โทร. 0 4300 0000 ต่อ 12 อีเมล saraban7@nhso.go.th ดู www.nhso.go.th/page2 รหัส TRN0001 ข้อ 3."
    assert thai_digits_prose(text) == ("โทร. ๐ ๔๓๐๐ ๐๐๐๐ ต่อ ๑๒ อีเมล saraban7@nhso.go.th ดู www.nhso.go.th/page2 "
                                       "รหัส TRN0001 ข้อ ๓.")
    assert thai_digits_prose("๓๑ มกราคม 2569") == "๓๑ มกราคม ๒๕๖๙"
