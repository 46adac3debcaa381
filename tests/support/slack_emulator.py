"""A local Slack Web API emulator for tests.

Why: mocking ``WebClient`` methods hides the bugs that bite in production (wrong
argument shapes, too many blocks, retries on 429/500, files_upload_v2's three-step
dance).  This module runs a real HTTP server on 127.0.0.1 so slack-sdk's own
``WebClient(base_url=emulator.base_url)`` and Bolt's ``respond()`` go through their
real serialisation and retry code.  Stdlib only, so it works in any test env.
"""

from __future__ import annotations

import email.parser
import itertools
import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

# Form-encoded requests carry these as JSON strings; decode them so `args` look the
# same whether slack-sdk sent JSON or form data (and validation sees real lists).
_JSON_FIELDS = ("blocks", "attachments", "view", "files", "metadata")
MAX_MESSAGE_BLOCKS, MAX_VIEW_BLOCKS, MAX_TEXT = 50, 100, 40_000


@dataclass(frozen=True)
class Call:
    """One recorded Web API request. ``error`` is the Slack error code, if any."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]  # lower-cased header names
    status: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


_Reply = tuple[int, dict[str, Any], dict[str, str]]  # (HTTP status, JSON body, extra headers)


def bot_token_for(team_id: str) -> str:
    return f"xoxb-{team_id}-emulated"


def installed_team(token: str) -> str | None:
    parts = token.split("-")
    return parts[1] if len(parts) == 3 and parts[0] == "xoxb" and parts[2] == "emulated" else None


def _err(code: str, status: int = 200) -> _Reply:
    """Slack reports most errors as HTTP 200 with ok=false."""
    return status, {"ok": False, "error": code}, {}


def _block_error(blocks: Any, limit: int) -> str | None:
    """Mirror Slack's Block Kit checks that real bots trip over."""
    if not isinstance(blocks, list) or len(blocks) > limit:
        return "invalid_blocks"
    for block in blocks:
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            return "invalid_blocks"
        text = (block.get("text") or {}).get("text", "") if isinstance(block.get("text"), dict) else ""
        if block["type"] == "section":
            fields = [f.get("text", "") for f in block.get("fields") or [] if isinstance(f, dict)]
            if len(text) > 3000 or any(len(f) > 2000 for f in fields):
                return "invalid_blocks"
        if block["type"] == "header" and len(text) > 150:
            return "invalid_blocks"
    return None


def _message_error(args: dict[str, Any], limit: int = MAX_MESSAGE_BLOCKS) -> str | None:
    """Checks shared by chat.* methods and response_url posts."""
    if args.get("blocks") is not None and (err := _block_error(args["blocks"], limit)):
        return err
    if len(str(args.get("text") or "")) > MAX_TEXT:
        return "msg_too_long"  # Slack's code for over-long text
    return None


