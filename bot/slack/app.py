"""The bolt app: one synchronous `App` that answers inside the request (no 10 ms ack poll),
talking to Slack, or to an emulator, through one retrying `WebClient`."""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler

from bot.config import Settings
from bot.render.text import Renderer
from bot.services.runtime import Runtime
from bot.slack.deps import SlackDeps
from bot.slack import groups
from bot.slack.listeners import actions, advice, commands, events, views

log = logging.getLogger(__name__)


def web_client(settings: Settings, token: str | None = None) -> WebClient:
    """Rate limits (honouring Retry-After), 5xx and network errors are retried by slack-sdk."""
    return WebClient(
        token=token if token is not None else (settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None),
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=3),
        ],
    )


def oauth_settings(settings: Settings, runtime: Runtime) -> OAuthSettings:
    """Many workspaces: bolt's OAuth flow, its installation and state stores in our database."""
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=settings.slack_scopes.split(","),
        installation_store=SQLAlchemyInstallationStore(client_id=settings.slack_client_id, engine=runtime.engine),
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=runtime.engine),
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
        redirect_uri=settings.slack_install_redirect_url,
    )


def build_app(settings: Settings, runtime: Runtime) -> tuple[App, SlackDeps]:
    deps = SlackDeps(runtime=runtime, renderer=Renderer(runtime.catalog))
    signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    # The signature is checked once, over the raw bytes, by `bot.slack.http.SlackEvents` before
    # anything is dispatched (and Socket Mode has none): bolt checking it again cost every request
    # a second HMAC and body decoding. `slack_routes` sends nothing but GETs past SlackEvents.
    common = dict(signing_secret=signing_secret, process_before_response=True, request_verification_enabled=False,
                  logger=logging.getLogger("slack_bolt"))
    if settings.oauth:
        app = App(client=web_client(settings, token=""), oauth_settings=oauth_settings(settings, runtime), **common)
    else:
        app = App(client=web_client(settings), **common)
    # Teams that follow a Slack user group read it through the workspace's own client.
    deps.runtime = replace(runtime, groups=groups.SlackUserGroups(client_for_team(settings, app)))
    for listeners in (commands, actions, views, events, advice, groups):
        listeners.register(app, deps)

    @app.error
    def on_error(error, body):
        log.error("unhandled error in a listener: %s", error, exc_info=error)

    return app, deps


def client_for_team(settings: Settings, app: App):
    """The Web API client for a workspace: its own installation's token in OAuth mode."""
    if not settings.oauth:
        return lambda team_id: app.client

    store = app.installation_store

    def client(team_id: str) -> WebClient:
        bot = store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            raise LookupError(f"no installation for team {team_id}")
        return web_client(settings, token=bot.bot_token)

    return client


def slack_poster(settings: Settings, app: App, deps: SlackDeps):
    """Scheduled posts to Slack workspaces, each through its own client."""
    from bot.slack.posting import SlackPoster

    return SlackPoster(client_for_team(settings, app), deps.renderer)
