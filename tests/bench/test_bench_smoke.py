"""The benchmark's smallest configuration, end to end: every part runs and the report has its
figures. No timing is asserted here — speed is judged by `python -m bench`, against a baseline
measured in the same run."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common, report  # noqa: E402
from bench.__main__ import PROFILES, run  # noqa: E402


def test_the_smallest_benchmark_runs_every_part_and_reports_its_figures(tmp_path):
    try:
        result = run(PROFILES["smoke"], database_url=None, say=lambda message: None)
    finally:
        common.remove_scratch()

    http = result["http"]["sqlite"]
    rows = {(r["target"], r["concurrency"]): r for r in http["results"]}
    for target in ("bare", "checkin", "scorecard"):
        for concurrency in PROFILES["smoke"].http.concurrencies:
            row = rows[(target, concurrency)]
            assert row["requests"] > 0 and row["errors"] == 0, row
            assert row["p50_ms"] > 0 and row["p99_ms"] >= row["p50_ms"] and row["rps"] > 0
            assert row["ratio_p50"] > 0
    assert http["checkins_consistent"], (http["checkins_answered_ok"], http["checkins_in_database"])
    assert result["fuzz"]["http"]["problems"] == [] and result["fuzz"]["console"]["problems"] == []
    assert result["fuzz"]["http"]["tracebacks_in_log"] == 0
    slow = http["slow_clients"]
    assert slow["with_slow_clients"]["checkin"]["errors"] == 0 and slow["with_slow_clients"]["healthz"]["errors"] == 0
    assert slow["ratio_p50"]["checkin"] > 0 and slow["ratio_p50"]["healthz"] > 0
    assert http["memory"]["bot"]["peak_rss_sum_mb"] > 0 and len(http["memory"]["bot"]["per_process_peak_rss_mb"]) >= 1
    assert "not measured" in result["http"]["postgresql"]["note"]

    digest = result["digest"]["sqlite"]
    large, tenth = digest["sizes"]["large"], digest["sizes"]["tenth"]
    assert large["checkins"] == 10 * tenth["checkins"]
    assert large["statements"] == tenth["statements"] <= 10 and digest["statements_equal"]
    assert large["build_s_median"] > 0 and large["objectives_in_digest"] == large["objectives"]
    refresh = result["sources"]["sqlite"]
    assert refresh["all_once"] and refresh["checkins_written"] == refresh["sources"] > 0 and refresh["ratio_to_typed"] > 0
    teams = digest["with_teams"]
    assert teams["company"]["statements"] == teams["one_team"]["statements"] == large["statements"]
    assert 0 < teams["one_team"]["objectives_in_digest"] < teams["company"]["objectives_in_digest"]

    for run_name in ("main", "without_charts", "rtt_sample", "sequential_rtt"):
        fan = result["fanout"][run_name]
        assert fan["all_posted_once"], fan
        assert fan["send_statuses"] == {"sent": fan["workspaces"]}
    assert result["fanout"]["main"]["uploads"] == result["fanout"]["main"]["workspaces"]  # each digest with its chart
    assert result["fanout"]["without_charts"]["uploads"] == 0

    targets = {(t["target"], t["where"]) for t in result["targets"]}
    assert ("digest SQL statements ≤ 10, same at 1/10 size and with teams", "sqlite") in targets
    table = report.table(result)
    assert "bare bolt (floor)" in table and "/checkin" in table and "Targets" in table
    report.write_json(result, str(tmp_path / "bench.json"))
    assert (tmp_path / "bench.json").stat().st_size > 0
