"""Operations: the health check a load balancer (and ``./dev``) asks — the database answers."""
from __future__ import annotations

import datetime as _dt

from fastapi import APIRouter
from sqlalchemy import select

from sync.protocol import API, Health

from .common import Ctx

router = APIRouter(prefix=API, tags=["ops"])


@router.get("/health", response_model=Health)
def health(ctx: Ctx) -> Health:
    with ctx.engine.begin() as conn:
        conn.execute(select(1))
    return Health(ok=True, at=_dt.datetime.now(_dt.timezone.utc).isoformat())
