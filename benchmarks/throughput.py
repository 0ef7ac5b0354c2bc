"""The contenders side by side: every scenario at every concurrency, contenders alternating within each
measurement and their order reversed every other round, so that drift on the machine hits all of them alike."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from loadgen import LoadResult, run_wrk
from processes import Server, post
from workload import HEADERS, Scenario

MOSTLY_FAILED = 0.5  # a contender whose answers are mostly errors is not counted


def write_bodies(scenarios: list[Scenario], directory: Path) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for scenario in scenarios:
        files[scenario.key] = directory / f"{scenario.key}.json"
        files[scenario.key].write_bytes(scenario.body)
    return files


def probe(servers: dict[str, Server], scenarios: list[Scenario]) -> dict[str, dict[str, int]]:
    """Each contender's status for one of each request, before any load: proof the requests are answered."""
    return {
        name: {s.key: post(server.port, s.path, s.body, HEADERS)[0] for s in scenarios} for name, server in servers.items()
    }


def warm_up(servers: dict[str, Server], scenarios: list[Scenario], bodies: dict[str, Path], seconds: int, core: int) -> None:
    """Every path of every contender under load once before measuring (the JVM's JIT needs it most)."""
    for server in servers.values():
        for scenario in scenarios:
            run_wrk(server.base_url + scenario.path, bodies[scenario.key], 32, seconds, core)


def measure(
    servers: dict[str, Server],
    scenarios: list[Scenario],
    bodies: dict[str, Path],
    connections: list[int],
    seconds: int,
    rounds: int,
    core: int,
    log: Callable[[str], None] = print,
) -> list[dict]:
    samples: dict[tuple[str, str, int], list[LoadResult]] = defaultdict(list)
    names = list(servers)
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        for scenario in scenarios:
            for conns in connections:
                for name in order:
                    result = run_wrk(servers[name].base_url + scenario.path, bodies[scenario.key], conns, seconds, core)
                    samples[(name, scenario.key, conns)].append(result)
                    log(f"  round {r + 1}  {scenario.key:<16} c={conns:<4} {name:<9} {result.rps:>9,.0f} req/s  "
                        f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:8.2f} ms  non-2xx {result.non_2xx}")
    titles = {s.key: (s.title, s.items) for s in scenarios}
    return [summarise(name, key, titles[key], conns, results) for (name, key, conns), results in samples.items()]


def summarise(contender: str, key: str, title: tuple[str, int], connections: int, results: list[LoadResult]) -> dict:
    """The median over rounds of each figure; error counts summed over rounds."""
    requests = sum(r.requests for r in results)
    failed = sum(r.non_2xx + r.socket_errors for r in results)
    return {
        "contender": contender,
        "scenario": key,
        "title": title[0],
        "items": title[1],
        "connections": connections,
        "rps": statistics.median(r.rps for r in results),
        "p50_ms": statistics.median(r.p50_ms for r in results),
        "p99_ms": statistics.median(r.p99_ms for r in results),
        "requests": requests,
        "non_2xx": sum(r.non_2xx for r in results),
        "socket_errors": sum(r.socket_errors for r in results),
        "valid": requests > 0 and failed / requests <= MOSTLY_FAILED,
        "rounds": [r.as_dict() for r in results],
    }
