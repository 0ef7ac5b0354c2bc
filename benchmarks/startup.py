"""Start-up: `hubspot-mock` from process spawn to its first 200, and the pytest fixture's set-up time."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import contenders
from processes import Server, free_port

# Times the set-up phase of every test (all fixtures it needs) and writes them out at the end.
TIMING_CONFTEST = '''
import json, os, time
import pytest

SETUPS = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    started = time.perf_counter()
    yield
    SETUPS.append(time.perf_counter() - started)


def pytest_sessionfinish(session):
    with open(os.environ["BENCH_SETUP_TIMES"], "w") as out:
        json.dump(SETUPS, out)
'''
TESTS = 20


def cli_ready(runs: int, work: Path, core: int) -> dict:
    """Spawn `hubspot-mock --port N` (no other flag), poll GET /openapi.json every 5 ms until it answers 200."""
    times = []
    for i in range(runs):
        port = free_port()
        server = Server(f"mock-startup-{i}", [str(contenders.venv_script("hubspot-mock")), "--port", str(port)], port, "/openapi.json", work / "startup.log", core)
        started = time.perf_counter()
        server.spawn()
        try:
            server.wait_ready(timeout=60, want_200=True, poll=0.005)
            times.append(time.perf_counter() - started)
        finally:
            server.stop()
    return {"runs_s": times, "median_s": statistics.median(times)}


def fixture_setup(runs: int, work: Path, core: int) -> dict:
    """pytest on a generated file of tests that take `hubspot_mock`: the first test's set-up starts the session
    server (and resets it), every later one only resets it."""
    project = work / "fixture-project"
    project.mkdir(parents=True, exist_ok=True)
    (project / "pytest.ini").write_text("[pytest]\n")  # its own rootdir: none of this repository's config
    (project / "conftest.py").write_text(TIMING_CONFTEST)
    tests = "".join(f"\ndef test_{i}(hubspot_mock):\n    assert hubspot_mock.base_url\n" for i in range(TESTS))
    (project / "test_fixture_setup.py").write_text(tests)
    first, later = [], []
    for _ in range(runs):
        times_file = project / "setup-times.json"
        env = {**os.environ, "BENCH_SETUP_TIMES": str(times_file)}
        argv = ["taskset", "-c", str(core), sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project)]
        done = subprocess.run(argv, check=False, cwd=project, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"pytest failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        setups = json.loads(times_file.read_text())
        first.append(setups[0])
        later.extend(setups[1:])
    return {
        "first_setup_ms": [t * 1000 for t in first],
        "first_setup_median_ms": statistics.median(first) * 1000,
        "reset_median_ms": statistics.median(later) * 1000,
        "tests_per_run": TESTS,
    }
