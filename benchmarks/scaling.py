"""How the mock's costs grow: with the number of items in a batch, and with the amount of state it holds."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import contenders
import workload
from loadgen import LoadResult, run_wrk
from processes import Server, free_port, post
from throughput import write_bodies

from mock_server.settings import Settings

MIB = 2**20


def _mock(name: str, logs: Path, core: int, extra: list[str] = ()) -> Server:
    port = free_port()
    launch = contenders.mock_launch(port, list(extra))
    return Server(name, launch.argv, port, launch.ready_path, logs / f"{name}.log", core)


def _median(results: list[LoadResult]) -> dict:
    return {
        "rps": statistics.median(r.rps for r in results),
        "p50_ms": statistics.median(r.p50_ms for r in results),
        "p99_ms": statistics.median(r.p99_ms for r in results),
        "non_2xx": sum(r.non_2xx + r.socket_errors for r in results),
    }


# ---------------------------------------------------------------------------------------------- batch size
def batch_scaling(
    sizes: list[int], seconds: int, rounds: int, work: Path, server_core: int, load_core: int, log: Callable[[str], None]
) -> dict:
    """Events upsert at each batch size on one connection: per-item cost = 1 / (req/s x items)."""
    scenarios = [workload.events_upsert(n) for n in sizes]
    bodies = write_bodies(scenarios, work / "batch-bodies")
    largest = max(len(s.body) for s in scenarios)
    extra, note = [], f"largest body {largest / MIB:.1f} MiB, within the default max_body_bytes"
    if largest > Settings().max_body_bytes:
        extra = ["--set", f"max_body_bytes={largest + MIB}"]
        note = f"largest body {largest / MIB:.1f} MiB: mock started with --set max_body_bytes={largest + MIB}"
    mock = _mock("mock-batch", work, server_core, extra)
    mock.start()
    try:
        for s in scenarios:  # the first request creates the events; every measured one updates them
            post(mock.port, s.path, s.body, workload.HEADERS)
        samples: dict[int, list[LoadResult]] = {n: [] for n in sizes}
        for r in range(rounds):
            for s in scenarios if r % 2 == 0 else scenarios[::-1]:
                result = run_wrk(mock.base_url + s.path, bodies[s.key], 1, seconds, load_core)
                samples[s.items].append(result)
                log(f"  round {r + 1}  {s.items:>6} items  {result.rps:8,.1f} req/s  "
                    f"{1e6 / (result.rps * s.items) if result.rps else float('nan'):8.2f} us/item")
    finally:
        mock.stop()
    rows = []
    for n in sizes:
        row = {"items": n, **_median(samples[n])}
        row["per_item_us"] = 1e6 / (row["rps"] * n) if row["rps"] else None
        rows.append(row)
    return {"connections": 1, "rows": rows, "note": note}


# ---------------------------------------------------------------------------------------------- state size
def build_state_file(path: Path, records: int, events: int, contacts: int | None) -> float:
    """In its own process, so the builder's memory is not the harness's. Returns seconds taken."""
    argv = [sys.executable, str(workload.BENCH_DIR / "state_image.py"), str(path), "--records", str(records), "--events", str(events)]
    if contacts:
        argv += ["--contacts", str(contacts)]
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, text=True)
    return time.perf_counter() - started


def state_scaling(
    records: int,
    events: int,
    contacts: int | None,
    connections: int,
    seconds: int,
    rounds: int,
    work: Path,
    server_core: int,
    load_core: int,
    log: Callable[[str], None],
) -> dict:
    """An empty mock (the seed only) and one restored from a state file of `records` subscriber records, side
    by side: RSS, and the cost of events upsert and subscriber upsert (on an event holding its share of them)."""
    state_file = work / "state.json"
    log(f"  building a state of {records:,} subscriber records ...")
    build_s = build_state_file(state_file, records, events, contacts)
    file_mib = state_file.stat().st_size / MIB
    servers = {"empty": _mock("mock-empty", work, server_core), "loaded": _mock("mock-loaded", work, server_core, ["--state", str(state_file)])}
    servers["empty"].start()
    load_s = servers["loaded"].start(timeout=600)
    log(f"  built in {build_s:.1f} s ({file_mib:.0f} MiB); the mock restored it and answered in {load_s:.1f} s")
    scenarios = [workload.events_upsert(10), workload.subscriber_upsert()]
    bodies = write_bodies(scenarios, work / "state-bodies")
    try:
        rss = {name: {"idle_mb": s.rss_bytes() / MIB} for name, s in servers.items()}
        for server in servers.values():
            for s in scenarios:
                run_wrk(server.base_url + s.path, bodies[s.key], connections, 1, load_core)
        samples: dict[tuple[str, str], list[LoadResult]] = {(n, s.key): [] for n in servers for s in scenarios}
        for r in range(rounds):
            for s in scenarios:
                for name in list(servers) if r % 2 == 0 else list(servers)[::-1]:
                    result = run_wrk(servers[name].base_url + s.path, bodies[s.key], connections, seconds, load_core)
                    samples[(name, s.key)].append(result)
                    log(f"  round {r + 1}  {s.key:<12} {name:<7} {result.rps:9,.0f} req/s  p99 {result.p99_ms:7.2f} ms")
        for name, server in servers.items():
            rss[name]["after_mb"] = server.rss_bytes() / MIB
    finally:
        for server in servers.values():
            server.stop(timeout=120)  # the loaded one saves its state file on the way out
    rows = []
    for s in scenarios:
        empty, loaded = _median(samples[("empty", s.key)]), _median(samples[("loaded", s.key)])
        ratio = empty["rps"] / loaded["rps"] if loaded["rps"] else None  # cost per request, loaded / empty
        rows.append({"scenario": s.key, "title": s.title, "empty": empty, "loaded": loaded, "cost_ratio": ratio})
    return {
        "records": records,
        "events": events,
        "contacts": contacts or records,
        "connections": connections,
        "build_s": build_s,
        "file_mib": file_mib,
        "restore_s": load_s,
        "rss": rss,
        "rows": rows,
    }
