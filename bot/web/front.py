"""The front server: an asynchronous ASGI layer (served by uvicorn) in front of the WSGI app.

A threaded WSGI server gives each connection a thread while it reads the request body, so a
few clients that send headers and then trickle (or never send) their body hold every thread,
and nobody else is answered. Here the event loop reads each body, with a deadline and a size
cap, and only a complete request is handed to the thread pool. Idle and slow connections cost
a coroutine, not a thread; `/healthz` is answered on the loop itself.
"""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

log = logging.getLogger(__name__)
MAX_BODY = 1_000_000  # bytes: Slack's largest payloads are a few tens of kilobytes
BODY_TIMEOUT = 10.0  # seconds for the whole body once the headers are in
HEALTH = b'{"ok": true}'


class FrontServer:
    """ASGI: read the whole request on the event loop, then run the WSGI app in a thread."""

    def __init__(self, wsgi: Callable, *, threads: int = 8, max_body: int = MAX_BODY, body_timeout: float = BODY_TIMEOUT) -> None:
        self.wsgi = wsgi
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wsgi")
        self.max_body = max_body
        self.body_timeout = body_timeout

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"] == "/healthz":
            await _respond(send, 200, [(b"content-type", b"application/json")], HEALTH)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            log.warning("refused a %s-byte body from %s (limit %s)", declared, _client(scope), self.max_body)
            await _respond(send, 413, [(b"connection", b"close")], b"request body too large")
            return
        try:
            body = await asyncio.wait_for(self._body(receive), self.body_timeout)
        except asyncio.TimeoutError:
            log.warning("gave up on a slow request body from %s after %ss", _client(scope), self.body_timeout)
            await _respond(send, 408, [(b"connection", b"close")], b"request body too slow")
            return
        except _TooLarge:
            log.warning("refused a body over %s bytes from %s", self.max_body, _client(scope))
            await _respond(send, 413, [(b"connection", b"close")], b"request body too large")
            return
        except _Gone:
            return
        loop = asyncio.get_running_loop()
        status, headers, payload = await loop.run_in_executor(self.pool, self._call_wsgi, wsgi_environ(scope, body))
        await _respond(send, status, headers, payload)

    async def _body(self, receive) -> bytes:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Gone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _call_wsgi(self, environ: dict) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        started: dict = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
            started["status"], started["headers"] = status, headers
            return lambda data: None

        try:
            result = self.wsgi(environ, start_response)
            try:
                payload = b"".join(result)
            finally:
                getattr(result, "close", lambda: None)()
        except Exception:
            log.exception("request to %s failed", environ.get("PATH_INFO"))
            return 500, [(b"content-type", b"text/plain")], b"internal error"
        code = int(started["status"].split(" ", 1)[0])
        headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in started["headers"]
                   if name.lower() != "content-length"]
        return code, headers, payload

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.pool.shutdown(wait=False, cancel_futures=True)
                await send({"type": "lifespan.shutdown.complete"})
                return


class _TooLarge(Exception):
    pass


class _Gone(Exception):
    """The client left before its body was complete: there is no one to answer."""


async def _respond(send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    if not any(name == b"content-type" for name, _ in headers):
        headers.append((b"content-type", b"text/plain; charset=utf-8"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _content_length(scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _client(scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "?"


def wsgi_environ(scope, body: bytes) -> dict:
    """The PEP 3333 environ for a complete ASGI request."""
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    environ = {
        "REQUEST_METHOD": scope["method"], "SCRIPT_NAME": scope.get("root_path", ""),
        "PATH_INFO": scope["path"], "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": server[0], "SERVER_PORT": str(server[1]) if server[1] else "80",
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}", "REMOTE_ADDR": client[0], "REMOTE_PORT": str(client[1]),
        "CONTENT_LENGTH": str(len(body)), "wsgi.version": (1, 0), "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in scope["headers"]:
        key = name.decode("latin-1").upper().replace("-", "_")
        text = value.decode("latin-1")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = text
        elif key != "CONTENT_LENGTH":
            header = f"HTTP_{key}"
            environ[header] = f"{environ[header]},{text}" if header in environ else text
    return environ


def status_line(code: int) -> str:
    return f"{code} {HTTPStatus(code).phrase}"
