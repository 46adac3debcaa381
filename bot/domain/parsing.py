"""The command language shared by Slack and the console: one parser, one set of replies.

`/perf` is the umbrella; `/okr`, `/kpi`, `/checkin` and `/scorecard` are its shortcuts.
Options are `key=value` anywhere in the line (Chinese keys too: `目标=12`, `目标：12`); the
words that are neither options nor flags form the title or note, kept as typed
(`bot.domain.command_text` says exactly how a line is read).
"""

from __future__ import annotations

from collections.abc import Callable
from difflib import get_close_matches
from datetime import date
from decimal import Decimal

from bot.domain import commands as c
from bot.domain.advisor_input import parse_answers
from bot.domain.bonus import format_bonus_tiers, parse_bonus_tiers
from bot.domain.command_text import CommandText
from bot.domain.errors import UserError
from bot.domain.limits import checked_note
from bot.domain.periods import CYCLES
from bot.domain.quantities import Quantity, parse_quantity
from bot.domain.schedule import parse_clock, parse_weekday
from bot.domain.source_commands import parse_link, parse_sources
from bot.domain.team_commands import parse_align, parse_team, parse_team_option, parse_tree
from bot.domain.token_commands import parse_token
from bot.domain.words import (
    CONFIDENCE_LIKE, CONFIDENCE_WORDS, CONFIRM_FLAGS, CYCLE_WORDS, DIRECTION_FLAGS, DONE_WORDS, LANGUAGES, MEASURE_WORDS, OKR_STYLES,
    LEVEL_WORDS, ROLES, SUBCOMMAND_ALIASES, normalize, parse_channel, parse_number, parse_ref,
)

SHORTCUTS = ("okr", "kpi", "checkin", "scorecard", "advise", "digest")
ON_OFF = {"on": True, "off": False, "yes": True, "no": False, "开": True, "关": False, "开启": True, "关闭": False}
ME = ("me", "我", "myself")
def parse_command(command: str, text: str) -> c.Command:
    """Parse a slash command (`/okr`, `/perf`...) and its text into a `Command`."""
    name = normalize(command).lstrip("/")
    if name == "perf":
        head, _, text = text.strip().partition(" ")
        if not head:
            return c.Help()
        name = SUBCOMMAND_ALIASES.get(normalize(head), normalize(head))
        if name not in SHORTCUTS and name not in _PERF_ONLY:
            raise _unknown("error.unknown_command", f"/perf {head}", name, (*SHORTCUTS, *_PERF_ONLY), prefix="/perf ")
    elif name not in SHORTCUTS:
        raise _unknown("error.unknown_command", command, name, (*SHORTCUTS, "perf"), prefix="/")
    if name in _PERF_ONLY:
        return _PERF_ONLY[name](text)
    return _GROUPS[name](text)


def _subcommand(group: str, text: str, table: dict[str, Callable[[str], c.Command]]) -> c.Command:
    head, _, rest = text.strip().partition(" ")
    sub = SUBCOMMAND_ALIASES.get(normalize(head), normalize(head))
    if sub not in table:
        if not head:
            return c.Help(group)
        raise _unknown("error.unknown_subcommand", f"/{group}", sub, table, prefix=f"/{group} ", subcommand=head, usage=f"usage.{group}")
    return table[sub](rest)


def _unknown(key: str, command: str, typed: str, known, *, prefix: str, **params: object) -> UserError:
    """An unknown command or subcommand, with the nearest known one when there is one (`/chekin`)."""
    near = get_close_matches(typed, list(known), n=1, cutoff=0.6)
    if near:
        return UserError(f"{key}_near", command=command, suggestion=f"{prefix}{near[0]}", **params)
    return UserError(key, command=command, **params)


def _okr_add(text: str) -> c.Command:
    words = CommandText(text, "usage.okr.add", ("period", "owner", "title", "team", "level"))
    placement = _placement(words)
    return c.AddObjective(words.title(), words.period(), words.owner(), placement)


def _placement(words: CommandText) -> c.Placement:
    """`team=Growth` and `level=personal` (层级=个人): where an item belongs. An option, not a
    flag: "personal" is a word titles use."""
    level = words.choice("level", LEVEL_WORDS, "error.bad_level")
    team = parse_team_option(words)
    if level == "company" and team:
        raise UserError("error.conflicting_flags", words=f"level={words.options['level']} team={team}", usage=words.usage)
    if level == "company":
        team = ""
    return c.Placement(team, level)


