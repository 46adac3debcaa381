"""A workspace as one JSON document, and back: backups, moving hosts, restoring.

References (O1, KR1.2, K1) and times travel as they are, so a restored workspace reads exactly
like the original; decimals travel as strings, so 6.5 stays 6.5. Database ids never leave:
members are named by user id and items by reference. A document is checked whole before a
single row is written, and only into a workspace with nothing in it yet.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlmodel import Session, col, select

from bot.domain.errors import UserError
from bot.domain.periods import CYCLES, parse_period
from bot.domain.starter_kit import PERSPECTIVES
from bot.domain.words import parse_ref
from bot.store.models import Advice, Checkin, KeyResult, Kpi, Member, Objective, PeriodState, Subscription, Workspace

FORMAT, VERSION = "perfbot-export", 1
MAX_PROBLEMS = 50
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


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


@dataclass(frozen=True)
class DocumentProblem:
    path: str  # where in the document: "objectives[0].key_results[1].target"
    key: str
    params: dict = field(default_factory=dict)


# -- reading one value: each reader returns the stored form or raises UserError(problem key) --

def _check(ok: bool, key: str, **params: object) -> None:
    if not ok:
        raise UserError(key, **params)


def _text(limit: int, empty: bool = True):
    def read(value):
        _check(isinstance(value, str), "transfer.problem.not_text")
        _check(len(value) <= limit, "transfer.problem.too_long", limit=limit)
        _check(empty or bool(value.strip()), "transfer.problem.empty")
        return value
    return read


def _optional(read):
    return lambda value: None if value is None else read(value)


def _one_of(*accepted: str):
    def read(value):
        _check(value in accepted, "transfer.problem.not_one_of", accepted=", ".join(accepted))
        return value
    return read


def _int(low: int, high: int):
    def read(value):
        _check(isinstance(value, int) and not isinstance(value, bool) and low <= value <= high, "transfer.problem.not_integer", low=low, high=high)
        return value
    return read


def _bool(value):
    _check(isinstance(value, bool), "transfer.problem.not_bool")
    return value


def _parsed(parse, key: str):
    """A reader from a parser of strings that raises ValueError (or returns None) on bad input."""
    def read(value):
        try:
            parsed = parse(value) if isinstance(value, str) else None
        except (ValueError, ArithmeticError):
            parsed = None
        _check(parsed is not None, key)
        return parsed
    return read


def _aware(text: str) -> datetime | None:
    moment = datetime.fromisoformat(text)
    return moment.astimezone(timezone.utc) if moment.tzinfo is not None else None


def _finite(text: str) -> Decimal | None:
    number = Decimal(text)
    return number if number.is_finite() and abs(number) < Decimal("1e15") else None


_decimal, _time = _parsed(_finite, "transfer.problem.not_decimal"), _parsed(_aware, "transfer.problem.not_time")
_date, _clock = _parsed(date.fromisoformat, "transfer.problem.not_date"), _parsed(lambda t: t if _CLOCK.match(t) else None, "transfer.problem.not_clock")


def _period(value):
    return str(parse_period(_text(10, empty=False)(value)))


_NUMBER, _WHO = _int(1, 1_000_000), _text(40, empty=False)
_CONFIDENCE = _optional(_one_of("on-track", "at-risk", "off-track"))
WORKSPACE = {
    "team_id": _text(40, empty=False), "name": _text(200), "timezone": _optional(_text(64)), "language": _one_of("auto", "en", "zh-CN"),
    "cycle": _one_of(*CYCLES), "score_cap": _decimal, "updates_channel": _optional(_text(40)), "reminder_days": _int(1, 60),
    "reminders": _bool, "reminder_at": _clock, "weekend_reminders": _bool, "charts": _bool, "created_at": _time,
}
MEMBER = {"user_id": _WHO, "name": _text(120), "role": _one_of("owner", "manager", "member"), "locale": _optional(_text(16)),
          "away_until": _optional(_date), "created_at": _time}
OBJECTIVE = {"number": _NUMBER, "period": _period, "title": _text(400), "owner": _WHO, "created_by": _WHO, "created_at": _time,
             "archived_at": _optional(_time), "carried_from": _optional(_NUMBER), "review_on": _optional(_date),
             "advice": _optional(_NUMBER), "key_results": lambda value: value}
KEY_RESULT = {"number": _NUMBER, "title": _text(400), "start": _decimal, "target": _optional(_decimal), "unit": _text(4),
              "weight": _decimal, "owner": _WHO, "created_at": _time, "archived_at": _optional(_time)}
KPI = {"number": _NUMBER, "period": _period, "name": _text(400), "target": _optional(_decimal), "unit": _text(4), "weight": _decimal,
       "direction": _one_of("higher", "lower"), "perspective": _optional(_one_of(*PERSPECTIVES)), "owner": _WHO,
       "created_at": _time, "archived_at": _optional(_time), "advice": _optional(_NUMBER)}
CHECKIN = {"ref": _text(20, empty=False), "author": _WHO, "value": _decimal, "confidence": _CONFIDENCE, "note": _text(2000),
           "source": _text(16), "created_at": _time, "idempotency_key": _optional(_text(128, empty=False))}
PERIOD_STATE = {"period": _period, "closed_at": _optional(_time)}
ADVICE = {"number": _NUMBER, "asked_by": _WHO, "answers": lambda value: value, "method": _text(16), "result": lambda value: value,
          "created_at": _time, "applied_at": _optional(_time)}
SUBSCRIPTION = {"number": _NUMBER, "kind": _text(16), "target": _text(40, empty=False), "weekday": _int(0, 6), "at": _clock,
                "language": _text(8), "created_by": _WHO, "created_at": _time, "active": _bool}
SECTIONS = {"members": MEMBER, "objectives": OBJECTIVE, "kpis": KPI, "checkins": CHECKIN, "period_states": PERIOD_STATE,
            "advice": ADVICE, "subscriptions": SUBSCRIPTION}
MEMBER_FIELDS = ("owner", "created_by", "author", "asked_by")


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
    advice_number = {a.id: n for n, a in enumerate(advice, 1)}
    objective_number = {o.id: o.number for o in objectives}
    refs = {("kr", kr.id): f"KR{objective_number[kr.objective_id]}.{kr.number}" for kr in key_results}
    refs.update({("kpi", k.id): f"K{k.number}" for k in kpis})
    scope = f"~{ws.id}~"  # see _stored_keys: a key scoped on import travels unscoped
    return {
        "format": FORMAT, "version": VERSION,
        "workspace": _fields(ws, WORKSPACE),
        "members": [_fields(m, MEMBER) for m in members],
        "objectives": [{
            **_fields(o, OBJECTIVE, ("carried_from", "advice", "key_results")), "owner": who[o.owner_id], "created_by": who[o.created_by],
            "carried_from": objective_number.get(o.carried_from), "advice": advice_number.get(o.advice_id),
            "key_results": [{**_fields(kr, KEY_RESULT), "owner": who[kr.owner_id]} for kr in key_results if kr.objective_id == o.id],
        } for o in objectives],
        "kpis": [{**_fields(k, KPI, ("advice",)), "owner": who[k.owner_id], "advice": advice_number.get(k.advice_id)} for k in kpis],
        "checkins": [{
            **_fields(ch, CHECKIN, ("ref", "idempotency_key")), "author": who[ch.author_id],
            "ref": refs[("kr", ch.key_result_id) if ch.key_result_id is not None else ("kpi", ch.kpi_id)],
            "idempotency_key": ch.idempotency_key.removeprefix(scope) if ch.idempotency_key else None,
        } for ch in rows(Checkin, Checkin.id)],
        "period_states": [_fields(s, PERIOD_STATE) for s in rows(PeriodState, PeriodState.period)],
        "advice": [{**_fields(a, ADVICE, ("number", "answers", "result")), "number": advice_number[a.id], "asked_by": who[a.asked_by],
                    "answers": json.loads(a.answers), "result": json.loads(a.result)} for a in advice],
        "subscriptions": [{**_fields(s, SUBSCRIPTION), "created_by": who[s.created_by]} for s in rows(Subscription, Subscription.number)],
    }


class _Checker:
    """Reads a whole document, collecting every problem with where it is."""

    def __init__(self) -> None:
        self.problems: list[DocumentProblem] = []

    def bad(self, path: str, key: str, **params: object) -> None:
        self.problems.append(DocumentProblem(path, key, params))

    def record(self, data, path: str, spec: dict) -> dict | None:
        if not isinstance(data, dict):
            self.bad(path, "transfer.problem.not_object")
            return None
        out = {}
        for name in data.keys() - spec.keys():
            self.bad(f"{path}.{name}", "transfer.problem.unknown_field")
        for name, read in spec.items():
            if name not in data:
                self.bad(f"{path}.{name}", "transfer.problem.missing")
                continue
            try:
                out[name] = read(data[name])
            except UserError as error:
                self.bad(f"{path}.{name}", error.key, **{k: v for k, v in error.params.items() if k != "usage"})
        return out  # what could be read, so one bad field does not hide the rest behind it

    def records(self, data, path: str, spec: dict) -> list[tuple[str, dict]]:
        if not isinstance(data, list):
            self.bad(path, "transfer.problem.not_list")
            return []
        found = ((f"{path}[{i}]", self.record(item, f"{path}[{i}]", spec)) for i, item in enumerate(data))
        return [(where, record) for where, record in found if record is not None]

    def unique(self, items: list[tuple[str, dict]], name: str) -> set:
        seen: set = set()
        for where, record in items:
            value = record.get(name)
            if value is not None and value in seen:
                self.bad(f"{where}.{name}", "transfer.problem.duplicate", value=value)
            seen.add(value)
        return seen

    def known(self, items: list[tuple[str, dict]], name: str, values: set, key: str) -> None:
        for where, record in items:
            if record.get(name) is not None and record[name] not in values:
                self.bad(f"{where}.{name}", key, value=record[name])


def check_document(document: object) -> dict:
    """The document's values in stored form, or `transfer.error.invalid_document` naming every problem."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise UserError("transfer.error.not_an_export", format=FORMAT)
    if document.get("version") != VERSION:
        raise UserError("transfer.error.unsupported_version", version=document.get("version"), supported=VERSION)
    check = _Checker()
    for name in document.keys() - {"format", "version", "workspace", *SECTIONS}:
        check.bad(name, "transfer.problem.unknown_field")
    for name in ("workspace", *SECTIONS):
        if name not in document:
            check.bad(name, "transfer.problem.missing")
    workspace = check.record(document["workspace"], "workspace", WORKSPACE) if "workspace" in document else None
    got = {name: check.records(document[name], name, spec) if name in document else [] for name, spec in SECTIONS.items()}
    key_results = [(sub, kr, o["number"]) for where, o in got["objectives"]
                   for sub, kr in check.records(o.get("key_results"), f"{where}.key_results", KEY_RESULT) if "number" in o]
    people = check.unique(got["members"], "user_id")
    for name in SECTIONS:
        for field_name in MEMBER_FIELDS:
            check.known(got[name], field_name, people, "transfer.problem.unknown_member")
    check.known([(w, kr) for w, kr, _ in key_results], "owner", people, "transfer.problem.unknown_member")
    objectives, kpis, advice = (check.unique(got[name], "number") for name in ("objectives", "kpis", "advice"))
    check.unique(got["subscriptions"], "number")
    check.unique(got["period_states"], "period")
    check.known(got["objectives"], "carried_from", objectives, "transfer.problem.unknown_ref")
    check.known(got["objectives"] + got["kpis"], "advice", advice, "transfer.problem.unknown_advice")
    refs = {f"K{n}" for n in kpis}
    for number in objectives:
        kr_items = [(w, kr) for w, kr, parent in key_results if parent == number]
        refs |= {f"KR{number}.{n}" for n in check.unique(kr_items, "number")}
    for where, record in got["checkins"]:
        if "ref" not in record:
            continue
        try:
            ref = str(parse_ref(record["ref"], "", ("KR", "K")))
        except UserError:
            check.bad(f"{where}.ref", "transfer.problem.bad_ref", value=record["ref"])
            continue
        if ref not in refs:
            check.bad(f"{where}.ref", "transfer.problem.unknown_ref", value=record["ref"])
        record["ref"] = ref
    check.unique(got["checkins"], "idempotency_key")
    if check.problems:
        raise UserError("transfer.error.invalid_document", count=len(check.problems), problems=tuple(check.problems[:MAX_PROBLEMS]))
    for where, o in got["objectives"]:
        o["key_results"] = [kr for w, kr, parent in key_results if parent == o["number"]]
    return {"workspace": workspace, **{name: [record for _, record in items] for name, items in got.items()}}


