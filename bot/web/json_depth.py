"""How deep a JSON text nests, read before it is parsed: Python's parser recurses, and a body of
100,000 brackets would reach the recursion limit inside it."""

from __future__ import annotations

MAX_JSON_DEPTH = 64


def json_depth(text: str) -> int:
    """An upper bound on the nesting (brackets inside strings count too, which only errs on the
    safe side)."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif char in "]}":
            depth -= 1
    return deepest
