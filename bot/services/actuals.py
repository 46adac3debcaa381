"""Actuals from outside the chat: a spreadsheet's rows or a CRM's push become check-ins.

A file or a batch is applied whole or not at all. Every row is tried, every problem is
reported by its line, and one problem anywhere rolls the whole unit of work back. Each row
goes through `record_checkin`, so roles, closed periods and idempotency are those of `/checkin`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timezone
from decimal import Decimal

from sqlmodel import select

from bot.domain import commands as c
from bot.domain.errors import UserError
from bot.domain.quantities import Quantity, parse_quantity
from bot.domain.views import Person
from bot.domain.words import CONFIDENCE_WORDS, normalize, parse_ref
from bot.services.checkins import record_checkin
from bot.services.context import Context, workspace_zone
from bot.services.results import CheckinRecorded
from bot.store.models import Member

HEADERS = {
    "ref": "ref", "reference": "ref", "item": "ref", "编号": "ref",
    "value": "value", "actual": "value", "数值": "value", "实际值": "value",
    "confidence": "confidence", "status": "confidence", "信心": "confidence",
    "note": "note", "comment": "note", "备注": "note",
    "date": "date", "日期": "date",
    "author": "author", "user": "author", "负责人": "author", "填报人": "author",
}
ACCEPTED_HEADERS = "ref, value, confidence, note, date, author (编号, 数值, 信心, 备注, 日期, 负责人)"
FIELDS = ("ref", "value", "confidence", "note", "date", "author")
MAX_ROWS = 10_000
NOTE_LIMIT = 2000
KEY_LIMIT = 200
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


@dataclass(frozen=True)
class RowProblem:
    line: int  # the CSV line (the header is line 1), or the API item's index
    key: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ActualRow:
    """One check-in to apply, or the problem found while reading it (reported with the rest)."""

    line: int  # the CSV line (the header is line 1), or the API item's index
    ref: c.Ref | None = None
    value: Quantity | None = None
    confidence: str | None = None
    note: str = ""
    day: date | None = None  # when the actual was measured; None: now
    author: str | None = None  # a member's user id or name; None: whoever applies the rows
    idempotency_key: str | None = None  # the sender's; the same key twice records once
    problem: RowProblem | None = None


@dataclass(frozen=True)
class AppliedRow:
    line: int
    ref: str
    title: str
    value: Decimal
    unit: str  # the item's
    author: Person
    duplicate: bool  # recorded before (same idempotency key): nothing new
    current: Decimal | None  # the item's value now
    score: Decimal | None  # a key result's progress or a KPI's attainment, now
    team: str | None = None  # the team the item belongs to
    objective: str | None = None  # a key result's objective, and where that stands now (rolled up)
    objective_progress: Decimal | None = None


@dataclass(frozen=True)
class ActualsApplied:
    rows: tuple[AppliedRow, ...]
    source: str

    @property
    def recorded(self) -> int:
        return sum(not row.duplicate for row in self.rows)

    @property
    def duplicates(self) -> int:
        return sum(row.duplicate for row in self.rows)


def parse_actuals_csv(text: str) -> list[ActualRow]:
    """Rows of `ref,value[,confidence][,note][,date][,author]` under a header (English or Chinese).

    A malformed header stops everything at once; a malformed row is kept as a problem so the
    report names every bad line, not only the first.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    columns: list[str | None] | None = None
    rows: list[ActualRow] = []
    end = 0
    try:
        for cells in reader:
            line, end = end + 1, reader.line_num
            if end > line and any("\n" in cell or "\r" in cell for cell in cells):
                # One record over several lines: a quote opened and closed lines later, swallowing
                # the rows between into one cell. Refused, rather than reported as a success.
                raise UserError("actuals.error.unbalanced_quote", line=line, end=end)
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns = _columns(cells)
                continue
            rows.append(_csv_row(line, columns, cells))
            if len(rows) > MAX_ROWS:
                raise UserError("actuals.error.too_many_rows", limit=MAX_ROWS)
    except csv.Error as error:
        raise UserError("actuals.error.bad_csv", line=end + 1, detail=str(error)) from None
    if columns is None:
        raise UserError("actuals.error.no_header", accepted=ACCEPTED_HEADERS)
    if not rows:
        raise UserError("actuals.error.no_rows")
    return rows


