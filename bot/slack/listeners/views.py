"""Form submissions in Slack: the fields read out of the view, the use case in `bot.services.forms`."""

from __future__ import annotations

from bot.domain.errors import UserError
from bot.services.dispatch import run_use_case
from bot.services.forms import checkin_from_form, objective_from_form
from bot.services.home import MAX_MODAL_KEY_RESULTS
from bot.slack.deps import SlackDeps, post_quietly
from bot.slack.people import interaction_ids
from bot.slack.replies import follow_up_checkin, outcome_message, publish_home
from bot.slack.surfaces import CHECKIN_MODAL, OBJECTIVE_MODAL


def _value(values: dict, block: str, action: str | None = None) -> str:
    element = (values.get(block) or {}).get(action or block) or {}
    if "selected_option" in element:
        return ((element.get("selected_option") or {}).get("value")) or ""
    return (element.get("value") or "").strip()


def submission(deps: SlackDeps, client, body: dict) -> tuple:
    """Who submitted, the view, and its field values (block id -> action id -> value)."""
    team_id, user_id, user_name = interaction_ids(body)
    view = body.get("view") or {}
    return deps.profiles.actor(client, team_id, user_id, user_name), view, (view.get("state") or {}).get("values") or {}


def field_error(deps: SlackDeps, ack, language: str, block: str, error: UserError) -> None:
    params = {k: v for k, v in error.params.items() if k != "field_block"}
    ack(response_action="errors", errors={block: deps.renderer.message(error.key, language, **params)[:150]})


def submit_checkin(deps: SlackDeps, ack, body: dict, client) -> None:
    actor, view, values = submission(deps, client, body)
    fields = {name: _value(values, name) for name in ("item", "value", "confidence", "note")}
    key = f"view:{actor.team_id}:{view.get('id')}"
    outcome = run_use_case(deps.runtime, actor, lambda ctx: checkin_from_form(ctx, fields, key, "modal"), label="checkin form")
    if outcome.error is not None:
        field_error(deps, ack, outcome.language, outcome.error.params.get("field_block", "item"), outcome.error)
        return
    ack()
    deps.later(follow_up_checkin, deps, client, actor, outcome, from_form=True)


def submit_objective(deps: SlackDeps, ack, body: dict, client) -> None:
    actor, view, values = submission(deps, client, body)
    rows = [tuple(_value(values, f"{f}_{n}", f) for f in ("kr_title", "kr_target", "kr_start")) for n in range(1, MAX_MODAL_KEY_RESULTS + 1)]
    key = f"view:{actor.team_id}:{view.get('id')}"
    outcome = run_use_case(deps.runtime, actor, lambda ctx: objective_from_form(ctx, _value(values, "title"), rows, key), label="objective form")
    if outcome.error is not None:
        field_error(deps, ack, outcome.language, outcome.error.params.get("field_block", "title"), outcome.error)
        return
    ack()
    if outcome.result is not None:
        deps.later(post_quietly, client, channel=actor.user_id, **outcome_message(deps, outcome))
        deps.later(publish_home, deps, client, actor)


def register(app, deps: SlackDeps) -> None:
    app.view(CHECKIN_MODAL)(lambda ack, body, client: submit_checkin(deps, ack, body, client))
    app.view(OBJECTIVE_MODAL)(lambda ack, body, client: submit_objective(deps, ack, body, client))
