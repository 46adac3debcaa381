"""Which method fits: recommend from the rule table, keep every recommendation, and set the
chosen method up once for the current period."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import col, select

from bot.domain import commands as c
from bot.domain.advisor import Recommendation, recommend
from bot.domain.advisor_input import Answers
from bot.domain.errors import UserError
from bot.domain.starter_kit import StarterKit, starter_kit
from bot.domain.views import Person
from bot.services import lookup
from bot.services.context import Context
from bot.services.deliveries import first_delivery
from bot.store.models import Advice, KeyResult, Kpi, Member, Objective

UNIT_SIGNS = {"percent": "%", "currency": "¥"}


@dataclass(frozen=True)
class AdviceGiven:
    number: int
    recommendation: Recommendation
    kit: StarterKit
    can_apply: bool


@dataclass(frozen=True)
class AdviceApplied:
    number: int
    method: str
    period: str
    created: tuple[tuple[str, str], ...]  # (ref, name) of every item created
    already: bool = False


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
    row = Advice(workspace_id=ctx.workspace.id, asked_by=ctx.member.id, answers=json.dumps(asdict(answers)), method=rec.method,
                 result=json.dumps({"scores": dict(rec.scores), "fired": [f.rule_id for f in rec.fired], "tradeoff": rec.tradeoff}),
                 created_at=ctx.now)
    ctx.session.add(row)
    ctx.session.flush()
    return AdviceGiven(row.id, rec, starter_kit(rec), ctx.member.role == "owner")


def apply_advice(ctx: Context, command: c.ApplyAdvice) -> AdviceApplied:
    """Owners only. A recommendation is applied at most once, even when two clicks race."""
    ctx.require_owner("advise_apply")
    query = select(Advice).where(Advice.workspace_id == ctx.workspace.id)
    if command.advice_id is not None:
        query = query.where(Advice.id == command.advice_id)
    advice = ctx.session.exec(query.order_by(col(Advice.id).desc())).first()
    if advice is None:
        raise UserError("advisor.error.nothing_to_apply")
    period = ctx.current_period
    ctx.ensure_open(str(period))
    if advice.applied_at is not None or not first_delivery(ctx.session, f"advice-apply:{advice.id}"):
        return AdviceApplied(advice.id, advice.method, str(period), _created_by(ctx, advice.id), already=True)
    answers = Answers(**json.loads(advice.answers))
    kit = starter_kit(recommend(answers, ctx.runtime.rules))
    created: list[tuple[str, str]] = []
    for part in kit.parts:
        for kpi in part.kpis:
            row = Kpi(workspace_id=ctx.workspace.id, number=0, period=str(period), name=ctx.text(kpi.name_key), target=None,
                      unit=UNIT_SIGNS.get(kpi.unit, ""), weight=Decimal(kpi.weight), direction=kpi.direction,
                      perspective=kpi.perspective, owner_id=ctx.member.id, advice_id=advice.id)
            lookup.insert_numbered(ctx.session, row, Kpi.workspace_id, ctx.workspace.id)
            created.append((f"K{row.number}", row.name))
        for objective in part.objectives:
            row = Objective(workspace_id=ctx.workspace.id, number=0, period=str(period), title=ctx.text(objective.title_key),
                            owner_id=ctx.member.id, created_by=ctx.member.id, advice_id=advice.id,
                            review_on=period.end if objective.review_at_period_end else None)
            lookup.insert_numbered(ctx.session, row, Objective.workspace_id, ctx.workspace.id)
            created.append((f"O{row.number}", row.title))
            for metric_key in objective.key_results:
                kr = KeyResult(workspace_id=ctx.workspace.id, objective_id=row.id, number=0, title=ctx.text(metric_key),
                               target=None, owner_id=ctx.member.id)
                lookup.insert_numbered(ctx.session, kr, KeyResult.objective_id, row.id)
                created.append((f"KR{row.number}.{kr.number}", kr.title))
    advice.applied_at = ctx.now
    return AdviceApplied(advice.id, advice.method, str(period), tuple(created))


def _created_by(ctx: Context, advice_id: int) -> tuple[tuple[str, str], ...]:
    kpis = ctx.session.exec(select(Kpi).where(Kpi.advice_id == advice_id).order_by(Kpi.number)).all()
    objectives = ctx.session.exec(select(Objective).where(Objective.advice_id == advice_id).order_by(Objective.number)).all()
    return tuple((f"K{k.number}", k.name) for k in kpis) + tuple((f"O{o.number}", o.title) for o in objectives)


def advice_history(ctx: Context, _command: c.AdviceHistory) -> AdviceHistoryList:
    rows = ctx.session.exec(
        select(Advice, Member).join(Member, Member.id == Advice.asked_by)
        .where(Advice.workspace_id == ctx.workspace.id).order_by(col(Advice.id).desc()).limit(20)
    ).all()
    tz_day = lambda moment: moment.astimezone(ctx.now.tzinfo).date()  # noqa: E731
    return AdviceHistoryList(tuple(
        AdviceEntry(a.id, tz_day(a.created_at), Person(m.user_id, m.name), Answers(**json.loads(a.answers)), a.method, a.applied_at is not None)
        for a, m in rows
    ))


def questionnaire(_ctx: Context, _command: c.AdviceQuestionnaire) -> AdviceQuestions:
    return AdviceQuestions()
