"""The Thai ID card's bytes, parsed: edge cases from fixtures, and arbitrary bytes never crash."""
import pytest
from hypothesis import given, settings, strategies as st

from card import thaiid
from card.reader import CardError, ThaiIdReader
from card.emulator import VirtualCard

BASE = {
    "version": "0003", "cid": "3100600445635", "name_th": "นาย#สมชาย##ใจดี", "name_en": "Mr.#Somchai##Jaidee",
    "birth": "25230515", "sex": "1", "request_no": "1234-56-789", "issuer": "อำเภอเมืองขอนแก่น",
    "issuer_code": "4001", "issued": "25650101", "expires": "25740101", "card_type": "01",
    "address": "99/1#หมู่ที่ 5###ตำบลในเมือง#อำเภอเมืองขอนแก่น#จังหวัดขอนแก่น",
}
JPEG = b"\xff\xd8\xff\xe0" + b"\x10\x20" * 700 + b"\xff\xd9"


class Loopback:
    """A transport straight into the emulator's APDU handler (no PC/SC): for parser tests only."""

    def __init__(self, card):
        self.card = card

    def transmit(self, apdu):
        r = self.card.process(bytes(apdu))
        return list(r[:-2]), r[-2], r[-1]


def read(fields=None, photo=JPEG, atr="3b68"):
    card = VirtualCard(thaiid.build_image({**BASE, **(fields or {})}, photo), "1234", atr)
    reader = ThaiIdReader(Loopback(card), card.atr)
    return reader.read_card(), reader


def test_partial_birth_dates_stay_partial():
    card, _ = read({"birth": "25300000"})
    assert (card.birth.year, card.birth.month, card.birth.day) == (1987, 0, 0)
    card, _ = read({"birth": "25301100"})
    assert card.birth.format_th() == "พฤศจิกายน 2530"


def test_lifelong_card_has_no_expiry():
    card, _ = read({"expires": "99999999"})
    assert card.lifelong and card.to_json()["expires"] is None


def test_empty_middle_name_and_english_middle_name():
    card, _ = read({"name_en": "Mrs.#Naphatsorn#Lee#Kaewmanee"})
    assert card.name_th.middle == "" and card.name_th.full == "สมชาย ใจดี"
    assert card.name_en == thaiid.Name("Mrs.", "Naphatsorn", "Lee", "Kaewmanee")


def test_bangkok_address_is_split_by_its_own_keywords_and_kept_raw():
    raw = "88/12#หมู่ที่ 3#ตรอกวัดโพธิ์#ซอยสุขุมวิท 11#ถนนสุขุมวิท#แขวงคลองเตยเหนือ#เขตวัฒนา#กรุงเทพมหานคร"
    card, _ = read({"address": raw})
    a = card.address
    assert a.raw == raw
    assert (a.house_no, a.moo, a.trok, a.soi, a.road) == ("88/12", "3", "วัดโพธิ์", "สุขุมวิท 11", "สุขุมวิท")
    assert (a.subdistrict, a.district, a.province) == ("คลองเตยเหนือ", "วัฒนา", "กรุงเทพมหานคร")


def test_provincial_address():
    card, _ = read()
    a = card.address
    assert (a.house_no, a.moo, a.subdistrict, a.district, a.province) == (
        "99/1", "5", "ในเมือง", "เมืองขอนแก่น", "ขอนแก่น")
    assert a.text == "99/1 หมู่ที่ 5 ตำบลในเมือง อำเภอเมืองขอนแก่น จังหวัดขอนแก่น"


def test_jpeg_with_space_bytes_at_chunk_edges_is_kept_whole():
    # 0x20 (a space) falls at the end of a 255-byte chunk and at the start of the next one
    body = bytearray(b"\x11" * 1200)
    for edge in (255 - 4, 255 - 4 + 1, 510 - 4, 510 - 3):
        body[edge] = 0x20
    photo = b"\xff\xd8\xff\xe0" + bytes(body) + b"  \xff\xd9"
    card, _ = read(photo=photo)
    assert card.photo == photo


def test_a_card_that_states_no_photo_length_is_cut_at_the_jpeg_end():
    image = thaiid.build_image(BASE, JPEG)
    image[0x0179:0x017B] = b"\x00\x00"
    card = VirtualCard(image, "1234")
    got = ThaiIdReader(Loopback(card), card.atr).read_card()
    assert got.photo == JPEG


def test_old_card_generation_is_refused_in_thai():
    with pytest.raises(thaiid.UnsupportedCardVersion, match="ยังไม่รองรับ"):
        read({"version": "0002"})


def test_an_undecodable_byte_is_an_error_that_names_the_field():
    image = thaiid.build_image(BASE, JPEG)
    image[0x0011 + 5] = 0xDB  # not a TIS-620 character
    card = VirtualCard(image, "1234")
    with pytest.raises(thaiid.CardDataError) as e:
        ThaiIdReader(Loopback(card), card.atr).read_card()
    assert e.value.field == "name_th" and "ชื่อภาษาไทย" in str(e.value) and "0xDB" in str(e.value)


def test_minimal_commands_and_the_3b67_get_response_variant():
    card, reader = read(atr="3b67")
    photo_reads = -(-len(JPEG) // 255)
    assert reader.stats.apdus == 1 + 2 * (2 + 1 + photo_reads)
    assert reader.get_response_p2 == 0x01
    assert card.cid == "3100600445635"


def test_text_arrives_before_the_photo_with_progress():
    seen = []
    card = VirtualCard(thaiid.build_image(BASE, JPEG), "1234")
    ThaiIdReader(Loopback(card), card.atr).read_card(
        on_text=lambda c: seen.append(("text", c.cid, len(c.photo))),
        on_photo_progress=lambda done, total: seen.append(("photo", done, total)))
    assert seen[0] == ("text", "3100600445635", 0)
    assert seen[-1] == ("photo", len(JPEG), len(JPEG))


class RawCard:
    """A card whose MOI file is arbitrary bytes."""

    def __init__(self, image: bytes):
        self.card = VirtualCard(image, "1234")

    def transmit(self, apdu):
        r = self.card.process(bytes(apdu))
        return list(r[:-2]), r[-2], r[-1]


FIELD_NAMES = sorted(thaiid.FIELDS)


@st.composite
def damaged_images(draw):
    """A good card image with arbitrary bytes written over some of its fields and photo."""
    image = thaiid.build_image(BASE, JPEG)
    for name in draw(st.lists(st.sampled_from(FIELD_NAMES), max_size=5, unique=True)):
        offset, length = thaiid.FIELDS[name]
        image[offset:offset + length] = draw(st.binary(min_size=length, max_size=length))
    if draw(st.booleans()):
        start = draw(st.integers(thaiid.PHOTO_OFFSET, thaiid.PHOTO_OFFSET + len(JPEG)))
        junk = draw(st.binary(min_size=1, max_size=64))
        image[start:start + len(junk)] = junk
    return bytes(image)


@settings(max_examples=200, deadline=None)
@given(damaged_images())
def test_arbitrary_card_bytes_never_crash_the_reader(image):
    try:
        card = ThaiIdReader(RawCard(image)).read_card()
    except (thaiid.CardDataError, CardError) as e:
        assert str(e)  # a clear Thai message, never a traceback
    else:
        assert len(card.cid) == 13 and card.cid.isdigit()
