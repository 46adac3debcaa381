"""Where an item's actual comes from by itself: a CSV at a URL, JSON over HTTP, a SQL query.

Pure: what a source is, when it runs, and how one number is read out of what it returned.
Fetching lives in `bot.connectors`; recording the number is an ordinary check-in.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from urllib.parse import urlsplit

from bot.domain.errors import UserError
from bot.domain.quantities import Quantity, parse_quantity

CSV, JSON, SQL = "csv", "json", "sql"
KINDS = (CSV, JSON, SQL)
DAILY, HOURLY = "daily", "hourly"
SCHEDULES = (DAILY, HOURLY)
DEFAULT_AT = time(8, 0)  # local time of a daily run
MAX_CELL = 200  # characters of a value worth reading


class SourceProblem(UserError):
    """A source that ran but gave no usable number: said to its owner, recorded, retried later."""


@dataclass(frozen=True)
class SourceSpec:
    """A source as configured. `url` may hold a secret (a token in the query, a database
    password): it is stored encrypted and shown only as `display_url`."""

    kind: str
    url: str
    column: str | None = None  # csv: the column, by its header
    date_column: str | None = None  # csv: the latest row by this date column (else the last row)
    path: str | None = None  # json: a JSONPath to the value
    header: str | None = None  # json: the name of a header sent with a secret value ("Authorization")
    header_value: str | None = field(default=None, repr=False)  # secret
    query: str | None = None  # sql: one number
    scale: Decimal | None = None  # multiply what is read (a fraction 0.13 into a percent: scale=100)
    schedule: str = DAILY
    at: time = DEFAULT_AT

    @property
    def display_url(self) -> str:
        return display_url(self.url)

    def public(self) -> dict:
        """What may be stored in clear and shown: everything but the URL's secrets and the header's value."""
        return {"kind": self.kind, "url": self.display_url, "column": self.column, "date_column": self.date_column, "path": self.path,
                "header": self.header, "query": self.query, "scale": str(self.scale) if self.scale is not None else None,
                "schedule": self.schedule, "at": self.at.strftime("%H:%M")}

    def secret(self) -> dict:
        return {"url": self.url, "header_value": self.header_value}

    @property
    def has_secret(self) -> bool:
        """A header value, credentials or a query string in the URL: anything that may be a key."""
        parts = urlsplit(self.url)
        return bool(self.header_value or parts.username or parts.password or parts.query or self.kind == SQL)


def display_url(url: str) -> str:
    """A URL without what may be secret in it: credentials and the query string."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    query = "?…" if parts.query else ""
    return f"{parts.scheme}://{host}{port}{parts.path}{query}"


def spec_from_stored(public: dict, secret: dict) -> SourceSpec:
    at = public.get("at") or DEFAULT_AT.strftime("%H:%M")
    hour, minute = (int(part) for part in at.split(":"))
    return SourceSpec(kind=public["kind"], url=secret["url"], column=public.get("column"), date_column=public.get("date_column"),
                      path=public.get("path"), header=public.get("header"), header_value=secret.get("header_value"),
                      query=public.get("query"), scale=Decimal(public["scale"]) if public.get("scale") else None,
                      schedule=public.get("schedule") or DAILY, at=time(hour, minute))


# -- when it runs ------------------------------------------------------------------------------

def latest_slot(schedule: str, at: time, now: datetime, zone: tzinfo) -> datetime:
    """The latest run time at or before `now`: today's (or yesterday's) `at`, or this hour's start."""
    local = now.astimezone(zone)
    if schedule == HOURLY:
        return local.replace(minute=0, second=0, microsecond=0)
    today = datetime.combine(local.date(), at, zone)
    return today if today <= local else datetime.combine(local.date() - timedelta(days=1), at, zone)


def slot_label(schedule: str, slot: datetime) -> str:
    """The slot in a send key: a local date, or a local date and hour."""
    return slot.strftime("%Y-%m-%d") if schedule == DAILY else slot.strftime("%Y-%m-%dT%H")


# -- reading one number out of what came back --------------------------------------------------

def csv_value(text: str, column: str, date_column: str | None = None) -> str:
    """The cell of `column` in the latest row (by `date_column`), or in the last row with one."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    try:
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise SourceProblem("source.error.bad_csv", detail=str(error)[:120]) from None
    if not rows:
        raise SourceProblem("source.error.empty")
    header = [cell.strip().casefold() for cell in rows[0]]
    index = _column(header, column)
    dated = _column(header, date_column) if date_column else None
    candidates = [row for row in rows[1:] if index < len(row) and row[index].strip()]
    if dated is not None:
        stamped = [(day, row) for row in candidates if dated < len(row) and (day := _day(row[dated])) is not None]
        if not stamped:
            raise SourceProblem("source.error.no_dated_row", column=date_column)
        candidates = [max(stamped, key=lambda pair: pair[0])[1]]
    if not candidates:
        raise SourceProblem("source.error.no_value", column=column)
    return candidates[-1][index].strip()[:MAX_CELL]


def _column(header: list[str], name: str) -> int:
    try:
        return header.index(name.strip().casefold())
    except ValueError:
        raise SourceProblem("source.error.no_column", column=name, columns=", ".join(header)[:200]) from None


def _day(text: str) -> date | None:
    text = text.strip()[:32]
    for candidate in (text, text.replace("/", "-"), text[:10].replace("/", "-")):
        try:
            return date.fromisoformat(candidate)
        except ValueError:
            continue
    return None


def json_value(document: object, path: str) -> str:
    """The one value at `path` (JSONPath, e.g. `$.data.total` or `$.rows[-1].value`)."""
    from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
    from jsonpath_ng.ext import parse

    try:
        expression = parse(path)
    except (JsonPathLexerError, JsonPathParserError, Exception) as error:  # the library raises plain Exception for some syntax
        raise SourceProblem("source.error.bad_path", path=path, detail=str(error)[:120]) from None
    found = [match.value for match in expression.find(document)]
    if len(found) != 1:
        raise SourceProblem("source.error.path_matches", path=path, count=len(found))
    value = found[0]
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise SourceProblem("source.error.not_a_number", value=str(value)[:60])
    return str(value)[:MAX_CELL]


def sql_value(rows: list[tuple]) -> str:
    if len(rows) != 1 or len(rows[0]) != 1:
        raise SourceProblem("source.error.sql_shape", rows=len(rows), columns=len(rows[0]) if rows else 0)
    value = rows[0][0]
    if value is None or isinstance(value, bool):
        raise SourceProblem("source.error.not_a_number", value=str(value))
    return str(value)[:MAX_CELL]


def reading(text: str, scale: Decimal | None = None) -> Quantity:
    """The number as a check-in takes it (`1,234`, `12.5%`, `¥3万` all read), scaled if asked."""
    try:
        quantity = parse_quantity(text.strip())
    except UserError:
        raise SourceProblem("source.error.not_a_number", value=text[:60]) from None
    if scale is not None:
        quantity = Quantity(quantity.value * scale, quantity.unit)
    return quantity
