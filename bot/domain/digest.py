"""The weekly digest and the period-end summary, assembled from a period's plain records.

Pure: the loading side hands over everything (this week and a week ago) in a fixed number
of queries, and this module only computes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone, tzinfo
from decimal import Decimal

from bot.domain.insights import Insight, InsightMark, InsightRule, find_insights, items_from_records, still_open, worth_reporting
from bot.domain.periods import Period
from bot.domain.scoring import DEFAULT_SCORE_CAP, STRETCH, expected_progress, weighted_score
from bot.domain.views import (
    CheckinRecord, KeyResultRecord, KeyResultView, KpiRecord, KpiView, ObjectiveRecord, ObjectiveView, Person,
    ScorecardView, objective_views, scorecard_view,
)

BEHIND_PACE_MARGIN = Decimal("0.15")  # this far below the expected pace is "behind"
QUIET_DAYS = 7
MAX_MOVERS = 5
MAX_INSIGHTS = 3  # in a weekly digest; `/perf insights` shows them all


@dataclass(frozen=True)
class PeriodPace:
    period: str
    start: date
    end: date
    today: date
    elapsed: Decimal  # 0..1: how far through the period we are
    expected: Decimal = Decimal(0)  # where a key result should be by now (stretch OKRs aim at 0.7)
    okr_style: str = STRETCH

    @property
    def days_left(self) -> int:
        return max(0, (self.end - self.today).days)


@dataclass(frozen=True)
class KeyResultTrend:
    objective_ref: str
    key_result: KeyResultView
    week_change: Decimal | None  # progress gained in the last seven days
    forecast: Decimal | None  # where it lands at period end at the current pace
    behind_pace: bool

    @property
    def needs_attention(self) -> bool:
        return self.key_result.at_risk or self.behind_pace


@dataclass(frozen=True)
class ObjectiveTrend:
    objective: ObjectiveView
    week_change: Decimal | None


@dataclass(frozen=True)
class QuietPerson:
    person: Person
    last_checkin: datetime | None
    days: int | None  # None: never checked in


@dataclass(frozen=True)
class TeamRecord:
    """A team as the digest needs it: who leads it and who is in it."""

    team_id: int
    name: str
    lead: Person | None
    members: frozenset[str]  # user ids


@dataclass(frozen=True)
class TeamRow:
    """A team's line in the company digest."""

    name: str
    lead: Person | None
    okr_progress: Decimal | None
    kpi_score: Decimal | None
    quiet: int  # members who have not checked in for a week


@dataclass(frozen=True)
class Digest:
    pace: PeriodPace
    okr_progress: Decimal | None
    okr_change: Decimal | None
    kpi_score: Decimal | None
    kpi_change: Decimal | None
    objectives: tuple[ObjectiveTrend, ...]
    attention: tuple[KeyResultTrend, ...]
    scorecard: ScorecardView
    forecasts: tuple[KeyResultTrend, ...]
    movers: tuple[KeyResultTrend, ...]
    quiet: tuple[QuietPerson, ...]
    insights: tuple[Insight, ...] = ()  # the few most severe, not told before with the same numbers
    teams: tuple[TeamRow, ...] = ()  # the company digest's line per team
    team: TeamRecord | None = None  # a team's digest: its goals only, its quiet members addressed to its lead

    @property
    def audience(self) -> str:
        """Who this digest tells insights to: the company, or one team."""
        return audience_of(self.team)


def audience_of(team: TeamRecord | None) -> str:
    return f"t{team.team_id}" if team is not None else ""


@dataclass(frozen=True)
class DigestInputs:
    """A period as the database holds it, now and a week ago."""

    objectives: Sequence[ObjectiveRecord]
    key_results: Sequence[KeyResultRecord]
    key_results_week_ago: Mapping[tuple[int, int], Decimal]  # (objective number, kr number) -> value then
    kpis: Sequence[KpiRecord]
    kpis_week_ago: Mapping[int, Decimal]  # kpi number -> actual then
    last_checkin_by: Mapping[str, datetime]  # user id -> their latest check-in (any item)
    away_until: Mapping[str, date]  # user id -> away until (inclusive)
    score_cap: Decimal  # percent
    okr_style: str = STRETCH  # stretch: 0.7 is success; committed: 1.0
    earlier_kpis: Sequence[KpiRecord] = ()  # the KPIs of the periods before, for insights about repeated misses
    insight_marks: Mapping[str, InsightMark] = field(default_factory=dict)
    zone: tzinfo = timezone.utc  # the workspace's, to date its check-ins
    bonus_tiers: tuple[tuple[Decimal, Decimal], ...] = ()  # (score at least, share of the bonus), highest first
    teams: Sequence[TeamRecord] = ()

    @property
    def cap(self) -> Decimal:
        return self.score_cap / 100 if self.score_cap else DEFAULT_SCORE_CAP


