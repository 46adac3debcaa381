"""One scheduled run of a data source: read it (outside any transaction), record the number as
an ordinary check-in keyed by the run's send key (so it is written once, whatever retries or
replicas do), and keep the source's last state; a failing spell is reported to the owner once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import select

from bot.domain import commands as c
from bot.domain.errors import UserError
from bot.domain.words import parse_ref
from bot.services.checkins import record_checkin
from bot.services.context import Actor
from bot.services.dispatch import reader_language, run_use_case
from bot.services.goals import current_measurement
from bot.services.runtime import Runtime
from bot.services.sources import read_now, stored_spec
from bot.store.database import queued_session
from bot.store.models import KeyResult, Kpi, Member, Objective, Source, Workspace


@dataclass(frozen=True)
class SourceRun:
    ok: bool
    skipped: bool = False  # the source was stopped, or its item archived, since the run was due
    value: Decimal | None = None
    problem: UserError | None = None
    tell: str | None = None  # the user id to tell of a failure (the first of a failing spell)
    team_id: str = ""  # the workspace's Slack team
    language: str = "en"
    ref: str = ""
    title: str = ""
    failing_since: datetime | None = None


def run_source(runtime: Runtime, source_id: int, key: str, now: datetime) -> SourceRun:
    with queued_session(runtime.engine, expire_on_commit=False) as session:
        source = session.get(Source, source_id)
        if source is None or not source.active:
            return SourceRun(ok=True, skipped=True)
        workspace = session.get(Workspace, source.workspace_id)
        item, objective = _item(session, source)
        if item.archived_at is not None or (objective is not None and objective.archived_at is not None):
            source.active = False  # nothing left to feed
            session.commit()
            return SourceRun(ok=True, skipped=True)
        ref = f"KR{objective.number}.{item.number}" if objective is not None else f"K{item.number}"
        title = item.title if isinstance(item, KeyResult) else item.name
        creator = session.get(Member, source.created_by)
        owner = session.get(Member, item.owner_id)
        measurement = current_measurement(item)
        number = source.number
        try:
            spec = stored_spec(runtime.secrets, source)
        except UserError as problem:
            spec, early = None, problem
        else:
            early = None
    language = reader_language(workspace.language, owner.locale if owner else None)
    context = dict(team_id=workspace.team_id, language=language, ref=ref, title=title)
    problem, value = early, None
    if problem is None:
        try:
            quantity = read_now(spec, runtime.source_limits, ref, measurement)
        except UserError as error:
            problem = error
        else:
            actor = Actor(workspace.team_id, creator.user_id, creator.name)
            outcome = run_use_case(runtime, actor, lambda ctx: record_checkin(
                ctx, c.CheckIn(parse_ref(ref, ""), quantity), source=f"source:{number}", idempotency_key=key), now=now,
                label=f"source {source_id}")
            problem, value = outcome.error, quantity.value
    return _settle(runtime, source_id, now, value, problem, owner.user_id if owner else None, context)


def _item(session, source: Source):
    if source.key_result_id is not None:
        item = session.get(KeyResult, source.key_result_id)
        return item, session.get(Objective, item.objective_id)
    return session.get(Kpi, source.kpi_id), None


def _settle(runtime: Runtime, source_id: int, now: datetime, value: Decimal | None, problem: UserError | None, owner: str | None,
            context: dict) -> SourceRun:
    """Record how the run went; say whom to tell when this is the first failure since it worked."""
    with queued_session(runtime.engine) as session:
        source = session.exec(select(Source).where(Source.id == source_id)).one()
        source.last_run_at = now
        if problem is None:
            source.last_state, source.last_value, source.last_error = "ok", value, None
            source.failing_since = source.notified_at = None
            session.commit()
            return SourceRun(ok=True, value=value, **context)
        source.last_state = "failed"
        source.last_error = json.dumps([problem.key, {k: str(v) for k, v in problem.params.items() if k != "usage"}])[:400]
        source.failing_since = source.failing_since or now
        tell = None
        if source.notified_at is None:  # once per failing spell, not every run
            source.notified_at, tell = now, owner
        since = source.failing_since
        session.commit()
        return SourceRun(ok=False, problem=problem, tell=tell, failing_since=since, **context)


def forget_notice(engine, source_id: int) -> None:
    """The failure notice could not be posted: the next failing run tries to tell again."""
    with queued_session(engine) as session:
        source = session.get(Source, source_id)
        if source is not None:
            source.notified_at = None
            session.commit()
