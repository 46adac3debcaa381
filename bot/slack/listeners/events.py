"""Events: App Home and the app's life in a workspace. Slack retries deliveries; each event id
is processed once."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.services import lifecycle
from bot.services.deliveries import claim_delivery
from bot.slack.deps import SlackDeps
from bot.slack.replies import publish_home


def home_opened(deps: SlackDeps, body, event, client) -> None:
    if event.get("tab", "home") != "home":
        return
    if not claim_delivery(deps.runtime.engine, f"event:{body.get('team_id')}:{body.get('event_id') or event.get('event_ts')}"):
        return
    team_id = body.get("team_id") or event.get("view", {}).get("team_id", "")
    actor = deps.profiles.actor(client, team_id, event.get("user", ""))
    publish_home(deps, client, actor)


def uninstalled(deps: SlackDeps, body) -> None:
    lifecycle.workspace_uninstalled(deps.runtime.engine, body.get("team_id", ""), datetime.now(timezone.utc))


def revoked(deps: SlackDeps, body, event) -> None:
    if (event.get("tokens") or {}).get("bot"):
        lifecycle.workspace_uninstalled(deps.runtime.engine, body.get("team_id", ""), datetime.now(timezone.utc))


def user_changed(deps: SlackDeps, body, event) -> None:
    user = event.get("user") or {}
    if user.get("id"):
        lifecycle.member_left(deps.runtime.engine, body.get("team_id") or user.get("team_id", ""), user["id"],
                              bool(user.get("deleted")), datetime.now(timezone.utc))


def register(app, deps: SlackDeps) -> None:
    app.event("app_home_opened")(lambda body, event, client: home_opened(deps, body, event, client))
    app.event("app_uninstalled")(lambda body: uninstalled(deps, body))
    app.event("tokens_revoked")(lambda body, event: revoked(deps, body, event))
    app.event("user_change")(lambda body, event: user_changed(deps, body, event))
