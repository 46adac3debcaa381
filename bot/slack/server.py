"""Slack's part of `python -m bot serve` (composed with the other platforms in `bot.server`):
its HTTP routes behind the front server, or a Socket Mode connection, and its poster."""

from __future__ import annotations

import logging

from bot.config import Settings

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
SLACK_PATHS = (EVENTS_PATH, "/slack/install", "/slack/oauth_redirect")


def slack_routes(settings: Settings, runtime):
    """Slack over HTTP: `/slack/events` for commands, interactivity and events (plus
    `/slack/install` and `/slack/oauth_redirect` for installs). Returns (routes, poster)."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    from bot.services.deliveries import Delivery
    from bot.slack.app import build_app, slack_poster
    from bot.slack.http import SlackEvents

    app, deps = build_app(settings, runtime)
    installs = SlackRequestHandler(app)
    events = SlackEvents(app, settings.slack_signing_secret.get_secret_value(), lambda key: Delivery(runtime.engine, key))

    def dispatch(environ, start_response):
        """Only a POST to /slack/events reaches the listeners, through SlackEvents' signature check
        (bolt's own is off: see `build_app`); the install pages are GETs."""
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") == EVENTS_PATH and method == "POST":
            return events(environ, start_response)
        if environ.get("PATH_INFO") != EVENTS_PATH and method in ("GET", "HEAD"):
            return installs(environ, start_response)
        start_response("405 Method Not Allowed", [("content-type", "text/plain"), ("allow", "POST" if environ.get("PATH_INFO") == EVENTS_PATH else "GET")])
        return [b"method not allowed"]

    return {path: dispatch for path in SLACK_PATHS}, slack_poster(settings, app, deps)


def socket_mode(settings: Settings, runtime):
    """Slack over Socket Mode (an app-level token): connected, not blocking. Returns the poster."""
    from bot.slack.app import build_app, slack_poster
    from bot.slack.socket_mode import CheckedSocketModeHandler

    app, deps = build_app(settings, runtime)
    log.info("connecting to Slack in Socket Mode")
    CheckedSocketModeHandler(app, settings.slack_app_token.get_secret_value()).connect()
    return slack_poster(settings, app, deps)
