"""Events: App Home and the app's life in a workspace. Slack retries deliveries; each event id
is processed once."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.services import lifecycle
from bot.services.deliveries import claim_delivery
from bot.slack.deps import SlackDeps
from bot.slack.replies import publish_home


def register(app, deps: SlackDeps) -> None:
    @app.event("app_home_opened")
    def home_opened(body, event, client):
        if event.get("tab", "home") != "home":
            return
        if not claim_delivery(deps.runtime.engine, f"event:{body.get('team_id')}:{body.get('event_id') or event.get('event_ts')}"):
            return
        team_id = body.get("team_id") or event.get("view", {}).get("team_id", "")
        actor = deps.profiles.actor(client, team_id, event.get("user", ""))
        publish_home(deps, client, actor)

    @app.event("app_uninstalled")
    def uninstalled(body):
        lifecycle.workspace_uninstalled(deps.runtime.engine, body.get("team_id", ""), datetime.now(timezone.utc))

    @app.event("tokens_revoked")
    def revoked(body, event):
        if (event.get("tokens") or {}).get("bot"):
            lifecycle.workspace_uninstalled(deps.runtime.engine, body.get("team_id", ""), datetime.now(timezone.utc))

    @app.event("user_change")
    def user_changed(body, event):
        user = event.get("user") or {}
        if user.get("id"):
            lifecycle.member_left(deps.runtime.engine, body.get("team_id") or user.get("team_id", ""), user["id"],
                                  bool(user.get("deleted")), datetime.now(timezone.utc))
