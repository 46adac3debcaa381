"""`/kpi source K1 …`, `/okr source KR1.1 …` and `/perf source(s) …`: the words for data sources.

    /kpi source K1 csv https://…/export.csv column=Revenue [date=Date] [scale=100] [hourly] [at=08:00] [test]
    /kpi source K2 json https://api.example.com/leads path=$.data.total [header="Authorization: Bearer …"]
    /okr source KR1.1 sql postgresql://reader:…@db/warehouse query="select count(*) from leads where …"
    /perf sources · /perf source test 2 · /perf source off 2

Chinese: 数据源, 列=, 日期=, 路径=, 请求头=, 查询=, 倍数=, 时间=, 每小时, 每天, 测试, 关闭.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import time

from bot.domain import commands as c
from bot.domain.command_text import CommandText
from bot.domain.errors import UserError
from bot.domain.quantities import parse_quantity
from bot.domain.schedule import parse_clock
from bot.domain.sources import CSV, DAILY, DEFAULT_AT, HOURLY, JSON, SQL, SourceSpec
from bot.domain.words import SUBCOMMAND_ALIASES, normalize, parse_number, parse_ref

USAGE = "usage.source"
OPTIONS = ("column", "date", "path", "header", "query", "scale", "at")
SOURCE_KEYS = {
    "column": "column", "列": "column", "列名": "column", "字段": "column",
    "date": "date", "日期": "date", "日期列": "date",
    "path": "path", "路径": "path", "header": "header", "请求头": "header",
    "query": "query", "sql": "query", "查询": "query",
    "scale": "scale", "倍数": "scale", "比例": "scale",
    "at": "at", "time": "at", "时间": "at",
}
SCHEDULE_WORDS = {"daily": DAILY, "每天": DAILY, "每日": DAILY, "hourly": HOURLY, "每小时": HOURLY}
TEST_WORDS = {"test": "test", "测试": "test", "试运行": "test", "dry-run": "test"}
KIND_WORDS = {"csv": CSV, "json": JSON, "sql": SQL}
_SLACK_LINK = re.compile(r"^<([^|>]+)(?:\|[^>]*)?>$")


@dataclass(frozen=True)
class LinkSource:
    ref: c.Ref
    spec: SourceSpec
    test: bool = False  # read once and show, store nothing


@dataclass(frozen=True)
class ListSources:
    pass


@dataclass(frozen=True)
class TestSource:
    number: int


@dataclass(frozen=True)
class StopSource:
    number: int


SourceCommand = LinkSource | ListSources | TestSource | StopSource


def parse_link(kinds: tuple[str, ...]):
    """`/kpi source …` (kinds K) or `/okr source …` (kinds KR)."""

    def parse(text: str) -> c.Command:
        words = CommandText(text, USAGE, OPTIONS, flags=(SCHEDULE_WORDS, TEST_WORDS), aliases=SOURCE_KEYS)
        ref = parse_ref(words.pop_first(kinds[0] + "1"), USAGE, kinds)
        schedule = words.take_flag(SCHEDULE_WORDS) or DAILY
        test = words.take_flag(TEST_WORDS) is not None
        kind = KIND_WORDS.get(normalize(words.pop_first("csv | json | sql")))
        if kind is None:
            raise UserError("source.error.bad_kind", usage=USAGE)
        url = plain_url(words.pop_first("URL"))
        words.no_leftovers()
        return LinkSource(ref, _spec(kind, url, words, schedule), test)

    return parse


def plain_url(word: str) -> str:
    """A URL as typed, or as Slack wraps it in a slash command (`<https://…|label>`, `&amp;`)."""
    match = _SLACK_LINK.match(word.strip())
    return html.unescape(match[1] if match else word.strip())


def _spec(kind: str, url: str, words: CommandText, schedule: str) -> SourceSpec:
    options = words.options
    needed = {CSV: "column", JSON: "path", SQL: "query"}[kind]
    if needed not in options:
        raise UserError("error.missing_option", option=f"{needed}=", usage=USAGE)
    unrelated = {CSV: ("path", "header", "query"), JSON: ("column", "date", "query"), SQL: ("column", "date", "path", "header")}[kind]
    for name in unrelated:
        if name in options:
            raise UserError("source.error.option_not_for_kind", option=f"{name}=", kind=kind, usage=USAGE)
    if kind in (CSV, JSON) and not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
        raise UserError("source.error.bad_url", value=url[:80], usage=USAGE)
    if kind == SQL and not re.match(r"^[a-z][a-z0-9+]*://", url):
        raise UserError("source.error.bad_database_url", usage=USAGE)
    header, header_value = None, None
    if "header" in options:
        header, _, header_value = options["header"].partition(":")
        header, header_value = header.strip(), header_value.strip()
        if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", header) or not header_value:
            raise UserError("source.error.bad_header", usage=USAGE)
    scale = None
    if "scale" in options:
        scale = parse_quantity(options["scale"]).value
        if scale == 0:
            raise UserError("source.error.bad_scale", value=options["scale"], usage=USAGE)
    at: time = parse_clock(options["at"]) if "at" in options else DEFAULT_AT
    if len(url) > 2000 or len(options.get("query", "")) > 4000:
        raise UserError("source.error.too_long", usage=USAGE)
    return SourceSpec(kind, url, column=options.get("column"), date_column=options.get("date"), path=options.get("path"), header=header,
                      header_value=header_value, query=options.get("query"), scale=scale, schedule=schedule, at=at)


def parse_sources(text: str) -> c.Command:
    """`/perf sources`, `/perf source test 2`, `/perf source off 2`."""
    words = CommandText(text, USAGE)
    head = normalize(words.rest[0]) if words.rest else ""
    head = SUBCOMMAND_ALIASES.get(head, head)
    if head in ("", "list"):
        words.rest = words.rest[1:]
        words.no_leftovers()
        return ListSources()
    if head in ("test", "off") and len(words.rest) == 2:
        number = parse_number(words.rest[1])
        if number is None:
            raise UserError("error.bad_number", value=words.rest[1][:40], usage=USAGE)
        return TestSource(number) if head == "test" else StopSource(number)
    if head in ("help",):
        return c.Help("source")
    raise UserError("error.unexpected_words", words=" ".join(words.rest)[:60], usage=USAGE)
