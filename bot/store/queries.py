"""Loading a period's goals as plain records, in a fixed number of queries.

Whatever the number of objectives or key results, a listing costs the same four or five
statements: no query per item (the digest of a large workspace depends on it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import cache

from sqlalchemy import ARRAY, Integer, Select, any_, bindparam, literal, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.domain.alignment import MAX_DEPTH
from bot.domain.views import CheckinRecord, KeyResultRecord, KpiRecord, ObjectiveRecord, Person, Tags
from bot.store.models import Checkin, KeyResult, Kpi, Member, Objective, Team

LATEST_PER_ITEM = 2


def people(session: Session, workspace_id: int) -> dict[int, Person]:
    members = session.exec(select(Member.id, Member.user_id, Member.name).where(Member.workspace_id == workspace_id)).all()
    return {m.id: Person(m.user_id, m.name or m.user_id) for m in members}


def latest_checkins(session: Session, workspace_id: int, column, item_ids: Iterable[int], who: dict[int, Person],
                    per_item: int = LATEST_PER_ITEM, before: datetime | None = None) -> dict[int, list[CheckinRecord]]:
    """The newest `per_item` check-ins of each item (as of `before`), newest first, in one statement."""
    ids = list(item_ids)
    if not ids:
        return {}
    params = {"workspace_id": workspace_id, "ids": ids}
    if before is not None:
        params["before"] = before
    dialect = session.get_bind().dialect.name
    rows = session.execute(_latest_checkins_statement(column.key, before is not None, per_item, dialect), params).all()
    found: dict[int, list[CheckinRecord]] = defaultdict(list)
    for row in rows:
        found[row.item_id].append(CheckinRecord(row.value, row.confidence, row.note, who.get(row.author_id, Person("?", "?")), row.created_at,
                                                row.source))
    return found


@cache
def _latest_checkins_statement(item_column: str, as_of: bool, per_item: int, dialect: str) -> Select:
    """For each item and each rank n ≤ per_item, its n-th newest check-in's id, found by seeking
    the item's (created_at, id) index backwards; then those check-ins. The cost follows the
    number of items, not the length of their history (a window function over the history took
    a second for a workspace of 100,000 check-ins). Built once per shape, with bound parameters;
    PostgreSQL takes the ids as one array, not a thousand parameters to parse."""
    column = getattr(Checkin, item_column)
    items = KeyResult if item_column == "key_result_id" else Kpi
    picks = []
    for rank in range(1, per_item + 1):
        earlier = aliased(Checkin)
        nth_newest = select(earlier.id).where(getattr(earlier, item_column) == items.id)
        if as_of:
            nth_newest = nth_newest.where(earlier.created_at <= bindparam("before", type_=Checkin.__table__.c.created_at.type))
        nth_newest = nth_newest.order_by(earlier.created_at.desc(), earlier.id.desc()).limit(1).offset(rank - 1).scalar_subquery()
        picks.append(select(nth_newest.label("checkin_id"), literal(rank).label("rank"))
                     .where(items.workspace_id == bindparam("workspace_id"), _among(col(items.id), "ids", dialect)))
    chosen = union_all(*picks).subquery()
    # No condition on the check-in table itself: the chosen ids drive the join by primary key.
    # (A workspace filter there let PostgreSQL, before it had statistics on freshly loaded
    # rows, scan the check-ins first and re-run the picks for each: minutes, not milliseconds.)
    return (
        select(col(column).label("item_id"), Checkin.value, Checkin.confidence, Checkin.note, Checkin.author_id, Checkin.created_at,
               Checkin.source)
        .select_from(chosen).join(Checkin, Checkin.id == chosen.c.checkin_id)
        .order_by(chosen.c.rank)
    )


def values_before(session: Session, workspace_id: int, kr_ids: list[int], kpi_ids: list[int], moment: datetime) -> tuple[dict, dict]:
    """Each key result's and each KPI's value as it stood at `moment`, in one statement: ({kr id:
    value}, {kpi id: value})."""
    if not kr_ids and not kpi_ids:
        return {}, {}
    dialect = session.get_bind().dialect.name
    params = {"workspace_id": workspace_id, "kr_ids": kr_ids or [0], "kpi_ids": kpi_ids or [0], "before": moment}
    found: tuple[dict, dict] = ({}, {})
    for kind, item_id, value in session.execute(_values_before_statement(dialect), params).all():
        found[kind][item_id] = value
    return found


@cache
def _values_before_statement(dialect: str) -> Select:
    parts = []
    for kind, (items, column, ids) in enumerate(((KeyResult, "key_result_id", "kr_ids"), (Kpi, "kpi_id", "kpi_ids"))):
        earlier = aliased(Checkin)
        newest = (select(earlier.id).where(getattr(earlier, column) == items.id,
                                           earlier.created_at <= bindparam("before", type_=Checkin.__table__.c.created_at.type))
                  .order_by(earlier.created_at.desc(), earlier.id.desc()).limit(1).scalar_subquery())
        picked = (select(literal(kind).label("kind"), items.id.label("item_id"), newest.label("checkin_id"))
                  .where(items.workspace_id == bindparam("workspace_id"), _among(col(items.id), ids, dialect)))
        parts.append(picked)
    chosen = union_all(*parts).subquery()
    return select(chosen.c.kind, chosen.c.item_id, Checkin.value).select_from(chosen).join(Checkin, Checkin.id == chosen.c.checkin_id)


def _among(column, name: str, dialect: str):
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))


# Plain rows, not ORM objects, for the records below: a digest reads 1,200 items, and building
# (and later collecting) tracked objects for them was a third of its time.
_KEY_RESULT_COLUMNS = (KeyResult.id, KeyResult.objective_id, KeyResult.number, KeyResult.title, KeyResult.start, KeyResult.target,
                       KeyResult.unit, KeyResult.weight, KeyResult.owner_id, KeyResult.measure, KeyResult.metric, KeyResult.channel,
                       KeyResult.segment, KeyResult.created_at)
_KPI_COLUMNS = (Kpi.id, Kpi.number, Kpi.name, Kpi.period, Kpi.target, Kpi.unit, Kpi.weight, Kpi.direction, Kpi.perspective, Kpi.owner_id,
                Kpi.measure, Kpi.start, Kpi.metric, Kpi.channel, Kpi.segment, Kpi.created_at, Kpi.level, Kpi.team_id)


def team_names(session: Session, workspace_id: int) -> dict[int, str]:
    return dict(session.exec(select(Team.id, Team.name).where(Team.workspace_id == workspace_id)).all())


def objective_records(session: Session, workspace_id: int, objectives: list[Objective], who: dict[int, Person],
                      per_item: int = LATEST_PER_ITEM, teams: Mapping[int, str] | None = None,
                      ) -> tuple[list[ObjectiveRecord], list[KeyResultRecord]]:
    """`teams`: team id → name (read when not given). A parent among `objectives` (or their key
    results) is named without another statement; one outside them costs one more."""
    if not objectives:
        return [], []
    numbers = {o.id: o.number for o in objectives}
    krs = session.exec(
        select(*_KEY_RESULT_COLUMNS).where(col(KeyResult.objective_id).in_(list(numbers)), col(KeyResult.archived_at).is_(None))
    ).all()
    checkins = latest_checkins(session, workspace_id, Checkin.key_result_id, (kr.id for kr in krs), who, per_item=per_item)
    if teams is None:
        teams = team_names(session, workspace_id) if any(o.team_id for o in objectives) else {}
    parents = _parent_refs(session, objectives, numbers, {kr.id: f"KR{numbers[kr.objective_id]}.{kr.number}" for kr in krs})
    objective_rows = [
        ObjectiveRecord(o.number, o.title, o.period, who[o.owner_id], o.review_on, o.level, teams.get(o.team_id) if o.team_id else None,
                        parents.get(o.id), o.align_weight, o.id)
        for o in objectives
    ]
    kr_rows = [
        KeyResultRecord(numbers[kr.objective_id], kr.number, kr.title, kr.start, kr.target, kr.unit, kr.weight, who[kr.owner_id],
                        checkins.get(kr.id, []), kr.id, kr.measure, Tags(kr.metric, kr.channel, kr.segment), _day(kr.created_at))
        for kr in krs
    ]
    return objective_rows, kr_rows


def _parent_refs(session: Session, objectives: list[Objective], numbers: dict[int, int], kr_refs: dict[int, str]) -> dict[int, str]:
    """Each aligned objective's parent as a ref ("O1", "KR1.2")."""
    found: dict[int, str] = {}
    missing_objectives, missing_krs = set(), set()
    for o in objectives:
        if o.parent_objective_id is not None:
            if o.parent_objective_id in numbers:
                found[o.id] = f"O{numbers[o.parent_objective_id]}"
            else:
                missing_objectives.add(o.parent_objective_id)
        elif o.parent_key_result_id is not None:
            if o.parent_key_result_id in kr_refs:
                found[o.id] = kr_refs[o.parent_key_result_id]
            else:
                missing_krs.add(o.parent_key_result_id)
    if missing_objectives or missing_krs:
        parent = aliased(Objective)
        rows = session.exec(
            select(literal("O").label("kind"), parent.id, parent.number, literal(0).label("kr_number"))
            .where(col(parent.id).in_(missing_objectives or {0}))
            .union_all(select(literal("KR"), KeyResult.id, parent.number, KeyResult.number)
                       .join(parent, parent.id == KeyResult.objective_id).where(col(KeyResult.id).in_(missing_krs or {0})))
        ).all()
        refs = {(kind, item_id): f"O{number}" if kind == "O" else f"KR{number}.{kr_number}" for kind, item_id, number, kr_number in rows}
        for o in objectives:
            if o.id not in found and o.parent_objective_id is not None and ("O", o.parent_objective_id) in refs:
                found[o.id] = refs[("O", o.parent_objective_id)]
            elif o.id not in found and o.parent_key_result_id is not None and ("KR", o.parent_key_result_id) in refs:
                found[o.id] = refs[("KR", o.parent_key_result_id)]
    return found


