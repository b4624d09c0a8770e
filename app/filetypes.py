"""What kind of file a scan is, by its first bytes: only PDF, JPEG and PNG are accepted anywhere."""
from __future__ import annotations

_SNIFF = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff(data: bytes) -> str | None:
    for magic, mime in _SNIFF:
        if data.startswith(magic):
            return mime
    return None