def _okr_kr(text: str) -> c.Command:
    allowed = ("target", "start", "weight", "owner", "title", "type", "unit", *TAG_OPTIONS)
    words = CommandText(text, "usage.okr.kr", allowed, flags=(DIRECTION_FLAGS,))
    ref_word = words.pop_first("O1")
    ref = parse_ref(ref_word if ref_word[:1].upper() == "O" else f"O{ref_word}", words.usage, ("O",))
    direction = words.take_flag(DIRECTION_FLAGS)
    measure = _measure(words)
    target = words.quantity("target", required=measure != "milestone")
    start = words.quantity("start")
    if start is not None and target is not None and start.value == target.value:
        raise UserError("error.target_equals_start", value=str(target), usage=words.usage)
    return c.AddKeyResult(ref.number, words.title(), target, start, words.weight(percent=False), words.owner(),
                          measure, direction, words.unit(), words.tags())


TAG_OPTIONS = ("metric", "channel", "segment")


def _measure(words: CommandText) -> str | None:
    return words.choice("type", MEASURE_WORDS, "error.bad_measure")


def _okr_list(text: str) -> c.Command:
    words = CommandText(text, "usage.okr.list", ("period", "owner", "team"), flags=(CONFIDENCE_WORDS,))
    owner = words.owner() or words.take_mention()
    status = words.take_flag(CONFIDENCE_WORDS)
    words.no_leftovers()
    return c.ListObjectives(owner, status, words.period(), parse_team_option(words) or None)


def _single_ref(kinds: tuple[str, ...], usage: str, build) -> Callable[[str], c.Command]:
    def parse(text: str) -> c.Command:
        words = CommandText(text, usage)
        ref = parse_ref(words.pop_first(kinds[0] + "1"), usage, kinds)
        words.no_leftovers()
        return build(ref)

    return parse


def _archive(text: str) -> c.Command:
    words = CommandText(text, "usage.okr.archive", flags=(CONFIRM_FLAGS,))
    ref = parse_ref(words.pop_first("O1"), words.usage, ("O", "KR"))
    confirmed = words.take_flag(CONFIRM_FLAGS) is not None
    words.no_leftovers()
    return c.ArchiveItem(ref, confirmed)


def _edit(kinds: tuple[str, ...], usage: str) -> Callable[[str], c.Command]:
    def parse(text: str) -> c.Command:
        allowed = ("title", "target", "start", "weight", "owner", "period", "perspective", "type", "unit", "team", "level", *TAG_OPTIONS)
        words = CommandText(text, usage, allowed, flags=(DIRECTION_FLAGS,))
        ref = parse_ref(words.pop_first(kinds[0] + "1"), usage, kinds)
        direction = words.take_flag(DIRECTION_FLAGS)
        placement = _placement(words)
        if placement.given() and ref.kind == "KR":
            raise UserError("error.option_not_for", option="team=", ref=str(ref))
        edit = c.EditItem(
            ref, words.title(required=False), words.quantity("target"), words.quantity("start"), words.weight(percent=ref.kind == "K"),
            words.owner(), direction, words.perspective(), words.period(), _measure(words), words.unit(), words.tags(), placement,
        )
        if all(value is None for value in vars(edit).values() if value is not ref and value is not placement) and not placement.given():
            raise UserError("error.nothing_to_change", usage=usage)
        return edit

    return parse


def _kpi_add(text: str) -> c.Command:
    allowed = ("target", "weight", "perspective", "owner", "period", "title", "type", "start", "unit", "team", "level", *TAG_OPTIONS)
    words = CommandText(text, "usage.kpi.add", allowed, flags=(DIRECTION_FLAGS,))
    direction = words.take_flag(DIRECTION_FLAGS)
    placement = _placement(words)
    measure = _measure(words)
    target = words.quantity("target", required=measure != "milestone")
    weight = words.weight(percent=True)
    if weight is None:
        raise UserError("error.missing_option", option="weight=", usage=words.usage)
    return c.AddKpi(words.title(), target, weight, direction, words.perspective(), words.owner(), words.period(),
                    measure, words.quantity("start"), words.unit(), words.tags(), placement)


