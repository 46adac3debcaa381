"""The objectives as a tree (company → team → person), for `/okr tree` and App Home."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.alignment import objective_ref_of
from bot.domain.views import ObjectiveView


@dataclass(frozen=True)
class TreeLine:
    """One objective in the tree: how deep, and which key result of its parent it is aligned to."""

    depth: int
    objective: ObjectiveView
    via: str | None = None  # "KR1.2" when aligned to a key result


def objective_tree(views: Sequence[ObjectiveView]) -> list[TreeLine]:
    """The objectives as a tree, roots first (those aligned to nothing shown here), each
    followed by the objectives aligned to it or to its key results."""
    by_ref = {v.ref: v for v in views}
    below: dict[str, list[ObjectiveView]] = defaultdict(list)
    for view in views:
        if view.parent and objective_ref_of(view.parent) in by_ref:
            below[objective_ref_of(view.parent)].append(view)
    lines: list[TreeLine] = []
    shown: set[str] = set()

    def walk(view: ObjectiveView, depth: int) -> None:
        if view.ref in shown:
            return
        shown.add(view.ref)
        via = view.parent if view.parent and view.parent.upper().startswith("KR") and depth else None
        lines.append(TreeLine(depth, view, via))
        for child in sorted(below.get(view.ref, ()), key=lambda v: (v.parent or "", int(v.ref[1:]))):
            walk(child, depth + 1)

    for view in views:
        if not (view.parent and objective_ref_of(view.parent) in by_ref):
            walk(view, 0)
    for view in views:  # anything left is in a cycle (never stored; defensive): shown flat
        walk(view, 0)
    return lines
