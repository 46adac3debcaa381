"""Feishu end to end: `python -m bot serve` with Slack and Feishu configured, Feishu's events
signed and encrypted over real HTTP, its Open API a local emulator. Commands typed in a chat
are answered with cards (in Chinese by default), the check-in form is a card, forged, stale
and replayed events are refused, and a digest subscribed in a Feishu chat goes out once from
two replicas."""

import json
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests

from support.db import database_url
from support.feishu_emulator import APP_ID, APP_SECRET, ENCRYPT_KEY, VERIFICATION_TOKEN, FeishuSender, card_text
from support.servers import start_server, stop_server

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def feishu_env(api) -> dict:
    return dict(FEISHU_APP_ID=APP_ID, FEISHU_APP_SECRET=APP_SECRET, FEISHU_ENCRYPT_KEY=ENCRYPT_KEY,
                FEISHU_VERIFICATION_TOKEN=VERIFICATION_TOKEN, FEISHU_API_URL=api.base_url)


@pytest.fixture
def served(emulator, feishu, tmp_path):
    """One server with both platforms; stopped after the test."""
    started = []

    def start(count: int = 1, **env):
        db = database_url(tmp_path)
        for _ in range(count):
            started.append(start_server(emulator, db, **feishu_env(feishu), **env))
        return [base for _, base in started[-count:]]

    yield start
    for process, _ in started:
        stop_server(process)


def replies(feishu, message_id: str, count: int = 1, timeout: float = 15) -> list[str]:
    assert feishu.wait_for(lambda f: len(f.replies_to(message_id)) >= count, timeout=timeout), f"no reply to {message_id}"
    return [card_text(card) for card in feishu.replies_to(message_id)]


def test_commands_typed_in_a_chat_are_answered_with_cards_in_chinese(served, feishu):
    [base] = served(SCHEDULER="false")
    chat = FeishuSender(base + "/feishu/events", tenant="tenant1")
    answer, first = chat.say("/okr add 提升华东地区品牌知名度")
    assert answer.status_code == 200
    assert "的目标 O1：提升华东地区品牌知名度" in replies(feishu, first)[0]
    _, kr = chat.say("/okr kr O1 头部媒体发文 目标=12 负责人=@_user_2", mentions={"@_user_2": ("ou_alice0000000001", "alice")})
    assert "KR1.1" in replies(feishu, kr)[0] and "<at id=ou_alice0000000001></at>" in feishu.replies_to(kr)[0]["elements"][0]["content"]
    _, done = chat.say("/checkin KR1.1 4 正常 两篇已发", user="ou_alice0000000001", name="alice")
    assert "4/12" in replies(feishu, done)[0]
    _, listed = chat.say("/okr list")
    assert "提升华东地区品牌知名度" in replies(feishu, listed)[0]
    _, unknown = chat.say("/chekin KR1.1 5")
    assert "/checkin" in replies(feishu, unknown)[0]  # the nearest command, never a traceback


def test_the_checkin_form_is_a_card_and_its_submission_is_recorded_once(served, feishu):
    [base] = served(SCHEDULER="false")
    chat = FeishuSender(base + "/feishu/events", tenant="tenant2")
    chat.say("/okr add Brand")
    _, added = chat.say("/okr kr O1 Articles target=12")
    replies(feishu, added)
    _, opened = chat.say("/checkin")
    [form] = feishu.replies_to(opened) if feishu.wait_for(lambda f: f.replies_to(opened)) else [None]
    assert form["schema"] == "2.0" and "KR1.1" in json.dumps(form)
    clicked = chat.act(value={"action": "checkin", "ref": "KR1.1"}).json()
    assert clicked["card"]["type"] == "raw" and "initial_option" in json.dumps(clicked["card"]["data"])
    event = {"ref": "KR1.1", "value": "6", "confidence": "at-risk", "note": "两篇在审"}
    submitted = chat.act(form=event)
    assert submitted.status_code == 200 and submitted.json()["toast"]["type"] == "success"
    assert "6/12" in card_text(submitted.json()["card"]["data"])
    bad = chat.act(form={**event, "value": "six"}).json()
    assert bad["toast"]["type"] == "error"
    _, shown = chat.say("/okr show O1")
    assert "6/12" in replies(feishu, shown)[0] and "两篇在审" in replies(feishu, shown)[0]


def test_forged_stale_and_replayed_events_are_refused(served, feishu):
    [base] = served(SCHEDULER="false")
    url = base + "/feishu/events"
    chat = FeishuSender(url, tenant="tenant3")
    assert chat.signed("im.message.receive_v1", {}, key="wrong-key").status_code == 401
    assert chat.signed("im.message.receive_v1", {}, timestamp=int(time.time()) - 3600).status_code == 401
    assert requests.post(url, data=b'{"encrypt": "abc"}', headers={"Content-Type": "application/json"}, timeout=10).status_code == 401
    answer, message_id = chat.say("/okr add Once only")
    replies(feishu, message_id)
    again = requests.post(url, data=answer.request.body, headers=dict(answer.request.headers), timeout=10)  # the same signed event
    assert again.status_code == 200
    time.sleep(1)
    _, listed = chat.say("/okr list")
    assert replies(feishu, listed)[0].count("Once only") == 1


def test_a_digest_subscribed_in_a_feishu_chat_goes_out_once_from_two_replicas(served, feishu):
    first, second = served(2, SCHEDULER_INTERVAL_SECONDS="1")
    chat = FeishuSender(first + "/feishu/events", tenant="tenant4", chat="oc_marketing0001")
    other = FeishuSender(second + "/feishu/events", tenant="tenant4", chat="oc_marketing0001")
    for line in ("/perf settings timezone=Asia/Shanghai reminders=off charts=off", "/okr add 提升品牌知名度", "/okr kr O1 发文 目标=12"):
        _, message_id = chat.say(line)
        replies(feishu, message_id)
    if datetime.now(SHANGHAI).second > 50:
        time.sleep(61 - datetime.now(SHANGHAI).second)
    now = datetime.now(SHANGHAI)
    _, subscribed = other.say(f"/digest weekly here {WEEKDAYS[now.weekday()]} {now:%H:%M}")
    assert "订阅成功" in replies(feishu, subscribed)[0] and "本群" in replies(feishu, subscribed)[0]
    assert feishu.wait_for(lambda f: f.cards_to("oc_marketing0001"), timeout=20)
    time.sleep(3)  # both replicas tick every second: time enough to post twice, if they could
    [digest] = feishu.cards_to("oc_marketing0001")
    assert "周报" in card_text(digest) and "提升品牌知名度" in card_text(digest)
