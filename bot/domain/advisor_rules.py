"""The advisor's rule table: read from TOML and checked, so a mistake in it is refused at
start-up with the file, the rule and the problem named, never half-applied."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.domain.advisor_input import ANSWER_FIELDS, ENUMS, FLAGS, NUMBERS, Answers
from bot.resources import templates_dir

METHODS = ("KPI", "OKR", "BSC", "MBO")  # also the tie-break order: simplest to start first
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


@dataclass(frozen=True)
class Rule:
    id: str
    conditions: tuple[Condition, ...]
    scores: Mapping[str, int]
    reason: str  # full catalog key: advisor.reason.<name>

    def matches(self, answers: Answers) -> bool:
        return all(c.matches(answers) for c in self.conditions)


@dataclass(frozen=True)
class Tradeoff:
    """A named tension: these rules fired and pulled the two front-runners apart."""

    rules: tuple[str, ...]
    message: str  # full catalog key: advisor.tradeoff.<name>


@dataclass(frozen=True)
class RuleTable:
    rules: tuple[Rule, ...]
    source: str
    tradeoffs: tuple[Tradeoff, ...] = ()


class RuleFileError(Exception):
    """A broken rule file: a deployer's problem at start-up, never shown to a Slack user."""


def default_rules_path() -> Path:
    return templates_dir() / "advisor" / "rules.toml"


def load_rules(path: str | Path | None = None) -> RuleTable:
    """Read and check a rule file; every complaint names the file, the rule and the fix."""
    path = Path(path) if path is not None else default_rules_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuleFileError(f"{path}: cannot read the rule file: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleFileError(f"{path}: not valid TOML: {exc}") from exc
    return _parse_table(data, str(path))


def _parse_table(data: dict, source: str) -> RuleTable:
    def bad(problem: str) -> RuleFileError:
        return RuleFileError(f"{source}: {problem}")

    if unknown := set(data) - {"rule", "tradeoff"}:
        raise bad(f"unknown section {sorted(unknown)[0]!r}; only [[rule]] and [[tradeoff]] blocks are allowed")
    if not isinstance(data.get("rule"), list) or not data["rule"]:
        raise bad("no rules: add at least one [[rule]] block")
    if not isinstance(data.get("tradeoff", []), list):
        raise bad("wrong type for tradeoff: write each one as a [[tradeoff]] block")
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(data["rule"], start=1):
        rule = _parse_rule(raw, index, source)
        if rule.id in seen:
            raise bad(f'rule #{index} "{rule.id}": duplicate id (rule #{seen[rule.id]} already uses it)')
        seen[rule.id] = index
        rules.append(rule)
    tradeoffs = tuple(_parse_tradeoff(raw, i, source, seen) for i, raw in enumerate(data.get("tradeoff", []), start=1))
    return RuleTable(tuple(rules), source, tradeoffs)


def _parse_rule(raw: object, index: int, source: str) -> Rule:
    label = f"rule #{index}"
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"].strip():
        label = f'rule #{index} "{raw["id"]}"'

    def bad(problem: str) -> RuleFileError:
        return RuleFileError(f"{source}: {label}: {problem}")

    if not isinstance(raw, dict):
        raise bad("wrong type: each rule must be a [[rule]] block")
    if unknown := set(raw) - {"id", "when", "scores", "reason"}:
        raise bad(f"unknown key {sorted(unknown)[0]!r}; a rule has only id, when, scores and reason")
    for key in ("id", "when", "scores", "reason"):
        if key not in raw:
            raise bad(f"missing {key}" + (" (write when = {} for a rule that always applies)" if key == "when" else ""))
    if not isinstance(raw["id"], str) or not raw["id"].strip():
        raise bad(f"wrong type for id: expected a short name in quotes, got {raw['id']!r}")
    if not isinstance(raw["when"], dict):
        raise bad(f"malformed condition: when must be a table like when = {{ business = \"service\" }}, got {raw['when']!r}")
    conditions = tuple(_parse_condition(name, value, bad) for name, value in raw["when"].items())
    return Rule(raw["id"].strip(), conditions, _parse_scores(raw["scores"], bad), _parse_key(raw["reason"], "reason", bad))


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
    hint = f"write a range like {name} = {{ max = 50 }}, {{ min = 200 }} or {{ min = 51, max = 199 }}"
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
        raise bad(f"wrong type for scores: expected a table like scores = {{ KPI = 2, BSC = -1 }}, got {raw!r}")
    scores: dict[str, int] = {}
    for name, points in raw.items():
        method = name.upper()
        if method not in METHODS or method in scores:
            problem = "unknown method" if method not in METHODS else "method given twice"
            raise bad(f"{problem} {name!r} in scores; use {', '.join(METHODS)}")
        if isinstance(points, bool) or not isinstance(points, int):
            raise bad(f"wrong type for the {method} score: expected a whole number like 2 or -1, got {points!r}")
        scores[method] = points
    return scores


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

    if not isinstance(raw, dict) or set(raw) != {"rules", "message"}:
        raise bad("malformed tradeoff: write rules = [\"rule_a\", \"rule_b\"] and message = \"name\", nothing else")
    names = raw["rules"]
    if not isinstance(names, list) or len(names) < 2 or not all(isinstance(n, str) for n in names):
        raise bad(f"wrong type for rules: expected a list of at least two rule ids, got {names!r}")
    if unknown := [n for n in names if n not in rule_ids]:
        raise bad(f"unknown rule id {unknown[0]!r} in rules")
    return Tradeoff(tuple(names), _parse_key(raw["message"], "tradeoff", bad))


# --- the engine -----------------------------------------------------------------------
