"""Turning outcomes into Slack messages, and the follow-ups that go out after the ack."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.services.dispatch import Outcome, run_use_case
from bot.services.context import Actor
from bot.services.home import home
from bot.services.results import CheckinRecorded
from bot.slack import blocks as b
from bot.slack.deps import SlackDeps, post_quietly
from bot.slack.surfaces import Words, home_view


def outcome_message(deps: SlackDeps, outcome: Outcome) -> dict:
    text = deps.renderer.outcome(outcome, "mrkdwn")
    return message(deps, text, outcome.language)


def message(deps: SlackDeps, text: str, language: str) -> dict:
    words = Words(deps.renderer, language)
    return {"text": b.fallback_text(text), "blocks": b.message_blocks(text, words.and_more)}


def has_follow_up(outcome: Outcome, from_form: bool = False) -> bool:
    """Whether `follow_up_checkin` has anything to do: most slash check-ins have not, and waking a
    background thread for nothing made every request wait for the interpreter's lock."""
    result = outcome.result
    return isinstance(result, CheckinRecorded) and not result.duplicate and bool(from_form or result.announce_to)


def follow_up_checkin(deps: SlackDeps, client: WebClient, actor: Actor, outcome: Outcome, from_form: bool = False) -> None:
    """After a check-in: announce in the updates channel; for a form, also confirm by DM and
    refresh Home, where the form was likely opened. A slash command's Home is rebuilt when the
    user next opens it (app_home_opened), so it is not rebuilt per check-in: that doubled the
    work of every /checkin and slowed the next reply (see the README's Performance section)."""
    if not has_follow_up(outcome, from_form):
        return
    result = outcome.result
    if from_form:
        post_quietly(client, channel=actor.user_id, **outcome_message(deps, outcome))
    if result.announce_to:
        text = deps.renderer.render("replies/checkin_announcement.j2", outcome.language, "mrkdwn", r=result)
        post_quietly(client, channel=result.announce_to.lstrip("#"), **message(deps, text, outcome.language))
    if from_form:
        publish_home(deps, client, actor)


def publish_home(deps: SlackDeps, client: WebClient, actor: Actor) -> None:
    outcome = run_use_case(deps.runtime, actor, home, label="home")
    if outcome.result is None:
        return
    view = home_view(Words(deps.renderer, outcome.language), outcome.result)
    client.views_publish(user_id=actor.user_id, view=view)
