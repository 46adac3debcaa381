"""Scheduled posts in Feishu: the neutral message drawn as a card and sent to a chat (oc_…) or
a person (ou_…). Feishu de-duplicates a message by its `uuid` for an hour, so a post retried
after a crash (within the send lease) is not shown twice: that is how a send is found again."""

from __future__ import annotations

import hashlib
import io
import logging
from datetime import datetime

import lark_oapi as lark
from lark_oapi.api.im.v1 import (
    CreateImageRequest, CreateImageRequestBody, CreateMessageRequest, CreateMessageRequestBody, ReplyMessageRequest, ReplyMessageRequestBody,
)

from bot.feishu.cards import content, message_card
from bot.render.message import Chart, Outgoing
from bot.render.text import Renderer
from bot.scheduler.posting import PostFailed

log = logging.getLogger(__name__)
TOKEN_ERRORS = (99991663, 99991664, 99991668, 99991661)  # app credentials no longer valid: retrying cannot help


def message_uuid(key: str) -> str:
    """Feishu's de-duplication key for a send (at most 50 characters)."""
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def receive_id_type(target: str) -> str:
    return "chat_id" if target.startswith("oc_") else "open_id"


class FeishuPoster:
    def __init__(self, client: lark.Client, renderer: Renderer) -> None:
        self.client = client
        self.renderer = renderer

    def post(self, team_id: str, target: str, message: Outgoing, chart: Chart | None = None, key: str | None = None) -> None:
        image = self.upload(chart) if chart is not None else None
        card = message_card(self.renderer, message, image, chart.title if chart else "")
        self.send(target, card, key)

    def send(self, target: str, card: dict, key: str | None = None) -> str:
        body = CreateMessageRequestBody.builder().receive_id(target).msg_type("interactive").content(content(card))
        if key is not None:
            body = body.uuid(message_uuid(key))
        request = CreateMessageRequest.builder().receive_id_type(receive_id_type(target)).request_body(body.build()).build()
        return _checked(_calling(self.client.im.v1.message.create, request)).message_id

    def reply(self, message_id: str, card: dict, key: str | None = None) -> None:
        body = ReplyMessageRequestBody.builder().msg_type("interactive").content(content(card))
        if key is not None:
            body = body.uuid(message_uuid(key))
        _checked(_calling(self.client.im.v1.message.reply, ReplyMessageRequest.builder().message_id(message_id).request_body(body.build()).build()))

    def find_post(self, team_id: str, target: str, key: str, since: datetime) -> bool:
        """Never needed: posting again with the same uuid is a no-op in Feishu for an hour."""
        return False

    def upload(self, chart: Chart) -> str | None:
        body = CreateImageRequestBody.builder().image_type("message").image(io.BytesIO(chart.png)).build()
        try:
            return _checked(_calling(self.client.im.v1.image.create, CreateImageRequest.builder().request_body(body).build())).image_key
        except PostFailed as failure:  # the digest goes out without its chart
            log.warning("uploading the chart to Feishu failed: %s", failure)
            return None


def _checked(call):
    """The data of an Open API answer, or PostFailed: a refusal, or Feishu out of reach."""
    if call.code == 0:
        return call.data
    raise PostFailed(f"feishu {call.code} {call.msg}", revoked=call.code in TOKEN_ERRORS)


def _calling(method, request):
    try:
        return method(request)
    except Exception as error:  # the SDK's transport (connection refused, timeout): retried later by the send
        raise PostFailed(f"network: {type(error).__name__}: {str(error)[:160]}") from None