COLUMNS = {"owner": "owner_id", "author": "author_id"}


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
             for m in (Objective, Kpi, Checkin, Advice, Subscription, PeriodState)):
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
        values = {COLUMNS.get(n, n): members[v].id if n in MEMBER_FIELDS else v for n, v in record.items() if n not in skip}
        row = model(workspace_id=ws.id, **values, **extra)
        session.add(row)
        return row

    advice = {a["number"]: add(Advice, a, ("number", "answers", "result"), answers=json.dumps(a["answers"], ensure_ascii=False),
                               result=json.dumps(a["result"], ensure_ascii=False)) for a in doc["advice"]}
    session.flush()
    skip = ("key_results", "carried_from", "advice")
    objectives = {o["number"]: add(Objective, o, skip, advice_id=advice[o["advice"]].id if o["advice"] else None) for o in doc["objectives"]}
    session.flush()
    refs: dict[str, dict] = {}
    for o in doc["objectives"]:
        parent = objectives[o["number"]]
        parent.carried_from = objectives[o["carried_from"]].id if o["carried_from"] else None
        for kr in o["key_results"]:
            refs[f"KR{o['number']}.{kr['number']}"] = {"key_result": add(KeyResult, kr, objective_id=parent.id)}
    for k in doc["kpis"]:
        refs[f"K{k['number']}"] = {"kpi": add(Kpi, k, ("advice",), advice_id=advice[k["advice"]].id if k["advice"] else None)}
    session.flush()
    keys = _stored_keys(session, ws.id, [ch["idempotency_key"] for ch in doc["checkins"] if ch["idempotency_key"]])
    for ch in doc["checkins"]:
        item = refs[ch["ref"]]
        add(Checkin, ch, ("ref", "idempotency_key"), idempotency_key=keys.get(ch["idempotency_key"]),
            key_result_id=item["key_result"].id if "key_result" in item else None, kpi_id=item["kpi"].id if "kpi" in item else None)
    for state in doc["period_states"]:
        add(PeriodState, state)
    for sub in doc["subscriptions"]:
        add(Subscription, sub)
    session.flush()
    count = {name: len(doc[name]) for name in ("members", "objectives", "kpis", "checkins", "advice", "subscriptions")}
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


def describe_problems(catalog, language: str, error: UserError) -> list[str]:
    """One line per problem ("objectives[0].title: …"), for an edge that lists them."""
    return [catalog.text(language, "transfer.problem_line", path=p.path, message=catalog.text(language, p.key, **p.params))
            for p in error.params.get("problems", ())]
