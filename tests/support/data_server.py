"""A real HTTP server for data sources under test: each path serves what a test set, with an
optional header it insists on, a delay, or a redirect; every request is recorded."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    status: int = 200
    require: tuple[str, str] | None = None  # (header, value) the request must carry
    delay: float = 0.0
    location: str | None = None  # a redirect


@dataclass
class DataServer:
    pages: dict[str, Page] = field(default_factory=dict)
    requests: list[tuple[str, dict]] = field(default_factory=list)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                server.requests.append((self.path, dict(self.headers)))
                page = server.pages.get(self.path.split("?")[0])
                if page is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                if page.delay:
                    time.sleep(page.delay)
                if page.require and self.headers.get(page.require[0]) != page.require[1]:
                    self.send_response(401)
                    self.end_headers()
                    return
                self.send_response(page.status)
                if page.location:
                    self.send_header("Location", page.location)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def serve(self, path: str, body: str | bytes, **options) -> str:
        self.pages[path] = Page(body.encode() if isinstance(body, str) else body, **options)
        return self.url(path)

    def stop(self) -> None:
        self._server.shutdown()
