"""Listeners are plain functions of their dependencies: called here without a bolt App or HTTP,
with a real database and the Slack emulator behind the client."""

from concurrent.futures import ThreadPoolExecutor

from slack_sdk import WebClient

from bot.render.text import Renderer
from bot.slack.deps import SlackDeps
from bot.slack.listeners.commands import handle_command
from bot.slack.listeners.views import submit_checkin
from bot.slack.surfaces import CHECKIN_MODAL


class Ack:
    def __init__(self) -> None:
        self.calls: list[dict] = []

    def __call__(self, **kwargs) -> None:
        self.calls.append(kwargs)


def form(view_id: str, item: str, value: str) -> dict:
    values = {"item": {"item": {"selected_option": {"value": item}}}, "value": {"value": {"value": value}},
              "confidence": {"confidence": {"selected_option": None}}, "note": {"note": {"value": ""}}}
    return {"team": {"id": "TLISTEN"}, "user": {"id": "UOWNER", "username": "owner", "team_id": "TLISTEN"},
            "view": {"id": view_id, "callback_id": CHECKIN_MODAL, "state": {"values": values}}}


def test_the_checkin_form_listener_records_once_and_ties_errors_to_fields(runtime, emulator):
    from bot.console.app import Console, ConsoleUser

    shell = Console(runtime, ConsoleUser(team="TLISTEN", name="UOWNER", language="en"))
    shell.execute("/okr add Brand")
    shell.execute("/okr kr O1 Articles target=12 owner=<@UOWNER|owner>")
    deps = SlackDeps(runtime, Renderer(runtime.catalog))
    client = WebClient(token="xoxb-test", base_url=emulator.base_url)
    bad = Ack()
    submit_checkin(deps, bad, form("V1", "KR1.1", "lots"), client)
    assert bad.calls[0]["response_action"] == "errors" and "value" in bad.calls[0]["errors"]
    for _ in range(2):  # a double click: the same view submitted twice
        ok = Ack()
        submit_checkin(deps, ok, form("V2", "KR1.1", "5"), client)
        assert ok.calls == [{}]
    assert shell.execute("/okr show O1").count("5/12") == 1 and "Last check-in" in shell.execute("/okr show O1")
    deps.background.shutdown(wait=True)


class CountingPool(ThreadPoolExecutor):
    """The background pool, counting what is handed to it."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.submitted = 0

    def submit(self, *args, **kwargs):
        self.submitted += 1
        return super().submit(*args, **kwargs)


def test_a_slash_check_in_wakes_no_background_work_unless_it_is_announced(runtime, emulator):
    """Waking a background thread for nothing made every check-in wait for the interpreter's lock."""
    from bot.console.app import Console, ConsoleUser

    shell = Console(runtime, ConsoleUser(team="TQUIET", name="UOWNER", language="en"))
    shell.execute("/okr add Brand")
    shell.execute("/okr kr O1 Articles target=12 owner=<@UOWNER|owner>")
    emulator.reset()
    pool = CountingPool()
    deps = SlackDeps(runtime, Renderer(runtime.catalog), background=pool)
    client = WebClient(token="xoxb-test", base_url=emulator.base_url)
    body = {"team_id": "TQUIET", "user_id": "UOWNER", "user_name": "owner", "command": "/checkin", "text": "KR1.1 3"}
    ack = Ack()
    handle_command(deps, ack, body, client)
    assert "Checked in KR1.1" in ack.calls[0]["text"] and pool.submitted == 0
    shell.execute("/perf settings updates=<#CQUIET|marketing>")
    handle_command(deps, Ack(), {**body, "text": "KR1.1 4"}, client)
    pool.shutdown(wait=True)
    assert pool.submitted == 1 and [c.args["channel"] for c in emulator.calls_to("chat.postMessage")] == ["CQUIET"]
