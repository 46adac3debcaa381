"""Buttons: "Check in" on App Home and in reminders opens the check-in form for that item."""

from __future__ import annotations

from bot.slack.deps import SlackDeps
from bot.slack.listeners.commands import open_form
from bot.slack.people import interaction_ids
from bot.slack.surfaces import CHECKIN_BUTTON


def open_checkin(deps: SlackDeps, ack, body: dict, client) -> None:
    ack()
    team_id, user_id, user_name = interaction_ids(body)
    actor = deps.profiles.actor(client, team_id, user_id, user_name)
    ref = (body.get("actions") or [{}])[0].get("value")
    open_form(deps, client, actor, "checkin", body.get("trigger_id"), selected=ref)


def register(app, deps: SlackDeps) -> None:
    app.action(CHECKIN_BUTTON)(lambda ack, body, client: open_checkin(deps, ack, body, client))
