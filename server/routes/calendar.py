"""The registration calendar as the PCs see it: today's phase and the periods not yet over."""
from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from sync.protocol import API, CalendarNow, PeriodOut

from .. import calendar, security
from ..db import periods
from .common import Active, Ctx

router = APIRouter(prefix=API, tags=["calendar"])


@router.get("/calendar", response_model=CalendarNow)
def calendar_now(ctx: Ctx, c: Active) -> CalendarNow:
    today = security.today()
    with ctx.engine.begin() as conn:
        phase, period = calendar.phase_on(conn, today)
        upcoming = conn.execute(select(periods).where(periods.c.ends > today).order_by(periods.c.starts)
                                ).mappings().all()
    return CalendarNow(phase=phase, phase_th=calendar.PHASE_TH[phase],
                       periods=[PeriodOut(name=p["name"], phase=p["phase"], starts=p["starts"], ends=p["ends"])
                                for p in upcoming])
