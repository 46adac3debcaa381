"""Fetching a source: one HTTP GET (CSV or JSON) or one SQL query, bounded in time and size."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urljoin

import httpx
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from bot.connectors.guard import check_host, check_url
from bot.domain.quantities import Quantity
from bot.domain.sources import CSV, JSON, SourceProblem, SourceSpec, csv_value, json_value, reading, sql_value

MAX_REDIRECTS = 3


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds for a whole fetch or query
    max_bytes: int = 5_000_000
    denied: tuple = ()
    own_database: str | None = None  # the bot's own database: never a source (it holds every workspace)


def read_source(spec: SourceSpec, limits: Limits) -> Quantity:
    """The number the source gives now, or a SourceProblem saying why there is none."""
    if spec.kind in (CSV, JSON):
        body = http_get(spec.url, {spec.header: spec.header_value} if spec.header and spec.header_value else {}, limits)
        if spec.kind == CSV:
            raw = csv_value(_text(body), spec.column or "", spec.date_column)
        else:
            try:
                document = json.loads(_text(body), parse_float=Decimal)
            except ValueError as error:
                raise SourceProblem("source.error.bad_json", detail=str(error)[:120]) from None
            raw = json_value(document, spec.path or "$")
    else:
        raw = sql_value(sql_rows(spec.url, spec.query or "", limits))
    return reading(raw, spec.scale)


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return body.decode("gb18030")  # a spreadsheet exported on a Chinese system
        except UnicodeDecodeError:
            raise SourceProblem("source.error.not_text") from None


def http_get(url: str, headers: dict, limits: Limits) -> bytes:
    """GET with redirects followed by hand (each target checked), a deadline, and a size cap."""
    try:
        with httpx.Client(timeout=limits.timeout, follow_redirects=False, headers={"User-Agent": "perfbot-source/1"}) as client:
            for _ in range(MAX_REDIRECTS + 1):
                check_url(url, limits.denied)
                with client.stream("GET", url, headers=headers) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code != 200:
                        raise SourceProblem("source.error.http_status", status=response.status_code)
                    declared = int(response.headers.get("content-length") or 0)
                    if declared > limits.max_bytes:
                        raise SourceProblem("source.error.too_large", limit=limits.max_bytes)
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > limits.max_bytes:
                            raise SourceProblem("source.error.too_large", limit=limits.max_bytes)
                    return bytes(body)
            raise SourceProblem("source.error.too_many_redirects")
    except httpx.TimeoutException:
        raise SourceProblem("source.error.timeout", seconds=limits.timeout) from None
    except httpx.HTTPError as error:
        raise SourceProblem("source.error.unreachable", detail=type(error).__name__) from None


def sql_rows(url: str, query: str, limits: Limits) -> list[tuple]:
    """One query in a read-only transaction with a statement timeout; the engine is not kept."""
    parsed = checked_database_url(url, limits)
    backend = parsed.get_backend_name()
    connect_args = {"connect_timeout": max(1, int(limits.timeout))}
    try:
        engine = create_engine(parsed, connect_args=connect_args, poolclass=NullPool)
    except (NoSuchModuleError, ArgumentError, ImportError):
        raise SourceProblem("source.error.no_driver", backend=backend) from None
    try:
        with engine.connect() as connection:
            if inspect(connection).has_table("seen_request") and inspect(connection).has_table("insight_state"):
                raise SourceProblem("source.error.own_database")  # a perfbot database, under another name
            _read_only(connection, backend, limits.timeout)
            rows = [tuple(row) for row in connection.execute(text(query)).fetchmany(2)]
            connection.rollback()
            return rows
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", error)).splitlines()[0][:160] if str(getattr(error, "orig", error)) else type(error).__name__
        raise SourceProblem("source.error.sql_failed", detail=detail) from None
    finally:
        engine.dispose()


def checked_database_url(url: str, limits: Limits, resolve: bool = True):
    """A server database (a file database would let a source read this machine's files), on an
    allowed host, and not the bot's own database (which holds every workspace's data).
    `resolve`: also look the host up (not while linking: no DNS inside a transaction)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SourceProblem("source.error.bad_database_url") from None
    if not parsed.host:
        raise SourceProblem("source.error.server_database_only")
    if limits.own_database:
        own = make_url(limits.own_database)
        if (own.host, own.port, own.database) == (parsed.host, parsed.port, parsed.database):
            raise SourceProblem("source.error.own_database")
    if resolve:
        check_host(parsed.host, parsed.port or 0, limits.denied)
    return parsed


def _read_only(connection, backend: str, timeout: float) -> None:
    milliseconds = int(timeout * 1000)
    if backend == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
    elif backend in ("mysql", "mariadb"):
        connection.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
        connection.exec_driver_sql(f"SET SESSION max_execution_time = {milliseconds}")
