"""The check-in hot path: the same answers and the same rows as the general path, in two statements.

`typed_checkin` handles the common case of `/checkin KR1.2 40` and hands everything else to
`checkins.record_checkin`. Each test here would fail if the two drifted apart: a number, a
refusal, a permission or a row that differs.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Join, event, select, update

from bot.domain.parsing import parse_command
from bot.services.checkins import record_checkin
from bot.services.context import Actor
from bot.services.deliveries import Delivery
from bot.services.results import CheckinRecorded, Replayed
from bot.services.dispatch import run_command, run_use_case
from bot.services.typed_checkin import typed_checkin
from bot.store import checkin_queries
from bot.store.models import Checkin, KeyResult, Workspace
from support.db import table_counts

T0 = datetime(2026, 11, 3, 9, 0, tzinfo=timezone.utc)
MEASURES = st.sampled_from(["", "type=decrease", "type=at-least", "type=at-most", "type=milestone"])
EXAMPLES = count()
VALUES = st.decimals(min_value=-1000, max_value=100000, places=2, allow_nan=False, allow_infinity=False)


def key_result_line(measure: str, start: Decimal, target: Decimal) -> str:
    if measure == "type=milestone":
        return f'O1 "Launch" {measure}'
    if measure in ("type=at-least", "type=at-most"):
        return f'O1 "Hold" target={target} {measure}'
    if measure == "type=decrease":
        return f'O1 "Cut" start={max(start, target) + 1} target={min(start, target)} {measure}'
    return f'O1 "Grow" start={min(start, target)} target={max(start, target) + 1}'


def set_up(runtime, team: str, lines: list[str]) -> Actor:
    owner = Actor(team, "U-owner", "Ann")
    assert run_command(runtime, owner, "/okr", 'add "Grow the pipeline"').error is None
    for line in lines:
        outcome = run_command(runtime, owner, "/okr", f"kr {line}")
        assert outcome.error is None, (line, outcome.error)
    return owner


def general_path(runtime, actor: Actor, text: str, now: datetime):
    """What `record_checkin` answers, with ORM objects and every rule spelled out."""
    return run_use_case(runtime, actor, lambda ctx: record_checkin(ctx, parse_command("/checkin", text), source="slack"), now=now)


def stored(engine, team: str) -> list[tuple]:
    with engine.connect() as connection:
        workspace = connection.execute(select(Workspace.id).where(Workspace.team_id == team)).scalar_one()
        rows = connection.execute(select(Checkin.value, Checkin.confidence, Checkin.note, Checkin.source,
                                         Checkin.created_at).where(Checkin.workspace_id == workspace)
                                  .order_by(Checkin.id)).all()
    return [tuple(row) for row in rows]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(krs=st.lists(st.tuples(MEASURES, VALUES, VALUES), min_size=1, max_size=3),
       checkins=st.lists(st.tuples(st.integers(1, 3), VALUES, st.sampled_from(["", "on-track", "at-risk"])), min_size=1, max_size=5))
def test_the_hot_path_answers_and_writes_what_the_general_path_does(runtime, krs, checkins):
    stamp = next(EXAMPLES)  # hypothesis may run an example twice: each gets workspaces of its own
    hot_team, general_team = f"T-hot-{stamp}", f"T-gen-{stamp}"
    lines = [key_result_line(*kr) for kr in krs]
    hot, general = set_up(runtime, hot_team, lines), set_up(runtime, general_team, lines)
    for n, (kr, value, confidence) in enumerate(checkins):
        text = f"KR1.{min(kr, len(krs))} {1 if krs[min(kr, len(krs)) - 1][0] == 'type=milestone' else value} {confidence} note {n}".strip()
        now = T0 + timedelta(minutes=n)
        quick = typed_checkin(runtime, hot, parse_command("/checkin", text), now=now)
        slow = general_path(runtime, general, text, now)
        assert quick is not None, text  # the common case never leaves the hot path
        assert (quick.result, quick.error and quick.error.key, quick.language) == (slow.result, slow.error and slow.error.key, slow.language)
    assert stored(runtime.engine, hot_team) == stored(runtime.engine, general_team)


def count_statements(engine):
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: seen.append(statement))
    return seen


@pytest.mark.parametrize("size", [1, 30])
def test_a_typed_check_in_is_one_read_and_one_insert_whatever_the_size(runtime, size):
    owner = set_up(runtime, f"T-size-{size}", ['O1 "Leads" target=100'] + [f'O1 "KR {n}" target={n + 10}' for n in range(size - 1)])
    for n in range(2, size + 1):  # other objectives, and history on every key result
        run_command(runtime, owner, "/okr", f'add "Other {n}"')
    for n in range(3):
        for kr in range(1, size + 1):
            assert run_command(runtime, owner, "/checkin", f"KR1.{kr} {n}").error is None
    seen = count_statements(runtime.engine)
    outcome = run_command(runtime, owner, "/checkin", "KR1.1 42")
    assert outcome.error is None and outcome.result.objective is not None
    work = [s for s in seen if not s.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))]
    assert [s.split()[0] for s in work] == ["SELECT", "INSERT"], work


REFUSALS = [
    ("KR1.9 4", "error.unknown_ref"),
    ("KR7.1 4", "error.unknown_ref"),
    ("KR1.2 4", "error.target_not_set"),
    ("KR1.1 4%", None),  # a unit the key result does not count in: refused by the value's own rule
    ("KR1.1 4 " + "long " * 500, "error.note_too_long"),
]


@pytest.mark.parametrize("text,key", REFUSALS)
def test_refusals_are_the_general_paths_own_and_write_nothing(runtime, text, key):
    owner = set_up(runtime, "T-refuse", ['O1 "Leads" target=100'])
    run_command(runtime, owner, "/okr", 'kr O1 "Later" target=50')
    with runtime.engine.begin() as connection:  # "to be set", as a starter kit leaves it
        connection.execute(update(KeyResult).where(KeyResult.number == 2).values(target=None))
    before = table_counts(runtime.engine)
    outcome = run_command(runtime, owner, "/checkin", text)
    reference = general_path(runtime, owner, text, T0)
    assert outcome.error is not None and outcome.error.key == reference.error.key
    if key:
        assert outcome.error.key == key
    assert table_counts(runtime.engine) == before


def test_whoever_may_not_check_in_is_refused_as_before(runtime):
    owner = set_up(runtime, "T-perm", ['O1 "Leads" target=100'])
    stranger = Actor("T-perm", "U-stranger", "Bo")
    run_command(runtime, stranger, "/okr", "list")  # a member now, owning nothing
    before = table_counts(runtime.engine)
    assert typed_checkin(runtime, stranger, parse_command("/checkin", "KR1.1 5")) is None  # handed to the general path...
    outcome = run_command(runtime, stranger, "/checkin", "KR1.1 5")
    assert outcome.error.key == "error.not_your_item"  # ...which explains
    assert table_counts(runtime.engine) == before
    assert run_command(runtime, owner, "/checkin", "KR1.1 5").error is None


def test_the_unusual_cases_take_the_general_path(runtime):
    owner = set_up(runtime, "T-unusual", ['O1 "Leads" target=100'])
    parsed = parse_command("/checkin", "KR1.1 5")
    newcomer = Actor("T-unusual", "U-new", "Cy")
    assert typed_checkin(runtime, newcomer, parsed) is None  # not a member yet: the general path adds them
    renamed = Actor("T-unusual", "U-owner", "Ann Li")
    assert typed_checkin(runtime, renamed, parsed) is None  # the general path keeps the name current
    assert run_command(runtime, renamed, "/checkin", "KR1.1 5").error is None
    assert typed_checkin(runtime, renamed, parsed) is not None
    run_command(runtime, owner, "/okr", 'add "Team goal"')
    assert run_command(runtime, owner, "/okr", "align O2 KR1.1").error is None
    assert typed_checkin(runtime, renamed, parsed) is None  # rolled up from O2 now
    assert run_command(runtime, renamed, "/checkin", "KR1.1 6").error.key == "error.rolled_up_checkin"


def count_commits(engine) -> list[object]:
    commits: list[object] = []
    event.listen(engine, "commit", lambda connection: commits.append(connection))
    return commits


def test_a_check_in_and_the_claim_of_its_request_commit_together_once(runtime):
    owner = set_up(runtime, "T-claim", ['O1 "Leads" target=100'])
    run_command(runtime, owner, "/checkin", "KR1.1 1")  # the member's name and locale are current: the hot path
    before = table_counts(runtime.engine)
    seen, commits = count_statements(runtime.engine), count_commits(runtime.engine)
    delivery = Delivery(runtime.engine, "sig:once")
    outcome = run_command(runtime, owner, "/checkin", "KR1.1 42", delivery=delivery)
    assert outcome.error is None and outcome.result.key_result.progress == Decimal("0.42")
    work = [s.split()[0] for s in seen if not s.startswith(("BEGIN", "COMMIT"))]
    # the claim and the check-in in one transaction; on PostgreSQL in one statement (WITH claim AS (INSERT …) INSERT …)
    assert work == (["SELECT", "WITH"] if runtime.engine.dialect.name == "postgresql" else ["SELECT", "INSERT", "INSERT"])
    assert len(commits) == 1 and delivery.fresh is True
    replay = Delivery(runtime.engine, "sig:once")
    again = run_command(runtime, owner, "/checkin", "KR1.1 42", delivery=replay)
    assert isinstance(again.result, Replayed) and again.error is None and replay.fresh is False  # the edge logs it
    after = table_counts(runtime.engine)
    assert after["checkin"] == before["checkin"] + 1 and after["seen_request"] == before["seen_request"] + 1


def test_a_request_raced_by_its_replays_is_recorded_once(runtime):
    owner = set_up(runtime, "T-race", ['O1 "Leads" target=100'])
    run_command(runtime, owner, "/checkin", "KR1.1 1")
    before = table_counts(runtime.engine)["checkin"]
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda _: run_command(runtime, owner, "/checkin", "KR1.1 7",
                                                       delivery=Delivery(runtime.engine, "sig:raced")), range(8)))
    assert sum(isinstance(o.result, CheckinRecorded) for o in outcomes) == 1
    assert sum(isinstance(o.result, Replayed) for o in outcomes) == 7
    assert table_counts(runtime.engine)["checkin"] == before + 1


def test_a_refused_command_claims_nothing_and_an_accepted_one_is_claimed_with_its_work(runtime):
    owner = set_up(runtime, "T-claims", ['O1 "Leads" target=100'])
    run_command(runtime, owner, "/checkin", "KR1.1 1")
    before = table_counts(runtime.engine)
    refused = Delivery(runtime.engine, "sig:refused")
    assert run_command(runtime, owner, "/checkin", "KR1.1 4%", delivery=refused).error is not None  # refused on the hot path
    assert refused.fresh is None and table_counts(runtime.engine) == before  # bad input writes nothing
    commits = count_commits(runtime.engine)
    added = Delivery(runtime.engine, "sig:add")
    assert run_command(runtime, owner, "/okr", 'add "Once"', delivery=added).error is None
    assert added.fresh is True and len(commits) == 1  # the general path: the claim and the work, one transaction
    replayed = run_command(runtime, owner, "/okr", 'add "Once"', delivery=Delivery(runtime.engine, "sig:add"))
    assert isinstance(replayed.result, Replayed) and table_counts(runtime.engine)["objective"] == before["objective"] + 1
    run_command(runtime, owner, "/okr", 'align O2 KR1.1')  # O1 rolls up from O2 now: its check-ins take the general path
    general = Delivery(runtime.engine, "sig:general")
    assert run_command(runtime, owner, "/checkin", "KR1.1 3", delivery=general).error.key == "error.rolled_up_checkin"
    assert general.fresh is None  # refused by the general path: rolled back, claim and all
    again = run_command(runtime, owner, "/checkin", "KR1.1 3", delivery=Delivery(runtime.engine, "sig:general"))
    assert again.error.key == "error.rolled_up_checkin"  # a replay is refused alike, and still writes nothing


def test_an_alignment_elsewhere_leaves_the_hot_path_to_everyone_else(runtime):
    """Only objectives aligned to *this* objective (or its key results) make a check-in take the
    general path: an alignment in another workspace, or to another objective, does not."""
    parsed = parse_command("/checkin", "KR1.1 5")
    aligned = set_up(runtime, "T-aligned", ['O1 "Leads" target=100'])
    run_command(runtime, aligned, "/okr", 'add "Team goal"')
    run_command(runtime, aligned, "/okr", 'kr O2 "Posts" target=10')
    assert run_command(runtime, aligned, "/okr", "align O2 KR1.1").error is None
    elsewhere = set_up(runtime, "T-elsewhere", ['O1 "Leads" target=100'])
    for actor in (aligned, elsewhere):
        run_command(runtime, actor, "/checkin", "KR1.1 1" if actor is elsewhere else "KR2.1 1")
    assert typed_checkin(runtime, elsewhere, parsed) is not None  # another workspace's alignment is not this one's
    assert typed_checkin(runtime, aligned, parse_command("/checkin", "KR2.1 5")) is not None  # O2 has nothing aligned below it
    assert typed_checkin(runtime, aligned, parsed) is None  # O1's KR1.1 rolls up from O2: the general path


def test_the_hot_paths_read_never_scans_a_whole_table(runtime):
    """Its cost must not grow with the database: every table is reached through an index."""
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    statement = checkin_queries._situation_statement().compile(dialect=runtime.engine.dialect)
    params = [{"team_id": "T", "user_id": "U", "objective_number": 1}.get(name, statement.params.get(name))
              for name in statement.positiontup]
    with runtime.engine.connect() as connection:
        plan = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", tuple(params))]
    assert plan and not [step for step in plan if step.startswith("SCAN")], plan


def test_the_hot_paths_read_joins_few_enough_tables_to_plan_cheaply(runtime):
    """PostgreSQL plans a join of more than 8 tables by a slower search (and of 12 or more with its
    genetic optimizer), again on every execution: with fifteen, planning took 3.5 ms of a 4 ms read,
    and a check-in on an analysed database cost 8 ms. Lookups by key are scalar subqueries instead."""
    def tables(clause) -> list:
        return [*tables(clause.left), *tables(clause.right)] if isinstance(clause, Join) else [clause]

    [joined] = checkin_queries._situation_statement().get_final_froms()
    assert len(tables(joined)) <= 8, [t.name for t in tables(joined)]


def test_a_check_in_that_fails_midway_leaves_its_request_unclaimed_so_a_retry_records_it(runtime):
    """The claim commits with the check-in or not at all. (When the claim was its own transaction,
    a crash between the two lost the check-in: the retry was taken for a replay and dropped.)"""
    owner = set_up(runtime, "T-midway", ['O1 "Leads" target=100'])
    run_command(runtime, owner, "/checkin", "KR1.1 1")
    before = table_counts(runtime.engine)
    failures = []

    def fail_the_check_in_once(conn, cursor, statement, *rest):
        if "INSERT INTO checkin" in statement and not failures:
            failures.append(statement)
            raise RuntimeError("the process died here")

    event.listen(runtime.engine, "before_cursor_execute", fail_the_check_in_once)
    try:
        first = Delivery(runtime.engine, "sig:midway")
        failed = run_command(runtime, owner, "/checkin", "KR1.1 64", delivery=first)
        assert failures and failed.error.key == "error.internal" and first.fresh is None
        assert table_counts(runtime.engine) == before  # neither the claim nor the check-in
        retry = run_command(runtime, owner, "/checkin", "KR1.1 64", delivery=Delivery(runtime.engine, "sig:midway"))
    finally:
        event.remove(runtime.engine, "before_cursor_execute", fail_the_check_in_once)
    assert retry.error is None and retry.result.key_result.progress == Decimal("0.64")
    after = table_counts(runtime.engine)
    assert after["checkin"] == before["checkin"] + 1 and after["seen_request"] == before["seen_request"] + 1


def test_a_general_command_that_fails_midway_leaves_its_request_unclaimed_too(runtime):
    owner = set_up(runtime, "T-midway-general", ['O1 "Leads" target=100'])
    before = table_counts(runtime.engine)
    failures = []

    def fail_once(conn, cursor, statement, *rest):
        if statement.startswith("INSERT INTO objective") and not failures:
            failures.append(statement)
            raise RuntimeError("the process died here")

    event.listen(runtime.engine, "before_cursor_execute", fail_once)
    try:
        failed = run_command(runtime, owner, "/okr", 'add "Retried"', delivery=Delivery(runtime.engine, "sig:general-midway"))
        assert failures and failed.error.key == "error.internal" and table_counts(runtime.engine) == before
        retry = run_command(runtime, owner, "/okr", 'add "Retried"', delivery=Delivery(runtime.engine, "sig:general-midway"))
    finally:
        event.remove(runtime.engine, "before_cursor_execute", fail_once)
    assert retry.error is None and table_counts(runtime.engine)["objective"] == before["objective"] + 1
