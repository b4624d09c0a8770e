"""The vpcd link: our training card plugged into the real pcscd through vsmartcard's virtual reader.

vpcd listens on 127.0.0.1 (port 35963 for the first slot, +1 for the next). Every message is a 2-byte
big-endian length and a payload; a 1-byte payload is a control (0 power off, 1 power on, 2 reset,
4 "give me the ATR"), anything longer a command APDU to answer. Connecting is inserting the card,
closing the socket is pulling it out.
"""
from __future__ import annotations

import socket
import struct
import threading

from .card import VirtualCard

VPCD_PORT = 35963


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        if hasattr(socket, "TCP_QUICKACK"):  # without it every APDU waits ~40 ms for a delayed ACK
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("vpcd closed the link")
        buf += chunk
    return bytes(buf)


class CardSlot:
    """One virtual reader slot; ``insert()`` and ``remove()`` the card at will."""

    def __init__(self, card: VirtualCard | None = None, port: int = VPCD_PORT, host: str = "127.0.0.1") -> None:
        self.card = card
        self.port = port
        self.host = host
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.inserted = threading.Event()

    def insert(self, card: VirtualCard | None = None, timeout: float = 10.0) -> None:
        if card is not None:
            self.card = card
        if self.card is None:
            raise ValueError("no card to insert")
        self.remove()
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(None)
        self._sock = sock
        self.inserted.clear()
        self._thread = threading.Thread(target=self._serve, args=(sock, self.card), daemon=True,
                                        name=f"vpcd-{self.port}")
        self._thread.start()
        self.inserted.wait(timeout)  # pcscd asks for the ATR when it sees the card

    def remove(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self.inserted.clear()

    def _serve(self, sock: socket.socket, card: VirtualCard) -> None:
        try:
            while True:
                (length,) = struct.unpack(">H", _recv_exact(sock, 2))
                payload = _recv_exact(sock, length)
                if length == 1:
                    control = payload[0]
                    if control in (0, 1, 2):
                        card.reset()
                    elif control == 4:
                        sock.sendall(struct.pack(">H", len(card.atr)) + card.atr)
                        self.inserted.set()
                    continue
                answer = card.process(payload)
                sock.sendall(struct.pack(">H", len(answer)) + answer)
        except (ConnectionError, OSError):
            return
