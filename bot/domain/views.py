"""Plain pictures of objectives, key results and KPIs with their progress, built from plain
records. Listings, the scorecard, App Home and the digest all read these.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from bot.domain.alignment import COMPANY, Contribution, rolled_up
from bot.domain.scoring import (
    DECREASE, DEFAULT_SCORE_CAP, FULL_WEIGHT, INCREASE, attainment, direction_of, is_at_target, objective_progress, weighted_score,
)


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str


@dataclass(frozen=True)
class CheckinRecord:
    value: Decimal
    confidence: str | None
    note: str
    author: Person
    at: datetime
    source: str = ""  # how it came: slack, console, modal, api, csv, or "source:N" (a data source)

    @property
    def automatic(self) -> str | None:
        """Where an actual that nobody typed came from: "api", "csv" or a data source's number."""
        if self.source.startswith("source:"):
            return self.source.removeprefix("source:")
        return self.source if self.source in ("api", "csv") else None


@dataclass(frozen=True)
class Tags:
    """What an item measures (a metric of the library) and where (a channel, a segment)."""

    metric: str | None = None
    channel: str | None = None
    segment: str | None = None


@dataclass(frozen=True)
class KeyResultRecord:
    objective_number: int
    number: int
    title: str
    start: Decimal
    target: Decimal | None  # None: to be set
    unit: str
    weight: Decimal
    owner: Person
    checkins: Sequence[CheckinRecord] = ()  # newest first; at least the latest two
    item_id: int = 0  # the store's identity, for loading more about it; never shown
    measure: str = ""  # "": from start and target (increase or decrease)
    tags: Tags = field(default_factory=lambda: Tags())
    created: date = date.min

    @property
    def measure_type(self) -> str:
        if self.measure:
            return self.measure
        return DECREASE if self.target is not None and self.target < self.start else INCREASE


@dataclass(frozen=True)
class ObjectiveRecord:
    number: int
    title: str
    period: str
    owner: Person
    review_on: date | None = None
    level: str = COMPANY  # company, team, person
    team: str | None = None  # the team's name
    parent: str | None = None  # aligned to: "O1" or "KR1.2"
    align_weight: Decimal = Decimal(1)
    item_id: int = 0


@dataclass(frozen=True)
class KpiRecord:
    number: int
    name: str
    period: str
    target: Decimal | None
    unit: str
    weight: Decimal
    direction: str
    perspective: str | None
    owner: Person
    checkins: Sequence[CheckinRecord] = ()  # newest first
    item_id: int = 0  # the store's identity, for loading more about it; never shown
    measure: str = ""  # "": from the direction (increase or decrease against the target alone)
    start: Decimal | None = None
    tags: Tags = field(default_factory=lambda: Tags())
    created: date = date.min
    level: str = COMPANY
    team: str | None = None

    @property
    def measure_type(self) -> str:
        return self.measure or (DECREASE if self.direction == "lower" else INCREASE)


@dataclass(frozen=True)
class AlignedObjective:
    """An objective aligned to a key result or objective, as its parent shows it."""

    ref: str
    title: str
    owner: Person
    team: str | None
    progress: Decimal
    weight: Decimal


@dataclass(frozen=True)
class KeyResultView:
    ref: str
    title: str
    owner: Person
    start: Decimal
    target: Decimal | None
    unit: str
    weight: Decimal
    current: Decimal | None
    progress: Decimal
    change: Decimal | None  # progress gained since the previous check-in
    confidence: str | None
    last_checkin: CheckinRecord | None
    measure: str = INCREASE
    tags: Tags = field(default_factory=lambda: Tags())
    aligned: tuple[AlignedObjective, ...] = ()  # objectives aligned to it: its progress comes from them

    @property
    def at_risk(self) -> bool:
        return self.confidence in ("at-risk", "off-track")

    @property
    def rolled_up(self) -> bool:
        return bool(self.aligned)

    @property
    def has_pace(self) -> bool:
        """Only a way from a start to a target has a pace; thresholds are held, milestones done."""
        return self.target is not None and self.measure in (INCREASE, DECREASE)


