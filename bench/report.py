"""The machine, the targets, the table, the JSON."""

from __future__ import annotations

import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path

TARGETS = {
    "checkin_p50_vs_floor_c1": 1.5,  # x the bare-bolt floor's p50, at concurrency 1
    "checkin_p99_c32_ms": 300.0,
    "digest_statements": 10,
    "digest_build_s": 0.25,
    "fanout_s": 120.0,
    "serve_rss_mb": 150.0,
    "slow_clients_ratio": 1.5,  # x the same run's latency without slow clients
}


def machine() -> dict:
    model, mem_kb = "?", 0
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        pass
    versions = {}
    for package in ("slack_bolt", "slack_sdk", "gunicorn", "sqlalchemy", "sqlmodel", "psycopg", "jinja2"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": model, "memory_gb": round(mem_kb / 1024 / 1024, 1), "python": platform.python_version(),
        "platform": platform.platform(), "packages": versions,
    }


def _row(http: dict, target: str, concurrency: int) -> dict | None:
    return next((r for r in http.get("results", []) if r["target"] == target and r["concurrency"] == concurrency), None)


def evaluate(report: dict) -> list[dict]:
    """Each target: measured value, the limit, and whether it holds (None: not measured)."""
    checks = []

    def add(name: str, where: str, value, limit, holds: bool | None, note: str = "") -> None:
        checks.append({"target": name, "where": where, "value": value, "limit": limit, "holds": holds, **({"note": note} if note else {})})

    for kind in ("sqlite", "postgresql"):
        http = report.get("http", {}).get(kind)
        if not http or "results" not in http:
            note = (http or {}).get("note", "not measured")
            add("/checkin p50 ≤ 1.5× bare bolt, c=1", kind, None, TARGETS["checkin_p50_vs_floor_c1"], None, note)
            add("/checkin p99 < 300 ms, c=32", kind, None, TARGETS["checkin_p99_c32_ms"], None, note)
            add("serve peak RSS < 150 MB", kind, None, TARGETS["serve_rss_mb"], None, note)
            continue
        c1 = _row(http, "checkin", 1)
        high = max(r["concurrency"] for r in http["results"])
        chigh = _row(http, "checkin", high)
        ratio = c1.get("ratio_p50") if c1 else None
        add("/checkin p50 ≤ 1.5× bare bolt, c=1", kind, ratio, TARGETS["checkin_p50_vs_floor_c1"],
            None if ratio is None else ratio <= TARGETS["checkin_p50_vs_floor_c1"])
        p99 = chigh["p99_ms"] if chigh else None
        holds = None if p99 is None or high < 32 else p99 < TARGETS["checkin_p99_c32_ms"] and chigh["errors"] == 0
        add(f"/checkin p99 < 300 ms, c={high}", kind, p99, TARGETS["checkin_p99_c32_ms"], holds,
            "" if high >= 32 else "not judged: smaller concurrency than the target's 32")
        slow = http.get("slow_clients")
        if slow:
            worst = max(v for v in slow["ratio_p50"].values() if v is not None)
            add(f"{slow['connections']} slow clients: check-in and /healthz p50 ≤ 1.5× without them", kind, slow["ratio_p50"],
                TARGETS["slow_clients_ratio"], worst <= TARGETS["slow_clients_ratio"])
        rss = http["memory"]["bot"]["peak_rss_sum_mb"]
        add("serve peak RSS < 150 MB", kind, rss, TARGETS["serve_rss_mb"], rss < TARGETS["serve_rss_mb"],
            f"{http['workers']} worker(s), RSS summed; PSS sum {http['memory']['bot']['peak_pss_sum_mb']} MB")
    for kind, digest in report.get("digest", {}).items():
        large = digest["sizes"]["large"]
        teams = digest.get("with_teams", {})
        add("digest SQL statements ≤ 10, same at 1/10 size and with teams", kind,
            " / ".join(str(n) for n in (large["statements"], digest["sizes"]["tenth"]["statements"], *(r["statements"] for r in teams.values()))),
            TARGETS["digest_statements"], large["statements"] <= TARGETS["digest_statements"] and digest["statements_equal"])
        full_size = large["checkins"] >= 100_000
        add("digest of the large workspace built < 0.25 s", kind, large["build_s_median"], TARGETS["digest_build_s"],
            large["build_s_median"] < TARGETS["digest_build_s"] if full_size else None,
            f"{large['checkins']:,} check-ins; median of repeats" + ("" if full_size else "; not judged: smaller than the target's workspace"))
    for kind, refresh in report.get("sources", {}).items():
        full = refresh["sources"] >= 2000
        add("2,000 data sources refreshed within the budget, each once", kind, refresh["seconds"], refresh["budget_s"],
            (refresh["seconds"] < refresh["budget_s"] and refresh["all_once"]) if full else refresh["all_once"],
            f"{refresh['sources']} sources, {refresh['threads']} threads; {refresh['ratio_to_typed']}× as long as typing as many check-ins"
            + ("" if full else "; time not judged: fewer than 2,000"))
    if fz := report.get("fuzz"):
        problems = len(fz["http"]["problems"]) + len(fz["console"]["problems"]) + fz["http"]["tracebacks_in_log"]
        add("random command lines: no internal error, no traceback", "sqlite", f"{fz['http']['lines']} lines, {problems} problems", 0, problems == 0)
    for run_name, where in (("main", "sqlite"), ("main_postgresql", "postgresql")):
        fanout = report.get("fanout", {}).get(run_name)
        if not fanout:
            continue
        seconds = fanout["seconds_until_all_posted"]
        extrapolated = fanout.get("extrapolated_to_2000_s")
        value = seconds if fanout["workspaces"] >= 2000 else extrapolated
        note = "" if fanout["workspaces"] >= 2000 else f"EXTRAPOLATED from {fanout['workspaces']} workspaces"
        add("fan-out of 2,000 digests with charts < 2 min", where, value, TARGETS["fanout_s"], None if value is None else value <= TARGETS["fanout_s"], note)
        add("fan-out: each posted once, none lost", where, f"twice {fanout['posted_twice']}, lost {fanout['lost']}", "0, 0",
            fanout["all_posted_once"], "" if fanout["workspaces"] >= 2000 else f"of {fanout['workspaces']} workspaces")
    return checks


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit == "×":
        return f"{value:.2f}×"
    if isinstance(value, float):
        return f"{value:,.3f}{unit}" if value < 10 else f"{value:,.1f}{unit}"
    return f"{value}{unit}"


