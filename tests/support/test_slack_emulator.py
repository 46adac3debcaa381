"""Tests of the Slack emulator itself, driven through slack-sdk's real WebClient."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from .slack_emulator import SlackEmulator


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emu:
        yield emu


@pytest.fixture
def client(emulator: SlackEmulator) -> WebClient:
    return WebClient(token="xoxb-test", base_url=emulator.base_url)


def _section(i: int) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": f"row {i}"}}


def test_post_message_is_recorded(emulator: SlackEmulator, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="hi", blocks=[_section(1)])
    second = client.chat_postMessage(channel="C1", text="again")
    assert first["ok"] and first["channel"] == "C1"
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["blocks"] == [_section(1)]
    calls = emulator.calls_to("chat.postMessage")
    assert [c.args["text"] for c in calls] == ["hi", "again"]
    assert calls[0].headers["authorization"] == "Bearer xoxb-test"


def test_form_encoded_blocks_are_decoded(emulator: SlackEmulator, client: WebClient) -> None:
    client.api_call("chat.postMessage", params={"channel": "C1", "blocks": json.dumps([_section(1)])})
    assert emulator.calls_to("chat.postMessage")[0].args["blocks"] == [_section(1)]


def test_51_blocks_are_rejected(emulator: SlackEmulator, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="x", blocks=[_section(i) for i in range(51)])
    assert exc.value.response["error"] == "invalid_blocks"
    assert emulator.calls_to("chat.postMessage") == []
    assert emulator.calls[-1].error == "invalid_blocks"


@pytest.mark.parametrize(
    "block",
    [
        {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}},
        {"type": "header", "text": {"type": "plain_text", "text": "x" * 151}},
        {"text": "no type"},
    ],
)
def test_invalid_block_content_is_rejected(client: WebClient, block: dict) -> None:
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_postMessage(channel="C1", text="x", blocks=[block])


def test_view_block_limit(emulator: SlackEmulator, client: WebClient) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": [_section(i) for i in range(100)]}
    assert client.views_open(trigger_id="t", view=view)["view"]["id"].startswith("V")
    view["blocks"].append(_section(100))
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.views_open(trigger_id="t", view=view)
    assert len(emulator.calls_to("views.open")) == 1


def test_missing_token_is_not_authed(emulator: SlackEmulator) -> None:
    with pytest.raises(SlackApiError, match="not_authed"):
        WebClient(base_url=emulator.base_url).auth_test()


def test_lookups(emulator: SlackEmulator, client: WebClient) -> None:
    emulator.set_user("U1", name="li", real_name="Li Lei", locale="zh-CN")
    assert client.auth_test()["user_id"] == "UBOT"
    assert client.team_info()["team"]["name"] == "Acme"
    user = client.users_info(user="U1", include_locale=True)["user"]
    assert (user["locale"], user["tz"], user["profile"]["real_name"]) == ("zh-CN", "Asia/Shanghai", "Li Lei")
    assert client.users_info(user="U9")["user"]["name"] == "u9"
    assert client.conversations_open(users=["U1"])["channel"]["id"] == "DU1"


def test_rate_limit_retry_after(emulator: SlackEmulator) -> None:
    emulator.fail_next("chat.postMessage", status=429, retry_after=1)
    client = WebClient(token="xoxb-test", base_url=emulator.base_url,
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert [c.status for c in emulator.calls] == [429, 200]
    assert len(emulator.calls_to("chat.postMessage")) == 1


def test_server_error_retry(emulator: SlackEmulator) -> None:
    emulator.fail_next("chat.postMessage", status=500)
    handler = ServerErrorRetryHandler(max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.01))
    client = WebClient(token="xoxb-test", base_url=emulator.base_url, retry_handlers=[handler])
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert [c.status for c in emulator.calls] == [500, 200]
    assert len(emulator.calls_to("chat.postMessage")) == 1


def test_per_channel_rate_limit(emulator: SlackEmulator, client: WebClient) -> None:
    emulator.rate_limit_per_channel = 1.0
    client.chat_postMessage(channel="C1", text="one")
    client.chat_postMessage(channel="C2", text="other channel is fine")
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="too fast")
    assert exc.value.response.status_code == 429
    assert exc.value.response.headers["Retry-After"] == "1"


def test_files_upload_v2(emulator: SlackEmulator, client: WebClient) -> None:
    resp = client.files_upload_v2(channel="C1", content=b"a,b\n1,2\n", filename="x.csv", title="Report")
    assert resp["file"]["title"] == "Report"
    [(file_id, data, args)] = emulator.uploaded_files()
    assert (file_id, data, args["channel_id"]) == (resp["file"]["id"], b"a,b\n1,2\n", "C1")


def test_multipart_upload_extracts_file(emulator: SlackEmulator, client: WebClient) -> None:
    url = client.files_getUploadURLExternal(filename="a.txt", length=3)
    requests.post(url["upload_url"], files={"file": ("a.txt", b"abc")}, timeout=5).raise_for_status()
    client.files_completeUploadExternal(files=[{"id": url["file_id"], "title": "A"}])
    assert emulator.uploaded_files()[0][1] == b"abc"


def test_response_url_posts(emulator: SlackEmulator) -> None:
    WebhookClient(emulator.response_url("cmd")).send(text="done", response_type="ephemeral")
    bad = WebhookClient(emulator.response_url("cmd")).send(text="x", blocks=[_section(i) for i in range(51)])
    assert bad.status_code == 400
    assert emulator.responses("cmd") == [{"text": "done", "response_type": "ephemeral"}]
    assert len(emulator.rejected_responses("cmd")) == 1
    assert emulator.wait_for(lambda e: len(e.responses("cmd")) == 1, timeout=0.1)


def test_reset_clears_state(emulator: SlackEmulator, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="hi")
    emulator.fail_next("chat.postMessage")
    emulator.reset()
    assert emulator.calls == []
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
