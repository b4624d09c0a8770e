"""The central server's HTTP application (FastAPI), every endpoint under /v1: :func:`create_app` only assembles
it — the server's :class:`~server.routes.common.Context`, the door (:class:`server.guard.Guard`: body limits,
a Problem for anything unexpected), the answers for refusals, and the routers of :mod:`server.routes`, one
per area (auth, changesets, approvals, feed, blobs, statements, calendar, licence, ops).

Every endpoint checks who is calling, their role and their unit; every refusal is a
:class:`sync.protocol.Problem` with a stable code and a Thai message. Workers keep no state: tokens are
checked against the database, so any number of them can run behind a load balancer.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from sync.protocol import Problem

from .guard import Guard, TooLarge, TooSlow, limit_for, too_large, too_slow
from .routes import ROUTERS
from .routes.common import ApiError, Caller, Context

__all__ = ["ApiError", "Caller", "Context", "create_app"]

# Answers are gzip-compressed for a client that accepts it (the desktop's requests does, and inflates them
# itself): offices sync over slow provincial links, and the register's JSON shrinks to a fraction. Not the
# small answers (the gzip frame would outweigh the saving) and not the documents, whose bytes are already
# compressed images and PDFs (the CPU would buy nothing). Level 6: nearly level 9's size for far less CPU.
COMPRESS_FROM = 1024
COMPRESS_LEVEL = 6
NOT_COMPRESSED = (*DEFAULT_EXCLUDED_CONTENT_TYPES, "image/*", "application/pdf", "application/octet-stream")


def create_app(engine: Engine, blob_dir: Path | None = None, compress: bool = True) -> FastAPI:
    """``compress``: gzip the answers of clients that accept it (off only to measure what it saves)."""
    app = FastAPI(title="LGO Registry Desk — central server", version="1", openapi_url="/openapi.json",
                  docs_url=None, redoc_url=None)
    app.state.context = Context(engine, blob_dir)
    if compress:  # inside the Guard: the door's limits and its Problems stay as they are
        app.add_middleware(GZipMiddleware, minimum_size=COMPRESS_FROM, compresslevel=COMPRESS_LEVEL,
                           exclude_content_types=NOT_COMPRESSED)
    app.add_middleware(Guard)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _bad_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for router in ROUTERS:
        app.include_router(router)
    return app


async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.problem.model_dump(), status_code=exc.status)


async def _bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
    # which fields, never what was in them (it may be a person's data)
    fields = [".".join(str(x) for x in e.get("loc", ())) for e in exc.errors()][:20]
    body = Problem(code="request.invalid",
                   message_th="คำขอไม่ถูกต้องตามรูปแบบ (ข้อมูลบางช่องยาวเกิน ว่าง หรือมีอักขระที่ไม่อนุญาต) "
                              "กรุณาตรวจข้อมูลที่กรอก หรือปรับปรุงโปรแกรมให้เป็นรุ่นล่าสุด",
                   message_en="The request does not match the API.", details={"fields": fields})
    return JSONResponse(body.model_dump(), status_code=422)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if isinstance(exc.__cause__, TooLarge):
        most = limit_for(request.method, request.url.path)
        return JSONResponse(too_large(most).model_dump(), status_code=413)
    if isinstance(exc.__cause__, TooSlow):
        return JSONResponse(too_slow().model_dump(), status_code=408)
    th, code = {404: ("ไม่พบบริการนี้บนเซิร์ฟเวอร์กลาง กรุณาปรับปรุงโปรแกรมให้เป็นรุ่นล่าสุด", "request.not_found"),
                405: ("บริการนี้ไม่รับคำขอแบบนี้ กรุณาปรับปรุงโปรแกรมให้เป็นรุ่นล่าสุด", "request.method")}.get(
        exc.status_code, ("อ่านคำขอไม่ได้ (รูปแบบข้อมูลไม่ถูกต้อง) กรุณาปรับปรุงโปรแกรมให้เป็นรุ่นล่าสุด",
                          "request.unreadable"))
    return JSONResponse(Problem(code=code, message_th=th, message_en=str(exc.detail)[:200]).model_dump(),
                        status_code=exc.status_code, headers=getattr(exc, "headers", None))