def table(report: dict) -> str:
    out = []
    m = report["machine"]
    out.append(f"perfbot benchmark ({report['mode']}) — {m['nproc']} CPU {m['cpu_model']}, {m['memory_gb']} GB, Python {m['python']}")
    for kind, http in report.get("http", {}).items():
        if "results" not in http:
            out.append(f"\n1. Slash commands over HTTP [{kind}]: {http.get('note', 'not measured')}")
            continue
        out.append(f"\n1. Slash commands over HTTP [{kind}] — uvicorn + the front, {http['workers']} worker(s) x {http['threads']} threads; "
                   f"{http['workspaces']} workspaces of {http['workspace_shape']}")
        out.append(f"   {'target':<22}{'conc':>5}{'requests':>10}{'errors':>8}{'p50 ms':>10}{'p99 ms':>10}{'req/s':>9}{'p50 ÷ floor':>13}{'p99 ÷ floor':>13}")
        names = {"bare": "bare bolt (floor)", "bare_poll": "bare bolt, ack poll*", "checkin": "/checkin", "scorecard": "/scorecard"}
        for r in http["results"]:
            out.append(f"   {names.get(r['target'], r['target']):<22}{r['concurrency']:>5}{r['requests']:>10}{r['errors']:>8}"
                       f"{_fmt(r['p50_ms']):>10}{_fmt(r['p99_ms']):>10}{_fmt(r['rps']):>9}"
                       f"{_fmt(r.get('ratio_p50'), '×'):>13}{_fmt(r.get('ratio_p99'), '×'):>13}")
        if any(r["target"] == "bare_poll" for r in http["results"]):
            out.append("   * bolt's default process_before_response=False, for reference; the floor is process_before_response=True")
        out.append(f"   check-ins answered {http['checkins_answered_ok']}, in the database {http['checkins_in_database']}"
                   f" ({'consistent' if http['checkins_consistent'] else 'MISMATCH'}); calls the server made to Slack: "
                   + ", ".join(f"{k} {v}" for k, v in sorted(http["emulator_calls"].items()) if v))
        if slow := http.get("slow_clients"):
            alone, crowded = slow["alone"], slow["with_slow_clients"]
            out.append(f"   with {slow['connections']} slow clients holding unfinished bodies: check-in p50 {alone['checkin']['p50_ms']} → "
                       f"{crowded['checkin']['p50_ms']} ms ({slow['ratio_p50']['checkin']}×), /healthz p50 {alone['healthz']['p50_ms']} → "
                       f"{crowded['healthz']['p50_ms']} ms ({slow['ratio_p50']['healthz']}×); errors {crowded['checkin']['errors']}")
        problems = {k: v for k, v in http.get("server_log_problems", {}).items() if any(v.values())}
        if problems:
            out.append(f"   server log problems: {problems}")
        mem = http["memory"]
        out.append(f"4. Peak memory [{kind}]: serve {mem['bot']['peak_rss_sum_mb']} MB RSS summed ("
                   + ", ".join(f"{p['role']} {p['peak_rss_mb']}" for p in mem["bot"]["per_process_peak_rss_mb"])
                   + f"; PSS sum {mem['bot']['peak_pss_sum_mb']} MB); bare bolt floor {mem['bare']['peak_rss_sum_mb']} MB RSS summed "
                   f"(PSS {mem['bare']['peak_pss_sum_mb']} MB); ratio {round(mem['bot']['peak_rss_sum_mb'] / mem['bare']['peak_rss_sum_mb'], 2)}×")
    for kind, digest in report.get("digest", {}).items():
        out.append(f"\n2. Digest assembly [{kind}] — build_digest (digest_inputs + assembly), median of repeats")
        out.append(f"   {'size':<8}{'objectives':>11}{'KRs':>7}{'KPIs':>6}{'check-ins':>11}{'SQL stmts':>11}{'build ms':>10}{'min ms':>9}{'render ms':>11}")
        for label, s in digest["sizes"].items():
            out.append(f"   {label:<8}{s['objectives']:>11}{s['key_results']:>7}{s['kpis']:>6}{s['checkins']:>11,}{s['statements']:>11}"
                       f"{s['build_s_median'] * 1000:>10.1f}{s['build_s_min'] * 1000:>9.1f}{s['render_s_median'] * 1000:>11.1f}")
        for label, s in digest.get("with_teams", {}).items():
            out.append(f"   large, {digest['teams']} teams, {label} digest: {s['statements']} statements, build {s['build_s_median'] * 1000:.1f} ms "
                       f"({s['objectives_in_digest']} objectives shown)")
        out.append(f"   statements equal at both sizes and with teams: {digest['statements_equal']}; time large ÷ tenth: "
                   f"{digest['time_ratio_large_to_tenth']}×")
    for kind, refresh in report.get("sources", {}).items():
        out.append(f"\n6. Data sources [{kind}] — {refresh['sources']} JSON sources at one slot, {refresh['threads']} threads: "
                   f"{refresh['seconds']} s (budget {refresh['budget_s']:.0f} s), {refresh['checkins_written']} check-ins, "
                   f"{refresh['written_again']} more after a second tick; {refresh['sources']} typed check-ins {refresh['baseline_typed_s']} s "
                   f"(ratio {refresh['ratio_to_typed']}×)")
    if fz := report.get("fuzz"):
        out.append(f"\n5. Random command lines — {fz['http']['lines']} over signed HTTP ({fz['http']['seconds']} s): {len(fz['http']['problems'])} "
                   f"problems, {fz['http']['tracebacks_in_log']} tracebacks in the log; the same through the console "
                   f"({fz['console']['seconds']} s): {len(fz['console']['problems'])} problems")
    fan = report.get("fanout")
    if fan:
        out.append("\n3. Fan-out — digests due in the same minute, Deliverer.tick against the emulator (1 msg/s/channel, 429 past it)")
        out.append(f"   {'run':<46}{'workspaces':>11}{'seconds':>9}{'ticks':>6}{'posted':>8}{'twice':>6}{'lost':>5}{'429s':>6}{'in post s':>10}{'ms/digest':>10}")
        for label, f in fan.items():
            if not isinstance(f, dict) or "workspaces" not in f:
                continue
            name = {"main": "charts on (the target)", "without_charts": "charts off, beside it", "main_postgresql": "charts on, PostgreSQL", "rtt_sample": f"charts off, +RTT, {f.get('threads', 1)} threads (sample)",
                    "sequential_rtt": "one delivery thread, +RTT (sample)"}.get(label, label)
            out.append(f"   {name:<46}{f['workspaces']:>11}{f['seconds_elapsed']:>9.1f}{f['ticks']:>6}{f['posted_channels']:>8}{f['posted_twice']:>6}"
                       f"{f['lost']:>5}{f['http_429']:>6}{f['seconds_in_slack_post']:>10.1f}{f['per_digest_ms']:>10.1f}")
        for line in fan.get("notes", []):
            out.append(f"   {line}")
    out.append("\nTargets")
    for t in report["targets"]:
        mark = {True: "PASS", False: "FAIL", None: "n/a "}[t["holds"]]
        out.append(f"   [{mark}] {t['target']:<50} {t['where']:<11} {_fmt(t['value'])!s:>14}  (limit {t['limit']})"
                   + (f"  — {t['note']}" if t.get("note") else ""))
    out.append(f"\nfinished in {report['seconds']:.0f}s")
    return "\n".join(out)


def write_json(report: dict, path: str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"figures written to {target}", file=sys.stderr)
