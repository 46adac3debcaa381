"""Where scheduled posts go: a port each platform implements (`bot.slack.posting.SlackPoster`).
The scheduler hands it a neutral `Outgoing` message; the platform draws it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.render.message import Chart, Outgoing

__all__ = ["Chart", "Outgoing", "PlatformPoster", "PostFailed", "Poster"]


class PostFailed(Exception):
    """The platform refused or could not be reached, after its client's own retries. `revoked`:
    the workspace's token no longer works (uninstalled, revoked): retrying cannot help."""

    def __init__(self, error: str, retry_after: float | None = None, revoked: bool = False) -> None:
        super().__init__(error)
        self.retry_after = retry_after
        self.revoked = revoked


class Poster(Protocol):
    def post(self, team_id: str, target: str, message: Outgoing, chart: Chart | None = None, key: str | None = None) -> None:
        """Post `message` to a channel or a person; with `key`, findable later by `find_post`."""

    def find_post(self, team_id: str, target: str, key: str, since: datetime) -> bool:
        """Whether a post for send `key` is already in the target's conversation (since `since`)."""


class PlatformPoster:
    """Each workspace's posts through its own platform: a Feishu tenant's workspace is
    "feishu:<tenant>", anything else is a Slack team."""

    def __init__(self, posters: dict[str, Poster]) -> None:
        self.posters = posters

    def _for(self, team_id: str) -> Poster:
        platform = "feishu" if team_id.startswith("feishu:") else "slack"
        if platform not in self.posters:
            raise PostFailed(f"{platform} is not configured in this process")
        return self.posters[platform]

    def post(self, team_id: str, target: str, message: Outgoing, chart: Chart | None = None, key: str | None = None) -> None:
        self._for(team_id).post(team_id, target, message, chart, key=key)

    def find_post(self, team_id: str, target: str, key: str, since: datetime) -> bool:
        return self._for(team_id).find_post(team_id, target, key, since)
