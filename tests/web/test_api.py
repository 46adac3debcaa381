"""`POST /api/v1/checkins` under a real HTTP server, and the `/perf token` commands behind it."""

from __future__ import annotations

import io
import logging
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import requests
from sqlmodel import Session, select

from bot.domain import commands as c
from bot.domain.errors import UserError
from bot.logs import RedactSecrets
from bot.domain.token_commands import CreateToken, ListTokens, RevokeToken, parse_token
from bot.render.text import Renderer
from bot.services import api_tokens
from bot.services.context import Actor
from bot.services.dispatch import run_use_case
from bot.store.models import ApiToken
from bot.web.api import api_app
from support.db import table_counts

OWNER = Actor("T1", "owner", "owner")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:  # the test output stays readable
        pass


@pytest.fixture
def server(runtime):
    httpd = make_server("127.0.0.1", 0, api_app(runtime), handler_class=QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def token_command(runtime, command, actor: Actor = OWNER):
    outcome = run_use_case(runtime, actor, lambda ctx: api_tokens.HANDLERS[type(command)](ctx, command))
    if outcome.error is not None:
        raise outcome.error
    return outcome.result


@pytest.fixture
def token(console, runtime) -> str:
    for line in ["/okr add Brand", "/okr kr O1 Articles target=10 owner=@alice", "/kpi add Sales growth target=15% weight=40%"]:
        console(line)
    return token_command(runtime, CreateToken("CRM sync")).token


def post(server: str, body, token: str | None = None, path: str = "/api/v1/checkins", **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(server + path, json=body, headers=headers, timeout=10, **kwargs)


def test_without_a_valid_token_the_answer_is_401(server, token, runtime, engine):
    before = table_counts(engine)
    for auth in (None, "pbt_" + "x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B")):
        answer = post(server, {"ref": "K1", "value": "12%"}, auth)
        assert answer.status_code == 401 and answer.json()["error"]["key"] == "api.error.unauthorized"
        assert "Bearer" in answer.headers["WWW-Authenticate"]
        assert auth is None or auth not in answer.text
    token_command(runtime, RevokeToken(1))
    revoked = post(server, {"ref": "K1", "value": "12%"}, token)
    assert revoked.status_code == 401 and token not in revoked.text
    assert table_counts(engine) == before


def test_a_checkin_is_recorded_and_shows_in_the_kpi_list(server, token, console):
    answer = post(server, {"ref": "K1", "value": "12%", "confidence": "on-track", "note": "From the CRM"}, token)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["recorded"] == 1 and body["checkins"][0] == {
        "index": 0, "ref": "K1", "title": "Sales growth", "value": "12", "unit": "%", "duplicate": False, "current": "12",
        "attainment": "0.8", "author": "owner", "team": None}
    assert "12%/15% (80%)" in console("/kpi list")


def test_a_batch_is_all_or_nothing(server, token, engine, console):
    before = table_counts(engine)
    answer = post(server, {"checkins": [{"ref": "K1", "value": "12%"}, {"ref": "K7", "value": "1"}, {"ref": "KR1.1", "value": "many"},
                                        "not an object"]}, token)
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert [(e["index"], e["key"]) for e in errors] == [(1, "error.unknown_ref"), (2, "error.not_a_number"), (3, "actuals.error.not_an_object")]
    assert errors[0]["message"].startswith("There is no K7 in this workspace") and errors[0]["params"] == {"ref": "K7"}
    assert answer.json()["error"]["key"] == "actuals.error.invalid_rows"
    assert table_counts(engine) == before
    fixed = post(server, {"checkins": [{"ref": "K1", "value": "12%"}, {"ref": "KR1.1", "value": 4}]}, token)
    assert fixed.status_code == 201 and [c["ref"] for c in fixed.json()["checkins"]] == ["K1", "KR1.1"]
    assert fixed.json()["checkins"][1]["progress"] == "0.4"


def test_the_same_idempotency_key_twice_records_once(server, token, engine):
    body = {"ref": "K1", "value": "12%", "idempotency_key": "deal-2026-11-42"}
    first, second = post(server, body, token), post(server, body, token)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["checkins"][0]["duplicate"] is False and second.json()["checkins"][0]["duplicate"] is True
    assert table_counts(engine)["checkin"] == 1


def test_bad_requests_are_explained_in_json(server, token):
    too_big = requests.post(server + "/api/v1/checkins", data=b"x" * 1_100_000, timeout=30,
                            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert too_big.status_code == 413 and too_big.json()["error"]["key"] == "api.error.too_large"
    wrong_method = requests.get(server + "/api/v1/checkins", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert wrong_method.status_code == 405 and wrong_method.headers["Allow"] == "POST"
    assert post(server, {"ref": "K1", "value": "1"}, token, path="/api/v1/other").status_code == 404
    broken = requests.post(server + "/api/v1/checkins", data=b"{nope", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert broken.status_code == 400 and broken.json()["error"]["key"] == "api.error.bad_json"
    for body, key in (([1, 2], "api.error.bad_shape"), ({"checkins": []}, "api.error.no_checkins"),
                      ({"checkins": [{"ref": "K1", "value": 1}] * 501}, "api.error.too_many")):
        answer = post(server, body, token)
        assert (answer.status_code, answer.json()["error"]["key"]) == (400, key)


def test_the_token_never_reaches_the_logs(server, console, runtime, caplog):
    caplog.set_level(logging.DEBUG)
    console("/kpi add Sales target=15% weight=40%")
    created = token_command(runtime, CreateToken("CRM"))
    assert created.token not in repr(created)
    post(server, {"ref": "K1", "value": "12%"}, created.token)
    post(server, {"ref": "K9", "value": "12%"}, created.token)
    token_command(runtime, RevokeToken(created.number))
    post(server, {"ref": "K1", "value": "12%"}, created.token)
    assert "api: refused" in caplog.text and "recorded" in caplog.text
    assert created.token not in caplog.text and created.token[4:] not in caplog.text


def test_a_token_logged_by_a_library_comes_out_redacted(caplog):
    token = api_tokens.new_token()
    handler = logging.StreamHandler(stream := io.StringIO())
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("slack_bolt.test")
    logger.addHandler(handler)
    try:
        logger.warning('Responding with status: 200 body: "%s"', f"🔑 `{token}`")
    finally:
        logger.removeHandler(handler)
    assert token not in stream.getvalue() and "pbt_…redacted" in stream.getvalue()


def test_only_a_hash_is_stored_and_only_owners_manage_tokens(console, runtime, engine):
    console("/perf help")
    created = token_command(runtime, CreateToken("Sheet"))
    assert created.token.startswith("pbt_") and len(created.token) >= 40
    with Session(engine) as session:
        row = session.exec(select(ApiToken)).one()
        assert row.token_hash == api_tokens.token_hash(created.token) and created.token not in str(row.model_dump())
        assert api_tokens.authenticate(session, created.token)[1].user_id == "owner"
        assert api_tokens.authenticate(session, "pbt_wrong") is None
    console("@alice /perf help")
    with pytest.raises(UserError) as refused:
        token_command(runtime, CreateToken("Mine"), Actor("T1", "alice", "alice"))
    assert refused.value.key == "error.owners_only"
    listed = token_command(runtime, ListTokens())
    text = Renderer(runtime.catalog).result(listed, "en")
    assert "#1 Sheet" in text and "@owner" in text and created.token not in text
    reply = Renderer(runtime.catalog).result(created, "zh-CN", "mrkdwn")
    assert created.token in reply and "只显示这一次" in reply
    assert token_command(runtime, RevokeToken(1)).already is False and token_command(runtime, RevokeToken(1)).already is True
    assert "revoked" in Renderer(runtime.catalog).result(token_command(runtime, ListTokens()), "en")
    with pytest.raises(UserError):
        token_command(runtime, RevokeToken(9))


@pytest.mark.parametrize("text, command", [
    ("create CRM sync", CreateToken("CRM sync")), ("创建 表格同步", CreateToken("表格同步")), ("create", CreateToken("")),
    ("list", ListTokens()), ("列表", ListTokens()), ("revoke 2", RevokeToken(2)), ("撤销 #3", RevokeToken(3)), ("", c.Help("token")),
])
def test_token_commands_parse_in_english_and_chinese(text, command):
    assert parse_token(text) == command


@pytest.mark.parametrize("text, key", [
    ("revoke", "token.error.revoke_number"), ("revoke two", "token.error.revoke_number"), ("list all", "error.unexpected_words"),
    ("rotate 1", "error.unknown_subcommand"), ("create " + "x" * 81, "token.error.label_too_long"),
])
def test_bad_token_commands_are_explained(text, key):
    with pytest.raises(UserError) as refused:
        parse_token(text)
    assert refused.value.key == key


def test_wrong_tokens_are_throttled_per_client_and_logged_in_aggregate(server, token, caplog):
    caplog.set_level(logging.WARNING, logger="bot.web")
    answers = [post(server, {"ref": "K1", "value": "12%"}, "pbt_" + "w" * 40).status_code for _ in range(60)]
    assert answers[:10] == [401] * 10 and set(answers[10:]) == {429}
    throttled = post(server, {"ref": "K1", "value": "12%"}, token)  # even the right token waits out the window
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1
    refusals = [r for r in caplog.records if r.name.startswith("bot.web") and "refused" in r.getMessage()]
    assert len(refusals) == 1 and token not in caplog.text


@pytest.mark.parametrize("raw", [
    b'{"ref": "K1", "value": ' + b"9" * 5000 + b"}",
    b"[" * 100_000 + b"]" * 100_000,
])
def test_hostile_json_is_a_400_not_a_crash(server, token, raw):
    answer = requests.post(server + "/api/v1/checkins", data=raw, timeout=10,
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"]["key"] == "api.error.bad_json"


def test_a_huge_reference_is_explained(server, token, engine):
    answer = post(server, {"ref": "K" + "9" * 30, "value": "12%"}, token)
    assert answer.status_code == 400 and "There is no" in answer.json()["errors"][0]["message"]
    assert table_counts(engine)["checkin"] == 0
