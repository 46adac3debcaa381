"""Run 5: random command lines through every way in, counting internal errors.

`lines(n, seed)` makes command lines from the command vocabulary, item references, options
with odd values, huge and tiny numbers, mentions, Unicode and markup; the same lines go to
`python -m bot serve` as signed slash commands over HTTP and to the console. Every answer must
be a reply or a friendly refusal: no internal error, no non-200, no traceback in the log.
"""

from __future__ import annotations

import json
import random
import sys
import time
from urllib.parse import urlencode

from bench.common import EmulatorProcess, free_port, scratch_dir, server_env, signature_headers, start_child

COMMANDS = ["/perf", "/okr", "/kpi", "/checkin", "/scorecard", "/advise", "/digest"]
SUBCOMMANDS = ["add", "kr", "list", "show", "edit", "archive", "carry", "help", "settings", "role", "members", "away", "token",
               "weekly", "off", "now", "apply", "history", "添加", "列表", "编辑", "查看", "帮助", "team", "团队", "align", "对齐", "tree",
               "remove", "sync", "Growth", "增长组", "source", "sources", "数据源", "test"]
REFS = ["O1", "O2", "KR1.1", "KR1.2", "KR2.1", "K1", "K2", "O0", "KR0.0", "O9223372036854775808", "K" + "9" * 25, "KR1.99999999999",
        "ＫＲ１.１", "o1", "kr1.1"]
OPTIONS = ["target", "start", "weight", "owner", "period", "perspective", "title", "type", "unit", "note", "cycle", "cap", "language",
           "okrs", "目标", "权重", "起始", "负责人", "周期", "标题", "类型", "单位", "taget", "payload", "token", "command",
           "team", "团队", "level", "层级", "lead", "group", "用户组", "column", "path", "query", "header", "scale", "列", "路径"]
VALUES = ["12", "15%", "-30%", "0", "0.000000000000000000000000000001%", "1e5", "¥3万", "12k", "40h", "1" * 30, "NaN", "−5",
          "at-least", "milestone", "decrease", "count", "%", "2027-Q1", "2026-13", "<@UALICE|alice>", "@bob", "#growth", "",
          "\"Grow the pipeline\"", "“拓展渠道”", "stretch", "monthly", "月度", "on", "120%", "999%", "<!channel>", "a&b<c>",
          "Growth", "增长组", "personal", "company", "个人", "<!subteam^S1|@growth>", "confirm", "off", "csv", "json", "sql",
          "https://example.invalid/a.csv", "<http://169.254.169.254/|x>", "sqlite:////etc/passwd", "$.a[", "\"A: b\""]
WORDS = ["on-track", "at-risk", "off-track", "有风险", "落后", "risky", "done", "未完成", "lower-is-better", "越低越好", "me", "mon",
         "09:00", "25:99", "<#C1|general>", "payload", "&", "=", "+", "%41", "\u200b", "\u202e", "🙂", "\x00", "x" * 300,
         "Raise brand awareness", "提升华东地区品牌知名度"]


def line(rng: random.Random) -> tuple[str, str]:
    command = rng.choice(COMMANDS)
    words: list[str] = []
    if rng.random() < 0.8:
        words.append(rng.choice(SUBCOMMANDS) if command != "/checkin" else rng.choice(REFS))
    for _ in range(rng.randint(0, 7)):
        kind = rng.random()
        if kind < 0.25:
            words.append(rng.choice(REFS))
        elif kind < 0.55:
            separator = rng.choice(["=", "=", "＝", "：", " = "])
            words.append(f"{rng.choice(OPTIONS)}{separator}{rng.choice(VALUES)}")
        elif kind < 0.75:
            words.append(rng.choice(VALUES))
        else:
            words.append(rng.choice(WORDS))
    return command, " ".join(words)


SETUP = [("/okr", "add Brand"), ("/okr", "kr O1 Articles target=12"), ("/okr", "kr O1 Churn start=8% target=5%"),
         ("/kpi", "add Sales growth target=15% weight=40%"), ("/okr", "add Pipeline"), ("/okr", "kr O2 Leads target=1200"),
         ("/perf", "team add Growth lead=@maria"), ("/okr", "add Sign-ups team=Growth"), ("/okr", "align O3 KR1.1")]


def lines(count: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return SETUP + [line(rng) for _ in range(count)]


def _body(team: str, command: str, text: str, n: int) -> bytes:
    return urlencode({"team_id": team, "user_id": "UOWNER", "user_name": "owner", "command": command, "text": text,
                      "channel_id": "C1", "trigger_id": f"trigger-fuzz-{n}", "response_url": "http://127.0.0.1:9/unused"}).encode()


def over_http(base: str, commands: list[tuple[str, str]], team: str = "TFUZZ") -> dict:
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    problems: list[str] = []
    for n, (command, text) in enumerate(commands):
        body = _body(team, command, text, n)
        connection.request("POST", "/slack/events", body, {"Content-Type": "application/x-www-form-urlencoded", **signature_headers(body)})
        answer = connection.getresponse()
        data = answer.read()
        if answer.status != 200 or b"went wrong" in data or b"Traceback" in data:
            problems.append(f"{command} {text!r}: {answer.status} {data[:200]!r}")
        elif data and json.loads(data).get("response_type") != "ephemeral":
            problems.append(f"{command} {text!r}: not an ephemeral reply")
    connection.close()
    return {"lines": len(commands), "problems": problems}


def over_console(database_url: str, commands: list[tuple[str, str]]) -> dict:
    from bot.config import Settings
    from bot.console.app import Console, ConsoleUser
    from bot.services.runtime import Runtime

    runtime = Runtime.start(Settings(database_url=database_url))
    shell = Console(runtime, ConsoleUser(team="TFUZZ", name="owner", language="en"))
    problems = []
    for command, text in commands:
        reply = shell.execute(f"{command} {text}")
        if reply is not None and ("went wrong" in reply or "Traceback" in reply):
            problems.append(f"{command} {text!r}: {reply[:200]}")
    runtime.engine.dispose()
    return {"lines": len(commands), "problems": problems}


def run_fuzz(count: int = 5000, log=print) -> dict:
    work_dir = scratch_dir("fuzz")
    commands = lines(count)
    emulator = EmulatorProcess()
    port = free_port()
    child = start_child("fuzz", [sys.executable, "-m", "bot", "serve"],
                        server_env(emulator.base_url, f"sqlite:///{work_dir / 'http.sqlite3'}", port, 1, 8, LOG_LEVEL="WARNING"), port, work_dir)
    started = time.perf_counter()
    try:
        http = over_http(child.base, commands)
    finally:
        server_log = child.stop()
        emulator.stop()
    http["seconds"] = round(time.perf_counter() - started, 1)
    http["tracebacks_in_log"] = server_log.count("Traceback")
    started = time.perf_counter()
    console = over_console(f"sqlite:///{work_dir / 'console.sqlite3'}", commands)
    console["seconds"] = round(time.perf_counter() - started, 1)
    log(f"  fuzz: {len(commands)} lines over signed HTTP in {http['seconds']} s, {len(http['problems'])} problems, "
        f"{http['tracebacks_in_log']} tracebacks in the log; console {console['seconds']} s, {len(console['problems'])} problems")
    for problem in (http["problems"] + console["problems"])[:10]:
        log(f"    {problem}")
    return {"http": http, "console": console}
