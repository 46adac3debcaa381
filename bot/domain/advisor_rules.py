"""The advisor's rule table: read from TOML and checked, so a mistake in it is refused at
start-up with the file, the rule and the problem named, never half-applied.

A table holds settings (the hybrid margin, the tie-break order), constraints (methods a
consultant would rule out for some companies), rules (points toward methods, with a reason),
named trade-offs and SWOT items, each item with the facts it is true of."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.domain.advisor_input import ANSWER_FIELDS, ENUMS, FLAGS, NUMBERS, Answers
from bot.resources import templates_dir

METHODS = ("KPI", "OKR", "BSC", "MBO")
QUADRANTS = ("strengths", "weaknesses", "opportunities", "threats")
_NAME = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class Condition:
    """One test on one answer. An unanswered optional question never matches."""

    field: str
    values: tuple[str | bool, ...] = ()  # any-of, for choices and yes/no answers
    min: int | None = None  # inclusive bounds, for headcounts
    max: int | None = None

    def matches(self, answers: Answers) -> bool:
        value = getattr(answers, self.field)
        if value is None:
            return False
        if self.field in NUMBERS:
            return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)
        return value in self.values  # Answers guarantees str for choices, bool for yes/no


def _all_match(conditions: tuple[Condition, ...], answers: Answers) -> bool:
    return all(c.matches(answers) for c in conditions)


@dataclass(frozen=True)
class Rule:
    id: str
    conditions: tuple[Condition, ...]
    scores: Mapping[str, int]  # 0 or more points per method
    reason: str  # full catalog key: advisor.reason.<name>

    def matches(self, answers: Answers) -> bool:
        return _all_match(self.conditions, answers)


@dataclass(frozen=True)
class Constraint:
    """Rules a method out for the companies it matches: altogether (`exclude`) or as the main
    method (`not_primary`: it may still stand beside another)."""

    id: str
    conditions: tuple[Condition, ...]
    exclude: tuple[str, ...]
    not_primary: tuple[str, ...]
    reason: str  # full catalog key: advisor.constraint.<name>

    def matches(self, answers: Answers) -> bool:
        return _all_match(self.conditions, answers)


@dataclass(frozen=True)
class Tradeoff:
    """A named tension: these rules fired and pulled the two front-runners apart."""

    rules: tuple[str, ...]
    message: str  # full catalog key: advisor.tradeoff.<name>, with {pick} and {other}
    pick: tuple[str, ...] = ()  # the sentence reads right only when the pick is one of these (empty: any)
    other: tuple[str, ...] = ()  # …and the runner-up one of these


@dataclass(frozen=True)
class SwotItem:
    method: str
    quadrant: str
    key: str  # full catalog key: advisor.swot.<method>.<quadrant>.<item>
    conditions: tuple[Condition, ...] = ()

    def applies(self, answers: Answers) -> bool:
        return _all_match(self.conditions, answers)


@dataclass(frozen=True)
class RuleTable:
    rules: tuple[Rule, ...]
    source: str
    tradeoffs: tuple[Tradeoff, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    swot: tuple[SwotItem, ...] = ()
    hybrid_margin: int = 1
    tie_break: tuple[str, ...] = METHODS  # earlier wins a tie: the cheaper method to run


class RuleFileError(Exception):
    """A broken rule file: a deployer's problem at start-up, never shown to a Slack user."""


def default_rules_path() -> Path:
    return templates_dir() / "advisor" / "rules.toml"


