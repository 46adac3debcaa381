"""One entry for every edge: a parsed command and the person behind it, in; a result, out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime


from bot.domain import commands as c
from bot.domain.errors import UserError
from bot.domain.parsing import parse_command
from bot.domain import source_commands as sc
from bot.services.typed_checkin import typed_checkin
from bot.services import admin, advice, alignment, api_tokens, checkins, digests, goals, insights, reports, sources, teams
from bot.services.context import Actor, Context, open_context, reader_language  # noqa: F401 - edges read it here
from bot.services.deliveries import Delivery, first_delivery
from bot.services.results import AfterCommit, HelpText, Outcome, Replayed  # noqa: F401 - edges read Outcome here
from bot.services.runtime import Runtime
from bot.store.database import unit_of_work

log = logging.getLogger(__name__)

HANDLERS: dict[type, Callable] = {
    c.AddObjective: goals.add_objective,
    c.AddKeyResult: goals.add_key_result,
    c.AddKpi: goals.add_kpi,
    c.EditItem: goals.edit_item,
    c.ArchiveItem: goals.archive_item,
    c.CheckIn: checkins.record_checkin,
    c.ListObjectives: reports.list_objectives,
    c.ShowObjective: reports.show_objective,
    c.ListKpis: reports.list_kpis,
    c.ShowScorecard: reports.scorecard,
    c.SetRole: admin.set_role,
    c.ListMembers: admin.list_members,
    c.ChangeSettings: admin.change_settings,
    c.Help: lambda ctx, command: HelpText(command.topic),
    c.AskAdvice: advice.ask_advice,
    c.ApplyAdvice: advice.apply_advice,
    c.AdviceHistory: advice.advice_history,
    c.AdviceQuestionnaire: advice.questionnaire,
    c.SubscribeDigest: digests.subscribe,
    c.ListDigests: digests.list_digests,
    c.StopDigest: digests.stop_digest,
    c.DigestNow: digests.digest_now,
    c.SetAway: admin.set_away,
    c.CarryObjective: goals.carry_objective,
    c.ListInsights: insights.list_insights,
    c.DismissInsight: insights.dismiss_insight,
    c.ShowTree: alignment.show_tree,
    c.AlignObjective: alignment.align_objective,
    c.ListTeams: teams.list_teams,
    c.ShowTeam: teams.show_team,
    c.AddTeam: teams.add_team,
    c.ChangeTeam: teams.change_team,
    c.RemoveTeam: teams.remove_team,
    sc.LinkSource: sources.link_source,
    sc.ListSources: sources.list_sources,
    sc.TestSource: sources.test_source,
    sc.StopSource: sources.stop_source,
    **api_tokens.HANDLERS,
}


def run_command(runtime: Runtime, actor: Actor, command: str, text: str, *, now: datetime | None = None,
                source: str = "console", idempotency_key: str | None = None, delivery: Delivery | None = None) -> Outcome:
    """Parse and execute one command in its own unit of work.

    A check-in typed on a key result first tries the hot path (`typed_checkin`), which does the
    common case in two statements and hands anything else back to the general path. The
    request's `delivery`, if the edge passes one, is claimed inside the transaction that does the
    work (first thing in the unit of work, or with the hot path's insert): it commits with the work
    or not at all, so a retry after a failure is acted on, and a request costs one commit. A
    request already acted on answers `Replayed`."""
    if delivery is not None and delivery.fresh is False:
        return Outcome(Replayed(), None, "en")
    try:
        parsed, refused = parse_command(command, text), None
    except UserError as error:
        parsed, refused = None, error  # explained by the general path, in the reader's language
    if idempotency_key is None and isinstance(parsed, c.CheckIn) and parsed.ref.kind == "KR":
        quick = _typed_checkin(runtime, actor, parsed, now, source, delivery, label=f"{command} {text!r}")
        if quick is not None:
            return quick
    key = delivery.unclaimed_key if delivery is not None else None

    def execute(ctx: Context) -> object:
        if key is not None and not first_delivery(ctx.session, key):
            return Replayed()
        if refused is not None:
            raise refused
        handler = HANDLERS[type(parsed)]
        if isinstance(parsed, c.CheckIn):
            return handler(ctx, parsed, source=source, idempotency_key=idempotency_key)
        return handler(ctx, parsed)

    outcome = run_use_case(runtime, actor, execute, now=now, label=f"{command} {text!r}")
    if key is not None and outcome.error is None:  # committed: the claim with it
        delivery.settled(not isinstance(outcome.result, Replayed))
    return outcome


def run_use_case(runtime: Runtime, actor: Actor, use_case: Callable[[Context], object], *, now: datetime | None = None,
                 label: str = "") -> Outcome:
    """Run `use_case(ctx)` in its own unit of work, for every edge alike.

    A `UserError` rolls everything back and is explained to the user; any other exception is
    logged with its traceback and answered with an apology: nothing half-done is kept.
    """
    language = "en"
    try:
        with unit_of_work(runtime.engine) as session:
            ctx = open_context(session, actor, now)
            language = reader_language(ctx.workspace.language, ctx.member.locale)
            ctx.runtime, ctx.language = runtime, language
            result = use_case(ctx)
        if isinstance(result, AfterCommit):  # committed: now the slow part, holding nothing
            result = result.complete()
        return Outcome(result, None, language)
    except UserError as error:
        return Outcome(None, error, language)
    except Exception:
        log.exception("use case failed: %s", label or getattr(use_case, "__name__", use_case))
        return Outcome(None, UserError("error.internal"), language)


def _typed_checkin(runtime: Runtime, actor: Actor, parsed: c.CheckIn, now: datetime | None, source: str,
                   delivery: Delivery | None, label: str) -> Outcome | None:
    try:
        return typed_checkin(runtime, actor, parsed, now=now, source=source, delivery=delivery)
    except Exception:
        log.exception("use case failed: %s", label)
        return Outcome(None, UserError("error.internal"), "en")
