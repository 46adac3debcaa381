"""Serving the app: uvicorn (an asynchronous HTTP server) with the front layer in
`bot.web.front` over a WSGI app, or Socket Mode.

The synchronous bolt `App` runs in the front's thread pool, never on the event loop, which
only reads requests (with a deadline and a size cap) and writes answers: a slow or idle client
costs a coroutine, not a thread. The bot itself is imported in the workers only.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys

from bot.config import Settings

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
SLACK_PATHS = (EVENTS_PATH, "/slack/install", "/slack/oauth_redirect")


def wsgi_app(settings: Settings):
    """`/slack/events` for commands, interactivity and events (plus `/slack/install` and
    `/slack/oauth_redirect` for installs), `/api/v1/checkins` for CRMs, `/healthz` for load balancers."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    from bot.bootstrap import start_runtime
    from bot.services.deliveries import claim_delivery
    from bot.slack.app import build_app, start_scheduler
    from bot.slack.http import SlackEvents
    from bot.web.api import api_app

    runtime = start_runtime(settings)
    app, deps = build_app(settings, runtime)
    start_scheduler(settings, app, deps)
    installs = SlackRequestHandler(app)
    events = SlackEvents(app, settings.slack_signing_secret.get_secret_value(), lambda key: claim_delivery(runtime.engine, key))
    api = api_app(runtime)

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps({"ok": True}).encode()]
        if path == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            return events(environ, start_response)
        if path in SLACK_PATHS:
            return installs(environ, start_response)
        if path.startswith("/api/"):
            return api(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return application


def asgi_app():
    """uvicorn's factory, called in each worker: the settings come from the environment."""
    return front(wsgi_app, Settings())


def front(make_wsgi, settings: Settings):
    from bot.logs import configure_logging
    from bot.web.front import FrontServer

    configure_logging(settings.log_level, settings.secrets())
    return FrontServer(make_wsgi(settings), threads=settings.web_threads)


def run_http(settings: Settings, factory: str) -> None:
    """Serve `factory` (an import path to a no-argument ASGI factory) on PORT."""
    import uvicorn

    uvicorn.run(
        factory, factory=True, host="0.0.0.0", port=settings.port, workers=settings.web_workers if settings.web_workers > 1 else None,
        log_config=None, access_log=False, lifespan="on", timeout_keep_alive=5, limit_concurrency=settings.web_connections,
        timeout_graceful_shutdown=10,
    )


def preflight_ok() -> bool:
    """Refuse a broken rule file or an old schema before serving (`db check` says why on
    stderr). It runs in a child process so that a supervisor of several workers, which only
    watches them, never loads the bot (README, Performance)."""
    return subprocess.run([sys.executable, "-m", "bot", "db", "check"]).returncode == 0


def serve(settings: Settings) -> int:
    if settings.slack_bot_token is None and not settings.oauth:
        log.error("Neither SLACK_BOT_TOKEN nor SLACK_CLIENT_ID/SLACK_CLIENT_SECRET is set; see README.md (or run `python -m bot console`).")
        return 2
    if settings.slack_app_token is not None:
        from bot.bootstrap import start_runtime
        from bot.slack.app import build_app, start_scheduler
        from bot.slack.socket_mode import CheckedSocketModeHandler

        app, deps = build_app(settings, start_runtime(settings))
        start_scheduler(settings, app, deps)
        log.info("connecting to Slack in Socket Mode")
        CheckedSocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
        return 0
    if settings.slack_signing_secret is None:
        log.error("SLACK_SIGNING_SECRET is not set; HTTP mode needs it to verify Slack's requests.")
        return 2
    if not preflight_ok():
        return 2
    log.info("serving Slack on port %s at %s", settings.port, EVENTS_PATH)
    run_http(settings, "bot.slack.server:asgi_app")
    return 0
