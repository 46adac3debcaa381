"""The local console: the same commands as Slack, typed or piped, answered as plain text."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from bot.domain.parsing import parse_mention
from bot.render.text import Renderer
from bot.services.context import Actor
from bot.services.dispatch import run_command
from bot.services.runtime import Runtime

LANGUAGES = {"en": "en-US", "zh": "zh-CN", "zh-cn": "zh-CN"}


@dataclass(frozen=True)
class ConsoleUser:
    team: str
    name: str
    language: str  # "en" or "zh"

    def actor(self, name: str | None = None) -> Actor:
        who = name or self.name
        return Actor(team_id=self.team, user_id=who.lower(), name=who, locale=LANGUAGES.get(self.language.lower(), "en-US"), team_name=self.team)


def split_line(line: str) -> tuple[str | None, str, str] | None:
    """`@alice /checkin KR1.1 5` → ("alice", "/checkin", "KR1.1 5"). None for blanks and comments."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    speaker = None
    if text.startswith("@"):
        head, _, text = text.partition(" ")
        mention = parse_mention(head)
        speaker = mention.name if mention else head[1:]
        text = text.strip()
    command, _, rest = text.partition(" ")
    if not command.startswith("/"):
        command, rest = "/perf", text
    return speaker, command, rest.strip()


class Console:
    def __init__(self, runtime: Runtime, user: ConsoleUser, renderer: Renderer | None = None) -> None:
        self.runtime = runtime
        self.user = user
        self.renderer = renderer or Renderer(runtime.catalog)

    def execute(self, line: str) -> str | None:
        parts = split_line(line)
        if parts is None:
            return None
        speaker, command, text = parts
        outcome = run_command(self.runtime, self.user.actor(speaker), command, text, source="console")
        return self.renderer.outcome(outcome)

    def run(self, lines: Iterable[str], out: TextIO = sys.stdout, echo: bool = False) -> None:
        for line in lines:
            reply = self.execute(line)
            if reply is None:
                continue
            if echo:
                out.write(f"> {line.strip()}\n")
            out.write(reply + "\n\n")
            out.flush()
