"""`POST /api/v1/checkins`: actuals pushed by a CRM or a spreadsheet script, as JSON.

A plain WSGI callable, so the gunicorn that serves Slack serves it too. A batch is applied
whole or not at all, like a CSV file, through the same `apply_actuals`. Every answer is JSON
with messages from the catalogs (English, plus the key for programs). The token is read from
the header, hashed and forgotten: it is never logged and never echoed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus


from bot.domain.errors import UserError
from bot.services.actuals import ActualsApplied, apply_actuals, read_actuals_items
from bot.services.api_tokens import authenticate
from bot.services.context import Actor
from bot.services.dispatch import run_use_case
from bot.services.runtime import Runtime
from bot.store.database import queued_session
from bot.web.throttle import FailureThrottle
from bot.web.json_depth import MAX_JSON_DEPTH, json_depth

log = logging.getLogger(__name__)
CHECKINS_PATH = "/api/v1/checkins"
MAX_BODY = 1_000_000  # bytes
MAX_ITEMS = 500
DRAIN_LIMIT = 8_000_000  # an oversized body up to this is read and dropped, so the client sees the 413
LANGUAGE = "en"


class _Answer(Exception):
    """An early answer: raised where the request first goes wrong."""

    def __init__(self, status: int, key: str, headers: Iterable[tuple[str, str]] = (), **params: object) -> None:
        super().__init__(key)
        self.status, self.key, self.headers, self.params = status, key, list(headers), params


def api_app(runtime: Runtime, throttle: FailureThrottle | None = None) -> Callable:
    """The WSGI application; mount it so that SCRIPT_NAME + PATH_INFO is `/api/v1/checkins`."""
    throttle = throttle or FailureThrottle()

    def application(environ, start_response):
        headers: list[tuple[str, str]] = []
        try:
            status, body = _checkins(runtime, environ, throttle)
        except _Answer as answer:
            status, body, headers = answer.status, _failure(runtime, answer.key, **answer.params), answer.headers
        except Exception:
            log.exception("api: request failed")  # the token is never in a local message
            status, body = 500, _failure(runtime, "error.internal")
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        start_response(f"{status} {HTTPStatus(status).phrase}", [
            ("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(payload))),
            ("Cache-Control", "no-store"), *headers,
        ])
        return [payload]

    return application


def _checkins(runtime: Runtime, environ: dict, throttle: FailureThrottle) -> tuple[int, dict]:
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    if path.rstrip("/") != CHECKINS_PATH:
        raise _Answer(404, "api.error.not_found")
    if environ.get("REQUEST_METHOD", "GET").upper() != "POST":
        raise _Answer(405, "api.error.method_not_allowed", [("Allow", "POST")])
    workspace, member = _authenticated(runtime, environ, throttle)
    items = _items(_json_body(environ))
    rows = read_actuals_items(items)
    actor = Actor(team_id=workspace.team_id, user_id=member.user_id, name=member.name, locale=member.locale, team_name=workspace.name)
    outcome = run_use_case(runtime, actor, lambda ctx: apply_actuals(ctx, rows, "api"), label=f"api check-ins for {workspace.team_id}")
    if outcome.error is not None:
        return _rejected(runtime, outcome.error)
    result: ActualsApplied = outcome.result
    log.info("api: %s check-ins recorded (%s already) in %s as %s", result.recorded, result.duplicates, workspace.team_id, member.user_id)
    return 201, {"ok": True, "recorded": result.recorded, "duplicates": result.duplicates,
                 "checkins": [_applied(row) for row in result.rows]}


def _authenticated(runtime: Runtime, environ: dict, throttle: FailureThrottle):
    client = environ.get("REMOTE_ADDR", "?")
    if (wait := throttle.retry_after(client)) is not None:
        raise _Answer(429, "api.error.throttled", [("Retry-After", str(int(wait + 0.999)))], seconds=int(wait + 0.999))
    scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
    found = None
    if scheme.lower() == "bearer" and token.strip():
        with queued_session(runtime.engine) as session:
            found = authenticate(session, token.strip())
    if found is None:
        throttle.failed(client)
        raise _Answer(401, "api.error.unauthorized", [("WWW-Authenticate", 'Bearer realm="perfbot"')])
    return found


def _json_body(environ: dict) -> object:
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH", "").strip()
    if length.isdigit():
        size = int(length)
        if size > MAX_BODY:
            _drain(stream, size)
            raise _Answer(413, "api.error.too_large", limit=MAX_BODY)
        raw = stream.read(size) if size else b""
    elif "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        raw = stream.read(MAX_BODY + 1)
        if len(raw) > MAX_BODY:
            raise _Answer(413, "api.error.too_large", limit=MAX_BODY)
    else:
        raw = b""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Answer(400, "api.error.bad_json", detail="not UTF-8") from None
    if json_depth(text) > MAX_JSON_DEPTH:
        raise _Answer(400, "api.error.bad_json", detail=f"nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _Answer(400, "api.error.bad_json", detail=f"{error.msg} (line {error.lineno}, column {error.colno})") from None
    except (ValueError, RecursionError) as error:  # an integer of thousands of digits
        raise _Answer(400, "api.error.bad_json", detail=str(error)[:120]) from None


def _drain(stream, size: int) -> None:
    left = min(size, DRAIN_LIMIT)
    while left > 0:
        chunk = stream.read(min(left, 65536))
        if not chunk:
            return
        left -= len(chunk)


def _items(body: object) -> list:
    if isinstance(body, dict) and "checkins" in body:
        items = body["checkins"]
        if not isinstance(items, list):
            raise _Answer(400, "api.error.bad_shape")
        if not items:
            raise _Answer(400, "api.error.no_checkins")
        if len(items) > MAX_ITEMS:
            raise _Answer(400, "api.error.too_many", count=len(items), limit=MAX_ITEMS)
        return items
    if isinstance(body, dict):
        return [body]
    raise _Answer(400, "api.error.bad_shape")


def _rejected(runtime: Runtime, error: UserError) -> tuple[int, dict]:
    if error.key == "error.internal":
        return 500, _failure(runtime, error.key)
    body = _failure(runtime, error.key, **error.params)
    body["errors"] = [{"index": p.line, "key": p.key, "message": runtime.catalog.text(LANGUAGE, p.key, **p.params),
                       "params": {k: _plain(v) for k, v in p.params.items()}} for p in error.params.get("rows", ())]
    return 400, body


def _failure(runtime: Runtime, key: str, **params: object) -> dict:
    message = runtime.catalog.text(LANGUAGE, key, **params).rstrip(":：").strip()
    return {"ok": False, "error": {"key": key, "message": message}}


def _applied(row) -> dict:
    score = "progress" if row.ref.startswith("KR") else "attainment"
    applied = {"index": row.line, "ref": row.ref, "title": row.title, "value": str(row.value), "unit": row.unit, "duplicate": row.duplicate,
               "current": _plain(row.current), score: _plain(row.score), "author": row.author.user_id, "team": row.team}
    if row.objective is not None:  # a key result: where its objective (rolled up over the tree) stands now
        applied["objective"] = {"ref": row.objective, "progress": _plain(row.objective_progress)}
    return applied


def _plain(value: object) -> object:
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)
