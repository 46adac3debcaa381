"""Slack user groups, for teams that follow one: who is in a group (`usergroups.users.list`),
and the events that say a group changed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.services import teams
from bot.services.deliveries import claim_delivery

log = logging.getLogger(__name__)
LOOKUP_TIMEOUT_SECONDS = 2.5  # inside a slash command's three seconds


class SlackUserGroups:
    """`teams.GroupDirectory` over the Web API: `client_for(team_id)` gives the workspace's client."""

    def __init__(self, client_for: Callable[[str], WebClient]) -> None:
        self.client_for = client_for

    def members(self, workspace: str, group_id: str) -> list[str]:
        try:
            client = self.client_for(workspace)
            quick = WebClient(token=client.token, base_url=client.base_url, timeout=LOOKUP_TIMEOUT_SECONDS)
            return list(quick.usergroups_users_list(usergroup=group_id).get("users") or [])
        except (SlackApiError, SlackClientError, OSError, LookupError) as error:
            raise teams.GroupsUnavailable(str(error).splitlines()[0][:200] if str(error) else type(error).__name__) from None


def register(app, deps) -> None:
    """Teams linked to a user group follow it: the group is read again whenever Slack says it
    changed (the whole list, so events arriving out of order cannot leave it wrong); if that
    read fails, the event's own change is applied."""

    @app.event("subteam_members_changed")
    def members_changed(body, event, client):
        if not _first(deps, body, event):
            return
        group_id, workspace = event.get("subteam_id", ""), body.get("team_id") or event.get("team_id", "")
        users = _read(client, group_id)
        if users is None:
            teams.group_changed(deps.runtime.engine, workspace, group_id, _now(), added=_ids(event.get("added_users")),
                                removed=_ids(event.get("removed_users")))
        else:
            teams.group_changed(deps.runtime.engine, workspace, group_id, _now(), users=users)

    @app.event("subteam_updated")
    def updated(body, event, client):
        if not _first(deps, body, event):
            return
        group = event.get("subteam") or {}
        group_id, workspace = group.get("id", ""), body.get("team_id") or group.get("team_id", "")
        users = _read(client, group_id)
        listed = _ids(group.get("users"))
        if users is None and len(listed) == group.get("user_count", len(listed)):  # the event's list is complete (under 500)
            users = listed
        if users is not None:
            teams.group_changed(deps.runtime.engine, workspace, group_id, _now(), users=users)

    @app.event("subteam_created")
    def created(body, event):  # nothing follows a group that did not exist
        return None


def _first(deps, body: dict, event: dict) -> bool:
    key = f"event:{body.get('team_id')}:{body.get('event_id') or event.get('event_ts')}"
    return claim_delivery(deps.runtime.engine, key)


def _read(client: WebClient, group_id: str) -> list[str] | None:
    try:
        return list(client.usergroups_users_list(usergroup=group_id).get("users") or [])
    except (SlackApiError, SlackClientError, OSError) as error:
        log.warning("reading user group %s failed: %s", group_id, error)
        return None


def _ids(values) -> list[str]:
    return [str(v) for v in values or () if isinstance(v, str) and v]


def _now() -> datetime:
    return datetime.now(timezone.utc)
