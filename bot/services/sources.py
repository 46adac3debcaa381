"""Data sources: linking a KPI or key result to one, listing them, testing, stopping.

A source is read outside any database transaction (a slow warehouse must never hold the
database, or a command's answer, hostage): the use cases here only read and write rows; a
test returns an `AfterCommit` whose reading runs once the transaction is closed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from sqlmodel import col, select

from bot.connectors.fetch import Limits, checked_database_url, read_source
from bot.domain import permissions as p
from bot.domain.errors import UserError
from bot.domain.measures import Measurement, checked_actual
from bot.domain.quantities import Quantity
from bot.domain.source_commands import LinkSource, ListSources, StopSource, TestSource
from bot.domain.sources import SQL, SourceSpec, spec_from_stored
from bot.services import lookup
from bot.services.context import Context
from bot.services.goals import current_measurement
from bot.services.results import AfterCommit
from bot.store.models import KeyResult, Kpi, Objective, Source

COMMAND_TIMEOUT = 2.5  # seconds a test may take inside a command (Slack waits three)


@dataclass(frozen=True)
class SourceView:
    number: int
    ref: str
    title: str
    kind: str
    url: str  # without its secrets
    detail: str  # the column, path or query
    schedule: str
    at: str
    unit: str
    active: bool = True
    last_run_at: datetime | None = None
    last_value: Decimal | None = None
    last_state: str | None = None
    last_error: tuple[str, dict] | None = None  # a catalog key and its values


@dataclass(frozen=True)
class SourceLinked:
    source: SourceView
    replaced: int | None = None  # the item's previous source, now stopped
    secret_sealed: bool = False


@dataclass(frozen=True)
class SourceList:
    sources: tuple[SourceView, ...]
    timezone: str


@dataclass(frozen=True)
class SourceTested:
    ref: str
    url: str
    value: Quantity | None  # what a run would record now
    problem: UserError | None = None
    number: int | None = None  # a stored source's number; None: a definition tried before linking


@dataclass(frozen=True)
class SourceStopped:
    number: int
    ref: str


def link_source(ctx: Context, command: LinkSource) -> SourceLinked | AfterCommit:
    ctx.require(p.MANAGE_SOURCES, action="source")
    ref, row, period = _item(ctx, command.ref)
    ctx.ensure_open(period)
    if row.target is None:
        raise UserError("error.target_not_set", ref=ref, edit="/okr edit" if command.ref.kind == "KR" else "/kpi edit")
    if command.spec.kind == SQL:
        checked_database_url(command.spec.url, ctx.runtime.source_limits, resolve=False)
    if command.test:
        return _tested_later(ctx, ref, command.spec, current_measurement(row), None)
    sealed = ctx.runtime.secrets.seal(command.spec.secret(), command.spec.has_secret)
    item_column = Source.key_result_id if command.ref.kind == "KR" else Source.kpi_id
    replaced = ctx.session.exec(select(Source).where(Source.workspace_id == ctx.workspace.id, item_column == row.id, Source.active == True)).first()  # noqa: E712
    if replaced is not None:
        replaced.active = False
    source = Source(workspace_id=ctx.workspace.id, number=0, kind=command.spec.kind, settings=json.dumps(command.spec.public()), secret=sealed,
                    schedule=command.spec.schedule, at=command.spec.at.strftime("%H:%M"), created_by=ctx.member.id, created_at=ctx.now,
                    key_result_id=row.id if command.ref.kind == "KR" else None, kpi_id=row.id if command.ref.kind == "K" else None)
    lookup.insert_numbered(ctx.session, source, Source.workspace_id, ctx.workspace.id)
    return SourceLinked(_view(source, ref, _title(row), row.unit), replaced.number if replaced else None, command.spec.has_secret)


def list_sources(ctx: Context, _command: ListSources) -> SourceList:
    rows = ctx.session.exec(select(Source).where(Source.workspace_id == ctx.workspace.id, Source.active == True)  # noqa: E712
                            .order_by(Source.number)).all()
    return SourceList(tuple(_view(row, *_describe(ctx, row)) for row in rows), ctx.workspace.timezone or "UTC")


def test_source(ctx: Context, command: TestSource) -> AfterCommit:
    ctx.require(p.MANAGE_SOURCES, action="source")
    source = _source(ctx, command.number)
    ref, _, _ = _describe(ctx, source)
    row = ctx.session.get(KeyResult if source.key_result_id else Kpi, source.key_result_id or source.kpi_id)
    return _tested_later(ctx, ref, stored_spec(ctx.runtime.secrets, source), current_measurement(row), source.number)


def stop_source(ctx: Context, command: StopSource) -> SourceStopped:
    ctx.require(p.MANAGE_SOURCES, action="source")
    source = _source(ctx, command.number)
    source.active = False
    return SourceStopped(source.number, _describe(ctx, source)[0])


def stored_spec(secrets, source: Source) -> SourceSpec:
    return spec_from_stored(json.loads(source.settings), secrets.open(source.secret))


def _tested_later(ctx: Context, ref: str, spec: SourceSpec, measurement: Measurement, number: int | None) -> AfterCommit:
    """Read once, after the transaction, with a command's short deadline; store nothing."""
    limits = replace(ctx.runtime.source_limits, timeout=min(COMMAND_TIMEOUT, ctx.runtime.source_limits.timeout))

    def read() -> SourceTested:
        try:
            quantity = read_now(spec, limits, ref, measurement)
        except UserError as problem:
            return SourceTested(ref, spec.display_url, None, problem, number)
        return SourceTested(ref, spec.display_url, quantity, None, number)

    return AfterCommit(read)


