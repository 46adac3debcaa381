"""Forms, on any platform: the check-in form and the new-objective form, their fields read and
checked the way the commands check them, each error tied to its field, each submission
recorded once (a double click, a platform's retry)."""

from __future__ import annotations

from bot.domain.commands import CheckIn
from bot.domain.errors import FieldError, UserError
from bot.domain.quantities import parse_quantity
from bot.domain.words import parse_ref
from bot.services import checkins
from bot.services.context import Context
from bot.services.deliveries import first_delivery
from bot.services.home import MAX_MODAL_KEY_RESULTS, DraftKeyResult, add_objective_with_key_results


def checkin_from_form(ctx: Context, fields: dict[str, str], submission: str, source: str):
    """`fields`: item (a ref), value, confidence, note. The check-in carries the submission as its
    idempotency key, so a second arrival records nothing and answers like the first."""
    try:
        ref = parse_ref(fields.get("item", ""), "usage.checkin", ("KR", "K"))
    except UserError as error:
        raise FieldError("item", error) from None
    try:
        value = parse_quantity(fields.get("value", ""))
    except UserError as error:
        raise FieldError("value", error) from None
    command = CheckIn(ref, value, fields.get("confidence") or None, fields.get("note", ""))
    return checkins.record_checkin(ctx, command, source=source, idempotency_key=submission)


def objective_from_form(ctx: Context, title: str, rows: list[tuple[str, str, str]], submission: str):
    """An objective and up to five key results (title, target, start per row), all or nothing;
    a submission seen before creates nothing (None). Objectives have no idempotency key of
    their own, so the submission is claimed in `seen_request`, in the same transaction."""
    drafts = []
    for n, (kr_title, target, start) in enumerate(rows[:MAX_MODAL_KEY_RESULTS], start=1):
        if not (kr_title or target or start):
            continue
        if not kr_title:
            raise FieldError(f"kr_title_{n}", UserError("modal.objective.target_needs_title"))
        if not target:
            raise FieldError(f"kr_target_{n}", UserError("modal.objective.kr_needs_target"))
        try:
            drafts.append(DraftKeyResult(kr_title, parse_quantity(target), parse_quantity(start) if start else None))
        except UserError as error:
            raise FieldError(f"kr_target_{n}" if not start else f"kr_start_{n}", error) from None
    if not first_delivery(ctx.session, submission):
        return None
    return add_objective_with_key_results(ctx, title, drafts)
