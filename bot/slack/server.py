"""Serving the app: gunicorn (a production WSGI server) over bolt's WSGI adapter, or Socket Mode.

The synchronous bolt `App` is paired with a WSGI server on purpose: bolt's ASGI adapters
would run it on the event loop and block it. The bot itself is imported in the workers only:
gunicorn's master forks and watches them, and stays small.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys

from gunicorn.app.base import BaseApplication

from bot.config import Settings

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
SLACK_PATHS = (EVENTS_PATH, "/slack/install", "/slack/oauth_redirect")


def wsgi_app(settings: Settings):
    """`/slack/events` for commands, interactivity and events (plus `/slack/install` and
    `/slack/oauth_redirect` for installs), `/api/v1/checkins` for CRMs, `/healthz` for load balancers."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    from bot.cli import start_runtime
    from bot.slack.app import build_app, start_scheduler
    from bot.web.api import api_app

    runtime = start_runtime(settings)
    app, deps = build_app(settings, runtime)
    start_scheduler(settings, app, deps)
    slack = SlackRequestHandler(app)
    api = api_app(runtime)

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps({"ok": True}).encode()]
        if path in SLACK_PATHS:
            return slack(environ, start_response)
        if path.startswith("/api/"):
            return api(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return application


def preflight_ok() -> bool:
    """Refuse a broken rule file or an old schema before forking workers (`db check` says why
    on stderr). It runs in a child process so that gunicorn's master, which only watches its
    workers, never loads the bot: that kept ~35 MB resident for nothing (README, Performance)."""
    return subprocess.run([sys.executable, "-m", "bot", "db", "check"]).returncode == 0


class Gunicorn(BaseApplication):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", f"0.0.0.0:{self.settings.port}")
        self.cfg.set("workers", self.settings.web_workers)
        self.cfg.set("worker_class", "gthread")
        self.cfg.set("threads", self.settings.web_threads)
        self.cfg.set("timeout", 30)
        self.cfg.set("accesslog", None)

    def load(self):
        return wsgi_app(self.settings)


def serve(settings: Settings) -> int:
    if settings.slack_bot_token is None and not settings.oauth:
        log.error("Neither SLACK_BOT_TOKEN nor SLACK_CLIENT_ID/SLACK_CLIENT_SECRET is set; see README.md (or run `python -m bot console`).")
        return 2
    if settings.slack_app_token is not None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        from bot.cli import start_runtime
        from bot.slack.app import build_app, start_scheduler

        app, deps = build_app(settings, start_runtime(settings))
        start_scheduler(settings, app, deps)
        log.info("connecting to Slack in Socket Mode")
        SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
        return 0
    if settings.slack_signing_secret is None:
        log.error("SLACK_SIGNING_SECRET is not set; HTTP mode needs it to verify Slack's requests.")
        return 2
    if not preflight_ok():
        return 2
    log.info("serving Slack on port %s at %s", settings.port, EVENTS_PATH)
    Gunicorn(settings).run()
    return 0
