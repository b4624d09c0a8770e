"""The server's door: how much a request may send, and what a caller hears when something breaks inside.

A body larger than its endpoint allows is refused with 413 before it is read (by its Content-Length, or
while it streams in when it has none). An error nobody expected answers a :class:`sync.protocol.Problem`
with a request id; the log keeps that id, the path and the kind of error — never the request's data, a
person's data or the SQL parameters.
"""
from __future__ import annotations

import asyncio
import json
import logging
import uuid

from sync.protocol import API, Problem

log = logging.getLogger("lgo.central")

KB = 1024
MB = 1024 * KB
# (method, path prefix, most bytes a body may have); the first that fits wins.
LIMITS: tuple[tuple[str, str, int], ...] = (
    ("PUT", f"{API}/blobs/", 20 * MB + 64 * KB),
    ("POST", f"{API}/changesets", 1 * MB),
    ("", "", 64 * KB),
)


def limit_for(method: str, path: str) -> int:
    for m, prefix, most in LIMITS:
        if (not m or m == method) and path.startswith(prefix):
            return most
    return LIMITS[-1][2]


def _problem(status: int, problem: Problem, send, request_id: str):
    body = json.dumps(problem.model_dump(), ensure_ascii=False).encode("utf-8")

    async def go():
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"x-request-id", request_id.encode())]})
        await send({"type": "http.response.body", "body": body})
    return go()


# How long the server waits for the next piece of a body: a client that trickles a byte now and then holds a
# worker's connection for nothing (a slow link still sends a piece of a scan well within this).
BODY_WAIT = 30.0


class TooLarge(Exception):
    pass


class TooSlow(Exception):
    pass


def too_large(most: int) -> Problem:
    return Problem(code="request.too_large",
                   message_th=f"คำขอมีขนาดใหญ่เกินกว่าที่รับได้ ({most // KB:,} KB) กรุณาแบ่งส่งเป็นหลายครั้ง "
                              "หรือลดขนาดไฟล์แนบ",
                   message_en="The request body is larger than this endpoint accepts.", details={"limit": most})


def too_slow() -> Problem:
    return Problem(code="request.too_slow", message_th="การส่งข้อมูลช้าเกินไปจนหมดเวลา กรุณาตรวจสอบอินเทอร์เน็ตแล้วลองใหม่",
                   message_en="The request body arrived too slowly.")


class Guard:
    """Pure ASGI middleware: body limits and a Problem for every unexpected failure."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id = uuid.uuid4().hex[:16]
        most = limit_for(scope["method"], scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = most + 1
            if size > most:
                return await _problem(413, too_large(most), send, request_id)
        seen = 0
        started = False

        async def counted_receive():
            nonlocal seen
            try:
                message = await asyncio.wait_for(receive(), BODY_WAIT)
            except asyncio.TimeoutError:
                raise TooSlow() from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > most:
                    raise TooLarge()
            return message

        async def tracked_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except TooLarge:
            if not started:
                await _problem(413, too_large(most), send, request_id)
        except TooSlow:
            if not started:
                await _problem(408, too_slow(), send, request_id)
        except Exception as e:  # noqa: BLE001 — the door: whatever broke inside, the caller gets a Problem
            log.error("request %s %s %s failed: %s", request_id, scope["method"], scope["path"], type(e).__name__)
            if not started:
                await _problem(500, Problem(
                    code="server.error",
                    message_th=f"เซิร์ฟเวอร์กลางขัดข้อง งานของท่านยังอยู่ในเครื่อง กรุณาลองใหม่ภายหลัง "
                               f"หากยังไม่ได้ แจ้งผู้ดูแลพร้อมรหัส {request_id}",
                    message_en="The central server failed; try again later.", details={"request_id": request_id}),
                    send, request_id)