def read_data_file(path: Path, what: str) -> dict:
    """A TOML data file an owner may edit; any problem reading it names the file."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuleFileError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleFileError(f"{path}: not valid TOML: {exc}") from exc


def load_rules(path: str | Path | None = None) -> RuleTable:
    """Read and check a rule file; every complaint names the file, the rule and the fix."""
    path = Path(path) if path is not None else default_rules_path()
    return _parse_table(read_data_file(path, "rule file"), str(path))


def _parse_table(data: dict, source: str) -> RuleTable:
    def bad(problem: str) -> RuleFileError:
        return RuleFileError(f"{source}: {problem}")

    sections = {"settings", "constraint", "rule", "tradeoff", "swot"}
    if unknown := set(data) - sections:
        raise bad(f"unknown section {sorted(unknown)[0]!r}; use [settings], [[constraint]], [[rule]], [[tradeoff]] and [[swot]]")
    if not isinstance(data.get("rule"), list) or not data["rule"]:
        raise bad("no rules: add at least one [[rule]] block")
    for name in ("constraint", "tradeoff", "swot"):
        if not isinstance(data.get(name, []), list):
            raise bad(f"wrong type for {name}: write each one as a [[{name}]] block")
    margin, tie_break = _parse_settings(data.get("settings", {}), bad)
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(data["rule"], start=1):
        rule = _parse_rule(raw, index, source)
        if rule.id in seen:
            raise bad(f'rule #{index} "{rule.id}": duplicate id (rule #{seen[rule.id]} already uses it)')
        seen[rule.id] = index
        rules.append(rule)
    constraints = tuple(_parse_constraint(raw, i, source) for i, raw in enumerate(data.get("constraint", []), start=1))
    if len({c.id for c in constraints}) != len(constraints):
        raise bad("two [[constraint]] blocks share an id")
    tradeoffs = tuple(_parse_tradeoff(raw, i, source, seen) for i, raw in enumerate(data.get("tradeoff", []), start=1))
    swot = tuple(_parse_swot(raw, i, source) for i, raw in enumerate(data.get("swot", []), start=1))
    return RuleTable(tuple(rules), source, tradeoffs, constraints, swot, margin, tie_break)


def _parse_settings(raw: object, bad: Callable[[str], RuleFileError]) -> tuple[int, tuple[str, ...]]:
    if not isinstance(raw, dict) or set(raw) - {"hybrid_margin", "tie_break"}:
        raise bad("[settings] takes hybrid_margin (a whole number) and tie_break (the four methods in order), nothing else")
    margin = raw.get("hybrid_margin", 1)
    if isinstance(margin, bool) or not isinstance(margin, int) or margin < 0:
        raise bad(f"wrong type for hybrid_margin: expected a whole number of points, 0 or more, got {margin!r}")
    order = raw.get("tie_break", list(METHODS))
    if not isinstance(order, list) or sorted(str(m).upper() for m in order) != sorted(METHODS):
        raise bad(f"tie_break must list each of {', '.join(METHODS)} once, got {order!r}")
    return margin, tuple(str(m).upper() for m in order)


def _labelled(kind: str, raw: object, index: int, source: str) -> Callable[[str], RuleFileError]:
    label = f"{kind} #{index}"
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"].strip():
        label = f'{kind} #{index} "{raw["id"]}"'
    return lambda problem: RuleFileError(f"{source}: {label}: {problem}")


def _parse_rule(raw: object, index: int, source: str) -> Rule:
    bad = _labelled("rule", raw, index, source)
    _check_keys(raw, ("id", "when", "scores", "reason"), "a rule has only id, when, scores and reason", bad)
    return Rule(_parse_id(raw["id"], bad), _parse_when(raw["when"], bad), _parse_scores(raw["scores"], bad),
                _parse_key(raw["reason"], "reason", bad))


def _parse_constraint(raw: object, index: int, source: str) -> Constraint:
    bad = _labelled("constraint", raw, index, source)
    if isinstance(raw, dict) and not ({"exclude", "not_primary"} & set(raw)):
        raise bad("a constraint needs exclude = [...] or not_primary = [...]")
    allowed = ("id", "when", "exclude", "not_primary", "reason")
    _check_keys(raw, allowed, "a constraint has id, when, exclude and/or not_primary, and reason", bad,
                required=("id", "when", "reason"))
    return Constraint(_parse_id(raw["id"], bad), _parse_when(raw["when"], bad), _parse_methods(raw.get("exclude", []), "exclude", bad),
                      _parse_methods(raw.get("not_primary", []), "not_primary", bad), _parse_key(raw["reason"], "constraint", bad))


def _parse_swot(raw: object, index: int, source: str) -> SwotItem:
    bad = _labelled("swot", raw, index, source)
    _check_keys(raw, ("method", "quadrant", "item", "when"), "a SWOT item has method, quadrant, item and (optionally) when", bad,
                required=("method", "quadrant", "item"))
    method = str(raw["method"]).upper()
    if method not in METHODS:
        raise bad(f"unknown method {raw['method']!r}; use {', '.join(METHODS)}")
    if raw["quadrant"] not in QUADRANTS:
        raise bad(f"unknown quadrant {raw['quadrant']!r}; use {', '.join(QUADRANTS)}")
    if not isinstance(raw["item"], str) or not _NAME.match(raw["item"]):
        raise bad(f"malformed item {raw['item']!r}: use lower-case letters, digits and _")
    key = f"advisor.swot.{method.lower()}.{raw['quadrant']}.{raw['item']}"
    return SwotItem(method, raw["quadrant"], key, _parse_when(raw.get("when", {}), bad))


def _check_keys(raw: object, allowed: tuple[str, ...], hint: str, bad, required: tuple[str, ...] | None = None) -> None:
    if not isinstance(raw, dict):
        raise bad("wrong type: each entry must be a [[...]] block")
    if unknown := set(raw) - set(allowed):
        raise bad(f"unknown key {sorted(unknown)[0]!r}; {hint}")
    for key in required or allowed:
        if key not in raw:
            raise bad(f"missing {key}" + (" (write when = {} for one that always applies)" if key == "when" else ""))


def _parse_id(raw: object, bad) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise bad(f"wrong type for id: expected a short name in quotes, got {raw!r}")
    return raw.strip()


def _parse_when(raw: object, bad) -> tuple[Condition, ...]:
    if not isinstance(raw, dict):
        raise bad(f"malformed condition: when must be a table like when = {{ business = \"service\" }}, got {raw!r}")
    return tuple(_parse_condition(name, value, bad) for name, value in raw.items())


def _parse_condition(name: str, value: object, bad: Callable[[str], RuleFileError]) -> Condition:
    if name not in ANSWER_FIELDS:
        raise bad(f"unknown answer field {name!r} in when; use one of {', '.join(ANSWER_FIELDS)}")
    if name in ENUMS:
        allowed = ENUMS[name]
        items = value if isinstance(value, list) else [value]
        if not items:
            raise bad(f"malformed condition for {name}: an empty list matches nothing")
        for item in items:
            if not isinstance(item, str):
                raise bad(f'wrong type for {name}: expected text like "{allowed[0]}" or a list of them, got {item!r}')
            if item not in allowed:
                raise bad(f"unknown value {item!r} for {name}; use one of {', '.join(allowed)}")
        return Condition(name, values=tuple(items))
    if name in FLAGS:
        if not isinstance(value, bool):
            raise bad(f"wrong type for {name}: expected true or false (no quotes), got {value!r}")
        return Condition(name, values=(value,))
    hint = f"write a range like {name} = {{ max = 49 }}, {{ min = 250 }} or {{ min = 50, max = 249 }}"
    if not isinstance(value, dict) or not value or set(value) - {"min", "max"}:
        raise bad(f"malformed condition for {name}: {hint}, got {value!r}")
    for bound, number in value.items():
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise bad(f"wrong type for {name} {bound}: expected a whole number of people, got {number!r}")
    low, high = value.get("min"), value.get("max")
    if low is not None and high is not None and low > high:
        raise bad(f"malformed condition for {name}: min {low} is above max {high}")
    return Condition(name, min=low, max=high)


def _parse_scores(raw: object, bad: Callable[[str], RuleFileError]) -> dict[str, int]:
    if not isinstance(raw, dict) or not raw:
        raise bad(f"wrong type for scores: expected a table like scores = {{ KPI = 2, OKR = 1 }}, got {raw!r}")
    scores: dict[str, int] = {}
    for name, points in raw.items():
        method = name.upper()
        if method not in METHODS or method in scores:
            problem = "unknown method" if method not in METHODS else "method given twice"
            raise bad(f"{problem} {name!r} in scores; use {', '.join(METHODS)}")
        if isinstance(points, bool) or not isinstance(points, int):
            raise bad(f"wrong type for the {method} score: expected a whole number like 2, got {points!r}")
        if points < 0:
            raise bad(f"negative score for {method}: a rule only adds points (0 or more); to rule a method out, write a [[constraint]]")
        scores[method] = points
    return scores


def _parse_methods(raw: object, key: str, bad) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(m, str) and m.upper() in METHODS for m in raw):
        raise bad(f"wrong type for {key}: expected a list of methods like [\"BSC\"], got {raw!r}")
    return tuple(m.upper() for m in raw)


def _parse_key(raw: object, area: str, bad: Callable[[str], RuleFileError]) -> str:
    if not isinstance(raw, str):
        raise bad(f"wrong type for {area}: expected a message name in quotes, got {raw!r}")
    name = raw.strip().removeprefix(f"advisor.{area}.")
    if not name:
        raise bad(f"missing {area}")
    if not _NAME.match(name):
        raise bad(f"malformed {area} {raw!r}: use lower-case letters, digits and _ (the text lives under [advisor.{area}])")
    return f"advisor.{area}.{name}"


def _parse_tradeoff(raw: object, index: int, source: str, rule_ids: Mapping[str, int]) -> Tradeoff:
    def bad(problem: str) -> RuleFileError:
        return RuleFileError(f"{source}: tradeoff #{index}: {problem}")

    if not isinstance(raw, dict) or not {"rules", "message"} <= set(raw) or set(raw) - {"rules", "message", "pick", "other"}:
        raise bad("malformed tradeoff: write rules = [\"rule_a\", \"rule_b\"], message = \"name\" and optionally pick = [...], other = [...]")
    names = raw["rules"]
    if not isinstance(names, list) or len(names) < 2 or not all(isinstance(n, str) for n in names):
        raise bad(f"wrong type for rules: expected a list of at least two rule ids, got {names!r}")
    if unknown := [n for n in names if n not in rule_ids]:
        raise bad(f"unknown rule id {unknown[0]!r} in rules")
    return Tradeoff(tuple(names), _parse_key(raw["message"], "tradeoff", bad), _parse_methods(raw.get("pick", []), "pick", bad),
                    _parse_methods(raw.get("other", []), "other", bad))
