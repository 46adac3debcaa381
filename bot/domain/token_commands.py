"""`/perf token …`: the owner's handle on the API tokens a CRM or a spreadsheet pushes actuals with.

Kept apart from `parsing.py` so the command language grows by one entry (`"token": parse_token`)
rather than by another branch in a long module.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import commands as c
from bot.domain.errors import UserError
from bot.domain.words import normalize, parse_number

USAGE = "usage.token"
LABEL_LIMIT = 80  # ApiToken.label
TOKEN_SUBCOMMANDS = {
    "create": "create", "new": "create", "add": "create", "创建": "create", "新建": "create", "生成": "create", "添加": "create",
    "list": "list", "ls": "list", "列表": "list", "查看": "list",
    "revoke": "revoke", "delete": "revoke", "撤销": "revoke", "吊销": "revoke", "作废": "revoke", "删除": "revoke",
    "help": "help", "帮助": "help",
}


@dataclass(frozen=True)
class CreateToken:
    label: str = ""


@dataclass(frozen=True)
class ListTokens:
    pass


@dataclass(frozen=True)
class RevokeToken:
    number: int


TokenCommand = CreateToken | ListTokens | RevokeToken


def parse_token(text: str) -> TokenCommand | c.Help:
    """The words after `/perf token`; alone, it explains itself rather than guessing."""
    words = text.split()
    if not words:
        return c.Help("token")
    head = words[0]
    sub = TOKEN_SUBCOMMANDS.get(normalize(head))
    rest = words[1:]
    if sub == "create":
        label = text.strip()[len(head):].strip()  # a label keeps its spacing, like a title
        if len(label) > LABEL_LIMIT:
            raise UserError("token.error.label_too_long", length=len(label), limit=LABEL_LIMIT, usage=USAGE)
        return CreateToken(label)
    if sub == "list":
        if rest:
            raise UserError("error.unexpected_words", words=" ".join(rest), usage=USAGE)
        return ListTokens()
    if sub == "revoke":
        number = parse_number(rest[0]) if len(rest) == 1 else None
        if number is None:
            raise UserError("token.error.revoke_number", usage=USAGE)
        return RevokeToken(number)
    if sub == "help":
        return c.Help("token")
    raise UserError("error.unknown_subcommand", command="/perf token", subcommand=head, usage=USAGE)
