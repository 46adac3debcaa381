"""A workspace as one JSON document, and back: backups, moving hosts, restoring.

References (O1, KR1.2, K1) and times travel as they are, so a restored workspace reads exactly
like the original; decimals travel as strings, so 6.5 stays 6.5. Database ids never leave:
members are named by user id and items by reference. A document is checked whole before a
single row is written, and only into a workspace with nothing in it yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from bot.domain.errors import UserError
from bot.services.teams import name_key
from bot.store.models import Advice, Checkin, KeyResult, Kpi, Member, Objective, PeriodState, Subscription, Team, TeamMember, Workspace

from bot.services.transfer_document import (  # noqa: F401 - FORMAT and VERSION are part of this module's API
    ADVICE, CHECKIN, FORMAT, KEY_RESULT, KPI, MEMBER, MEMBER_FIELDS, OBJECTIVE, PERIOD_STATE, SUBSCRIPTION, TEAM, VERSION, WORKSPACE,
    check_document,
)

@dataclass(frozen=True)
class ImportSummary:
    team_id: str
    members: int
    objectives: int
    key_results: int
    kpis: int
    checkins: int
    advice: int
    subscriptions: int
    teams: int = 0


def _out(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _fields(row, spec: dict, skip: tuple[str, ...] = ()) -> dict:
    return {name: _out(getattr(row, name)) for name in spec if name not in skip and name not in MEMBER_FIELDS}


def export_workspace(session: Session, team_id: str) -> dict:
    """Everything a workspace holds, as JSON-able data: the same document twice gives the same text."""
    ws = session.exec(select(Workspace).where(Workspace.team_id == team_id)).first()
    if ws is None:
        raise UserError("error.unknown_team", team=team_id)

    def rows(model, order):
        return list(session.exec(select(model).where(model.workspace_id == ws.id).order_by(order)).all())

    members, advice = rows(Member, Member.id), rows(Advice, Advice.id)
    objectives, key_results, kpis = rows(Objective, Objective.number), rows(KeyResult, KeyResult.number), rows(Kpi, Kpi.number)
    who = {m.id: m.user_id for m in members}
    advice_number = {a.id: a.number or n for n, a in enumerate(advice, 1)}
    objective_number = {o.id: o.number for o in objectives}
    refs = {("kr", kr.id): f"KR{objective_number[kr.objective_id]}.{kr.number}" for kr in key_results}
    refs.update({("kpi", k.id): f"K{k.number}" for k in kpis})
    scope = f"~{ws.id}~"  # see _stored_keys: a key scoped on import travels unscoped
    teams = rows(Team, Team.id)
    team_name = {t.id: t.name for t in teams}
    members_of = {t.id: [] for t in teams}
    for row in rows(TeamMember, TeamMember.id):
        members_of[row.team_id].append({"user": who[row.member_id], "from_group": row.from_group})

    def parent_of(o: Objective) -> str | None:
        if o.parent_objective_id is not None:
            return f"O{objective_number[o.parent_objective_id]}"
        return refs[("kr", o.parent_key_result_id)] if o.parent_key_result_id is not None else None

    def place(item) -> dict:
        return {"level": item.level, "team": team_name.get(item.team_id)}

    return {
        "format": FORMAT, "version": VERSION,
        "workspace": _fields(ws, WORKSPACE),
        "members": [_fields(m, MEMBER) for m in members],
        "teams": [{
            "name": t.name, "lead": who.get(t.lead_id), "group_id": t.usergroup_id, "group_handle": t.usergroup_handle,
            "created_at": _out(t.created_at), "archived_at": _out(t.archived_at), "members": members_of[t.id],
        } for t in teams],
        "objectives": [{
            **_fields(o, OBJECTIVE, ("carried_from", "advice", "key_results", "team", "parent", "align_weight")), "owner": who[o.owner_id],
            "created_by": who[o.created_by], "carried_from": objective_number.get(o.carried_from), "advice": advice_number.get(o.advice_id),
            **place(o), "parent": parent_of(o), "align_weight": _out(o.align_weight),
            "key_results": [{**_fields(kr, KEY_RESULT), "owner": who[kr.owner_id]} for kr in key_results if kr.objective_id == o.id],
        } for o in objectives],
        "kpis": [{**_fields(k, KPI, ("advice", "team")), "owner": who[k.owner_id], "advice": advice_number.get(k.advice_id), **place(k)}
                 for k in kpis],
        "checkins": [{
            **_fields(ch, CHECKIN, ("ref", "idempotency_key")), "author": who[ch.author_id],
            "ref": refs[("kr", ch.key_result_id) if ch.key_result_id is not None else ("kpi", ch.kpi_id)],
            "idempotency_key": ch.idempotency_key.removeprefix(scope) if ch.idempotency_key else None,
        } for ch in rows(Checkin, Checkin.id)],
        "period_states": [_fields(s, PERIOD_STATE) for s in rows(PeriodState, PeriodState.period)],
        "advice": [{**_fields(a, ADVICE, ("number", "answers", "result")), "number": advice_number[a.id], "asked_by": who[a.asked_by],
                    "answers": json.loads(a.answers), "result": json.loads(a.result)} for a in advice],
        "subscriptions": [{**_fields(s, SUBSCRIPTION, ("team",)), "created_by": who[s.created_by], "team": team_name.get(s.team_id)}
                          for s in rows(Subscription, Subscription.number)],
    }


COLUMNS = {"owner": "owner_id", "author": "author_id", "lead": "lead_id"}


def import_workspace(session: Session, document: object, team_id: str | None = None) -> ImportSummary:
    """Restore a document into an empty workspace (created if new); `team_id` restores it under another team."""
    doc = check_document(document)
    team = doc["workspace"]["team_id"] if team_id is None else team_id
    if not team.strip() or len(team) > 40:
        raise UserError("transfer.error.bad_team", team=team)
    ws = session.exec(select(Workspace).where(Workspace.team_id == team)).first()
    if ws is None:
        ws = Workspace(team_id=team)
    elif any(session.exec(select(m.id).where(m.workspace_id == ws.id).limit(1)).first() is not None
             for m in (Objective, Kpi, Checkin, Advice, Subscription, PeriodState, Team)):
        raise UserError("transfer.error.not_empty", team=team)
    for name, value in doc["workspace"].items():
        setattr(ws, name, team if name == "team_id" else value)
    session.add(ws)
    session.flush()
    members = {m.user_id: m for m in session.exec(select(Member).where(Member.workspace_id == ws.id)).all()}
    for record in doc["members"]:
        member = members.setdefault(record["user_id"], Member(workspace_id=ws.id, user_id=record["user_id"]))
        for name, value in record.items():
            setattr(member, name, value)
        session.add(member)
    session.flush()

    def add(model, record: dict, skip: tuple[str, ...] = (), **extra):
        values = {COLUMNS.get(n, n): members[v].id if n in MEMBER_FIELDS and v is not None else v for n, v in record.items() if n not in skip}
        row = model(workspace_id=ws.id, **values, **extra)
        session.add(row)
        return row

    teams = {}
    for t in doc["teams"]:
        team = add(Team, t, ("members", "group_id", "group_handle"), usergroup_id=t["group_id"], usergroup_handle=t["group_handle"],
                   name_key=name_key(t["name"]))
        session.flush()
        if t["archived_at"]:
            team.name_key = f"{team.name_key}#{team.id}"[:60]  # as a removed team keeps it: the name is free
        for m in t["members"]:
            session.add(TeamMember(workspace_id=ws.id, team_id=team.id, member_id=members[m["user"]].id, from_group=m["from_group"]))
        if not t["archived_at"] or t["name"] not in teams:  # an item names the open team of that name, if there is one
            teams[t["name"]] = team

    def team_id(record: dict) -> int | None:
        return teams[record["team"]].id if record.get("team") else None

    advice = {a["number"]: add(Advice, a, ("answers", "result"), answers=json.dumps(a["answers"], ensure_ascii=False),
                               result=json.dumps(a["result"], ensure_ascii=False)) for a in doc["advice"]}
    session.flush()
    skip = ("key_results", "carried_from", "advice", "team", "parent")
    objectives = {o["number"]: add(Objective, o, skip, advice_id=advice[o["advice"]].id if o["advice"] else None, team_id=team_id(o))
                  for o in doc["objectives"]}
    session.flush()
    refs: dict[str, dict] = {}
    for o in doc["objectives"]:
        parent = objectives[o["number"]]
        parent.carried_from = objectives[o["carried_from"]].id if o["carried_from"] else None
        for kr in o["key_results"]:
            refs[f"KR{o['number']}.{kr['number']}"] = {"key_result": add(KeyResult, kr, objective_id=parent.id)}
    for k in doc["kpis"]:
        refs[f"K{k['number']}"] = {"kpi": add(Kpi, k, ("advice", "team"), advice_id=advice[k["advice"]].id if k["advice"] else None,
                                              team_id=team_id(k))}
    session.flush()
    for o in doc["objectives"]:
        if o["parent"]:
            parent = refs[o["parent"]]["key_result"] if o["parent"].startswith("KR") else objectives[int(o["parent"][1:])]
            setattr(objectives[o["number"]], "parent_key_result_id" if o["parent"].startswith("KR") else "parent_objective_id", parent.id)
    keys = _stored_keys(session, ws.id, [ch["idempotency_key"] for ch in doc["checkins"] if ch["idempotency_key"]])
    for ch in doc["checkins"]:
        item = refs[ch["ref"]]
        add(Checkin, ch, ("ref", "idempotency_key"), idempotency_key=keys.get(ch["idempotency_key"]),
            key_result_id=item["key_result"].id if "key_result" in item else None, kpi_id=item["kpi"].id if "kpi" in item else None)
    for state in doc["period_states"]:
        add(PeriodState, state)
    for sub in doc["subscriptions"]:
        add(Subscription, sub, ("team",), team_id=team_id(sub))
    session.flush()
    count = {name: len(doc[name]) for name in ("members", "objectives", "kpis", "checkins", "advice", "subscriptions", "teams")}
    return ImportSummary(team_id=team, key_results=sum(len(o["key_results"]) for o in doc["objectives"]), **count)


def _stored_keys(session: Session, workspace_id: int, keys: list[str]) -> dict[str, str]:
    """Idempotency keys are unique across the database, so a restore next to its original
    (under another team id) would collide: a key already taken is stored scoped to this
    workspace, and the export takes the scope off again."""
    taken: set[str] = set()
    for i in range(0, len(keys), 500):
        taken.update(session.exec(select(Checkin.idempotency_key).where(col(Checkin.idempotency_key).in_(keys[i:i + 500]))).all())
    stored = {key: f"~{workspace_id}~{key}" if key in taken else key for key in keys}
    for key, value in stored.items():
        if len(value) > 128:
            raise UserError("transfer.error.key_conflict", key=key)
    return stored
