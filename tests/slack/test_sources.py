"""Data sources from Slack: linking and testing one over signed HTTP and Socket Mode; a test
that reads a slow source answers at once and follows up through response_url."""

import json

import pytest

from support.data_server import DataServer
from support.slack_requests import reply_text

TRANSPORTS = ("http", "socket")


@pytest.fixture
def data():
    server = DataServer()
    yield server
    server.stop()


def test_a_source_is_tested_and_linked_from_slack(slack, emulator, data):
    slack.command("/kpi", "add Leads target=60 weight=100%")
    url = data.serve("/stats.json", json.dumps({"data": {"leads": 57}}), content_type="application/json", delay=1.5)
    key = f"source-{slack.team_id}"
    first = slack.command("/kpi", f"source K1 json <{url}> path=$.data.leads test", response_url=emulator.response_url(key))
    assert "Reading the source" in first.json()["text"]  # acknowledged at once, however slow the source
    assert emulator.wait_for(lambda e: e.responses(key), timeout=15)
    followed = emulator.responses(key)[0]["text"]
    assert "K1 would now record 57" in followed and "Nothing was written" in followed
    linked = reply_text(slack.command("/kpi", f"source K1 json <{url}> path=$.data.leads hourly"))
    assert "Source #1 feeds K1" in linked and "every hour" in linked
    assert "#1 K1 Leads" in reply_text(slack.command("/perf", "sources"))
    assert "Only owners and managers" in reply_text(slack.command("/perf", "source off 1", user="UBOB", user_name="bob"))
    assert "stopped" in reply_text(slack.command("/perf", "source off 1"))
