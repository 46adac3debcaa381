"""The words of the command language: option keys, flags and references, in English and
Chinese, and `Words`, which splits one command's text into options, flags and free text."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from bot.domain import commands as c
from bot.domain.errors import UserError
from bot.domain.periods import parse_period
from bot.domain.quantities import Quantity, parse_quantity

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
    "reminders": "reminders", "提醒": "reminders", "reminder_days": "reminder_days", "remind_after": "reminder_days",
    "提醒天数": "reminder_days", "weekends": "weekends", "周末": "weekends", "charts": "charts", "图表": "charts",
}
SUBCOMMAND_ALIASES = {
    "添加": "add", "新增": "add", "新建": "add", "列表": "list", "查看": "show", "详情": "show",
    "编辑": "edit", "修改": "edit", "归档": "archive", "帮助": "help", "角色": "role",
    "设置": "settings", "成员": "members", "team": "members", "打卡": "checkin", "进展": "checkin",
    "计分卡": "scorecard", "kr": "kr", "关键结果": "kr",
    "应用": "apply", "采用": "apply", "历史": "history", "建议": "advise", "咨询": "advise",
    "每周": "weekly", "周报": "weekly", "取消": "off", "关闭": "off", "立即": "now", "现在": "now", "结转": "carry",
    "请假": "away", "外出": "away", "周报订阅": "digest", "令牌": "token",
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
