"""Where scheduled posts go: Slack through the Web API client, with the chart as a file."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chart:
    png: bytes
    filename: str
    title: str


class PostFailed(Exception):
    """Slack refused or could not be reached, after slack-sdk's own retries."""

    def __init__(self, error: str, retry_after: float | None = None) -> None:
        super().__init__(error)
        self.retry_after = retry_after


class Poster(Protocol):
    def post(self, team_id: str, target: str, message: dict, chart: Chart | None = None) -> None: ...


class SlackPoster:
    def __init__(self, client_for) -> None:
        self.client_for = client_for  # team id -> WebClient with that workspace's token

    def post(self, team_id: str, target: str, message: dict, chart: Chart | None = None) -> None:
        client: WebClient = self.client_for(team_id)
        try:
            channel = target
            if target.startswith(("U", "W")):  # a person: their direct-message channel
                channel = client.conversations_open(users=target)["channel"]["id"]
            client.chat_postMessage(channel=channel, **message)
        except SlackApiError as error:
            retry_after = error.response.headers.get("Retry-After") or error.response.headers.get("retry-after")
            raise PostFailed(f"{error.response.status_code} {error.response.get('error')}", float(retry_after) if retry_after else None) from None
        except (SlackClientError, OSError) as error:
            raise PostFailed(f"network: {error}") from None
        if chart is None:
            return
        try:  # the digest is out; a chart that fails to upload does not make it go out again
            client.files_upload_v2(channel=channel, content=chart.png, filename=chart.filename, title=chart.title)
        except (SlackApiError, SlackClientError, OSError):
            log.exception("uploading the digest chart to %s failed", channel)
