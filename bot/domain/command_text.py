"""`CommandText`: one command's text split into options, flags and free text, as people type it.

- Options are `key=value` (or `key = value`, `key＝value`, and `键：值` / `键:值` for the Chinese
  keys) anywhere in the line. A free-text option (`title=`) takes every word up to the next
  option; any option takes a quoted value whole: `title="Grow the pipeline"`, `标题=“拓展渠道”`.
- Flags (`lower-is-better`, `越低越好`) are taken out wherever they stand, never left in a title.
- Everything else is free text, kept as typed; a title that is one quoted string loses its quotes.
"""

from __future__ import annotations

import re
from decimal import Decimal

from bot.domain import commands as c
from bot.domain.errors import UserError
from bot.domain.limits import checked_title
from bot.domain.periods import parse_period
from bot.domain.quantities import Quantity, parse_quantity
from bot.domain.words import KEY_ALIASES, PERSPECTIVES, UNIT_WORDS, normalize, parse_mention

FREE_TEXT_OPTIONS = ("title", "note")
_TOKEN = re.compile(r'(?:[^\s"“「]+|"[^"]*"|“[^”]*”|「[^」]*」|["“「])+')
_QUOTES = {'"': '"', "“": "”", "「": "」"}
_SEPARATORS = "=＝：:"


def unquote(text: str) -> str:
    """`"Grow the pipeline"` → `Grow the pipeline`; anything not wholly quoted stays as it is."""
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] == _QUOTES[text[0]]:
        return text[1:-1].strip()
    return text


def _split_option(token: str) -> tuple[str, str, str] | None:
    """(key, separator, value) when a token starts like an option, else None."""
    if token[:1] in ('<', '"', "“", "「") or token.lower().startswith("http"):
        return None
    for i, char in enumerate(token):
        if char in _QUOTES:
            return None
        if char in _SEPARATORS:
            key = token[:i]
            if char == ":" and (not key or key.isascii()):
                return None  # "Target: 20" is a title; "目标:20" is an option
            return (key, char, token[i + 1:]) if key or i == 0 else None
    return None


