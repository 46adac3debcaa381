"""The attacker's findings, each as it was seen: slow clients, replays, malformed and oversized
requests, words that confused the web framework, huge references, lifecycle events. Over real
HTTP against `python -m bot serve`."""

from __future__ import annotations

import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from sqlmodel import Session, select


from bot.store.database import make_engine
from bot.store.models import Member, Objective, Workspace
from support.servers import start_server, stop_server
from support.slack_requests import SlackSender, reply_text, signature_headers


def open_stalled_connections(base: str, count: int) -> list[socket.socket]:
    """Sockets that send their headers, promise 100 bytes of body, send one, and wait."""
    host, port = urlsplit(base).hostname, urlsplit(base).port
    stalled = []
    for _ in range(count):
        conn = socket.create_connection((host, port))
        conn.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 100\r\n\r\nc")
        stalled.append(conn)
    return stalled


def test_forged_unsigned_and_stale_requests_get_401_and_change_nothing(slack: SlackSender):
    forged = slack.command("/okr", "add Forged", secret="wrong-secret")
    stale = slack.command("/okr", "add Stale", timestamp=int(time.time()) - 6 * 60)
    unsigned = SlackSender(slack.url, slack.team_id).post(b"command=%2Fokr&text=add+x", "application/x-www-form-urlencoded", extra_headers={"X-Slack-Signature": ""})
    assert (forged.status_code, stale.status_code, unsigned.status_code) == (401, 401, 401)
    listing = reply_text(slack.command("/okr", "list"))
    assert "Forged" not in listing and "Stale" not in listing


@pytest.mark.parametrize("path", ["/slack/install", "/slack/oauth_redirect"])
def test_commands_posted_anywhere_but_the_events_path_reach_no_listener(slack: SlackSender, path):
    """The signature is checked on /slack/events only, so nothing else may dispatch a command."""
    base = slack.url.rsplit("/slack/events", 1)[0]
    for signed in (False, True):
        body = f"command=%2Fokr&text=add+Sideways+{signed}&team_id={slack.team_id}&user_id=U1".encode()
        headers = signature_headers(body, slack.secret) if signed else {}
        response = requests.post(base + path, data=body, headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
                                 timeout=10)
        assert response.status_code == 405
    assert "Sideways" not in reply_text(slack.command("/okr", "list"))


def test_idle_and_slow_clients_cannot_delay_anyone_else(slack: SlackSender, server):
    stalled = open_stalled_connections(server, 40)  # 8 were enough to stop the old server for 75 s
    try:
        started = time.monotonic()
        assert requests.get(server + "/healthz", timeout=5).ok
        with ThreadPoolExecutor(4) as pool:  # more signed commands at once than the pool has threads free
            replies = list(pool.map(lambda i: reply_text(slack.command("/okr", "list")), range(12)))
        assert all("Objectives" in reply for reply in replies)
        assert time.monotonic() - started < 10
    finally:
        for conn in stalled:
            conn.close()


def test_a_body_that_never_completes_is_dropped_and_one_too_large_is_refused(server):
    [conn] = open_stalled_connections(server, 1)
    conn.settimeout(30)
    try:
        assert b"408" in conn.recv(1024).split(b"\r\n")[0]  # answered and closed, not held for ever
    finally:
        conn.close()
    huge = requests.post(server + "/slack/events", data=b"x" * 2_000_000, headers={"Content-Type": "application/json"}, timeout=10)
    assert huge.status_code == 413


def test_a_replayed_signed_request_is_acted_on_once(slack: SlackSender, server_db):
    body = urlencode({"team_id": slack.team_id, "user_id": "UOWNER", "user_name": "owner", "command": "/okr",
                      "text": "add Replayed objective", "trigger_id": "trigger-replay", "channel_id": "C1",
                      "response_url": "http://127.0.0.1:9/unused"}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signature_headers(body)}
    answers = [requests.post(slack.url, data=body, headers=headers, timeout=10) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 6
    assert "Added O1" in reply_text(answers[0]) and all(a.text == "" for a in answers[1:])
    assert reply_text(slack.command("/okr", "list")).count("Replayed objective") == 1


def test_a_check_in_replayed_at_once_is_recorded_once_and_a_form_opens_once(slack: SlackSender, emulator):
    """A typed check-in claims its request inside its own transaction: replays racing it, or
    arriving after it, record nothing and answer nothing."""
    slack.command("/okr", "add Replayed check-ins")
    slack.command("/okr", "kr O1 Sign-ups target=100")
    def signed(text: str, trigger: str) -> tuple[bytes, dict]:
        body = urlencode({"team_id": slack.team_id, "user_id": "UOWNER", "user_name": "owner", "command": "/checkin", "text": text,
                          "trigger_id": trigger, "channel_id": "C1", "response_url": "http://127.0.0.1:9/unused"}).encode()
        return body, {"Content-Type": "application/x-www-form-urlencoded", **signature_headers(body)}

    body, headers = signed("KR1.1 37 replayed", "trigger-checkin-replay")
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: requests.post(slack.url, data=body, headers=headers, timeout=10), range(6)))
    assert [a.status_code for a in answers] == [200] * 6
    assert sum("Checked in KR1.1" in a.text for a in answers) == 1 and sum(a.text == "" for a in answers) == 5
    assert reply_text(slack.command("/okr", "show O1")).count("replayed") == 1
    body, headers = signed("", "trigger-form-replay")  # a bare /checkin opens the form
    for _ in range(3):
        assert requests.post(slack.url, data=body, headers=headers, timeout=10).status_code == 200
    assert [c.args.get("trigger_id") for c in emulator.calls_to("views.open")] == ["trigger-form-replay"]