def subtree(session: Session, root: Objective) -> list[Objective]:
    """An objective and every open objective aligned below it, one statement per level: what
    its roll-up reads."""
    found, frontier = [root], [root.id]
    seen = {root.id}
    for _ in range(MAX_DEPTH):
        below_krs = select(KeyResult.id).where(col(KeyResult.objective_id).in_(frontier))
        children = [o for o in session.exec(select(Objective).where(
            (col(Objective.parent_objective_id).in_(frontier)) | (col(Objective.parent_key_result_id).in_(below_krs)),
            col(Objective.archived_at).is_(None))).all() if o.id not in seen]
        if not children:
            break
        seen.update(o.id for o in children)
        found += children
        frontier = [o.id for o in children]
    return found


def period_objectives(session: Session, workspace_id: int, period: str) -> list[Objective]:
    return list(session.exec(
        select(Objective).where(Objective.workspace_id == workspace_id, Objective.period == period, col(Objective.archived_at).is_(None)).order_by(Objective.number)
    ).all())


def kpi_records(session: Session, workspace_id: int, period: str | list[str], who: dict[int, Person], number: int | None = None,
                per_item: int = LATEST_PER_ITEM, teams: Mapping[int, str] | None = None) -> list[KpiRecord]:
    """The period's open KPIs (or several periods', in the same two statements), or only KPI `number`."""
    periods = [period] if isinstance(period, str) else list(period)
    conditions = [Kpi.workspace_id == workspace_id, col(Kpi.period).in_(periods), col(Kpi.archived_at).is_(None)]
    if number is not None:
        conditions.append(Kpi.number == number)
    kpis = session.exec(select(*_KPI_COLUMNS).where(*conditions).order_by(Kpi.number)).all()
    checkins = latest_checkins(session, workspace_id, Checkin.kpi_id, (k.id for k in kpis), who, per_item=per_item)
    if teams is None:
        teams = team_names(session, workspace_id) if any(k.team_id for k in kpis) else {}
    return [
        KpiRecord(k.number, k.name, k.period, k.target, k.unit, k.weight, k.direction, k.perspective, who[k.owner_id],
                  checkins.get(k.id, []), k.id, k.measure, k.start, Tags(k.metric, k.channel, k.segment), _day(k.created_at),
                  k.level, teams.get(k.team_id) if k.team_id else None)
        for k in kpis
    ]


def _day(moment: datetime | None) -> date:
    return moment.date() if moment is not None else date.min
