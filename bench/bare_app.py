"""The floor: a bolt app that only acknowledges, served exactly as `python -m bot serve` serves
the bot — the same uvicorn front (`bot.server.run_http`, WEB_WORKERS, WEB_THREADS) with
only the WSGI app replaced, bolt's own WSGI adapter and the same `/healthz` routing.

`python -m bench.bare_app` reads the bot's environment variables (PORT, WEB_WORKERS, WEB_THREADS,
SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL) and, from BENCH_BARE_MODE:

* `fast` (default): `process_before_response=True`, bolt's fastest configuration — the floor;
* `poll`: bolt's default (`process_before_response=False`), whose thread-pool runner polls for
  the ack every 10 ms — shown for reference only.

The app has the same middleware as the bot's (signature verification, single-workspace
authorization with the token's auth.test done at start against the emulator): only the
listener differs, and it does nothing but `ack()`.
"""

from __future__ import annotations

import json
import logging
import os
import sys

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler

from bot.config import Settings
from bot.server import front, run_http
from bot.slack.server import EVENTS_PATH

COMMANDS = ("/perf", "/okr", "/kpi", "/checkin", "/scorecard", "/advise", "/digest")


def web_client(settings: Settings) -> WebClient:
    """The same client as `bot.slack.app.web_client` (not imported: that module loads the whole
    bot, and the floor's memory should be bolt's and the server's alone)."""
    return WebClient(
        token=settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None,
        base_url=settings.slack_api_url, timeout=10,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=3),
                        ServerErrorRetryHandler(max_retry_count=3)],
    )


def bare_bolt_app(settings: Settings, fast: bool = True) -> App:
    app = App(
        client=web_client(settings),
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        process_before_response=fast,
        logger=logging.getLogger("slack_bolt"),
    )

    def only_ack(ack):
        ack()

    for name in COMMANDS:
        app.command(name)(only_ack)
    return app


def bare_wsgi_app(settings: Settings, fast: bool = True):
    slack = SlackRequestHandler(bare_bolt_app(settings, fast))

    def application(environ, start_response):  # the same routing as bot.server.wsgi_app
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps({"ok": True}).encode()]
        if path == EVENTS_PATH:
            return slack(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return application


def asgi_app():
    """uvicorn's factory, as `bot.server.asgi_app` with the bare app inside."""
    fast = os.environ.get("BENCH_BARE_MODE", "fast") != "poll"
    return front(lambda settings: bare_wsgi_app(settings, fast), Settings())


def main() -> int:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"))
    settings = Settings()
    if settings.slack_signing_secret is None:
        print("SLACK_SIGNING_SECRET is not set", file=sys.stderr)
        return 2
    run_http(settings, "bench.bare_app:asgi_app")
    return 0


if __name__ == "__main__":
    sys.exit(main())
