"""Export and import: a workspace survives the round trip whole, and a bad document writes nothing."""

from __future__ import annotations

import copy
import json
import shutil
from datetime import datetime, timezone

import pytest
from sqlmodel import Session, select

from bot.console.app import Console, ConsoleUser
from bot.domain.errors import UserError
from bot.services.actuals import apply_actuals, read_actuals_items
from bot.services.context import Actor
from bot.services.dispatch import run_use_case
from bot.services.runtime import Runtime
from bot.services.transfer import FORMAT, VERSION, export_workspace, import_workspace
from bot.store.database import make_engine, unit_of_work
from bot.store.models import Checkin, PeriodState, Workspace
from support.db import table_counts


def export(engine, team: str) -> dict:
    with Session(engine) as session:
        return export_workspace(session, team)


def restore(engine, document: object, team: str | None = None):
    with unit_of_work(engine) as session:
        return import_workspace(session, document, team)


def without_team(document: dict) -> dict:
    copied = copy.deepcopy(document)
    copied["workspace"].pop("team_id")
    return copied


@pytest.fixture
def workspace(console, script_lines, runtime, engine) -> dict:
    """The issue's script, plus everything else a workspace can hold."""
    for line in script_lines:
        console(line)
    for line in ["/okr add 提升华东地区品牌知名度", "/okr kr O3 头部媒体发文 目标=12 负责人=@alice", "/okr carry O3",
                 "/advise size=15 business=product resources=limited goal=expansion", "/advise apply",
                 "/digest weekly #marketing mon 09:00", "/perf away until 2099-12-05", "@alice /checkin KR3.1 2 有风险 进展慢"]:
        assert "⚠️" not in console(line), line
    api = run_use_case(runtime, Actor("T1", "owner", "owner"), lambda ctx: apply_actuals(
        ctx, read_actuals_items([{"ref": "K2", "value": "5.5%", "idempotency_key": "crm-42"}]), "api"))
    assert api.error is None
    with unit_of_work(engine) as session:
        ws = session.exec(select(Workspace).where(Workspace.team_id == "T1")).one()
        session.add(PeriodState(workspace_id=ws.id, period="2026-Q1", closed_at=datetime(2026, 4, 1, tzinfo=timezone.utc)))
    console("/perf settings cap=110% language=zh updates=#marketing timezone=Asia/Shanghai")
    return export(engine, "T1")


def test_a_round_trip_loses_nothing(workspace, engine, runtime):
    document = json.loads(json.dumps(workspace))  # through real JSON text
    assert document["format"] == FORMAT and document["version"] == VERSION
    summary = restore(engine, document, "T2")
    assert (summary.team_id, summary.objectives, summary.kpis, summary.checkins) == ("T2", len(document["objectives"]), len(document["kpis"]), len(document["checkins"]))
    again = export(engine, "T2")
    assert again["workspace"]["team_id"] == "T2"
    assert without_team(again) == without_team(workspace)
    before = {"T1": Console(runtime, ConsoleUser("T1", "owner", "en")), "T2": Console(runtime, ConsoleUser("T2", "owner", "en"))}
    for line in ("/okr list", "/kpi list", "/scorecard", "/okr show O4", "/digest list", "/perf members"):
        assert before["T1"].execute(line) == before["T2"].execute(line), line


def test_the_export_keeps_numbers_archives_times_and_order(workspace):
    objectives = {o["number"]: o for o in workspace["objectives"]}
    assert objectives[1]["archived_at"] is not None and objectives[4]["carried_from"] == 3
    assert [kr["number"] for kr in objectives[1]["key_results"]] == [1, 2]
    assert [c["ref"] for c in workspace["checkins"][:4]] == ["KR1.1", "KR1.2", "K1", "K2"]
    assert workspace["checkins"][1]["value"] == "6.5" and workspace["checkins"][0]["confidence"] == "on-track"
    assert workspace["checkins"][-1]["idempotency_key"].startswith("api:")  # the sender's key, scoped to its team
    created = [c["created_at"] for c in workspace["checkins"]]
    assert all(datetime.fromisoformat(t).tzinfo is not None for t in created)
    assert workspace["workspace"]["score_cap"] == "110" and workspace["period_states"] == [{"period": "2026-Q1", "closed_at": "2026-04-01T00:00:00+00:00"}]
    assert workspace["advice"][0]["number"] == 1 and any(k["advice"] == 1 for k in workspace["kpis"])


