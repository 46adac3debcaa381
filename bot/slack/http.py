"""`POST /slack/events` before bolt sees it: signed, fresh, well-formed, and new.

- The signature and timestamp are checked first, so nothing unsigned is parsed and a header
  such as `X-Slack-Request-Timestamp: abc` is a 401, not a traceback.
- A signed request is acted on once: its signature is claimed in the database (shared by
  every replica) for as long as Slack's five-minute window; a replay gets an empty 200.
- The body is parsed here. bolt's own parser takes any form body that contains the word
  "payload" for an interactivity payload, so `/okr add Track payload delivery times` found no
  listener (404); a body that is signed but malformed (`payload={`) is a 400 with one log line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from urllib.parse import parse_qsl

from slack_bolt import App
from slack_bolt.context.context import BoltContext
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)
MAX_JSON_DEPTH = 64


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
    return body


def _json(text: str) -> object:
    if _depth(text) > MAX_JSON_DEPTH:
        raise Refused(400, "JSON nested too deep")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:  # ValueError: bad JSON, or an integer of thousands of digits
        raise Refused(400, f"malformed JSON ({type(error).__name__})") from None


def _depth(text: str) -> int:
    """How deep the brackets go (an upper bound: brackets inside strings count too)."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


class SlackEvents:
    """The WSGI endpoint for Slack's POSTs: check, claim, parse, then `app.dispatch`."""

    def __init__(self, app: App, signing_secret: str, claim: Callable[[str], bool]) -> None:
        self.app = app
        self.verifier = SignatureVerifier(signing_secret)
        self.claim = claim  # True the first time a key is claimed, across every replica

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
        if not self.verifier.is_valid(body=raw, timestamp=timestamp, signature=signature):
            raise Refused(401, "invalid or stale signature")
        body = parse_slack_body(raw, headers.get("content-type", ""))
        if not self.claim(f"sig:{signature}"):
            log.warning("slack: a replayed request (same signature) from %s was ignored", environ.get("REMOTE_ADDR", "?"))
            return 200, {"content-type": ["text/plain"]}, ""
        request = BoltRequest(body=raw.decode("utf-8"), query=environ.get("QUERY_STRING", ""), headers={k: [v] for k, v in headers.items()})
        if request.body != body:  # bolt's parser read the form differently ("payload" in a command's text)
            request.body = body
            request.context = build_context(BoltContext({}), body)
        try:
            response = self.app.dispatch(request)
        except Exception:
            log.exception("slack: dispatching a request failed")
            raise Refused(500, "internal error") from None
        return response.status, response.headers, response.body


def _headers(environ) -> dict[str, str]:
    found = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        found["content-type"] = environ["CONTENT_TYPE"]
    return found
