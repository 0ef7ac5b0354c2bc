"""Profile the mock under the benchmark's target load (events upsert, 10 items, 32 connections) with py-spy.

Starts `hubspot-mock` as the benchmark does (pinned to the server core), drives it with wrk from the load core,
and samples it with py-spy (also on the load core, so that sampling takes no time from the server). Writes

    benchmarks/results/profile-upsert-10.speedscope.json   open in https://www.speedscope.app
    benchmarks/results/profile-upsert-10.txt               where the time goes: by package, by function

    .venv/bin/python benchmarks/profile_hot_paths.py [--seconds 15] [--rate 250] [--connections 32]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import contenders
import workload
from loadgen import LUA
from throughput import write_bodies

RESULTS = workload.BENCH_DIR / "results"
TOP = 25


def py_spy() -> str:
    found = Path(sys.executable).parent / "py-spy"
    if not found.exists():
        sys.exit("profile: py-spy is not installed: .venv/bin/pip install -e '.[bench]'")
    return str(found)


def record(pid: int, seconds: int, rate: int, core: int, out: Path) -> None:
    argv = ["taskset", "-c", str(core), py_spy(), "record", "--pid", str(pid), "--duration", str(seconds),
            "--rate", str(rate), "--format", "speedscope", "--output", str(out)]  # fmt: skip
    subprocess.run(argv, check=True, capture_output=True, text=True)


def where(file: str) -> str:
    """A frame's file, short: the package path from site-packages on, or the stdlib module."""
    for marker in ("site-packages/", "/lib/python3"):
        if marker in file:
            tail = file.split(marker, 1)[1]
            return tail.split("/", 1)[1] if marker.startswith("/lib") and "/" in tail else tail
    repo = str(workload.BENCH_DIR.parent) + "/"
    return file.removeprefix(repo)


def package(file: str) -> str:
    short = where(file)
    return short.split("/", 1)[0].removesuffix(".py") if "/" in short else short.removesuffix(".py")


def summarise(speedscope: dict) -> tuple[float, Counter, Counter, Counter]:
    """Busy time sampled in all; self time per function and per package; inclusive time per function."""
    frames = speedscope["shared"]["frames"]
    names = [f"{f['name']} ({where(f.get('file', '?'))})" for f in frames]
    packages = [package(f.get("file", "?")) for f in frames]
    total, own, by_package, inclusive = 0.0, Counter(), Counter(), Counter()
    for profile in speedscope["profiles"]:
        for stack, weight in zip(profile["samples"], profile["weights"]):
            if not stack:
                continue
            total += weight
            own[names[stack[-1]]] += weight
            by_package[packages[stack[-1]]] += weight
            for name in {names[i] for i in stack}:
                inclusive[name] += weight
    return total, own, by_package, inclusive


def report(total: float, own: Counter, by_package: Counter, inclusive: Counter, header: str) -> str:
    def table(title: str, counts: Counter, top: int) -> list[str]:
        rows = [f"{100 * n / total:6.1f} %  {name}" for name, n in counts.most_common(top)]
        return ["", title, *rows]

    lines = [header, f"{total:.1f} s of the server thread busy, sampled (time idle in the event loop is left out)"]
    lines += table("Self time by package (where the CPU was when sampled)", by_package, 15)
    lines += table(f"Self time, top {TOP} functions", own, TOP)
    lines += table(f"Inclusive time (the function or anything it called), top {TOP}", inclusive, TOP)
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15, help="seconds sampled (default 15)")
    parser.add_argument("--rate", type=int, default=250, help="samples per second (default 250)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--items", type=int, default=10, help="events per upsert batch (default 10)")
    parser.add_argument("--server-core", type=int, default=1)
    parser.add_argument("--load-core", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    scenario = workload.events_upsert(args.items)
    args.out.mkdir(parents=True, exist_ok=True)
    speedscope_file = args.out / f"profile-{scenario.key}.speedscope.json"
    with tempfile.TemporaryDirectory(prefix="hubspot-mock-profile-") as tmp:
        work = Path(tmp)
        body = write_bodies([scenario], work)[scenario.key]
        mock = contenders.server("mock", work, args.server_core)
        mock.start()
        try:
            url = mock.base_url + scenario.path
            wrk = ["taskset", "-c", str(args.load_core), "wrk", "-t1", f"-c{args.connections}", "-s", str(LUA), url]
            env = {**os.environ, "BENCH_BODY_FILE": str(body)}
            subprocess.run([*wrk, "-d2s"], check=True, capture_output=True, env=env)  # warm-up
            load = subprocess.Popen([*wrk, f"-d{args.seconds + 4}s"], stdout=subprocess.PIPE, env=env, text=True)
            time.sleep(1)
            record(mock.process.pid, args.seconds, args.rate, args.load_core, speedscope_file)
            output = load.communicate()[0]
        finally:
            mock.stop()
    rps = next((line.split()[1] for line in output.splitlines() if line.startswith("Requests/sec")), "?")
    header = (
        f"py-spy profile of hubspot-mock: {scenario.title}, {args.connections} connections, {args.seconds} s at "
        f"{args.rate} Hz ({rps} req/s under the profiler)"
    )
    text = report(*summarise(json.loads(speedscope_file.read_text())), header)
    (args.out / f"profile-{scenario.key}.txt").write_text(text)
    print(text)
    print(f"Wrote {speedscope_file} and profile-{scenario.key}.txt")


if __name__ == "__main__":
    main()
