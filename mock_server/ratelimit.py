"""Per-token request counters behind HubSpot's X-HubSpot-RateLimit-* headers, and their enforcement.

The ten-second window is exact and rolling: each token keeps the times of its last `max` accepted calls,
which is all that is needed to know how many fall inside the window (memory stays bounded at any load).
With `enforce_rate_limits`, a call over the window or the daily quota is refused with HubSpot's 429 and is
not counted, as on HubSpot.
"""

from __future__ import annotations

import threading
from collections import deque

from .clock import Clock
from .settings import Settings

WINDOW_SECONDS = 10.0
_COUNTS = [str(n).encode() for n in range(1001)]  # the remaining calls of a window, encoded once


class RateCounters:
    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or Clock()
        self._calls: dict[str, deque[float]] = {}
        self._daily: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()
        # Settings are frozen: the limits and the headers that never change are worked out once, not per call.
        self._limit = settings.ten_second_limit
        self._secondly = self._limit // 10
        self._daily_limit = settings.daily_limit
        # As raw ASGI header pairs: they go on every answer, encoded once.
        fixed = [
            (b"x-hubspot-ratelimit-interval-milliseconds", str(int(WINDOW_SECONDS * 1000)).encode()),
            (b"x-hubspot-ratelimit-max", str(self._limit).encode()),
            (b"x-hubspot-ratelimit-secondly", str(self._secondly).encode()),
        ]
        if self._daily_limit is not None:
            fixed.append((b"x-hubspot-ratelimit-daily", str(self._daily_limit).encode()))
        self._fixed_headers = fixed
        self._enforce = settings.enforce_rate_limits

    def today(self) -> int:
        """[A] The daily quota resets at midnight UTC (HubSpot uses the portal's time zone): a UTC day number."""
        return self.clock.now_ms() // 86_400_000

    def hit(self, token: str) -> tuple[list[tuple[bytes, bytes]], str | None]:
        """Count one call for this token: the headers HubSpot sends (raw ASGI pairs), and the policy that refuses
        the call (TEN_SECONDLY_ROLLING, DAILY) when limits are enforced and reached, else None."""
        limit, secondly, daily = self._limit, self._secondly, self._daily_limit
        now = self.clock.monotonic()
        with self._lock:
            calls = self._calls.get(token)
            if calls is None:
                calls = self._calls[token] = deque(maxlen=limit)
            while calls and calls[0] <= now - WINDOW_SECONDS:  # expired calls never come back into the window
                calls.popleft()
            today = self.today()
            day, used_today = self._daily.get(token, (today, 0))
            used_today = used_today if day == today else 0
            refused = None
            if self._enforce:
                if daily is not None and used_today >= daily:
                    refused = "DAILY"
                elif len(calls) >= limit:
                    refused = "TEN_SECONDLY_ROLLING"
            if refused is None:
                calls.append(now)
                used_today += 1
                self._daily[token] = (today, used_today)
            in_second = 0
            for t in reversed(calls):
                if t <= now - 1.0 or in_second == secondly:
                    break
                in_second += 1
            headers = self._fixed_headers.copy()
            headers.append((b"x-hubspot-ratelimit-remaining", _COUNTS[max(0, limit - len(calls))]))
            headers.append((b"x-hubspot-ratelimit-secondly-remaining", _COUNTS[max(0, secondly - in_second)]))
            if daily is not None:
                headers.append((b"x-hubspot-ratelimit-daily-remaining", str(max(0, daily - used_today)).encode()))
        return headers, refused
