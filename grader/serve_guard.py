"""The local grading API's guards: who may call it (token, Origin, Host), how much (body size), how often (queue).

Pure ASGI pieces with no grading in them, so each rule is tested on its own (tests/test_site_serve.py).
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

MAX_BODY = 256 * 1024  # bytes of one request body; more gets 413
TOKEN_HEADER = "x-attnbank-token"
CLIENT_HEADER = "x-attnbank-client"  # a random id per browser tab; without one, the peer address is the client
RETRY_AFTER_S = 5

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]], Awaitable[None]]


def host_literal(host: str) -> str:
    """`host` as it appears in a URL or a Host header ([::1] for IPv6)."""
    return f"[{host}]" if ":" in host else host


async def send_error(send: Callable[..., Awaitable[Any]], status: int, message: str,
                     headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    """A JSON error `{"error": message}` with `status`."""
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """Refuses, with 403, any request whose Host is not the served loopback address or whose Origin is not the
    server's own (no DNS rebinding, no cross-site calls); /api/ calls also need the launch token, and a body
    over MAX_BODY gets 413 (by its Content-Length, or while it is read)."""

    def __init__(self, app: ASGIApp, host: str, port: int, token: str):
        self.app = app
        self.host = f"{host_literal(host)}:{port}"
        self.origin = f"http://{self.host}"
        self.token = token.encode()

    async def __call__(self, scope: Scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v for k, v in scope["headers"]}
        if headers.get("host", b"").decode("latin-1") != self.host:
            await send_error(send, 403, f"Host must be {self.host}")
            return
        origin = headers.get("origin")
        if origin is not None and origin.decode("latin-1") != self.origin:
            await send_error(send, 403, f"cross-origin requests are refused (Origin must be {self.origin})")
            return
        if scope["path"].startswith("/api/"):
            if not hmac.compare_digest(headers.get(TOKEN_HEADER, b""), self.token):
                await send_error(send, 403, "missing or wrong X-Attnbank-Token (open the URL `site serve` printed)")
                return
            length = headers.get("content-length", b"0")
            if not length.isdigit() or int(length) > MAX_BODY:
                await send_error(send, 413, f"request body over {MAX_BODY // 1024} KB")
                return
            receive = _limited(receive)
        await self.app(scope, receive, send)


class BodyTooLarge(Exception):
    """A streamed body grew past MAX_BODY (the endpoint answers 413)."""


def _limited(receive):
    seen = 0

    async def wrapped():
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > MAX_BODY:
            raise BodyTooLarge
        return message
    return wrapped


class Queue:
    """At most one grade per client at a time, one grade running at once, and at most `waiting` grades queued
    behind it; `enter` returns False when a request must be turned away (429)."""

    def __init__(self, waiting: int):
        self.capacity = 1 + waiting
        self.clients: set[str] = set()
        self.running = asyncio.Lock()

    def enter(self, client: str) -> bool:
        if client in self.clients or len(self.clients) >= self.capacity:
            return False
        self.clients.add(client)
        return True

    def leave(self, client: str) -> None:
        self.clients.discard(client)
