"""`python -m bench [--quick] [--json PATH] [--database-url URL]` from the repository root.

SQLite is always measured; PostgreSQL too when `--database-url postgresql+psycopg://...` or
TEST_DATABASE_URL is given (the benchmark migrates it and writes only under team ids of its own).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field

from bench import common, digest_size, fanout, fuzz, http_load, report, sources


@dataclass(frozen=True)
class Profile:
    name: str
    http: http_load.Sizes
    digest_shape: digest_size.Shape
    digest_repeats: int
    fanout_count: int
    rtt_sample: int
    rtt_ms: float
    delivery_threads: int
    fanout_limit_s: float = 300.0
    fuzz_lines: int = 5000
    sources: int = 2000
    parts: tuple[str, ...] = field(default=("http", "digest", "fanout", "fuzz", "sources"))


PROFILES = {
    "full": Profile("full", http_load.FULL, digest_size.LARGE, 5, fanout_count=2000, rtt_sample=200, rtt_ms=100,
                    delivery_threads=8),
    "quick": Profile("quick", http_load.QUICK, digest_size.LARGE, 3, fanout_count=300, rtt_sample=40, rtt_ms=100,
                     delivery_threads=8, fuzz_lines=2000, sources=500),
    "smoke": Profile("smoke", http_load.SMOKE, digest_size.SMOKE, 1, fanout_count=6, rtt_sample=4, rtt_ms=20,
                     delivery_threads=4, fanout_limit_s=60, fuzz_lines=100, sources=20),
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(profile: Profile, database_url: str | None = None, workers: int = 1, threads: int = 8, parts: tuple[str, ...] | None = None,
        say=log) -> dict:
    started = time.perf_counter()
    parts = parts or profile.parts
    run_id = f"{int(time.time()) % 100000:05d}"
    result: dict = {"mode": profile.name, "machine": report.machine(), "settings": {"workers": workers, "threads": threads}}
    pg = database_url if database_url and database_url.startswith("postgres") else None
    if "http" in parts:
        say("1+4. slash commands over HTTP, and the serve process's memory")
        result["http"] = {"sqlite": http_load.run_http(None, profile.http, workers, threads, say, run_id)}
        if pg:
            result["http"]["postgresql"] = http_load.run_http(pg, profile.http, workers, threads, say, run_id)
        else:
            result["http"]["postgresql"] = {"note": "not measured: no --database-url or TEST_DATABASE_URL given"}
    if "digest" in parts:
        say("2. digest assembly")
        result["digest"] = {"sqlite": digest_size.run_digest(None, profile.digest_shape, profile.digest_repeats, say, run_id)}
        if pg:
            result["digest"]["postgresql"] = digest_size.run_digest(pg, profile.digest_shape, profile.digest_repeats, say, run_id)
    if "fanout" in parts:
        say("3. fan-out")
        result["fanout"] = run_fanout_part(profile, say, pg)
    if "fuzz" in parts:
        say("5. random command lines over signed HTTP and the console")
        result["fuzz"] = fuzz.run_fuzz(profile.fuzz_lines, log=say)
    if "sources" in parts:
        say("6. refreshing data sources")
        result["sources"] = {"sqlite": sources.run_sources(None, profile.sources, profile.delivery_threads, say, run_id)}
        if pg:
            result["sources"]["postgresql"] = sources.run_sources(pg, profile.sources, profile.delivery_threads, say, run_id)
    result["targets"] = report.evaluate(result)
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def run_fanout_part(profile: Profile, say=log, pg: str | None = None) -> dict:
    """All digests with their charts (the default), then the same without charts beside it, in the same run;
    on PostgreSQL too when a server is given."""
    threads = profile.delivery_threads
    main = fanout.run_fanout(profile.fanout_count, charts=True, threads=threads, limit_s=profile.fanout_limit_s, log=say)
    bare = fanout.run_fanout(profile.fanout_count, charts=False, threads=threads, limit_s=profile.fanout_limit_s, log=say)
    on_pg = {}
    if pg:
        on_pg["main_postgresql"] = fanout.run_fanout(profile.fanout_count, charts=True, threads=threads, limit_s=profile.fanout_limit_s,
                                                     log=say, database_url=pg)
    for run_ in (main, bare, *on_pg.values()):
        if run_["workspaces"] < 2000:
            run_["extrapolated_to_2000_s"] = round(run_["seconds_elapsed"] / run_["workspaces"] * 2000, 1) if run_["all_posted_once"] else None
    rtt = fanout.run_fanout(profile.rtt_sample, charts=False, threads=threads, rtt_ms=profile.rtt_ms, limit_s=profile.fanout_limit_s, log=say)
    sequential = fanout.run_fanout(profile.rtt_sample, charts=False, threads=1, rtt_ms=profile.rtt_ms, limit_s=profile.fanout_limit_s, log=say)
    chart_ms = main["per_digest_ms"] - bare["per_digest_ms"]
    notes = [
        f"each workspace posts to a channel of its own, so the per-channel limit is never reached ({main['http_429']} 429s);",
        f"charts add ~{chart_ms:.0f} ms per digest (drawing + files_upload_v2): {main['seconds_elapsed']:.0f} s with charts, "
        f"{bare['seconds_elapsed']:.0f} s without ({main['seconds_elapsed'] / max(bare['seconds_elapsed'], 0.01):.2f}×);",
        f"with {profile.rtt_ms:g} ms simulated round trip to Slack, {threads} delivery threads ≈ {rtt['per_digest_ms'] * 2:.0f} s for 2,000 "
        f"(extrapolated from {rtt['workspaces']}); one thread, as before DELIVERY_THREADS, ≈ {sequential['per_digest_ms'] * 2:.0f} s.",
    ]
    if main["workspaces"] < 2000:
        notes.insert(0, f"{main['workspaces']} workspaces measured; 2,000 extrapolated ≈ {main.get('extrapolated_to_2000_s')} s with charts.")
    return {"main": main, "without_charts": bare, **on_pg, "rtt_sample": rtt, "sequential_rtt": sequential, "notes": notes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smaller run (under two minutes on SQLite)")
    parser.add_argument("--json", metavar="PATH", help="also write every figure to PATH as JSON")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"),
                        help="a PostgreSQL URL to measure besides SQLite (default: TEST_DATABASE_URL)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 1)), help="WEB_WORKERS for both servers (default 1)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 8)), help="WEB_THREADS for both servers (default 8)")
    parser.add_argument("--only", action="append", choices=("http", "digest", "fanout", "fuzz", "sources"), help="run only this part (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases and server logs (their folders are printed)")
    args = parser.parse_args(argv)
    profile = PROFILES["quick" if args.quick else "full"]
    try:
        result = run(profile, args.database_url, args.workers, args.threads, tuple(args.only) if args.only else None)
    finally:
        if args.keep:
            log("kept: " + " ".join(str(p) for p in common._SCRATCH))
        else:
            common.remove_scratch()
    print(report.table(result))
    if args.json:
        report.write_json(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
