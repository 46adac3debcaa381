"""The command language shared by Slack and the console: one parser, one set of replies.

`/perf` is the umbrella; `/okr`, `/kpi`, `/checkin` and `/scorecard` are its shortcuts.
Options are `key=value` words anywhere in the line (Chinese keys too: `目标=12`); the
words that are neither options nor flags form the title or note, kept exactly as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal

from bot.domain import commands as c
from bot.domain.advisor_input import parse_answers
from bot.domain.errors import UserError
from bot.domain.periods import CYCLES, parse_period
from bot.domain.quantities import Quantity, parse_quantity

SHORTCUTS = ("okr", "kpi", "checkin", "scorecard", "advise")
KEY_ALIASES = {
    "target": "target", "目标": "target", "目标值": "target",
    "start": "start", "起始": "start", "起点": "start", "初始": "start",
    "weight": "weight", "权重": "weight",
    "owner": "owner", "负责人": "owner",
    "period": "period", "周期": "period",
    "perspective": "perspective", "视角": "perspective", "维度": "perspective",
    "title": "title", "name": "title", "标题": "title", "名称": "title",
    "cycle": "cycle", "cap": "cap", "上限": "cap", "language": "language", "lang": "language", "语言": "language",
    "updates": "updates", "频道": "updates", "timezone": "timezone", "tz": "timezone", "时区": "timezone",
}
SUBCOMMAND_ALIASES = {
    "添加": "add", "新增": "add", "新建": "add", "列表": "list", "查看": "show", "详情": "show",
    "编辑": "edit", "修改": "edit", "归档": "archive", "帮助": "help", "角色": "role",
    "设置": "settings", "成员": "members", "team": "members", "打卡": "checkin", "进展": "checkin",
    "计分卡": "scorecard", "kr": "kr", "关键结果": "kr",
    "应用": "apply", "采用": "apply", "历史": "history", "建议": "advise", "咨询": "advise",
}
CONFIDENCE_WORDS = {
    "on-track": "on-track", "ontrack": "on-track", "正常": "on-track", "顺利": "on-track",
    "at-risk": "at-risk", "atrisk": "at-risk", "有风险": "at-risk", "风险": "at-risk",
    "off-track": "off-track", "offtrack": "off-track", "落后": "off-track", "偏离": "off-track",
}
DIRECTION_FLAGS = {
    "lower-is-better": "lower", "越低越好": "lower", "lower": "lower",
    "higher-is-better": "higher", "越高越好": "higher", "higher": "higher",
}
PERSPECTIVES = {
    "financial": "financial", "finance": "financial", "财务": "financial",
    "customer": "customer", "客户": "customer",
    "internal": "internal", "internal-process": "internal", "process": "internal", "内部流程": "internal", "内部": "internal",
    "learning": "learning", "learning-and-growth": "learning", "learning-growth": "learning", "学习与成长": "learning", "学习成长": "learning",
}
ROLES = {"owner": "owner", "所有者": "owner", "manager": "manager", "经理": "manager", "管理者": "manager", "member": "member", "成员": "member"}
CYCLE_WORDS = {"quarterly": "quarterly", "quarter": "quarterly", "季度": "quarterly", "monthly": "monthly", "month": "monthly", "月度": "monthly"}
LANGUAGES = {"en": "en", "english": "en", "英文": "en", "zh": "zh-CN", "zh-cn": "zh-CN", "中文": "zh-CN", "auto": "auto", "自动": "auto"}

_REF = re.compile(r"^(?:(KR)(\d+)\.(\d+)|([OK])(\d+))$", re.IGNORECASE)
_SLACK_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$")
_CONSOLE_USER = re.compile(r"^@([\w.\-]+)$")
_SLACK_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|([^>]*))?>$")
_CONSOLE_CHANNEL = re.compile(r"^#([\w\-]+)$")


def normalize(word: str) -> str:
    """Fold full-width forms and case so `ＫＲ１.１` and `Target＝12` are understood."""
    return unicodedata.normalize("NFKC", word).strip().lower()


def parse_mention(word: str) -> c.Mention | None:
    if match := _SLACK_USER.match(word.strip()):
        return c.Mention(match[1], match[2] or None)
    if match := _CONSOLE_USER.match(unicodedata.normalize("NFKC", word.strip())):
        return c.Mention(match[1].lower(), match[1])
    return None


def parse_channel(word: str) -> str | None:
    if match := _SLACK_CHANNEL.match(word.strip()):
        return match[1]
    if match := _CONSOLE_CHANNEL.match(word.strip()):
        return "#" + match[1]
    return None


def parse_ref(word: str, usage: str, kinds: tuple[str, ...] = ("O", "KR", "K")) -> c.Ref:
    match = _REF.match(unicodedata.normalize("NFKC", word.strip()))
    if match:
        ref = c.Ref("KR", int(match[3]), int(match[2])) if match[1] else c.Ref(match[4].upper(), int(match[5]))
        if ref.kind in kinds:
            return ref
    raise UserError("error.bad_ref", value=word, expected=" / ".join(_REF_EXAMPLES[k] for k in kinds), usage=usage)


_REF_EXAMPLES = {"O": "O1", "KR": "KR1.2", "K": "K1"}


class Words:
    """The words of one command, split into options, flags and free text as they are read."""

    def __init__(self, text: str, usage: str, allowed: tuple[str, ...] = ()) -> None:
        self.usage = usage
        self.options: dict[str, str] = {}
        self.rest: list[str] = []
        for word in text.split():
            key, sep, value = unicodedata.normalize("NFKC", word).partition("=")
            if sep and key and not key.startswith(("<", "http")):
                canonical = KEY_ALIASES.get(key.strip().lower())
                if canonical is None or canonical not in allowed:
                    raise UserError("error.unknown_option", option=key, accepted=", ".join(f"{a}=" for a in allowed) or "—", usage=usage)
                if not value.strip():
                    raise UserError("error.empty_option", option=key, usage=usage)
                if canonical in self.options:
                    raise UserError("error.duplicate_option", option=key, usage=usage)
                self.options[canonical] = word.split("=", 1)[1] if "=" in word else value
            else:
                self.rest.append(word)

    def take_flag(self, table: dict[str, str]) -> str | None:
        for i, word in enumerate(self.rest):
            if normalize(word) in table:
                return table[normalize(self.rest.pop(i))]
        return None

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
        return " ".join(self.rest).strip()

    def title(self) -> str:
        title = self.options.get("title") or self.text()
        if not title:
            raise UserError("error.missing_title", usage=self.usage)
        if len(title) > 200:
            raise UserError("error.title_too_long", length=len(title), usage=self.usage)
        return title

    def no_leftovers(self) -> None:
        if self.rest:
            raise UserError("error.unexpected_words", words=" ".join(self.rest), usage=self.usage)

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
        if "perspective" not in self.options:
            return None
        value = normalize(self.options["perspective"])
        if value not in PERSPECTIVES:
            raise UserError("error.bad_perspective", value=self.options["perspective"], usage=self.usage)
        return PERSPECTIVES[value]


def parse_command(command: str, text: str) -> c.Command:
    """Parse a slash command (`/okr`, `/perf`...) and its text into a `Command`."""
    name = normalize(command).lstrip("/")
    if name == "perf":
        head, _, text = text.strip().partition(" ")
        if not head:
            return c.Help()
        name = SUBCOMMAND_ALIASES.get(normalize(head), normalize(head))
        if name not in SHORTCUTS and name not in _PERF_ONLY:
            raise UserError("error.unknown_command", command=f"/perf {head}")
    elif name not in SHORTCUTS:
        raise UserError("error.unknown_command", command=command)
    if name in _PERF_ONLY:
        return _PERF_ONLY[name](text)
    return _GROUPS[name](text)


def _subcommand(group: str, text: str, table: dict[str, Callable[[str], c.Command]]) -> c.Command:
    head, _, rest = text.strip().partition(" ")
    sub = SUBCOMMAND_ALIASES.get(normalize(head), normalize(head))
    if sub not in table:
        if not head:
            return c.Help(group)
        raise UserError("error.unknown_subcommand", command=f"/{group}", subcommand=head, usage=f"usage.{group}")
    return table[sub](rest)


def _okr_add(text: str) -> c.Command:
    words = Words(text, "usage.okr.add", ("period", "owner", "title"))
    return c.AddObjective(words.title(), words.period(), words.owner())


def _okr_kr(text: str) -> c.Command:
    words = Words(text, "usage.okr.kr", ("target", "start", "weight", "owner", "title"))
    ref_word = words.pop_first("O1")
    ref = parse_ref(ref_word if ref_word[:1].upper() == "O" else f"O{ref_word}", words.usage, ("O",))
    target = words.quantity("target", required=True)
    start = words.quantity("start")
    if start is not None and start.value == target.value:
        raise UserError("error.target_equals_start", value=str(target), usage=words.usage)
    return c.AddKeyResult(ref.number, words.title(), target, start, words.weight(percent=False), words.owner())


def _okr_list(text: str) -> c.Command:
    words = Words(text, "usage.okr.list", ("period", "owner"))
    owner = words.owner() or words.take_mention()
    status = words.take_flag(CONFIDENCE_WORDS)
    words.no_leftovers()
    return c.ListObjectives(owner, status, words.period())


def _single_ref(kinds: tuple[str, ...], usage: str, build) -> Callable[[str], c.Command]:
    def parse(text: str) -> c.Command:
        words = Words(text, usage)
        ref = parse_ref(words.pop_first(kinds[0] + "1"), usage, kinds)
        words.no_leftovers()
        return build(ref)

    return parse


def _edit(kinds: tuple[str, ...], usage: str) -> Callable[[str], c.Command]:
    def parse(text: str) -> c.Command:
        allowed = ("title", "target", "start", "weight", "owner", "period", "perspective")
        words = Words(text, usage, allowed)
        ref = parse_ref(words.pop_first(kinds[0] + "1"), usage, kinds)
        direction = words.take_flag(DIRECTION_FLAGS)
        title = words.options.get("title") or words.text() or None
        edit = c.EditItem(
            ref, title, words.quantity("target"), words.quantity("start"), words.weight(percent=ref.kind == "K"),
            words.owner(), direction, words.perspective(), words.period(),
        )
        if all(value is None for value in vars(edit).values() if value is not ref):
            raise UserError("error.nothing_to_change", usage=usage)
        return edit

    return parse


def _kpi_add(text: str) -> c.Command:
    words = Words(text, "usage.kpi.add", ("target", "weight", "perspective", "owner", "period", "title"))
    direction = words.take_flag(DIRECTION_FLAGS) or "higher"
    target = words.quantity("target", required=True)
    weight = words.weight(percent=True)
    if weight is None:
        raise UserError("error.missing_option", option="weight=", usage=words.usage)
    if target.value == 0:
        raise UserError("error.zero_target", usage=words.usage)
    return c.AddKpi(words.title(), target, weight, direction, words.perspective(), words.owner(), words.period())


def _kpi_list(text: str) -> c.Command:
    words = Words(text, "usage.kpi.list", ("period", "owner"))
    owner = words.owner() or words.take_mention()
    words.no_leftovers()
    return c.ListKpis(owner, words.period())


def _checkin(text: str) -> c.Command:
    words = Words(text, "usage.checkin")
    if not words.rest:
        return c.Help("checkin")
    ref = parse_ref(words.pop_first("KR1.1"), words.usage, ("KR", "K"))
    if not words.rest:
        raise UserError("error.missing_value", usage=words.usage)
    value = parse_quantity(words.pop_first("value"))
    confidence = CONFIDENCE_WORDS.get(normalize(words.rest[0])) if words.rest else None
    if confidence:
        words.rest.pop(0)
    note = words.text()
    if len(note) > 2000:
        raise UserError("error.note_too_long", length=len(note), usage=words.usage)
    return c.CheckIn(ref, value, confidence, note)


def _advise(text: str) -> c.Command:
    head = normalize(text.split()[0]) if text.split() else ""
    head = SUBCOMMAND_ALIASES.get(head, head)
    if not head:
        return c.AdviceQuestionnaire()
    if head in ("apply", "history", "help"):
        words = Words(text.strip()[len(text.split()[0]):], "usage.advise")
        if head == "apply":
            number = words.rest.pop(0) if words.rest else None
            words.no_leftovers()
            if number is not None and not number.isdigit():
                raise UserError("error.unexpected_words", words=number, usage="usage.advise")
            return c.ApplyAdvice(int(number) if number else None)
        words.no_leftovers()
        return c.AdviceHistory() if head == "history" else c.Help("advise")
    return c.AskAdvice(parse_answers(text))


def _scorecard(text: str) -> c.Command:
    words = Words(text, "usage.scorecard", ("period", "owner"))
    owner = words.owner() or words.take_mention()
    words.no_leftovers()
    return c.ShowScorecard(owner, words.period())


def _role(text: str) -> c.Command:
    words = Words(text, "usage.role")
    member = words.take_mention()
    role = words.take_flag(ROLES)
    if member is None or role is None:
        raise UserError("error.bad_role", usage=words.usage)
    words.no_leftovers()
    return c.SetRole(member, role)


def _help(text: str) -> c.Command:
    topic = normalize(text).lstrip("/") or None
    return c.Help(SUBCOMMAND_ALIASES.get(topic, topic) if topic else None)


def _settings(text: str) -> c.Command:
    words = Words(text, "usage.settings", ("cycle", "cap", "language", "updates", "timezone"))
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
        else:
            changes[key] = raw.strip()
    return c.ChangeSettings(changes)


_GROUPS: dict[str, Callable[[str], c.Command]] = {
    "okr": lambda text: _subcommand("okr", text, {
        "add": _okr_add, "kr": _okr_kr, "list": _okr_list, "edit": _edit(("O", "KR"), "usage.okr.edit"),
        "show": _single_ref(("O",), "usage.okr.show", lambda ref: c.ShowObjective(ref.number)),
        "archive": _single_ref(("O", "KR"), "usage.okr.archive", c.ArchiveItem),
        "help": lambda _: c.Help("okr"),
    }),
    "kpi": lambda text: _subcommand("kpi", text, {
        "add": _kpi_add, "list": _kpi_list, "edit": _edit(("K",), "usage.kpi.edit"),
        "archive": _single_ref(("K",), "usage.kpi.archive", c.ArchiveItem),
        "help": lambda _: c.Help("kpi"),
    }),
    "checkin": _checkin,
    "scorecard": _scorecard,
    "advise": _advise,
}
_PERF_ONLY: dict[str, Callable[[str], c.Command]] = {
    "role": _role, "help": _help, "settings": _settings, "members": lambda _: c.ListMembers(),
}