def test_a_copy_beside_its_original_keeps_its_keys_apart(workspace, engine):
    restore(engine, workspace, "T2")
    with Session(engine) as session:
        keys = sorted(session.exec(select(Checkin.idempotency_key).where(Checkin.idempotency_key.is_not(None))).all())
    assert len(keys) == 2 and keys[0].startswith("api:") and keys[1].startswith("~") and keys[1].endswith(keys[0])  # kept apart from T1's


def test_a_restored_workspace_still_recognises_a_retried_submission(workspace, migrated_sqlite, tmp_path, runtime):
    """A restore into a new database under the same team: the CRM's retry records nothing twice."""
    shutil.copyfile(migrated_sqlite, tmp_path / "restored.sqlite3")
    other = make_engine(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    try:
        restore(other, workspace)
        retry = run_use_case(Runtime(other, runtime.rules, runtime.catalog), Actor("T1", "owner", "owner"), lambda ctx: apply_actuals(
            ctx, read_actuals_items([{"ref": "K2", "value": "5.5%", "idempotency_key": "crm-42"}]), "api"))
        assert retry.error is None and retry.result.duplicates == 1
        assert table_counts(other)["checkin"] == len(workspace["checkins"])
    finally:
        other.dispose()


def test_import_refuses_a_workspace_that_has_data(workspace, engine):
    before = table_counts(engine)
    with pytest.raises(UserError) as refused:
        restore(engine, workspace)
    assert refused.value.key == "transfer.error.not_empty"
    assert table_counts(engine) == before


def test_import_fills_an_existing_empty_workspace(workspace, engine, runtime):
    Console(runtime, ConsoleUser("T5", "owner", "en")).execute("/perf help")  # the workspace exists, with its owner
    restore(engine, workspace, "T5")
    assert without_team(export(engine, "T5")) == without_team(workspace)


@pytest.mark.parametrize("damage, key", [
    (lambda d: d.update(format="something-else"), "transfer.error.not_an_export"),
    (lambda d: d.update(version=2), "transfer.error.unsupported_version"),
    (lambda d: d["checkins"][0].update(ref="K99"), "transfer.error.invalid_document"),
    (lambda d: d["objectives"][0]["key_results"][0].pop("title"), "transfer.error.invalid_document"),
    (lambda d: d["kpis"][0].update(target=12.5), "transfer.error.invalid_document"),
    (lambda d: d["checkins"][-1].update(author="nobody"), "transfer.error.invalid_document"),
    (lambda d: d.pop("members"), "transfer.error.invalid_document"),
    (lambda d: d["objectives"][0]["key_results"][0].update(start="12", target="12"), "transfer.error.invalid_document"),
    (lambda d: d["kpis"][0].update(target="1E-24"), "transfer.error.invalid_document"),
    (lambda d: d["objectives"][0].update(title="x" * 5000), "transfer.error.invalid_document"),
    (lambda d: d["objectives"][0].update(title=""), "transfer.error.invalid_document"),
    (lambda d: d["checkins"][0].update(note="n" * 100_000), "transfer.error.invalid_document"),
])
def test_a_malformed_document_writes_nothing(workspace, engine, damage, key):
    document = copy.deepcopy(workspace)
    damage(document)
    before = table_counts(engine)
    with pytest.raises(UserError) as refused:
        restore(engine, document, "T9")
    assert refused.value.key == key
    assert table_counts(engine) == before


def test_every_problem_is_named_with_its_place(workspace, engine, runtime):
    from bot.services.transfer_document import describe_problems

    document = copy.deepcopy(workspace)
    document["objectives"][0]["key_results"][1]["start"] = "eight"
    document["checkins"][2]["ref"] = "KR7.7"
    document["members"][1]["role"] = "king"
    with pytest.raises(UserError) as refused:
        restore(engine, document, "T9")
    lines = describe_problems(runtime.catalog, "en", refused.value)
    assert any(line.startswith("objectives[0].key_results[1].start: should be a number written as a string") for line in lines)
    assert "checkins[2].ref: `KR7.7` is not in this export" in lines
    assert any(line.startswith("members[1].role: should be one of") for line in lines)
    assert refused.value.params["count"] == 3


def test_exporting_an_unknown_team_is_explained(engine):
    with pytest.raises(UserError) as missing:
        export(engine, "nobody")
    assert missing.value.key == "error.unknown_team"


@pytest.fixture
def teams_workspace(console, engine) -> dict:
    """Teams, a Slack-group member, goals at three levels aligned in a tree, a team digest, a removed team."""
    from services.test_teams import TREE

    for line in [*TREE.splitlines(), "/digest weekly #growth team=Growth mon 09:00", "/perf team add Events", "/perf team remove Events"]:
        assert not console(line).startswith("⚠️"), line
    with unit_of_work(engine) as session:
        from bot.store.models import TeamMember
        for row in session.exec(select(TeamMember)).all()[:1]:
            row.from_group = True
    return export(engine, "T1")


def test_teams_and_alignment_survive_the_round_trip(teams_workspace, engine, runtime):
    assert [t["name"] for t in teams_workspace["teams"]] == ["Growth", "Brand", "Events"]
    objectives = {o["number"]: o for o in teams_workspace["objectives"]}
    assert (objectives[2]["level"], objectives[2]["team"], objectives[2]["parent"], objectives[2]["align_weight"]) == ("team", "Growth", "KR1.1", "2")
    assert (objectives[4]["level"], objectives[4]["team"], objectives[4]["parent"]) == ("person", "Growth", "O2")
    restore(engine, teams_workspace, "T7")
    assert without_team(export(engine, "T7")) == without_team(teams_workspace)
    copy_console = Console(runtime, ConsoleUser("T7", "owner", "en"))
    assert "progress 53%" in copy_console.execute("/okr show O1")
    assert "Team Events added" in copy_console.execute("/perf team add Events")  # a removed team's name stays free


def test_an_export_from_before_teams_still_imports(teams_workspace, engine):
    old = copy.deepcopy(teams_workspace)
    old.pop("teams")
    for section in ("objectives", "kpis", "subscriptions"):
        for item in old[section]:
            for name in ("level", "team", "parent", "align_weight"):
                item.pop(name, None)
    restore(engine, old, "T8")
    exported = export(engine, "T8")
    assert exported["teams"] == [] and {o["level"] for o in exported["objectives"]} == {"company"}


@pytest.mark.parametrize("damage, problem", [
    (lambda d: d["objectives"][0].update(parent="O2"), "transfer.problem.cycle"),  # O2 is aligned below O1 already
    (lambda d: d["objectives"][1].update(parent="KR9.9"), "transfer.problem.unknown_ref"),
    (lambda d: d["objectives"][1].update(parent="K1"), "transfer.problem.bad_ref"),
    (lambda d: d["objectives"][1].update(team="Nobody"), "transfer.problem.unknown_team"),
    (lambda d: d["kpis"][0].update(team=None), "transfer.problem.team_needed"),
    (lambda d: d["objectives"][1].update(align_weight="0"), "transfer.problem.bad_weight"),
    (lambda d: d["teams"][0].update(name="<!channel>"), "error.bad_team_name"),
    (lambda d: d["teams"][1].update(name="growth"), "transfer.problem.duplicate"),
    (lambda d: d["teams"][0]["members"].append({"user": "ghost", "from_group": False}), "transfer.problem.unknown_member"),
    (lambda d: d["teams"][0].update(members=[{"user": "alice"}]), "transfer.problem.bad_team_members"),
])
def test_a_broken_team_or_alignment_writes_nothing(teams_workspace, engine, damage, problem):
    document = copy.deepcopy(teams_workspace)
    damage(document)
    before = table_counts(engine)
    with pytest.raises(UserError) as refused:
        restore(engine, document, "T9")
    assert refused.value.key == "transfer.error.invalid_document"
    assert problem in {p.key for p in refused.value.params["problems"]}
    assert table_counts(engine) == before
