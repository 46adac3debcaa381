"""Starter kits: a first set of KPIs or objectives an owner can adopt right after advice.

Targets and owners are left empty on purpose: only the team knows what "good" is for
them, and an invented number would be adopted without anyone questioning it. Weights,
directions and perspectives are filled in, since those follow from the method.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain.advisor_input import Answers

if TYPE_CHECKING:  # advisor imports this module; the engine's types are only annotations here
    from bot.domain.advisor import Recommendation

HIGHER, LOWER = "higher", "lower"  # the direction words bot.domain.scoring uses
PERSPECTIVES = ("financial", "customer", "internal", "learning")  # BSC, as bot.domain.parsing names them
UNITS = ("percent", "currency", "count", "score", "ratio", "hours")
FAMILIES = ("sales", "customer", "brand", "funnel", "learning")


@dataclass(frozen=True)
class Metric:
    id: str
    family: str
    direction: str
    perspective: str
    unit: str  # percent -> "%", currency -> the workspace's currency sign, others plain numbers

    @property
    def name_key(self) -> str:
        return f"advisor.metric.{self.id}"


METRICS: dict[str, Metric] = {m.id: m for m in (
    Metric("revenue", "sales", HIGHER, "financial", "currency"),
    Metric("sales_growth", "sales", HIGHER, "financial", "percent"),
    Metric("avg_order_value", "sales", HIGHER, "financial", "currency"),
    Metric("new_customers", "customer", HIGHER, "customer", "count"),
    Metric("churn_rate", "customer", LOWER, "customer", "percent"),
    Metric("loyalty", "customer", HIGHER, "customer", "percent"),
    Metric("satisfaction", "customer", HIGHER, "customer", "score"),
    Metric("awareness", "brand", HIGHER, "customer", "percent"),
    Metric("reputation", "brand", HIGHER, "customer", "score"),
    Metric("media_articles", "brand", HIGHER, "internal", "count"),
    Metric("offline_events", "brand", HIGHER, "internal", "count"),
    Metric("leads", "funnel", HIGHER, "internal", "count"),
    Metric("conversion_rate", "funnel", HIGHER, "internal", "percent"),
    Metric("roi", "funnel", HIGHER, "financial", "ratio"),
    Metric("market_share", "funnel", HIGHER, "customer", "percent"),
    Metric("experiments_run", "learning", HIGHER, "learning", "count"),
    Metric("training_hours", "learning", HIGHER, "learning", "hours"),
)}

# What to measure first: what the business sells on, then what the goal needs.
_BUSINESS_METRICS = {
    "product": ("sales_growth", "revenue", "conversion_rate"),
    "service": ("satisfaction", "churn_rate", "new_customers"),
    "mixed": ("sales_growth", "satisfaction", "new_customers"),
}
_GOAL_METRICS = {
    "stability": ("roi", "loyalty"),
    "growth": ("leads", "sales_growth"),
    "expansion": ("market_share", "new_customers", "awareness"),
    "innovation": ("awareness", "leads"),
}
MAX_STARTER_METRICS = 5


def starter_metrics(answers: Answers) -> tuple[str, ...]:
    chosen = dict.fromkeys(_BUSINESS_METRICS[answers.business] + _GOAL_METRICS[answers.goal])
    return tuple(METRICS[m].name_key for m in list(chosen)[:MAX_STARTER_METRICS])


def starter_metric_keys() -> frozenset[str]:
    return frozenset(METRICS[m].name_key for ms in (*_BUSINESS_METRICS.values(), *_GOAL_METRICS.values()) for m in ms)


def metric_for(key: str) -> Metric:
    """The metric behind an `advisor.metric.<id>` key (or a bare id)."""
    return METRICS[key.removeprefix("advisor.metric.")]


@dataclass(frozen=True)
class StarterKpi:
    name_key: str
    weight: int  # percent; a part's weights add up to exactly 100
    direction: str  # "higher" or "lower"
    perspective: str  # financial | customer | internal | learning
    unit: str
    target: None = None  # to be set by the team


@dataclass(frozen=True)
class StarterObjective:
    title_key: str
    key_results: tuple[str, ...]  # metric name keys; targets to be set by the team
    review_at_period_end: bool
    owner: None = None  # to be agreed (MBO) or picked (OKR)


@dataclass(frozen=True)
class KitPart:
    method: str
    kpis: tuple[StarterKpi, ...] = ()
    objectives: tuple[StarterObjective, ...] = ()


@dataclass(frozen=True)
class StarterKit:
    method: str  # as recommended: "KPI" or "KPI+OKR"
    parts: tuple[KitPart, ...]  # one per method, recommended first


_KPI_WEIGHTS = {3: (40, 30, 30), 4: (40, 25, 20, 15), 5: (30, 25, 20, 15, 10)}  # the lead metric weighs most
_KPI_FALLBACK = ("revenue", "new_customers", "conversion_rate")
_OKR_OBJECTIVES = {
    "grab_market_share": ("market_share", "new_customers", "leads"),
    "launch_new": ("experiments_run", "leads", "conversion_rate"),
    "grow_sales": ("sales_growth", "conversion_rate", "avg_order_value"),
    "keep_customers": ("churn_rate", "satisfaction", "loyalty"),
    "raise_awareness": ("awareness", "media_articles", "offline_events"),
}
_OKR_BY_GOAL = {"expansion": "grab_market_share", "innovation": "launch_new", "growth": "grow_sales", "stability": "keep_customers"}
_MBO_OBJECTIVES = {
    "hit_sales_target": ("revenue", "sales_growth"),
    "raise_satisfaction": ("satisfaction", "churn_rate"),
    "win_new_customers": ("new_customers", "market_share"),
    "grow_pipeline": ("leads", "conversion_rate"),
    "test_new_channels": ("experiments_run", "leads"),
    "improve_efficiency": ("roi", "conversion_rate"),
}
_MBO_BY_BUSINESS = {"product": "hit_sales_target", "service": "raise_satisfaction", "mixed": "hit_sales_target"}
_MBO_BY_GOAL = {"expansion": "win_new_customers", "growth": "grow_pipeline", "innovation": "test_new_channels", "stability": "improve_efficiency"}
KIT_TEXT_KEYS = tuple(f"advisor.kit.text.{k}" for k in (
    "heading", "target_to_set", "owner_to_agree", "review_at_period_end", "weight", "key_results", "objective"))


def starter_kit(rec: Recommendation) -> StarterKit:
    """One part per recommended method: a hybrid gets both halves."""
    methods = (rec.primary, rec.secondary) if rec.hybrid else (rec.primary,)
    return StarterKit(rec.method, tuple(_BUILDERS[m](rec) for m in methods))


def _kpis(ids: tuple[str, ...], weights: tuple[int, ...]) -> tuple[StarterKpi, ...]:
    metrics = [METRICS[i] for i in ids]
    return tuple(StarterKpi(m.name_key, w, m.direction, m.perspective, m.unit) for m, w in zip(metrics, weights))


def _kpi_part(rec: Recommendation) -> KitPart:
    ids = [metric_for(k).id for k in rec.starter_metrics][:MAX_STARTER_METRICS]
    for fallback in _KPI_FALLBACK:
        if len(ids) >= 3:
            break
        if fallback not in ids:
            ids.append(fallback)
    return KitPart("KPI", kpis=_kpis(tuple(ids), _KPI_WEIGHTS[len(ids)]))


def _bsc_part(rec: Recommendation) -> KitPart:
    """One KPI per perspective; a service business weights the customer view most."""
    a = rec.answers
    ids = (
        "sales_growth" if a.goal in ("growth", "expansion") else "roi",
        "satisfaction" if a.business == "service" else "market_share" if a.goal == "expansion" else "loyalty",
        "leads" if a.goal == "expansion" else "conversion_rate",
        "experiments_run" if a.goal == "innovation" else "training_hours",
    )
    weights = {"service": (25, 35, 20, 20), "mixed": (30, 30, 20, 20)}.get(a.business, (35, 25, 20, 20))
    return KitPart("BSC", kpis=_kpis(ids, weights))


def _okr_part(rec: Recommendation) -> KitPart:
    """Beside KPIs that already carry the sales numbers, a steady firm's OKR goes to the brand."""
    a = rec.answers
    beside_kpi = rec.hybrid and "KPI" in (rec.primary, rec.secondary)
    name = "raise_awareness" if beside_kpi and a.goal in ("growth", "stability") else _OKR_BY_GOAL[a.goal]
    return KitPart("OKR", objectives=(_objective("okr", name, _OKR_OBJECTIVES[name], at_period_end=False),))


