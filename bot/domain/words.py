"""The words of the command language: option keys, flags, units and references, in English
and Chinese. `bot.domain.command_text` reads a command's text with them."""

from __future__ import annotations

import re
import unicodedata

from bot.domain import commands as c
from bot.domain.errors import UserError

KEY_ALIASES = {
    "target": "target", "目标": "target", "目标值": "target",
    "start": "start", "起始": "start", "起点": "start", "初始": "start",
    "weight": "weight", "权重": "weight",
    "owner": "owner", "负责人": "owner",
    "period": "period", "周期": "period",
    "perspective": "perspective", "视角": "perspective", "维度": "perspective",
    "title": "title", "name": "title", "标题": "title", "名称": "title",
    "unit": "unit", "单位": "unit",
    "metric": "metric", "指标": "metric", "channel": "channel", "渠道": "channel", "segment": "segment", "细分": "segment",
    "客群": "segment",
    "type": "type", "measure": "type", "类型": "type", "衡量方式": "type", "考核方式": "type",
    "note": "note", "备注": "note", "说明": "note",
    "team": "team", "团队": "team", "部门": "team", "小组": "team", "lead": "lead", "组长": "lead", "主管": "lead",
    "group": "group", "usergroup": "group", "用户组": "group", "群组": "group", "level": "level", "层级": "level", "级别": "level",
    "cycle": "cycle", "考核周期": "cycle", "评估周期": "cycle",
    "bonus": "bonus", "奖金": "bonus", "奖金档位": "bonus",
    "okrs": "okrs", "okr": "okrs", "okr_style": "okrs", "okr类型": "okrs", "okr风格": "okrs", "评分方式": "okrs",
    "cap": "cap", "上限": "cap", "language": "language", "lang": "language", "语言": "language",
    "updates": "updates", "频道": "updates", "timezone": "timezone", "tz": "timezone", "时区": "timezone",
    "reminders": "reminders", "提醒": "reminders", "reminder_days": "reminder_days", "remind_after": "reminder_days",
    "提醒天数": "reminder_days", "weekends": "weekends", "周末": "weekends", "charts": "charts", "图表": "charts",
}
SUBCOMMAND_ALIASES = {
    "添加": "add", "新增": "add", "新建": "add", "列表": "list", "查看": "show", "详情": "show",
    "编辑": "edit", "修改": "edit", "归档": "archive", "帮助": "help", "角色": "role",
    "设置": "settings", "成员": "members", "打卡": "checkin", "进展": "checkin",
    "计分卡": "scorecard", "kr": "kr", "关键结果": "kr",
    "应用": "apply", "采用": "apply", "预览": "preview", "历史": "history", "建议": "advise", "咨询": "advise",
    "每周": "weekly", "周报": "weekly", "取消": "off", "关闭": "off", "立即": "now", "现在": "now", "结转": "carry",
    "请假": "away", "外出": "away", "周报订阅": "digest", "令牌": "token", "洞察": "insights", "insight": "insights",
    "忽略": "dismiss", "暂缓": "snooze", "全部": "all",
    "team": "team", "teams": "team", "团队": "team", "部门": "team", "align": "align", "对齐": "align", "tree": "tree",
    "树": "tree", "目标树": "tree", "remove": "remove", "移除": "remove", "删除": "remove", "sync": "sync", "同步": "sync",
    "数据源": "source", "来源": "source", "测试": "test", "试运行": "test",
}
LEVEL_WORDS = {"company": "company", "公司": "company", "team": "team", "团队": "team", "personal": "person", "person": "person",
               "个人": "person", "me": "person", "我": "person"}
CONFIRM_FLAGS = {"confirm": "yes", "yes": "yes", "确认": "yes", "确定": "yes"}
COMPANY_WORDS = ("company", "none", "公司", "无", "-")  # team=company: back to company level
CONFIDENCE_WORDS = {
    "on-track": "on-track", "ontrack": "on-track", "on_track": "on-track", "正常": "on-track", "顺利": "on-track",
    "进展顺利": "on-track", "按计划": "on-track", "正轨": "on-track", "在正轨": "on-track", "良好": "on-track",
    "at-risk": "at-risk", "atrisk": "at-risk", "at_risk": "at-risk", "有风险": "at-risk", "风险": "at-risk",
    "存在风险": "at-risk", "有点风险": "at-risk", "有隐患": "at-risk",
    "off-track": "off-track", "offtrack": "off-track", "off_track": "off-track", "落后": "off-track", "偏离": "off-track",
    "严重落后": "off-track", "偏离轨道": "off-track", "脱轨": "off-track",
}
CONFIDENCES = ("on-track", "at-risk", "off-track")
# Words near enough to a confidence to be a slip for one ("risky", "ontrak"): asked about, not kept as a note.
CONFIDENCE_LIKE = ("risk", "track", "风险", "落后", "顺利", "偏离")
DIRECTION_FLAGS = {
    "lower-is-better": "lower", "越低越好": "lower", "lower-better": "lower",
    "higher-is-better": "higher", "越高越好": "higher", "higher-better": "higher",
}
MEASURE_WORDS = {
    "increase": "increase", "increase-to": "increase", "up": "increase", "提升": "increase", "增长": "increase", "上升": "increase",
    "decrease": "decrease", "decrease-to": "decrease", "down": "decrease", "降低": "decrease", "下降": "decrease", "减少": "decrease",
    "at-least": "at_least", "at_least": "at_least", "min": "at_least", "stay-above": "at_least", ">=": "at_least", "≥": "at_least",
    "不低于": "at_least", "至少": "at_least", "保持以上": "at_least",
    "at-most": "at_most", "at_most": "at_most", "max": "at_most", "stay-below": "at_most", "<=": "at_most", "≤": "at_most",
    "不高于": "at_most", "不超过": "at_most", "至多": "at_most", "保持以下": "at_most",
    "milestone": "milestone", "done": "milestone", "binary": "milestone", "里程碑": "milestone", "是否完成": "milestone",
}
# A milestone's check-in: done or not.
DONE_WORDS = {"done": 1, "yes": 1, "complete": 1, "completed": 1, "完成": 1, "已完成": 1, "是": 1,
              "not-done": 0, "notdone": 0, "no": 0, "pending": 0, "未完成": 0, "没完成": 0, "否": 0}
