"""Requests the way Slack sends them: form-encoded or JSON, signed with the signing secret."""

from __future__ import annotations

import hashlib
import itertools
import hmac
import json
import time
from urllib.parse import urlencode

import requests

SIGNING_SECRET = "test-signing-secret"
_TRIGGERS = itertools.count(1)


def signature_headers(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{stamp}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


class Sender:
    """What Slack sends the bot, built once; how it travels is the subclass's: signed HTTP
    (`SlackSender`) or a Socket Mode envelope (`support.socket_requests.SocketSender`)."""

    transport = "?"
    team_id: str

    def command(self, command: str, text: str = "", *, user: str = "UOWNER", user_name: str = "owner",
                response_url: str = "http://127.0.0.1:9/unused", trigger_id: str | None = None, **options):
        form = {
            "token": "legacy", "team_id": self.team_id, "team_domain": "acme", "channel_id": "C1", "channel_name": "general",
            "user_id": user, "user_name": user_name, "command": command, "text": text, "api_app_id": "A1",
            "response_url": response_url, "trigger_id": trigger_id or f"trigger-{next(_TRIGGERS)}",  # unique per request, as Slack's
        }
        return self.send_command(form, **options)

    def interaction(self, payload: dict, **options):
        return self.send_interaction({"team": {"id": self.team_id, "domain": "acme"}, "api_app_id": "A1", **payload}, **options)

    def button(self, action_id: str, value: str, *, user: str = "UOWNER", trigger_id: str | None = None):
        return self.interaction({
            "type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "trigger_id": trigger_id or f"trigger-{next(_TRIGGERS)}", "container": {"type": "view", "view_id": "VHOME"},
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value, "action_ts": str(time.time())}],
        })

    def submit_view(self, view: dict, values: dict, *, user: str = "UOWNER", view_id: str = "V1"):
        state = {"values": values}
        return self.interaction({
            "type": "view_submission", "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "trigger_id": f"trigger-{next(_TRIGGERS)}", "view": {**view, "id": view_id, "state": state, "team_id": self.team_id},
        })

    def event(self, event: dict, *, event_id: str = "Ev1", retry_num: int | None = None):
        body = {"token": "legacy", "team_id": self.team_id, "api_app_id": "A1", "type": "event_callback",
                "event_id": event_id, "event_time": int(time.time()), "event": event}
        return self.send_event(body, retry_num)

    def send_command(self, form: dict, **options):
        raise NotImplementedError

    def send_interaction(self, payload: dict, **options):
        raise NotImplementedError

    def send_event(self, body: dict, retry_num: int | None):
        raise NotImplementedError


class SlackSender(Sender):
    """Sends signed slash commands, interactivity payloads and events to the bot over HTTP."""

    transport = "http"

    def __init__(self, url: str, team_id: str = "T1", secret: str = SIGNING_SECRET) -> None:
        self.url = url
        self.team_id = team_id
        self.secret = secret

    def post(self, body: bytes, content_type: str, *, timestamp: int | None = None, secret: str | None = None,
             extra_headers: dict | None = None) -> requests.Response:
        headers = {"Content-Type": content_type, **signature_headers(body, secret or self.secret, timestamp), **(extra_headers or {})}
        return requests.post(self.url, data=body, headers=headers, timeout=15)

    def send_command(self, form: dict, **options) -> requests.Response:
        return self.post(urlencode(form).encode(), "application/x-www-form-urlencoded", **options)

    def send_interaction(self, payload: dict, **options) -> requests.Response:
        return self.post(urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded", **options)

    def send_event(self, body: dict, retry_num: int | None) -> requests.Response:
        extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else None
        return self.post(json.dumps(body).encode(), "application/json", extra_headers=extra)


def text_input(value: str | None) -> dict:
    return {"type": "plain_text_input", "value": value}


def select(value: str | None) -> dict:
    return {"type": "static_select", "selected_option": {"value": value} if value else None}


def reply_text(response: requests.Response) -> str:
    """The mrkdwn of an ephemeral command reply, checked for shape on the way."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert "Traceback" not in response.text
    return "\n".join(block["text"]["text"] for block in body["blocks"] if block["type"] in ("section", "context") and "text" in block)
