"""The whole method of the domain text, as a plan after the pick: the performance plan, data
collection, analysis, and adjustment with rewards, dated in the workspace's own cycle."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.domain.advisor import Recommendation
from bot.domain.metric_library import SOURCES
from bot.domain.periods import Period
from bot.domain.starter_kit import StarterKit

CONFIRM_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class PlanStep:
    key: str  # catalog key: advisor.plan.<step>
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    period: str
    steps: tuple[PlanStep, ...]
    sources: tuple[str, ...]  # where the kit's numbers come from: catalog keys advisor.source.<id>


def method_plan(rec: Recommendation, kit: StarterKit, period: Period, today: date) -> Plan:
    start = max(period.start, today)
    middle = period.start + (period.end - period.start) / 2
    sources = tuple(dict.fromkeys(f"advisor.source.{item.source}" for item in kit.items))
    metrics = {item.metric for item in kit.items}
    steps = [
        PlanStep("advisor.plan.performance", {"period": str(period), "start": period.start.isoformat(), "end": period.end.isoformat(),
                                               "count": len(kit.items), "confirm_by": (start + CONFIRM_WITHIN).isoformat(),
                                               "goal": f"advisor.plan.goal.{rec.answers.goal}"}),
        PlanStep("advisor.plan.data"),
        PlanStep("advisor.plan.analysis"),
    ]
    if {"traffic", "conversion_rate"} <= metrics:
        steps.append(PlanStep("advisor.plan.analysis_traffic"))
    elif {"leads", "mql_sql_rate"} <= metrics:
        steps.append(PlanStep("advisor.plan.analysis_leads"))
    steps.append(PlanStep("advisor.plan.review", {"middle": max(middle, start).isoformat(), "end": period.end.isoformat()}))
    pay = rec.answers.pay_linked
    steps.append(PlanStep("advisor.plan.rewards_pay" if pay else "advisor.plan.rewards_growth"))
    if pay and "OKR" in rec.methods:
        steps.append(PlanStep("advisor.plan.rewards_okr"))
    return Plan(str(period), tuple(steps), sources)


def message_keys() -> frozenset[str]:
    keys = {f"advisor.plan.{k}" for k in ("performance", "data", "analysis", "analysis_traffic", "analysis_leads", "review",
                                         "rewards_pay", "rewards_growth", "rewards_okr", "sources")}
    keys |= {f"advisor.plan.goal.{g}" for g in ("stability", "growth", "expansion", "innovation")}
    keys |= {f"advisor.source.{s}" for s in SOURCES}
    return frozenset(keys)
