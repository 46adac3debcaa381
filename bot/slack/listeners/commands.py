"""Slash commands: parse in the core, answer ephemerally within Slack's three seconds."""

from __future__ import annotations

import logging

from slack_sdk.webhook import WebhookClient

from bot.domain.parsing import FORM, LATER, answering
from bot.render.message import digest_chart
from bot.services.digests import DigestReady
from bot.services.deliveries import Delivery
from bot.services.dispatch import reader_language, run_command, run_use_case
from bot.services.results import Replayed
from bot.services.home import checkin_choices, home
from bot.slack.deps import SlackDeps
from bot.slack.people import command_ids
from bot.slack.listeners.advice import advice_message
from bot.slack.replies import follow_up_checkin, has_follow_up, message, outcome_message
from bot.slack.surfaces import Words, advice_modal, checkin_modal, objective_modal

log = logging.getLogger(__name__)
SLASH_COMMANDS = ("/perf", "/okr", "/kpi", "/checkin", "/scorecard", "/advise", "/digest")


def handle_command(deps: SlackDeps, ack, body: dict, client, delivery: Delivery | None = None) -> None:
    """`delivery` (the signed request's claim, from `bot.slack.http`) is claimed before anything
    is done: by `run_command` with the command's own work, or alone before a form or a later answer."""
    team_id, user_id, user_name = command_ids(body)
    actor = deps.profiles.actor(client, team_id, user_id, user_name)
    command, text = body.get("command", ""), body.get("text", "")
    how = answering(command, text)
    if how and delivery is not None and not delivery.claim():
        ack()
        return
    if how and how[0] == FORM:
        ack()
        open_form(deps, client, actor, how[1], body.get("trigger_id"))
        return
    if how and how[0] == LATER:  # a digest or a source's test takes a moment: Slack's three seconds are not waited on
        ack(response_type="ephemeral", text=deps.renderer.message(WAIT_MESSAGES[how[1]], actor_language(deps, actor)))
        deps.later(answer_later, deps, client, actor, body)
        return
    outcome = run_command(deps.runtime, actor, command, text, source="slack", delivery=delivery)
    if isinstance(outcome.result, Replayed):
        ack()
        return
    ack(response_type="ephemeral", **advice_message(deps, outcome))
    if has_follow_up(outcome):
        deps.later(follow_up_checkin, deps, client, actor, outcome)


def register(app, deps: SlackDeps) -> None:
    for name in SLASH_COMMANDS:
        app.command(name)(lambda ack, body, client, context: handle_command(deps, ack, body, client, context.get("delivery")))


WAIT_MESSAGES = {"digest": "digest.preparing", "source": "source.reading"}


def answer_later(deps: SlackDeps, client, actor, body: dict) -> None:
    """The answer follows the ack through response_url; a digest's chart is uploaded beside it."""
    outcome = run_command(deps.runtime, actor, body.get("command", ""), body.get("text", ""), source="slack")
    WebhookClient(body["response_url"]).send(response_type="ephemeral", **outcome_message(deps, outcome))
    if isinstance(outcome.result, DigestReady) and outcome.result.charts and body.get("channel_id"):
        chart = digest_chart(deps.renderer, outcome.result, outcome.language)
        try:
            client.files_upload_v2(channel=body["channel_id"], content=chart.png, filename=chart.filename, title=chart.title)
        except Exception:
            log.exception("uploading the digest chart failed")


def actor_language(deps: SlackDeps, actor) -> str:
    return reader_language("auto", actor.locale)


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
