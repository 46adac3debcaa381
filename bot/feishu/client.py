"""The Open API client for the app (a Feishu self-built app: one tenant, its token fetched and
renewed by lark-oapi), pointed at FEISHU_API_URL so tests reach an emulator."""

from __future__ import annotations

import lark_oapi as lark

from bot.config import Settings

TIMEOUT_SECONDS = 10


def open_api_client(settings: Settings) -> lark.Client:
    return (lark.Client.builder().app_id(settings.feishu_app_id).app_secret(settings.feishu_app_secret.get_secret_value())
            .domain(settings.feishu_api_url.rstrip("/")).timeout(TIMEOUT_SECONDS).log_level(lark.LogLevel.WARNING).build())
