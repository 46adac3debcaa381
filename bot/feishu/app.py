"""Feishu's part of `python -m bot serve`: the events route and the poster."""

from __future__ import annotations

from bot.config import Settings
from bot.feishu.client import open_api_client
from bot.feishu.events import FeishuEdge
from bot.feishu.http import EVENTS_PATH, FeishuEvents
from bot.feishu.posting import FeishuPoster
from bot.render.text import Renderer
from bot.services.deliveries import claim_delivery


def feishu_routes(settings: Settings, runtime, renderer: Renderer):
    """`/feishu/events` (message and card callbacks). Returns (routes, poster)."""
    poster = FeishuPoster(open_api_client(settings), renderer)
    edge = FeishuEdge(runtime, renderer, poster)
    secret = (lambda value: value.get_secret_value() if value is not None else "")
    events = FeishuEvents(edge, secret(settings.feishu_encrypt_key), secret(settings.feishu_verification_token),
                          lambda key: claim_delivery(runtime.engine, key))
    return {EVENTS_PATH: events}, poster
