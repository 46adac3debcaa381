"""Listings cost a fixed number of SQL statements, whatever the size of the workspace.

A statement per objective or per KPI is invisible on a demo workspace and a second-long reply on
a real one (200 objectives): the counts at 5 and at 200 must be equal.
"""

from __future__ import annotations

from sqlalchemy import event

from bot.services.context import Actor
from bot.services.dispatch import run_command

LISTINGS = [("/okr", "list"), ("/scorecard", ""), ("/kpi", "list"), ("/okr", "list team=Growth"), ("/scorecard", "team=Growth")]


def grow(runtime, team: str, objectives: int) -> Actor:
    owner = Actor(team, "UOWNER1", "Ann")
    lead = Actor(team, "ULEAD1", "Bo")
    run_command(runtime, owner, "/okr", "list")  # the first member owns the workspace
    run_command(runtime, lead, "/okr", "list")
    assert run_command(runtime, owner, "/perf", "team add Growth lead=<@ULEAD1|Bo>").error is None
    for n in range(1, objectives + 1):
        team_word = " team=Growth" if n % 2 else ""
        assert run_command(runtime, owner, "/okr", f'add "Objective {n}"{team_word}').error is None
        assert run_command(runtime, owner, "/okr", f'kr O{n} "Leads {n}" target=100').error is None
        assert run_command(runtime, owner, "/kpi", f'add "KPI {n}" target=50 weight=0.1{team_word}').error is None
        assert run_command(runtime, owner, "/checkin", f"KR{n}.1 {n % 90}").error is None
        assert run_command(runtime, owner, "/checkin", f"K{n} {n % 40}").error is None
    if objectives > 1:
        assert run_command(runtime, owner, "/okr", "align O2 KR1.1").error is None  # a parent on the page
    return owner


def statements(runtime, actor: Actor, command: str, text: str) -> int:
    seen: list[str] = []

    def note(conn, cursor, statement, *rest):
        seen.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", note)
    try:
        outcome = run_command(runtime, actor, command, text)
    finally:
        event.remove(runtime.engine, "before_cursor_execute", note)
    assert outcome.error is None, (command, text, outcome.error)
    return len([s for s in seen if not s.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))])


def test_a_listing_reads_as_many_statements_at_200_objectives_as_at_5(runtime):
    small, large = grow(runtime, "T-small", 5), grow(runtime, "T-large", 200)
    counts = {f"{command} {text}": (statements(runtime, small, command, text), statements(runtime, large, command, text))
              for command, text in LISTINGS}
    assert all(at_5 == at_200 for at_5, at_200 in counts.values()), counts
