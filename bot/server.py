"""`python -m bot serve`: every configured platform (Slack, Feishu) behind one front server,
and one clock that posts to each workspace through its own platform.

uvicorn (an asynchronous HTTP server) with the front layer in `bot.web.front` over a WSGI app:
the synchronous handlers run in the front's thread pool, never on the event loop, which only
reads requests (with a deadline and a size cap) and writes answers, so a slow or idle client
costs a coroutine, not a thread. The bot itself is imported in the workers only.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import timedelta

from bot.config import Settings

log = logging.getLogger(__name__)


def wsgi_app(settings: Settings):
    """The platforms' routes, `/api/v1/checkins` for CRMs, `/healthz` for load balancers."""
    from bot.bootstrap import start_runtime
    from bot.render.text import Renderer
    from bot.web.api import api_app

    runtime = start_runtime(settings)
    renderer = Renderer(runtime.catalog)
    routes, posters = {}, {}
    if settings.has_slack:
        from bot.slack import server as slack

        if settings.slack_app_token is not None:
            posters["slack"] = slack.socket_mode(settings, runtime)
        else:
            slack_routes, posters["slack"] = slack.slack_routes(settings, runtime)
            routes.update(slack_routes)
    if settings.has_feishu:
        from bot.feishu.app import feishu_routes

        feishu, posters["feishu"] = feishu_routes(settings, runtime, renderer)
        routes.update(feishu)
    start_scheduler(settings, runtime, renderer, posters)
    api = api_app(runtime)

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps({"ok": True}).encode()]
        if path in routes:
            return routes[path](environ, start_response)
        if path.startswith("/api/"):
            return api(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return application


def start_scheduler(settings: Settings, runtime, renderer, posters: dict):
    """Every serving process runs the clock; the database makes each post go out once."""
    if not settings.scheduler:
        return None
    from bot.scheduler.clock import start_clock
    from bot.scheduler.deliver import Deliverer
    from bot.scheduler.posting import PlatformPoster

    deliverer = Deliverer(runtime, renderer, PlatformPoster(posters), threads=settings.delivery_threads,
                          lease=timedelta(seconds=settings.send_lease_seconds))
    return start_clock(deliverer, settings.scheduler_interval_seconds)


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
    slack_http = settings.has_slack and settings.slack_app_token is None
    if not settings.has_slack and not settings.has_feishu:
        if settings.slack_bot_token is not None and settings.slack_signing_secret is None and settings.slack_app_token is None:
            log.error("SLACK_SIGNING_SECRET is not set; HTTP mode needs it to verify Slack's requests.")
        else:
            log.error("No platform is configured: set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN), or "
                      "FEISHU_APP_ID, FEISHU_APP_SECRET and FEISHU_ENCRYPT_KEY; see README.md (or run `python -m bot console`).")
        return 2
    if settings.has_slack and settings.slack_app_token is not None and not settings.has_feishu:
        import threading

        from bot.bootstrap import start_runtime
        from bot.render.text import Renderer
        from bot.slack import server as slack

        runtime = start_runtime(settings)
        start_scheduler(settings, runtime, Renderer(runtime.catalog), {"slack": slack.socket_mode(settings, runtime)})
        threading.Event().wait()  # Socket Mode's connection runs in its own threads
        return 0
    if not preflight_ok():
        return 2
    log.info("serving on port %s:%s%s", settings.port, " Slack at /slack/events" if slack_http else "",
             " Feishu at /feishu/events" if settings.has_feishu else "")
    run_http(settings, "bot.server:asgi_app")
    return 0