def _kpi_list(text: str) -> c.Command:
    words = CommandText(text, "usage.kpi.list", ("period", "owner", "team"))
    owner = words.owner() or words.take_mention()
    words.no_leftovers()
    return c.ListKpis(owner, words.period(), parse_team_option(words) or None)


def _checkin(text: str) -> c.Command:
    words = CommandText(text, "usage.checkin", ("note",), strict=False)
    if not words.rest:
        return c.Help("checkin")
    ref = parse_ref(words.pop_first("KR1.1"), words.usage, ("KR", "K"))
    if not words.rest:
        raise UserError("error.missing_value", usage=words.usage)
    value_word = words.pop_first("value")
    done = DONE_WORDS.get(normalize(value_word))
    value = Quantity(Decimal(done)) if done is not None else parse_quantity(value_word)
    confidence = CONFIDENCE_WORDS.get(normalize(words.rest[0])) if words.rest else None
    if confidence:
        words.rest.pop(0)
    elif len(words.rest) == 1 and _confidence_like(words.rest[0]):
        raise UserError("error.unknown_confidence", word=words.rest[0], ref=str(ref), value=value_word, usage=words.usage)
    typed = words.text()
    if typed and "note" in words.options:
        raise UserError("error.unexpected_words", words=typed, usage=words.usage)
    note = checked_note(words.options.get("note") or typed, usage=words.usage)
    return c.CheckIn(ref, value, confidence, note)


def _confidence_like(word: str) -> bool:
    """"risky", "ontrak", "风险大": a slip for a confidence word, asked about rather than kept as the note."""
    folded = normalize(word).strip(",.;:!?，。；：！？")
    if folded in CONFIDENCE_WORDS:
        return False
    if folded.isascii():
        return any(stem in folded for stem in CONFIDENCE_LIKE) or bool(get_close_matches(folded, CONFIDENCE_WORDS, n=1, cutoff=0.75))
    return len(folded) <= 4 and any(stem in folded for stem in CONFIDENCE_LIKE)  # "风险大", not a sentence that mentions risk


def _advise(text: str) -> c.Command:
    head = normalize(text.split()[0]) if text.split() else ""
    head = SUBCOMMAND_ALIASES.get(head, head)
    if not head:
        return c.AdviceQuestionnaire()
    if head in ("apply", "preview", "history", "help"):
        words = CommandText(text.strip()[len(text.split()[0]):], "usage.advise")
        if head in ("apply", "preview"):
            preview = head == "preview" or words.take_flag(PREVIEW_WORDS) is not None
            number = words.rest.pop(0) if words.rest else None
            words.no_leftovers()
            if number is not None and parse_number(number) is None:
                raise UserError("error.bad_number", value=number[:40], usage="usage.advise")
            return c.ApplyAdvice(parse_number(number) if number else None, preview=preview)
        words.no_leftovers()
        return c.AdviceHistory() if head == "history" else c.Help("advise")
    words = text.split()
    show_scores = any(normalize(w) in SCORE_WORDS for w in words)
    return c.AskAdvice(parse_answers(" ".join(w for w in words if normalize(w) not in SCORE_WORDS)), show_scores)


PREVIEW_WORDS = {"preview": "preview", "预览": "preview", "dry-run": "preview"}
SCORE_WORDS = ("scores", "score", "details", "得分", "分数", "详情")


def _digest(text: str) -> c.Command:
    words = CommandText(text, "usage.digest", ("team",))
    team = parse_team_option(words) or None
    head = SUBCOMMAND_ALIASES.get(normalize(words.rest[0]), normalize(words.rest[0])) if words.rest else "help"
    words.rest = words.rest[1:]
    if head == "weekly":
        if len(words.rest) != 3:
            raise UserError("error.digest_weekly", usage=words.usage)
        target_word, day, clock = words.rest
        target = "me" if normalize(target_word) in ME else parse_channel(target_word)
        if target is None:
            raise UserError("error.bad_digest_target", value=target_word, usage=words.usage)
        return c.SubscribeDigest(target, parse_weekday(day), parse_clock(clock), team)
    if head == "off":
        number = parse_number(words.rest[0]) if len(words.rest) == 1 else None
        if number is None:
            raise UserError("error.digest_off", usage=words.usage)
        return c.StopDigest(number)
    simple = {"list": c.ListDigests, "now": c.DigestNow, "help": lambda: c.Help("digest")}
    if head not in simple:
        raise UserError("error.unknown_subcommand", command="/digest", subcommand=head, usage=words.usage)
    words.no_leftovers()
    if head == "now":
        return c.DigestNow(team)
    if team is not None:
        raise UserError("error.unexpected_words", words=f"team={team}", usage=words.usage)
    return simple[head]()