class SlackEmulator:
    """In-process fake of slack.com/api plus response_url and file-upload endpoints."""

    def __init__(self, team_id: str = "T0001", team_name: str = "Acme", bot_user_id: str = "UBOT",
                 timezone: str = "Asia/Shanghai") -> None:
        self.team_id, self.team_name, self.bot_user_id, self.timezone = team_id, team_name, bot_user_id, timezone
        self.bot_id = "B" + bot_user_id.lstrip("U")
        self.domain = "".join(c for c in team_name.lower() if c.isalnum()) or "team"
        self.rate_limit_per_channel: float | None = None
        self.post_delay: float = 0.0  # seconds each chat.postMessage takes (to catch a process mid fan-out)
        self.socket_mode = None  # a SocketModeEmulator: where apps.connections.open sends an app
        self.calls: list[Call] = []
        self._lock = threading.RLock()
        self._users: dict[str, dict[str, str]] = {}
        self._usergroups: dict[str, list[str]] = {}  # group id -> user ids
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # ---- lifecycle -------------------------------------------------------------
    def start(self) -> SlackEmulator:
        """Bind an ephemeral port (no clashes between parallel test runs) and serve."""
        if self._server is None:
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
            self._server.daemon_threads = True
            # A short poll interval keeps stop() (and so each test's teardown) fast.
            self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                            daemon=True, name="slack-emulator")
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SlackEmulator not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def base_url(self) -> str:
        """Pass to WebClient(base_url=...); the trailing slash matters to slack-sdk."""
        return self.root_url + "api/"

    def response_url(self, key: str = "default") -> str:
        """A URL that records JSON posts, to use as a slash command's response_url."""
        return f"{self.root_url}response/{key}"

    # ---- configuration ---------------------------------------------------------
    def reset(self) -> None:
        """Forget calls, responses, uploads and failure injections (users are kept)."""
        with self._lock:
            self.calls = []
            self._responses: dict[str, list[dict]] = {}
            self._rejected: dict[str, list[dict]] = {}
            self._failures: dict[str, list[list[Any]]] = {}  # method -> queue of [status, remaining, retry_after]
            self._uploads: dict[str, dict[str, Any]] = {}
            self._completed: list[tuple[str, bytes, dict[str, Any]]] = []
            self._last_post: dict[str, float] = {}
            self._ids = itertools.count(1)
            self._last_ts = 0
            self._history: dict[str, list[dict]] = {}  # channel -> messages, oldest first
            self._revoked: dict[str, str] = {}  # token -> the error Slack now answers with

    def fail_next(self, method: str, *, status: int = 500, times: int = 1,
                  retry_after: int | None = None) -> None:
        """Make the next `times` calls to `method` fail, to exercise retry paths.
        Calls queue up: `fail_next(m, status=500)` then `fail_next(m, status=429)` fails twice, in that order."""
        with self._lock:
            self._failures.setdefault(method, []).append([status, times, retry_after])

    def revoke(self, token: str, error: str = "invalid_auth") -> None:
        """Every later call with `token` fails as Slack's do after an uninstall (invalid_auth,
        account_inactive, token_revoked)."""
        with self._lock:
            self._revoked[token] = error

    def history(self, channel: str) -> list[dict]:
        """The messages posted to `channel` (a user id means their DM), oldest first."""
        with self._lock:
            return list(self._history.get("D" + channel if channel[:1] in "UW" else channel, []))

    def set_user(self, user_id: str, *, name: str, real_name: str | None = None,
                 locale: str = "en-US", tz: str | None = None) -> None:
        """Define what users.info returns for `user_id`."""
        with self._lock:
            self._users[user_id] = {"name": name, "real_name": real_name or name, "locale": locale,
                                    "tz": tz or self.timezone}

    def set_usergroup(self, group_id: str, users: list[str]) -> None:
        """Define who `usergroups.users.list` says is in `group_id`."""
        with self._lock:
            self._usergroups[group_id] = list(users)

    # ---- inspection --------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        """Successful calls only, so rejected/failed attempts never count as sent."""
        with self._lock:
            return [c for c in self.calls if c.method == method and c.ok]

    def responses(self, key: str = "default") -> list[dict]:
        with self._lock:
            return list(self._responses.get(key, []))

    def rejected_responses(self, key: str = "default") -> list[dict]:
        """response_url bodies that real Slack would have refused (too many blocks...)."""
        with self._lock:
            return list(self._rejected.get(key, []))

    def uploaded_files(self) -> list[tuple[str, bytes, dict[str, Any]]]:
        """(file_id, bytes, files.completeUploadExternal args) for each completed upload."""
        with self._lock:
            return list(self._completed)

    def wait_for(self, predicate: Callable[[SlackEmulator], bool], timeout: float = 5.0) -> bool:
        """Poll until predicate(self) holds; for posts made from background threads."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    # ---- request handling (called from server threads) --------------------------
    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _ts(self) -> str:
        """The posting time, as Slack's message ts values are, kept unique and increasing."""
        micros = max(int(time.time() * 1_000_000), self._last_ts + 1)
        self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _handle_api(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> _Reply:
        if method == "chat.postMessage" and self.post_delay:
            time.sleep(self.post_delay)  # outside the lock: posts to different channels overlap, as on Slack
        with self._lock:
            status, body, extra = self._dispatch(method, args, headers)
            self.calls.append(Call(method, args, headers, status, None if body.get("ok") else body.get("error")))
            return status, body, extra

    def _dispatch(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> _Reply:
        queue = self._failures.get(method) or []
        while queue and queue[0][1] <= 0:
            queue.pop(0)
        if queue:
            failure = queue[0]
            failure[1] -= 1
            status, _, retry_after = failure
            _, body, _ = _err("ratelimited" if status == 429 else "internal_error")
            return status, body, ({"Retry-After": str(retry_after)} if retry_after is not None else {})
        if method == "oauth.v2.access":  # app credentials, not a token: the OAuth install
            return 200, self._oauth_access(str(args.get("code", ""))), {}
        auth = headers.get("authorization", "")
        if not (auth.startswith("Bearer ") and auth[7:].strip()) and not args.get("token"):
            return _err("not_authed")
        args = {**args, "_token": auth[7:].strip() if auth.startswith("Bearer ") else args.get("token")}
        if args["_token"] in self._revoked:
            return _err(self._revoked[args["_token"]])
        if method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
            return self._chat(method, args)
        if method.startswith("views."):
            return self._views(args)
        return 200, self._simple(method, args), {}

    def _chat(self, method: str, args: dict[str, Any]) -> _Reply:
        channel = str(args.get("channel") or "")
        if not channel:
            return _err("channel_not_found")
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            return _err("no_text")
        if err := _message_error(args):
            return _err(err)
        if method == "chat.update" and not args.get("ts"):
            return _err("message_not_found")
        if channel[0] in "UW":  # posting to a user id lands in their DM
            channel = "D" + channel
        if method == "chat.postMessage" and self.rate_limit_per_channel:
            now, last = time.monotonic(), self._last_post.get(channel)
            if last is not None and now - last < 1.0 / self.rate_limit_per_channel:
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
            self._last_post[channel] = now
        ts = str(args["ts"]) if method == "chat.update" else self._ts()
        if method == "chat.postEphemeral":
            return 200, {"ok": True, "message_ts": ts}, {}  # Slack's real (smaller) shape
        message = {"type": "message", "text": args.get("text", ""), "user": self.bot_user_id,
                   "bot_id": self.bot_id, "team": self.team_id, "ts": ts}
        message.update({k: args[k] for k in ("blocks", "attachments", "thread_ts", "metadata") if k in args})
        if method == "chat.postMessage":
            self._history.setdefault(channel, []).append(message)
        return 200, {"ok": True, "channel": channel, "ts": ts, "message": message}, {}

    def _views(self, args: dict[str, Any]) -> _Reply:
        view = args.get("view")
        if not isinstance(view, dict):  # form-encoded views were already JSON-decoded
            return _err("invalid_arguments")
        if err := _block_error(view.get("blocks", []), MAX_VIEW_BLOCKS):
            return _err(err)
        title = view.get("title")
        if isinstance(title, dict) and len(title.get("text", "")) > 24:  # Slack's modal title limit
            return _err("invalid_arguments")
        base = {"id": args.get("view_id") or self._next_id("V"), "team_id": self.team_id, "app_id": "A0001",
                "bot_id": self.bot_id, "state": {"values": {}}, "hash": self._next_id("h"),
                "private_metadata": "", "callback_id": ""}
        return 200, {"ok": True, "view": {**base, **view}}, {}

    def _oauth_access(self, code: str) -> dict[str, Any]:
        """`code-<TEAM>` installs the app in that team, with a bot token of its own."""
        if not code.startswith("code-"):
            return {"ok": False, "error": "invalid_code"}
        team_id = code.removeprefix("code-")
        return {"ok": True, "app_id": "A1", "access_token": bot_token_for(team_id), "token_type": "bot",
                "scope": "commands,chat:write", "bot_user_id": self.bot_user_id, "team": {"id": team_id, "name": f"Team {team_id}"},
                "enterprise": None, "is_enterprise_install": False, "authed_user": {"id": "UINSTALLER"}}

    def _simple(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "apps.connections.open":
            if not str(args.get("_token") or "").startswith("xapp-"):
                return {"ok": False, "error": "not_allowed_token_type"}
            if self.socket_mode is None:
                return {"ok": False, "error": "internal_error"}
            return {"ok": True, "url": self.socket_mode.url}
        if method == "auth.test":
            team_id = installed_team(str(args.get("_token") or "")) or self.team_id
            return {"ok": True, "url": f"https://{self.domain}.slack.com/", "team": self.team_name,
                    "team_id": team_id, "user": "bot", "user_id": self.bot_user_id, "bot_id": self.bot_id}
        if method == "team.info":
            return {"ok": True, "team": {"id": self.team_id, "name": self.team_name, "domain": self.domain}}
        if method == "users.info":
            return {"ok": True, "user": self._user_json(str(args.get("user", "")))}
        if method == "usergroups.users.list":
            group = str(args.get("usergroup", ""))
            if group not in self._usergroups:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": list(self._usergroups[group])}
        if method == "conversations.open":
            users = args.get("users") or ""
            users = users.split(",") if isinstance(users, str) else list(users)
            return {"ok": True, "channel": {"id": "D" + users[0] if len(users) == 1 else "G" + "".join(users)}}
        if method == "conversations.history":
            return self._conversation_history(args)
        if method == "conversations.info":
            cid = str(args.get("channel", ""))
            return {"ok": True, "channel": {"id": cid, "name": cid.lower(), "is_channel": cid[:1] == "C",
                                            "is_im": cid[:1] == "D", "is_private": cid[:1] == "G", "is_member": True}}
        if method == "files.getUploadURLExternal":
            file_id = self._next_id("F")
            self._uploads[file_id] = {"filename": args.get("filename"), "data": None}
            return {"ok": True, "upload_url": f"{self.root_url}upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = args.get("files") if isinstance(args.get("files"), list) else []
            if not files or any(self._uploads.get(f.get("id"), {}).get("data") is None for f in files):
                return {"ok": False, "error": "file_not_found"}  # nothing was POSTed to the upload URL
            self._completed += [(f["id"], self._uploads[f["id"]]["data"], args) for f in files]
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title") or "",
                                           "name": self._uploads[f["id"]]["filename"]} for f in files]}
        return {"ok": True}

    def _conversation_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Newest first, `oldest`/`latest` exclusive bounds, paged by `limit`; metadata only with
        include_all_metadata, as on Slack."""
        channel = str(args.get("channel", ""))
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or 9e12)
        limit = max(1, min(int(args.get("limit") or 100), 1000))
        start = int(args.get("cursor") or 0)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [m for m in reversed(self._history.get(channel, [])) if oldest < float(m["ts"]) < latest]
        page = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in found[start:start + limit]]
        more = start + limit < len(found)
        return {"ok": True, "messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _user_json(self, user_id: str) -> dict[str, Any]:
        u = self._users.get(user_id) or {"name": user_id.lower(), "real_name": user_id, "locale": "en-US",
                                         "tz": self.timezone}
        try:
            offset = int(datetime.now(ZoneInfo(u["tz"])).utcoffset().total_seconds())  # type: ignore[union-attr]
        except Exception:
            offset = 0
        return {"id": user_id, "team_id": self.team_id, "name": u["name"], "real_name": u["real_name"],
                "tz": u["tz"], "tz_offset": offset, "locale": u["locale"], "is_bot": False, "deleted": False,
                "profile": {"display_name": u["name"], "real_name": u["real_name"]}}

    def _handle_response_url(self, key: str, body: dict[str, Any]) -> _Reply:
        with self._lock:
            if err := _message_error(body):
                self._rejected.setdefault(key, []).append(body)
                return _err(err, status=400)  # like incoming webhooks: 4xx, no exception in WebhookClient
            self._responses.setdefault(key, []).append(body)
            return 200, {"ok": True}, {}

    def _handle_upload(self, file_id: str, data: bytes) -> _Reply:
        with self._lock:
            if file_id not in self._uploads:
                return _err("file_not_found", status=404)
            self._uploads[file_id]["data"] = data
            return 200, {"ok": True}, {}


def _parse_args(content_type: str, raw: bytes, query: str) -> dict[str, Any]:
    """Merge query-string and body args; accept JSON or form bodies like Slack does."""
    args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if "json" in content_type:
        body = json.loads(raw or b"{}")
        args.update(body if isinstance(body, dict) else {})
    elif raw:
        args.update({k: v[-1] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()})
    for k in _JSON_FIELDS:  # Slack also accepts stringified JSON for these inside JSON bodies
        if isinstance(args.get(k), str) and args[k][:1] in ("[", "{"):
            try:
                args[k] = json.loads(args[k])
            except ValueError:
                pass  # leave the string; validation rejects it
    return args


def _multipart_file(content_type: str, raw: bytes) -> bytes:
    """Return the file part of a multipart body, or the raw bytes if none is found."""
    msg = email.parser.BytesParser().parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
    for part in msg.walk() if msg.is_multipart() else []:
        if part.get_filename() is not None:
            return part.get_payload(decode=True) or b""
    return raw


def _make_handler(emu: SlackEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def _reply(self, status: int, body: dict[str, Any], extra: dict[str, str]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            for k, v in {"Content-Type": "application/json; charset=utf-8", "Content-Length": str(len(data)),
                         **extra}.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _route(self) -> _Reply:
            url = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            ctype = self.headers.get("Content-Type", "")
            kind, _, rest = url.path.strip("/").partition("/")
            if kind == "api":
                try:
                    args = _parse_args(ctype, raw, url.query)
                except ValueError:
                    return _err("invalid_json")
                return emu._handle_api(rest, args, {k.lower(): v for k, v in self.headers.items()})
            if kind == "response":
                try:
                    return emu._handle_response_url(rest, json.loads(raw or b"{}"))
                except ValueError:
                    return _err("invalid_payload", status=400)
            if kind == "upload":  # slack-sdk posts raw bytes (which urllib labels form-encoded)
                return emu._handle_upload(rest, _multipart_file(ctype, raw) if "multipart/" in ctype else raw)
            return _err("unknown_method", status=404)

        def _handle(self) -> None:
            try:
                reply = self._route()
            except Exception as exc:  # surface emulator bugs as a 500 instead of a hung client
                reply = _err(f"emulator_error: {exc!r}", status=500)
            self._reply(*reply)

        do_POST = do_GET = _handle

    return Handler
