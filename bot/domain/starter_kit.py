"""Starter kits: the first KPIs and objectives an owner can adopt right after advice, taken
from the metric library so that the suggested metrics and the kit are one and the same.

Every item carries its measurement type, unit, start and a sample target for a company of
that size, marked in the replies as suggestions to confirm. No metric appears twice, even in
a hybrid; the KPIs, all owned by whoever applies the kit, weigh 100% together.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.domain.advisor import Recommendation
from bot.domain.metric_library import PERSPECTIVES, LibraryMetric, MetricLibrary

MAX_KPIS = 5
KRS_PER_OBJECTIVE = 3
# The lead metric weighs most; each list sums to 100.
KPI_WEIGHTS = {1: (100,), 2: (60, 40), 3: (40, 30, 30), 4: (40, 25, 20, 15), 5: (30, 25, 20, 15, 10), 6: (25, 20, 15, 15, 15, 10)}
BSC_WEIGHTS = {"service": {"customer": 35, "financial": 25, "internal": 20, "learning": 20},
               "mixed": {"financial": 30, "customer": 30, "internal": 20, "learning": 20},
               "product": {"financial": 35, "customer": 25, "internal": 20, "learning": 20}}
OKR_OBJECTIVE_BY_GOAL = {"expansion": "grab_market_share", "innovation": "launch_new", "growth": "grow_sales", "stability": "keep_customers"}
MBO_OBJECTIVE_BY_BUSINESS = {"product": "hit_sales_target", "service": "raise_satisfaction", "mixed": "hit_sales_target"}
# Each objective's theme: the metric families its key results come from, first family first.
OBJECTIVE_FAMILIES = {
    "grab_market_share": ("sales", "customer"), "launch_new": ("learning", "channel_efficiency", "brand"),
    "grow_sales": ("sales",), "keep_customers": ("customer",), "raise_awareness": ("brand",),
    "hit_sales_target": ("sales",), "raise_satisfaction": ("customer",), "win_new_customers": ("customer", "sales"),
    "grow_pipeline": ("channel_efficiency", "sales"), "test_new_channels": ("learning", "channel_efficiency"),
    "improve_efficiency": ("channel_efficiency",),
}
MBO_OBJECTIVE_BY_GOAL = {"expansion": "win_new_customers", "growth": "grow_pipeline", "innovation": "test_new_channels",
                         "stability": "improve_efficiency"}


@dataclass(frozen=True)
class KitItem:
    metric: str  # library id
    names: dict[str, str]  # language -> name
    measure: str
    unit: str
    start: Decimal | None
    target: Decimal
    weight: Decimal  # a KPI's percent; a key result's relative weight (1)
    perspective: str
    source: str  # where the number comes from

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True)
class KitObjective:
    method: str  # OKR or MBO
    title_key: str  # advisor.kit.okr.<name> / advisor.kit.mbo.<name>
    key_results: tuple[KitItem, ...]
    review_at_period_end: bool  # MBO: manager and owner review it together


@dataclass(frozen=True)
class StarterKit:
    method: str  # as recommended: "KPI" or "KPI+OKR"
    kpis: tuple[KitItem, ...] = ()  # one owner's KPIs: weights sum to 100
    objectives: tuple[KitObjective, ...] = ()
    kpi_method: str | None = None  # "KPI", "BSC" or "KPI+BSC" (KPIs grouped by perspective)

    @property
    def items(self) -> tuple[KitItem, ...]:
        """Every metric the kit measures, each once: the "metrics to start with"."""
        return self.kpis + tuple(kr for o in self.objectives for kr in o.key_results)


def starter_kit(rec: Recommendation, library: MetricLibrary) -> StarterKit:
    """One kit for the recommended method or methods, no metric twice: an OKR's objective takes
    the metrics its theme needs first, then MBO's objectives, then the KPIs (a scorecard's one
    per perspective) take the best of the rest."""
    a, methods = rec.answers, rec.methods
    used: list[str] = []
    objectives: list[KitObjective] = []
    if "OKR" in methods:
        name = "raise_awareness" if "KPI" in methods and a.goal in ("growth", "stability") else OKR_OBJECTIVE_BY_GOAL[a.goal]
        objectives.append(_objective(library, a, "OKR", name, used, at_period_end=False))
    if "MBO" in methods:
        for name in dict.fromkeys((MBO_OBJECTIVE_BY_BUSINESS[a.business], MBO_OBJECTIVE_BY_GOAL[a.goal])):
            objectives.append(_objective(library, a, "MBO", name, used, at_period_end=True, count=2))
    kpi_metrics: list[LibraryMetric] = []
    if "BSC" in methods:
        for perspective in PERSPECTIVES:
            best = library.ranked(a, perspective=perspective, skip=used) or [m for m in library.metrics if m.perspective == perspective]
            kpi_metrics.append(best[0])
            used.append(best[0].id)
    if "KPI" in methods:
        room = MAX_KPIS + (1 if "BSC" in methods else 0) - len(kpi_metrics)
        candidates = [m for m in library.ranked(a, skip=used, business_only="OKR" in methods) if m.family != "learning" or "BSC" in methods]
        if "OKR" in methods:  # the OKR carries the goal; the KPIs keep what the business runs on: sales and customers
            candidates.sort(key=lambda m: m.family not in ("sales", "customer"))
        extra = candidates[:room]
        kpi_metrics += extra
        used.extend(m.id for m in extra)
    kpis = _weighted(kpi_metrics, a.business, "BSC" in methods and "KPI" not in methods, a.size)
    kpi_method = "+".join(m for m in ("KPI", "BSC") if m in methods) or None
    return StarterKit(rec.method, kpis, tuple(objectives), kpi_method)


def _weighted(metrics: list[LibraryMetric], business: str, by_perspective: bool, size: int) -> tuple[KitItem, ...]:
    if not metrics:
        return ()
    if by_perspective:
        weights = [BSC_WEIGHTS[business][m.perspective] for m in metrics]
    else:
        weights = list(KPI_WEIGHTS[len(metrics)])
    return tuple(_item(m, size, Decimal(w)) for m, w in zip(metrics, weights))


def _objective(library: MetricLibrary, a, method: str, name: str, used: list[str], *, at_period_end: bool,
               count: int = KRS_PER_OBJECTIVE) -> KitObjective:
    """An objective's key results: metrics of its theme's families that fit the company, then
    any of its theme's families, then whatever fits best; none used before."""
    families = OBJECTIVE_FAMILIES[name]
    themed = [m for m in library.ranked(a, skip=used) if m.family in families]
    anywhere = sorted((m for m in library.metrics if m.family in families and m.id not in used), key=lambda m: (m.rank, m.id))
    chosen = {m.id: m for m in themed + anywhere + library.ranked(a, skip=used)}
    picked = list(chosen.values())[:count]
    used.extend(m.id for m in picked)
    return KitObjective(method, f"advisor.kit.{method.lower()}.{name}", tuple(_item(m, a.size, Decimal(1)) for m in picked),
                        at_period_end)