@dataclass(frozen=True)
class ObjectiveView:
    ref: str
    title: str
    period: str
    owner: Person
    progress: Decimal
    change: Decimal | None
    key_results: tuple[KeyResultView, ...]
    review_on: date | None = None
    hidden_key_results: int = 0  # left out of a filtered listing
    level: str = COMPANY
    team: str | None = None
    parent: str | None = None  # aligned to: "O1" or "KR1.2"
    align_weight: Decimal = Decimal(1)
    aligned: tuple[AlignedObjective, ...] = ()  # objectives aligned directly to it (not to one of its key results)

    @property
    def at_risk(self) -> bool:
        return any(kr.at_risk for kr in self.key_results)

    def involves(self, user_id: str) -> bool:
        return self.owner.user_id == user_id or any(kr.owner.user_id == user_id for kr in self.key_results)


@dataclass(frozen=True)
class KpiView:
    ref: str
    name: str
    period: str
    target: Decimal | None
    unit: str
    weight: Decimal
    direction: str
    perspective: str | None
    owner: Person
    actual: Decimal | None
    previous: Decimal | None
    attainment: Decimal | None
    at_target: bool
    last_checkin: CheckinRecord | None
    measure: str = INCREASE
    start: Decimal | None = None
    tags: Tags = field(default_factory=lambda: Tags())
    level: str = COMPANY
    team: str | None = None


@dataclass(frozen=True)
class OwnerScore:
    owner: Person
    kpis: tuple[KpiView, ...]
    score: Decimal | None
    weight_total: Decimal

    @property
    def weights_complete(self) -> bool:
        return self.weight_total == FULL_WEIGHT


@dataclass(frozen=True)
class ScorecardView:
    period: str
    owners: tuple[OwnerScore, ...]
    by_perspective: tuple[tuple[str | None, tuple[KpiView, ...]], ...]
    score: Decimal | None
    cap: Decimal
    kpis: tuple[KpiView, ...] = field(default=())


def key_result_view(record: KeyResultRecord, cap: Decimal = DEFAULT_SCORE_CAP,
                    aligned: Sequence[ObjectiveView] = ()) -> KeyResultView:
    """A key result with objectives aligned to it takes its progress from them (see
    `bot.domain.alignment`); otherwise from its own latest check-ins."""
    if aligned:
        return _rolled_up_key_result(record, aligned)
    latest = record.checkins[0] if record.checkins else None
    previous = record.checkins[1] if len(record.checkins) > 1 else None
    measure = record.measure_type
    start = record.start if measure in (INCREASE, DECREASE) else None

    def progress_at(value: Decimal | None) -> Decimal:
        return attainment(measure, record.target, value, start, cap) or Decimal(0)

    progress = progress_at(latest.value if latest else None)
    change = None
    if latest and previous and record.target is not None:
        change = progress - progress_at(previous.value)
    return KeyResultView(
        ref=f"KR{record.objective_number}.{record.number}", title=record.title, owner=record.owner,
        start=record.start, target=record.target, unit=record.unit, weight=record.weight,
        current=latest.value if latest else None, progress=progress, change=change,
        confidence=latest.confidence if latest else None, last_checkin=latest, measure=measure, tags=record.tags,
    )


def _rolled_up_key_result(record: KeyResultRecord, children: Sequence[ObjectiveView]) -> KeyResultView:
    progress, change = rolled_up(Contribution(o.progress, o.align_weight, o.change) for o in children)
    confidences = [kr.confidence for o in children for kr in o.key_results if kr.confidence]
    worst = next((c for c in ("off-track", "at-risk", "on-track") if c in confidences), None)
    return KeyResultView(
        ref=f"KR{record.objective_number}.{record.number}", title=record.title, owner=record.owner, start=record.start,
        target=record.target, unit=record.unit, weight=record.weight, current=None, progress=progress, change=change,
        confidence=worst, last_checkin=None, measure=record.measure_type, tags=record.tags, aligned=_aligned(children),
    )


def _aligned(children: Sequence[ObjectiveView]) -> tuple[AlignedObjective, ...]:
    return tuple(AlignedObjective(o.ref, o.title, o.owner, o.team, o.progress, o.align_weight) for o in children)


