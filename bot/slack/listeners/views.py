"""Form submissions. A form submitted twice (double click, Slack retry) records once."""

from __future__ import annotations

from bot.domain.commands import CheckIn
from bot.domain.errors import UserError
from bot.domain.words import parse_ref
from bot.domain.quantities import parse_quantity
from bot.services import checkins
from bot.services.deliveries import first_delivery
from bot.services.dispatch import run_use_case
from bot.services.home import DraftKeyResult, MAX_MODAL_KEY_RESULTS, add_objective_with_key_results
from bot.slack.deps import SlackDeps, post_quietly
from bot.slack.people import interaction_ids
from bot.slack.replies import follow_up_checkin, outcome_message, publish_home
from bot.slack.surfaces import CHECKIN_MODAL, OBJECTIVE_MODAL


def _value(values: dict, block: str, action: str | None = None) -> str:
    element = (values.get(block) or {}).get(action or block) or {}
    if "selected_option" in element:
        return ((element.get("selected_option") or {}).get("value")) or ""
    return (element.get("value") or "").strip()


def register(app, deps: SlackDeps) -> None:
    def submission(client, body: dict) -> tuple:
        """Who submitted, the view, and its field values (block id -> action id -> value)."""
        team_id, user_id, user_name = interaction_ids(body)
        view = body.get("view") or {}
        return deps.profiles.actor(client, team_id, user_id, user_name), view, (view.get("state") or {}).get("values") or {}

    def field_error(ack, actor_language: str, block: str, error: UserError) -> None:
        params = {k: v for k, v in error.params.items() if k != "field_block"}
        ack(response_action="errors", errors={block: deps.renderer.message(error.key, actor_language, **params)[:150]})

    @app.view(CHECKIN_MODAL)
    def submit_checkin(ack, body, client):
        actor, view, values = submission(client, body)

        def record(ctx):
            try:
                ref = parse_ref(_value(values, "item"), "usage.checkin", ("KR", "K"))
            except UserError as error:
                raise FieldError("item", error) from None
            try:
                value = parse_quantity(_value(values, "value"))
            except UserError as error:
                raise FieldError("value", error) from None
            command = CheckIn(ref, value, _value(values, "confidence") or None, _value(values, "note"))
            return checkins.record_checkin(ctx, command, source="modal", idempotency_key=f"view:{actor.team_id}:{view.get('id')}")

        outcome = run_use_case(deps.runtime, actor, record, label="checkin form")
        if outcome.error is not None:
            block = outcome.error.params.get("field_block", "item")
            field_error(ack, outcome.language, block, outcome.error)
            return
        ack()
        deps.later(follow_up_checkin, deps, client, actor, outcome, from_form=True)

    @app.view(OBJECTIVE_MODAL)
    def submit_objective(ack, body, client):
        actor, view, values = submission(client, body)

        def create(ctx):
            drafts = []
            for n in range(1, MAX_MODAL_KEY_RESULTS + 1):
                title, target, start = (_value(values, f"{f}_{n}", f) for f in ("kr_title", "kr_target", "kr_start"))
                if not (title or target or start):
                    continue
                if not title:
                    raise FieldError(f"kr_title_{n}", UserError("modal.objective.target_needs_title"))
                if not target:
                    raise FieldError(f"kr_target_{n}", UserError("modal.objective.kr_needs_target"))
                try:
                    drafts.append(DraftKeyResult(title, parse_quantity(target), parse_quantity(start) if start else None))
                except UserError as error:
                    raise FieldError(f"kr_target_{n}" if not start else f"kr_start_{n}", error) from None
            if not first_delivery(ctx.session, f"view:{actor.team_id}:{view.get('id')}"):
                return None
            return add_objective_with_key_results(ctx, _value(values, "title"), drafts)

        outcome = run_use_case(deps.runtime, actor, create, label="objective form")
        if outcome.error is not None:
            field_error(ack, outcome.language, outcome.error.params.get("field_block", "title"), outcome.error)
            return
        ack()
        if outcome.result is not None:
            deps.later(post_quietly, client, channel=actor.user_id, **outcome_message(deps, outcome))
            deps.later(publish_home, deps, client, actor)


class FieldError(UserError):
    """A user error that belongs to one field of a form."""

    def __init__(self, block: str, error: UserError) -> None:
        super().__init__(error.key, **{**error.params, "field_block": block})
