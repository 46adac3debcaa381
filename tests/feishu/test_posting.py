"""Posting to Feishu through lark-oapi against the local Open API: a neutral message becomes a
card in the reader's language; the same send posted twice shows once (Feishu's uuid)."""

import pytest

from bot.config import Settings
from bot.feishu.client import open_api_client
from bot.feishu.posting import FeishuPoster
from bot.render.message import Button, Chart, Outgoing
from bot.render.text import Renderer
from bot.scheduler.posting import PostFailed
from support.feishu_emulator import APP_ID, APP_SECRET, card_text


@pytest.fixture
def poster(feishu):
    settings = Settings(feishu_app_id=APP_ID, feishu_app_secret=APP_SECRET, feishu_api_url=feishu.base_url)
    return FeishuPoster(open_api_client(settings), Renderer())


def test_a_message_becomes_a_card_with_its_buttons_and_chart(poster, feishu):
    message = Outgoing("zh-CN", sentence="source.failed_dm", params={"ref": "K1", "title": "[x](http://evil)", "reason": "超时"},
                       buttons=(Button("checkin", "K1"),))
    poster.post("feishu:t1", "ou_alice0000000001", message, Chart(b"\x89PNG", "c.png", "进度"), key="weekly:1:s1:2026-11-30")
    [card] = feishu.cards_to("ou_alice0000000001")
    text = card_text(card)
    assert "K1" in text and "数据源读取失败" in text and "](" not in text  # escaped: no link
    assert any(e.get("tag") == "img" for e in card["elements"])
    [action] = [e for e in card["elements"] if e.get("tag") == "action"]
    assert action["actions"][0]["value"] == {"action": "checkin", "ref": "K1"}
    assert feishu.sent[0].query == {"receive_id_type": "open_id"}


def test_the_same_send_twice_shows_once_and_failures_say_why(poster, feishu):
    message = Outgoing("en", sentence="digest.preparing")
    poster.post("feishu:t1", "oc_chat000000001", message, key="weekly:1:s1:2026-11-30")
    poster.post("feishu:t1", "oc_chat000000001", message, key="weekly:1:s1:2026-11-30")  # after a crash, within the hour
    assert len(feishu.cards_to("oc_chat000000001")) == 1 and feishu.sent[0].query == {"receive_id_type": "chat_id"}
    feishu.failures.append(230001)
    with pytest.raises(PostFailed) as failed:
        poster.post("feishu:t1", "oc_chat000000001", message, key="weekly:1:s1:2026-12-07")
    assert "230001" in str(failed.value) and not failed.value.revoked
