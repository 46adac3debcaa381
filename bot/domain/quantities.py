"""Numbers as people type them in a marketing team: "6.5%", "1,200", "12k", "¥3万".

Values stay `Decimal` from parse to storage so 6.5% is 6.5 and never 6.4999; rounding
happens only when a number is shown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bot.domain.errors import UserError

_MULTIPLIERS = {"k": Decimal(1_000), "m": Decimal(1_000_000), "w": Decimal(10_000), "万": Decimal(10_000), "亿": Decimal(100_000_000)}
_CURRENCIES = {"$": "$", "¥": "¥", "￥": "¥", "€": "€", "£": "£"}
_NUMBER = re.compile(r"^(?P<sign>[-+]?)(?P<cur>[$¥€£]?)(?P<num>\d+(?:\.\d+)?|\.\d+)(?P<mult>[kmw万亿]?)(?P<pct>%?)$", re.IGNORECASE)
MAX_ABS = Decimal("1e15")


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str = ""  # "%", a currency sign, or "" for a plain count

    def __str__(self) -> str:
        return format_quantity(self.value, self.unit)


def parse_quantity(text: str) -> Quantity:
    """Parse one number token, or raise `UserError("error.not_a_number")`."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace("，", "")
    match = _NUMBER.match(cleaned)
    if not match:
        raise UserError("error.not_a_number", value=text)
    try:
        value = Decimal(match["num"])
    except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
        raise UserError("error.not_a_number", value=text) from None
    if match["mult"]:
        value *= _MULTIPLIERS[match["mult"].lower()]
    if match["sign"] == "-":
        value = -value
    if abs(value) >= MAX_ABS:
        raise UserError("error.number_too_large", value=text)
    unit = "%" if match["pct"] else _CURRENCIES.get(match["cur"], "")
    integral = value.to_integral_value()
    return Quantity(integral if value == integral else value.normalize(), unit)


def looks_like_number(text: str) -> bool:
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    return bool(_NUMBER.match(cleaned))


def format_decimal(value: Decimal, places: int = 2) -> str:
    """Show a number the short way: 12, 6.5, 1,200, 0.33 (at most `places` decimals)."""
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{rounded:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_quantity(value: Decimal | None, unit: str = "") -> str:
    if value is None:
        return "–"
    if unit == "%":
        return f"{format_decimal(value)}%"
    if unit:
        return f"{unit}{format_decimal(value)}"
    return format_decimal(value)


def format_percent(ratio: Decimal | None, places: int = 0) -> str:
    """A ratio (0.333) as a percentage ("33%")."""
    if ratio is None:
        return "–"
    return f"{format_decimal(ratio * 100, places)}%"
