"""Resident memory of a process tree (the server, and its workers when there are several), sampled from /proc.

RSS is what the issue asks for (VmRSS of each process, summed); because workers are forked
from the master, pages they still share are counted once per process in that sum, so the
proportional set size (Pss from smaps_rollup, each shared page split between its users) is
reported beside it as the tree's real footprint.
"""

from __future__ import annotations

import threading
from pathlib import Path


def _status_kb(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _pss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def tree(pid: int) -> list[int]:
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        queue += children(current)
    return pids


class RssSampler:
    """Samples the tree under `pid` every `interval` seconds in a thread until `stop()`."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid, self.interval = pid, interval
        self.peak_sum_kb = 0
        self.peak_pss_sum_kb = 0
        self.peak_by_pid: dict[int, int] = {}
        self.role: dict[int, str] = {}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"rss-{pid}")

    def start(self) -> RssSampler:
        self.sample()
        self._thread.start()
        return self

    def sample(self) -> None:
        total = pss_total = 0
        for pid in tree(self.pid):
            rss = _status_kb(pid, "VmRSS")
            if rss is None:
                continue
            total += rss
            pss_total += _pss_kb(pid) or 0
            self.peak_by_pid[pid] = max(self.peak_by_pid.get(pid, 0), rss)
            self.role.setdefault(pid, "master" if pid == self.pid else "worker")
        self.peak_sum_kb = max(self.peak_sum_kb, total)
        self.peak_pss_sum_kb = max(self.peak_pss_sum_kb, pss_total)
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def stop(self) -> dict:
        self.sample()
        self._stop.set()
        self._thread.join(timeout=2)
        return self.result()

    def result(self) -> dict:
        mb = lambda kb: round(kb / 1024, 1)  # noqa: E731
        return {
            "peak_rss_sum_mb": mb(self.peak_sum_kb),
            "peak_pss_sum_mb": mb(self.peak_pss_sum_kb),
            "per_process_peak_rss_mb": [{"pid": pid, "role": self.role[pid], "peak_rss_mb": mb(kb)} for pid, kb in sorted(self.peak_by_pid.items())],
            "samples": self.samples,
        }
