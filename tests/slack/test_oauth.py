"""Installing in many workspaces: bolt's OAuth flow against the emulator, each workspace with
its own token and its own data, and no token in the logs."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from support.db import database_url
from support.slack_emulator import bot_token_for
from support.slack_requests import SlackSender, reply_text

from support.servers import start_server, stop_server


class Server:
    def __init__(self, process, base):
        self.process, self.base, self.log = process, base, None

    def stop(self) -> str:
        if self.log is None:
            self.log = stop_server(self.process)
        return self.log


@pytest.fixture
def oauth_server(emulator, tmp_path):
    server = Server(*start_server(emulator, database_url(tmp_path), SLACK_BOT_TOKEN="", SLACK_CLIENT_ID="111.222",
                                  SLACK_CLIENT_SECRET="client-secret", SCHEDULER="false", LOG_LEVEL="DEBUG"))
    yield server
    server.stop()


def install(base: str, team: str) -> None:
    browser = requests.Session()
    page = browser.get(base + "/slack/install", timeout=10)
    assert page.status_code == 200
    link = re.search(r'href="([^"]+oauth/v2/authorize[^"]+)"', page.text).group(1).replace("&amp;", "&")
    state = parse_qs(urlparse(link).query)["state"][0]
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]  # a Secure cookie: a browser on https would send it back
    done = browser.get(base + "/slack/oauth_redirect", params={"code": f"code-{team}", "state": state}, timeout=10,
                       headers={"Cookie": cookie})
    assert done.status_code == 200, done.text


def test_two_workspaces_install_and_each_sees_only_its_own_data(oauth_server, emulator):
    base = oauth_server.base
    emulator.reset()
    install(base, "TALPHA")
    install(base, "TBETA")
    alpha = SlackSender(base + "/slack/events", team_id="TALPHA")
    beta = SlackSender(base + "/slack/events", team_id="TBETA")
    assert "O1" in reply_text(alpha.command("/okr", "add Alpha secret plan"))
    assert "Alpha secret plan" not in reply_text(beta.command("/okr", "list"))
    alpha.command("/perf", "settings updates=<#CALPHA|news>")
    alpha.command("/okr", "kr O1 Articles target=10")
    alpha.command("/checkin", "KR1.1 3")
    assert emulator.wait_for(lambda e: any(c.args.get("channel") == "CALPHA" for c in e.calls_to("chat.postMessage")))
    post = next(c for c in emulator.calls_to("chat.postMessage") if c.args.get("channel") == "CALPHA")
    assert post.headers["authorization"] == f"Bearer {bot_token_for('TALPHA')}"
    stranger = SlackSender(base + "/slack/events", team_id="TNOTINSTALLED").command("/okr", "list")
    assert stranger.status_code != 200 or "O1" not in stranger.text


def test_tokens_never_appear_in_the_logs(oauth_server, emulator):
    install(oauth_server.base, "TGAMMA")
    sender = SlackSender(oauth_server.base + "/slack/events", team_id="TGAMMA")
    sender.command("/perf", "settings updates=<#CGAMMA|news>")
    sender.command("/okr", "add Gamma")
    log = oauth_server.stop()
    assert "DEBUG" in log  # the server really logged at DEBUG level
    assert bot_token_for("TGAMMA") not in log and "client-secret" not in log and "xoxb-" not in log