class CommandText:
    """The words of one command, split into options, flags and free text as they are read."""

    def __init__(self, text: str, usage: str, allowed: tuple[str, ...] = (), *, flags: tuple[dict[str, str], ...] = (),
                 strict: bool = True, aliases: dict[str, str] | None = None) -> None:
        """`allowed`: the option names this command takes. `flags`: the flag words to keep out
        of free text. `strict`: an unknown `key=value` is an error (else it is just text, as in a
        check-in's note). `aliases`: this command's own meaning of a key (周期 is a cycle in settings)."""
        self.usage = usage
        self.options: dict[str, str] = {}
        self.rest: list[str] = []
        self._allowed = allowed
        self._flag_words = {word for table in flags for word in table}
        self._aliases = {**KEY_ALIASES, **(aliases or {})}
        self._read(_TOKEN.findall(text), strict)

    # -- reading -------------------------------------------------------------------------------
    def _option_at(self, tokens: list[str], i: int, strict: bool) -> tuple[str, str, int] | None:
        """(canonical key, the value's first part, tokens used) when an option starts at token i."""
        token = tokens[i]
        split = _split_option(token)
        if split is None and i + 1 < len(tokens) and tokens[i + 1][:1] in _SEPARATORS and self._known(token):
            following = tokens[i + 1]
            split, used = (token, following[0], following[1:]), 2  # "目标 = 30", "目标 =30"
        else:
            used = 1
        if split is None:
            return None
        key, separator, value = split
        if not key:
            return None
        canonical = self._known(key)
        if canonical is None or canonical not in self._allowed:
            if strict and separator in "=＝" and used == 1:
                raise UserError("error.unknown_option", option=key, accepted=tuple(f"{a}=" for a in self._allowed) or ("—",), usage=self.usage)
            return None
        if not value and i + used < len(tokens):  # "目标= 30"
            value, used = tokens[i + used], used + 1
        return canonical, value, used

    def _known(self, key: str) -> str | None:
        return self._aliases.get(normalize(key))

    def _read(self, tokens: list[str], strict: bool) -> None:
        i = 0
        while i < len(tokens):
            found = self._option_at(tokens, i, strict)
            if found is None:
                self.rest.append(tokens[i])
                i += 1
                continue
            key, value, used = found
            i += used
            if key in self.options:
                raise UserError("error.duplicate_option", option=key, usage=self.usage)
            if key in FREE_TEXT_OPTIONS and not (value[:1] in _QUOTES and unquote(value) != value):
                words = [value] if value else []
                while i < len(tokens) and self._option_at(tokens, i, strict) is None:
                    (self.rest if self.is_flag(tokens[i]) else words).append(tokens[i])
                    i += 1
                value = " ".join(words)
            value = unquote(value)
            if not value.strip():
                raise UserError("error.empty_option", option=key, usage=self.usage)
            self.options[key] = value

    def is_flag(self, word: str) -> bool:
        return normalize(word) in self._flag_words

    # -- taking parts out ----------------------------------------------------------------------
    def take_flag(self, table: dict[str, str]) -> str | None:
        """The first word of `table` anywhere in the free text, taken out; two that disagree are refused."""
        found = [i for i, word in enumerate(self.rest) if normalize(word) in table]
        values = {table[normalize(self.rest[i])] for i in found}
        if len(values) > 1:
            raise UserError("error.conflicting_flags", words=" ".join(self.rest[i] for i in found), usage=self.usage)
        for i in reversed(found):
            del self.rest[i]
        return values.pop() if values else None

    def take_mention(self) -> c.Mention | None:
        for i, word in enumerate(self.rest):
            if (mention := parse_mention(word)) is not None:
                del self.rest[i]
                return mention
        return None

    def pop_first(self, what: str) -> str:
        if not self.rest:
            raise UserError("error.missing_argument", argument=what, usage=self.usage)
        return self.rest.pop(0)

    def text(self) -> str:
        """The free text left, as typed; a text that is one quoted string loses its quotes."""
        return unquote(" ".join(self.rest).strip())

    def title(self, required: bool = True) -> str | None:
        typed = self.text()
        if "title" in self.options and typed:
            raise UserError("error.title_twice", words=typed, usage=self.usage)
        title = self.options.get("title") or typed
        if not title and not required:
            return None
        return checked_title(title, usage=self.usage)

    def no_leftovers(self) -> None:
        if self.rest:
            raise UserError("error.unexpected_words", words=" ".join(self.rest), usage=self.usage)

    # -- typed options -------------------------------------------------------------------------
    def quantity(self, key: str, required: bool = False) -> Quantity | None:
        if key not in self.options:
            if required:
                raise UserError("error.missing_option", option=f"{key}=", usage=self.usage)
            return None
        return parse_quantity(self.options[key])

    def weight(self, percent: bool) -> Decimal | None:
        if (quantity := self.quantity("weight")) is None:
            return None
        limit = Decimal(100) if percent else Decimal(1000)
        if not 0 < quantity.value <= limit or (quantity.unit and quantity.unit != "%"):
            raise UserError("error.bad_weight", value=self.options["weight"], usage=self.usage)
        return quantity.value

    def owner(self) -> c.Mention | None:
        if "owner" not in self.options:
            return None
        mention = parse_mention(self.options["owner"])
        if mention is None:
            raise UserError("error.bad_mention", value=self.options["owner"], usage=self.usage)
        return mention

    def period(self):
        return parse_period(self.options["period"]) if "period" in self.options else None

    def perspective(self) -> str | None:
        return self.choice("perspective", PERSPECTIVES, "error.bad_perspective")

    def unit(self) -> str | None:
        return self.choice("unit", UNIT_WORDS, "error.bad_unit")

    def tags(self) -> c.Tags | None:
        """`metric=`, `channel=`, `segment=` (`指标=`, `渠道=`, `细分=`); `none` / `无` clears one."""
        found = {}
        for key in ("metric", "channel", "segment"):
            if key in self.options:
                value = self.options[key].strip()
                if len(value) > 40:
                    raise UserError("error.tag_too_long", option=f"{key}=", limit=40, usage=self.usage)
                found[key] = "" if normalize(value) in ("none", "无", "-") else value
        return c.Tags(**found) if found else None

    def choice(self, key: str, table: dict[str, str], error: str) -> str | None:
        if key not in self.options:
            return None
        value = normalize(self.options[key])
        if value not in table:
            raise UserError(error, value=self.options[key], usage=self.usage)
        return table[value]
