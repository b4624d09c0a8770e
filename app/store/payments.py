"""NHSO's payment statements this PC holds (issue 19 §3): each unit's signed statement of a month's accepted claims,
with the transfer once NHSO records it, kept whole as the central server signed them (in ``meta``, like the
register statements of app.store.statements) so the finance officer can reconcile them offline. Only a statement
whose signatures hold against the server's key is kept (:func:`verify`)."""
from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..statements import body_bytes
from . import meta

_PREFIX = "payment:"
_WANTED = "payments_wanted"   # statements refused here (a signature that failed): fetched again at each sync


def verify(data: dict[str, Any], public_key: bytes) -> bool:
    """Were this statement's body, and its transfer if recorded, signed by the central server exactly as shown?"""
    try:
        key = Ed25519PublicKey.from_public_bytes(public_key)
        key.verify(base64.b64decode(data["signature"]), body_bytes(data["body"]))
        if data.get("body", {}).get("id") != data.get("id") or data["body"].get("unit_code") != data.get("unit_code"):
            return False
        transfer = data.get("transfer")
        if transfer:
            key.verify(base64.b64decode(data.get("transfer_signature") or ""), body_bytes(transfer))
            if transfer.get("statement") != data["id"] or transfer.get("amount") != data["body"].get("total"):
                return False
    except (InvalidSignature, ValueError, KeyError, TypeError, AttributeError):
        return False
    return True


class PaymentStore:
    def __init__(self, wc) -> None:
        self.wc = wc

    def keep_in(self, conn, data: dict[str, Any]) -> None:
        meta.put_in(conn, _PREFIX + data["id"], json.dumps(data, ensure_ascii=False))

    def get(self, sid: str) -> dict[str, Any] | None:
        raw = meta.get(self.wc.conn, _PREFIX + sid)
        return json.loads(raw) if raw else None

    def all(self) -> list[dict[str, Any]]:
        """Newest month first."""
        rows = self.wc.conn.execute("SELECT value FROM meta WHERE key LIKE 'payment:%'").fetchall()
        return sorted((json.loads(v) for (v,) in rows), key=lambda d: (d["month"], d["id"]), reverse=True)

    def wanted(self) -> list[str]:
        return json.loads(meta.get(self.wc.conn, _WANTED) or "[]")

    def want_in(self, conn, sid: str) -> None:
        meta.put_in(conn, _WANTED, json.dumps(sorted(set(self.wanted()) | {sid})))

    def fetched_in(self, conn, sid: str) -> None:
        meta.put_in(conn, _WANTED, json.dumps([w for w in self.wanted() if w != sid]))


__all__ = ["PaymentStore", "verify"]
