"""The official letter, read back with poppler as a reader would: Thai text in logical order, lines broken
between words only, Sarabun embedded as a subset, page numbers from page 2, Thai digits, the emblem."""
import dataclasses
import datetime as dt
import io
import re

import pytest

from app.documents import Contact, Letter, Table, check_emblem, letter_pdf, write_file
from app.documents.samples import sample_letter
from app.documents.tables import cell_text
from app.errors import Refusal
from app.thai import thai_digits_prose

from .pdfcheck import fonts, line_breaks, mid_word_breaks, page_texts, pages, run, squeeze

SHAPING = ("ปู่ย่าตายายของผู้มีสิทธิ์ได้รับน้ำดื่มที่สะอาด ญาติผู้ใหญ่ที่กตัญญูต่อฐานะ ทำคุณประโยชน์แก่ฤๅษี "
           "ผู้ป่วยในต้องได้รับการรักษาพยาบาลที่ปลอดภัย และเจ้าหน้าที่ทะเบียนปั้นน้ำใจให้แก่กันเสมอ ") * 3


@pytest.fixture(scope="module")
def letter() -> Letter:
    base = sample_letter()
    return dataclasses.replace(base, body=[*base.body[:2], SHAPING, *base.body[2:]])


@pytest.fixture(scope="module")
def pdf(letter, tmp_path_factory):
    return write_file(tmp_path_factory.mktemp("letter") / "letter.pdf", letter_pdf(letter))


def _strings(letter: Letter) -> list[str]:
    """Every piece of Thai the letter was given, as it should read (Thai digits applied)."""
    th = thai_digits_prose
    out = [th(letter.unit), *th(letter.address).split("\n"), th(letter.reference), th(letter.subject), th(letter.to),
           th(letter.signer_name), *th(letter.signer_position).split("\n"), letter.closing,
           th(letter.contact.section), *[th(e) for e in letter.enclosures]]
    for item in letter.body:
        if isinstance(item, Table):
            out += [cell_text(c, v, True) for row in item.rows for c, v in zip(item.columns, row)]
            out += [c.title for c in item.columns]
        else:
            out.append(th(item))
    return [s for s in out if s]


def test_every_thai_string_reads_back_in_logical_order(letter, pdf):
    text = squeeze("".join(page_texts(pdf)))
    missing = [s for s in _strings(letter) if squeeze(s) not in text]
    assert missing == []
    assert "๓๑มกราคม๒๕๖๙" in text


def test_no_line_of_the_body_ends_inside_a_word(letter, pdf):
    lines = [line for page in page_texts(pdf) for line in page.splitlines()]
    checked = 0
    for item in letter.body:
        if isinstance(item, Table):
            continue
        paragraph = thai_digits_prose(item)
        breaks = line_breaks(paragraph, lines)
        assert breaks is not None, f"paragraph not found line by line: {paragraph[:40]}"
        assert mid_word_breaks(paragraph, breaks) == []
        checked += len(breaks)
    assert checked >= 8  # the body really was broken over lines, and each break was checked


def test_the_break_check_sees_a_word_cut_in_two():
    paragraph = "ขอสิทธิเข้าใช้งานระบบทะเบียนบุคลากร"
    assert mid_word_breaks(paragraph, [paragraph.index("ธิ")]) == ["ขอสิท|ธิเข้าใช"]
    assert mid_word_breaks(paragraph, [paragraph.index("เข้า")]) == []
    assert line_breaks(paragraph, ["xx", "ขอสิทธิเข้า", "ใช้งานระบบ", "ทะเบียนบุคลากร"]) == [11, 21]


def test_sarabun_is_embedded_as_a_subset_and_nothing_else(pdf):
    listed = fonts(pdf)
    assert listed, "no fonts at all"
    assert all("Sarabun" in f["name"] and f["emb"] == "yes" and f["sub"] == "yes" and f["uni"] == "yes"
               for f in listed), listed


