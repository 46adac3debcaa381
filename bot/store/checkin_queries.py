"""The typed check-in's two statements: everything it needs in one read, then one insert.

A check-in on a key result used to cost ten statements (workspace, member, objective, key
result, team leads, aligned children, period state, insert, then all members and the
objective's key results for the reply). Here one read returns the objective's open key results,
each beside the workspace, the asker, the objective and its owner, its team and parent, the
period's state, and each key result's two newest check-ins; the reply's new progress is
computed from that and the value just written. Both statements are built once per dialect,
with bound parameters, as SQLAlchemy Core: no ORM objects to build and track.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Connection, Insert, Row, Select, and_, bindparam, exists, insert, or_, select
from sqlalchemy.orm import aliased

from bot.store.claims import claim_in, claim_params, claim_statement
from bot.store.models import Checkin, KeyResult, Member, Objective, PeriodState, Team, Workspace


def situation(connection: Connection, team_id: str, user_id: str, objective_number: int) -> list[Row]:
    """One row per open key result of objective `objective_number`; none if the workspace, the
    member or the objective is unknown (the general path then says which)."""
    params = {"team_id": team_id, "user_id": user_id, "objective_number": objective_number}
    return list(connection.execute(_situation_statement(), params))


def record(connection: Connection, claim: str | None, **values) -> bool:
    """Write the check-in, claiming the request's key `claim` (if given) in the same transaction:
    False, and nothing written, if the key was claimed before. On PostgreSQL the claim and the
    check-in are one statement (each statement is a round trip there: a third of a millisecond)."""
    if claim is None:
        connection.execute(_insert_statement(), values)
        return True
    if connection.dialect.name == "postgresql":
        params = {**claim_params(claim), **{f"v_{name}": value for name, value in values.items()}}
        return connection.execute(_claimed_insert_statement(tuple(values)), params).first() is not None
    if not claim_in(connection, claim):
        return False
    connection.execute(_insert_statement(), values)
    return True


@cache
def _insert_statement() -> Insert:
    return insert(Checkin.__table__)


@cache
def _claimed_insert_statement(names: tuple[str, ...]) -> Insert:
    """WITH claim AS (INSERT INTO seen_request … ON CONFLICT DO NOTHING RETURNING key)
    INSERT INTO checkin (…) SELECT :values FROM claim RETURNING id: no claim row, no check-in."""
    table = Checkin.__table__
    claimed = claim_statement("postgresql").cte("claim")
    values = select(*[bindparam(f"v_{name}", type_=table.c[name].type).label(name) for name in names]).select_from(claimed)
    return insert(table).from_select(list(names), values).returning(table.c.id).add_cte(claimed)


@cache
def _situation_statement() -> Select:
    """Four tables are joined (workspace, asker, objective, key results) plus each key result's two
    newest check-ins; everything reached by a key from those rows (owners, team, parents, period,
    authors) is a scalar subquery. PostgreSQL plans a join of fifteen tables with its genetic
    optimizer in about 3.5 ms, on every execution (its plan cache keeps choosing custom plans):
    eight times the query's own run time. Subqueries are planned one by one, in a fraction of it."""
    ws, me, o, kr = (t.__table__ for t in (Workspace, Member, Objective, KeyResult))
    members, team, period = Member.__table__, Team.__table__, PeriodState.__table__
    parent_o, parent_kr, parent_kr_o = aliased(Objective.__table__), aliased(KeyResult.__table__), aliased(Objective.__table__)
    child, kr_child, sibling = aliased(Objective.__table__), aliased(Objective.__table__), aliased(KeyResult.__table__)
    led = aliased(Team.__table__)
    leads = exists().where(led.c.id == o.c.team_id, led.c.lead_id == me.c.id, led.c.archived_at.is_(None))
    # Each EXISTS sits directly in the outer select, so it correlates to this objective (an IN
    # subquery nested inside one did not: it read every key result of every workspace).
    aligned_below = or_(
        exists().where(child.c.parent_objective_id == o.c.id, child.c.archived_at.is_(None)),
        exists().where(kr_child.c.parent_key_result_id == sibling.c.id, sibling.c.objective_id == o.c.id,
                       kr_child.c.archived_at.is_(None)),
    )
    newest = [_nth_newest(kr, rank) for rank in (1, 2)]
    checkins = [aliased(Checkin.__table__) for _ in newest]

    def member(column: str, member_id, label: str):
        who = aliased(members)
        return select(who.c[column]).where(who.c.id == member_id).scalar_subquery().label(label)

    columns = [
        ws.c.id.label("workspace_id"), ws.c.uninstalled_at, ws.c.language, ws.c.score_cap, ws.c.updates_channel,
        me.c.id.label("me_id"), me.c.role.label("me_role"), me.c.name.label("me_name"), me.c.locale.label("me_locale"),
        o.c.id.label("o_id"), o.c.number.label("o_number"), o.c.title.label("o_title"), o.c.period.label("o_period"),
        o.c.review_on.label("o_review_on"), o.c.level.label("o_level"), o.c.team_id.label("o_team_id"),
        o.c.align_weight.label("o_align_weight"), o.c.archived_at.label("o_archived_at"), o.c.owner_id.label("o_owner_id"),
        member("user_id", o.c.owner_id, "o_owner_user"), member("name", o.c.owner_id, "o_owner_name"),
        select(team.c.name).where(team.c.id == o.c.team_id).scalar_subquery().label("team_name"),
        leads.label("leads_team"), aligned_below.label("aligned_below"),
        select(parent_o.c.number).where(parent_o.c.id == o.c.parent_objective_id).scalar_subquery().label("parent_o_number"),
        select(parent_kr_o.c.number).where(parent_kr.c.id == o.c.parent_key_result_id, parent_kr_o.c.id == parent_kr.c.objective_id)
        .scalar_subquery().label("parent_kr_o_number"),
        select(parent_kr.c.number).where(parent_kr.c.id == o.c.parent_key_result_id).scalar_subquery().label("parent_kr_number"),
        select(period.c.closed_at).where(period.c.workspace_id == ws.c.id, period.c.period == o.c.period).scalar_subquery()
        .label("closed_at"),
        kr.c.id.label("kr_id"), kr.c.number.label("kr_number"), kr.c.title.label("kr_title"), kr.c.start.label("kr_start"),
        kr.c.target.label("kr_target"), kr.c.unit.label("kr_unit"), kr.c.weight.label("kr_weight"), kr.c.measure.label("kr_measure"),
        kr.c.metric.label("kr_metric"), kr.c.channel.label("kr_channel"), kr.c.segment.label("kr_segment"),
        kr.c.created_at.label("kr_created_at"), kr.c.owner_id.label("kr_owner_id"),
        member("user_id", kr.c.owner_id, "kr_owner_user"), member("name", kr.c.owner_id, "kr_owner_name"),
    ]
    for n, c in enumerate(checkins, start=1):
        columns += [c.c.value.label(f"c{n}_value"), c.c.confidence.label(f"c{n}_confidence"), c.c.note.label(f"c{n}_note"),
                    c.c.created_at.label(f"c{n}_at"), c.c.source.label(f"c{n}_source"),
                    member("user_id", c.c.author_id, f"c{n}_author_user"), member("name", c.c.author_id, f"c{n}_author_name")]
    joined = (
        ws.join(me, and_(me.c.workspace_id == ws.c.id, me.c.user_id == bindparam("user_id")))
        .join(o, and_(o.c.workspace_id == ws.c.id, o.c.number == bindparam("objective_number")))
        .join(kr, and_(kr.c.objective_id == o.c.id, kr.c.archived_at.is_(None)))
    )
    for pick, c in zip(newest, checkins):
        joined = joined.outerjoin(c, c.c.id == pick)
    return select(*columns).select_from(joined).where(ws.c.team_id == bindparam("team_id")).order_by(kr.c.number)


def _nth_newest(kr, rank: int):
    """The id of the key result's `rank`-th newest check-in, found by seeking its (created_at, id) index."""
    earlier = aliased(Checkin.__table__)
    return (select(earlier.c.id).where(earlier.c.key_result_id == kr.c.id)
            .order_by(earlier.c.created_at.desc(), earlier.c.id.desc()).limit(1).offset(rank - 1).scalar_subquery())
