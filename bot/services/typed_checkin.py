"""The hot path: a check-in typed on a key result, in one read and one insert.

Most commands are read rarely; `/checkin KR1.2 40` is typed by every member every week, and
Slack waits for its answer. `checkins.record_checkin` keeps every rule with ORM objects and ten
statements. Here the same rules are checked on one row per key result of the objective
(`bot.store.checkin_queries`), and the objective's new progress is computed from those rows and
the value just written.

Anything out of the ordinary (a new member, a changed name or locale, an unknown, archived,
unset or rolled-up item, a closed period, an objective with others aligned to it, a check-in the
asker may not make) is not handled here: `typed_checkin` answers None before writing anything,
and the caller takes the general path, which explains the refusal or does the rarer work. So
both paths accept and refuse the same check-ins, with the same words; the tests run the
refusals through this entry point.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

from bot.domain import commands as c
from bot.domain import permissions as p
from bot.domain.errors import UserError
from bot.domain.views import CheckinRecord, KeyResultRecord, ObjectiveRecord, Person, Tags, objective_views
from bot.services.context import Actor, reader_language
from bot.services.goals import current_measurement
from bot.services.checkins import checked_values
from bot.services.deliveries import Delivery
from bot.services.results import CheckinRecorded, Outcome, Replayed
from bot.services.runtime import Runtime
from bot.store import checkin_queries
from bot.store.database import queued_transaction


class _TakeTheGeneralPath(Exception):
    """Raised inside the transaction, so that nothing read or written is kept."""


def typed_checkin(runtime: Runtime, actor: Actor, command: c.CheckIn, *, now: datetime | None = None,
                  source: str = "slack", delivery: Delivery | None = None) -> Outcome | None:
    """The check-in recorded (or refused for its value, note or confidence), or None: not the
    common case. The request's `delivery` (not known to be a replay: the caller checks) is claimed
    with the check-in's insert; a replay writes nothing and answers `Replayed`."""
    now = now or datetime.now(timezone.utc)
    try:
        with queued_transaction(runtime.engine) as connection:
            rows = checkin_queries.situation(connection, actor.team_id, actor.user_id, command.ref.objective)
            first, mine = _usual(rows, actor, command)
            language = reader_language(first.language, first.me_locale)
            try:
                value, note = checked_values(command, current_measurement(_item(mine)))
            except UserError as error:
                return Outcome(None, error, language)  # nothing written, nothing claimed: a replay is refused alike
            fresh = checkin_queries.record(connection, delivery.unclaimed_key if delivery else None, workspace_id=first.workspace_id,
                                           key_result_id=mine.kr_id, kpi_id=None, value=value, confidence=command.confidence, note=note,
                                           author_id=first.me_id, source=source, created_at=now, idempotency_key=None)
    except _TakeTheGeneralPath:
        return None
    if delivery is not None:
        delivery.settled(fresh)
    if not fresh:
        return Outcome(Replayed(), None, language)  # nothing was written: the request was acted on before
    author = Person(actor.user_id, first.me_name or actor.user_id)
    written = CheckinRecord(value, command.confidence, note, author, now, source)
    objective, key_result = _pictures(rows, mine, written)
    return Outcome(CheckinRecorded(ref=str(command.ref), author=author, key_result=key_result, objective=objective, note=note,
                                        confidence=command.confidence, announce_to=first.updates_channel), None, language)


def _usual(rows: list, actor: Actor, command: c.CheckIn):
    """The first row and the key result's own, if this is the common case; else the general path."""
    if not rows:
        raise _TakeTheGeneralPath
    first = rows[0]
    mine = next((row for row in rows if row.kr_number == command.ref.number), None)
    unusual = (
        mine is None or mine.kr_target is None or first.uninstalled_at is not None or first.o_archived_at is not None
        or first.aligned_below or first.closed_at is not None
        or (actor.name and first.me_name != actor.name) or (actor.locale and first.me_locale != actor.locale)
    )
    if unusual:
        raise _TakeTheGeneralPath
    standing = p.Standing(first.me_id, first.me_role, frozenset({first.o_team_id}) if first.leads_team else frozenset())
    if not p.allowed(p.CHECK_IN, standing, p.Scope(first.o_team_id, frozenset({mine.kr_owner_id, first.o_owner_id}))):
        raise _TakeTheGeneralPath
    return first, mine


def _item(row) -> SimpleNamespace:
    return SimpleNamespace(measure=row.kr_measure, start=row.kr_start, target=row.kr_target, unit=row.kr_unit)


def _pictures(rows: list, mine, written: CheckinRecord):
    """The objective and the key result as they stand now: the same views every listing builds."""
    first = rows[0]
    parent = (f"O{first.parent_o_number}" if first.parent_o_number is not None
              else f"KR{first.parent_kr_o_number}.{first.parent_kr_number}" if first.parent_kr_number is not None else None)
    objective = ObjectiveRecord(first.o_number, first.o_title, first.o_period, _person(first.o_owner_user, first.o_owner_name),
                                first.o_review_on, first.o_level, first.team_name, parent, first.o_align_weight, first.o_id)
    key_results = [
        KeyResultRecord(first.o_number, row.kr_number, row.kr_title, row.kr_start, row.kr_target, row.kr_unit, row.kr_weight,
                        _person(row.kr_owner_user, row.kr_owner_name),
                        [written, *_checkins(row)[:1]] if row is mine else _checkins(row),
                        row.kr_id, row.kr_measure, Tags(row.kr_metric, row.kr_channel, row.kr_segment),
                        row.kr_created_at.date() if row.kr_created_at else date.min)
        for row in rows
    ]
    view = objective_views([objective], key_results, first.score_cap / 100)[0]
    return view, next(kr for kr in view.key_results if kr.ref == f"KR{first.o_number}.{mine.kr_number}")


def _checkins(row) -> list[CheckinRecord]:
    found = []
    for n in (1, 2):
        if getattr(row, f"c{n}_value") is not None:
            found.append(CheckinRecord(getattr(row, f"c{n}_value"), getattr(row, f"c{n}_confidence"), getattr(row, f"c{n}_note") or "",
                                       _person(getattr(row, f"c{n}_author_user"), getattr(row, f"c{n}_author_name")),
                                       getattr(row, f"c{n}_at"), getattr(row, f"c{n}_source") or ""))
    return found


def _person(user_id: str | None, name: str | None) -> Person:
    return Person(user_id or "?", name or user_id or "?")
