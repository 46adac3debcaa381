"""Events: App Home. Slack retries deliveries; each event id is processed once."""

from __future__ import annotations

from bot.services.deliveries import claim_delivery
from bot.slack.deps import SlackDeps
from bot.slack.replies import publish_home


def register(app, deps: SlackDeps) -> None:
    @app.event("app_home_opened")
    def home_opened(body, event, client):
        if event.get("tab", "home") != "home":
            return
        if not claim_delivery(deps.runtime.engine, f"event:{body.get('event_id') or event.get('event_ts')}"):
            return
        team_id = body.get("team_id") or event.get("view", {}).get("team_id", "")
        actor = deps.profiles.actor(client, team_id, event.get("user", ""))
        publish_home(deps, client, actor)
