"""Fault rules: HubSpot's bad days, on demand and reproducibly.

A rule matches calls (operationId or path template, method, token, app, a substring of the body) and, when
its trigger fires (the next N matching calls, every Nth, probability p with a seed, a time window), applies
one action:

    respond       answer a status with HubSpot's real body and headers (429 ten_secondly/secondly/daily,
                  500, 502, 503, 504, 521-523 as the CDN's HTML page, 401, 403)
    latency       wait delay_ms (or a random value in delay_range_ms) before or after the change is applied
                  (after = state changed, but the client may time out: the duplicate-write trap)
    drop          close the connection without an answer, before or after the change is applied
    hang          hold the connection for hang_ms (default 60 s) and then drop it
    partial       fail `fail_count` items (or `fail_fraction` of them) with per-item errors; apply the rest
    batch_status  answer the batch with status PENDING / PROCESSING / CANCELED instead of COMPLETE
    slow_body     send the answer in chunks of chunk_bytes, chunk_delay_ms apart
    truncate      send the headers and only the first half of the body, then drop the connection

Rules come from a file at start (--faults FILE), the admin API at run time, or one request's header
`X-HubSpot-Mock-Fault: <rule as JSON>` (a one-off). Every fault applied is named in the journal.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args

from .source_files import FileMistakes, read_document, schema_mistakes
from .spec import component_schema

Action = Literal["respond", "latency", "drop", "hang", "partial", "batch_status", "slow_body", "truncate"]
Timing = Literal["before", "after"]  # latency / drop: before or after the change is applied
RateLimitKind = Literal["ten_secondly", "secondly", "daily"]
InjectedBatchStatus = Literal["PENDING", "PROCESSING", "CANCELED"]
ACTIONS = set(get_args(Action))
FAULT_HEADER = "x-hubspot-mock-fault"
RATE_LIMIT_KINDS: dict[str, str] = {"ten_secondly": "TEN_SECONDLY_ROLLING", "secondly": "SECONDLY", "daily": "DAILY"}
# What a respond fault can answer: HubSpot's errors, and 521-523 from the CDN in front of it (an HTML page).
RESPOND_STATUSES = (400, 401, 403, 404, 409, 429, 500, 502, 503, 504, 521, 522, 523)
_ids = itertools.count(1)


@dataclass
class FaultRule:
    action: Action
    # --- match
    operation: str | None = None  # operationId (e.g. upsertEvents) or path template
    method: str | None = None
    token: str | None = None
    app_id: int | None = None
    body_contains: str | None = None
    # --- trigger (all given conditions must hold)
    times: int | None = None  # fire for the next N matching calls, then retire
    every: int | None = None  # fire on every Nth matching call
    probability: float | None = None
    seed: int | None = None  # makes `probability` reproducible
    active_from_s: float | None = None  # seconds after the rule was added
    active_until_s: float | None = None
    # --- action parameters
    status: int | None = None
    rate_limit: RateLimitKind = "ten_secondly"  # for respond 429: ten_secondly / secondly / daily
    delay_ms: int = 0
    delay_range_ms: tuple[int, int] | None = None
    when: Timing = "before"  # latency / drop: before or after the change is applied
    hang_ms: int = 60_000
    fail_count: int | None = None
    fail_fraction: float | None = None
    batch_status: InjectedBatchStatus = "PENDING"
    chunk_bytes: int = 64
    chunk_delay_ms: int = 100
    # --- bookkeeping
    id: str = ""
    matched: int = 0
    fired: int = 0
    created_at: float = field(default_factory=time.monotonic)
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown fault action {self.action!r}; one of {sorted(ACTIONS)}")
        if self.action == "respond" and self.status is None:
            raise ValueError("a respond fault needs a status")
        if self.action == "respond" and self.status not in RESPOND_STATUSES:
            raise ValueError(f"status must be one of {', '.join(map(str, RESPOND_STATUSES))} (got {self.status!r})")
        if self.rate_limit not in RATE_LIMIT_KINDS:
            raise ValueError(f"rate_limit must be one of {sorted(RATE_LIMIT_KINDS)}")
        if self.when not in get_args(Timing):
            raise ValueError("when must be 'before' or 'after'")
        if self.batch_status not in get_args(InjectedBatchStatus):
            raise ValueError(f"batch_status must be one of {', '.join(get_args(InjectedBatchStatus))}")
        if self.delay_range_ms is not None:
            self.delay_range_ms = tuple(self.delay_range_ms)  # type: ignore[assignment]
        self.id = self.id or f"fault-{next(_ids)}"
        self._rng = random.Random(self.seed)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FaultRule":
        known = {f.name for f in fields(cls) if not f.name.startswith("_") and f.name not in ("matched", "fired", "created_at")}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault rule field(s): {', '.join(sorted(unknown))}")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """The rule as the admin API shows it: a token it matches by is a secret, shown redacted."""
        shown = {k: v for k, v in asdict(self).items() if not k.startswith("_") and k != "created_at" and v is not None}
        if "token" in shown:
            shown["token"] = "[redacted]"
        return shown

    # ------------------------------------------------------------------ matching and triggering
    def matches(self, operation_id: str, path_template: str, method: str, token: str, app_id: int | None, body: bytes) -> bool:
        return (
            (self.operation is None or self.operation in (operation_id, path_template))
            and (self.method is None or self.method.upper() == method)
            and (self.token is None or self.token == token)
            and (self.app_id is None or self.app_id == app_id)
            and (self.body_contains is None or self.body_contains.encode() in body)
        )

    def fires(self) -> bool:
        """Called once per matching call, in order: counts it, and says whether the fault applies now."""
        self.matched += 1
        age = time.monotonic() - self.created_at
        if self.active_from_s is not None and age < self.active_from_s:
            return False
        if self.active_until_s is not None and age > self.active_until_s:
            return False
        if self.every is not None and self.matched % self.every:
            return False
        if self.probability is not None and self._rng.random() >= self.probability:
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        self.fired += 1
        return True

    @property
    def spent(self) -> bool:
        return self.times is not None and self.fired >= self.times

    # ------------------------------------------------------------------ what the action needs
    def delay_seconds(self) -> float:
        if self.delay_range_ms is not None:
            low, high = self.delay_range_ms
            return self._rng.uniform(low, high) / 1000
        return self.delay_ms / 1000

    def failing_indexes(self, n: int) -> set[int]:
        """Which inputs of an n-item batch fail: the first fail_count, or a seeded sample of the fraction."""
        if self.fail_count is not None:
            return set(range(min(n, self.fail_count)))
        count = round(n * (self.fail_fraction if self.fail_fraction is not None else 0.5))
        return set(self._rng.sample(range(n), count))


class FaultBook:
    """The armed rules, in order; the first whose trigger fires applies. Thread-safe."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, rule: FaultRule | dict[str, Any]) -> FaultRule:
        rule = rule if isinstance(rule, FaultRule) else FaultRule.from_dict(rule)
        with self._lock:
            self._rules.append(rule)
        return rule

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def list(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def pick(self, operation_id: str, path_template: str, method: str, token: str, app_id: int | None, body: bytes) -> FaultRule | None:
        if not self._rules:
            return None  # the common case costs one check
        with self._lock:
            for rule in self._rules:
                if not rule.spent and rule.matches(operation_id, path_template, method, token, app_id, body) and rule.fires():
                    return rule
        return None


def one_off(header_value: str) -> FaultRule:
    """A rule from the X-HubSpot-Mock-Fault header, applied to that request only."""
    try:
        data = json.loads(header_value)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{FAULT_HEADER} must be a JSON object: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{FAULT_HEADER} must be a JSON object")
    return FaultRule.from_dict(data)


def load_rules(path: str | Path) -> list[FaultRule]:
    """A faults file: a list of rules, or a mapping with a `faults` list. FileMistakes names the file, line and
    field of every mistake."""
    document = read_document(path)
    data, at = document.data, []
    if isinstance(data, dict) and set(data) == {"faults"}:
        data, at = data["faults"], ["faults"]
    if not isinstance(data, list):
        raise FileMistakes(document.path, [document.mistake([], "a faults file is a list of rules (or a mapping with a `faults` list)")])
    mistakes, rules = [], []
    for i, item in enumerate(data):
        found = schema_mistakes(document, component_schema("FaultRule"), item, [*at, i])
        mistakes += found
        if found:
            continue
        try:
            rules.append(FaultRule.from_dict(item))
        except ValueError as exc:  # what FaultRule checks beyond the schema (a respond fault needs a status...)
            mistakes.append(document.mistake([*at, i], str(exc)))
    if mistakes:
        raise FileMistakes(document.path, mistakes)
    return rules