def _away(text: str) -> c.Command:
    words = CommandText(text, "usage.away")
    rest = [normalize(w) for w in words.rest]
    if rest in (["off"], ["back"], ["回来"], ["结束"]):
        return c.SetAway(None)
    if rest and rest[0] in ("until", "至", "到"):
        rest = rest[1:]
    if len(rest) != 1:
        raise UserError("error.bad_away", usage=words.usage)
    try:
        return c.SetAway(date.fromisoformat(rest[0]))
    except ValueError:
        raise UserError("error.bad_date", value=words.rest[-1], usage=words.usage) from None


def _scorecard(text: str) -> c.Command:
    words = CommandText(text, "usage.scorecard", ("period", "owner", "team"))
    owner = words.owner() or words.take_mention()
    words.no_leftovers()
    return c.ShowScorecard(owner, words.period(), parse_team_option(words) or None)


def _role(text: str) -> c.Command:
    words = CommandText(text, "usage.role")
    member = words.take_mention()
    role = words.take_flag(ROLES)
    if member is None or role is None:
        raise UserError("error.bad_role", usage=words.usage)
    words.no_leftovers()
    return c.SetRole(member, role)


HELP_TOPICS = {"weekly": "digest", "kr": "okr", "sources": "source", "connector": "source", "connectors": "source", "align": "team", "tree": "team", "teams": "team", "alignment": "team", "type": "measures", "measure": "measures", "unit": "measures", "units": "measures",
               "类型": "measures", "衡量方式": "measures", "单位": "measures", "apply": "advise", "history": "advise"}


def _help(text: str) -> c.Command:
    topic = normalize(text).lstrip("/") or None
    if topic is None:
        return c.Help(None)
    topic = SUBCOMMAND_ALIASES.get(topic, topic)
    return c.Help(HELP_TOPICS.get(topic, topic))


def _settings(text: str) -> c.Command:
    allowed = ("cycle", "cap", "language", "updates", "timezone", "reminders", "reminder_days", "weekends", "charts", "okrs", "bonus")
    words = CommandText(text, "usage.settings", allowed, aliases={"周期": "cycle", "period": "cycle"})
    words.no_leftovers()
    changes: dict[str, object] = {}
    for key, raw in words.options.items():
        value = normalize(raw)
        if key == "cycle":
            if value not in CYCLE_WORDS:
                raise UserError("error.bad_setting", setting="cycle", value=raw, accepted=", ".join(CYCLES), usage=words.usage)
            changes[key] = CYCLE_WORDS[value]
        elif key == "cap":
            cap = parse_quantity(raw)
            if not Decimal(100) <= cap.value <= Decimal(300):
                raise UserError("error.bad_setting", setting="cap", value=raw, accepted="100%–300%", usage=words.usage)
            changes[key] = cap.value
        elif key == "language":
            if value not in LANGUAGES:
                raise UserError("error.bad_setting", setting="language", value=raw, accepted="en, zh, auto", usage=words.usage)
            changes[key] = LANGUAGES[value]
        elif key == "updates":
            channel = None if value in ("off", "none", "关闭") else parse_channel(raw)
            if channel is None and value not in ("off", "none", "关闭"):
                raise UserError("error.bad_setting", setting="updates", value=raw, accepted="#channel, off", usage=words.usage)
            changes[key] = channel
        elif key in ("reminders", "weekends", "charts"):
            if value not in ON_OFF:
                raise UserError("error.bad_setting", setting=key, value=raw, accepted="on, off", usage=words.usage)
            changes[key] = ON_OFF[value]
        elif key == "bonus":
            changes[key] = format_bonus_tiers(parse_bonus_tiers(raw))
        elif key == "okrs":
            if value not in OKR_STYLES:
                raise UserError("error.bad_setting", setting="okrs", value=raw, accepted="stretch, committed", usage=words.usage)
            changes[key] = OKR_STYLES[value]
        elif key == "reminder_days":
            if not value.isdigit() or not 1 <= int(value) <= 60:
                raise UserError("error.bad_setting", setting=key, value=raw, accepted="1–60", usage=words.usage)
            changes[key] = int(value)
        else:
            changes[key] = raw.strip()
    return c.ChangeSettings(changes)


