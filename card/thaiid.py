"""The Thai national ID card's data: where each field lives in the MOI applet, and how to read it.

Pure functions over bytes — no PC/SC here — so the parser can be tested from fixtures and the
emulator can build card images from the same table. Text is TIS-620, decoded as cp874 *strictly*:
a byte that does not decode is an error naming the field, never a silently dropped letter.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from app.thai import PartialDate

MOI_AID = bytes.fromhex("A000000054480001")
SUPPORTED_VERSION = "0003"

# name: (offset, length)
FIELDS: dict[str, tuple[int, int]] = {
    "version": (0x0000, 4),
    "cid": (0x0004, 13),
    "name_th": (0x0011, 100),
    "name_en": (0x0075, 100),
    "birth": (0x00D9, 8),
    "sex": (0x00E1, 1),
    "request_no": (0x00E2, 20),
    "issuer": (0x00F6, 100),
    "issuer_code": (0x015A, 13),
    "issued": (0x0167, 8),
    "expires": (0x016F, 8),
    "card_type": (0x0177, 2),
    "photo_length": (0x0179, 2),
    "address": (0x1579, 160),
}
TEXT_BLOCK = (0x0000, 0x017B)          # version … photo length: read together
PHOTO_OFFSET = 0x017B
PHOTO_AREA = 5118                      # up to the address
ADDRESS = FIELDS["address"]
JPEG_END = b"\xff\xd9"

FIELD_TH = {
    "version": "รุ่นของบัตร", "cid": "เลขประจำตัวประชาชน", "name_th": "ชื่อภาษาไทย", "name_en": "ชื่อภาษาอังกฤษ",
    "birth": "วันเกิด", "sex": "เพศ", "request_no": "เลขคำขอ", "issuer": "สถานที่ออกบัตร",
    "issuer_code": "รหัสผู้ออกบัตร", "issued": "วันออกบัตร", "expires": "วันบัตรหมดอายุ", "card_type": "ประเภทบัตร",
    "photo_length": "ขนาดรูปถ่าย", "address": "ที่อยู่", "photo": "รูปถ่าย",
}


class CardDataError(ValueError):
    """The card's bytes cannot be read as a Thai ID card; ``str()`` is Thai and names the field."""

    def __init__(self, field_name: str, th: str, en: str) -> None:
        super().__init__(f"{FIELD_TH.get(field_name, field_name)}: {th}")
        self.field = field_name
        self.en = en


class UnsupportedCardVersion(CardDataError):
    pass


@dataclass(frozen=True)
class Name:
    prefix: str = ""
    first: str = ""
    middle: str = ""
    last: str = ""

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.first, self.middle, self.last) if p)


@dataclass
class Address:
    raw: str
    house_no: str = ""
    moo: str = ""          # หมู่ที่
    trok: str = ""         # ตรอก
    soi: str = ""          # ซอย
    road: str = ""         # ถนน
    subdistrict: str = ""  # ตำบล / แขวง
    district: str = ""     # อำเภอ / เขต
    province: str = ""     # จังหวัด (กรุงเทพมหานคร for Bangkok)

    @property
    def text(self) -> str:
        """The address on one line, as people write it."""
        return " ".join(p.strip() for p in self.raw.split("#") if p.strip())


@dataclass
class CardData:
    cid: str
    name_th: Name
    name_en: Name
    birth: PartialDate | None
    sex: str                     # "1" male, "2" female
    request_no: str
    issuer: str
    issuer_code: str
    issued: PartialDate | None
    expires: PartialDate | None  # None = lifelong (99999999)
    card_type: str
    address: Address
    photo: bytes = field(default=b"", repr=False)
    version: str = SUPPORTED_VERSION

    @property
    def lifelong(self) -> bool:
        return self.expires is None

    def to_json(self) -> dict:
        out = asdict(self)
        out["photo"] = len(self.photo)
        for key in ("birth", "issued", "expires"):
            value = getattr(self, key)
            out[key] = value.iso() if value else None
        return out


# --- decoding -------------------------------------------------------------------------------------

def decode_text(raw: bytes, name: str) -> str:
    """cp874, strictly; only trailing spaces and NULs are stripped."""
    try:
        text = raw.decode("cp874", errors="strict")
    except UnicodeDecodeError as e:
        raise CardDataError(name, f"มีไบต์ที่อ่านไม่ได้ (0x{raw[e.start]:02X} ที่ตำแหน่ง {e.start}) บัตรอาจเสียหาย "
                                  "กรุณาลองอ่านใหม่ หากยังไม่ได้ให้กรอกข้อมูลเอง",
                            f"undecodable byte 0x{raw[e.start]:02X} at {e.start}") from None
    return text.rstrip(" \x00")


def field_bytes(block: bytes, name: str, base: int = 0) -> bytes:
    offset, length = FIELDS[name]
    start = offset - base
    chunk = block[start:start + length]
    if len(chunk) != length:
        raise CardDataError(name, "ข้อมูลจากบัตรไม่ครบ", "short read")
    return chunk


def parse_name(text: str) -> Name:
    """``prefix#first#middle#last`` (middle usually empty)."""
    parts = text.split("#")
    parts += [""] * (4 - len(parts))
    prefix, first, middle, last = (p.strip() for p in parts[:4])
    if len(parts) > 4:  # extra separators: keep them in the last name rather than lose anything
        last = "#".join(p.strip() for p in parts[3:]).strip("#").strip()
    return Name(prefix, first, middle, last)


