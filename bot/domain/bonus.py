"""Bonus tiers an owner sets when results feed pay: a weighted score at or above a floor earns a
share of the bonus (`/perf settings bonus=100%:100%,80%:50%`), shown in the period-end summary."""

from __future__ import annotations

from decimal import Decimal

from bot.domain.errors import UserError
from bot.domain.quantities import parse_quantity

MAX_TIERS = 6


def parse_bonus_tiers(text: str | None) -> tuple[tuple[Decimal, Decimal], ...]:
    """"100%:100%,80%:50%" → ((100, 100), (80, 50)), highest floor first; empty or "off": none."""
    if not text or text.strip().lower() in ("off", "none", "关闭", "无"):
        return ()
    tiers = []
    for part in text.replace("，", ",").replace("：", ":").split(","):
        floor, sep, share = part.partition(":")
        if not sep:
            raise UserError("error.bad_bonus", value=text[:60])
        floor_q, share_q = parse_quantity(floor), parse_quantity(share)
        if any(q.unit not in ("", "%") for q in (floor_q, share_q)) or not 0 <= share_q.value <= 1000 or not 0 <= floor_q.value <= 1000:
            raise UserError("error.bad_bonus", value=text[:60])
        tiers.append((floor_q.value, share_q.value))
    if not tiers or len(tiers) > MAX_TIERS or len({f for f, _ in tiers}) != len(tiers):
        raise UserError("error.bad_bonus", value=text[:60])
    return tuple(sorted(tiers, reverse=True))


def format_bonus_tiers(tiers: tuple[tuple[Decimal, Decimal], ...]) -> str:
    return ",".join(f"{floor.normalize():f}:{share.normalize():f}" for floor, share in tiers)