_GROUPS: dict[str, Callable[[str], c.Command]] = {
    "okr": lambda text: _subcommand("okr", text, {
        "add": _okr_add, "kr": _okr_kr, "list": _okr_list, "edit": _edit(("O", "KR"), "usage.okr.edit"),
        "show": _single_ref(("O",), "usage.okr.show", lambda ref: c.ShowObjective(ref.number)),
        "archive": _archive,
        "align": parse_align, "tree": parse_tree, "source": parse_link(("KR",)),
        "carry": _single_ref(("O",), "usage.okr.carry", lambda ref: c.CarryObjective(ref.number)),
        "help": lambda _: c.Help("okr"),
    }),
    "kpi": lambda text: _subcommand("kpi", text, {
        "add": _kpi_add, "list": _kpi_list, "edit": _edit(("K",), "usage.kpi.edit"),
        "archive": _single_ref(("K",), "usage.kpi.archive", c.ArchiveItem), "source": parse_link(("K",)),
        "help": lambda _: c.Help("kpi"),
    }),
    "checkin": _checkin,
    "scorecard": _scorecard,
    "advise": _advise,
    "digest": _digest,
}
def _insights(text: str) -> c.Command:
    words = CommandText(text, "usage.insights")
    head = SUBCOMMAND_ALIASES.get(normalize(words.rest[0]), normalize(words.rest[0])) if words.rest else ""
    if head in ("", "all"):
        words.rest = words.rest[1:]
        words.no_leftovers()
        return c.ListInsights(everything=head == "all")
    if head in ("dismiss", "snooze") and 2 <= len(words.rest) <= 3:
        code = normalize(words.rest[1])
        days = parse_number(words.rest[2]) if len(words.rest) == 3 else None
        if head == "dismiss" and len(words.rest) == 3 or (len(words.rest) == 3 and (days is None or days > 366)):
            raise UserError("error.unexpected_words", words=" ".join(words.rest[2:])[:40], usage=words.usage)
        return c.DismissInsight(code, days if head == "dismiss" else (days or SNOOZE_DAYS))
    raise UserError("error.unexpected_words", words=" ".join(words.rest)[:60], usage=words.usage)


SNOOZE_DAYS = 14
_PERF_ONLY: dict[str, Callable[[str], c.Command]] = {
    "role": _role, "help": _help, "settings": _settings, "members": lambda _: c.ListMembers(), "away": _away,
    "token": parse_token, "insights": _insights, "team": parse_team, "source": parse_sources, "sources": parse_sources,
}


# -- how an edge answers a command -------------------------------------------------------------
FORM = "form"  # open a form (the check-in form, the new-objective form, the advisor's questions)
LATER = "later"  # acknowledge at once, answer when the slow part is done (a digest, a source's test)


def answering(command: str, text: str) -> tuple[str, str] | None:
    """(FORM, which) or (LATER, what) when a command is not answered in one go; None otherwise.
    Every edge asks this, so the words that open a form or take a moment live here, once."""
    name = normalize(command).lstrip("/")
    words = [SUBCOMMAND_ALIASES.get(normalize(w), normalize(w)) for w in text.split()]
    if name == "perf" and words:
        name, words = SUBCOMMAND_ALIASES.get(words[0], words[0]), words[1:]
    if name == "checkin" and not words:
        return FORM, "checkin"
    if name == "okr" and words == ["add"]:
        return FORM, "objective"
    if name == "advise" and not words:
        return FORM, "advice"
    if name == "digest" and words[:1] == ["now"]:
        return LATER, "digest"
    if name in ("okr", "kpi", "source") and (name == "source" or words[:1] == ["source"]):
        rest = words if name == "source" else words[1:]
        if "test" in rest or "dry-run" in rest:
            return LATER, "source"
    return None
