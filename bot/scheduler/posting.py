"""Where scheduled posts go: a port each platform implements (`bot.slack.posting.SlackPoster`).
The scheduler hands it a neutral `Outgoing` message; the platform draws it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.render.message import Chart, Outgoing

__all__ = ["Chart", "Outgoing", "PostFailed", "Poster"]


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
