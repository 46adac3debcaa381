"""The method advisor: which performance-management method fits a company, and why.

The decision is made the way a consultant makes it: constraints first (no Balanced Scorecard
for a company of eight), then scoring among the methods that remain, then a tie-break that
the answer states. The explanation follows the decision: the reasons for the pick, apart from
what argued otherwise and what was ruled out, and a trade-off that names the pick. Rules,
constraints and SWOT items are data (templates/advisor/rules.toml); everything returned is a
message-catalog key, so one result renders in English or Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.domain.advisor_input import Answers
from bot.domain.advisor_rules import (  # noqa: F401 - re-exported: the advisor's public API
    METHODS, QUADRANTS, Condition, Constraint, Rule, RuleFileError, RuleTable, SwotItem, Tradeoff, default_rules_path, load_rules,
)

TRADEOFF_MARGIN = 3  # top two this close, pulled by different answers: name the tension
HEADING_KEYS = tuple(f"advisor.heading.{h}" for h in (
    "recommended", "runner_up", "why", "against", "tradeoff", "scores", "swot", "starter_kit", "plan"))
TIE_KEY = "advisor.tie_break"
OTHER_KEYS = ("advisor.points_to", "advisor.swot.line", "advisor.error.unknown_advice", "advisor.error.kit_exists")  # the replies' and the service's


@dataclass(frozen=True)
class Reason:
    """A rule that fired, and the methods it gave points to, most first."""

    rule_id: str
    key: str  # catalog key: advisor.reason.<name>
    points: Mapping[str, int] = field(hash=False, compare=False)

    def favours(self, method: str, over: str) -> bool:
        return self.points.get(method, 0) > self.points.get(over, 0)

    @property
    def top(self) -> str:
        return max(self.points, key=lambda m: (self.points[m], -METHODS.index(m)))


@dataclass(frozen=True)
class Exclusion:
    key: str  # catalog key: advisor.constraint.<name>
    methods: tuple[str, ...]
    primary_only: bool  # the method may still stand beside another


@dataclass(frozen=True)
class SWOT:
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    opportunities: tuple[str, ...]
    threats: tuple[str, ...]


@dataclass(frozen=True)
class Recommendation:
    answers: Answers
    method: str  # "KPI", or "KPI+OKR" when hybrid (primary first)
    primary: str
    secondary: str  # the runner-up among the methods allowed; recommended too when hybrid
    hybrid: bool
    scores: Mapping[str, int]
    ranking: tuple[str, ...]  # the allowed methods, best first, then those ruled out
    for_pick: tuple[Reason, ...]  # the rules that favoured the pick as much as any method, strongest first
    against: tuple[Reason, ...]  # the rules that favoured another method more than the pick (apart, never in both)
    excluded: tuple[Exclusion, ...]  # the constraints that ruled a method out
    tied_with: str | None  # the method the pick tied with, when the tie-break decided
    tradeoff: str | None  # catalog key; its sentence names the pick ({pick}) and the other ({other})
    hybrid_reason: str | None  # catalog key: how to run the two together
    swot: Mapping[str, SWOT]  # for the pick and the runner-up

    @property
    def methods(self) -> tuple[str, ...]:
        """The methods to set up: the pick, and the runner-up when they are recommended together."""
        return (self.primary, self.secondary) if self.hybrid else (self.primary,)

    @property
    def fired(self) -> tuple[Reason, ...]:
        return tuple(dict.fromkeys((*self.for_pick, *self.against)))


def method_key(method: str, part: str = "name") -> str:
    """`advisor.method.kpi.name` / `.description`: how a renderer names a method."""
    return f"advisor.method.{method.lower()}.{part}"


def pair_key(area: str, a: str, b: str) -> str:
    first, second = sorted((a, b), key=METHODS.index)
    return f"advisor.{area}.{first.lower()}_{second.lower()}"


def recommend(answers: Answers, table: RuleTable) -> Recommendation:
    constraints = tuple(c for c in table.constraints if c.matches(answers))
    excluded = {m for c in constraints for m in c.exclude}
    not_primary = {m for c in constraints for m in c.not_primary}
    allowed = [m for m in METHODS if m not in excluded] or [table.tie_break[0]]  # a rule file that rules out everything

    fired = tuple(Reason(r.id, r.reason, dict(r.scores)) for r in table.rules if r.matches(answers))
    totals = dict.fromkeys(METHODS, 0)
    for reason in fired:
        for method, points in reason.points.items():
            totals[method] += points
    order = {m: table.tie_break.index(m) for m in METHODS}
    ranked = sorted(allowed, key=lambda m: (-totals[m], order[m]))
    leaders = [m for m in ranked if m not in not_primary] or ranked
    primary = leaders[0]
    others = [m for m in ranked if m != primary]
    secondary = others[0] if others else primary
    gap = totals[primary] - totals[secondary]
    hybrid = secondary != primary and totals[secondary] > 0 and (gap <= table.hybrid_margin or secondary in not_primary and gap < 0)
    tied = next((m for m in ranked if m != primary and totals[m] == totals[primary] and m not in not_primary), None)

    against = tuple(r for r in fired if any(r.favours(m, primary) for m in METHODS if m != primary))
    for_pick = tuple(sorted((r for r in fired if r.points.get(primary, 0) > 0 and r not in against), key=lambda r: -r.points[primary]))
    return Recommendation(
        answers=answers, method=f"{primary}+{secondary}" if hybrid else primary, primary=primary, secondary=secondary,
        hybrid=hybrid, scores=totals, ranking=(*ranked, *(m for m in METHODS if m not in ranked)),
        for_pick=for_pick, against=against,
        excluded=tuple(Exclusion(c.reason, c.exclude or c.not_primary, not c.exclude) for c in constraints),
        tied_with=tied, tradeoff=_tradeoff(table, fired, primary, secondary, gap),
        hybrid_reason=pair_key("hybrid", primary, secondary) if hybrid else None,
        swot={m: swot_for(m, answers, table) for m in dict.fromkeys((primary, secondary))},
    )


def _tradeoff(table: RuleTable, fired: tuple[Reason, ...], primary: str, secondary: str, gap: int) -> str | None:
    """A tension between the pick and the runner-up, named after the pick is made."""
    if secondary == primary or gap > TRADEOFF_MARGIN:
        return None
    side = {r.rule_id: primary if r.favours(primary, secondary) else secondary if r.favours(secondary, primary) else None for r in fired}
    if not ({primary, secondary} <= set(side.values())):
        return None
    for t in table.tradeoffs:
        fits = (not t.pick or primary in t.pick) and (not t.other or secondary in t.other)
        if fits and all(side.get(r) for r in t.rules) and len({side[r] for r in t.rules}) > 1:
            return t.message
    return pair_key("tradeoff.pair", primary, secondary)


def swot_for(method: str, answers: Answers, table: RuleTable) -> SWOT:
    """The SWOT items of `method` that are true of this company, in the rule file's order."""
    items = [s for s in table.swot if s.method == method and s.applies(answers)]
    return SWOT(*(tuple(s.key for s in items if s.quadrant == q) for q in QUADRANTS))


def message_keys(table: RuleTable) -> frozenset[str]:
    """Every key `recommend` can return with this table: for a start-up catalog check."""
    keys = {method_key(m, part) for m in METHODS for part in ("name", "description")}
    keys |= {r.reason for r in table.rules} | {t.message for t in table.tradeoffs} | {c.reason for c in table.constraints}
    for i, a in enumerate(METHODS):
        for b in METHODS[i + 1:]:
            keys |= {pair_key("tradeoff.pair", a, b), pair_key("hybrid", a, b)}
    keys |= {s.key for s in table.swot} | {f"advisor.swot.heading.{q}" for q in QUADRANTS} | set(HEADING_KEYS) | {TIE_KEY, *OTHER_KEYS}
    return frozenset(keys)