def objective_view(record: ObjectiveRecord, key_results: Iterable[KeyResultRecord], cap: Decimal = DEFAULT_SCORE_CAP,
                   children: Mapping[str, Sequence[ObjectiveView]] | None = None) -> ObjectiveView:
    """`children`: the views of the objectives aligned to this one or to its key results, by
    the ref they are aligned to ("O1", "KR1.2")."""
    children = children or {}
    views = tuple(
        key_result_view(kr, cap, children.get(f"KR{record.number}.{kr.number}", ())) for kr in sorted(key_results, key=lambda kr: kr.number)
    )
    direct = tuple(children.get(f"O{record.number}", ()))
    parts = [Contribution(kr.progress, kr.weight, kr.change) for kr in views]
    parts += [Contribution(o.progress, o.align_weight, o.change) for o in direct]
    progress = objective_progress((p.progress, p.weight) for p in parts)
    change = None
    if any(p.change is not None for p in parts):
        change = progress - objective_progress((p.progress - (p.change or 0), p.weight) for p in parts)
    return ObjectiveView(f"O{record.number}", record.title, record.period, record.owner, progress, change, views, record.review_on,
                         level=record.level, team=record.team, parent=record.parent, align_weight=record.align_weight,
                         aligned=_aligned(direct))


def objective_views(objectives: Iterable[ObjectiveRecord], key_results: Iterable[KeyResultRecord],
                    cap: Decimal = DEFAULT_SCORE_CAP) -> list[ObjectiveView]:
    """Every objective's view, children first, so each parent's roll-up reads its children's
    progress. A parent that is not among `objectives` (another period, archived) is ignored."""
    records = sorted(objectives, key=lambda o: o.number)
    by_objective: dict[int, list[KeyResultRecord]] = defaultdict(list)
    for kr in key_results:
        by_objective[kr.objective_number].append(kr)
    aligned_to: dict[str, list[ObjectiveRecord]] = defaultdict(list)
    for record in records:
        if record.parent:
            aligned_to[record.parent].append(record)
    built: dict[int, ObjectiveView] = {}

    def build(record: ObjectiveRecord, trail: frozenset[int]) -> ObjectiveView:
        if record.number in built:
            return built[record.number]
        trail = trail | {record.number}
        refs = [f"O{record.number}", *(f"KR{record.number}.{kr.number}" for kr in by_objective[record.number])]
        children = {
            ref: [build(child, trail) for child in aligned_to.get(ref, ()) if child.number not in trail]  # a cycle is cut, never followed
            for ref in refs
        }
        built[record.number] = objective_view(record, by_objective[record.number], cap, children)
        return built[record.number]

    return [build(record, frozenset()) for record in records]


def kpi_view(record: KpiRecord, cap: Decimal = DEFAULT_SCORE_CAP) -> KpiView:
    latest = record.checkins[0] if record.checkins else None
    previous = record.checkins[1] if len(record.checkins) > 1 else None
    actual = latest.value if latest else None
    measure = record.measure_type
    start = record.start if measure in (INCREASE, DECREASE) else None
    return KpiView(
        ref=f"K{record.number}", name=record.name, period=record.period, target=record.target, unit=record.unit,
        weight=record.weight, direction=direction_of(measure), perspective=record.perspective, owner=record.owner,
        actual=actual, previous=previous.value if previous else None, attainment=attainment(measure, record.target, actual, start, cap),
        at_target=record.target is not None and is_at_target(measure, record.target, actual),
        last_checkin=latest, measure=measure, start=start, tags=record.tags, level=record.level, team=record.team,
    )


PERSPECTIVE_ORDER = ("financial", "customer", "internal", "learning", None)


def scorecard_view(period: str, kpis: Iterable[KpiRecord], cap_percent: Decimal | None = None) -> ScorecardView:
    """Group KPIs by owner (whose weights must reach 100%) and by BSC perspective."""
    cap = (cap_percent / 100) if cap_percent is not None else DEFAULT_SCORE_CAP
    views = tuple(kpi_view(k, cap) for k in sorted(kpis, key=lambda k: k.number))
    owners: dict[str, list[KpiView]] = defaultdict(list)
    for view in views:
        owners[view.owner.user_id].append(view)
    owner_scores = []
    for members_kpis in owners.values():
        result = weighted_score(((k.attainment, k.weight) for k in members_kpis), cap)
        owner_scores.append(OwnerScore(members_kpis[0].owner, tuple(members_kpis), result.score, result.weight_total))
    perspectives = tuple(
        (p, tuple(v for v in views if v.perspective == p)) for p in PERSPECTIVE_ORDER if any(v.perspective == p for v in views)
    )
    overall = weighted_score(((k.attainment, k.weight) for k in views), cap)
    return ScorecardView(period, tuple(owner_scores), perspectives, overall.score, cap, views)