def _columns(cells: list[str]) -> list[str | None]:
    if _looks_like_ref(cells[0]):
        raise UserError("actuals.error.no_header", accepted=ACCEPTED_HEADERS)
    columns: list[str | None] = []
    for cell in cells:
        name = normalize(cell)
        if not name:  # a trailing empty column, as spreadsheets write them
            columns.append(None)
            continue
        if name not in HEADERS:
            raise UserError("actuals.error.unknown_column", column=cell.strip(), accepted=ACCEPTED_HEADERS)
        if HEADERS[name] in columns:
            raise UserError("actuals.error.duplicate_column", column=cell.strip())
        columns.append(HEADERS[name])
    for required in ("ref", "value"):
        if required not in columns:
            raise UserError("actuals.error.missing_column", column=required, accepted=ACCEPTED_HEADERS)
    return columns


def _looks_like_ref(cell: str) -> bool:
    try:
        parse_ref(cell, "usage.checkin", ("KR", "K"))
        return True
    except UserError:
        return False


def _csv_row(line: int, columns: list[str | None], cells: list[str]) -> ActualRow:
    if any(cell.strip() for cell in cells[len(columns):]):
        return ActualRow(line, problem=RowProblem(line, "actuals.error.extra_cells", {"count": len(cells), "columns": len(columns)}))
    return read_row(line, {name: cells[i] for i, name in enumerate(columns) if name and i < len(cells)})


def read_actuals_items(items: Sequence[object]) -> list[ActualRow]:
    """The API's JSON check-ins, read like CSV rows; `line` is each item's index."""
    rows = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            rows.append(ActualRow(index, problem=RowProblem(index, "actuals.error.not_an_object")))
            continue
        rows.append(_json_row(index, item))
    return rows


def _json_row(index: int, item: Mapping) -> ActualRow:
    fields: dict[str, str] = {}
    for name in FIELDS:
        value = item.get(name)
        if name == "value" and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            return ActualRow(index, problem=RowProblem(index, "actuals.error.not_text", {"field": name}))
        fields[name] = value or ""
    key = item.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not key.strip() or len(key) > KEY_LIMIT):
        return ActualRow(index, problem=RowProblem(index, "actuals.error.bad_key", {"limit": KEY_LIMIT}))
    return read_row(index, fields, key)


def read_row(line: int, fields: Mapping[str, str], idempotency_key: str | None = None) -> ActualRow:
    try:
        ref_text = fields.get("ref", "").strip()
        if not ref_text:
            raise UserError("actuals.error.missing_ref")
        ref = parse_ref(ref_text, "usage.checkin", ("KR", "K"))
        value_text = fields.get("value", "").strip()
        if not value_text:
            raise UserError("actuals.error.missing_value", ref=ref_text)
        value = parse_quantity(value_text)
        confidence = None
        if confidence_text := fields.get("confidence", "").strip():
            confidence = CONFIDENCE_WORDS.get(normalize(confidence_text))
            if confidence is None:
                raise UserError("actuals.error.bad_confidence", value=confidence_text)
        note = fields.get("note", "").strip()
        if len(note) > NOTE_LIMIT:
            raise UserError("error.note_too_long", length=len(note))
        day = _date(fields.get("date", "").strip())
        author = fields.get("author", "").strip().removeprefix("@") or None
    except UserError as error:
        return ActualRow(line, problem=problem(line, error))
    return ActualRow(line, ref, value, confidence, note, day, author, idempotency_key)


def _date(text: str) -> date | None:
    if not text:
        return None
    match = _DATE.match(normalize(re.split(r"[T ]", text.strip(), maxsplit=1)[0]))
    try:
        if match is None:
            raise ValueError(text)
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise UserError("error.bad_date", value=text) from None


def problem(line: int, error: UserError) -> RowProblem:
    """A row's error without the usage line: a file has no command to show the usage of."""
    return RowProblem(line, error.key, {k: v for k, v in error.params.items() if k != "usage"})


