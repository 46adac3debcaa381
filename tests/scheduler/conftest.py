"""The clock's fixtures: a Deliverer posting through the real Slack client to the emulator."""

import pytest

from bot.config import Settings
from bot.console.app import Console, ConsoleUser
from bot.render.text import Renderer
from bot.scheduler.deliver import Deliverer
from bot.slack.posting import SlackPoster
from bot.slack.app import web_client


@pytest.fixture
def deliverer(runtime, emulator):
    emulator.reset()
    client = web_client(Settings(slack_bot_token="xoxb-test", slack_api_url=emulator.base_url))

    def make(instance: str = "one", **options) -> Deliverer:
        return Deliverer(runtime, Renderer(runtime.catalog), SlackPoster(lambda team: client, Renderer(runtime.catalog)), instance=instance, **options)

    return make


@pytest.fixture
def say(runtime):
    shell = Console(runtime, ConsoleUser(team="T1", name="UOWNER", language="en"))
    return lambda line: shell.execute(line)
