"""Time as HubSpot writes it, and a clock the tests can drive."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from functools import lru_cache


class Clock:
    """Wall time in epoch milliseconds, and a monotonic time for read-after-write lag."""

    _last_ms = 0

    def now_ms(self) -> int:
        # Within one millisecond, the same int object: the records of a batch share their timestamp rather
        # than each holding a 32-byte copy (it adds up over a million records).
        ms = time.time_ns() // 1_000_000
        if ms == self._last_ms:
            return self._last_ms
        self._last_ms = ms
        return ms

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock(Clock):
    """A clock that moves only when told to; both readings move together."""

    def __init__(self, start_ms: int = 1_767_225_600_000) -> None:  # 2026-01-01T00:00:00Z
        self._ms = start_ms

    def now_ms(self) -> int:
        return self._ms

    def monotonic(self) -> float:
        return self._ms / 1000

    def advance(self, seconds: float) -> None:
        self._ms += int(seconds * 1000)


@lru_cache(maxsize=8192)  # answers repeat the same few instants (createdAt, start, end) many times
def iso_ms(epoch_ms: int) -> str:
    """2025-01-24T12:55:11.104Z: UTC, milliseconds, Z (an epoch integer crashes the Python SDK)."""
    return f"{_iso_second(epoch_ms // 1000)}{epoch_ms % 1000:03d}Z"


@lru_cache(maxsize=1024)  # a new millisecond (each call's `now`) is mostly a second already written
def _iso_second(epoch_s: int) -> str:
    dt = datetime.fromtimestamp(epoch_s, tz=timezone.utc)
    return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}."


@lru_cache(maxsize=8192)
def parse_instant(text: str) -> int:
    """An ISO-8601 instant to epoch ms. A value without an offset is taken as UTC.

    Raises ValueError for anything else, including instants whose UTC year falls outside 1..9999 (they
    could be stored but never written back as ISO-8601).
    """
    if not isinstance(text, str) or len(text) < 10 or len(text) > 40:
        raise ValueError(text)
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    try:
        dt = dt.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError(f"{text} is outside the years 1 to 9999 in UTC") from None
    return int(dt.timestamp() * 1000)
