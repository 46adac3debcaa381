"""How goals cascade: an objective aligned to a parent objective or key result, and how
progress rolls up the tree. Pure: references in, numbers out.

The roll-up, as the README states it:

- A key result with objectives aligned to it takes its progress from them: the mean of their
  progress, weighted by each one's alignment weight. Its own check-ins are not counted (and
  none are taken: the work is checked in where it happens).
- An objective's progress is the weighted mean of its key results (by their weight) and of
  the objectives aligned directly to it (by their alignment weight).
- Every progress is between 0 and 100% before weighting, so a parent never shows more than its
  children could: the roll-up is bounded, and it rises when any child rises (monotone).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

COMPANY, TEAM, PERSON = "company", "team", "person"
LEVELS = (COMPANY, TEAM, PERSON)
MAX_DEPTH = 12  # a tree deeper than this is a mistake, not an organisation


def objective_ref_of(parent: str) -> str:
    """The objective a parent reference belongs to: "KR1.2" → "O1", "O1" → "O1"."""
    if parent.upper().startswith("KR"):
        return "O" + parent[2:].split(".", 1)[0]
    return parent


def ancestors(parents: Mapping[str, str], start: str) -> list[str]:
    """The objectives above `start` (an objective or key result ref), nearest first.
    `parents` maps an objective's ref to its parent's ref (objective or key result)."""
    found: list[str] = []
    current = objective_ref_of(start)
    while current not in found and len(found) <= MAX_DEPTH:
        found.append(current)
        parent = parents.get(current)
        if parent is None:
            break
        current = objective_ref_of(parent)
    return found


def alignment_problem(parents: Mapping[str, str], child: str, parent: str) -> str | None:
    """Why `child` cannot be aligned to `parent`, as a catalog key, or None when it can:
    never to itself or its own key results, never so that it ends up above itself (a cycle),
    never deeper than MAX_DEPTH levels."""
    above = ancestors(parents, parent)
    if child in above:
        return "error.align_cycle"
    if len(above) >= MAX_DEPTH:
        return "error.align_too_deep"
    return None


@dataclass(frozen=True)
class Contribution:
    """One child's part in a roll-up: its progress (0..1 after bounding) and relative weight."""

    progress: Decimal
    weight: Decimal
    change: Decimal | None = None  # progress gained since the child's previous check-ins


def rolled_up(contributions: Iterable[Contribution]) -> tuple[Decimal, Decimal | None]:
    """(progress, change): the weighted mean of the children's bounded progress, and of their
    change where any child has one (a child without one counts as unchanged)."""
    parts = list(contributions)
    total = sum((c.weight for c in parts), Decimal(0))
    if not parts or total <= 0:
        return Decimal(0), None
    progress = sum((_bounded(c.progress) * c.weight for c in parts), Decimal(0)) / total
    if all(c.change is None for c in parts):
        return progress, None
    before = sum((_bounded(c.progress - (c.change or 0)) * c.weight for c in parts), Decimal(0)) / total
    return progress, progress - before


def _bounded(value: Decimal) -> Decimal:
    return min(max(value, Decimal(0)), Decimal(1))
