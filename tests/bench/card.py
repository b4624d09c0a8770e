"""./dev bench card — a full read (text + photo) over the real pcscd + vpcd + training card.

Side by side in one run: our reader (one SELECT, then one READ + GET RESPONSE per 255 bytes actually
needed: the text block, the address, the photo by its stated length) against a reader written the way
the public peers do it (SELECT + GET RESPONSE, one READ per field, the photo as 20 chunks of 254 bytes,
every READ followed by GET RESPONSE). Goal: our APDU count = the physical minimum, and ≤ 0.5× the
peer's time.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import time

from card import thaiid
from card.emulator import VPCD_PORT, CardSlot
from card.emulator.profiles import load
from card.pcsc import Context
from card.reader import ThaiIdReader

PEER_FIELDS = ["cid", "name_th", "name_en", "birth", "sex", "request_no", "issuer", "issued", "expires", "address"]


def peer_read(conn) -> tuple[bytes, int]:
    """The common public pattern, APDU for APDU."""
    count = 0

    def send(apdu):
        nonlocal count
        count += 1
        return conn.transmit(apdu)

    _d, sw1, sw2 = send([0x00, 0xA4, 0x04, 0x00, 0x08, *thaiid.MOI_AID])
    if sw1 == 0x61:
        send([0x00, 0xC0, 0x00, 0x00, sw2])
    for name in PEER_FIELDS:
        offset, length = thaiid.FIELDS[name]
        send([0x80, 0xB0, offset >> 8, offset & 0xFF, 0x02, 0x00, length])
        send([0x00, 0xC0, 0x00, 0x00, length])
    photo = bytearray()
    for i in range(20):
        offset = thaiid.PHOTO_OFFSET + i * 0xFE
        send([0x80, 0xB0, offset >> 8, offset & 0xFF, 0x02, 0x00, 0xFE])
        data, _s1, _s2 = send([0x00, 0xC0, 0x00, 0x00, 0xFE])
        photo += bytes(data)
    return bytes(photo), count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", default="registry")
    args = parser.parse_args()
    started = None
    if subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True).returncode != 0:
        started = subprocess.Popen(["pcscd", "--foreground"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
    profile = load(args.profile)
    slot = CardSlot(profile.card(), port=VPCD_PORT)
    slot.insert()
    ctx = Context()
    reader = ctx.readers()[0]
    ours, theirs = [], []
    ours_count = theirs_count = 0
    try:
        for _ in range(args.repeat):
            with ctx.connect(reader) as conn, conn.transaction():
                t = time.perf_counter()
                r = ThaiIdReader(conn, conn.atr())
                card = r.read_card()
                ours.append(time.perf_counter() - t)
                ours_count = r.stats.apdus
            with ctx.connect(reader) as conn, conn.transaction():
                t = time.perf_counter()
                _photo, theirs_count = peer_read(conn)
                theirs.append(time.perf_counter() - t)
    finally:
        ctx.close()
        slot.remove()
        if started is not None:
            started.terminate()
    photo_reads = -(-len(card.photo) // 255)
    text_reads = -(-(thaiid.TEXT_BLOCK[1] - thaiid.TEXT_BLOCK[0]) // 255)
    minimum = 1 + 2 * (text_reads + 1 + photo_reads)
    ours_ms, theirs_ms = statistics.median(ours) * 1000, statistics.median(theirs) * 1000
    print(f"card: {profile.label_th}; photo {len(card.photo):,} bytes; {args.repeat} reads each, alternating")
    print(f"physical minimum for a T=0 card: {minimum} APDUs (1 SELECT + READ/GET RESPONSE × "
          f"{text_reads} text + 1 address + {photo_reads} photo)")
    print(f"ours : {ours_count:3d} APDUs  median {ours_ms:7.2f} ms")
    print(f"peer : {theirs_count:3d} APDUs  median {theirs_ms:7.2f} ms")
    ratio = ours_ms / theirs_ms
    print(f"APDUs ours = minimum: {ours_count == minimum}; time ratio ours/peer {ratio:.2f} (goal ≤ 0.50) "
          f"{'OK' if ratio <= 0.5 and ours_count == minimum else 'OVER GOAL'}")


if __name__ == "__main__":
    main()
