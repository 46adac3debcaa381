"""Rendering results into words: plain text for the console, mrkdwn for Slack.

The same template serves both; only the filters differ. For mrkdwn, the result is wrapped
in `escaped()` before a template sees it: every string inside it, all of it typed by users
at some point, is escaped once at that boundary, so an objective titled `<!channel>` pings
nobody, and templates and macros can combine text freely without escaping twice.
"""

from __future__ import annotations

import logging
import re
from dataclasses import is_dataclass
from decimal import Decimal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from bot.domain.errors import UserError
from bot.domain.measures import unit_key
from bot.domain.quantities import format_decimal, format_percent, format_quantity
from bot.domain.scoring import grade_band, okr_grade
from bot.render.catalog import Catalog
from bot.resources import templates_dir

log = logging.getLogger(__name__)
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
BAR_WIDTH = 10


class Safe(str):
    """Text that is already valid mrkdwn."""


def escape_mrkdwn(value: object) -> str:
    if isinstance(value, Safe):
        return value
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class EscapedView:
    """A read-only view of a result whose strings come out escaped for mrkdwn."""

    __slots__ = ("_target",)

    def __init__(self, target: object) -> None:
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name: str) -> object:
        return escaped(getattr(self._target, name))


def escaped(value: object) -> object:
    if isinstance(value, str):
        return value if isinstance(value, Safe) else Safe(escape_mrkdwn(value))
    if isinstance(value, (list, tuple)):
        return tuple(escaped(item) for item in value)
    if isinstance(value, dict):
        return {key: escaped(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return EscapedView(value)
    if isinstance(value, BaseException) and hasattr(value, "params"):
        return EscapedView(value)
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
        self.environments = {flavor: self._environment(folder, flavor) for flavor in ("plain", "mrkdwn")}

    def _environment(self, folder, flavor: str) -> Environment:
        mrkdwn = flavor == "mrkdwn"
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
            return f"*{value}*" if mrkdwn else str(value)

        def mention(person) -> str:
            if mrkdwn and _SLACK_ID.match(person.user_id):
                return f"<@{person.user_id}>"
            return f"@{person.name}"

        def mention_id(user_id: str) -> str:
            return f"<@{user_id}>" if mrkdwn and _SLACK_ID.match(user_id) else f"@{user_id}"

        def channel(value: str) -> str:
            if mrkdwn and value and not value.startswith("#"):
                return Safe(f"<#{value}>")
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
        """Render a template; in mrkdwn, every value passed in is escaped first."""
        env = self.environments[flavor]
        if flavor == "mrkdwn":
            context = {key: escaped(value) for key, value in context.items()}
        text = env.get_template(template).render(lang=language, **context)
        return re.sub(r"\n{3,}", "\n\n", text).strip()

    def result(self, result: object, language: str, flavor: str = "plain") -> str:
        return self.render(f"replies/{template_name(result)}.j2", language, flavor, r=result)

    def error(self, error: UserError, language: str, flavor: str = "plain") -> str:
        return self.render("replies/error.j2", language, flavor, error=error)

    def message(self, key: str, language: str, flavor: str = "plain", **params: object) -> str:
        escape = escape_mrkdwn if flavor == "mrkdwn" else str
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
