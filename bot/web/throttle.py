"""Failed API-token attempts, throttled per client and logged in aggregate.

A client that keeps guessing gets 429 with Retry-After once it has failed `limit` times in a
window; the log gets one line when a client starts failing and one summary per window after,
not one line per guess. In-process: each replica throttles what reaches it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class _Window:
    started: float
    failures: int = 0
    unlogged: int = 0


class FailureThrottle:
    def __init__(self, limit: int = 10, window: float = 60.0, clock: Callable[[], float] = time.monotonic, max_clients: int = 10_000) -> None:
        self.limit, self.window, self.clock, self.max_clients = limit, window, clock, max_clients
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> float | None:
        """Seconds this client must wait before trying again, or None if it may try now."""
        with self._lock:
            window = self._current(client)
            if window is None or window.failures < self.limit:
                return None
            return max(1.0, window.started + self.window - self.clock())

    def failed(self, client: str, what: str = "a request without a valid API token") -> None:
        with self._lock:
            window = self._current(client)
            if window is None:
                self._forget_oldest()
                window = self._windows[client] = _Window(self.clock())
                log.warning("api: refused %s from %s", what, client)
            else:
                window.unlogged += 1
            window.failures += 1

    def _current(self, client: str) -> _Window | None:
        window = self._windows.get(client)
        if window is not None and self.clock() - window.started >= self.window:
            if window.unlogged:
                log.warning("api: %s more refused attempts from %s in %.0f s", window.unlogged, client, self.window)
            del self._windows[client]
            return None
        return window

    def _forget_oldest(self) -> None:
        if len(self._windows) >= self.max_clients:
            oldest = min(self._windows, key=lambda c: self._windows[c].started)
            del self._windows[oldest]
