"""The owner's answers to the advisor, and the one-line form they are typed in.

Owners type in English or Chinese, often with an IME left in full-width mode, so the
form accepts both languages, common synonyms and full-width characters. Anything we
cannot read becomes a `UserError` whose sentence lists what is accepted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import cn2an

from bot.domain.errors import UserError
from bot.domain.quantities import parse_quantity

ENUMS: dict[str, tuple[str, ...]] = {
    "business": ("product", "service", "mixed"),
    "resources": ("limited", "moderate", "ample"),
    "goal": ("stability", "growth", "expansion", "innovation"),
}
NUMBERS = ("size", "marketing_size")
FLAGS = ("data_maturity", "pay_linked")
ANSWER_FIELDS = ("size", "marketing_size", "business", "resources", "goal", "data_maturity", "pay_linked")
REQUIRED = ("size", "business", "resources", "goal")
MAX_HEADCOUNT = 10_000_000


@dataclass(frozen=True)
class Answers:
    """What the owner told us. Checked on construction, since a questionnaire may build it too."""

    size: int  # company headcount
    business: str  # product | service | mixed
    resources: str  # limited | moderate | ample
    goal: str  # stability | growth | expansion | innovation
    marketing_size: int | None = None  # marketing team headcount
    data_maturity: bool | None = None  # has CRM / marketing-automation data
    pay_linked: bool | None = None  # pay or bonus will depend on the results

    def __post_init__(self) -> None:
        for name in NUMBERS:
            value = getattr(self, name)
            if value is None and name == "marketing_size":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_HEADCOUNT:
                raise UserError(f"advisor.error.bad_number.{name}", value=str(value))
        for name, allowed in ENUMS.items():
            if getattr(self, name) not in allowed:
                raise UserError(f"advisor.error.unknown_value.{name}", value=str(getattr(self, name)))
        for name in FLAGS:
            if getattr(self, name) is not None and not isinstance(getattr(self, name), bool):
                raise UserError(f"advisor.error.unknown_value.{name}", value=str(getattr(self, name)))
        if self.marketing_size is not None and self.marketing_size > self.size:
            raise UserError("advisor.error.marketing_exceeds_size", marketing=self.marketing_size, size=self.size)


@dataclass(frozen=True)
class FieldSpec:
    """One question, as a questionnaire needs it: kind, choices and their label keys."""

    name: str  # the Answers attribute
    kind: str  # "number", "choice" or "yes_no"
    required: bool
    values: tuple[str, ...]  # canonical choices; ("yes", "no") for yes_no; () for numbers

    @property
    def label_key(self) -> str:
        return f"advisor.field.{self.name}"

    def value_key(self, value: str) -> str:
        return f"advisor.value.{self.name}.{value}"


FIELDS: dict[str, FieldSpec] = {
    name: FieldSpec(
        name,
        "number" if name in NUMBERS else "yes_no" if name in FLAGS else "choice",
        name in REQUIRED,
        ENUMS.get(name, ("yes", "no") if name in FLAGS else ()),
    )
    for name in ANSWER_FIELDS
}

FIELD_ALIASES = {
    "size": "size", "company": "size", "company-size": "size", "headcount": "size",
    "规模": "size", "公司规模": "size", "企业规模": "size", "人数": "size", "公司人数": "size",
    "marketing": "marketing_size", "marketing-size": "marketing_size", "team": "marketing_size",
    "营销人数": "marketing_size", "营销团队": "marketing_size", "营销团队人数": "marketing_size",
    "business": "business", "业务": "business", "业务性质": "business",
    "resources": "resources", "resource": "resources", "资源": "resources", "资源状况": "resources",
    "goal": "goal", "strategy": "goal", "目标": "goal", "战略目标": "goal", "战略": "goal",
    "data": "data_maturity", "数据": "data_maturity",
    "pay": "pay_linked", "薪酬": "pay_linked", "薪酬挂钩": "pay_linked", "奖金": "pay_linked",
}
_YES_NO = {
    "yes": "yes", "y": "yes", "true": "yes", "有": "yes", "是": "yes", "对": "yes",
    "no": "no", "n": "no", "false": "no", "无": "no", "否": "no", "没有": "no", "不是": "no", "不": "no",
}
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "business": {
        "product": "product", "products": "product", "产品": "product", "产品型": "product", "goods": "product",
        "e-commerce": "product", "ecommerce": "product", "retail": "product", "dtc": "product", "fmcg": "product",
        "manufacturing": "product", "hardware": "product", "电商": "product", "电子商务": "product", "零售": "product",
        "快消": "product", "消费品": "product", "制造": "product", "制造业": "product", "工业": "product", "硬件": "product",
        "service": "service", "services": "service", "服务": "service", "服务型": "service", "agency": "service",
        "consulting": "service", "consultancy": "service", "training": "service", "education": "service", "healthcare": "service",
        "clinic": "service", "bank": "service", "banking": "service", "finance": "service", "insurance": "service",
        "咨询": "service", "代理": "service", "广告代理": "service", "培训": "service", "教育": "service", "医疗": "service",
        "诊所": "service", "银行": "service", "金融": "service", "保险": "service", "物流": "service",
        "mixed": "mixed", "both": "mixed", "混合": "mixed", "混合型": "mixed", "都有": "mixed", "餐饮": "mixed", "连锁": "mixed",
    },
    "resources": {
        "limited": "limited", "tight": "limited", "low": "limited", "有限": "limited", "紧张": "limited", "不足": "limited",
        "moderate": "moderate", "medium": "moderate", "average": "moderate", "适中": "moderate", "一般": "moderate", "中等": "moderate",
        "ample": "ample", "plenty": "ample", "high": "ample", "充足": "ample", "充裕": "ample", "充沛": "ample",
    },
    "goal": {
        "stability": "stability", "stable": "stability", "steady": "stability", "稳定": "stability", "稳健": "stability",
        "growth": "growth", "grow": "growth", "steady-growth": "growth", "增长": "growth", "稳步增长": "growth",
        "expansion": "expansion", "expand": "expansion", "market-share": "expansion", "rapid-expansion": "expansion",
        "扩张": "expansion", "快速扩张": "expansion", "抢占市场": "expansion", "占领市场": "expansion", "市场份额": "expansion",
        "innovation": "innovation", "innovate": "innovation", "创新": "innovation",
    },
    "data_maturity": _YES_NO,
    "pay_linked": _YES_NO,
}
_PEOPLE = re.compile(r"(?:人|名|位|个人|people|persons?|staff|employees?)$", re.IGNORECASE)
_PAIR = re.compile(r"([^=:]+)[=:](.+)")
_MAX_ECHO = 40  # how much of the user's own text an error repeats back


def parse_answers(text: str) -> Answers:
    """`size=15 business=product resources=limited goal=expansion [marketing=4 data=yes pay=no]`."""
    folded = unicodedata.normalize("NFKC", text).strip()
    folded = re.sub(r"\s*([=:])\s*", r"\1", folded)
    words = [w for w in re.split(r"[\s,;、]+", folded) if w]
    if not words:
        raise UserError("advisor.error.empty")
    found: dict[str, object] = {}
    for word in words:
        pair = _PAIR.fullmatch(word)
        if not pair:
            raise UserError("advisor.error.malformed", item=_echo(word))
        typed_key, raw_value = pair[1], pair[2].strip("\"'“”‘’「」")
        name = FIELD_ALIASES.get(typed_key.lower().replace("_", "-"))
        if name is None:
            raise UserError("advisor.error.unknown_field", field=_echo(typed_key))
        if name in found:
            raise UserError("advisor.error.duplicate_field", field=_echo(typed_key))
        found[name] = _value(name, raw_value)
    missing = [name for name in REQUIRED if name not in found]
    if missing:
        raise UserError(f"advisor.error.missing.{missing[0]}")
    return Answers(**found)  # type: ignore[arg-type]


def headcount(raw: str) -> int | None:
    """A number of people as owners write it: 15, 1,200, 1.2k, 2万, 十五, 两千, 15人. None if it is not one."""
    text = _PEOPLE.sub("", unicodedata.normalize("NFKC", raw).strip().replace(",", "").replace("，", ""))
    value: Decimal | None = None
    try:
        quantity = parse_quantity(text)
        value = quantity.value if not quantity.unit else None
    except UserError:
        try:
            value = Decimal(str(cn2an.cn2an(text, "smart")))
        except (ValueError, KeyError, TypeError, ArithmeticError):
            value = None
    if value is None or value != value.to_integral_value() or not 0 < value <= MAX_HEADCOUNT:
        return None
    return int(value)


def read_answer(name: str, raw: str) -> object:
    """One answer, checked as it is given (the questionnaire asks again when it is wrong)."""
    return _value(name, raw)


def _value(name: str, raw: str) -> object:
    if name in NUMBERS:
        number = headcount(raw)
        if number is None:
            raise UserError(f"advisor.error.bad_number.{name}", value=_echo(raw))
        return number
    value = VALUE_ALIASES[name].get(raw.lower().replace("_", "-"))
    if value is None:
        raise UserError(f"advisor.error.unknown_value.{name}", value=_echo(raw))
    return value == "yes" if name in FLAGS else value


def _echo(text: str) -> str:
    return text if len(text) <= _MAX_ECHO else text[: _MAX_ECHO - 1] + "…"


def message_keys() -> frozenset[str]:
    """Every key this module can raise or a questionnaire needs: for the catalog check."""
    keys = {"advisor.help", "advisor.error.empty", "advisor.error.malformed", "advisor.error.unknown_field",
            "advisor.error.duplicate_field", "advisor.error.marketing_exceeds_size"}
    keys |= {f"advisor.error.missing.{name}" for name in REQUIRED}
    keys |= {f"advisor.error.bad_number.{name}" for name in NUMBERS}
    keys |= {f"advisor.error.unknown_value.{name}" for name in (*ENUMS, *FLAGS)}
    for spec in FIELDS.values():
        keys |= {spec.label_key} | {spec.value_key(v) for v in spec.values}
    return frozenset(keys)
