"""The benchmark, in one command: the mock against its stack's two ceilings, Prism and WireMock; batch and state
scaling; start-up; the mock's own cost per call in process. Writes benchmarks/results/latest.{md,png,json} and prints PASS/FAIL per target (the exit
code is 0 whatever they say).

    .venv/bin/python benchmarks/run.py            # the full run, about 10 minutes on 2 cores
    .venv/bin/python benchmarks/run.py --quick    # about 2 minutes: shorter, one round, 32 connections only

Needs wrk and taskset; Prism and WireMock come from `benchmarks/setup.sh` (a contender that is not installed
is left out, and said so).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

import contenders
import machine
import report
import scaling
import startup
import targets
import throughput
import workload
from processes import Server, post

RESULTS = workload.BENCH_DIR / "results"
README = workload.BENCH_DIR.parent / "README.md"
PHASES = ("throughput", "batch", "state", "startup", "in-process")


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a short run: 1 s per measurement, 1 round, 32 connections, 100,000 records")
    parser.add_argument("--seconds", type=int, help="seconds per measurement (default 2; quick 1)")
    parser.add_argument("--rounds", type=int, help="rounds, each contender measured once per round (default 3; quick 1)")
    parser.add_argument("--warmup", type=int, help="seconds of load per request and contender before measuring (default 2; quick 1)")
    parser.add_argument("--connections", type=_ints, help="concurrencies, comma-separated (default 1,32,128; quick 32)")
    parser.add_argument("--contenders", default=",".join(contenders.CONTENDERS), help="comma-separated subset of %(default)s")
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated subset of %(default)s")
    parser.add_argument("--batch-sizes", type=_ints, default=[1, 10, 100, 1000, 10000], help="default 1,10,100,1000,10000")
    parser.add_argument("--state-records", type=int, help="subscriber records for state scaling (default 1,000,000; quick 100,000)")
    parser.add_argument("--state-events", type=int, default=100, help="events the records are spread over (default 100)")
    parser.add_argument("--state-contacts", type=int, help="distinct contacts (default: one per record)")
    parser.add_argument("--startup-runs", type=int, help="start-up repetitions (default 5; quick 3)")
    parser.add_argument("--wiremock-jvm-args", default="", help="extra JVM flags for WireMock, e.g. '-Xmx512m' (default: none)")
    parser.add_argument("--server-core", type=int, default=1, help="core the servers are pinned to (default 1)")
    parser.add_argument("--load-core", type=int, default=0, help="core wrk is pinned to (default 0)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where latest.{md,png,json} go (default benchmarks/results)")
    parser.add_argument("--update-readme", action="store_true", help="also copy the tables into README.md's Benchmarks section")
    args = parser.parse_args(argv)
    quick = args.quick
    args.seconds = args.seconds or (1 if quick else 2)
    args.rounds = args.rounds or (1 if quick else 3)
    args.warmup = args.warmup or (1 if quick else 2)
    args.connections = args.connections or ([32] if quick else [1, 32, 128])
    args.state_records = args.state_records or (100_000 if quick else 1_000_000)
    args.startup_runs = args.startup_runs or (3 if quick else 5)
    args.contenders = [c for c in args.contenders.split(",") if c]
    args.phases = [p for p in args.phases.split(",") if p]
    unknown = set(args.contenders) - set(contenders.CONTENDERS) | set(args.phases) - set(PHASES)
    if unknown or "mock" not in args.contenders:
        parser.error(f"unknown contenders or phases {sorted(unknown)}, or no mock" if unknown else "the mock must be measured")
    return args


def log(message: str) -> None:
    print(message, flush=True)


def check_tools() -> None:
    missing = [tool for tool in ("wrk", "taskset") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"benchmark: {', '.join(missing)} not found; run benchmarks/setup.sh (it installs wrk with apt-get)")
    if not contenders.venv_script("hubspot-mock").exists():
        sys.exit(f"benchmark: no hubspot-mock beside {sys.executable}; run it with the project's venv python")


def start_contenders(names: list[str], work: Path, args: argparse.Namespace, results: dict) -> dict[str, Server]:
    servers = {}
    for name in names:
        entry = results["contenders"][name] = {}
        server = None
        try:
            server = contenders.server(name, work, args.server_core, args.wiremock_jvm_args.split())
            entry["version"] = contenders.version(name)
            entry["command"] = " ".join(server.argv)
            entry["ready_s"] = server.start()
        except (FileNotFoundError, RuntimeError) as exc:
            if server is not None:
                server.stop()
            log(f"  {name}: left out: {exc}")
            entry["error"] = str(exc)
            entry.setdefault("version", "not installed")
            continue
        time.sleep(1)  # let start-up work (JIT, lazy imports) settle before reading idle memory
        entry["idle_rss_mb"] = server.rss_bytes() / scaling.MIB
        log(f"  {name}: ready in {entry['ready_s']:.2f} s, {entry['idle_rss_mb']:.0f} MB ({entry['version']})")
        servers[name] = server
    return servers


def record_answers(mock: Server, scenarios: list[workload.Scenario], work: Path) -> None:
    """What the mock answers each request once it is a repeat (as under load), for the equal-I/O ceiling."""
    answers = {}
    for scenario in scenarios:
        for _ in range(2):
            status, headers, body = post(mock.port, scenario.path, scenario.body, workload.HEADERS)
        answers[scenario.path.partition("?")[0]] = {"status": status, "headers": list(headers.items()), "body": body.decode()}
    (work / contenders.ANSWERS_FILE).write_bytes(orjson.dumps(answers))


def throughput_phase(args: argparse.Namespace, work: Path, results: dict) -> None:
    servers = start_contenders(["mock"], work, args, results)
    try:
        if "mock" not in servers:
            raise RuntimeError(f"the mock did not start: {results['contenders']['mock'].get('error')}")
        scenarios = workload.throughput_scenarios(workload.seeded_object_id(servers["mock"].base_url))
        record_answers(servers["mock"], scenarios, work)
        servers.update(start_contenders([n for n in args.contenders if n != "mock"], work, args, results))
        bodies = throughput.write_bodies(scenarios, work / "bodies")
        results["probes"] = throughput.probe(servers, scenarios)
        log(f"  status of one of each request: {results['probes']}")
        log(f"  warming up ({args.warmup} s per request and contender)")
        throughput.warm_up(servers, scenarios, bodies, args.warmup, args.load_core)
        results["throughput"] = throughput.measure(
            servers, scenarios, bodies, args.connections, args.seconds, args.rounds, args.load_core, log
        )
        for name, server in servers.items():
            results["contenders"][name]["after_rss_mb"] = server.rss_bytes() / scaling.MIB
    finally:
        for server in servers.values():
            server.stop()


def run_phase(name: str, args: argparse.Namespace, work: Path, results: dict) -> None:
    if name == "throughput":
        throughput_phase(args, work, results)
    elif name == "batch":
        results["batch_scaling"] = scaling.batch_scaling(
            args.batch_sizes, args.seconds, args.rounds, work, args.server_core, args.load_core, log
        )
    elif name == "state":
        results["state_scaling"] = scaling.state_scaling(
            args.state_records, args.state_events, args.state_contacts, targets.TARGET_CONNECTIONS,
            args.seconds, args.rounds, work, args.server_core, args.load_core, log,
        )  # fmt: skip
    elif name == "in-process":
        results["in_process"] = in_process_cost(args.rounds, args.server_core)
    elif name == "startup":
        results["startup"] = {
            "cli": startup.cli_ready(args.startup_runs, work, args.server_core),
            "fixture": startup.fixture_setup(args.startup_runs, work, args.server_core),
        }


def in_process_cost(rounds: int, core: int) -> dict:
    """benchmarks/in_process.py in a process of its own (its gc settings are the CLI's), pinned to the servers'
    core: µs per 10-item upsert."""
    script = workload.BENCH_DIR / "in_process.py"
    out = subprocess.run(
        ["taskset", "-c", str(core), sys.executable, str(script), "--scenario", "upsert-10", "--rounds", str(max(rounds, 3)), "--json"],
        capture_output=True, text=True, check=True, timeout=600,
    ).stdout
    return orjson.loads(out.splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    check_tools()
    results: dict = {
        "machine": machine.describe(),
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "contenders": {},
    }
    if os.getloadavg()[0] > 1:
        log(f"Note: the machine is busy (load average {machine.load_average()}): the figures will be skewed")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hubspot-mock-bench-") as tmp:
        work = Path(tmp)
        for name in args.phases:
            log(f"Phase: {name}")
            try:
                run_phase(name, args, work, results)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:  # report what the other phases measured
                log(f"  {name} failed: {exc}")
                results.setdefault("failed_phases", {})[name] = str(exc)
    results["elapsed_s"] = time.perf_counter() - started
    results["load_average_after"] = machine.load_average()
    verdicts = targets.evaluate(results)
    results["targets"] = targets.as_dicts(verdicts)
    text = report.write(results, verdicts, args.out)
    print("\n" + text)
    if args.update_readme:
        report.update_readme(README, text)
    for t in verdicts:
        print(f"{t.verdict:<5} {t.goal}: {t.measured}")
    print(f"\nWrote {args.out}/latest.md, latest.png, latest.json in {results['elapsed_s'] / 60:.1f} minutes.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