def period_pace(period: Period, today: date, okr_style: str = STRETCH) -> PeriodPace:
    elapsed = Decimal(str(round(period.elapsed(today), 4)))
    return PeriodPace(str(period), period.start, period.end, today, elapsed, expected_progress(elapsed, okr_style), okr_style)


def _as_of(records: Iterable, values: Mapping, key) -> list:
    """The same records with only the value they had then (or none)."""
    then = []
    for record in records:
        value = values.get(key(record))
        synthetic = (CheckinRecord(value, None, "", record.owner, datetime.min),) if value is not None else ()
        then.append(replace(record, checkins=synthetic))
    return then


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def data_insights(data: DigestInputs, rules: Sequence[InsightRule], today: date) -> list[Insight]:
    return find_insights(items_from_records(data.key_results, data.kpis, data.earlier_kpis, data.zone), rules, today)


def assemble_digest(period: Period, today: date, now: datetime, data: DigestInputs, rules: Sequence[InsightRule] = (),
                    team: TeamRecord | None = None) -> Digest:
    """The company's digest, or with `team` that team's: its objectives (and personal ones in
    it), its KPIs, its insights, its quiet members. Progress is rolled up over the whole tree
    either way, so a team sees the same numbers as the company."""
    pace = period_pace(period, today, data.okr_style)
    now_views = objective_views(data.objectives, data.key_results, data.cap)
    then_krs = _as_of(data.key_results, data.key_results_week_ago, lambda kr: (kr.objective_number, kr.number))
    then_views = {o.ref: o for o in objective_views(data.objectives, then_krs, data.cap)}
    then_kr = {kr.ref: kr for o in then_views.values() for kr in o.key_results}
    if team is not None:
        now_views = [o for o in now_views if o.team == team.name]
        then_views = {ref: o for ref, o in then_views.items() if o.team == team.name}
    objectives, trends = [], []
    for objective in now_views:
        before = then_views.get(objective.ref)
        objectives.append(ObjectiveTrend(objective, objective.progress - before.progress if before else None))
        for kr in objective.key_results:
            earlier = then_kr.get(kr.ref)
            week_change = kr.progress - earlier.progress if earlier and kr.target is not None else None
            forecast = min(kr.progress / pace.elapsed, data.cap) if pace.elapsed > 0 and kr.has_pace else None
            behind = kr.has_pace and kr.progress < pace.expected - BEHIND_PACE_MARGIN
            trends.append(KeyResultTrend(objective.ref, kr, week_change, forecast, behind))
    okr_now = _headline(now_views, team)
    okr_then = _headline(list(then_views.values()), team)
    kpis = [k for k in data.kpis if team is None or k.team == team.name]
    scorecard = scorecard_view(str(period), kpis, data.score_cap)
    then_scorecard = scorecard_view(str(period), _as_of(kpis, data.kpis_week_ago, lambda k: k.number), data.score_cap)
    kpi_change = None
    if scorecard.score is not None and then_scorecard.score is not None:
        kpi_change = scorecard.score - then_scorecard.score
    movers = sorted((t for t in trends if t.week_change), key=lambda t: -abs(t.week_change))[:MAX_MOVERS]
    owners = _owners(data)
    quiet = quiet_people(owners if team is None else [o for o in owners if o.user_id in team.members],
                         data.last_checkin_by, data.away_until, now, today)
    shown = {o.ref for o in now_views}
    insight_data = data if team is None else _team_part(data, team, shown)
    audience = audience_of(team)
    return Digest(
        pace=pace, okr_progress=okr_now, okr_change=(okr_now - okr_then) if okr_now is not None and okr_then is not None else None,
        kpi_score=scorecard.score, kpi_change=kpi_change, objectives=tuple(objectives),
        attention=tuple(t for t in trends if t.needs_attention), scorecard=scorecard,
        forecasts=tuple(t for t in trends if t.forecast is not None), movers=tuple(movers), quiet=quiet,
        insights=worth_reporting(data_insights(insight_data, rules, today), data.insight_marks, today, MAX_INSIGHTS, audience),
        teams=team_rows(data, now_views, scorecard, owners, now, today) if team is None else (), team=team,
    )


def _headline(views: Sequence[ObjectiveView], team: TeamRecord | None) -> Decimal | None:
    """The digest's one OKR number: the mean of its own level's objectives (the company's, or
    the team's), which already hold what is aligned below them; without any, of all shown."""
    level = "team" if team is not None else "company"
    own = [o.progress for o in views if o.level == level]
    return _mean(own) if own else _mean([o.progress for o in views])


