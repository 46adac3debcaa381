"""The method advisor: which performance-management method fits a company, and why.

The advice lives in a rule table (templates/advisor/rules.toml) so an owner can tune it
without a release; this module only checks that table and applies it. Everything it
returns is a message-catalog key, so one result renders in English or Chinese.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.domain.advisor_input import Answers
from bot.domain.advisor_rules import (  # noqa: F401 - re-exported: the advisor's public API
    METHODS, Condition, Rule, RuleFileError, RuleTable, Tradeoff, default_rules_path, load_rules,
)
from bot.domain.starter_kit import starter_metric_keys, starter_metrics

HYBRID_MARGIN = 1  # top two this close: recommend both
TRADEOFF_MARGIN = 3  # top two this close, pulled by different answers: name the tension
SMALL_MAX, LARGE_MIN, SMALL_TEAM_MAX = 50, 200, 15  # headcounts the SWOT context uses
QUADRANTS = ("strengths", "weaknesses", "opportunities", "threats")
HEADING_KEYS = tuple(f"advisor.heading.{h}" for h in (
    "recommended", "runner_up", "why", "tradeoff", "pulls_toward", "scores", "swot", "starter_metrics", "starter_kit"))


@dataclass(frozen=True)
class FiredRule:
    rule_id: str
    reason: str  # catalog key
    changes: Mapping[str, int]


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
    secondary: str  # the runner-up, recommended too when hybrid
    hybrid: bool
    scores: Mapping[str, int]
    ranking: tuple[str, ...]  # all four, best first
    fired: tuple[FiredRule, ...]  # in rule-file order
    tradeoff: str | None  # catalog key naming the tension between primary and secondary
    tradeoff_sides: Mapping[str, tuple[str, ...]]  # method -> reason keys pulling toward it
    hybrid_reason: str | None  # catalog key: how to run the two together
    swot: Mapping[str, SWOT]  # for primary and secondary
    starter_metrics: tuple[str, ...]  # catalog keys advisor.metric.<id>


def method_key(method: str, part: str = "name") -> str:
    """`advisor.method.kpi.name` / `.description`: how a renderer names a method."""
    return f"advisor.method.{method.lower()}.{part}"


def pair_key(area: str, a: str, b: str) -> str:
    first, second = sorted((a, b), key=METHODS.index)
    return f"advisor.{area}.{first.lower()}_{second.lower()}"


def recommend(answers: Answers, table: RuleTable) -> Recommendation:
    """Add up every matching rule; ties go to the earlier method in METHODS (simplest first)."""
    totals = dict.fromkeys(METHODS, 0)
    fired: list[FiredRule] = []
    for rule in table.rules:
        if rule.matches(answers):
            for method, points in rule.scores.items():
                totals[method] += points
            fired.append(FiredRule(rule.id, rule.reason, dict(rule.scores)))
    ranking = tuple(sorted(METHODS, key=lambda m: (-totals[m], METHODS.index(m))))
    primary, secondary = ranking[:2]
    gap = totals[primary] - totals[secondary]
    hybrid = gap <= HYBRID_MARGIN and totals[secondary] > 0
    sides = {
        primary: tuple(f for f in fired if f.changes.get(primary, 0) > f.changes.get(secondary, 0)),
        secondary: tuple(f for f in fired if f.changes.get(secondary, 0) > f.changes.get(primary, 0)),
    }
    tradeoff = None
    if gap <= TRADEOFF_MARGIN and all(sides.values()):
        tradeoff = _name_tradeoff(table, sides) or pair_key("tradeoff.pair", primary, secondary)
    return Recommendation(
        answers, f"{primary}+{secondary}" if hybrid else primary, primary, secondary, hybrid, totals, ranking,
        tuple(fired), tradeoff, {m: tuple(f.reason for f in fs) for m, fs in sides.items()} if tradeoff else {},
        pair_key("hybrid", primary, secondary) if hybrid else None,
        {m: swot_for(m, answers) for m in (primary, secondary)}, starter_metrics(answers),
    )


def _name_tradeoff(table: RuleTable, sides: Mapping[str, tuple[FiredRule, ...]]) -> str | None:
    side_of = {f.rule_id: method for method, fs in sides.items() for f in fs}
    for t in table.tradeoffs:
        if all(r in side_of for r in t.rules) and len({side_of[r] for r in t.rules}) > 1:
            return t.message
    return None


# SWOT per method (from the domain text), then context items that go first when they apply.
_SWOT_BASE = {
    "KPI": (("simple", "focus_results"), ("short_term",), ("quick_setup",), ("outgrow",)),
    "OKR": (("stretch", "flexible"), ("weak_assessment",), ("brand_push",), ("vague_krs",)),
    "BSC": (("comprehensive", "balanced"), ("costly",), ("customer_view",), ("overload",)),
    "MBO": (("ownership", "commitment"), ("late_feedback",), ("clear_roles",), ("soft_targets",)),
}
_SWOT_CONTEXT: tuple[tuple[str, str, str, Callable[[Answers], bool]], ...] = (
    ("KPI", "strengths", "pay_clear", lambda a: a.pay_linked is True),
    ("KPI", "weaknesses", "misses_new_ideas", lambda a: a.goal == "innovation"),
    ("KPI", "opportunities", "small_team", lambda a: a.size <= SMALL_MAX or (a.marketing_size or SMALL_TEAM_MAX + 1) <= SMALL_TEAM_MAX),
    ("KPI", "threats", "outgrow_fast", lambda a: a.goal == "expansion" or a.size >= LARGE_MIN),
    ("OKR", "weaknesses", "pay_strict", lambda a: a.pay_linked is True),
    ("OKR", "opportunities", "market_share", lambda a: a.goal == "expansion"),
    ("OKR", "opportunities", "innovation", lambda a: a.goal == "innovation"),
    ("OKR", "threats", "no_slack", lambda a: a.resources == "limited"),
    ("BSC", "strengths", "whole_company", lambda a: a.size >= LARGE_MIN),
    ("BSC", "weaknesses", "costly_for_you", lambda a: a.resources == "limited"),
    ("BSC", "opportunities", "service_customer", lambda a: a.business == "service"),
    ("BSC", "threats", "no_data", lambda a: a.data_maturity is False),
    ("MBO", "strengths", "pay_fair", lambda a: a.pay_linked is True),
    ("MBO", "opportunities", "managers", lambda a: a.size > SMALL_MAX),
    ("MBO", "opportunities", "stability", lambda a: a.goal == "stability"),
)


def swot_for(method: str, answers: Answers) -> SWOT:
    """The textbook SWOT, with the items this company's answers make sharper put first."""
    quads: dict[str, list[str]] = {q: [] for q in QUADRANTS}
    for m, quadrant, item, applies in _SWOT_CONTEXT:
        if m == method and applies(answers):
            quads[quadrant].append(item)
    for quadrant, items in zip(QUADRANTS, _SWOT_BASE[method]):
        quads[quadrant].extend(items)
    prefix = f"advisor.swot.{method.lower()}"
    return SWOT(*(tuple(f"{prefix}.{q}.{item}" for item in quads[q]) for q in QUADRANTS))


def message_keys(table: RuleTable) -> frozenset[str]:
    """Every key `recommend` can return with this table: for a start-up catalog check."""
    keys = {method_key(m, part) for m in METHODS for part in ("name", "description")}
    keys |= {r.reason for r in table.rules} | {t.message for t in table.tradeoffs}
    for i, a in enumerate(METHODS):
        for b in METHODS[i + 1:]:
            keys |= {pair_key("tradeoff.pair", a, b), pair_key("hybrid", a, b)}
    keys |= {f"advisor.swot.{m.lower()}.{q}.{i}" for m, quads in _SWOT_BASE.items() for q, items in zip(QUADRANTS, quads) for i in items}
    keys |= {f"advisor.swot.{m.lower()}.{q}.{i}" for m, q, i, _ in _SWOT_CONTEXT}
    keys |= {f"advisor.swot.heading.{q}" for q in QUADRANTS} | set(HEADING_KEYS)
    return frozenset(keys | starter_metric_keys())
