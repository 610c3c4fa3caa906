"""BDL's request limits, kept on the client side so that a long fetch is never cut off.

BDL publishes four windows per client (anonymous, or per key sent as `X-ClientId`).
Every request actually sent is recorded in a small history file beside the cache,
so that the 12-hour and 7-day windows hold across runs, and `--plan` can tell how
long a fetch will take before it starts.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class Window:
    seconds: float
    limit: int


# https://api.stat.gov.pl/Home/BdlApi — "Limity zapytań"
ANONYMOUS_LIMITS = (Window(1, 5), Window(15 * 60, 100), Window(12 * 3600, 1_000), Window(7 * 86400, 10_000))
KEYED_LIMITS = (Window(1, 10), Window(15 * 60, 500), Window(12 * 3600, 5_000), Window(7 * 86400, 50_000))


class Quota:
    """A sliding-window limiter over several windows at once.

    `acquire()` waits until a request may be sent under every window and records it.
    `finish_time(n)` simulates n more requests without sending or recording any.
    """

    def __init__(
        self,
        windows: tuple[Window, ...],
        history_file: Path | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.windows = windows
        self.history_file = history_file
        self.clock = clock
        self.sleep = sleep
        self.sent: list[float] = self._read_history()

    def _read_history(self) -> list[float]:
        if not self.history_file or not self.history_file.is_file():
            return []
        try:
            stamps = [float(t) for t in json.loads(self.history_file.read_text())]
        except (ValueError, TypeError):
            return []  # a damaged history only makes us less careful for one run
        horizon = self.clock() - self._longest
        return sorted(t for t in stamps if t > horizon)

    @property
    def _longest(self) -> float:
        return max((w.seconds for w in self.windows), default=0.0)

    def _earliest(self, sent: list[float], now: float) -> float:
        """The earliest time ≥ now at which one more request fits every window."""
        earliest = now
        for window in self.windows:
            if len(sent) >= window.limit:
                earliest = max(earliest, sent[-window.limit] + window.seconds)
        return earliest

    def delay(self) -> float:
        """Seconds the next request would have to wait."""
        now = self.clock()
        return self._earliest(self.sent, now) - now

    def acquire(self) -> float:
        """Wait for a free slot; returns the seconds waited."""
        now = self.clock()
        slot = self._earliest(self.sent, now)
        if slot > now:
            self.sleep(slot - now)
        self.sent.append(max(slot, self.clock()))
        self._write_history()
        return slot - now

    def finish_time(self, requests: int) -> float:
        """Seconds from now until `requests` more requests could all have been sent."""
        now = self.clock()
        sent = list(self.sent)
        last = now
        for _ in range(requests):
            last = self._earliest(sent, last)
            sent.append(last)
        return last - now

    def _write_history(self) -> None:
        if not self.history_file:
            return
        horizon = self.clock() - self._longest
        self.sent = [t for t in self.sent if t > horizon]
        self.history_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.history_file.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(self.sent))
        temporary.replace(self.history_file)


def limits_for(base_url: str, keyed: bool) -> tuple[Window, ...]:
    """BDL's published limits; none for a server on this machine (a mirror or a test server)."""
    from urllib.parse import urlparse

    host = (urlparse(base_url).hostname or "").lower()
    if host in {"127.0.0.1", "localhost", "::1"}:
        return ()
    return KEYED_LIMITS if keyed else ANONYMOUS_LIMITS
