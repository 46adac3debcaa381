"""Insights: the advisor reads the numbers and says what to adjust, from rules anyone can read.

Pure: the rules come from templates/insights/rules.toml, the items and their recent check-ins
from the caller. An insight never claims more than the data holds: a trend needs a minimum
number of check-ins, no insight rests on a single one unless its rule reads levels only, and
every number it cites is a value the team entered (a check-in or a target), never a derived one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from bot.domain.advisor_rules import RuleFileError, read_data_file
from bot.domain.quantities import Quantity
from bot.domain.scoring import LOWER_IS_BETTER_MEASURES, is_at_target
from bot.domain.views import Person
from bot.resources import templates_dir

KINDS = ("trend_pair", "level_pair", "channel_spread", "falling", "ratio", "missed", "stale")
TRENDS = ("up", "down", "flat", "flat_or_down")
LEVELS = ("at_target", "below_target")
_SETTINGS = {  # kind -> (setting, type, default); None default: required
    "trend_pair": (("first", str, None), ("second", str, None), ("points", int, 4), ("change", int, 10)),
    "level_pair": (("first", str, None), ("second", str, None)),
    "channel_spread": (("spread", float, None),),
    "falling": (("checkins", int, None), ("weeks", int, None)),
    "ratio": (("below", float, None),),
    "missed": (("periods", int, None),),
    "stale": (("days", int, None),),
}
_COMMON = ("id", "kind", "metrics", "severity", "min_points", "message")


@dataclass(frozen=True)
class Point:
    at: date
    value: Decimal


@dataclass(frozen=True)
class InsightItem:
    """A key result or KPI as the rules read it: what it measures, where, and its recent values."""

    ref: str
    name: str
    owner: Person
    metric: str | None
    channel: str | None
    measure: str
    target: Decimal | None
    unit: str
    series: tuple[Point, ...] = ()  # recent check-ins, oldest first
    created: date = date.min
    missed_before: tuple[bool, ...] = ()  # earlier periods, newest first: was the target missed? (KPIs)

    @property
    def latest(self) -> Point | None:
        return self.series[-1] if self.series else None

    def quantity(self, value: Decimal | None) -> Quantity | None:
        return None if value is None else Quantity(value, self.unit)

    @property
    def better_higher(self) -> bool:
        return self.measure not in LOWER_IS_BETTER_MEASURES


@dataclass(frozen=True)
class InsightRule:
    id: str
    kind: str
    metrics: tuple[str, ...]
    severity: int
    min_points: int
    message: str  # catalog key base: insight.<message> (.text, .actions)
    settings: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Insight:
    rule: str
    severity: int
    message: str
    refs: tuple[str, ...]
    owners: tuple[Person, ...]
    params: Mapping[str, object]  # names and quantities for the sentence
    cited: tuple[Decimal, ...]  # every number the sentence states, each a value in the data

    @property
    def key(self) -> str:
        """The insight for these items, whatever the numbers: what a dismissal or a snooze applies to."""
        return f"{self.rule}:{','.join(self.refs)}"[:120]

    @property
    def signature(self) -> str:
        """The numbers it was told with: the same signature again means nothing changed."""
        return hashlib.sha256(repr((self.key, self.cited)).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class InsightMark:
    """What the team did with an insight: dismissed it, snoozed it, or saw it in a digest."""

    dismissed: bool = False
    snoozed_until: date | None = None
    reported: str | None = None  # the signature it was last reported with

    def hides(self, today: date) -> bool:
        return self.dismissed or (self.snoozed_until is not None and self.snoozed_until >= today)


def worth_reporting(insights: Iterable[Insight], marks: Mapping[str, InsightMark], today: date, limit: int,
                    audience: str = "") -> tuple[Insight, ...]:
    """The most severe insights a digest should tell: not dismissed or snoozed, and not already told
    to this audience (a team's digest is one: `reported_key`) with the very same numbers."""
    def fresh(insight: Insight) -> bool:
        mark, told = marks.get(insight.key), marks.get(reported_key(insight, audience))
        return not (mark and mark.hides(today)) and not (told and told.reported == insight.signature)

    return tuple(i for i in insights if fresh(i))[:limit]


def reported_key(insight: Insight, audience: str = "") -> str:
    """Where "told with these numbers" is kept: per audience, so that what the company digest
    told is still news to a team's, and the other way round. Dismissals stay workspace-wide."""
    return f"{audience}|{insight.key}"[:120] if audience else insight.key


def still_open(insights: Iterable[Insight], marks: Mapping[str, InsightMark], today: date) -> tuple[Insight, ...]:
    return tuple(i for i in insights if not (m := marks.get(i.key)) or not m.hides(today))


# -- the rule file -------------------------------------------------------------------------------

def default_insight_rules_path() -> Path:
    return templates_dir() / "insights" / "rules.toml"


def load_insight_rules(path: str | Path | None = None) -> tuple[InsightRule, ...]:
    path = Path(path) if path is not None else default_insight_rules_path()
    data = read_data_file(path, "insight rules")
    if set(data) != {"insight"} or not isinstance(data["insight"], list) or not data["insight"]:
        raise RuleFileError(f"{path}: the file is a list of [[insight]] blocks and nothing else")
    rules = tuple(_rule(raw, i, str(path)) for i, raw in enumerate(data["insight"], start=1))
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise RuleFileError(f"{path}: insight id {next(i for i in ids if ids.count(i) > 1)!r} is used twice")
    return rules


def _rule(raw: object, index: int, source: str) -> InsightRule:
    label = f"insight #{index}" + (f' "{raw["id"]}"' if isinstance(raw, dict) and isinstance(raw.get("id"), str) else "")

    def bad(problem: str) -> RuleFileError:
        return RuleFileError(f"{source}: {label}: {problem}")

    if not isinstance(raw, dict):
        raise bad("each insight is an [[insight]] block")
    for key in _COMMON:
        if key not in raw:
            raise bad(f"missing {key}")
    if raw["kind"] not in KINDS:
        raise bad(f"unknown kind {raw['kind']!r}; use one of {', '.join(KINDS)}")
    specs = _SETTINGS[raw["kind"]]
    if unknown := set(raw) - set(_COMMON) - {name for name, _, _ in specs}:
        raise bad(f"unknown key {sorted(unknown)[0]!r} for a {raw['kind']} insight")
    if not isinstance(raw["metrics"], list) or not all(isinstance(m, str) for m in raw["metrics"]):
        raise bad("metrics must be a list of metric ids")
    if raw["kind"] in ("trend_pair", "level_pair", "ratio") and len(raw["metrics"]) < 2:
        raise bad(f"a {raw['kind']} insight reads at least two metrics")
    if isinstance(raw["severity"], bool) or raw["severity"] not in (1, 2, 3):
        raise bad("severity must be 1, 2 or 3")
    least = 0 if raw["kind"] == "stale" else 2
    if isinstance(raw["min_points"], bool) or not isinstance(raw["min_points"], int) or raw["min_points"] < least:
        raise bad(f"min_points must be a whole number of at least {least}: no insight is read from a single check-in")
    settings = {}
    for name, kind, default in specs:
        value = raw.get(name, default)
        if value is None:
            raise bad(f"missing {name}")
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise bad(f"wrong type for {name}: {value!r}")
        settings[name] = value
    if raw["kind"] == "trend_pair" and (settings["first"] not in TRENDS or settings["second"] not in TRENDS):
        raise bad(f"first and second must be one of {', '.join(TRENDS)}")
    if raw["kind"] == "level_pair" and (settings["first"] not in LEVELS or settings["second"] not in LEVELS):
        raise bad(f"first and second must be one of {', '.join(LEVELS)}")
    if not isinstance(raw["message"], str) or not raw["message"].replace("_", "").isalnum():
        raise bad("message must be a name of lower-case letters, digits and _")
    return InsightRule(raw["id"], raw["kind"], tuple(raw["metrics"]), raw["severity"], raw["min_points"], f"insight.{raw['message']}", settings)


def message_keys(rules: Iterable[InsightRule]) -> frozenset[str]:
    return frozenset(f"{r.message}.{part}" for r in rules for part in ("text", "actions"))


# -- reading the numbers --------------------------------------------------------------------------

def find_insights(items: Sequence[InsightItem], rules: Sequence[InsightRule], today: date) -> list[Insight]:
    """Every insight the numbers support, the most severe first (then in the rule file's order)."""
    found: list[Insight] = []
    for order, rule in enumerate(rules):
        for insight in _READERS[rule.kind](rule, items, today):
            found.append(insight)
    order_of = {rule.id: i for i, rule in enumerate(rules)}
    return sorted(found, key=lambda i: (-i.severity, order_of[i.rule], i.refs))


def _with(items: Iterable[InsightItem], metrics: Iterable[str], min_points: int) -> list[InsightItem]:
    wanted = set(metrics)
    return [i for i in items if i.metric in wanted and len(i.series) >= max(min_points, 1)]


def trend(item: InsightItem, points: int, change: int) -> tuple[str, Point, Point]:
    """Up, down or flat: the newest of the last `points` check-ins against the oldest of them."""
    window = item.series[-points:]
    first, last = window[0], window[-1]
    if first.value == 0:
        direction = "up" if last.value > 0 else "down" if last.value < 0 else "flat"
    else:
        moved = (last.value - first.value) / abs(first.value) * 100
        direction = "up" if moved >= change else "down" if moved <= -change else "flat"
    return direction, first, last


def _matches(direction: str, wanted: str) -> bool:
    return direction == wanted or (wanted == "flat_or_down" and direction in ("flat", "down"))


def _same_place(a: InsightItem, b: InsightItem) -> bool:
    return a.channel == b.channel or a.channel is None or b.channel is None


def _insight(rule: InsightRule, items: Sequence[InsightItem], params: dict, cited: Iterable[Decimal]) -> Insight:
    owners = tuple(dict.fromkeys(i.owner for i in items))
    return Insight(rule.id, rule.severity, rule.message, tuple(i.ref for i in items), owners, params, tuple(cited))


def _trend_pair(rule: InsightRule, items, today) -> Iterable[Insight]:
    s = rule.settings
    firsts = _with(items, rule.metrics[:1], rule.min_points)
    seconds = _with(items, rule.metrics[1:], rule.min_points)
    for a in firsts:
        a_way, a0, a1 = trend(a, s["points"], s["change"])
        if not _matches(a_way, s["first"]):
            continue
        for b in seconds:
            if b is a or not _same_place(a, b):
                continue
            b_way, b0, b1 = trend(b, s["points"], s["change"])
            if _matches(b_way, s["second"]):
                yield _insight(rule, (a, b), {
                    "first": a.name, "first_from": a.quantity(a0.value), "first_to": a.quantity(a1.value),
                    "second": b.name, "second_from": b.quantity(b0.value), "second_to": b.quantity(b1.value),
                    "channel": a.channel or b.channel or "",
                }, (a0.value, a1.value, b0.value, b1.value))


def _level(item: InsightItem) -> str | None:
    if item.target is None or item.latest is None:
        return None
    return "at_target" if is_at_target(item.measure, item.target, item.latest.value) else "below_target"


def _level_pair(rule: InsightRule, items, today) -> Iterable[Insight]:
    s = rule.settings
    for a in _with(items, rule.metrics[:1], rule.min_points):
        if _level(a) != s["first"]:
            continue
        for b in _with(items, rule.metrics[1:], rule.min_points):
            if b is not a and _same_place(a, b) and _level(b) == s["second"]:
                yield _insight(rule, (a, b), {
                    "first": a.name, "first_value": a.quantity(a.latest.value), "first_target": a.quantity(a.target),
                    "second": b.name, "second_value": b.quantity(b.latest.value), "second_target": b.quantity(b.target),
                }, (a.latest.value, a.target, b.latest.value, b.target))


def _channel_spread(rule: InsightRule, items, today) -> Iterable[Insight]:
    for metric in rule.metrics:
        placed = [i for i in _with(items, (metric,), rule.min_points) if i.channel]
        by_channel: dict[str, InsightItem] = {}
        for item in placed:
            by_channel.setdefault(item.channel, item)
        if len(by_channel) < 2:
            continue
        ranked = sorted(by_channel.values(), key=lambda i: i.latest.value, reverse=placed[0].better_higher)
        best, worst = ranked[0], ranked[-1]
        low, high = sorted((best.latest.value, worst.latest.value))
        if (low <= 0 < high) or (low > 0 and high >= low * Decimal(str(rule.settings["spread"]))):
            yield _insight(rule, (best, worst), {
                "metric": best.name, "best": best.channel, "best_value": best.quantity(best.latest.value),
                "worst": worst.channel, "worst_value": worst.quantity(worst.latest.value),
            }, (best.latest.value, worst.latest.value))


def _falling(rule: InsightRule, items, today) -> Iterable[Insight]:
    steps, weeks = rule.settings["checkins"], rule.settings["weeks"]
    for item in _with(items, rule.metrics, max(rule.min_points, steps + 1)):
        window = item.series[-(steps + 1):]
        worse = all((b.value < a.value) if item.better_higher else (b.value > a.value) for a, b in zip(window, window[1:]))
        if worse and (window[-1].at - window[0].at).days >= 7 * (weeks - 1):
            yield _insight(rule, (item,), {
                "metric": item.name, "channel": item.channel or "", "from": item.quantity(window[0].value),
                "to": item.quantity(window[-1].value), "since": window[0].at.isoformat(),
            }, (window[0].value, window[-1].value))


def _ratio(rule: InsightRule, items, today) -> Iterable[Insight]:
    for a in _with(items, rule.metrics[:1], rule.min_points):
        for b in _with(items, rule.metrics[1:], rule.min_points):
            if _same_place(a, b) and b.latest.value > 0 and a.latest.value < b.latest.value * Decimal(str(rule.settings["below"])):
                yield _insight(rule, (a, b), {
                    "first": a.name, "first_value": a.quantity(a.latest.value),
                    "second": b.name, "second_value": b.quantity(b.latest.value),
                }, (a.latest.value, b.latest.value))


def _missed(rule: InsightRule, items, today) -> Iterable[Insight]:
    periods = rule.settings["periods"]
    for item in items:
        if (item.ref.startswith("K") and len(item.missed_before) >= periods and all(item.missed_before[:periods])
                and len(item.series) >= rule.min_points and _level(item) == "below_target"):
            yield _insight(rule, (item,), {"name": item.name, "periods": periods, "value": item.quantity(item.latest.value),
                                           "target": item.quantity(item.target)}, (item.latest.value, item.target))


def _stale(rule: InsightRule, items, today) -> Iterable[Insight]:
    days = rule.settings["days"]
    for item in items:
        last = item.latest.at if item.latest else item.created
        if item.target is not None and (today - last).days >= days:
            yield _insight(rule, (item,), {"name": item.name, "last": last.isoformat() if item.latest else ""}, ())



_READERS = {"trend_pair": _trend_pair, "level_pair": _level_pair, "channel_spread": _channel_spread, "falling": _falling,
            "ratio": _ratio, "missed": _missed, "stale": _stale}


# -- from the period's records ------------------------------------------------------------------

def items_from_records(key_results: Iterable, kpis: Iterable, earlier_kpis: Iterable, zone) -> list[InsightItem]:
    """The items the rules read, from the period's records (check-ins newest first) and the KPIs
    of earlier periods, matched to this period's by metric (or else by name) for `missed`."""
    def series(record) -> tuple[Point, ...]:
        return tuple(Point(c.at.astimezone(zone).date(), c.value) for c in reversed(record.checkins))

    earlier = sorted(earlier_kpis, key=lambda k: k.period, reverse=True)
    items = [
        InsightItem(f"KR{kr.objective_number}.{kr.number}", kr.title, kr.owner, kr.tags.metric, kr.tags.channel, kr.measure_type,
                    kr.target, kr.unit, series(kr), kr.created)
        for kr in key_results
    ]
    for k in kpis:
        same = [e for e in earlier if (e.tags.metric and e.tags.metric == k.tags.metric) or e.name.strip().lower() == k.name.strip().lower()]
        missed = tuple(_missed_in(e) for e in same)
        items.append(InsightItem(f"K{k.number}", k.name, k.owner, k.tags.metric, k.tags.channel, k.measure_type, k.target, k.unit,
                                 series(k), k.created, missed))
    return items


def _missed_in(record) -> bool:
    """Whether an earlier period's KPI ended below its target (no actual at all is not a miss we can cite)."""
    latest = record.checkins[0].value if record.checkins else None
    return record.target is not None and latest is not None and not is_at_target(record.measure_type, record.target, latest)
