"""Reading a Thai ID card over any APDU transport, in as few commands as the card allows.

T=0 cards answer a READ with ``61 xx`` ("xx bytes wait"), fetched by GET RESPONSE; ``6C xx`` means
"ask again for exactly xx". pyscard sends no GET RESPONSE by itself, so this module does. One SELECT,
then one READ (+ GET RESPONSE) per 255 bytes actually needed: the text block, the address, and the
photo by its stated length — text first so a form can fill while the photo is still coming.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

from . import thaiid
from .thaiid import CardData

MAX_READ = 0xFF


class Transport(Protocol):
    def transmit(self, apdu: list[int]) -> tuple[list[int], int, int]:
        """Send one command APDU; return (data, SW1, SW2)."""


class CardError(Exception):
    """A card problem a user can act on; ``str()`` is Thai."""

    def __init__(self, th: str, en: str = "", sw: tuple[int, int] | None = None) -> None:
        super().__init__(th)
        self.en = en
        self.sw = sw


def status_message(sw1: int, sw2: int) -> str:
    """Every status word as a plain Thai sentence."""
    if (sw1, sw2) == (0x90, 0x00) or sw1 == 0x61:
        return "สำเร็จ"
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        return f"รหัส PIN ไม่ถูกต้อง เหลือโอกาสอีก {sw2 & 0x0F} ครั้ง"
    known = {
        (0x69, 0x83): "บัตรถูกล็อกเพราะใส่รหัส PIN ผิดเกินกำหนด ต้องนำบัตรไปปลดล็อกที่ที่ว่าการอำเภอหรือสำนักงานเขต",
        (0x6A, 0x81): "บัตรใบนี้ใช้ยืนยันตัวตนไม่ได้อีกแล้ว (ใส่รหัส PIN ผิดเกิน 5 ครั้ง) ต้องทำบัตรใหม่",
        (0x69, 0x82): "บัตรต้องการการยืนยันตัวตนก่อน",
        (0x69, 0x85): "บัตรไม่พร้อมสำหรับคำสั่งนี้ (ลำดับคำสั่งไม่ถูกต้อง) กรุณาลองใหม่",
        (0x6A, 0x82): "ไม่พบโปรแกรมหรือข้อมูลที่ต้องการบนบัตร บัตรนี้อาจไม่ใช่บัตรประจำตัวประชาชน",
        (0x6A, 0x86): "คำสั่งไม่ถูกต้องสำหรับบัตรนี้",
        (0x6B, 0x00): "ตำแหน่งข้อมูลที่ขออ่านอยู่นอกขอบเขตของบัตร",
        (0x6D, 0x00): "บัตรไม่รู้จักคำสั่งนี้",
        (0x6E, 0x00): "บัตรไม่รองรับคำสั่งประเภทนี้",
        (0x67, 0x00): "ความยาวของคำสั่งไม่ถูกต้อง",
        (0x6F, 0x00): "บัตรขัดข้อง กรุณาถอดบัตรแล้วเสียบใหม่",
        (0x64, 0x00): "บัตรขัดข้อง กรุณาถอดบัตรแล้วเสียบใหม่",
        (0x65, 0x81): "หน่วยความจำของบัตรขัดข้อง",
    }
    return known.get((sw1, sw2), f"บัตรตอบกลับด้วยรหัสที่ไม่รู้จัก ({sw1:02X} {sw2:02X}) กรุณาถอดบัตรแล้วลองใหม่")


@dataclass
class ReadStats:
    apdus: int = 0


class ThaiIdReader:
    """Reads one card through ``transport``. ``atr`` chooses the GET RESPONSE variant."""

    def __init__(self, transport: Transport, atr: bytes = b"") -> None:
        self.transport = transport
        self.get_response_p2 = 0x01 if atr[:2] == b"\x3b\x67" else 0x00
        self.stats = ReadStats()

    def _send(self, apdu: list[int]) -> tuple[list[int], int, int]:
        self.stats.apdus += 1
        return self.transport.transmit(apdu)

    def _complete(self, data: list[int], sw1: int, sw2: int, resend: list[int]) -> tuple[list[int], int, int]:
        """Follow ``61 xx`` with GET RESPONSE and ``6C xx`` with the same command, exact length."""
        for _ in range(4):
            if sw1 == 0x61:
                data, sw1, sw2 = self._send([0x00, 0xC0, 0x00, self.get_response_p2, sw2])
            elif sw1 == 0x6C:
                data, sw1, sw2 = self._send(resend[:-1] + [sw2])
                resend = resend[:-1] + [sw2]
            else:
                return data, sw1, sw2
        return data, sw1, sw2

    def select(self, aid: bytes = thaiid.MOI_AID) -> None:
        apdu = [0x00, 0xA4, 0x04, 0x00, len(aid), *aid]
        data, sw1, sw2 = self._send(apdu)
        if sw1 == 0x61 or (sw1, sw2) == (0x90, 0x00):
            return
        if (sw1, sw2) == (0x6A, 0x82):
            raise CardError("บัตรนี้ไม่ใช่บัตรประจำตัวประชาชนไทย (ไม่พบข้อมูลของกรมการปกครอง)",
                            "not a Thai ID card (MOI applet not found)", (sw1, sw2))
        raise CardError(status_message(sw1, sw2), f"SELECT failed {sw1:02X}{sw2:02X}", (sw1, sw2))

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes from ``offset``, in reads of at most 255 bytes."""
        out = bytearray()
        while length > 0:
            n = min(length, MAX_READ)
            command = [0x80, 0xB0, (offset >> 8) & 0xFF, offset & 0xFF, 0x02, 0x00, n]
            data, sw1, sw2 = self._send(command)
            data, sw1, sw2 = self._complete(data, sw1, sw2, [0x00, 0xC0, 0x00, self.get_response_p2, n])
            if (sw1, sw2) != (0x90, 0x00):
                raise CardError(status_message(sw1, sw2), f"READ {offset:04X}/{n} failed {sw1:02X}{sw2:02X}",
                                (sw1, sw2))
            if len(data) != n:
                raise CardError("ข้อมูลจากบัตรไม่ครบ กรุณาอย่าดึงบัตรออกระหว่างอ่าน แล้วลองใหม่",
                                f"short read at {offset:04X}: {len(data)} of {n}")
            out += bytes(data)
            offset += n
            length -= n
        return bytes(out)

    def read_card(self, on_text: Callable[[CardData], None] | None = None,
                  on_photo_progress: Callable[[int, int], None] | None = None) -> CardData:
        """The whole card: text (reported at once through ``on_text``), then the photo with progress."""
        self.select()
        start, end = thaiid.TEXT_BLOCK
        block = self.read(start, end - start)
        thaiid.check_version(block)  # before reading on: an unknown generation is refused plainly
        address = self.read(*thaiid.ADDRESS)
        card = thaiid.parse_text_block(block, address)
        if on_text is not None:
            on_text(card)
        stated = thaiid.photo_length(block)
        card.photo = self.read_photo(stated, on_photo_progress)
        return card

    def read_photo(self, stated: int, progress: Callable[[int, int], None] | None = None) -> bytes:
        """By the stated length; a card that states none is read up to the JPEG's end marker."""
        total = stated or thaiid.PHOTO_AREA
        got = bytearray()
        offset = thaiid.PHOTO_OFFSET
        while len(got) < total:
            n = min(MAX_READ, total - len(got))
            chunk = self.read(offset + len(got), n)
            got += chunk
            if progress is not None:
                progress(len(got), total)
            if not stated and thaiid.JPEG_END in got[max(0, len(got) - n - 1):]:
                break
        return thaiid.trim_photo(bytes(got), stated)
