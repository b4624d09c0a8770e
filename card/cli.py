"""lgo-card — for support staff: see the readers, read a card, watch what happens, run a training card.

    lgo-card readers
    lgo-card read [--reader NAME] [--photo FILE] [--json]
    lgo-card watch
    lgo-card emulate PROFILE [--slot N] [--tray FILE] [--list]

With ``--tray FILE`` the training card can be swapped while it runs, as a person swaps the card in a reader:
write another profile's name into FILE and this emulator pulls its card out and puts that one in, then writes
the name of the card now in the reader into ``FILE.in`` (``./dev card PROFILE`` does both).
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from .reader import CardError
from .thaiid import CardDataError


def _readers() -> int:
    from .pcsc import Context

    ctx = Context()
    try:
        readers = ctx.readers()
    finally:
        ctx.close()
    if not readers:
        print("ไม่พบเครื่องอ่านบัตร — กรุณาเสียบเครื่องอ่านบัตร")
        return 1
    for r in readers:
        print(r)
    return 0


def _read(args) -> int:
    from .pcsc import Context
    from .reader import ThaiIdReader

    ctx = Context()
    try:
        readers = ctx.readers()
        reader = args.reader or (readers[0] if readers else None)
        if reader is None:
            print("ไม่พบเครื่องอ่านบัตร — กรุณาเสียบเครื่องอ่านบัตร", file=sys.stderr)
            return 1

        def progress(done: int, total: int) -> None:
            if not args.json:
                print(f"\rกำลังอ่านรูปถ่าย {done * 100 // total}%", end="", file=sys.stderr, flush=True)

        with ctx.connect(reader) as conn, conn.transaction():
            card = ThaiIdReader(conn, conn.atr()).read_card(on_photo_progress=progress)
    finally:
        ctx.close()
    if not args.json:
        print(file=sys.stderr)
    if args.photo:
        args.photo.write_bytes(card.photo)
    if args.json:
        print(json.dumps(card.to_json(), ensure_ascii=False, indent=2))
    else:
        print(f"เลขประจำตัวประชาชน  {card.cid}")
        print(f"ชื่อ                {card.name_th.prefix}{card.name_th.full}")
        print(f"Name                {card.name_en.prefix} {card.name_en.full}")
        print(f"วันเกิด             {card.birth.format_th() if card.birth else '-'}")
        print(f"บัตรหมดอายุ          {'ตลอดชีพ' if card.lifelong else card.expires.format_th()}")
        print(f"ที่อยู่              {card.address.text}")
        print(f"รูปถ่าย             {len(card.photo):,} ไบต์")
    return 0


def _watch() -> int:
    from .service import CardService

    done = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: done.set())

    def show(e) -> None:
        extra = e.message or (", ".join(e.readers) if e.kind == "readers" else e.atr.hex(" ").upper())
        print(f"{e.kind:<13} {e.reader} {extra}".rstrip(), flush=True)

    service = CardService(show)
    service.start()
    done.wait()
    service.stop()
    return 0


def _emulate(args) -> int:
    from .emulator import CardSlot, VPCD_PORT
    from .emulator.profiles import available, load

    if args.list or not args.profile:
        for pid in available():
            print(f"{pid:<10} {load(pid).label_th}")
        return 0
    profile = load(args.profile)
    slot = CardSlot(profile.card(), port=VPCD_PORT + args.slot)
    try:
        slot.insert()
    except OSError:
        print("ต่อกับเครื่องอ่านบัตรเสมือน (vpcd) ไม่ได้ — ต้องเปิด pcscd ที่มี vsmartcard-vpcd ก่อน", file=sys.stderr)
        return 1
    print(f"เสียบบัตรฝึกหัด {profile.label_th} ในช่อง {args.slot} แล้ว (Ctrl+C เพื่อดึงบัตรออก)", flush=True)
    if args.ready_file:
        args.ready_file.touch()
    done = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: done.set())
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    if args.tray:
        _follow_tray(slot, args.tray, args.profile, done)
    done.wait()
    slot.remove()
    return 0


def _follow_tray(slot, tray: Path, current: str, done: threading.Event, every: float = 0.2) -> None:
    """Until ``done``: the card named in ``tray`` goes into the slot in place of the one there (pcscd sees a
    removal, then an insertion); ``tray``.in names the card in the reader, written again whenever it is missing."""
    from .emulator.profiles import load

    ack = tray.with_name(tray.name + ".in")
    while not done.wait(every):
        try:
            wanted = tray.read_text(encoding="utf-8").strip()
        except OSError:
            wanted = current
        if wanted and wanted != current:
            try:
                card = load(wanted).card()
            except FileNotFoundError as e:
                print(str(e), file=sys.stderr, flush=True)
                wanted = current
            else:
                _swap(slot, card)
                current = wanted
                print(f"เปลี่ยนเป็นบัตรฝึกหัด {load(current).label_th} แล้ว", flush=True)
        try:
            said = ack.read_text(encoding="utf-8").strip()
        except OSError:
            said = None
        if said != current:
            part = ack.with_name(ack.name + ".part")
            part.write_text(current + "\n", encoding="utf-8")
            part.replace(ack)


def _swap(slot, card, attempts: int = 20) -> None:
    """Pull the card out and put ``card`` in; vpcd takes a moment to take a new card after one is pulled out."""
    import time

    for _ in range(attempts):
        slot.remove()
        time.sleep(0.5)
        try:
            slot.insert(card, timeout=5)
        except OSError:
            continue
        if slot.inserted.is_set():
            return
    print("ใส่บัตรฝึกหัดในเครื่องอ่านบัตรเสมือนไม่สำเร็จ — ลองใหม่อีกครั้ง", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lgo-card", description="เครื่องมือบัตรประจำตัวประชาชนสำหรับเจ้าหน้าที่สนับสนุน")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("readers", help="list the card readers")
    read = sub.add_parser("read", help="read the card in a reader")
    read.add_argument("--reader")
    read.add_argument("--photo", type=Path)
    read.add_argument("--json", action="store_true")
    sub.add_parser("watch", help="show readers and cards coming and going (Ctrl+C to stop)")
    emulate = sub.add_parser("emulate", help="insert a training card into the virtual reader")
    emulate.add_argument("profile", nargs="?")
    emulate.add_argument("--slot", type=int, default=0)
    emulate.add_argument("--list", action="store_true")
    emulate.add_argument("--ready-file", type=Path, help="touched once the card is in the reader")
    emulate.add_argument("--tray", type=Path, help="a file naming the card to swap in (training: ./dev card)")
    args = parser.parse_args(argv)
    try:
        if args.cmd == "readers":
            return _readers()
        if args.cmd == "read":
            return _read(args)
        if args.cmd == "watch":
            return _watch()
        return _emulate(args)
    except (CardError, CardDataError, FileNotFoundError) as e:
        print(str(e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
