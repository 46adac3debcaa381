"""The console as a newcomer runs it: `python -m bot console`, lines piped in."""

import os
import subprocess
import sys

import pytest

from support.db import SCRIPT


def run_console(database_url: str, stdin: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": ""}
    env.pop("SLACK_BOT_TOKEN"), env.pop("SLACK_APP_TOKEN")
    done = subprocess.run([sys.executable, "-m", "bot", "console", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=120, check=True)
    assert "Traceback" not in done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'console.sqlite3'}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_piping_the_script_gives_the_pinned_numbers(db_url, lang):
    out = run_console(db_url, SCRIPT.read_text(encoding="utf-8"), "--user", "owner", "--lang", lang)
    checkin = "KR1.1 4/12（33%）" if lang == "zh" else "KR1.1 4/12 (33%)"
    for number in (checkin, "50%", "42%", "81.1", "60%"):
        assert number in out, number
    if lang == "zh":
        assert "加权得分" in out and "目标" in out
    else:
        assert "Weighted score: 81.1" in out


def test_data_survives_a_restart(db_url):
    run_console(db_url, "/okr add 提升华东地区品牌知名度\n/okr kr O1 头部媒体发文 目标=12\n", "--user", "owner")
    out = run_console(db_url, "/checkin KR1.1 6 正常 两篇稿件已发\n/okr list\n", "--user", "owner")
    assert "提升华东地区品牌知名度" in out and "KR1.1 6/12 (50%)" in out  # --lang en: English around Chinese titles


def test_a_line_may_act_as_another_user_and_teams_are_separate(db_url):
    run_console(db_url, "/okr add Brand\n/okr kr O1 Articles target=10 owner=@alice\n", "--user", "owner", "--team", "acme")
    out = run_console(db_url, "@alice /checkin KR1.1 5\n@alice /okr add Mine level=company\n", "--user", "owner", "--team", "acme")
    assert "5/10 (50%)" in out and "Only owners and managers" in out
    other = run_console(db_url, "/okr list\n", "--user", "owner", "--team", "globex")
    assert "Brand" not in other


def test_a_line_that_is_not_utf8_is_refused_alone_and_the_rest_still_run(db_url):
    env = {**os.environ, "DATABASE_URL": db_url}
    env.pop("SLACK_BOT_TOKEN", None), env.pop("SLACK_APP_TOKEN", None)
    lines = b"/okr add First\n/okr add caf\xe9 \xff\n/okr add Third\n/okr list\n"
    done = subprocess.run([sys.executable, "-m", "bot", "console", "--user", "owner"], input=lines, capture_output=True, env=env,
                          timeout=120, check=True)
    out = done.stdout.decode("utf-8")
    assert "Traceback" not in out + done.stderr.decode("utf-8", "replace")
    assert "Line 2 is not UTF-8" in out and "First" in out and "Third" in out and "O2" in out


def test_an_ordinary_start_prints_no_migration_lines(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    env.pop("SLACK_BOT_TOKEN", None), env.pop("SLACK_APP_TOKEN", None)
    done = subprocess.run([sys.executable, "-m", "bot", "console"], input="/perf help\n", capture_output=True, text=True, env=env,
                          timeout=120, check=True)
    assert "alembic" not in done.stdout + done.stderr and "/okr add" in done.stdout


def test_the_interactive_console_has_history_on_the_up_arrow(tmp_path):
    """A real terminal (a pty): the up arrow brings back the last line, as readline does."""
    import pty
    import select
    import time

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'tty.sqlite3'}", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path),
           "TERM": "xterm"}
    env.pop("SLACK_BOT_TOKEN", None), env.pop("SLACK_APP_TOKEN", None)
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "bot", "console", "--user", "owner"], stdin=follower, stdout=follower,
                               stderr=follower, env=env, close_fds=True)
    os.close(follower)
    seen = b""

    def prompts(count: int, timeout: float = 60) -> bytes:
        """Read until the console has shown its prompt `count` times."""
        nonlocal seen
        deadline = time.monotonic() + timeout
        while seen.count(b"perf> ") < count and time.monotonic() < deadline:
            if select.select([leader], [], [], 0.2)[0]:
                try:
                    seen += os.read(leader, 4096)
                except OSError:
                    break
        return seen

    try:
        prompts(1)
        os.write(leader, b"/okr add Typed once\r")
        assert b"Added O1" in prompts(2)
        os.write(leader, b"\x1b[A\r")  # the up arrow, then Enter: the same line again
        assert b"Added O2" in prompts(3)
        os.write(leader, b"\x04")  # Ctrl-D at the prompt: the session ends and the history is saved
        process.wait(timeout=30)
    finally:
        process.kill()
        os.close(leader)
    assert any(tmp_path.rglob("console_history"))
