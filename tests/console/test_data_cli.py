"""`python -m bot export | import | import-actuals` as an operator runs them: exit codes and messages."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import pytest

from support.db import SCRIPT


def entry() -> list[str]:
    """`python -m bot` once bot/cli.py lists the data commands; until then their own module's entry."""
    from bot.cli import build_parser

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    return ["-m", "bot"] if "import-actuals" in commands else ["-m", "bot.cli_data"]


def run(db_url: str, *args: str, stdin: str | None = None, expect: int = 0, module: list[str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": db_url, "LOG_LEVEL": "WARNING"}
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, *(module or entry()), *args], input=stdin, capture_output=True, text=True, encoding="utf-8",
                          env=env, timeout=120)
    assert done.returncode == expect, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return done


@pytest.fixture
def db_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'data.sqlite3'}"
    run(url, "console", "--user", "owner", "--team", "acme", stdin=SCRIPT.read_text(encoding="utf-8"), module=["-m", "bot"])
    return url


def test_export_then_import_under_another_team_round_trips(db_url, tmp_path):
    exported = run(db_url, "export", "--team", "acme")
    document = json.loads(exported.stdout)
    assert document["format"] == "perfbot-export" and "Exported workspace acme" in exported.stderr
    path = tmp_path / "acme.json"
    run(db_url, "export", "--team", "acme", "--output", str(path))
    imported = run(db_url, "import", str(path), "--team", "globex")
    assert "Imported workspace globex: 3 members, 2 objectives, 2 key results, 2 KPIs, 4 check-ins." in imported.stdout
    again = json.loads(run(db_url, "export", "--team", "globex").stdout)
    assert again["workspace"].pop("team_id") == "globex" and document["workspace"].pop("team_id") == "acme"
    assert again == document
    from_stdin = run(db_url, "import", "--team", "initech", stdin=path.read_text(encoding="utf-8"))
    assert "Imported workspace initech" in from_stdin.stdout


def test_bad_imports_exit_1_with_a_reason(db_url, tmp_path):
    path = tmp_path / "acme.json"
    run(db_url, "export", "--team", "acme", "--output", str(path))
    refused = run(db_url, "import", str(path), expect=1)
    assert "already has goals" in refused.stderr
    assert "已有目标" in run(db_url, "import", str(path), "--lang", "zh", expect=1).stderr
    (tmp_path / "broken.json").write_text('{"format": "perfbot-export",', encoding="utf-8")
    assert "not valid JSON (line 1" in run(db_url, "import", str(tmp_path / "broken.json"), expect=1).stderr
    document = json.loads(path.read_text(encoding="utf-8"))
    document["checkins"][0]["ref"] = "K42"
    (tmp_path / "bad.json").write_text(json.dumps(document), encoding="utf-8")
    bad = run(db_url, "import", str(tmp_path / "bad.json"), "--team", "new", expect=1)
    assert "Nothing was imported" in bad.stderr and "checkins[0].ref: `K42` is not in this export" in bad.stderr
    assert "There is no workspace `nobody`" in run(db_url, "export", "--team", "nobody", expect=1).stderr
    assert "Cannot read `missing.json`" in run(db_url, "import", "missing.json", expect=1).stderr


def test_import_actuals_applies_a_good_file_and_reports_every_bad_line(db_url, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes("\ufeff编号,数值,信心,备注\nK1,13%,正常,CRM 导入\nK2,5.5%,,\n".encode("utf-8"))
    done = run(db_url, "import-actuals", str(good), "--team", "acme", "--user", "owner")
    assert "Check-ins recorded: 2." in done.stdout and "line 2: K1 13%" in done.stdout
    assert "其中 2 条此前已记录" in run(db_url, "import-actuals", str(good), "--team", "acme", "--user", "owner", "--lang", "zh").stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("ref,value\nK1,14%\nK8,1\nK2,5%\nK1,fourteen\nK2,4%\n", encoding="utf-8")
    refused = run(db_url, "import-actuals", str(bad), "--team", "acme", "--user", "owner", expect=1)
    assert "Nothing was recorded: 2 row(s) have problems" in refused.stderr
    assert "line 3: There is no K8" in refused.stderr and "line 5: `fourteen` is not a number" in refused.stderr
    kpis = run(db_url, "console", "--user", "owner", "--team", "acme", stdin="/kpi list\n", module=["-m", "bot"]).stdout
    assert "13%/15%" in kpis  # the good file's value, not the bad file's 14%


def test_import_actuals_refuses_strangers_and_unreadable_files(db_url, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("ref,value\nK1,13%\n", encoding="utf-8")
    assert "`mallory` is not a member of the workspace `acme`" in run(
        db_url, "import-actuals", str(good), "--team", "acme", "--user", "mallory", expect=1).stderr
    latin = tmp_path / "latin.csv"
    latin.write_bytes("ref,value,note\nK1,13%,caf\xe9\n".encode("latin-1"))
    assert "is not UTF-8 text" in run(db_url, "import-actuals", str(latin), "--team", "acme", "--user", "owner", expect=1).stderr
    headless = tmp_path / "headless.csv"
    headless.write_text("K1,13%\n", encoding="utf-8")
    assert "The first line must be a header" in run(
        db_url, "import-actuals", str(headless), "--team", "acme", "--user", "owner", expect=1).stderr
