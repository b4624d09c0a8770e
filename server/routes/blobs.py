"""Documents (content-addressed by SHA-256): HEAD says how far an upload got (``Upload-Offset``), PUT takes a
piece (``Content-Range``) and resumes where the server stopped, GET downloads — each only for the unit's own
blobs. The bodies are the documents' bytes, never JSON."""
from __future__ import annotations

from fastapi import APIRouter, Header, Request, Response
from sqlalchemy import and_, select

from sync.protocol import API

from .. import security
from ..blobs import BlobError, finance_upload
from app.domain import Role

from ..db import blob_owners, claim_evidence
from .common import Active, ApiError, Caller, Ctx, record_audit, unit_officer

router = APIRouter(prefix=API, tags=["blobs"])


def blob_call(fn):
    try:
        return fn()
    except BlobError as e:
        raise ApiError(e.status, e.code, e.th) from None


def _owns(conn, c: Caller, sha256: str) -> bool:
    return conn.execute(select(blob_owners.c.sha256).where(and_(
        blob_owners.c.sha256 == sha256, blob_owners.c.unit_code == c.unit_code))).first() is not None


# A file a finance officer brings to the unit is a claim's evidence from the moment it is whole (the claim that
# names it may be refused, or not pushed yet): marked with the unit in place of a claim, so that its register
# officers never read it (NHSO's staff read a claim's evidence by the claim only). Only the upload that brings the
# file to the unit marks it: a claim that names a file the register's officers brought (or the same bytes sent
# again) never takes it from them.
def _readable(conn, c: Caller, sha256: str) -> bool:
    """The unit's own blob — and when a finance officer brought it (a claim's evidence: it says what someone was
    treated for), only to the unit's finance officers."""
    if not _owns(conn, c, sha256):
        return False
    return c.role is Role.FINANCE_OFFICER or conn.execute(select(claim_evidence.c.sha256).where(and_(
        claim_evidence.c.unit_code == c.unit_code, claim_evidence.c.sha256 == sha256,
        claim_evidence.c.claim_id == finance_upload(c.unit_code)))).first() is None


@router.head("/blobs/{sha256}")
def blob_status(sha256: str, ctx: Ctx, c: Active) -> Response:
    """Like GET: 200 only for the unit's own blob; otherwise 404 with how far the unit's own upload got."""
    unit_officer(c)
    store = ctx.blob_store()
    blob_call(lambda: store.check_name(sha256))
    with ctx.engine.begin() as conn:
        readable = _readable(conn, c, sha256)
    size = store.size(sha256) if readable else None
    if size is not None:
        return Response(status_code=200, headers={"Upload-Offset": str(size)})
    return Response(status_code=404, headers={"Upload-Offset": str(store.received(sha256, c.unit_code))})


@router.put("/blobs/{sha256}")
async def blob_put(sha256: str, request: Request, ctx: Ctx, c: Active,
                   content_range: str | None = Header(default=None)) -> Response:
    unit_officer(c)
    store = ctx.blob_store()
    blob_call(lambda: store.check_name(sha256))
    with ctx.engine.begin() as conn:
        owned = _owns(conn, c, sha256)
    if owned and store.size(sha256) is not None:
        return Response(status_code=201, headers={"Upload-Offset": str(store.size(sha256))})
    body = await request.body()
    complete, received = blob_call(lambda: store.put(sha256, body, content_range, c.unit_code))
    if complete:
        def own(conn):
            if not _owns(conn, c, sha256):
                conn.execute(blob_owners.insert().values(sha256=sha256, unit_code=c.unit_code, at=security.now()))
                record_audit(conn, c, "blob.stored", sha256=sha256, size=received)
                if c.role is Role.FINANCE_OFFICER:
                    conn.execute(claim_evidence.insert().values(sha256=sha256, claim_id=finance_upload(c.unit_code),
                                                                unit_code=c.unit_code))
        ctx.in_tx(own)
    return Response(status_code=201 if complete else 202, headers={"Upload-Offset": str(received)})


@router.get("/blobs/{sha256}")
def blob_get(sha256: str, ctx: Ctx, c: Active) -> Response:
    unit_officer(c)
    blob_call(lambda: ctx.blob_store().check_name(sha256))
    with ctx.engine.begin() as conn:
        readable = _readable(conn, c, sha256)
    if not readable:
        raise ApiError(404, "blob.missing", "ไม่พบไฟล์แนบนี้ในหน่วยงานของท่าน")
    data = blob_call(lambda: ctx.blob_store().read(sha256))
    from app.filetypes import sniff
    # a download, never something a browser would open and interpret (a PDF that is also HTML, say)
    return Response(content=data, media_type=sniff(data) or "application/octet-stream",
                    headers={"X-Content-Type-Options": "nosniff",
                             "Content-Disposition": f'attachment; filename="{sha256[:16]}"'})
