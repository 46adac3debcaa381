"""`python -m bench.emulator_proc [RATE]`: the tests' Slack emulator in its own process.

Prints its base URL, then answers lines on stdin: `counts` prints a JSON object of successful
calls per method (and `_failed`); `stop` (or end of input) stops it.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter

from bench.common import SlackEmulator


def main() -> int:
    emulator = SlackEmulator(team_id="T0001").start()
    if len(sys.argv) > 1:
        emulator.rate_limit_per_channel = float(sys.argv[1])
    totals: Counter = Counter({"_failed": 0})
    stopping = threading.Event()

    def drain() -> Counter:
        """Fold recorded calls into running totals, so a long run does not keep every view it was sent."""
        with emulator._lock:
            calls, emulator.calls = emulator.calls, []
            totals.update(c.method for c in calls if c.ok)
            totals["_failed"] += sum(1 for c in calls if not c.ok)
            return Counter(totals)

    def drain_now_and_then() -> None:
        while not stopping.wait(0.5):
            drain()

    threading.Thread(target=drain_now_and_then, daemon=True).start()
    print(emulator.base_url, flush=True)
    try:
        for line in sys.stdin:
            if line.strip() == "counts":
                print(json.dumps(drain()), flush=True)
            elif line.strip() == "stop":
                break
    finally:
        stopping.set()
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
