"""The local console: the same commands as Slack, typed or piped, answered as plain text."""

from __future__ import annotations

from bot.domain.words import LANGUAGES as WORDS

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from platformdirs import user_data_dir

from bot.domain.advisor_input import REQUIRED, read_answer
from bot.domain.commands import Mention
from bot.domain.errors import UserError
from bot.domain.words import parse_mention
from bot.render.text import Renderer
from bot.services.context import Actor
from bot.services.advice import AdviceQuestions
from bot.services.digests import DigestReady
from bot.services.dispatch import run_command
from bot.services.runtime import Runtime

LANGUAGES = {flag: WORDS[flag] for flag in ("en", "zh", "zh-cn")}  # --lang, as a reader's locale
QUESTIONS = (("size", "size"), ("marketing", "marketing_size"), ("business", "business"), ("resources", "resources"),
             ("goal", "goal"), ("data", "data_maturity"), ("pay", "pay_linked"))  # (one-line key, answer field)
TRIES = 3


@dataclass(frozen=True)
class ConsoleUser:
    team: str
    name: str
    language: str  # "en" or "zh"

    def actor(self, speaker: Mention | None = None) -> Actor:
        """Console people are known by name (`@alice` is user "alice"); a Slack-style
        `<@U123|alice>` keeps its id, so scripts can mirror a real workspace."""
        who = speaker or Mention(self.name.lower(), self.name)
        return Actor(team_id=self.team, user_id=who.user_id, name=who.name or who.user_id,
                     locale=LANGUAGES.get(self.language.lower(), "en"), team_name=self.team)


def split_line(line: str) -> tuple[Mention | None, str, str] | None:
    """`@alice /checkin KR1.1 5` → (@alice, "/checkin", "KR1.1 5"). None for blanks and comments."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    speaker = None
    if text.startswith(("@", "<@")):
        head, _, text = text.partition(" ")
        speaker = parse_mention(head) or Mention(head[1:].lower(), head[1:])
        text = text.strip()
    command, _, rest = text.partition(" ")
    if not command.startswith("/"):
        command, rest = "/perf", text
    return speaker, command, rest.strip()


def save_chart(renderer: Renderer, ready: DigestReady, language: str, folder: Path) -> Path:
    """The console cannot show a picture: it writes the digest's chart and names the file."""
    from bot.render.message import digest_chart

    chart = digest_chart(renderer, ready, language)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"digest-{ready.team}-{chart.filename.removeprefix('digest-')}"
    path.write_bytes(chart.png)
    return path


class _Undecodable:
    def __init__(self, number: int) -> None:
        self.number = number


def _decoded(lines: Iterator[str | bytes], console: Console) -> Iterator[str]:
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                yield _Undecodable(number)
                continue
        yield line


def _language(user: ConsoleUser) -> str:
    return "zh-CN" if user.language.lower().startswith("zh") else "en"


class Console:
    def __init__(self, runtime: Runtime, user: ConsoleUser, renderer: Renderer | None = None, chart_dir: Path | None = None) -> None:
        self.chart_dir = chart_dir or Path(user_data_dir("perfbot", appauthor=False)) / "charts"
        self.runtime = runtime
        self.user = user
        self.renderer = renderer or Renderer(runtime.catalog)

    def execute(self, line: str, answers: Iterator[str] | None = None, out: TextIO | None = None) -> str | None:
        """Run one line; `answers` (the following input lines) serve the advisor's questions."""
        parts = split_line(line)
        if parts is None:
            return None
        speaker, command, text = parts
        actor = self.user.actor(speaker)
        outcome = run_command(self.runtime, actor, command, text, source="console")
        if isinstance(outcome.result, AdviceQuestions) and answers is not None:
            text = self.ask_questions(outcome.language, answers, out or sys.stdout)
            outcome = run_command(self.runtime, actor, "/advise", text, source="console")
        reply = self.renderer.outcome(outcome)
        if isinstance(outcome.result, DigestReady) and outcome.result.charts:
            path = save_chart(self.renderer, outcome.result, outcome.language, self.chart_dir)
            reply += "\n\n" + self.renderer.message("digest.chart_saved", outcome.language, path=path)
        return reply

    def ask_questions(self, language: str, answers: Iterator[str], out: TextIO) -> str:
        """The advisor's questionnaire as prompts; each answer is checked as it is given and
        asked again when it is wrong, so one typo loses nothing. The answers become the one-line form."""
        out.write(self.renderer.message("advice.question_intro", language) + "\n")
        given = []
        for key, field in QUESTIONS:
            for _ in range(TRIES):
                out.write(self.renderer.message(f"advice.question.{key}", language) + " ")
                out.flush()
                answer = next(answers, None)
                answer = answer.strip() if isinstance(answer, str) else ""
                out.write("\n" if not sys.stdin.isatty() else "")
                problem = self._check_answer(field, answer, language)
                if problem is None:
                    if answer:
                        given.append(f"{key}={answer.replace(' ', '')}")
                    break
                out.write(problem + "\n")
        return " ".join(given)

    def _check_answer(self, field: str, answer: str, language: str) -> str | None:
        """The sentence that says what is wrong with one answer, or None when it will do."""
        if not answer:
            return None if field not in REQUIRED else self.renderer.message(f"advisor.error.missing.{field}", language)
        try:
            read_answer(field, answer)
        except UserError as error:
            return self.renderer.message(error.key, language, **error.params)
        return None

    def run(self, lines: Iterable[str | bytes], out: TextIO = sys.stdout, echo: bool = False) -> None:
        """Answer each line in turn. Lines may come as bytes (piped input): one that is not UTF-8
        is answered with an error and skipped, and the lines after it still run."""
        stream = _decoded(iter(lines), self)
        for line in stream:
            if isinstance(line, _Undecodable):
                out.write(self.renderer.message("console.not_utf8", _language(self.user), line=line.number) + "\n\n")
                continue
            reply = self.execute(line, stream, out)
            if reply is None:
                continue
            if echo:
                out.write(f"> {line.strip()}\n")
            out.write(reply + "\n\n")
            out.flush()
