"""Applies each exchange to the shadow and the candidate shadows, in the order the upstream answered, and keeps
what the report and the comparisons endpoint show.

A call the upstream did not apply (a 429, a 5xx, a timeout, a refused token) reaches no shadow: HubSpot's state
did not change, so the mock's must not either.
"""

from __future__ import annotations

import bisect
import logging
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from .. import Settings
from .candidates import Candidate, baseline_description, candidates_for
from .compare import Difference, bodies_compared, compare_answers, overlaps
from .exchange import Exchange, HttpAnswer
from .operations import OperationNamer
from .shadow import Shadow

log = logging.getLogger("mock_server.proxy")

MATCHED, DIFFERED, UPSTREAM_FAULT, NOT_COMPARED = "matched", "differed", "upstream_fault", "not_compared"
OUTCOMES = (MATCHED, DIFFERED, UPSTREAM_FAULT, NOT_COMPARED)
CORRELATION_HEADER = "x-hubspot-correlation-id"


@dataclass
class Comparison:
    id: int
    operation: str
    exchange: Exchange
    outcome: str
    reason: str = ""
    mock: HttpAnswer | None = None
    differences: list[Difference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Per difference field, the candidate settings under which the mock did not differ there.
    fixed_by: dict[str, list[str]] = field(default_factory=dict)
    # Candidates under which the mock matched the upstream entirely on this call, where the baseline did not.
    matched_with: list[str] = field(default_factory=list)

    @property
    def shadow_correlation_id(self) -> str | None:
        """The id the shadow's journal gave this call (its answer's X-HubSpot-Correlation-Id): the way from a
        comparison to the shadow's journal entry, and back."""
        return self.mock.header(CORRELATION_HEADER) if self.mock else None

    def summary(self) -> dict[str, Any]:
        """What a list of comparisons shows per row; the bodies and headers are read one comparison at a time."""
        request = self.exchange.request
        return {
            "id": self.id,
            "at": self.exchange.at,
            "operation": self.operation,
            "outcome": self.outcome,
            "reason": self.reason,
            "request": {"method": request.method, "path": request.path},
            "upstream": {"status": self.exchange.upstream.status, "duration_ms": round(self.exchange.duration_ms, 3),
                         "fault": self.exchange.fault},
            "mock": {"status": self.mock.status} if self.mock else None,
            "differences_count": len(self.differences),
            "settings_that_match": self.matched_with,
            "shadow_correlation_id": self.shadow_correlation_id,
        }

    def to_data(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "request": self.exchange.request.to_data(),
            "upstream": {**self.exchange.upstream.to_data(), "duration_ms": round(self.exchange.duration_ms, 3),
                         "fault": self.exchange.fault},
            "mock": self.mock.to_data() if self.mock else None,
            "differences": [{**d.to_data(), "settings_that_match": self.fixed_by.get(d.field, [])} for d in self.differences],
            "notes": self.notes,
        }


@dataclass
class CandidateTally:
    differences_fixed: int = 0  # baseline differences this candidate did not have
    differences_added: int = 0  # differences this candidate had and the baseline did not
    calls_matched: int = 0  # calls it matched entirely where the baseline differed
    calls_broken: int = 0  # calls the baseline matched and it did not


@dataclass
class OperationTally:
    calls: int = 0
    matched: int = 0
    differed: int = 0
    upstream_faults: Counter[str] = field(default_factory=Counter)
    not_compared: Counter[str] = field(default_factory=Counter)
    differences: Counter[Difference] = field(default_factory=Counter)
    fixed_by: dict[Difference, Counter[str]] = field(default_factory=dict)  # difference -> candidate -> calls
    candidates: dict[str, CandidateTally] = field(default_factory=dict)


class FidelityEngine:
    def __init__(self, settings: Settings, *, upstream: str, try_candidates: bool = True, keep: int = 1000) -> None:
        self.settings = settings
        self.upstream = upstream
        self.baseline = Shadow(settings)
        self.candidates: list[tuple[Candidate, Shadow]] = (
            [(c, Shadow(c.settings)) for c in candidates_for(settings)] if try_candidates else []
        )
        self.operations: dict[str, OperationTally] = {}
        self.comparisons: deque[Comparison] = deque(maxlen=keep)
        self._namer: OperationNamer | None = None
        self._next_id = 1

    async def compare(self, exchange: Exchange) -> Comparison:
        if self._namer is None:
            self._namer = OperationNamer.from_openapi(await self.baseline.openapi())
        request = exchange.request
        comparison = Comparison(self._next_id, self._namer.name(request.method, request.path), exchange, NOT_COMPARED)
        self._next_id += 1
        tally = self.operations.setdefault(comparison.operation, OperationTally())
        tally.calls += 1
        skipped = _not_applied(exchange)
        if skipped is not None:
            comparison.outcome, comparison.reason = skipped
            (tally.upstream_faults if comparison.outcome == UPSTREAM_FAULT else tally.not_compared)[comparison.reason] += 1
        else:
            await self._apply(exchange, comparison, tally)
        self.comparisons.append(comparison)
        return comparison

    async def _apply(self, exchange: Exchange, comparison: Comparison, tally: OperationTally) -> None:
        mock, unmapped = await self.baseline.call(exchange.request)
        self.baseline.learn(exchange.upstream, mock)
        differences = compare_answers(exchange.upstream, mock)
        comparison.mock, comparison.differences = mock, differences
        comparison.outcome = DIFFERED if differences else MATCHED
        if unmapped:
            comparison.notes.append(
                f"not yet seen in an upstream answer, sent to the mock unchanged: {', '.join(unmapped)}"
            )
        if differences:
            tally.differed += 1
            tally.differences.update(differences)
        else:
            tally.matched += 1
        baseline_fields: dict[str, list[Difference]] = {}
        for difference in differences:
            baseline_fields.setdefault(difference.field, []).append(difference)
        for candidate, shadow in self.candidates:
            answer, _ = await shadow.call(exchange.request)
            shadow.learn(exchange.upstream, answer)
            fields = {d.field for d in compare_answers(exchange.upstream, answer)}
            # A body that was not compared (a 400 against a 200) fixes none of the body's differences.
            unresolved = fields if bodies_compared(exchange.upstream, answer) else fields | {"body"}
            score = tally.candidates.setdefault(candidate.label, CandidateTally())
            fixed = {name for name in baseline_fields if not overlaps(name, unresolved)}
            score.differences_fixed += len(fixed)
            score.differences_added += len({name for name in fields if not overlaps(name, baseline_fields)})
            for name in sorted(fixed):
                comparison.fixed_by.setdefault(name, []).append(candidate.label)
                for difference in baseline_fields[name]:
                    tally.fixed_by.setdefault(difference, Counter())[candidate.label] += 1
            if baseline_fields and not fields:
                score.calls_matched += 1
                comparison.matched_with.append(candidate.label)
            elif fields and not baseline_fields:
                score.calls_broken += 1

    # ------------------------------------------------------------------ reading
    def newest(
        self,
        limit: int,
        before_id: int | None = None,
        *,
        after_id: int | None = None,
        where: Callable[[Comparison], bool] | None = None,
    ) -> list[Comparison]:
        """Newest first: older than `before_id` (the next page), newer than `after_id` (what a poller missed)."""
        found: list[Comparison] = []
        for comparison in reversed(self.comparisons):
            if before_id is not None and comparison.id >= before_id:
                continue
            if after_id is not None and comparison.id <= after_id:
                break
            if where is not None and not where(comparison):
                continue
            found.append(comparison)
            if len(found) == limit:
                break
        return found

    def get(self, comparison_id: int) -> Comparison | None:
        # Ids only grow (a comparison that failed leaves a gap): a binary search over what is kept.
        index = bisect.bisect_left(self.comparisons, comparison_id, key=_comparison_id)
        found = self.comparisons[index] if index < len(self.comparisons) else None
        return found if found is not None and found.id == comparison_id else None

    @property
    def latest_id(self) -> int:
        return self.comparisons[-1].id if self.comparisons else 0

    def describe(self) -> dict[str, Any]:
        return {**baseline_description(self.settings), "candidates": [c.label for c, _ in self.candidates]}

    async def aclose(self) -> None:
        for shadow in [self.baseline, *(s for _, s in self.candidates)]:
            await shadow.aclose()


def _comparison_id(comparison: Comparison) -> int:
    return comparison.id


def _not_applied(exchange: Exchange) -> tuple[str, str] | None:
    """Why a call reaches no shadow: the upstream's fault, or a call that is not HubSpot's to compare."""
    status = exchange.upstream.status
    if exchange.fault:
        return UPSTREAM_FAULT, exchange.fault
    if status == 429 or status >= 500:
        return UPSTREAM_FAULT, str(status)
    if status in (401, 403):
        return NOT_COMPARED, f"{status}: the upstream refused the caller's token (the mock has its own)"
    if exchange.request.path.startswith("/__mock/"):
        return NOT_COMPARED, "a mock admin path, not HubSpot's"
    return None


async def replay(exchanges: Iterable[Exchange], settings: Settings, *, upstream: str, try_candidates: bool = True) -> FidelityEngine:
    """Run recorded exchanges through a fresh engine, as the live proxy did."""
    engine = FidelityEngine(settings, upstream=upstream, try_candidates=try_candidates)
    for exchange in exchanges:
        await engine.compare(exchange)
    return engine