def read_now(spec: SourceSpec, limits: Limits, ref: str, measurement: Measurement) -> Quantity:
    """The source's number as the item would record it (the same checks as a typed check-in)."""
    quantity = read_source(spec, limits)
    return Quantity(checked_actual(ref, measurement, quantity), measurement.unit)


def _item(ctx: Context, ref) -> tuple[str, KeyResult | Kpi, str]:
    if ref.kind == "KR":
        objective, row = lookup.key_result(ctx, ref)
        return str(ref), row, objective.period
    row = lookup.kpi(ctx, ref.number)
    return str(ref), row, row.period


def _source(ctx: Context, number: int) -> Source:
    found = ctx.session.exec(select(Source).where(Source.workspace_id == ctx.workspace.id, Source.number == number,
                                                 Source.active == True)).first()  # noqa: E712
    if found is None:
        raise UserError("source.error.unknown", number=number)
    return found


def _describe(ctx: Context, source: Source) -> tuple[str, str, str]:
    """(ref, title, unit) of the item a source feeds."""
    if source.key_result_id:
        kr, objective_number = ctx.session.exec(select(KeyResult, Objective.number).join(Objective, Objective.id == KeyResult.objective_id)
                                                .where(KeyResult.id == source.key_result_id)).one()
        return f"KR{objective_number}.{kr.number}", kr.title, kr.unit
    kpi = ctx.session.get(Kpi, source.kpi_id)
    return f"K{kpi.number}", kpi.name, kpi.unit


def _title(row: KeyResult | Kpi) -> str:
    return row.title if isinstance(row, KeyResult) else row.name


def _view(source: Source, ref: str, title: str, unit: str) -> SourceView:
    public = json.loads(source.settings)
    detail = public.get("column") or public.get("path") or public.get("query") or ""
    error = tuple(json.loads(source.last_error)) if source.last_error else None
    return SourceView(source.number, ref, title, source.kind, public.get("url", ""), detail, source.schedule, source.at, unit,
                      source.active, source.last_run_at, source.last_value, source.last_state, error)


def active_sources(session, workspace_ids: list[int] | None = None) -> list[Source]:
    query = select(Source).where(Source.active == True)  # noqa: E712
    if workspace_ids is not None:
        query = query.where(col(Source.workspace_id).in_(workspace_ids))
    return list(session.exec(query).all())
