"""The yearly licence of an installation (sync/licence.py says what it is) and the key that checks it."""
from __future__ import annotations

import base64

from fastapi import APIRouter

from sync.protocol import API, Licence, LicenceKey, LicenceRequest

from .. import licence, security
from .common import Active, ApiError, Ctx, record_audit, unit_officer

router = APIRouter(prefix=API, tags=["licence"])


@router.get("/licence/key", response_model=LicenceKey)
def licence_key(ctx: Ctx) -> LicenceKey:
    with ctx.engine.begin() as conn:
        return LicenceKey(ed25519=base64.b64encode(licence.public_key(conn)).decode())


@router.post("/licence", response_model=Licence)
def licence_issue(body: LicenceRequest, ctx: Ctx, c: Active) -> Licence:
    unit_officer(c)
    installation = body.installation_id.strip()
    version = body.client_version.strip()
    if not installation or not version:
        raise ApiError(400, "licence.request", "คำขอใบอนุญาตต้องระบุรหัสเครื่องและรุ่นของโปรแกรม")
    try:
        too_old = licence.too_old(version)
    except ValueError:  # a "digit" int() cannot read (a superscript, say): no version of this program
        raise ApiError(400, "licence.request", "รุ่นของโปรแกรมในคำขอใบอนุญาตไม่ถูกต้อง กรุณาติดตั้งโปรแกรมรุ่นล่าสุด",
                       "The client version is not a version.") from None
    if too_old:
        raise ApiError(426, "client.too_old", f"โปรแกรมรุ่น {version} เก่าเกินไป ต้องเป็นรุ่น "
                                              f"{licence.min_client_version()} ขึ้นไป กรุณาติดตั้งรุ่นใหม่",
                       min_version=licence.min_client_version())
    with ctx.engine.begin() as conn:
        token, payload = licence.issue(conn, installation[:64], c.unit_code, security.today())
        record_audit(conn, c, "licence.issued", installation=installation[:64], year=payload["fiscal_year"])
    return Licence(token=token, **payload)
