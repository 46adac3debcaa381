"""The same requests as `SlackSender`'s, delivered as Socket Mode envelopes; the app's
acknowledgement stands in for the HTTP response, so the same tests read both."""

from __future__ import annotations

import json

from support.slack_requests import Sender
from support.socket_mode_emulator import SocketModeEmulator


class Acknowledged:
    """An envelope's acknowledgement, shaped like the HTTP response a test reads."""

    def __init__(self, ack: dict | None) -> None:
        self.status_code = 200 if ack is not None else 504  # no acknowledgement: Slack would show a timeout
        self._body = (ack or {}).get("payload") or {}
        self.text = json.dumps(self._body) if self._body else ""

    def json(self) -> dict:
        return self._body


class SocketSender(Sender):
    transport = "socket"

    def __init__(self, socket: SocketModeEmulator, team_id: str = "T1") -> None:
        self.socket = socket
        self.team_id = team_id

    def _deliver(self, kind: str, payload: dict, retry_attempt: int = 0) -> Acknowledged:
        return Acknowledged(self.socket.ack(self.socket.send(kind, payload, retry_attempt=retry_attempt)))

    def send_command(self, form: dict, **options) -> Acknowledged:
        return self._deliver("slash_commands", form)

    def send_interaction(self, payload: dict, **options) -> Acknowledged:
        return self._deliver("interactive", payload)

    def send_event(self, body: dict, retry_num: int | None) -> Acknowledged:
        return self._deliver("events_api", body, retry_num or 0)
