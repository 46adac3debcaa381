"""The export document's shape, and the check that reads a whole document before anything
is written: every problem is collected with its path ("objectives[2].title") so one pass
tells the owner everything to fix."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal

from bot.domain.alignment import COMPANY, LEVELS, TEAM as TEAM_LEVEL, alignment_problem
from bot.domain.errors import UserError
from bot.domain.limits import MAX_NOTE, MAX_TITLE, checked_team_name
from bot.domain.periods import CYCLES, parse_period
from bot.domain.quantities import bounded
from bot.domain.scoring import DECREASE, INCREASE, MEASURES, OKR_STYLES
from bot.domain.starter_kit import PERSPECTIVES
from bot.domain.words import parse_ref

FORMAT, VERSION = "perfbot-export", 1

MAX_PROBLEMS = 50
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")




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


@dataclass(frozen=True)
class _Since:
    """A field added after version 1 first shipped: an older export may leave it out."""

    read: object
    default: object = None

    def __call__(self, value):
        return self.read(value)


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
    """The same bounds as a number typed in a command: finite, below 10¹⁵, at most six decimals."""
    try:
        return bounded(Decimal(text))
    except UserError:
        return None


_decimal, _time = _parsed(_finite, "transfer.problem.not_decimal"), _parsed(_aware, "transfer.problem.not_time")
_date, _clock = _parsed(date.fromisoformat, "transfer.problem.not_date"), _parsed(lambda t: t if _CLOCK.match(t) else None, "transfer.problem.not_clock")


def _period(value):
    return str(parse_period(_text(10, empty=False)(value)))


_NUMBER, _WHO = _int(1, 1_000_000), _text(40, empty=False)
_TAGS = {name: _Since(_optional(_text(40, empty=False))) for name in ("metric", "channel", "segment")}
_CONFIDENCE = _optional(_one_of("on-track", "at-risk", "off-track"))
WORKSPACE = {
    "team_id": _text(40, empty=False), "name": _text(200), "timezone": _optional(_text(64)), "language": _one_of("auto", "en", "zh-CN"),
    "cycle": _one_of(*CYCLES), "score_cap": _decimal, "updates_channel": _optional(_text(40)), "reminder_days": _int(1, 60),
    "reminders": _bool, "reminder_at": _clock, "weekend_reminders": _bool, "charts": _bool, "created_at": _time,
    "okr_style": _Since(_one_of(*OKR_STYLES), "stretch"), "next_cycle": _Since(_optional(_one_of(*CYCLES))),
    "next_cycle_from": _Since(_optional(_date)),
}
MEMBER = {"user_id": _WHO, "name": _text(120), "role": _one_of("owner", "manager", "member"), "locale": _optional(_text(16)),
          "away_until": _optional(_date), "created_at": _time}
def _team_name(value):
    return checked_team_name(_text(60, empty=False)(value))


def _weight(value):
    weight = _decimal(value)
    _check(0 < weight <= 1000, "transfer.problem.bad_weight", value=str(weight))
    return weight


def _team_members(value):
    _check(isinstance(value, list) and all(isinstance(m, dict) and set(m) == {"user", "from_group"} for m in value),
           "transfer.problem.bad_team_members")
    return [{"user": _WHO(m["user"]), "from_group": _bool(m["from_group"])} for m in value]


_PLACE = {"level": _Since(_one_of(*LEVELS), COMPANY), "team": _Since(_optional(_team_name))}
TEAM = {"name": _team_name, "lead": _optional(_WHO), "group_id": _optional(_text(40, empty=False)), "group_handle": _optional(_text(80)),
        "created_at": _time, "archived_at": _optional(_time), "members": _team_members}
OBJECTIVE = {"number": _NUMBER, "period": _period, "title": _text(MAX_TITLE, empty=False), "owner": _WHO, "created_by": _WHO, "created_at": _time,
             "archived_at": _optional(_time), "carried_from": _optional(_NUMBER), "review_on": _optional(_date),
             "advice": _optional(_NUMBER), "key_results": lambda value: value, **_PLACE,
             "parent": _Since(_optional(_text(24, empty=False))), "align_weight": _Since(_weight, Decimal(1))}
KEY_RESULT = {"number": _NUMBER, "title": _text(MAX_TITLE, empty=False), "start": _decimal, "target": _optional(_decimal), "unit": _text(4),
              "weight": _decimal, "owner": _WHO, "created_at": _time, "archived_at": _optional(_time),
              "measure": _Since(_one_of(*MEASURES)), **_TAGS}
KPI = {"number": _NUMBER, "period": _period, "name": _text(MAX_TITLE, empty=False), "target": _optional(_decimal), "unit": _text(4), "weight": _decimal,
       "direction": _one_of("higher", "lower"), "perspective": _optional(_one_of(*PERSPECTIVES)), "owner": _WHO,
       "created_at": _time, "archived_at": _optional(_time), "advice": _optional(_NUMBER),
       "measure": _Since(_one_of(*MEASURES)), "start": _Since(_optional(_decimal)), **_TAGS, **_PLACE}
CHECKIN = {"ref": _text(20, empty=False), "author": _WHO, "value": _decimal, "confidence": _CONFIDENCE, "note": _text(MAX_NOTE),
           "source": _text(16), "created_at": _time, "idempotency_key": _optional(_text(128, empty=False))}
PERIOD_STATE = {"period": _period, "closed_at": _optional(_time)}
ADVICE = {"number": _NUMBER, "asked_by": _WHO, "answers": lambda value: value, "method": _text(16), "result": lambda value: value,
          "created_at": _time, "applied_at": _optional(_time)}
SUBSCRIPTION = {"number": _NUMBER, "kind": _text(16), "target": _text(40, empty=False), "weekday": _int(0, 6), "at": _clock,
                "language": _text(8), "created_by": _WHO, "created_at": _time, "active": _bool, "team": _Since(_optional(_team_name))}
SECTIONS = {"members": MEMBER, "objectives": OBJECTIVE, "kpis": KPI, "checkins": CHECKIN, "period_states": PERIOD_STATE,
            "advice": ADVICE, "subscriptions": SUBSCRIPTION, "teams": TEAM}
OPTIONAL_SECTIONS = ("teams",)  # added after version 1 shipped: an older export has none
MEMBER_FIELDS = ("owner", "created_by", "author", "asked_by", "lead")


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
                if isinstance(read, _Since):
                    out[name] = read.default
                else:
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
        if name not in document and name not in OPTIONAL_SECTIONS:
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
    _check_teams(check, got, people)
    _check_alignment(check, got["objectives"], refs)
    for where, kr, _ in key_results:
        _measurable(check, where, kr, "start", default=INCREASE if kr.get("target") is None or kr.get("start") is None
                    or kr["target"] >= kr["start"] else DECREASE)
    for where, kpi in got["kpis"]:
        _measurable(check, where, kpi, "start", default=DECREASE if kpi.get("direction") == "lower" else INCREASE)
    if check.problems:
        raise UserError("transfer.error.invalid_document", count=len(check.problems), problems=tuple(check.problems[:MAX_PROBLEMS]))
    for where, o in got["objectives"]:
        o["key_results"] = [kr for w, kr, parent in key_results if parent == o["number"]]
    return {"workspace": workspace, **{name: [record for _, record in items] for name, items in got.items()}}


def _check_teams(check: _Checker, got: dict, people: set) -> None:
    """Team names are unique among open teams; every team an item or digest names exists; a
    team-level item names its team; a team's members are people of the workspace."""
    open_names = [(w, {**t, "key": t["name"].casefold()}) for w, t in got["teams"] if "name" in t and not t.get("archived_at")]
    check.unique(open_names, "key")
    names = {t["name"] for _, t in got["teams"] if "name" in t}
    check.known(got["objectives"] + got["kpis"] + got["subscriptions"], "team", names, "transfer.problem.unknown_team")
    for where, item in got["objectives"] + got["kpis"]:
        if item.get("level") == TEAM_LEVEL and not item.get("team"):
            check.bad(f"{where}.team", "transfer.problem.team_needed")
    for where, team in got["teams"]:
        for i, member in enumerate(team.get("members") or ()):
            if member["user"] not in people:
                check.bad(f"{where}.members[{i}].user", "transfer.problem.unknown_member", value=member["user"])


