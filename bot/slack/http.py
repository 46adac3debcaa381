"""`POST /slack/events` before bolt sees it: signed, fresh, well-formed, and new.

- The signature and timestamp are checked first, so nothing unsigned is parsed and a header
  such as `X-Slack-Request-Timestamp: abc` is a 401, not a traceback.
- A signed request is acted on once: its signature is claimed in the database (shared by
  every replica) for as long as Slack's five-minute window; a replay gets an empty 200. A
  slash command's claim is handed to its listener (`context["delivery"]`), which takes it in
  the transaction that does the command's work, so the two commit together, once.
- The body is parsed here. bolt's own parser takes any form body that contains the word
  "payload" for an interactivity payload, so `/okr add Track payload delivery times` found no
  listener (404); a body that is signed but malformed (`payload={`) is a 400 with one log line.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from urllib.parse import parse_qsl

from slack_bolt import App
from slack_bolt.context.context import BoltContext
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context

from bot.services.deliveries import Delivery
from bot.web.json_depth import MAX_JSON_DEPTH, json_depth

log = logging.getLogger(__name__)
MAX_AGE = 5 * 60  # seconds: Slack's window for a request's timestamp


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def parse_slack_body(raw: bytes, content_type: str) -> dict:
    """What Slack sent: a JSON event, an interactivity `payload=…`, or a slash command's form."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None
    if content_type.split(";")[0].strip().lower() == "application/json" or text.lstrip().startswith("{"):
        body = _json(text)
    else:
        form = dict(parse_qsl(text, keep_blank_values=True))
        body = _json(form["payload"]) if "payload" in form else form
    if not isinstance(body, dict):
        raise Refused(400, "body is not an object")
    if (problem := shape_problem(body)) is not None:
        raise Refused(400, problem)
    return body


def shape_problem(body: dict) -> str | None:
    """What is wrong with the shape of a request of a kind the bot answers, or None. bolt reads
    these fields while it matches listeners, and a signed body without them made it crash."""
    def text(value) -> bool:
        return isinstance(value, str)

    def mapping(value) -> bool:
        return isinstance(value, dict)

    kind = body.get("type")
    if "command" in body and kind is None:
        return None if text(body["command"]) and text(body.get("text", "")) and text(body.get("user_id", "")) else "malformed command"
    if kind == "block_actions":
        actions = body.get("actions")
        fine = isinstance(actions, list) and actions and all(mapping(a) and text(a.get("action_id")) for a in actions)
        return None if fine and mapping(body.get("user")) else "malformed block_actions"
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        fine = mapping(view) and text(view.get("type")) and text(view.get("callback_id", "")) and mapping(view.get("state", {}))
        return None if fine and mapping(body.get("user")) else f"malformed {kind}"
    if kind == "event_callback":
        return None if mapping(body.get("event")) and text(body["event"].get("type")) else "malformed event_callback"
    if kind == "url_verification":
        return None if text(body.get("challenge")) else "malformed url_verification"
    if kind in ("shortcut", "message_action", "block_suggestion", "interactive_message", "app_rate_limited"):
        return None
    return "not a request the bot answers"


def _json(text: str) -> object:
    if json_depth(text) > MAX_JSON_DEPTH:
        raise Refused(400, "JSON nested too deep")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:  # ValueError: bad JSON, or an integer of thousands of digits
        raise Refused(400, f"malformed JSON ({type(error).__name__})") from None


class SlackEvents:
    """The WSGI endpoint for Slack's POSTs: check, claim, parse, then `app.dispatch`."""

    def __init__(self, app: App, signing_secret: str, delivery: Callable[[str], Delivery]) -> None:
        self.app = app
        self.secret = signing_secret.encode()
        self.delivery = delivery  # a request's claim, by key: the first claim wins, across every replica
        self.clock = time.time

    def _signature(self, timestamp: str, raw: bytes) -> str:
        """Slack's v0 signature, over the body's bytes as sent (slack-sdk's verifier decodes the
        body first, so a signed body that is not UTF-8 raised instead of being refused)."""
        digest = hmac.new(self.secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
        return f"v0={digest}"

    def __call__(self, environ, start_response):
        try:
            status, headers, body = self._handle(environ)
        except Refused as refused:
            log.warning("slack: %s from %s refused: %s", environ.get("PATH_INFO"), environ.get("REMOTE_ADDR", "?"), refused.reason)
            status, headers, body = refused.status, {"content-type": ["text/plain"]}, refused.reason
        payload = body.encode("utf-8") if isinstance(body, str) else body
        start_response(f"{status} {'OK' if status == 200 else 'Refused'}",
                       [(name, value) for name, values in headers.items() for value in values])
        return [payload]

    def _handle(self, environ):
        raw = environ["wsgi.input"].read()
        headers = _headers(environ)
        timestamp, signature = headers.get("x-slack-request-timestamp", ""), headers.get("x-slack-signature", "")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12 and signature):
            raise Refused(401, "missing or malformed signature headers")
        if abs(self.clock() - int(timestamp)) > MAX_AGE or not hmac.compare_digest(self._signature(timestamp, raw), signature):
            raise Refused(401, "invalid or stale signature")
        body = parse_slack_body(raw, headers.get("content-type", ""))
        delivery = self.delivery(f"sig:{signature}")
        is_command = "command" in body and body.get("type") is None
        if not is_command and not delivery.claim():  # a command's listener claims it (see the module's docstring)
            return self._replayed(environ)
        request = BoltRequest(body=raw.decode("utf-8"), query=environ.get("QUERY_STRING", ""), headers={k: [v] for k, v in headers.items()})
        if request.body != body:  # bolt's parser read the form differently ("payload" in a command's text)
            request.body = body
            request.context = build_context(BoltContext({}), body)
        request.context["delivery"] = delivery
        try:
            response = self.app.dispatch(request)
        except (KeyError, TypeError, AttributeError, IndexError, ValueError) as error:
            # bolt reads a payload's fields while matching listeners (a view without a "type"):
            # a signed body of the wrong shape is the sender's mistake, not a crash of ours.
            raise Refused(400, f"malformed payload ({type(error).__name__}: {str(error)[:80]})") from None
        except Exception:
            log.exception("slack: dispatching a request failed")
            raise Refused(500, "internal error") from None
        if delivery.fresh is False:
            return self._replayed(environ)
        return response.status, response.headers, response.body

    @staticmethod
    def _replayed(environ):
        log.warning("slack: a replayed request (same signature) from %s was ignored", environ.get("REMOTE_ADDR", "?"))
        return 200, {"content-type": ["text/plain"]}, ""


def _headers(environ) -> dict[str, str]:
    found = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        found["content-type"] = environ["CONTENT_TYPE"]
    return found
