"""One conversation, three edges: the console, Slack (signed HTTP) and Feishu (signed,
encrypted events) give the same answers to the same lines, from the same core."""

import itertools
import re

import pytest

from bot.console.app import Console, ConsoleUser
from support.db import database_url
from support.feishu_emulator import APP_ID, APP_SECRET, ENCRYPT_KEY, VERIFICATION_TOKEN, FeishuSender, card_text
from support.servers import start_server, stop_server
from support.slack_requests import SlackSender, reply_text

CONVERSATION = [
    ("/perf settings language=en", "✅"),  # answered in the language of the moment before; English from here
    ("/okr add Raise brand awareness in East China", "Added O1"),
    ("/okr kr O1 Publish articles in top media target=12", "Added KR1.1"),
    ("/checkin KR1.1 4 on-track Two articles landed", "4/12"),
    ("/kpi add Sales growth rate target=15% weight=100%", "Added K1"),
    ("/checkin K1 12%", "12%/15%"),
    ("/scorecard", "Weighted score: 80"),
    ("/okr list", "Raise brand awareness in East China"),
    ("/okr kr O9 Anything target=1", "O9"),
    ("/checkin KR1.1 40%", "measured in a plain count"),
    ("/perf team add Growth", "Team Growth added"),
    ("/okr add Double sign-ups team=Growth", "Added O2"),
    ("/okr align O2 KR1.1", "aligned to KR1.1"),
    ("/okr tree", "KR1.1 ← O2"),
]
_teams = itertools.count(1)


def plain(text: str) -> str:
    """The words, whatever the markup: no bold markers, entities back to characters."""
    return re.sub(r"\*+", "", text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@pytest.fixture(scope="module")
def server(tmp_path_factory, emulator, feishu_api):
    db = database_url(tmp_path_factory.mktemp("conversation"))
    process, base = start_server(emulator, db, SCHEDULER="false", FEISHU_APP_ID=APP_ID, FEISHU_APP_SECRET=APP_SECRET,
                                 FEISHU_ENCRYPT_KEY=ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN=VERIFICATION_TOKEN, FEISHU_API_URL=feishu_api.base_url)
    yield base
    stop_server(process)


def console_edge(runtime):
    shell = Console(runtime, ConsoleUser(team="TCONV", name="owner", language="en"))
    return lambda line: shell.execute(line)


def slack_edge(base):
    sender = SlackSender(base + "/slack/events", team_id=f"TCONV{next(_teams)}")

    def say(line: str) -> str:
        command, _, text = line.partition(" ")
        return reply_text(sender.command(command, text))

    return say


def feishu_edge(base, api):
    chat = FeishuSender(base + "/feishu/events", tenant=f"tconv{next(_teams)}")

    def say(line: str) -> str:
        _, message_id = chat.say(line)
        assert api.wait_for(lambda f: f.replies_to(message_id), timeout=15), line
        return card_text(api.replies_to(message_id)[0])

    return say


@pytest.mark.parametrize("edge", ["console", "slack", "feishu"])
def test_the_same_conversation_on_every_edge(edge, request, feishu_api):
    if edge == "console":
        say = console_edge(request.getfixturevalue("runtime"))
    else:
        base = request.getfixturevalue("server")
        say = slack_edge(base) if edge == "slack" else feishu_edge(base, feishu_api)
    for line, expected in CONVERSATION:
        answer = plain(say(line))
        assert expected in answer, f"{edge}: {line} → {answer[:300]}"
