"""This PC's signing key and its enrolment with the central server (:class:`DeviceSigner`).

A registrar approves offline: the approval is signed here with a key made once and kept in the encrypted
working copy, and the server checks it against the public key this PC enrolled for that officer's account. The
server ties an enrolment to the account that made it, so on a PC several officers share the key is enrolled
once per account, at each one's first online log-in here (``device_id:<citizen ID>``): the registrar's
approvals from the PC the registry officer enrolled first are theirs to sign.
"""
from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from ..errors import Refusal
from . import meta

NOT_ENROLLED = ("เครื่องนี้ยังไม่ได้ลงทะเบียนกับเซิร์ฟเวอร์กลาง "
                "กรุณาเข้าสู่ระบบขณะออนไลน์หนึ่งครั้งก่อนอนุมัติแบบออฟไลน์")


class DeviceSigner:
    def __init__(self, wc, cid: str = "") -> None:
        self.wc = wc
        self.cid = cid     # whose enrolment (the officer's citizen ID); "": the PC's first, before per account

    def _key(self) -> Ed25519PrivateKey:
        raw = meta.get(self.wc.conn, "device_key")
        if raw is None:
            key = Ed25519PrivateKey.generate()
            with self.wc.transaction() as conn:
                meta.put_in(conn, "device_key",
                            key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex())
            return key
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(raw))

    def public_key_b64(self) -> str:
        """Made on first use, then always the same."""
        return base64.b64encode(self._key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()

    @property
    def _name(self) -> str:
        return f"device_id:{self.cid}" if self.cid else "device_id"

    @property
    def enrolled(self) -> bool:
        """Whether this officer's account has enrolled this PC (the log-in enrols it when not)."""
        return meta.get(self.wc.conn, self._name) is not None

    @property
    def device_id(self) -> str | None:
        """The server's name for this PC under this officer's account, once enrolled (a PC enrolled before
        enrolments were kept per account: its one enrolment, until this officer's next online log-in)."""
        return meta.get(self.wc.conn, self._name) or meta.get(self.wc.conn, "device_id")

    def enrolled_as(self, device_id: str) -> None:
        with self.wc.transaction() as conn:
            meta.put_in(conn, self._name, device_id)

    def sign(self, digest: bytes) -> tuple[str, str]:
        """(device id, base64 signature). Refused (in Thai) on a PC never enrolled: the server could not check it."""
        device_id = self.device_id
        if not device_id:
            raise Refusal("device.not_enrolled", NOT_ENROLLED, "This PC is not enrolled: log in online once first.")
        return device_id, base64.b64encode(self._key().sign(digest)).decode()