def _team_part(data: DigestInputs, team: TeamRecord, objective_refs: set[str]) -> DigestInputs:
    """The team's own items, for the insights of its digest."""
    return replace(data, key_results=[kr for kr in data.key_results if f"O{kr.objective_number}" in objective_refs],
                   kpis=[k for k in data.kpis if k.team == team.name], earlier_kpis=[k for k in data.earlier_kpis if k.team == team.name])


def team_rows(data: DigestInputs, views: Sequence[ObjectiveView], scorecard: ScorecardView, owners: Sequence[Person],
              now: datetime, today: date) -> tuple[TeamRow, ...]:
    """A line per team for the company digest: its OKR progress, KPI score and quiet members."""
    rows = []
    for team in sorted(data.teams, key=lambda t: t.name.casefold()):
        progress = _headline([o for o in views if o.team == team.name], team)
        kpis = [k for k in scorecard.kpis if k.team == team.name]
        score = weighted_score(((k.attainment, k.weight) for k in kpis), scorecard.cap).score if kpis else None
        quiet = quiet_people([o for o in owners if o.user_id in team.members], data.last_checkin_by, data.away_until, now, today)
        rows.append(TeamRow(team.name, team.lead, progress, score, len(quiet)))
    return tuple(rows)


def _owners(data: DigestInputs) -> list[Person]:
    seen: dict[str, Person] = {}
    for item in (*data.key_results, *data.kpis):
        seen.setdefault(item.owner.user_id, item.owner)
    return list(seen.values())


def quiet_people(owners: Iterable[Person], last_checkin_by: Mapping[str, datetime], away_until: Mapping[str, date],
                 now: datetime, today: date, days: int = QUIET_DAYS) -> tuple[QuietPerson, ...]:
    """Owners who have not checked in for `days` days or more, leaving out those away."""
    quiet = []
    for person in owners:
        if (away := away_until.get(person.user_id)) is not None and away >= today:
            continue
        last = last_checkin_by.get(person.user_id)
        elapsed = (now - last).days if last else None
        if elapsed is None or elapsed >= days:
            quiet.append(QuietPerson(person, last, elapsed))
    return tuple(sorted(quiet, key=lambda q: (q.days is not None, -(q.days or 0), q.person.name)))


@dataclass(frozen=True)
class PeriodEnd:
    period: str
    objectives: tuple[ObjectiveView, ...]
    kpis_hit: tuple[KpiView, ...]
    kpis_missed: tuple[KpiView, ...]
    scorecard: ScorecardView
    okr_style: str = STRETCH
    insights: tuple[Insight, ...] = ()  # what to change next period
    bonus: tuple[tuple[Person, Decimal | None, Decimal], ...] = ()  # (owner, score, share of the bonus) when tiers are set
    bonus_tiers: tuple[tuple[Decimal, Decimal], ...] = ()
    team: str | None = None


def assemble_period_end(period: Period, data: DigestInputs, rules: Sequence[InsightRule] = (), today: date | None = None,
                        team: TeamRecord | None = None) -> PeriodEnd:
    """The period's results; with `team`, that team's goals and KPIs (rolled up over the whole tree)."""
    views = objective_views(data.objectives, data.key_results, data.cap)
    if team is not None:
        views = [o for o in views if o.team == team.name]
        data = _team_part(data, team, {o.ref for o in views})
    scorecard = scorecard_view(str(period), data.kpis, data.score_cap)
    today = today or period.end
    bonus = tuple((o.owner, o.score, bonus_share(o.score, data.bonus_tiers)) for o in scorecard.owners) if data.bonus_tiers else ()
    return PeriodEnd(
        str(period), tuple(views),
        tuple(k for k in scorecard.kpis if k.at_target), tuple(k for k in scorecard.kpis if not k.at_target), scorecard, data.okr_style,
        still_open(data_insights(data, rules, today), data.insight_marks, today), bonus, data.bonus_tiers,
        team.name if team is not None else None,
    )


def bonus_share(score: Decimal | None, tiers: Sequence[tuple[Decimal, Decimal]]) -> Decimal:
    """The share of the bonus a weighted score earns: the highest tier it reaches, else nothing."""
    if score is None:
        return Decimal(0)
    return next((share for floor, share in tiers if score * 100 >= floor), Decimal(0))


@dataclass(frozen=True)
class StaleItem:
    owner: Person
    ref: str
    title: str
    last_activity: datetime  # the latest check-in, or when the item was created


def stale_items_by_owner(items: Iterable[StaleItem], now: datetime, today: date, days: int,
                         away_until: Mapping[str, date]) -> dict[str, list[StaleItem]]:
    """Items without a check-in for `days` days, per owner, leaving out people who are away."""
    found: dict[str, list[StaleItem]] = {}
    for item in items:
        away = away_until.get(item.owner.user_id)
        if away is not None and away >= today:
            continue
        if (now - item.last_activity).days >= days:
            found.setdefault(item.owner.user_id, []).append(item)
    return found
