"""Which method fits: recommend from the rule table, keep every recommendation with the kit it
showed, and set that kit up once for the current period."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date

from sqlmodel import col, select

from bot.domain import commands as c
from bot.domain.advisor import Recommendation, recommend
from bot.domain.advisor_input import Answers
from bot.domain.advisor_plan import Plan, method_plan
from bot.domain.errors import UserError
from bot.domain.quantities import format_quantity
from bot.domain.scoring import direction_of
from bot.domain.starter_kit import KitItem, StarterKit, kit_from_json, kit_to_json, starter_kit
from bot.domain.views import Person
from bot.services import lookup
from bot.services.context import Context
from bot.services.deliveries import first_delivery
from bot.store.models import Advice, KeyResult, Kpi, Member, Objective


@dataclass(frozen=True)
class AdviceGiven:
    number: int
    recommendation: Recommendation
    kit: StarterKit
    plan: Plan
    can_apply: bool
    show_scores: bool = False


@dataclass(frozen=True)
class AdviceApplied:
    number: int
    method: str
    period: str
    created: tuple[tuple[str, str, str], ...]  # (ref, name, suggested target) of every item created
    already: bool = False


@dataclass(frozen=True)
class AdvicePreview:
    number: int
    method: str
    period: str
    kit: StarterKit


@dataclass(frozen=True)
class AdviceEntry:
    number: int
    day: date
    asked_by: Person
    answers: Answers
    method: str
    applied: bool


@dataclass(frozen=True)
class AdviceHistoryList:
    entries: tuple[AdviceEntry, ...]


@dataclass(frozen=True)
class AdviceQuestions:
    """Ask the questionnaire: the console prompts, Slack opens a form."""


def ask_advice(ctx: Context, command: c.AskAdvice) -> AdviceGiven:
    answers: Answers = command.answers
    rec = recommend(answers, ctx.runtime.rules)
    kit = starter_kit(rec, ctx.runtime.metrics)
    result = {"scores": dict(rec.scores), "for": [r.rule_id for r in rec.for_pick], "against": [r.rule_id for r in rec.against],
              "tradeoff": rec.tradeoff, "kit": kit_to_json(kit)}
    row = Advice(workspace_id=ctx.workspace.id, number=0, asked_by=ctx.member.id, answers=json.dumps(asdict(answers)), method=rec.method,
                 result=json.dumps(result, ensure_ascii=False), created_at=ctx.now)
    lookup.insert_numbered(ctx.session, row, Advice.workspace_id, ctx.workspace.id)
    plan = method_plan(rec, kit, ctx.current_period, ctx.today)
    return AdviceGiven(row.number, rec, kit, plan, ctx.member.role == "owner", getattr(command, "show_scores", False))


def _advice(ctx: Context, number: int | None) -> Advice:
    query = select(Advice).where(Advice.workspace_id == ctx.workspace.id)
    if number is not None:
        query = query.where(Advice.number == number)
    advice = ctx.session.exec(query.order_by(col(Advice.number).desc())).first()
    if advice is None:
        raise UserError("advisor.error.nothing_to_apply" if number is None else "advisor.error.unknown_advice", number=number)
    return advice


def stored_kit(ctx: Context, advice: Advice) -> StarterKit:
    """The kit the recommendation showed; one from before kits were stored is rebuilt from its answers."""
    result = json.loads(advice.result)
    if "kit" in result:
        return kit_from_json(result["kit"])
    return starter_kit(recommend(Answers(**json.loads(advice.answers)), ctx.runtime.rules), ctx.runtime.metrics)


def preview_advice(ctx: Context, command: c.ApplyAdvice) -> AdvicePreview:
    advice = _advice(ctx, command.advice_id)
    return AdvicePreview(advice.number, advice.method, str(ctx.current_period), stored_kit(ctx, advice))


def apply_advice(ctx: Context, command: c.ApplyAdvice) -> AdviceApplied | AdvicePreview:
    """Owners only. A recommendation is applied at most once, even when two clicks race, and a
    period that already has a kit for the same method gets no second one."""
    if command.preview:
        return preview_advice(ctx, command)
    ctx.require_owner("advise_apply")
    advice = _advice(ctx, command.advice_id)
    period = ctx.current_period
    ctx.ensure_open(str(period))
    if advice.applied_at is not None or not first_delivery(ctx.session, f"advice-apply:{advice.id}"):
        return AdviceApplied(advice.number, advice.method, str(period), _created_by(ctx, advice.id), already=True)
    kit = stored_kit(ctx, advice)
    _refuse_a_second_kit(ctx, str(period), kit)
    created: list[tuple[str, str, str]] = []
    for item in kit.kpis:
        row = Kpi(workspace_id=ctx.workspace.id, number=0, period=str(period), name=item.name(ctx.language), target=item.target,
                  unit=item.unit, start=item.start, measure=item.measure, weight=item.weight, direction=direction_of(item.measure),
                  perspective=item.perspective, metric=item.metric, owner_id=ctx.member.id, advice_id=advice.id)
        lookup.insert_numbered(ctx.session, row, Kpi.workspace_id, ctx.workspace.id)
        created.append((f"K{row.number}", row.name, _suggested(item)))
    for objective in kit.objectives:
        row = Objective(workspace_id=ctx.workspace.id, number=0, period=str(period), title=ctx.text(objective.title_key),
                        owner_id=ctx.member.id, created_by=ctx.member.id, advice_id=advice.id,
                        review_on=period.end if objective.review_at_period_end else None)
        lookup.insert_numbered(ctx.session, row, Objective.workspace_id, ctx.workspace.id)
        created.append((f"O{row.number}", row.title, ""))
        for item in objective.key_results:
            kr = KeyResult(workspace_id=ctx.workspace.id, objective_id=row.id, number=0, title=item.name(ctx.language),
                           start=item.start or 0, target=item.target, unit=item.unit, measure=item.measure, metric=item.metric,
                           owner_id=ctx.member.id)
            lookup.insert_numbered(ctx.session, kr, KeyResult.objective_id, row.id)
            created.append((f"KR{row.number}.{kr.number}", kr.title, _suggested(item)))
    advice.applied_at = ctx.now
    return AdviceApplied(advice.number, advice.method, str(period), tuple(created))


def _suggested(item: KitItem) -> str:
    return format_quantity(item.target, item.unit)


def _refuse_a_second_kit(ctx: Context, period: str, kit: StarterKit) -> None:
    """Applying a second kit for a method this period already has one for would double its weights."""
    wanted = set(kit.method.split("+"))
    applied = ctx.session.exec(select(Advice).where(Advice.workspace_id == ctx.workspace.id, col(Advice.applied_at).is_not(None))).all()
    for earlier in applied:
        if wanted & set(earlier.method.split("+")) and (existing := _kit_refs(ctx, earlier.id, period)):
            raise UserError("advisor.error.kit_exists", number=earlier.number, method=earlier.method, period=period,
                            refs=", ".join(existing[:12]))


def _kit_refs(ctx: Context, advice_id: int, period: str) -> list[str]:
    kpis = ctx.session.exec(select(Kpi.number).where(Kpi.advice_id == advice_id, Kpi.period == period, col(Kpi.archived_at).is_(None))).all()
    objectives = ctx.session.exec(select(Objective.number).where(Objective.advice_id == advice_id, Objective.period == period,
                                                                 col(Objective.archived_at).is_(None))).all()
    return [f"K{n}" for n in sorted(kpis)] + [f"O{n}" for n in sorted(objectives)]


def _created_by(ctx: Context, advice_id: int) -> tuple[tuple[str, str, str], ...]:
    """What a kit created, for an apply that comes twice: objectives with their key results."""
    kpis = ctx.session.exec(select(Kpi).where(Kpi.advice_id == advice_id).order_by(Kpi.number)).all()
    objectives = ctx.session.exec(select(Objective).where(Objective.advice_id == advice_id).order_by(Objective.number)).all()
    created = [(f"K{k.number}", k.name, "") for k in kpis]
    for o in objectives:
        created.append((f"O{o.number}", o.title, ""))
        krs = ctx.session.exec(select(KeyResult).where(KeyResult.objective_id == o.id).order_by(KeyResult.number)).all()
        created += [(f"KR{o.number}.{kr.number}", kr.title, "") for kr in krs]
    return tuple(created)


def advice_history(ctx: Context, _command: c.AdviceHistory) -> AdviceHistoryList:
    rows = ctx.session.exec(
        select(Advice, Member).join(Member, Member.id == Advice.asked_by)
        .where(Advice.workspace_id == ctx.workspace.id).order_by(col(Advice.number).desc()).limit(20)
    ).all()
    tz_day = lambda moment: moment.astimezone(ctx.now.tzinfo).date()  # noqa: E731
    return AdviceHistoryList(tuple(
        AdviceEntry(a.number, tz_day(a.created_at), Person(m.user_id, m.name), Answers(**json.loads(a.answers)), a.method,
                    a.applied_at is not None)
        for a, m in rows
    ))


def questionnaire(_ctx: Context, _command: c.AdviceQuestionnaire) -> AdviceQuestions:
    return AdviceQuestions()
