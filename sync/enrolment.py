"""What this PC fetches at an online log-in: its enrolment (the server's name for this PC's signing key) and its
yearly licence with the server's public key — and the licence checked offline at every start (sync/licence.py).

Each step is either network or database, never both, so the desk can run the first on its network runner and
the second on its database worker (sync/session.py): :func:`fetch` talks to the server only, :func:`keep` and
:func:`licence` touch the working copy only. :func:`enrol` and :func:`renew_licence` do both, one after the other,
for scripts and tests that have one thread.
"""
from __future__ import annotations

import base64
import datetime as _dt
import logging
from dataclasses import dataclass

from app.store import meta
from app.store.device import DeviceSigner
from app.store.statements import SERVER_KEY

from .client import CentralClient, SyncError
from .licence import Check, LicenceState, check

log = logging.getLogger(__name__)

LICENCE_TOKEN = "licence_token"
NO_LICENCE = "เครื่องนี้ยังไม่มีใบอนุญาตใช้งาน กรุณาเชื่อมต่ออินเทอร์เน็ตแล้วเปิดโปรแกรมอีกครั้ง"


@dataclass(frozen=True)
class Fetched:
    """What the server gave this PC at an online log-in ("" for what it did not give this time)."""

    device_id: str = ""            # this PC's enrolment, when it was not enrolled yet
    licence_token: str = ""
    server_key: str = ""           # base64 Ed25519: licences and statements are checked against it
    refused: SyncError | None = None  # the server refused this installation's licence (a Thai reason)


def fetch(client: CentralClient, installation_id: str, version: str, public_key: str | None = None,
          label: str = "") -> Fetched:
    """Network only. Enrol this PC's key (``public_key``: None when it is enrolled already), then fetch the licence
    and the server's key. A failure that is not a refusal of the licence postpones what is left to the next online
    log-in (what came before it is kept); a refused licence comes back in ``refused``."""
    device_id = ""
    try:
        if public_key:
            device_id = client.enrol(public_key, label)
        return _licence(client, installation_id, version, device_id)
    except SyncError as e:
        if not e.retryable and e.code.startswith("licence"):
            return Fetched(device_id, refused=e)
        log.warning("enrolment or licence renewal postponed: %s", e.code)
        return Fetched(device_id)


def _licence(client: CentralClient, installation_id: str, version: str, device_id: str = "") -> Fetched:
    issued = client.licence(installation_id, version)
    return Fetched(device_id, issued.token, client.licence_key().ed25519)


def keep(wc, fetched: Fetched, cid: str = "") -> None:
    """Database only: keep what :func:`fetch` brought (the enrolment is the account ``cid``'s)."""
    if fetched.device_id:
        DeviceSigner(wc, cid).enrolled_as(fetched.device_id)
    if fetched.licence_token and fetched.server_key:
        with wc.transaction() as conn:
            meta.put_in(conn, LICENCE_TOKEN, fetched.licence_token)
            meta.put_in(conn, SERVER_KEY, fetched.server_key)


def licence(wc, installation_id: str, version: str, today: _dt.date) -> Check:
    """Database only, no network: this installation's licence as the last renewal kept it."""
    token, key = meta.get(wc.conn, LICENCE_TOKEN), meta.get(wc.conn, SERVER_KEY)
    if not token or not key:
        return Check(LicenceState.INVALID, NO_LICENCE)
    return check(token, base64.b64decode(key), installation_id, today, version)


def enrol(client: CentralClient, signer: DeviceSigner, label: str = "") -> str:
    """Register this PC's public key with the server (once) and keep the name it gives; both steps on one thread."""
    if not signer.device_id:
        signer.enrolled_as(client.enrol(signer.public_key_b64(), label))
    return signer.device_id or ""


def renew_licence(client: CentralClient, wc, installation_id: str, version: str) -> None:
    """Fetch this installation's licence and the server's key and keep both; both steps on one thread. A refusal
    or a failure is raised (:class:`SyncError`), nothing kept."""
    keep(wc, _licence(client, installation_id, version))
