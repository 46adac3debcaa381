"""Numbers as people type them in a marketing team: "6.5%", "1,200", "12k", "¥3万", "40h".

Values stay `Decimal` from parse to storage so 6.5% is 6.5 and never 6.4999; rounding
happens only when a number is shown. Every number that comes in, from any edge, passes
`bounded`: a sane magnitude and at most six decimals, so no value can break a view.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bot.domain.errors import UserError

_MULTIPLIERS = {"k": Decimal(1_000), "m": Decimal(1_000_000), "w": Decimal(10_000), "万": Decimal(10_000), "亿": Decimal(100_000_000)}
_CURRENCIES = {"$": "$", "¥": "¥", "€": "€", "£": "£"}
_SUFFIX_UNITS = {"%": "%", "h": "h", "hr": "h", "hrs": "h", "小时": "h", "元": "¥", "块": "¥"}
_NUMBER = re.compile(
    r"^(?P<sign>[-+]?)(?P<cur>[$¥€£]?)(?P<num>\d+(?:\.\d+)?|\.\d+)(?P<mult>[kmw万亿]?)(?P<suffix>%|hrs?|h|小时|元|块)?$", re.IGNORECASE,
)
MAX_ABS = Decimal("1e15")
MAX_DECIMALS = 6

# The units an item can be measured in: "" is a plain count.
UNITS = ("", "%", "$", "¥", "€", "£", "h")
CURRENCY_UNITS = ("$", "¥", "€", "£")


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str = ""  # "%", a currency sign, "h", or "" for a plain count (or a unit not given)

    def __str__(self) -> str:
        return format_quantity(self.value, self.unit)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().replace(",", "").replace("，", "").replace("−", "-").replace("￥", "¥")


def parse_quantity(text: str) -> Quantity:
    """Parse one number token, or raise a `UserError` that says what is wrong with it."""
    match = _NUMBER.match(_clean(text))
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
    suffix = (match["suffix"] or "").lower()
    unit = _SUFFIX_UNITS[suffix] if suffix else _CURRENCIES.get(match["cur"], "")
    if match["cur"] and suffix and unit != match["cur"]:
        raise UserError("error.not_a_number", value=text)
    return Quantity(bounded(value, text), unit)


def bounded(value: Decimal, shown: object = None) -> Decimal:
    """The one rule for every number that comes in (command, form, API, CSV, import): finite,
    below 10¹⁵ in size, at most six decimals. Returns it in its shortest form."""
    shown = value if shown is None else shown
    if not isinstance(value, Decimal) or not value.is_finite():
        raise UserError("error.not_a_number", value=shown)
    if abs(value) >= MAX_ABS:
        raise UserError("error.number_too_large", value=shown)
    if value != 0 and value.normalize().as_tuple().exponent < -MAX_DECIMALS:
        raise UserError("error.too_many_decimals", value=shown, places=MAX_DECIMALS)
    integral = value.to_integral_value()
    return integral if value == integral else value.normalize()


def looks_like_number(text: str) -> bool:
    return bool(_NUMBER.match(_clean(text)))


def format_decimal(value: Decimal, places: int = 2) -> str:
    """Show a number the short way: 12, 6.5, 1,200, 0.33 (at most `places` decimals).

    Never raises: a number too large to show exactly is shown in scientific form."""
    try:
        rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return f"{float(value):.3g}" if isinstance(value, Decimal) and value.is_finite() else "–"
    text = f"{rounded:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_quantity(value: Decimal | None, unit: str = "") -> str:
    if value is None:
        return "–"
    if unit == "%":
        return f"{format_decimal(value)}%"
    if unit == "h":
        return f"{format_decimal(value)}h"
    if unit:
        sign = "-" if value < 0 else ""
        return f"{sign}{unit}{format_decimal(abs(value))}"
    return format_decimal(value)


def format_percent(ratio: Decimal | None, places: int = 0) -> str:
    """A ratio (0.333) as a percentage ("33%")."""
    if ratio is None:
        return "–"
    return f"{format_decimal(ratio * 100, places)}%"
