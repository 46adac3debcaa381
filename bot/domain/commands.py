"""What a user asked for, as plain data: the output of the parser, the input of services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from bot.domain.periods import Period
from bot.domain.quantities import Quantity


@dataclass(frozen=True)
class Mention:
    """A person named in a command: `<@U123|alice>` in Slack, `@alice` in the console."""

    user_id: str
    name: str | None = None


@dataclass(frozen=True)
class Ref:
    """`O1`, `KR1.2` or `K3`: short, per-workspace references to items."""

    kind: str  # "O", "KR" or "K"
    number: int
    objective: int | None = None  # for KR: the objective's number

    def __str__(self) -> str:
        return f"KR{self.objective}.{self.number}" if self.kind == "KR" else f"{self.kind}{self.number}"


@dataclass(frozen=True)
class Tags:
    """What an item measures and where: a metric of the library, a channel, a segment. None:
    not given (unchanged by an edit); "": cleared."""

    metric: str | None = None
    channel: str | None = None
    segment: str | None = None

    def given(self) -> bool:
        return any(v is not None for v in (self.metric, self.channel, self.segment))


@dataclass(frozen=True)
class Group:
    """A Slack user group: `<!subteam^S123|@growth-team>` as a slash command carries it."""

    group_id: str
    handle: str = ""


@dataclass(frozen=True)
class Placement:
    """Where an item belongs: `team=Growth`, `level=personal`. None: not said (an edit keeps
    it; a new item is the company's, or a member's own when they add it for themselves)."""

    team: str | None = None  # a team's name; "": no team
    level: str | None = None  # company, team, person

    def given(self) -> bool:
        return self.team is not None or self.level is not None


@dataclass(frozen=True)
class AddObjective:
    title: str
    period: Period | None = None
    owner: Mention | None = None
    placement: Placement = Placement()


@dataclass(frozen=True)
class AddKeyResult:
    objective: int
    title: str
    target: Quantity | None  # None: a milestone
    start: Quantity | None = None
    weight: Decimal | None = None
    owner: Mention | None = None
    measure: str | None = None  # type=…; None: from start and target
    direction: str | None = None  # a flag: lower-is-better, higher-is-better
    unit: str | None = None  # unit=…; None: from the target
    tags: Tags | None = None


@dataclass(frozen=True)
class AddKpi:
    name: str
    target: Quantity
    weight: Decimal  # percent, 0 < w <= 100
    direction: str | None = None  # a flag; None: higher is better unless the type says otherwise
    perspective: str | None = None
    owner: Mention | None = None
    period: Period | None = None
    measure: str | None = None
    start: Quantity | None = None
    unit: str | None = None
    tags: Tags | None = None
    placement: Placement = Placement()


@dataclass(frozen=True)
class CheckIn:
    ref: Ref
    value: Quantity
    confidence: str | None = None
    note: str = ""


@dataclass(frozen=True)
class ListObjectives:
    owner: Mention | None = None
    status: str | None = None  # "at-risk" shows objectives with a key result at risk or off track
    period: Period | None = None
    team: str | None = None


@dataclass(frozen=True)
class ShowObjective:
    number: int


@dataclass(frozen=True)
class ListKpis:
    owner: Mention | None = None
    period: Period | None = None
    team: str | None = None


@dataclass(frozen=True)
class ShowScorecard:
    owner: Mention | None = None
    period: Period | None = None
    team: str | None = None


@dataclass(frozen=True)
class ShowTree:
    period: Period | None = None
    team: str | None = None


@dataclass(frozen=True)
class AlignObjective:
    child: int  # the objective's number
    parent: Ref | None  # O… or KR…; None: no longer aligned
    weight: Decimal | None = None


@dataclass(frozen=True)
class EditItem:
    ref: Ref
    title: str | None = None
    target: Quantity | None = None
    start: Quantity | None = None
    weight: Decimal | None = None
    owner: Mention | None = None
    direction: str | None = None
    perspective: str | None = None
    period: Period | None = None
    measure: str | None = None
    unit: str | None = None  # "" clears it (a plain count)
    tags: Tags | None = None
    placement: Placement = Placement()


@dataclass(frozen=True)
class ArchiveItem:
    ref: Ref
    confirmed: bool = False  # an objective with others aligned to it is archived only when confirmed


@dataclass(frozen=True)
class ListTeams:
    pass


@dataclass(frozen=True)
class ShowTeam:
    name: str


@dataclass(frozen=True)
class AddTeam:
    name: str
    lead: Mention | None = None
    group: Group | None = None


@dataclass(frozen=True)
class ChangeTeam:
    name: str
    add: tuple[Mention, ...] = ()
    remove: tuple[Mention, ...] = ()
    lead: Mention | None = None
    group: Group | None = None
    unlink_group: bool = False
    rename: str | None = None
    sync: bool = False


@dataclass(frozen=True)
class RemoveTeam:
    name: str


@dataclass(frozen=True)
class SetRole:
    member: Mention
    role: str


@dataclass(frozen=True)
class ListMembers:
    pass


@dataclass(frozen=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True)
class ChangeSettings:
    changes: dict[str, object] = field(default_factory=dict)  # empty: show the settings


@dataclass(frozen=True)
class AskAdvice:
    answers: object  # bot.domain.advisor_input.Answers
    show_scores: bool = False  # the points behind the pick, only when asked for


@dataclass(frozen=True)
class AdviceQuestionnaire:
    """`/advise` alone: the edge asks the questions (a form in Slack, prompts in the console)."""


@dataclass(frozen=True)
class ApplyAdvice:
    advice_id: int | None = None  # the workspace's recommendation number; None: its latest
    preview: bool = False  # show what applying would create, create nothing


@dataclass(frozen=True)
class AdviceHistory:
    pass



@dataclass(frozen=True)
class SubscribeDigest:
    target: str  # "me", or a channel ("C…" from Slack, "#name" in the console)
    weekday: int
    at: time
    team: str | None = None  # a team's digest


@dataclass(frozen=True)
class ListDigests:
    pass


@dataclass(frozen=True)
class StopDigest:
    number: int


@dataclass(frozen=True)
class DigestNow:
    team: str | None = None


@dataclass(frozen=True)
class SetAway:
    until: date | None  # None: back now


@dataclass(frozen=True)
class CarryObjective:
    number: int


@dataclass(frozen=True)
class ListInsights:
    everything: bool = False  # dismissed and snoozed ones too


@dataclass(frozen=True)
class DismissInsight:
    code: str
    days: int | None = None  # snooze for this many days; None: dismiss for good


Command = (
    AddObjective | AddKeyResult | AddKpi | CheckIn | ListObjectives | ShowObjective | ListKpis
    | ShowScorecard | EditItem | ArchiveItem | SetRole | ListMembers | Help | ChangeSettings
    | AskAdvice | AdviceQuestionnaire | ApplyAdvice | AdviceHistory
    | SubscribeDigest | ListDigests | StopDigest | DigestNow | SetAway | CarryObjective | ListInsights | DismissInsight
    | ShowTree | AlignObjective | ListTeams | ShowTeam | AddTeam | ChangeTeam | RemoveTeam
)
