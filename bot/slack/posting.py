"""Scheduled posts in Slack: the neutral message drawn as Block Kit, posted through the Web API
client, with the chart as a file and the send key in the message metadata."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.render.message import Chart, Outgoing
from bot.render.text import Renderer
from bot.scheduler.posting import PostFailed
from bot.slack import blocks as b
from bot.slack.surfaces import Words, checkin_button

log = logging.getLogger(__name__)
REVOKED = ("account_inactive", "invalid_auth", "token_revoked", "not_authed", "team_access_not_granted")
SEND_EVENT = "perfbot_send"  # message metadata naming the send a post was for


def block_kit(renderer: Renderer, message: Outgoing) -> dict:
    """`text` (the notification fallback) and `blocks`, within Slack's 50 blocks."""
    text = message.text(renderer, "mrkdwn")
    words = Words(renderer, message.language)
    blocks = b.message_blocks(text, words.and_more)
    if message.buttons:
        buttons = {"type": "actions", "elements": [checkin_button(words, button.value) for button in message.buttons[:25]]}
        blocks = blocks[:49] + [buttons]
    return {"text": b.fallback_text(text), "blocks": blocks}


class SlackPoster:
    def __init__(self, client_for, renderer: Renderer) -> None:
        self.client_for = client_for  # team id -> WebClient with that workspace's token
        self.renderer = renderer

    def post(self, team_id: str, target: str, message: Outgoing, chart: Chart | None = None, key: str | None = None) -> None:
        """Post `message`; with `key`, the post carries it as metadata, so that after a crash the
        send can be found in the conversation instead of being posted a second time."""
        client = self._client(team_id)
        message = block_kit(self.renderer, message)
        if key is not None:
            message = {**message, "metadata": {"event_type": SEND_EVENT, "event_payload": {"key": key}}}
        with _slack_errors():
            channel = self._channel(client, target)
            client.chat_postMessage(channel=channel, **message)
        if chart is None:
            return
        try:  # the digest is out; a chart that fails to upload does not make it go out again
            client.files_upload_v2(channel=channel, content=chart.png, filename=chart.filename, title=chart.title)
        except (SlackApiError, SlackClientError, OSError):
            log.exception("uploading the digest chart to %s failed", channel)

    def find_post(self, team_id: str, target: str, key: str, since: datetime) -> bool:
        client = self._client(team_id)
        with _slack_errors():
            channel = self._channel(client, target)
            cursor = None
            for _ in range(20):  # at most 20 pages of 200: the window is minutes, not weeks
                page = client.conversations_history(channel=channel, oldest=f"{since.timestamp():.6f}", limit=200,
                                                    include_all_metadata=True, cursor=cursor)
                for message in page.get("messages", []):
                    metadata = message.get("metadata") or {}
                    if metadata.get("event_type") == SEND_EVENT and (metadata.get("event_payload") or {}).get("key") == key:
                        return True
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return False
        return False

    def _client(self, team_id: str) -> WebClient:
        try:
            return self.client_for(team_id)
        except LookupError as missing:  # no installation left for this workspace (OAuth): it was uninstalled
            raise PostFailed(str(missing), revoked=True) from None

    @staticmethod
    def _channel(client: WebClient, target: str) -> str:
        if target.startswith(("U", "W")):  # a person: their direct-message channel
            return client.conversations_open(users=target)["channel"]["id"]
        return target


@contextmanager
def _slack_errors():
    try:
        yield
    except SlackApiError as error:
        code = error.response.get("error")
        retry_after = error.response.headers.get("Retry-After") or error.response.headers.get("retry-after")
        raise PostFailed(f"{error.response.status_code} {code}", float(retry_after) if retry_after else None,
                         revoked=code in REVOKED) from None
    except (SlackClientError, OSError) as error:
        raise PostFailed(f"network: {error}") from None
