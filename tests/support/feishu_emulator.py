"""A local Feishu Open API, and a sender of signed (and encrypted) events: what the Slack
emulator is for Slack. It serves the calls the bot makes (tenant_access_token, messages
create and reply with Feishu's uuid de-duplication, image upload) and records them."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

VERIFICATION_TOKEN = "feishu-verification-token"
ENCRYPT_KEY = "feishu-encrypt-key"
APP_ID, APP_SECRET = "cli_test_app", "feishu-app-secret"


@dataclass
class Sent:
    path: str
    query: dict
    body: dict
    message_id: str


class FeishuEmulator:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.failures: list[int] = []  # codes the next message calls answer with
        self._uuids: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                reply = emulator._handle(self.path, self.headers, raw)
                body = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()

    def reset(self) -> None:
        with self._lock:
            self.sent, self.failures, self._uuids = [], [], {}

    def _handle(self, path: str, headers, raw: bytes) -> dict:
        parts = urlsplit(path)
        if parts.path.endswith("/auth/v3/tenant_access_token/internal"):
            return {"code": 0, "msg": "ok", "tenant_access_token": "t-test-token", "expire": 7200}
        if headers.get("Authorization") != "Bearer t-test-token":
            return {"code": 99991663, "msg": "invalid access token"}
        if parts.path.endswith("/im/v1/images"):
            return {"code": 0, "msg": "ok", "data": {"image_key": f"img_{next(self._ids)}"}}
        body = json.loads(raw or b"{}")
        with self._lock:
            if self.failures:
                code = self.failures.pop(0)
                return {"code": code, "msg": "injected failure"}
            uuid = body.get("uuid")
            if uuid and uuid in self._uuids:  # Feishu: the same uuid within an hour sends nothing new
                return {"code": 0, "msg": "ok", "data": {"message_id": self._uuids[uuid]}}
            message_id = f"om_{next(self._ids)}"
            if uuid:
                self._uuids[uuid] = message_id
            self.sent.append(Sent(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}, body, message_id))
        return {"code": 0, "msg": "ok", "data": {"message_id": message_id}}

    # -- inspection --------------------------------------------------------------------------
    def cards_to(self, receive_id: str) -> list[dict]:
        return [json.loads(s.body["content"]) for s in self.sent if s.body.get("receive_id") == receive_id]

    def replies_to(self, message_id: str) -> list[dict]:
        return [json.loads(s.body["content"]) for s in self.sent if s.path.endswith(f"/messages/{message_id}/reply")]

    def wait_for(self, predicate, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.05)
        return predicate(self)


def card_text(card: dict) -> str:
    """Every markdown and plain text in a card, in order."""
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("tag") in ("markdown", "plain_text", "lark_md") and isinstance(node.get("content"), str):
                found.append(node["content"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return "\n".join(found)


def encrypt(plaintext: str, key: str = ENCRYPT_KEY) -> str:
    """Feishu's event encryption: AES-256-CBC under sha256(key), a random IV in front, base64."""
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(plaintext.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(hashlib.sha256(key.encode()).digest()), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(data) + encryptor.finalize()).decode()


class FeishuSender:
    """Posts events to the bot as Feishu does: schema 2.0, encrypted, signed, timestamped."""

    def __init__(self, url: str, tenant: str = "tenant1", chat: str = "oc_testchat0001") -> None:
        self.url, self.tenant, self.chat = url, tenant, chat
        self._ids = itertools.count(1)

    def signed(self, event_type: str, event: dict, *, event_id: str | None = None, timestamp: int | None = None,
               key: str = ENCRYPT_KEY) -> requests.Response:
        envelope = {"schema": "2.0", "header": {"event_id": event_id or f"ev_{time.time_ns()}_{next(self._ids)}", "event_type": event_type,
                                                "create_time": str(int(time.time() * 1000)), "token": VERIFICATION_TOKEN,
                                                "app_id": APP_ID, "tenant_key": self.tenant}, "event": event}
        body = json.dumps({"encrypt": encrypt(json.dumps(envelope), key)}).encode()
        stamp, nonce = str(timestamp if timestamp is not None else int(time.time())), f"n{next(self._ids)}"
        signature = hashlib.sha256((stamp + nonce + key).encode() + body).hexdigest()
        headers = {"Content-Type": "application/json", "X-Lark-Request-Timestamp": stamp, "X-Lark-Request-Nonce": nonce,
                   "X-Lark-Signature": signature}
        return requests.post(self.url, data=body, headers=headers, timeout=10)

    def say(self, text: str, *, user: str = "ou_owner000000001", name: str = "owner", chat: str | None = None, chat_type: str = "group",
            mentions: dict[str, tuple[str, str]] | None = None) -> tuple[requests.Response, str]:
        """A text message to the bot (mentioned first, as in a group); `mentions` maps "@_user_2" to (open_id, name)."""
        message_id = f"om_in_{time.time_ns()}"
        people = [{"key": "@_user_1", "id": {"open_id": "ou_bot0000000000"}, "name": "perfbot"}]
        people += [{"key": key, "id": {"open_id": open_id}, "name": who} for key, (open_id, who) in (mentions or {}).items()]
        event = {"sender": {"sender_id": {"open_id": user}, "sender_type": "user", "tenant_key": self.tenant},
                 "message": {"message_id": message_id, "chat_id": chat or self.chat, "chat_type": chat_type, "message_type": "text",
                             "content": json.dumps({"text": f"@_user_1 {text}"}), "mentions": people}}
        return self.signed("im.message.receive_v1", event), message_id

    def act(self, value: dict | None = None, form: dict | None = None, *, user: str = "ou_owner000000001") -> requests.Response:
        """A click on a card button (`value`) or a form submission (`form`)."""
        action = {"tag": "button", "value": value or {}}
        if form is not None:
            action = {"tag": "button", "name": "submit", "form_value": form, "value": value or {}}
        event = {"operator": {"open_id": user, "tenant_key": self.tenant}, "token": f"c-{time.time_ns()}", "action": action,
                 "context": {"open_message_id": "om_card", "open_chat_id": self.chat}}
        return self.signed("card.action.trigger", event)
