"""The bolt app: one synchronous `App` that answers inside the request (no 10 ms ack poll),
talking to Slack, or to an emulator, through one retrying `WebClient`."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler

from bot.config import Settings
from bot.render.text import Renderer
from bot.services.runtime import Runtime
from bot.slack.deps import SlackDeps
from bot.slack.listeners import actions, advice, commands, events, views

log = logging.getLogger(__name__)


def web_client(settings: Settings, token: str | None = None) -> WebClient:
    """Rate limits (honouring Retry-After), 5xx and network errors are retried by slack-sdk."""
    return WebClient(
        token=token or (settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None),
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=3),
        ],
    )


def build_app(settings: Settings, runtime: Runtime) -> tuple[App, SlackDeps]:
    deps = SlackDeps(runtime=runtime, renderer=Renderer(runtime.catalog))
    app = App(
        client=web_client(settings),
        signing_secret=settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None,
        process_before_response=True,
        logger=logging.getLogger("slack_bolt"),
    )
    for listeners in (commands, actions, views, events, advice):
        listeners.register(app, deps)

    @app.error
    def on_error(error, body):
        log.error("unhandled error in a listener: %s", error, exc_info=error)

    return app, deps


def start_scheduler(settings: Settings, app: App, deps: SlackDeps):
    """Every serving process runs the clock; the database makes each post go out once."""
    if not settings.scheduler:
        return None
    from bot.scheduler.clock import start_clock
    from bot.scheduler.deliver import Deliverer
    from bot.scheduler.posting import SlackPoster

    poster = SlackPoster(lambda team_id: app.client)
    return start_clock(Deliverer(deps.runtime, deps.renderer, poster), settings.scheduler_interval_seconds)
