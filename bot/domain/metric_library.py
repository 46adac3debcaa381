"""The marketing metric library (templates/advisor/metrics.toml): each metric's names in both
languages, family, Balanced Scorecard perspective, measurement type, unit, formula, usual data
source and sample targets by company size. The advisor's suggestions and its starter kits both
come from here, so they always agree. A deployment can point ADVISOR_METRICS at its own copy;
a broken file is refused at start, naming the metric and the problem."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.domain.advisor_input import ENUMS, Answers
from bot.domain.advisor_rules import RuleFileError, read_data_file
from bot.domain.errors import UserError
from bot.domain.quantities import Quantity, parse_quantity
from bot.domain.scoring import AT_LEAST, AT_MOST, DECREASE, INCREASE
from bot.resources import templates_dir

FAMILIES = ("sales", "customer", "brand", "channel_efficiency", "learning")
PERSPECTIVES = ("financial", "customer", "internal", "learning")
MEASURES = (INCREASE, DECREASE, AT_LEAST, AT_MOST)
UNITS = {"%": "%", "¥": "¥", "count": "", "ratio": "", "hours": "h", "score": ""}
SOURCES = ("crm", "marketing_automation", "analytics", "finance", "survey", "social_listening", "ad_platform", "internal")
SIZE_BANDS = ("small", "mid", "large")
from bot.domain.words import READER_LANGUAGES as LANGUAGES


def size_band(size: int) -> str:
    return "small" if size < 50 else "mid" if size < 250 else "large"


@dataclass(frozen=True)
class LibraryMetric:
    id: str
    names: Mapping[str, str]  # language -> name
    family: str
    perspective: str
    measure: str
    unit: str  # as stored on an item: "%", "¥", "h" or "" (a plain number)
    formula: Mapping[str, str]
    source: str
    business: tuple[str, ...]
    goals: tuple[str, ...]
    rank: int
    start: str  # a sample baseline, for metrics that decrease
    targets: Mapping[str, str]  # size band -> sample target as typed ("15%")

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]

    def sample(self, size: int) -> tuple[Quantity | None, Quantity]:
        """(start, target) to suggest for a company of `size` people."""
        start = parse_quantity(self.start) if self.start else None
        return start, parse_quantity(self.targets[size_band(size)])

    def fit(self, answers: Answers) -> int:
        """How well the metric fits a company: its business and its goal, each counts."""
        return (answers.business in self.business) + (answers.goal in self.goals)


@dataclass(frozen=True)
class MetricLibrary:
    metrics: tuple[LibraryMetric, ...]
    source: str

    def get(self, metric_id: str) -> LibraryMetric:
        return next(m for m in self.metrics if m.id == metric_id)

    def find(self, text: str) -> LibraryMetric | None:
        """A metric by its id or its name in either language ("conversion_rate", "转化率", "CAC")."""
        wanted = _folded(text)
        for m in self.metrics:
            names = {m.id} | {_folded(n) for n in m.names.values()}
            short = {n.split("（")[0].split("(")[0].strip("_") for n in names}
            if wanted in names | short or any(f"({wanted})" in n or f"（{wanted}）" in n for n in names):
                return m
        return None

    def ranked(self, answers: Answers, *, perspective: str | None = None, business_only: bool = False,
               skip: Iterable[str] = ()) -> list[LibraryMetric]:
        """The metrics that fit, best first: more of business and goal matched, then the lower rank.
        `business_only`: what the business runs on, whatever the goal (the KPIs beside an OKR)."""
        skipped = set(skip)
        found = [m for m in self.metrics if m.id not in skipped and (perspective is None or m.perspective == perspective)
                 and (answers.business in m.business if business_only else m.fit(answers) > 0)]
        weight = (lambda m: 2 * (answers.business in m.business) + (answers.goal in m.goals)) if business_only else self._fit(answers)
        return sorted(found, key=lambda m: (-weight(m), m.rank, m.id))

    @staticmethod
    def _fit(answers: Answers):
        return lambda m: m.fit(answers)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower().replace(" ", "_")


def default_metrics_path() -> Path:
    return templates_dir() / "advisor" / "metrics.toml"


def load_library(path: str | Path | None = None) -> MetricLibrary:
    path = Path(path) if path is not None else default_metrics_path()
    data = read_data_file(path, "metric library")
    if set(data) != {"metric"} or not isinstance(data["metric"], list) or not data["metric"]:
        raise RuleFileError(f"{path}: the library is a list of [[metric]] blocks and nothing else")
    metrics = tuple(_metric(raw, i, str(path)) for i, raw in enumerate(data["metric"], start=1))
    ids = [m.id for m in metrics]
    if len(set(ids)) != len(ids):
        raise RuleFileError(f"{path}: metric id {next(i for i in ids if ids.count(i) > 1)!r} is used twice")
    for perspective in PERSPECTIVES:
        if not any(m.perspective == perspective for m in metrics):
            raise RuleFileError(f"{path}: no metric for the {perspective} perspective; a Balanced Scorecard needs one")
    return MetricLibrary(metrics, str(path))


_FIELDS = ("id", "name", "family", "perspective", "measure", "unit", "formula", "source", "business", "goals", "rank", "start", "target")


def _metric(raw: object, index: int, source: str) -> LibraryMetric:
    label = f"metric #{index}" + (f' "{raw["id"]}"' if isinstance(raw, dict) and isinstance(raw.get("id"), str) else "")

    def bad(problem: str) -> RuleFileError:
        return RuleFileError(f"{source}: {label}: {problem}")

    if not isinstance(raw, dict) or set(raw) != set(_FIELDS):
        missing = sorted(set(_FIELDS) - set(raw)) if isinstance(raw, dict) else _FIELDS
        extra = sorted(set(raw) - set(_FIELDS)) if isinstance(raw, dict) else []
        raise bad(f"a metric has exactly {', '.join(_FIELDS)}" + (f"; missing {missing[0]}" if missing else f"; unknown {extra[0]}"))
    for name, allowed in (("family", FAMILIES), ("perspective", PERSPECTIVES), ("measure", MEASURES), ("unit", tuple(UNITS)),
                          ("source", SOURCES)):
        if raw[name] not in allowed:
            raise bad(f"unknown {name} {raw[name]!r}; use one of {', '.join(allowed)}")
    for name in ("name", "formula"):
        if not isinstance(raw[name], dict) or any(not isinstance(raw[name].get(lang), str) or not raw[name][lang] for lang in LANGUAGES):
            raise bad(f"{name} needs text in both languages: {name} = {{ en = \"…\", zh-CN = \"…\" }}")
    for name, allowed in (("business", ENUMS["business"]), ("goals", ENUMS["goal"])):
        if not isinstance(raw[name], list) or any(v not in allowed for v in raw[name]):
            raise bad(f"{name} must be a list of {', '.join(allowed)}")
    if isinstance(raw["rank"], bool) or not isinstance(raw["rank"], int):
        raise bad(f"rank must be a whole number, got {raw['rank']!r}")
    if not isinstance(raw["target"], dict) or set(raw["target"]) != set(SIZE_BANDS):
        raise bad("target needs a sample for each size: target = { small = \"…\", mid = \"…\", large = \"…\" }")
    metric = LibraryMetric(raw["id"], dict(raw["name"]), raw["family"], raw["perspective"], raw["measure"], UNITS[raw["unit"]],
                           dict(raw["formula"]), raw["source"], tuple(raw["business"]), tuple(raw["goals"]), raw["rank"],
                           str(raw["start"]), dict(raw["target"]))
    for size in (1, 100, 1000):
        try:
            start, target = metric.sample(size)
        except UserError as error:
            raise bad(f"a sample target or start is not a number ({error.params.get('value')})") from None
        if metric.measure == DECREASE and (start is None or start.value <= target.value):
            raise bad(f"a decreasing metric needs a start above its target for every size (size band {size_band(size)})")
        if metric.measure != DECREASE and start is not None:
            raise bad("only a decreasing metric has a start")
        if any(q is not None and q.unit and q.unit != metric.unit for q in (start, target)):
            raise bad(f"a sample is in another unit than the metric's ({raw['unit']})")
    return metric
