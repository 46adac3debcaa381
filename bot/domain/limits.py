"""The limits every way in shares (slash command, form, API, CSV, import), so that no text
stored through one can be refused, or break a view, through another."""

from __future__ import annotations

from bot.domain.errors import UserError

MAX_TITLE = 200  # characters in an objective's, key result's or KPI's title
MAX_NOTE = 2000  # characters in a check-in's note


def checked_title(title: str | None, **params: object) -> str:
    """A title as it will be stored: stripped, not empty, not too long."""
    text = (title or "").strip()
    if not text:
        raise UserError("error.missing_title", **params)
    if len(text) > MAX_TITLE:
        raise UserError("error.title_too_long", length=len(text), limit=MAX_TITLE, **params)
    return text


def checked_note(note: str | None, **params: object) -> str:
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise UserError("error.note_too_long", length=len(text), limit=MAX_NOTE, **params)
    return text


MAX_TEAM_NAME = 60


def checked_team_name(name: str | None, **params: object) -> str:
    """A team's name: short, one line, nothing Slack would read as markup or a mention."""
    text = " ".join((name or "").split())
    if not text:
        raise UserError("error.missing_team_name", **params)
    if len(text) > MAX_TEAM_NAME:
        raise UserError("error.team_name_too_long", length=len(text), limit=MAX_TEAM_NAME, **params)
    if any(ch in text for ch in "<>=@*`") or text.casefold() in ("company", "公司", "none", "无", "all", "全部"):
        raise UserError("error.bad_team_name", value=text[:60], **params)
    return text
