"""Socket Mode: the bot connects out to Slack and receives the same requests as envelopes.

The envelopes come over a connection the app opened with its app-level token, so there is no
signature to check; their shape is checked as an HTTP body's is (`bot.slack.http.shape_problem`),
and a malformed one is acknowledged and dropped with one log line instead of crashing bolt.
"""

from __future__ import annotations

import logging
from time import time

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.slack.http import shape_problem

log = logging.getLogger(__name__)


class CheckedSocketModeHandler(SocketModeHandler):
    def handle(self, client, req) -> None:  # type: ignore[override]
        started = time()
        payload = req.payload if isinstance(req.payload, dict) else None
        problem = "payload is not an object" if payload is None else shape_problem(payload)
        if problem is None:
            try:
                send_response(client, req, run_bolt_app(self.app, req), started)
                return
            except (KeyError, TypeError, AttributeError, IndexError, ValueError) as error:
                problem = f"malformed payload ({type(error).__name__}: {str(error)[:80]})"
        log.warning("slack: a Socket Mode %s envelope was dropped: %s", req.type, problem)
        client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
