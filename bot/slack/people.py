"""Who is behind a Slack request: team and user ids, with name and locale kept fresh.

Slash commands carry no locale, so `users.info` is asked once an hour per person; a
failure there never stops a command, it only falls back to what the request carried.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.services.context import Actor

log = logging.getLogger(__name__)
PROFILE_TTL_SECONDS = 3600
PROFILE_TIMEOUT_SECONDS = 1.5


@dataclass(frozen=True)
class Profile:
    name: str
    locale: str | None
    timezone: str | None


class Profiles:
    def __init__(self, ttl: float = PROFILE_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._cache: dict[tuple[str, str], tuple[float, Profile]] = {}
        self._lock = threading.Lock()

    def get(self, client: WebClient, team_id: str, user_id: str) -> Profile | None:
        key = (team_id, user_id)
        with self._lock:
            cached = self._cache.get(key)
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        try:  # inside the 3-second ack: a short timeout and no retries; the request's own name will do
            quick = WebClient(token=client.token, base_url=client.base_url, timeout=PROFILE_TIMEOUT_SECONDS)
            user = quick.users_info(user=user_id, include_locale=True)["user"]
        except (SlackApiError, SlackClientError, OSError, KeyError, TypeError):
            log.warning("users.info failed for %s/%s; using the request's name", team_id, user_id)
            return cached[1] if cached else None
        profile_data = user.get("profile") or {}
        name = profile_data.get("display_name") or user.get("name") or profile_data.get("real_name") or user_id
        profile = Profile(name, user.get("locale"), user.get("tz"))
        with self._lock:
            self._cache[key] = (time.monotonic(), profile)
        return profile

    def actor(self, client: WebClient, team_id: str, user_id: str, fallback_name: str = "", team_name: str = "") -> Actor:
        profile = self.get(client, team_id, user_id)
        if profile is None:
            return Actor(team_id, user_id, fallback_name or user_id, None, team_name)
        return Actor(team_id, user_id, profile.name, profile.locale, team_name, profile.timezone)


def command_ids(body: dict) -> tuple[str, str, str]:
    return body.get("team_id", ""), body.get("user_id", ""), body.get("user_name", "")


def interaction_ids(body: dict) -> tuple[str, str, str]:
    user = body.get("user") or {}
    team = body.get("team") or {}
    return team.get("id") or user.get("team_id", ""), user.get("id", ""), user.get("username") or user.get("name", "")
