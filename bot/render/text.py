"""Rendering results into words: plain text for the console, mrkdwn for Slack, lark_md for
Feishu cards.

The same template serves all three; only the filters differ. For the markup flavors, the
result is wrapped in `escaped()` before a template sees it: every string inside it, all of it
typed by users at some point, is escaped once at that boundary, so an objective titled
`<!channel>` pings nobody (and `[a](http://evil)` links nowhere in Feishu), and templates and
macros can combine text freely without escaping twice.
"""

from __future__ import annotations

import logging
import re
from dataclasses import is_dataclass
from decimal import Decimal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from bot.domain.errors import UserError
from bot.domain.words import FEISHU_CHAT_ID, FEISHU_USER_ID, SLACK_USER_ID
from bot.domain.measures import unit_key
from bot.domain.quantities import format_decimal, format_percent, format_quantity
from bot.domain.scoring import grade_band, okr_grade
from bot.render.catalog import Catalog
from bot.resources import templates_dir

log = logging.getLogger(__name__)
MARKUP = ("mrkdwn", "lark_md")
BAR_WIDTH = 10


class Safe(str):
    """Text that is already valid mrkdwn."""


def escape_mrkdwn(value: object) -> str:
    if isinstance(value, Safe):
        return value
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_LARK_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "&#91;", "]": "&#93;", "*": "&#42;", "~": "&#126;", "`": "&#96;"}


def escape_lark_md(value: object) -> str:
    """Feishu's card markdown: no tag, link, emphasis or code can be typed into a title."""
    if isinstance(value, Safe):
        return value
    return "".join(_LARK_ESCAPES.get(char, char) for char in str(value))


ESCAPES = {"mrkdwn": escape_mrkdwn, "lark_md": escape_lark_md}


class EscapedView:
    """A read-only view of a result whose strings come out escaped for a markup flavor."""

    __slots__ = ("_target", "_escape")

    def __init__(self, target: object, escape=escape_mrkdwn) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_escape", escape)

    def __getattr__(self, name: str) -> object:
        return escaped(getattr(self._target, name), self._escape)


def escaped(value: object, escape=escape_mrkdwn) -> object:
    if isinstance(value, str):
        return value if isinstance(value, Safe) else Safe(escape(value))
    if isinstance(value, (list, tuple)):
        return tuple(escaped(item, escape) for item in value)
    if isinstance(value, dict):
        return {key: escaped(item, escape) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return EscapedView(value, escape)
    if isinstance(value, BaseException) and hasattr(value, "params"):
        return EscapedView(value, escape)
    return value


def progress_bar(ratio: Decimal | float | None, width: int = BAR_WIDTH) -> str:
    filled = 0 if ratio is None else max(0, min(width, round(float(ratio) * width)))
    return "▓" * filled + "░" * (width - filled)


def signed_points(change: Decimal | None) -> str:
    """A change in progress, in percentage points: "+17 pts"."""
    if change is None:
        return ""
    points = change * 100
    sign = "+" if points > 0 else ("±" if points == 0 else "−")
    return f"{sign}{format_decimal(abs(points), 0)}"


class Renderer:
    def __init__(self, catalog: Catalog | None = None) -> None:
        folder = templates_dir()
        self.catalog = catalog or Catalog.load(folder / "i18n")
        self.environments = {flavor: self._environment(folder, flavor) for flavor in ("plain", *MARKUP)}

    def _environment(self, folder, flavor: str) -> Environment:
        mrkdwn, lark = flavor == "mrkdwn", flavor == "lark_md"
        env = Environment(
            loader=FileSystemLoader(str(folder)), trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
            undefined=StrictUndefined, finalize=lambda v: "" if v is None else v, autoescape=False,
            auto_reload=False,  # templates change with a release, not while serving: no stat() per render
        )
        catalog = self.catalog

        @pass_context
        def t(context, key: str, **params: object) -> str:
            return catalog.text(context["lang"], key, **params)

        def bold(value: object) -> str:
            return f"*{value}*" if mrkdwn else f"**{value}**" if lark else str(value)

        def mention(person) -> str:
            return mention_id(person.user_id, person.name)

        def mention_id(user_id: str, name: str | None = None) -> str:
            if mrkdwn and SLACK_USER_ID.match(user_id):
                return f"<@{user_id}>"
            if lark and FEISHU_USER_ID.match(user_id):
                return f"<at id={user_id}></at>"
            return f"@{name or user_id}"

        @pass_context
        def channel(context, value: str) -> str:
            if mrkdwn and value and not value.startswith("#"):
                return Safe(f"<#{value}>")
            if FEISHU_CHAT_ID.match(value):  # a chat id says nothing to a reader
                return Safe(catalog.text(context["lang"], "feishu.this_chat"))
            return value

        @pass_context
        def unit_label(context, unit: str) -> str:
            return catalog.text(context["lang"], f"unit.{unit_key(unit)}", sign=unit)

        @pass_context
        def option_label(context, name: str) -> str:
            """`target=` as the reader's language writes it (`目标=`), for hints that name options."""
            key = f"option.{str(name).removesuffix('=')}"
            return catalog.text(context["lang"], key) if str(name).endswith("=") and catalog.has(key) else str(name)

        env.globals.update(option_label=option_label, t=t, bar=progress_bar, has_message=catalog.has, grade=lambda p: f"{okr_grade(p):.1f}", grade_band=grade_band)
        env.filters.update(
            pct=lambda ratio, places=0: format_percent(ratio, places), qty=format_quantity, num=format_decimal,
            pts=signed_points, b=bold, mention=mention, mention_id=mention_id, channel=channel, bar=progress_bar, unit_label=unit_label,
        )
        return env

    def render(self, template: str, language: str, flavor: str = "plain", **context: object) -> str:
        """Render a template; in a markup flavor, every value passed in is escaped first."""
        env = self.environments[flavor]
        if flavor in ESCAPES:
            context = {key: escaped(value, ESCAPES[flavor]) for key, value in context.items()}
        text = env.get_template(template).render(lang=language, **context)
        return re.sub(r"\n{3,}", "\n\n", text).strip()

    def result(self, result: object, language: str, flavor: str = "plain") -> str:
        return self.render(f"replies/{template_name(result)}.j2", language, flavor, r=result)

    def error(self, error: UserError, language: str, flavor: str = "plain") -> str:
        return self.render("replies/error.j2", language, flavor, error=error)

    def message(self, key: str, language: str, flavor: str = "plain", **params: object) -> str:
        escape = ESCAPES.get(flavor, str)
        return self.catalog.text(language, key, escape=escape, **params)

    def outcome(self, outcome, flavor: str = "plain") -> str:
        """The reply to a command; a template that fails is logged and answered with an apology."""
        try:
            if outcome.error is not None:
                return self.error(outcome.error, outcome.language, flavor)
            return self.result(outcome.result, outcome.language, flavor)
        except Exception:
            log.exception("rendering %r failed", outcome)
            # The use case may have committed: never tell the user "nothing was saved" after it did.
            key = "error.internal" if outcome.error is not None else "error.rendering_failed"
            return self.error(UserError(key), outcome.language, flavor)


def template_name(result: object) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(result).__name__).lower()
