"""The targets (issues #7 and #16), checked against one run's results. Reported as PASS / FAIL, never an exit code:
the benchmark informs, it does not gate CI. A figure the run did not measure is `n/a`."""

from __future__ import annotations

from dataclasses import asdict, dataclass

TARGET_CONNECTIONS = 32
TARGET_RECORDS = 1_000_000  # the state targets hold at this many subscriber records


@dataclass
class Target:
    goal: str
    measured: str
    passed: bool | None  # None: not measured in this run

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "n/a"}[self.passed]


def _rps(results: dict, contender: str, scenario: str, connections: int = TARGET_CONNECTIONS) -> float | None:
    for row in results.get("throughput", []):
        if (row["contender"], row["scenario"], row["connections"]) == (contender, scenario, connections) and row["valid"]:
            return row["rps"]
    return None


def _scenarios(results: dict) -> list[str]:
    return list(dict.fromkeys(row["scenario"] for row in results.get("throughput", [])))


def _ratio_target(results: dict, peer: str, label: str, at_least: float, scenario: str | None = None) -> Target:
    """mock req/s over the peer's, on one scenario or (the weakest of) all of them, at 32 connections."""
    goal = f"mock >= {at_least} x {label} req/s, {scenario or 'every scenario'}, {TARGET_CONNECTIONS} connections"
    ratios = {}
    for key in [scenario] if scenario else _scenarios(results):
        mock, other = _rps(results, "mock", key), _rps(results, peer, key)
        if mock and other:
            ratios[key] = mock / other
    if not ratios:
        return Target(goal, "not measured", None)
    worst = min(ratios, key=ratios.get)
    measured = f"{ratios[worst]:.2f} x" + ("" if scenario else f" (lowest: {worst})")
    return Target(goal, measured, ratios[worst] >= at_least)


def _row(results: dict, contender: str, scenario: str, connections: int) -> dict | None:
    return next(
        (r for r in results.get("throughput", []) if (r["contender"], r["scenario"], r["connections"]) == (contender, scenario, connections) and r["valid"]),
        None,
    )


def _tail_target(results: dict, peer: str, label: str, times: float, connections: int = 128) -> Target:
    """The mock's p99 over the peer's at 128 connections, on the request where it is worst."""
    goal = f"mock p99 <= {times:g} x {label} p99, every scenario, {connections} connections"
    ratios = {}
    for key in _scenarios(results):
        mock, other = _row(results, "mock", key, connections), _row(results, peer, key, connections)
        if mock and other and other["p99_ms"]:
            ratios[key] = (mock["p99_ms"] / other["p99_ms"], mock["p99_ms"], other["p99_ms"])
    if not ratios:
        return Target(goal, "not measured", None)
    worst = max(ratios, key=lambda k: ratios[k][0])
    ratio, mine, theirs = ratios[worst]
    return Target(goal, f"{ratio:.2f} x (worst: {worst}, {mine:.0f} vs {theirs:.0f} ms)", ratio <= times)


def _at_most(goal: str, value: float | None, limit: float, text: str) -> Target:
    if value is None:
        return Target(goal, "not measured", None)
    return Target(goal, text.format(value), value <= limit)


def _at_scale(state: dict, target: Target) -> Target:
    """A state measured with fewer records than the target names (a --quick run) gives no verdict."""
    if state and state["records"] < TARGET_RECORDS and target.passed is not None:
        return Target(target.goal, f"{target.measured} at {state['records']:,} records", None)
    return target


def evaluate(results: dict) -> list[Target]:
    contenders = results.get("contenders", {})
    batch = {row["items"]: row for row in results.get("batch_scaling", {}).get("rows", [])}
    state = results.get("state_scaling", {})
    startup = results.get("startup", {})

    per_item = None
    if batch.get(10_000, {}).get("per_item_us") and batch.get(100, {}).get("per_item_us"):
        per_item = batch[10_000]["per_item_us"] / batch[100]["per_item_us"]
    loaded_rss = state.get("rss", {}).get("loaded", {}).get("idle_mb")
    cost = {row["scenario"]: row["cost_ratio"] for row in state.get("rows", [])}
    records = f"{TARGET_RECORDS:,}"

    in_process = results.get("in_process", {}).get("upsert-10", {}).get("median_us")
    return [
        _ratio_target(results, "equal-io", "equal-I/O ceiling", 0.5, "upsert-10"),
        _ratio_target(results, "wiremock", "WireMock", 1.0),
        _tail_target(results, "ceiling", "ceiling", 3),
        _tail_target(results, "wiremock", "WireMock", 1),
        _at_most("in-process cost of a 10-item upsert <= 45 µs", in_process, 45, "{:.1f} µs"),
        _ratio_target(results, "ceiling", "ceiling", 0.8, "upsert-10"),
        _ratio_target(results, "prism", "Prism", 3),
        _ratio_target(results, "wiremock", "WireMock", 1.5),
        _at_most("mock idle RSS <= 80 MB", contenders.get("mock", {}).get("idle_rss_mb"), 80, "{:.0f} MB"),
        _at_most("per-item cost at 10,000 items <= 1.2 x at 100", per_item, 1.2, "{:.2f} x"),
        _at_scale(state, _at_most(f"RSS with {records} subscriber records <= 500 MB", loaded_rss, 500, "{:.0f} MB")),
        _at_scale(state, _at_most(f"events upsert cost at {records} records <= 1.2 x at empty", cost.get("upsert-10"), 1.2, "{:.2f} x")),
        _at_scale(state, _at_most(f"subscriber upsert cost at {records} records <= 1.2 x at empty", cost.get("state-vid-10"), 1.2, "{:.2f} x")),
        _at_most("CLI ready (spawn to first 200) <= 1 s", startup.get("cli", {}).get("median_s"), 1.0, "{:.2f} s"),
        _at_most("fixture set-up (session server + reset) <= 100 ms", startup.get("fixture", {}).get("first_setup_median_ms"), 100, "{:.0f} ms"),
    ]


def as_dicts(targets: list[Target]) -> list[dict]:
    return [{**asdict(t), "verdict": t.verdict} for t in targets]
