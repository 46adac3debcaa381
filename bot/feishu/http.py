"""`POST /feishu/events` before lark-oapi sees it: signed, fresh, and new.

With an encrypt key (recommended), Feishu signs every event: sha256(timestamp + nonce + key +
body). The signature and the timestamp's age (five minutes at most) are checked here, so a
forged or stale event is a 401 and nothing of it is read; a signed event seen before (a replay,
or Feishu's own retry) is acknowledged and not acted on again. lark-oapi then decrypts it,
checks the verification token, answers the URL check, and calls the edge."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable

import lark_oapi as lark
from lark_oapi.core.model import RawRequest

from bot.feishu.events import FeishuEdge

log = logging.getLogger(__name__)
MAX_AGE = 5 * 60
EVENTS_PATH = "/feishu/events"


class FeishuEvents:
    def __init__(self, edge: FeishuEdge, encrypt_key: str, verification_token: str, claim: Callable[[str], bool]) -> None:
        self.encrypt_key, self.claim = encrypt_key, claim
        self.dispatcher = (lark.EventDispatcherHandler.builder(encrypt_key, verification_token, lark.LogLevel.WARNING)
                           .register_p2_im_message_receive_v1(edge.on_message)
                           .register_p2_card_action_trigger(edge.on_card).build())

    def __call__(self, environ, start_response):
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items() if key.startswith("HTTP_")}
        if self.encrypt_key:
            refusal = self._refusal(headers, raw)
            if refusal:
                log.warning("refused a Feishu request: %s", refusal)
                return _answer(start_response, "401 Unauthorized", {"msg": refusal})
            if not self.claim(f"feishu-signature:{headers.get('X-Lark-Signature')}"):
                return _answer(start_response, "200 OK", {"msg": "success"})  # seen before: acknowledged, not acted on
        request = RawRequest()
        request.uri, request.body, request.headers = environ.get("PATH_INFO", ""), raw, headers
        response = self.dispatcher.do(request)
        status = "200 OK" if response.status_code == 200 else "400 Bad Request"
        return _answer(start_response, status, None, response.content or b"")

    def _refusal(self, headers: dict, raw: bytes) -> str | None:
        stamp, nonce, signature = (headers.get(name) for name in ("X-Lark-Request-Timestamp", "X-Lark-Request-Nonce", "X-Lark-Signature"))
        if not (stamp and nonce and signature):
            return "unsigned"
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > MAX_AGE:
            return "stale or malformed timestamp"
        expected = hashlib.sha256((stamp + nonce + self.encrypt_key).encode() + raw).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return "bad signature"
        return None


def _answer(start_response, status: str, body: dict | None, raw: bytes = b""):
    payload = json.dumps(body).encode() if body is not None else raw
    start_response(status, [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(payload)))])
    return [payload]