def _item(metric: LibraryMetric, size: int, weight: Decimal) -> KitItem:
    start, target = metric.sample(size)
    return KitItem(metric.id, dict(metric.names), metric.measure, metric.unit, start.value if start else None, target.value, weight,
                   metric.perspective, metric.source)


# -- stored with the advice, so "apply N" applies what N showed ---------------------------------

def kit_to_json(kit: StarterKit) -> dict:
    def item(i: KitItem) -> dict:
        return {"metric": i.metric, "names": i.names, "measure": i.measure, "unit": i.unit,
                "start": None if i.start is None else str(i.start), "target": str(i.target), "weight": str(i.weight),
                "perspective": i.perspective, "source": i.source}

    return {"method": kit.method, "kpi_method": kit.kpi_method, "kpis": [item(i) for i in kit.kpis],
            "objectives": [{"method": o.method, "title_key": o.title_key, "review_at_period_end": o.review_at_period_end,
                            "key_results": [item(i) for i in o.key_results]} for o in kit.objectives]}


def kit_from_json(data: dict) -> StarterKit:
    def item(d: dict) -> KitItem:
        return KitItem(d["metric"], dict(d["names"]), d["measure"], d["unit"], None if d["start"] is None else Decimal(d["start"]),
                       Decimal(d["target"]), Decimal(d["weight"]), d["perspective"], d["source"])

    return StarterKit(data["method"], tuple(item(d) for d in data["kpis"]),
                      tuple(KitObjective(o["method"], o["title_key"], tuple(item(d) for d in o["key_results"]), o["review_at_period_end"])
                            for o in data["objectives"]), data.get("kpi_method"))


KIT_TEXT_KEYS = tuple(f"advisor.kit.text.{k}" for k in (
    "suggested_target", "weight", "key_results", "review_at_period_end", "grouped_by_perspective", "confirm"))


def message_keys() -> frozenset[str]:
    keys = set(KIT_TEXT_KEYS) | {f"advisor.kit.okr.{n}" for n in (*OKR_OBJECTIVE_BY_GOAL.values(), "raise_awareness")}
    keys |= {f"advisor.kit.mbo.{n}" for n in (*MBO_OBJECTIVE_BY_BUSINESS.values(), *MBO_OBJECTIVE_BY_GOAL.values())}
    return frozenset(keys)
