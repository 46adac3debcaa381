"""Every table of the bot, in one module (see ARCHITECTURE.md's data sketch).

Numbers are stored as exact decimal text: SQLite has no decimal type, and a churn rate of
6.5% must come back as 6.5, not 6.4999999.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Index, Integer, String, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class ExactDecimal(TypeDecorator):
    """A Decimal kept as text, identical on SQLite and PostgreSQL."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else str(Decimal(value))

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)


class UTCDateTime(TypeDecorator):
    """Times go in and come out as aware UTC datetimes, whatever the database keeps."""

    from sqlalchemy import DateTime as impl  # noqa: N813 - TypeDecorator wants `impl`

    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


def decimal_field(default=None, nullable: bool = True):
    return Field(default=default, sa_column=Column(ExactDecimal(), nullable=nullable))


def time_field(nullable: bool = False, **kwargs):
    if nullable:
        return Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, **kwargs))
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, **kwargs))


class Workspace(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True, unique=True, max_length=40)
    name: str = Field(default="", max_length=200)
    timezone: str | None = Field(default=None, max_length=64)  # None: Slack's, else UTC
    language: str = Field(default="auto", max_length=8)  # auto, en, zh-CN
    cycle: str = Field(default="quarterly", max_length=16)
    score_cap: Decimal = decimal_field(Decimal(120), nullable=False)  # percent
    updates_channel: str | None = Field(default=None, max_length=40)
    reminder_days: int = 7
    reminders: bool = True
    reminder_at: str = Field(default="10:00", max_length=5)  # local time of the daily reminder run
    weekend_reminders: bool = False
    charts: bool = True
    okr_style: str = Field(default="stretch", max_length=12)  # stretch: 0.7 is success; committed: 1.0
    next_cycle: str | None = Field(default=None, max_length=16)  # a cycle change waiting for the period to end
    next_cycle_from: date | None = None
    uninstalled_at: datetime | None = time_field(nullable=True)  # app uninstalled or tokens revoked: nothing is sent
    bonus_tiers: str | None = Field(default=None, max_length=120)  # "90:100,75:50": score at least → share of the bonus
    created_at: datetime = time_field()


