"""The advisor in Slack: `/advise` alone opens the questionnaire; "Apply" sets the method up."""

from __future__ import annotations

from bot.domain.advisor_input import FIELDS, parse_answers
from bot.domain.commands import ApplyAdvice, AskAdvice
from bot.domain.errors import UserError
from bot.services.advice import AdviceGiven, apply_advice, ask_advice
from bot.services.dispatch import Outcome, run_use_case
from bot.slack.deps import SlackDeps, post_quietly
from bot.slack.people import interaction_ids
from bot.slack.replies import outcome_message
from bot.slack.surfaces import ADVICE_MODAL, APPLY_BUTTON, Words, apply_button

ONE_LINE_KEYS = {"size": "size", "marketing_size": "marketing", "business": "business", "resources": "resources",
                 "goal": "goal", "data_maturity": "data", "pay_linked": "pay"}


def advice_message(deps: SlackDeps, outcome: Outcome) -> dict:
    """The recommendation, with an "Apply" button for owners."""
    message = outcome_message(deps, outcome)
    if isinstance(outcome.result, AdviceGiven) and outcome.result.can_apply:
        message["blocks"] = message["blocks"][:49] + [apply_button(Words(deps.renderer, outcome.language), outcome.result.number)]
    return message


def answers_text(values: dict) -> str:
    """The form's answers as the one-line form, so both go through the same parser."""
    given = []
    for name in FIELDS:
        element = (values.get(name) or {}).get(name) or {}
        value = ((element.get("selected_option") or {}).get("value") if "selected_option" in element else element.get("value")) or ""
        if value.strip():
            given.append(f"{ONE_LINE_KEYS[name]}={value.strip().replace(' ', '')}")
    return " ".join(given)


def error_field(error: UserError) -> str:
    return next((name for name in FIELDS if error.key.endswith("." + name)), "size")


def submit_questionnaire(deps: SlackDeps, ack, body, client) -> None:
    team_id, user_id, user_name = interaction_ids(body)
    actor = deps.profiles.actor(client, team_id, user_id, user_name)
    values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    outcome = run_use_case(deps.runtime, actor, lambda ctx: ask_advice(ctx, AskAdvice(parse_answers(answers_text(values)))),
                           label="advice form")
    if outcome.error is not None:
        text = deps.renderer.message(outcome.error.key, outcome.language, **outcome.error.params)
        ack(response_action="errors", errors={error_field(outcome.error): text[:150]})
        return
    ack()
    deps.later(post_quietly, client, channel=actor.user_id, **advice_message(deps, outcome))


def apply(deps: SlackDeps, ack, body, client, respond) -> None:
    ack()
    team_id, user_id, user_name = interaction_ids(body)
    actor = deps.profiles.actor(client, team_id, user_id, user_name)
    value = ((body.get("actions") or [{}])[0].get("value") or "")
    number = int(value) if value.isdigit() else None
    outcome = run_use_case(deps.runtime, actor, lambda ctx: apply_advice(ctx, ApplyAdvice(number)), label="apply advice")
    message = outcome_message(deps, outcome)
    if body.get("response_url"):
        respond(response_type="ephemeral", replace_original=False, **message)
    else:
        post_quietly(client, channel=actor.user_id, **message)


def register(app, deps: SlackDeps) -> None:
    app.view(ADVICE_MODAL)(lambda ack, body, client: submit_questionnaire(deps, ack, body, client))
    app.action(APPLY_BUTTON)(lambda ack, body, client, respond: apply(deps, ack, body, client, respond))
