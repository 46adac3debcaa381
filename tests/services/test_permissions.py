"""The permission matrix: the README's table is the code's, and every cell holds when the
command is typed for real (a refusal writes nothing)."""

import itertools
import re
from pathlib import Path

import pytest

from bot.domain import permissions as p
from support.db import table_counts

README = Path(__file__).parents[2] / "README.md"
ROWS = (p.MANAGE_COMPANY_ITEM, p.MANAGE_TEAM_ITEM, p.MANAGE_PERSONAL_OBJECTIVE, p.MANAGE_PERSONAL_KPI, p.CHECK_IN,
        p.MANAGE_TEAMS, p.MANAGE_TEAM_MEMBERS, p.TEAM_DIGEST, p.COMPANY_DIGEST, p.MANAGE_SOURCES)
COLUMNS = (p.OWNER, p.MANAGER, p.LEAD, p.OTHER_LEAD, p.OWN, p.OTHER)


def readme_matrix() -> dict[str, frozenset[str]]:
    table = README.read_text(encoding="utf-8").split("<!-- permissions:start -->")[1].split("<!-- permissions:end -->")[0]
    lines = [line for line in table.strip().splitlines()[2:] if line.startswith("|")]
    assert len(lines) == len(ROWS), "one README row per action"
    matrix = {}
    for action, line in zip(ROWS, lines):
        cells = [cell.strip() for cell in line.strip("|").split("|")][1:]
        assert len(cells) == len(COLUMNS) and set(cells) <= {"✓", "✗"}, line
        matrix[action] = frozenset(relation for relation, cell in zip(COLUMNS, cells) if cell == "✓")
    return matrix


def test_the_readme_table_is_the_matrix_the_code_enforces():
    assert readme_matrix() == p.MATRIX


# Who plays each column, and a command for each row that needs exactly that permission.
ACTORS = {p.OWNER: "", p.MANAGER: "@mgr ", p.LEAD: "@maria ", p.OTHER_LEAD: "@lin ", p.OWN: "@alice ", p.OTHER: "@bob "}
COMMANDS = {
    p.MANAGE_COMPANY_ITEM: "/okr edit O1 title=Company goal {n}",
    p.MANAGE_TEAM_ITEM: "/okr edit O2 title=Growth goal {n}",
    p.MANAGE_PERSONAL_OBJECTIVE: "/okr edit O3 title=Alice's goal {n}",
    p.MANAGE_PERSONAL_KPI: "/kpi edit K1 title=Alice's KPI {n}",
    p.CHECK_IN: "/checkin KR3.1 {n}",
    p.MANAGE_TEAMS: "/perf team add Extra {n}",
    p.MANAGE_TEAM_MEMBERS: "/perf team Growth add @guest{n}",
    p.TEAM_DIGEST: "/digest weekly #growth{n} team=Growth mon 09:00",
    p.COMPANY_DIGEST: "/digest weekly #all{n} mon 09:00",
    p.MANAGE_SOURCES: "/kpi source K1 csv https://example.com/k{n}.csv column=Value",
}
SETUP = """/perf role @mgr manager
/perf team add Growth lead=@maria
/perf team Growth add @alice
/perf team add Brand lead=@lin
/okr add Company goal owner=@alice
/okr add Growth goal team=Growth owner=@alice
/okr add Alice's goal level=personal owner=@alice
/okr kr O3 Webinars held target=1000 owner=@alice
/kpi add Alice's KPI target=10 weight=50% level=personal owner=@alice
@bob /perf help"""


@pytest.fixture
def organisation(console):
    for line in SETUP.splitlines():
        assert not console(line).startswith("⚠️"), line
    return console


def test_every_cell_of_the_matrix_holds_as_a_real_command(organisation, engine):
    numbers = itertools.count(1)
    wrong = []
    for action, relation in itertools.product(ROWS, COLUMNS):
        command = COMMANDS[action].format(n=next(numbers))
        before = table_counts(engine)
        reply = organisation(ACTORS[relation] + command)
        refused = reply.startswith("⚠️")
        if refused == (relation in p.MATRIX[action]):
            wrong.append(f"{relation} {command}: {reply[:120]}")
        if refused and table_counts(engine) != before:
            wrong.append(f"{relation} {command}: refused but wrote something")
    assert wrong == []


def test_a_refusal_says_who_may_and_how(organisation):
    assert "Only the lead of Growth" in organisation("@lin /okr edit O2 title=Mine")
    assert re.search(r"your own personal objectives", organisation("@bob /okr edit O3 title=Mine"))
    assert "set by a team lead or a manager" in organisation("@alice /kpi add My KPI target=5 weight=10%")
    assert "level=personal" in organisation("@bob /okr add Company thing level=company")