def _mbo_part(rec: Recommendation) -> KitPart:
    a = rec.answers
    names = (_MBO_BY_BUSINESS[a.business], _MBO_BY_GOAL[a.goal])
    return KitPart("MBO", objectives=tuple(_objective("mbo", n, _MBO_OBJECTIVES[n], at_period_end=True) for n in names))


def _objective(method: str, name: str, metric_ids: tuple[str, ...], at_period_end: bool) -> StarterObjective:
    return StarterObjective(f"advisor.kit.{method}.{name}", tuple(METRICS[m].name_key for m in metric_ids), at_period_end)


_BUILDERS = {"KPI": _kpi_part, "OKR": _okr_part, "BSC": _bsc_part, "MBO": _mbo_part}


def message_keys() -> frozenset[str]:
    """Every key a kit can carry, plus the words a renderer needs to show one."""
    keys = {m.name_key for m in METRICS.values()} | set(KIT_TEXT_KEYS)
    keys |= {f"advisor.kit.okr.{n}" for n in _OKR_OBJECTIVES} | {f"advisor.kit.mbo.{n}" for n in _MBO_OBJECTIVES}
    keys |= {f"advisor.direction.{d}" for d in (HIGHER, LOWER)} | {f"advisor.perspective.{p}" for p in PERSPECTIVES}
    keys |= {f"advisor.unit.{u}" for u in UNITS} | {f"advisor.family.{f}" for f in FAMILIES}
    return frozenset(keys)