def test_text_that_mentions_payload_token_or_command_reaches_the_command(slack: SlackSender):
    for title in ("Track payload delivery times", "payload & token + command %41 50% = done"):
        reply = reply_text(slack.command("/okr", f"add {title}"))
        assert "Added" in reply and title.replace("&", "&amp;") in reply


@pytest.mark.parametrize("text", [
    "show O9223372036854775808", "carry O99999999999999999999", "edit KR1.99999999999999999999 target=3",
])
def test_huge_references_are_answered_kindly(slack: SlackSender, text):
    reply = reply_text(slack.command("/okr", text))
    assert "There is no" in reply and "went wrong" not in reply


@pytest.mark.parametrize("command, text, expected", [
    ("/digest", "off 99999999999999999999", "Say which digest to stop"),
    ("/perf", "token revoke 12345678901234567890", "number"),
    ("/advise", "apply ¹²³⁴⁵⁶⁷⁸⁹⁰¹²", "is not a number I can use here"),
    ("/advise", "apply x", "is not a number I can use here"),
    ("/checkin", "K99999999999999999999 5", "There is no"),
])
def test_huge_or_odd_numbers_anywhere_are_answered_kindly(slack: SlackSender, command, text, expected):
    reply = reply_text(slack.command(command, text))
    assert expected in reply and "went wrong" not in reply


def test_lifecycle_events_stop_posts_and_drop_people_who_left(slack: SlackSender, server_db):
    reply_text(slack.command("/okr", "add Brand"))
    reply_text(slack.command("/okr", "kr O1 Articles target=10 owner=<@UALICE|alice>"))
    assert slack.event({"type": "user_change", "user": {"id": "UALICE", "team_id": slack.team_id, "deleted": True}},
                       event_id="EvUser1").status_code == 200
    assert slack.event({"type": "app_uninstalled"}, event_id="EvGone1").status_code == 200
    engine = make_engine(server_db)
    try:
        with Session(engine) as session:
            workspace = session.exec(select(Workspace).where(Workspace.team_id == slack.team_id)).one()
            alice = session.exec(select(Member).where(Member.workspace_id == workspace.id, Member.user_id == "UALICE")).one()
            assert workspace.uninstalled_at is not None and alice.deactivated_at is not None
        reply_text(slack.command("/okr", "list"))  # it is used again: reinstalled
        with Session(engine) as session:
            assert session.exec(select(Workspace).where(Workspace.team_id == slack.team_id)).one().uninstalled_at is None
            assert session.exec(select(Objective).where(Objective.workspace_id == workspace.id)).first() is not None
    finally:
        engine.dispose()


MALFORMED_UNSIGNED = [
    ({"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"}, b"command=%2Fokr&text=list"),
    ({}, b"\xff\xfe command=/okr"),
    ({}, b"payload={"),
]
MALFORMED_SIGNED = [b"payload={", b"\xffcommand=%2Fokr", b"[1, 2, 3]", b"{" * 5000 + b"}" * 5000,
                    b'{"type": "event_callback", "event_id": "Ev", "n": ' + b"9" * 5000 + b"}", b"payload=%5B%5D",
                    b'payload={"type": "view_submission", "view": {"callback_id": "objective_modal"}}',
                    b'payload={"type": "block_actions", "actions": "none"}']


def test_malformed_requests_get_4xx_one_log_line_and_no_traceback(emulator, tmp_path):
    from support.db import database_url

    process, base = start_server(emulator, database_url(tmp_path), SCHEDULER="false", LOG_LEVEL="INFO")
    url = base + "/slack/events"
    try:
        for headers, body in MALFORMED_UNSIGNED:
            answer = requests.post(url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded", **headers}, timeout=10)
            assert answer.status_code == 401, body
        for body in MALFORMED_SIGNED:
            content_type = "application/json" if body[:1] in b"[{" else "application/x-www-form-urlencoded"
            answer = requests.post(url, data=body, headers={"Content-Type": content_type, **signature_headers(body)}, timeout=10)
            assert answer.status_code == 400, (body[:40], answer.status_code, answer.text)
            assert "Traceback" not in answer.text
    finally:
        log = stop_server(process)
    assert "Traceback" not in log
    assert log.count("refused") == len(MALFORMED_UNSIGNED) + len(MALFORMED_SIGNED)


def test_forms_keep_the_limits_of_the_commands(slack: SlackSender, emulator):
    view = {"type": "modal", "callback_id": "objective_modal", "private_metadata": json.dumps({})}
    empty = slack.submit_view(view, {"title": {"title": {"type": "plain_text_input", "value": "   "}}})
    long = slack.submit_view(view, {"title": {"title": {"type": "plain_text_input", "value": "x" * 5000}}})
    for answer in (empty, long):
        assert answer.status_code == 200 and answer.json().get("response_action") == "errors", answer.text
    assert "No objectives" in reply_text(slack.command("/okr", "list"))


def test_five_hundred_random_command_lines_get_replies_not_errors(server):
    from bench.fuzz import lines, over_http

    result = over_http(server, lines(500, seed=11), team="TFUZZ500")
    assert result["problems"] == [], result["problems"][:5]
