"""`attnbank site serve`: the built site plus a local grading API, on loopback only.

Built on Starlette (routing, request parsing, static files with no directory listing and no path escapes) served
by uvicorn (a maintained HTTP/1.1 server on h11); the standard library's http.server is not meant for this.
Endpoints (none takes a path): `POST /api/grade` grades code through the same sandbox as `attnbank grade` and
returns exactly what `attnbank grade --json` prints; `GET /api/progress` is the practice status in site terms;
`GET /api/grades` summarises the grade log per question (latest result, attempts, passes) for the progress page.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .errors import AttnbankError
from .schema import KEBAB
from .serve_guard import CLIENT_HEADER, MAX_BODY, RETRY_AFTER_S, BodyTooLarge, Guard, Queue, host_literal
from .vocab import DTYPES
from .workspace import starter_path

LOOPBACK = ("127.0.0.1", "::1")
DEVICES = ("cpu", "cuda")
WAITING = 4  # grades queued behind the running one before 429


class BadRequest(Exception):
    """The request body is not a valid grade request; the message says why (400)."""


def new_token() -> str:
    """A fresh random token for one launch."""
    return secrets.token_urlsafe(24)


def parse_grade_request(body: bytes) -> tuple[str, str, dict[str, Any]]:
    """(question id, source code, Settings keywords) from a `POST /api/grade` body, or BadRequest."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body is not JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    unknown = set(data) - {"question", "code", "dtype", "device", "seed"}
    if unknown:
        raise BadRequest(f"unknown field(s): {', '.join(sorted(unknown))}")
    qid, code = data.get("question"), data.get("code")
    if not isinstance(qid, str) or not isinstance(code, str):
        raise BadRequest('"question" and "code" must be strings')
    if not re.fullmatch(KEBAB, qid):
        raise BadRequest('"question" must be a question id such as sdpa')
    # no "dtype": a plain grade (float32 plus the dtype-contract passes), as `attnbank grade` without --dtype
    settings = {"dtype": data.get("dtype", "float32"), "device": data.get("device", "cpu"),
                "seed": data.get("seed", 0), "contract": "dtype" not in data}
    if settings["dtype"] not in DTYPES:
        raise BadRequest(f'"dtype" must be one of {", ".join(DTYPES)}')
    if settings["device"] not in DEVICES:
        raise BadRequest(f'"device" must be one of {", ".join(DEVICES)}')
    if type(settings["seed"]) is not int:
        raise BadRequest('"seed" must be an integer')
    return qid, code, settings


def grade_source(qid: str, code: str, settings: dict[str, Any]) -> tuple[str, str]:
    """Grade `code` from a temporary file (deleted afterwards) as `attnbank grade --json` would, and log it in
    the progress database as the CLI does; returns (the JSON it prints, the progress line)."""
    from .grade import grade
    from .outcome import Settings
    from .practice.record import record_cli_grade
    from .report import as_json

    with tempfile.TemporaryDirectory(prefix="attnbank-site-") as tmp:
        file = starter_path(Path(tmp), qid)
        file.write_text(code, encoding="utf-8")
        verdict = grade(qid, file, Settings(**settings))
    return as_json(verdict), record_cli_grade(qid, verdict)


def create_app(site: Path, host: str, port: int, token: str, waiting: int = WAITING) -> Guard:
    """The ASGI app: `site` (a built site folder) at /, the API under /api/, all behind the Guard."""
    queue = Queue(waiting)

    async def grade_endpoint(request: Request) -> Response:
        try:
            body = await request.body()
        except BodyTooLarge:
            return JSONResponse({"error": f"request body over {MAX_BODY // 1024} KB"}, status_code=413)
        try:
            qid, code, settings = parse_grade_request(body)
        except BadRequest as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        client = request.headers.get(CLIENT_HEADER, "")[:64] or (request.client.host if request.client else "")
        if not queue.enter(client):
            return JSONResponse({"error": "a grade of yours is running, or the queue is full: retry shortly"},
                                status_code=429, headers={"Retry-After": str(RETRY_AFTER_S)})
        try:
            async with queue.running:
                text, progress = await run_in_threadpool(grade_source, qid, code, settings)
        except AttnbankError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        finally:
            queue.leave(client)
        line = progress.encode("ascii", "backslashreplace").decode()  # a header is ASCII; the path may not be
        return Response(text, media_type="application/json", headers={"X-Attnbank-Progress": line})

    async def progress_endpoint(request: Request) -> Response:
        from .sitegen import practice_status

        status, _ = practice_status(True)
        return JSONResponse({"status": status})

    async def grades_endpoint(request: Request) -> Response:
        from .practice.store import StoreError, grade_summary

        try:
            grades = await run_in_threadpool(grade_summary)
        except StoreError as exc:
            return JSONResponse({"error": str(exc)}, status_code=500)
        return JSONResponse({"grades": grades})

    app = Starlette(routes=[
        Route("/api/grade", grade_endpoint, methods=["POST"]),
        Route("/api/progress", progress_endpoint, methods=["GET"]),
        Route("/api/grades", grades_endpoint, methods=["GET"]),
        Mount("/", StaticFiles(directory=site, html=True)),
    ])
    return Guard(app, host, port, token)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on loopback `host`:`port` (0: any free port); a usage error for any other host."""
    if host not in LOOPBACK:
        raise AttnbankError(f"--host {host}: the grading server listens on loopback only ({' or '.join(LOOPBACK)})")
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise AttnbankError(f"cannot serve on {host_literal(host)}:{port}: {exc.strerror} (try --port 0)") from None
    sock.listen(64)
    return sock


def url(sock: socket.socket, token: str) -> str:
    """The address to open: the token rides in the fragment, which the browser never sends to a server."""
    host, port = sock.getsockname()[:2]
    return f"http://{host_literal(host)}:{port}/#token={quote(token, safe='')}"


def serve(site: Path, sock: socket.socket, token: str) -> None:
    """Serve until interrupted (Ctrl-C stops cleanly)."""
    import uvicorn

    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(create_app(site, host, port, token), log_level="warning", access_log=False,
                            server_header=False)
    uvicorn.Server(config).run(sockets=[sock])
