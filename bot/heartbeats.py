"""When each part of the process last went round its loop: what ``/readyz`` reads."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

ALIVE_WITHIN = 60.0  # seconds: a part not heard from for longer is not ready


class Heartbeats:
    """When each part of the process last went round its loop (monotonic seconds)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.last: dict[str, float] = {}

    def beat(self, part: str) -> None:
        self.last[part] = self.clock()

    def beater(self, part: str) -> Callable[[], None]:
        return lambda: self.beat(part)

    def silent(self, parts: Iterable[str], within: float = ALIVE_WITHIN) -> list[str]:
        """The parts not heard from within ``within`` seconds (or never)."""
        now = self.clock()
        return [p for p in parts if now - self.last.get(p, float("-inf")) > within]
