"""`/perf team …`, `/okr align` and `/okr tree`: the words for teams and for goals that cascade.

    /perf team                                   the teams
    /perf team add Growth lead=@maria [group=@growth-team]
    /perf team Growth                            its lead, members and user group
    /perf team Growth add @alice @bob            (remove @bob; lead=@x; group=@g; group=off; sync; name=New)
    /perf team remove Growth
    /okr align O4 O1 [weight=2]                  (O4 KR1.2; O4 off)
    /okr tree [team=Growth] [period=2026-Q4]

Chinese: 团队, 添加, 移除, 负责人=, 用户组=, 同步, 对齐, 目标树.
"""

from __future__ import annotations

import re

from bot.domain import commands as c
from bot.domain.command_text import CommandText, unquote
from bot.domain.errors import UserError
from bot.domain.limits import checked_team_name
from bot.domain.words import COMPANY_WORDS, SUBCOMMAND_ALIASES, normalize, parse_mention, parse_ref

TEAM_USAGE = "usage.team"
TEAM_KEYS = {"负责人": "lead", "name": "title", "名称": "title", "名字": "title"}  # a team's 负责人 is its lead
_SLACK_GROUP = re.compile(r"^<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>$")
OFF_WORDS = ("off", "none", "关闭", "取消", "无", "-")


def parse_group(word: str, usage: str = TEAM_USAGE) -> c.Group:
    """A user group as Slack escapes it in a slash command; a plain `@handle` cannot be looked up."""
    if match := _SLACK_GROUP.match(word.strip()):
        return c.Group(match[1], (match[2] or "").lstrip("@"))
    raise UserError("error.bad_group", value=word[:60], usage=usage)


def parse_team(text: str) -> c.Command:
    words = CommandText(text, TEAM_USAGE, ("lead", "group", "title"), aliases=TEAM_KEYS)
    head = _sub(words.rest[0]) if words.rest else ""
    if head in ("", "list") and len(words.rest) <= 1 and not words.options:
        return c.ListTeams()
    if head == "help":
        return c.Help("team")
    if head == "add":
        words.rest.pop(0)
        name = checked_team_name(words.options.get("title") or words.text(), usage=TEAM_USAGE)
        return c.AddTeam(name, _lead(words), _group(words))
    if head == "remove" and not words.options:
        words.rest.pop(0)
        return c.RemoveTeam(checked_team_name(words.text(), usage=TEAM_USAGE))
    name = checked_team_name(unquote(words.rest.pop(0)), usage=TEAM_USAGE) if words.rest else None
    if name is None:
        raise UserError("error.missing_team_name", usage=TEAM_USAGE)
    action = _sub(words.rest[0]) if words.rest else ""
    if action in ("add", "remove"):
        words.rest.pop(0)
        people = tuple(_mentions(words))
        if not people:
            raise UserError("error.missing_argument", argument="@name", usage=TEAM_USAGE)
        return c.ChangeTeam(name, add=people if action == "add" else (), remove=people if action == "remove" else (),
                            lead=_lead(words), group=_group(words))
    sync = action == "sync"
    if sync:
        words.rest.pop(0)
    words.no_leftovers()
    unlink = "group" in words.options and normalize(words.options["group"]) in OFF_WORDS
    rename = checked_team_name(words.options["title"], usage=TEAM_USAGE) if "title" in words.options else None
    change = c.ChangeTeam(name, lead=_lead(words), group=None if unlink else _group(words), unlink_group=unlink, rename=rename, sync=sync)
    if change == c.ChangeTeam(name):
        return c.ShowTeam(name)
    return change


def _sub(word: str) -> str:
    folded = normalize(word)
    return SUBCOMMAND_ALIASES.get(folded, folded)


def _mentions(words: CommandText):
    for word in list(words.rest):
        mention = parse_mention(word)
        if mention is None:
            raise UserError("error.bad_mention", value=word[:60], usage=TEAM_USAGE)
        words.rest.remove(word)
        yield mention


def _lead(words: CommandText) -> c.Mention | None:
    if "lead" not in words.options:
        return None
    mention = parse_mention(words.options["lead"])
    if mention is None:
        raise UserError("error.bad_mention", value=words.options["lead"][:60], usage=TEAM_USAGE)
    return mention


def _group(words: CommandText) -> c.Group | None:
    return parse_group(words.options["group"]) if "group" in words.options else None


def parse_team_option(words: CommandText) -> str | None:
    """`team=Growth`; `team=company` (公司, none) means company level: ""."""
    if "team" not in words.options:
        return None
    value = words.options["team"]
    if normalize(value) in COMPANY_WORDS:
        return ""
    return checked_team_name(value, usage=words.usage)


ALIGN_USAGE = "usage.okr.align"


def parse_align(text: str) -> c.Command:
    words = CommandText(text, ALIGN_USAGE, ("weight",))
    child = parse_ref(words.pop_first("O4"), ALIGN_USAGE, ("O",))
    target = words.pop_first("O1")
    words.no_leftovers()
    if normalize(target) in OFF_WORDS:
        if "weight" in words.options:
            raise UserError("error.unexpected_words", words=f"weight={words.options['weight']}", usage=ALIGN_USAGE)
        return c.AlignObjective(child.number, None)
    parent = parse_ref(target, ALIGN_USAGE, ("O", "KR"))
    return c.AlignObjective(child.number, parent, words.weight(percent=False))


def parse_tree(text: str) -> c.Command:
    words = CommandText(text, "usage.okr.tree", ("team", "period"))
    words.no_leftovers()
    return c.ShowTree(words.period(), parse_team_option(words) or None)