UNIT_WORDS = {
    "count": "", "number": "", "none": "", "plain": "", "个": "", "次": "", "数量": "", "无": "",
    "%": "%", "percent": "%", "pct": "%", "百分比": "%",
    "$": "$", "usd": "$", "dollar": "$", "dollars": "$", "美元": "$",
    "¥": "¥", "cny": "¥", "rmb": "¥", "yuan": "¥", "元": "¥", "人民币": "¥",
    "€": "€", "eur": "€", "euro": "€", "欧元": "€", "£": "£", "gbp": "£", "英镑": "£",
    "h": "h", "hour": "h", "hours": "h", "小时": "h",
}
OKR_STYLES = {"stretch": "stretch", "aspirational": "stretch", "挑战": "stretch", "挑战型": "stretch",
              "committed": "committed", "commit": "committed", "承诺": "committed", "承诺型": "committed"}
PERSPECTIVES = {
    "financial": "financial", "finance": "financial", "财务": "financial",
    "customer": "customer", "客户": "customer",
    "internal": "internal", "internal-process": "internal", "process": "internal", "内部流程": "internal", "内部": "internal",
    "learning": "learning", "learning-and-growth": "learning", "learning-growth": "learning", "学习与成长": "learning", "学习成长": "learning",
}
ROLES = {"owner": "owner", "所有者": "owner", "manager": "manager", "经理": "manager", "管理者": "manager", "member": "member", "成员": "member"}
CYCLE_WORDS = {"quarterly": "quarterly", "quarter": "quarterly", "季度": "quarterly", "monthly": "monthly", "month": "monthly", "月度": "monthly", "按月": "monthly", "每月": "monthly", "按季度": "quarterly", "每季度": "quarterly"}
READER_LANGUAGES = ("en", "zh-CN")  # every message exists in these; the catalogs and the metric library are checked for both
LANGUAGES = {"en": "en", "english": "en", "英文": "en", "zh": "zh-CN", "zh-cn": "zh-CN", "中文": "zh-CN", "auto": "auto", "自动": "auto"}

_REF = re.compile(r"^(?:(KR)(\d+)\.(\d+)|([OK])(\d+))$", re.IGNORECASE)
# The shapes of platform ids, in one place: Slack users and channels, Feishu users (open_id) and chats.
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
SLACK_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
FEISHU_USER_ID = re.compile(r"^ou_[0-9a-z]{8,}$")
FEISHU_CHAT_ID = re.compile(r"^oc_[0-9a-z]{8,}$")
_SLACK_USER = re.compile(r"^<@([UW][A-Z0-9]+|ou_[0-9a-z]{8,})(?:\|([^>]*))?>$")  # a Feishu mention arrives in the same form
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
    if FEISHU_CHAT_ID.match(word.strip()):  # a Feishu chat, as its edge writes "here" (本群)
        return word.strip()
    if match := _CONSOLE_CHANNEL.match(word.strip()):
        return "#" + match[1]
    return None


MAX_NUMBER = 1_000_000_000  # no workspace numbers that many items; a larger number names nothing


def parse_number(word: str) -> int | None:
    """A positive whole number as typed ("3", "#3", "３"); None for anything else, "²" and
    twenty-digit numbers included (they would not fit the database's integers)."""
    digits = unicodedata.normalize("NFKC", word.strip()).lstrip("#")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 10 or not 1 <= int(digits) <= MAX_NUMBER:
        return None
    return int(digits)


def parse_ref(word: str, usage: str, kinds: tuple[str, ...] = ("O", "KR", "K")) -> c.Ref:
    match = _REF.match(unicodedata.normalize("NFKC", word.strip()))
    if match:
        numbers = [text for text in match.groups()[1:] if text and text.isdigit()]
        if any(len(text) > 10 or int(text) > MAX_NUMBER for text in numbers):
            raise UserError("error.unknown_ref", ref=word[:40])
        ref = c.Ref("KR", int(match[3]), int(match[2])) if match[1] else c.Ref(match[4].upper(), int(match[5]))
        if ref.kind in kinds:
            return ref
    raise UserError("error.bad_ref", value=word, expected=" / ".join(_REF_EXAMPLES[k] for k in kinds), usage=usage)


_REF_EXAMPLES = {"O": "O1", "KR": "KR1.2", "K": "K1"}


def is_channel_id(target: str) -> bool:
    """A channel or group chat (else a person): "#name" in the console, "C…"/"G…" in Slack, "oc_…" in Feishu."""
    return target.startswith("#") or bool(SLACK_CHANNEL_ID.match(target) or FEISHU_CHAT_ID.match(target))
