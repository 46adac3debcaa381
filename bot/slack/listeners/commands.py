"""Slash commands: parse in the core, answer ephemerally within Slack's three seconds."""

from __future__ import annotations

import logging

from slack_sdk.webhook import WebhookClient

from bot.domain.words import normalize
from bot.render.message import digest_chart
from bot.services.digests import DigestReady
from bot.services.dispatch import reader_language, run_command, run_use_case
from bot.services.home import checkin_choices, home
from bot.slack.deps import SlackDeps
from bot.slack.people import command_ids
from bot.slack.listeners.advice import advice_message
from bot.slack.replies import follow_up_checkin, message, outcome_message
from bot.slack.surfaces import Words, advice_modal, checkin_modal, objective_modal

log = logging.getLogger(__name__)
SLASH_COMMANDS = ("/perf", "/okr", "/kpi", "/checkin", "/scorecard", "/advise", "/digest")


def wants_form(command: str, text: str) -> str | None:
    """`/checkin` alone and `/okr add` alone open a form instead of answering with usage."""
    words = [normalize(w) for w in text.split()]
    if command == "/perf" and words:
        command, words = "/" + words[0], words[1:]
    if command == "/checkin" and not words:
        return "checkin"
    if command == "/okr" and words in (["add"], ["添加"], ["新增"]):
        return "objective"
    if command == "/advise" and not words:
        return "advice"
    return None


def register(app, deps: SlackDeps) -> None:
    def handle_command(ack, body, client):
        team_id, user_id, user_name = command_ids(body)
        actor = deps.profiles.actor(client, team_id, user_id, user_name)
        command, text = body.get("command", ""), body.get("text", "")
        form = wants_form(command, text)
        if form:
            ack()
            open_form(deps, client, actor, form, body.get("trigger_id"))
            return
        if is_digest_now(command, text):
            ack(response_type="ephemeral", text=deps.renderer.message("digest.preparing", actor_language(deps, actor)))
            deps.later(post_digest_now, deps, client, actor, body)
            return
        if is_source_test(command, text):  # a source may take seconds to answer: Slack's three are not waited on
            ack(response_type="ephemeral", text=deps.renderer.message("source.reading", actor_language(deps, actor)))
            deps.later(answer_later, deps, actor, body)
            return
        outcome = run_command(deps.runtime, actor, command, text, source="slack")
        ack(response_type="ephemeral", **advice_message(deps, outcome))
        deps.later(follow_up_checkin, deps, client, actor, outcome)

    for name in SLASH_COMMANDS:
        app.command(name)(handle_command)


def is_digest_now(command: str, text: str) -> bool:
    words = [normalize(w) for w in text.split()]
    if command == "/perf" and words[:1] == ["digest"]:
        words = words[1:]
    return (command in ("/digest", "/perf")) and words in (["now"], ["立即"], ["现在"])


def is_source_test(command: str, text: str) -> bool:
    """`/perf source test 2`, or linking a source with `test`: both read it once, now."""
    words = [normalize(w) for w in text.split()]
    if command == "/perf" and words[:1] in (["kpi"], ["okr"]):
        words = words[1:]
    if command not in ("/perf", "/kpi", "/okr") or words[:1] not in (["source"], ["数据源"]):
        return False
    return any(word in ("test", "测试", "试运行", "dry-run") for word in words[1:])


def answer_later(deps: SlackDeps, actor, body: dict) -> None:
    outcome = run_command(deps.runtime, actor, body.get("command", ""), body.get("text", ""), source="slack")
    WebhookClient(body["response_url"]).send(response_type="ephemeral", **outcome_message(deps, outcome))


def actor_language(deps: SlackDeps, actor) -> str:
    return reader_language("auto", actor.locale)


def post_digest_now(deps: SlackDeps, client, actor, body: dict) -> None:
    """The digest takes a moment (and a chart): it follows the ack through response_url."""
    outcome = run_command(deps.runtime, actor, "/digest", "now", source="slack")
    WebhookClient(body["response_url"]).send(response_type="ephemeral", **outcome_message(deps, outcome))
    if isinstance(outcome.result, DigestReady) and outcome.result.charts and body.get("channel_id"):
        chart = digest_chart(deps.renderer, outcome.result, outcome.language)
        try:
            client.files_upload_v2(channel=body["channel_id"], content=chart.png, filename=chart.filename, title=chart.title)
        except Exception:
            log.exception("uploading the digest chart failed")


def open_form(deps: SlackDeps, client, actor, form: str, trigger_id: str | None, selected: str | None = None) -> None:
    outcome = run_use_case(deps.runtime, actor, home, label="form")
    if outcome.result is None:
        client.chat_postMessage(channel=actor.user_id, **outcome_message(deps, outcome))
        return
    words = Words(deps.renderer, outcome.language)
    if form == "objective":
        view = objective_modal(words)
    elif form == "advice":
        view = advice_modal(words)
    else:
        choices = checkin_choices(outcome.result)
        if not choices:
            text = words.text("modal.checkin.no_items", period=outcome.result.period)
            client.chat_postMessage(channel=actor.user_id, **message(deps, text, outcome.language))
            return
        view = checkin_modal(words, choices, selected)
    client.views_open(trigger_id=trigger_id, view=view)
