"""A local Slack Socket Mode endpoint: what `apps.connections.open` points the bot at.

It speaks the protocol as Slack documents it: on connect a `hello`; then envelopes
(`slash_commands`, `interactive`, `events_api`) each with an `envelope_id`, which the app
acknowledges by sending back `{"envelope_id": …, "payload": …}`; a `disconnect` with reason
`refresh_requested` asks the app to open a new connection. Tests send envelopes and read the
acknowledgements, as Slack would forward them to the user.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


class SocketModeEmulator:
    def __init__(self) -> None:
        self._server = None
        self._thread: threading.Thread | None = None
        self._connections: list[ServerConnection] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._changed = threading.Condition()
        self._ids = itertools.count(1)
        self.hellos = 0  # connections greeted: one more after each refresh or drop

    def __enter__(self) -> SocketModeEmulator:
        self._server = serve(self._handle, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="socket-mode-emulator")
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket={next(self._ids)}"

    # ---- the protocol -------------------------------------------------------------------------
    def _handle(self, connection: ServerConnection) -> None:
        with self._changed:
            self._connections.append(connection)
            self.hellos += 1
            self._changed.notify_all()
        connection.send(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"},
                                    "debug_info": {"host": "emulator", "approximate_connection_time": 18060}}))
        try:
            for message in connection:
                data = json.loads(message)
                if "envelope_id" in data:
                    with self._changed:
                        self._acks[data["envelope_id"]] = data
                        self._changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                if connection in self._connections:
                    self._connections.remove(connection)
                self._changed.notify_all()

    def wait_connected(self, greeted: int = 1, timeout: float = 30) -> bool:
        """Until `greeted` connections have been opened in all and one is open now."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (self.hellos >= greeted and self._connections):
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    return False
            return True

    def send(self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0) -> str:
        """Deliver an envelope on the newest open connection; returns its id."""
        if not self.wait_connected():
            raise RuntimeError("the app is not connected")
        envelope_id = f"env-{next(self._ids)}"
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload, "accepts_response_payload": kind != "events_api",
                    "retry_attempt": retry_attempt, "retry_reason": ""}
        with self._changed:
            connection = self._connections[-1]
        connection.send(json.dumps(envelope))
        return envelope_id

    def ack(self, envelope_id: str, timeout: float = 15) -> dict[str, Any] | None:
        """The app's acknowledgement of an envelope (with its response payload, if any)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while envelope_id not in self._acks:
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    return None
            return self._acks[envelope_id]

    def request_refresh(self) -> None:
        """Slack's periodic `disconnect` (reason refresh_requested): the app must reconnect."""
        with self._changed:
            connection = self._connections[-1]
        connection.send(json.dumps({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "emulator"}}))

    def drop(self) -> None:
        """The connection breaks without a word (a network hiccup): the app must reconnect."""
        with self._changed:
            connection = self._connections[-1]
        connection.close()
