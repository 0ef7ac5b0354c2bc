"""The mock's own cost per call, without sockets: the ASGI app (as `hubspot-mock` builds it, with the benchmark's
seed) driven directly, one request after another, for each throughput scenario. What is left is the mock's
Python: middleware, pipeline, validation, backend, shaping, journal. `--profile` prints where it goes.

    .venv/bin/python benchmarks/in_process.py [--calls 20000] [--rounds 5] [--scenario upsert-10] [--profile]

benchmarks/instructions.sh counts instructions per call with valgrind, for the whole app or from one layer inward
(`--layer`).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workload import EVENT, HEADERS, SEED, Scenario, throughput_scenarios  # noqa: E402

from mock_server import Settings, create_app  # noqa: E402


def scope_for(scenario: Scenario) -> dict[str, Any]:
    path, _, query = scenario.path.partition("?")
    headers = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
    headers.append((b"content-length", str(len(scenario.body)).encode()))
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8090),
    }


# The app's layers, outermost first (mock_server/app.py), down to the endpoint the route picks. `--layer` drives
# the app from one of them inward: the difference between two layers' instruction counts is what the outer one
# costs.
LAYERS = ("app", "server-errors", "journal", "faults", "exceptions", "router", "endpoint")


def layer_entry(app: Any, template: dict[str, Any], layer: str) -> tuple[Any, Callable[[], dict[str, Any]]]:
    """The ASGI callable that `layer` names, and what the layers outside it would have put in each call's scope."""
    stack = app.middleware_stack = app.middleware_stack or app.build_middleware_stack()
    chain = [app, stack, stack.app, stack.app.app, stack.app.app.app, app.router]
    expected = ["Starlette", "ServerErrorMiddleware", "JournalMiddleware", "FaultMiddleware", "ExceptionMiddleware", "Router"]
    if [type(layer).__name__ for layer in chain] != expected:  # app.py's order changed: LAYERS must follow it
        raise SystemExit(f"the app's layers are {[type(layer).__name__ for layer in chain]}, not {expected}")
    if layer == "endpoint":
        route = app.router.routes[0]  # the operations' tree (urls.api_routes): its child scope names the endpoint
        _, child = route.matches(template)
        return route.handle, lambda: {**child, "path_params": dict(child["path_params"]), "app": app, "state": _state()}
    target = chain[LAYERS.index(layer)]
    if layer == "app":
        return target, dict
    if layer in ("server-errors", "journal"):
        return target, lambda: {"app": app}
    return target, lambda: {"app": app, "state": _state()}


def _state() -> dict[str, Any]:
    return {"correlation_id": "00000000-0000-4000-8000-000000000000"}  # what the journal gives each call


async def drive(app: Any, scenario: Scenario, calls: int, layer: str = "app") -> float:
    """Seconds per call over `calls` calls; every answer must be 2xx."""
    template = scope_for(scenario)
    target, outer = layer_entry(app, template, layer)
    body_message = {"type": "http.request", "body": scenario.body, "more_body": False}
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return body_message

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    started = time.perf_counter()
    for _ in range(calls):
        await target({**template, **outer()}, receive, send)
    elapsed = time.perf_counter() - started
    bad = [s for s in statuses if not 200 <= s < 300]
    if bad:
        raise SystemExit(f"{scenario.key}: {len(bad)} answers were not 2xx (first: {bad[0]})")
    return elapsed / calls


def build() -> tuple[Any, dict[str, Scenario]]:
    app = create_app(Settings(seed_path=str(SEED)))
    object_id = app.state.backend.event_by_external_ids(
        app.state.backend.authenticate(HEADERS["Authorization"].split()[1]), EVENT, "acct-bench"
    ).object_id
    return app, {s.key: s for s in throughput_scenarios(object_id)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scenario", action="append", help="a scenario key (default: all)")
    parser.add_argument("--profile", action="store_true", help="profile the first scenario with cProfile")
    parser.add_argument("--json", action="store_true", help="end with one JSON line: {scenario: median µs} (run.py reads it)")
    parser.add_argument(
        "--just", type=int, metavar="N",
        help="only run N calls of the first scenario after a warm-up (for an instruction count under valgrind: the "
        "difference between two N is the cost of the calls, whatever else the machine is doing)",
    )
    parser.add_argument("--layer", choices=LAYERS, default="app", help="drive the app from this layer inward")
    args = parser.parse_args()
    app, scenarios = build()
    chosen = [scenarios[key] for key in args.scenario] if args.scenario else list(scenarios.values())
    loop = asyncio.new_event_loop()
    gc.collect()
    gc.freeze()  # as the CLI does (server.tune_gc)
    gc.set_threshold(100_000, 50, 1000)
    if args.just is not None:
        loop.run_until_complete(drive(app, chosen[0], 500, args.layer))
        if args.just:
            loop.run_until_complete(drive(app, chosen[0], args.just, args.layer))
        return
    if args.profile:
        loop.run_until_complete(drive(app, chosen[0], 2000, args.layer))
        profiler = cProfile.Profile()
        profiler.enable()
        loop.run_until_complete(drive(app, chosen[0], args.calls, args.layer))
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return
    print(f"in-process cost per call, median of {args.rounds} rounds of {args.calls:,} calls (µs)")
    medians = {}
    for scenario in chosen:
        loop.run_until_complete(drive(app, scenario, min(2000, args.calls), args.layer))  # warm-up
        rounds = [loop.run_until_complete(drive(app, scenario, args.calls, args.layer)) * 1e6 for _ in range(args.rounds)]
        medians[scenario.key] = {"median_us": statistics.median(rounds), "rounds_us": rounds, "calls": args.calls}
        print(f"  {scenario.key:<16} {statistics.median(rounds):7.1f}   (rounds: {', '.join(f'{r:.1f}' for r in rounds)})")
    if args.json:
        print(json.dumps(medians))


if __name__ == "__main__":
    main()