class Member(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    user_id: str = Field(max_length=40)
    name: str = Field(default="", max_length=120)
    role: str = Field(default="member", max_length=16)  # owner, manager, member
    locale: str | None = Field(default=None, max_length=16)
    away_until: date | None = None
    deactivated_at: datetime | None = time_field(nullable=True)  # left the Slack workspace: no reminders, not "quiet"
    created_at: datetime = time_field()

    @property
    def unavailable_until(self) -> date | None:
        """The last day this person gets no reminders and is not "quiet" in a digest: away until
        a date, or for good once Slack says they left the workspace."""
        return date.max if self.deactivated_at is not None else self.away_until


class Team(SQLModel, table=True):
    """A department inside the workspace (brand, growth, a region), with its lead. Linked to a
    Slack user group, its members follow the group's."""

    __table_args__ = (UniqueConstraint("workspace_id", "name_key"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    name: str = Field(max_length=60)
    name_key: str = Field(max_length=60)  # the name folded (case, width), so "growth" and "Growth" are one team
    lead_id: int | None = Field(default=None, foreign_key="member.id")
    usergroup_id: str | None = Field(default=None, max_length=40)  # a Slack user group ("S…") kept in step
    usergroup_handle: str | None = Field(default=None, max_length=80)
    synced_at: datetime | None = time_field(nullable=True)
    created_at: datetime = time_field()
    archived_at: datetime | None = time_field(nullable=True)  # removed: its name is free again, its history kept


class TeamMember(SQLModel, table=True):
    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("team_id", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    from_group: bool = False  # added by the user group's sync (and removed by it), not by hand


class Objective(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    number: int
    period: str = Field(max_length=10, index=True)
    title: str = Field(max_length=400)
    owner_id: int = Field(foreign_key="member.id")
    created_by: int = Field(foreign_key="member.id")
    created_at: datetime = time_field()
    archived_at: datetime | None = time_field(nullable=True)
    carried_from: int | None = Field(default=None, foreign_key="objective.id")
    review_on: date | None = None  # MBO: when manager and owner review it together
    advice_id: int | None = Field(default=None, foreign_key="advice.id")  # created by a starter kit
    level: str = Field(default="company", max_length=8)  # company, team, person
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    parent_objective_id: int | None = Field(default=None, foreign_key="objective.id", index=True)  # aligned to an objective
    parent_key_result_id: int | None = Field(  # ...or to a key result (which the objective table precedes: added after both)
        default=None, sa_column=Column(Integer, ForeignKey("key_result.id", use_alter=True, name="fk_objective_parent_key_result"),
                                       nullable=True, index=True))
    align_weight: Decimal = decimal_field(Decimal(1), nullable=False)  # its share among its parent's aligned children


class KeyResult(SQLModel, table=True):
    __tablename__ = "key_result"
    __table_args__ = (UniqueConstraint("objective_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    objective_id: int = Field(foreign_key="objective.id", index=True)
    number: int
    title: str = Field(max_length=400)
    start: Decimal = decimal_field(Decimal(0), nullable=False)
    target: Decimal | None = decimal_field()  # None: "to be set" (a starter kit)
    unit: str = Field(default="", max_length=4)
    measure: str = Field(default="increase", max_length=12)  # increase, decrease, at_least, at_most, milestone
    metric: str | None = Field(default=None, max_length=40)  # a metric of the library, so insights can read it
    channel: str | None = Field(default=None, max_length=40)  # "Douyin": related numbers are read together
    segment: str | None = Field(default=None, max_length=40)
    weight: Decimal = decimal_field(Decimal(1), nullable=False)
    owner_id: int = Field(foreign_key="member.id")
    created_at: datetime = time_field()
    archived_at: datetime | None = time_field(nullable=True)


class Kpi(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    number: int
    period: str = Field(max_length=10, index=True)
    name: str = Field(max_length=400)
    target: Decimal | None = decimal_field()  # None: "to be set" (a starter kit)
    unit: str = Field(default="", max_length=4)
    measure: str = Field(default="increase", max_length=12)  # increase, decrease, at_least, at_most, milestone
    start: Decimal | None = decimal_field()  # None: scored against the target alone
    metric: str | None = Field(default=None, max_length=40)  # a metric of the library, so insights can read it
    channel: str | None = Field(default=None, max_length=40)
    segment: str | None = Field(default=None, max_length=40)
    weight: Decimal = decimal_field(nullable=False)  # percent
    direction: str = Field(default="higher", max_length=8)  # follows the measure; kept for readers of old exports
    perspective: str | None = Field(default=None, max_length=16)
    owner_id: int = Field(foreign_key="member.id")
    created_at: datetime = time_field()
    archived_at: datetime | None = time_field(nullable=True)
    advice_id: int | None = Field(default=None, foreign_key="advice.id")  # created by a starter kit
    level: str = Field(default="company", max_length=8)  # company, team, person
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)


class Checkin(SQLModel, table=True):
    """Append-only: an item's current value is its latest check-in.

    The indexes put each item's check-ins in time order, so its latest ones (and its value a week
    ago) are found by seeking, not by sorting the workspace's history (a digest reads 2,400 of them)."""

    __table_args__ = (
        Index("ix_checkin_key_result_latest", "key_result_id", "created_at", "id"),
        Index("ix_checkin_kpi_latest", "kpi_id", "created_at", "id"),
        Index("ix_checkin_author_latest", "workspace_id", "author_id", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    key_result_id: int | None = Field(default=None, foreign_key="key_result.id")
    kpi_id: int | None = Field(default=None, foreign_key="kpi.id")
    value: Decimal = decimal_field(nullable=False)
    confidence: str | None = Field(default=None, max_length=16)
    note: str = Field(default="", max_length=2000)
    author_id: int = Field(foreign_key="member.id")
    source: str = Field(default="console", max_length=16)  # console, slack, modal, api, csv
    created_at: datetime = time_field()
    idempotency_key: str | None = Field(default=None, max_length=128, unique=True)


class PeriodState(SQLModel, table=True):
    __tablename__ = "period_state"
    __table_args__ = (UniqueConstraint("workspace_id", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    period: str = Field(max_length=10)
    closed_at: datetime | None = time_field(nullable=True)


class Advice(SQLModel, table=True):
    """A recommendation as it was given: the answers, the pick and its starter kit (in `result`),
    so `/advise apply N` sets up what N showed, whatever the rules say today."""

    __table_args__ = (UniqueConstraint("workspace_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    number: int = 0  # per workspace: the N of `/advise apply N`
    asked_by: int = Field(foreign_key="member.id")
    answers: str  # JSON
    method: str = Field(max_length=16)
    result: str  # JSON
    created_at: datetime = time_field()
    applied_at: datetime | None = time_field(nullable=True)


class InsightState(SQLModel, table=True):
    """What the team did with one insight (a rule on some items): dismissed, snoozed, or last
    reported in a digest with these numbers, so the same news is not repeated every week."""

    __tablename__ = "insight_state"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    key: str = Field(max_length=120)  # rule id and item refs: "traffic_up_conversion_flat:K3,K4"
    dismissed_at: datetime | None = time_field(nullable=True)
    snoozed_until: date | None = None
    reported: str | None = Field(default=None, max_length=64)  # the numbers it was last reported with (a digest)
    reported_at: datetime | None = time_field(nullable=True)


class Source(SQLModel, table=True):
    """Where a KPI's or key result's actual comes from by itself: a CSV or JSON URL, or a SQL
    query, read on a schedule into ordinary check-ins. Secrets live only in `secret`, encrypted."""

    __table_args__ = (UniqueConstraint("workspace_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    number: int
    key_result_id: int | None = Field(default=None, foreign_key="key_result.id")
    kpi_id: int | None = Field(default=None, foreign_key="kpi.id")
    kind: str = Field(max_length=8)  # csv, json, sql
    settings: str  # JSON: what may be shown (the URL without its secrets, the column, path or query)
    secret: str  # Fernet token of {"url": …, "header_value": …}
    schedule: str = Field(default="daily", max_length=8)  # daily, hourly
    at: str = Field(default="08:00", max_length=5)  # a daily run's local time
    active: bool = True
    created_by: int = Field(foreign_key="member.id")
    created_at: datetime = time_field()
    last_run_at: datetime | None = time_field(nullable=True)
    last_value: Decimal | None = decimal_field()
    last_state: str | None = Field(default=None, max_length=8)  # ok, failed
    last_error: str | None = Field(default=None, max_length=400)  # a catalog key and its values, as JSON
    failing_since: datetime | None = time_field(nullable=True)
    notified_at: datetime | None = time_field(nullable=True)  # its owner was told of the failure (once per failing spell)


class SeenRequest(SQLModel, table=True):
    """Slack delivers some things twice (event retries, double-submitted modals). The first
    insert of a key wins; every replica sees the same table, so a retry is processed once."""

    __tablename__ = "seen_request"
    key: str = Field(primary_key=True, max_length=160)
    created_at: datetime = time_field()


class Subscription(SQLModel, table=True):
    """A scheduled post: the weekly digest to a channel or a person, at a local weekday and time."""

    __table_args__ = (UniqueConstraint("workspace_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    number: int
    kind: str = Field(default="weekly", max_length=16)
    target: str = Field(max_length=40)  # a channel id ("C…", "#name" in the console) or a user id
    weekday: int  # 0 Monday … 6 Sunday
    at: str = Field(max_length=5)  # "HH:MM", the workspace's local time
    language: str = Field(default="en", max_length=8)  # its creator's, unless the workspace fixes one
    created_by: int = Field(foreign_key="member.id")
    created_at: datetime = time_field()
    active: bool = True
    team_id: int | None = Field(default=None, foreign_key="team.id")  # a team's digest; None: the company's


class Send(SQLModel, table=True):
    """One scheduled post, claimed before it is posted: the unique key makes it exactly once,
    whichever process, restart or late clock tick gets there first."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    key: str = Field(max_length=160, unique=True)  # kind:target:period-or-week-or-day
    kind: str = Field(max_length=16)
    target: str = Field(max_length=40)
    period: str = Field(default="", max_length=10)
    language: str = Field(default="en", max_length=8)
    status: str = Field(default="sending", max_length=12, index=True)  # sending, sent, failed, skipped
    attempts: int = 1
    last_error: str | None = Field(default=None, max_length=400)
    slot_at: datetime = time_field()
    next_attempt_at: datetime | None = time_field(nullable=True)
    sent_at: datetime | None = time_field(nullable=True)
    claimed_by: str = Field(default="", max_length=80)
    claimed_at: datetime | None = time_field(nullable=True)  # when the claim (or its last take-over) began
    team_id: int | None = None  # a team's digest or summary


class ApiToken(SQLModel, table=True):
    """A workspace's token for `POST /api/v1/checkins` (a CRM or spreadsheet pushing actuals).
    Only a hash is kept; the token itself is shown once, to the owner who created it."""

    __tablename__ = "api_token"
    __table_args__ = (UniqueConstraint("workspace_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    number: int
    label: str = Field(default="", max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    created_by: int = Field(foreign_key="member.id")
    created_at: datetime = time_field()
    revoked_at: datetime | None = time_field(nullable=True)



# Slack's OAuth installation and state stores (slack-sdk) keep their own tables; migration 0003
# creates them, and `bot.slack.oauth_tables` holds their definition: the store never imports Slack.
PLATFORM_TABLES = ("slack_bots", "slack_installations", "slack_oauth_states")
