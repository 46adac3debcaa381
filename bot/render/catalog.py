"""Message catalogs: every sentence a user reads, in English and Simplified Chinese.

Catalogs are TOML files under `templates/i18n/<language>/`, one per area, so an owner can
read and reword them. Nested tables flatten to dotted keys; `{name}` marks a parameter.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable
from pathlib import Path

from bot.domain.words import READER_LANGUAGES as LANGUAGES
FALLBACK = "en"


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


class Catalog:
    def __init__(self, messages: dict[str, dict[str, str]]) -> None:
        self.messages = messages

    @classmethod
    def load(cls, folder: Path) -> Catalog:
        messages: dict[str, dict[str, str]] = {}
        for language in LANGUAGES:
            merged: dict[str, str] = {}
            for path in sorted((folder / language).glob("*.toml")):
                with path.open("rb") as handle:
                    merged.update(_flatten(tomllib.load(handle)))
            messages[language] = merged
        return cls(messages)

    def has(self, key: str) -> bool:
        return key in self.messages[FALLBACK]

    def text(self, language: str, key: str, escape: Callable[[str], str] = str, **params: object) -> str:
        """The sentence for `key`, its parameters passed through `escape` (mrkdwn escaping)."""
        table = self.messages.get(language) or self.messages[FALLBACK]
        template = table.get(key) or self.messages[FALLBACK].get(key)
        if template is None:
            return key
        values = {name: escape(str(params.get(name, ""))) for name in placeholders(template)}
        return template.format_map(values)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
