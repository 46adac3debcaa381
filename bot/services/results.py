"""What a use case did, as plain data. Each result has a template of the same name
(`ObjectiveAdded` → `templates/replies/objective_added.j2`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from bot.domain.errors import UserError
from bot.domain.views import KeyResultView, KpiView, ObjectiveView, Person, ScorecardView


@dataclass(frozen=True)
class AfterCommit:
    """Work a use case leaves for after its transaction (reading a data source): the edge gets
    what `complete()` returns, and the database is never held while it runs."""

    complete: Callable[[], object]


@dataclass(frozen=True)
class Replayed:
    """The request was already acted on (a platform delivered it twice): nothing was done again,
    and the edge answers nothing (it has no template)."""


@dataclass(frozen=True)
class ObjectiveAdded:
    objective: ObjectiveView


@dataclass(frozen=True)
class KeyResultAdded:
    objective: ObjectiveView
    key_result: KeyResultView


@dataclass(frozen=True)
class KpiAdded:
    kpi: KpiView
    owner_weight_total: Decimal


@dataclass(frozen=True)
class CheckinRecorded:
    ref: str
    author: Person
    key_result: KeyResultView | None = None
    objective: ObjectiveView | None = None
    kpi: KpiView | None = None
    note: str = ""
    confidence: str | None = None
    duplicate: bool = False  # the same submission arrived twice; recorded once
    announce_to: str | None = None  # the workspace's updates channel


@dataclass(frozen=True)
class ObjectiveList:
    period: str
    objectives: tuple[ObjectiveView, ...]
    owner: Person | None = None
    status: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class ObjectiveDetail:
    objective: ObjectiveView
    archived: bool = False  # shown read-only


@dataclass(frozen=True)
class KpiList:
    period: str
    kpis: tuple[KpiView, ...]
    owner: Person | None = None
    team: str | None = None


@dataclass(frozen=True)
class Scorecard:
    scorecard: ScorecardView
    owner: Person | None = None
    team: str | None = None


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class ItemEdited:
    ref: str
    changes: tuple[Change, ...]
    objective: ObjectiveView | None = None
    key_result: KeyResultView | None = None
    kpi: KpiView | None = None


@dataclass(frozen=True)
class ItemArchived:
    ref: str
    title: str
    unaligned: tuple[str, ...] = ()  # objectives that were aligned to it and now stand on their own


@dataclass(frozen=True)
class RoleSet:
    member: Person
    role: str


@dataclass(frozen=True)
class MemberList:
    members: tuple[tuple[Person, str], ...]


@dataclass(frozen=True)
class HelpText:
    topic: str | None = None


@dataclass(frozen=True)
class CycleChange:
    """What a change of cycle does: at once (`starts_on` None), or from a period boundary."""

    cycle: str
    starts_on: date | None
    current_period: str  # the period that stays current until then
    objectives: int  # open in that period, kept where they are
    kpis: int


@dataclass(frozen=True)
class SettingsShown:
    settings: dict[str, object] = field(default_factory=dict)
    changed: tuple[str, ...] = ()
    cycle_change: CycleChange | None = None


@dataclass(frozen=True)
class Outcome:
    """A result to render, or the error to explain; `language` is the reader's."""

    result: object | None
    error: UserError | None
    language: str