def parse_date(text: str, name: str, *, lifelong_ok: bool = False) -> PartialDate | None:
    if lifelong_ok and text == "99999999":
        return None
    if not text.strip("0 "):
        return None
    try:
        return PartialDate.from_be_digits(text)
    except ValueError:
        raise CardDataError(name, f"วันที่ «{text}» ไม่ถูกต้อง", f"bad date {text!r}") from None


_ADDRESS_KEYS = (
    ("moo", ("หมู่ที่", "หมู่")),
    ("trok", ("ตรอก",)),
    ("soi", ("ซอย", "ซ.")),
    ("road", ("ถนน", "ถ.")),
    ("subdistrict", ("ตำบล", "แขวง", "ต.")),
    ("district", ("อำเภอ", "เขต", "อ.")),
    ("province", ("จังหวัด", "จ.")),
)


def parse_address(raw: str) -> Address:
    """Split the ``#``-separated address by its keywords (Bangkok uses แขวง/เขต and no จังหวัด)."""
    address = Address(raw=raw)
    parts = [p.strip() for p in raw.split("#") if p.strip()]
    rest = []
    for part in parts:
        for attr, words in _ADDRESS_KEYS:
            word = next((w for w in words if part.startswith(w)), None)
            if word is not None and not getattr(address, attr):
                setattr(address, attr, part[len(word):].strip())
                break
        else:
            rest.append(part)
    if rest:
        address.house_no = rest[0]
        if not address.province and any("กรุงเทพ" in p for p in rest[1:]):
            address.province = next(p for p in rest[1:] if "กรุงเทพ" in p)
    if not address.province and ("กรุงเทพ" in raw):
        address.province = "กรุงเทพมหานคร"
    return address


def photo_length(block: bytes) -> int:
    """The stated JPEG length (big-endian), or 0 when the card does not say."""
    raw = field_bytes(block, "photo_length")
    value = int.from_bytes(raw, "big")
    return value if 0 < value <= PHOTO_AREA else 0


def trim_photo(data: bytes, stated: int = 0) -> bytes:
    """The JPEG: by its stated length, else up to its end marker. Never strips bytes inside it —
    0x20 and 0x00 are ordinary JPEG bytes."""
    if stated:
        data = data[:stated]
    if not data:
        return b""
    if not data.startswith(b"\xff\xd8"):
        raise CardDataError("photo", "รูปถ่ายบนบัตรไม่ใช่ไฟล์ JPEG", "photo is not a JPEG")
    if stated:
        return data
    end = data.rfind(JPEG_END)
    if end < 0:
        raise CardDataError("photo", "รูปถ่ายบนบัตรไม่ครบ (ไม่พบจุดสิ้นสุดของภาพ)", "photo has no JPEG end")
    return data[:end + 2]


def check_version(block: bytes) -> str:
    """The card generation, or :class:`UnsupportedCardVersion` in Thai for any but 0003."""
    version = decode_text(field_bytes(block, "version"), "version")
    if version != SUPPORTED_VERSION:
        raise UnsupportedCardVersion(
            "version", f"บัตรรุ่นนี้ (รุ่น {version!r}) ยังไม่รองรับ กรุณากรอกข้อมูลจากบัตรเอง",
            f"card generation {version!r} is not supported yet")
    return version


def parse_text_block(block: bytes, address_raw: bytes) -> CardData:
    """Everything but the photo, from the text block (0x0000–0x017A) and the address bytes."""
    version = check_version(block)
    cid = decode_text(field_bytes(block, "cid"), "cid")
    if not re.fullmatch(r"\d{13}", cid):
        raise CardDataError("cid", f"เลขประจำตัวประชาชนบนบัตร «{cid}» ไม่ใช่ตัวเลข 13 หลัก", "bad CID")
    text = {n: decode_text(field_bytes(block, n), n) for n in
            ("name_th", "name_en", "birth", "sex", "request_no", "issuer", "issuer_code", "issued", "expires",
             "card_type")}
    address_text = decode_text(address_raw, "address")
    return CardData(
        cid=cid,
        name_th=parse_name(text["name_th"]),
        name_en=parse_name(text["name_en"]),
        birth=parse_date(text["birth"], "birth"),
        sex=text["sex"],
        request_no=text["request_no"],
        issuer=text["issuer"],
        issuer_code=text["issuer_code"],
        issued=parse_date(text["issued"], "issued"),
        expires=parse_date(text["expires"], "expires", lifelong_ok=True),
        card_type=text["card_type"],
        address=parse_address(address_text),
        version=version,
    )


# --- encoding (for the training-card emulator and fixtures) ----------------------------------------

def encode_text(text: str, name: str) -> bytes:
    offset, length = FIELDS[name]
    raw = text.encode("cp874")
    if len(raw) > length:
        raise ValueError(f"{name} is longer than {length} bytes")
    return raw + b" " * (length - len(raw))


def build_image(values: dict[str, str], photo: bytes) -> bytearray:
    """The MOI applet's file as the card holds it: text fields padded with spaces, the photo's length,
    the JPEG (the rest of its area padded with spaces), the address."""
    image = bytearray(b" " * (ADDRESS[0] + ADDRESS[1]))
    for name, (offset, length) in FIELDS.items():
        if name in ("photo_length",):
            continue
        image[offset:offset + length] = encode_text(values.get(name, ""), name)
    if len(photo) > PHOTO_AREA:
        raise ValueError("photo larger than the card's photo area")
    image[0x0179:0x017B] = len(photo).to_bytes(2, "big")
    image[PHOTO_OFFSET:PHOTO_OFFSET + len(photo)] = photo
    return image