def apply_actuals(ctx: Context, rows: Sequence[ActualRow], source: str) -> ActualsApplied:
    """Record every row, or none: raises `actuals.error.invalid_rows` carrying every problem."""
    if not rows:
        raise UserError("actuals.error.no_rows")
    members = list(ctx.session.exec(select(Member).where(Member.workspace_id == ctx.workspace.id)).all())
    problems: list[RowProblem] = []
    applied: list[AppliedRow] = []
    occurrences: Counter[str] = Counter()
    for row in rows:
        if row.problem is not None:
            problems.append(row.problem)
            continue
        try:
            acting = _acting(ctx, row, members)
            key = _storage_key(acting, row, source, occurrences)
            with ctx.session.begin_nested():
                result = record_checkin(acting, c.CheckIn(row.ref, row.value, row.confidence, row.note), source=source, idempotency_key=key)
        except UserError as error:
            problems.append(problem(row.line, error))
            continue
        applied.append(_applied(row, result))
    if problems:
        raise UserError("actuals.error.invalid_rows", count=len(problems), rows=tuple(sorted(problems, key=lambda p: p.line)))
    return ActualsApplied(tuple(applied), source)


def _acting(ctx: Context, row: ActualRow, members: list[Member]) -> Context:
    """The context a row is recorded in: its author (if named) and its day (if given)."""
    member, now = ctx.member, ctx.now
    if row.author:
        member = find_member(members, row.author)
        if member.id != ctx.member.id and not ctx.is_manager:
            raise UserError("actuals.error.author_not_allowed", value=row.author)
    if row.day is not None:
        if row.day > ctx.today:
            raise UserError("actuals.error.future_date", value=row.day.isoformat())
        if row.day < ctx.today:  # a past day's actual is dated at its local noon
            now = datetime.combine(row.day, time(12), workspace_zone(ctx.workspace)).astimezone(timezone.utc)
    if member is ctx.member and now == ctx.now:
        return ctx
    return replace(ctx, member=member, now=now)


def find_member(members: list[Member], who: str) -> Member:
    """A member by user id, else by name (case-insensitive); a name two people share names nobody."""
    wanted = who.strip().removeprefix("@").lower()
    by_id = [m for m in members if m.user_id.lower() == wanted]
    if by_id:
        return by_id[0]
    by_name = [m for m in members if (m.name or "").lower() == wanted]
    if len(by_name) == 1:
        return by_name[0]
    raise UserError("actuals.error.ambiguous_author" if by_name else "actuals.error.unknown_author", value=who)


def _storage_key(ctx: Context, row: ActualRow, source: str, occurrences: Counter[str]) -> str | None:
    """The sender's key, or for a file the row itself (on its day): re-running an import the
    same day records nothing twice. Hashed with the team id, as keys are unique across
    workspaces and two senders may well pick the same key."""
    if row.idempotency_key is not None:
        basis = "key\0" + row.idempotency_key
    elif source == "csv":
        content = "\0".join((str(row.ref), str(row.value.value), row.value.unit, row.confidence or "", row.note,
                             (row.day or ctx.today).isoformat(), ctx.member.user_id))
        occurrences[content] += 1
        basis = f"row\0{content}\0{occurrences[content]}"
    else:
        return None
    return f"{source}:" + hashlib.sha256(f"{ctx.workspace.team_id}\0{basis}".encode()).hexdigest()


def _applied(row: ActualRow, result: CheckinRecorded) -> AppliedRow:
    if result.key_result is not None:
        kr = result.key_result
        return AppliedRow(row.line, result.ref, kr.title, row.value.value, kr.unit, result.author, result.duplicate, kr.current, kr.progress,
                          result.objective.team, result.objective.ref, result.objective.progress)
    kpi = result.kpi
    return AppliedRow(row.line, result.ref, kpi.name, row.value.value, kpi.unit, result.author, result.duplicate, kpi.actual, kpi.attainment,
                      kpi.team)


def describe_problems(catalog, language: str, error: UserError) -> list[str]:
    """One line per bad row ("line 3: …"), for an edge that lists them."""
    return [catalog.text(language, "actuals.row", line=p.line, message=catalog.text(language, p.key, **p.params))
            for p in error.params.get("rows", ())]
