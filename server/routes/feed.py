"""The unit's feed — what changed since a PC's cursor (records at new revisions, change sets that moved,
statements issued or confirmed) — and ``/records``, the unit's whole register page by page, where a new or
rebuilt working copy starts before it follows the feed."""
from __future__ import annotations

from fastapi import APIRouter, Query, Response
from sqlalchemy import and_, or_, select

from sync.protocol import API, FeedItem, FeedPage, RecordItem, RecordsPage, clean_text

from ..db import CLAIM_FEED, feed, reading, records
from .common import Active, ApiError, Ctx, encoded

router = APIRouter(prefix=API, tags=["sync"])


@router.get("/feed", response_model=FeedPage)
async def unit_feed(ctx: Ctx, c: Active, since: int = Query(default=0, ge=0, le=2**63 - 1),
                    limit: int = Query(default=500, ge=1, le=5000)) -> Response:
    # async, as the caller's check: one short indexed read on the event loop, no trip to the threadpool
    with reading(ctx.engine) as conn:
        rows = conn.execute(select(feed.c.seq, feed.c.kind, feed.c.record_type, feed.c.key, feed.c.rev, feed.c.data)
                            .where(and_(feed.c.unit_code == c.unit_code, feed.c.seq > since,
                                        feed.c.kind.notin_(CLAIM_FEED)))  # claims: their own feed (routes.claims)
                            .order_by(feed.c.seq).limit(limit + 1)).all()
    more = len(rows) > limit
    items = [FeedItem(seq=seq, kind=kind, record_type=rtype, key=key, rev=rev, data=data)
             for seq, kind, rtype, key, rev, data in rows[:limit]]
    return encoded(FeedPage(items=items, next_seq=items[-1].seq if items else since, more=more))


@router.get("/records", response_model=RecordsPage)
def unit_records(ctx: Ctx, c: Active, after: str = Query(default="", max_length=200),
                 limit: int = Query(default=2000, ge=1, le=10000)) -> Response:
    """The unit's whole register, page by page (a new or rebuilt working copy starts here), with the feed
    position to continue from once the last page is in."""
    try:
        clean_text(after)
    except ValueError:
        raise ApiError(422, "request.invalid", "ตำแหน่งหน้าถัดไปไม่ถูกต้อง กรุณาซิงก์ใหม่ตั้งแต่ต้น",
                       "The page position is not valid.") from None
    kind, _, rid = after.partition(":")
    with ctx.engine.begin() as conn:
        head = conn.execute(select(feed.c.seq).where(feed.c.unit_code == c.unit_code)
                            .order_by(feed.c.seq.desc()).limit(1)).scalar() or 0
        query = select(records.c.type, records.c.id, records.c.rev, records.c.data).where(
            records.c.unit_code == c.unit_code)
        if after:
            query = query.where(or_(records.c.type > kind, and_(records.c.type == kind, records.c.id > rid)))
        rows = conn.execute(query.order_by(records.c.type, records.c.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return encoded(RecordsPage(items=[RecordItem(record_type=t, key=i, rev=rev, data=d) for t, i, rev, d in rows],
                               next=f"{rows[-1][0]}:{rows[-1][1]}" if rows else after, more=more, feed_seq=head))