def test_page_numbers_from_the_second_page_and_the_parts_in_their_places(letter, pdf):
    texts = page_texts(pdf)
    assert len(texts) == pages(pdf) == 2
    assert "- ๑ -" not in texts[0] and "-๑-" not in squeeze(texts[0])
    assert texts[1].strip().splitlines()[0].strip() == "- ๒ -"
    first = squeeze(texts[0])
    assert first.index("ที่ขก") < first.index("เรื่อง") < first.index("เรียน") < first.index("สิ่งที่ส่งมาด้วย")
    last = squeeze(texts[-1])
    assert last.index("ขอแสดงความนับถือ") < last.index("(นายประเสริฐทองดี)") < last.index("สำนักปลัด")
    assert "ไปรษณีย์อิเล็กทรอนิกส์saraban@banfukhad.example.go.th" in last
    # the officers' table, its header again on page 2, CIDs grouped 1-2345-67890-12-3 in Thai digits
    assert "๙-๐๐๐๐-๐๐๐๐๐-๐๑" in first
    assert squeeze("ลำดับ ชื่อ–สกุล") in squeeze(texts[1])


def test_thai_digits_throughout_unless_turned_off(letter):
    outside_addresses = re.compile(r"[0-9]")
    text_on = " ".join(page_texts(_write(letter)))
    words_on = [w for w in text_on.split() if not re.search(r"[A-Za-z@]", w)]
    assert not [w for w in words_on if outside_addresses.search(w)]
    assert re.search("[๐-๙]", text_on)
    text_off = " ".join(page_texts(_write(dataclasses.replace(letter, thai_digits=False))))
    assert not re.search("[๐-๙]", text_off)
    assert "31 มกราคม 2569" in text_off and "9-0000-00000-01" in text_off


def _write(letter: Letter, name: str = "x.pdf"):
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())
    return write_file(folder / name, letter_pdf(letter))


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (120, 150), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_the_units_emblem_is_drawn_3_cm_high_centred_over_the_text(letter):
    pdf = _write(dataclasses.replace(letter, emblem=_png()))
    images = run("pdfimages", "-list", "-f", "1", "-l", "1", str(pdf)).splitlines()[2:]
    assert len(images) == 1
    info = run("pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-")
    assert "ที่" in info  # the page still has its text
    # 3 cm at 72 dpi is 85 points: the image's ppi is its pixel height over 3 cm
    ppi = int(images[0].split()[12])
    assert abs(ppi - round(150 / (3 / 2.54))) <= 1


@pytest.mark.parametrize("data", [b"not an image at all", b"%PDF-1.7\n...", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_an_emblem_that_is_not_an_image_is_refused_in_thai(letter, data):
    with pytest.raises(Refusal) as e:
        letter_pdf(dataclasses.replace(letter, emblem=data))
    assert e.value.code == "documents.emblem_not_image"
    assert "PNG หรือ JPEG" in str(e.value) and "ข้อมูลหน่วยงาน" in str(e.value)
    with pytest.raises(Refusal):
        check_emblem(data)
    check_emblem(_png())  # a real image passes


def test_a_letter_without_a_subject_or_signer_is_refused_in_thai(letter):
    with pytest.raises(Refusal) as e:
        letter_pdf(dataclasses.replace(letter, subject="  "))
    assert "เรื่อง" in str(e.value) and "กรุณากรอก" in str(e.value)
    with pytest.raises(Refusal) as e:
        letter_pdf(dataclasses.replace(letter, signer_name=""))
    assert "ชื่อผู้ลงนาม" in str(e.value)


def test_a_short_letter_is_one_page_with_no_page_number_and_no_table():
    short = Letter(unit="สำนักงานเทศบาลเมืองกชค", address="ถนนมิตรภาพ อำเภอเมืองขอนแก่น จังหวัดขอนแก่น 40000",
                   reference="ขก 52101/45", date=dt.date(2026, 3, 14), subject="ขอแจ้งเปลี่ยนแปลงบทบาทผู้ใช้งาน",
                   to="เลขาธิการสำนักงานหลักประกันสุขภาพแห่งชาติ",
                   body=["ด้วยหน่วยงานขอเปลี่ยนบทบาท", "จึงเรียนมาเพื่อโปรดทราบ"],
                   signer_name="นางมาลี ศรีสุข", signer_position="ปลัดเทศบาล",
                   contact=Contact("กองการเจ้าหน้าที่", phone="0 4322 1234"), refs=["หนังสือ สปสช. ที่ 2.56/0303"])
    pdf = _write(short)
    texts = page_texts(pdf)
    assert len(texts) == 1 and "- ๑ -" not in texts[0]
    flat = squeeze(texts[0])
    assert "๑๔มีนาคม๒๕๖๙" in flat and "อ้างถึงหนังสือสปสช.ที่๒.๕๖/๐๓๐๓" in flat and "โทร.๐๔๓๒๒๑๒๓๔" in flat