def _check_alignment(check: _Checker, objectives: list[tuple[str, dict]], refs: set[str]) -> None:
    """Each parent is an objective or key result of the same period, and no objective ends up
    above itself: what `/okr align` would have allowed."""
    period = {f"O{o['number']}": o.get("period") for _, o in objectives if "number" in o}
    links: dict[str, str] = {}
    for where, o in objectives:
        if not o.get("parent") or "number" not in o:
            continue
        try:
            parent = str(parse_ref(o["parent"], "", ("O", "KR")))
        except UserError:
            check.bad(f"{where}.parent", "transfer.problem.bad_ref", value=o["parent"])
            continue
        owner = "O" + parent[2:].split(".")[0] if parent.startswith("KR") else parent
        if (parent not in refs and parent not in period) or owner not in period:
            check.bad(f"{where}.parent", "transfer.problem.unknown_ref", value=o["parent"])
        elif period[owner] != o.get("period"):
            check.bad(f"{where}.parent", "transfer.problem.other_period", value=parent)
        elif alignment_problem(links, f"O{o['number']}", parent):
            check.bad(f"{where}.parent", "transfer.problem.cycle", value=parent)
        else:
            links[f"O{o['number']}"] = parent
        o["parent"] = parent


def _measurable(check: _Checker, where: str, item: dict, start_name: str, default: str) -> None:
    """An item must be measurable as the commands would have it: a way to a target has its target
    on the right side of its start (and not on it), so no imported item can break a view."""
    item["measure"] = item.get("measure") or default
    start, target, measure = item.get(start_name), item.get("target"), item["measure"]
    if measure not in (INCREASE, DECREASE) or start is None or target is None:
        if measure in (INCREASE, DECREASE) and start is None and target == 0:
            check.bad(f"{where}.target", "transfer.problem.zero_target")
        return
    if start == target:
        check.bad(f"{where}.target", "transfer.problem.target_equals_start", value=str(target))
    elif (target > start) != (measure == INCREASE):
        check.bad(f"{where}.measure", "transfer.problem.wrong_way", measure=measure, start=str(start), target=str(target))


def describe_problems(catalog, language: str, error: UserError) -> list[str]:
    """One line per problem ("objectives[0].title: …"), for an edge that lists them."""
    return [catalog.text(language, "transfer.problem_line", path=p.path, message=catalog.text(language, p.key, **p.params))
            for p in error.params.get("problems", ())]
