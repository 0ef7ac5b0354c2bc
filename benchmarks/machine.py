"""What the benchmark ran on and with, for the report: numbers mean little without it."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from loadgen import wrk_version

REPO = Path(__file__).resolve().parent.parent


def _first_line(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "missing"
    return ((done.stdout or done.stderr).strip().splitlines() or ["?"])[0]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _code_version() -> str:
    """The commit measured, and whether the mock's code had changes not yet committed."""
    commit = _first_line(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = _first_line(["git", "-C", str(REPO), "status", "--porcelain", "--", "mock_server", "openapi"])
    return commit + (" + uncommitted changes in mock_server/ or openapi/" if dirty not in ("", "?", "missing") else "")


def describe() -> dict:
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(_memory_gib(), 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": {n: _package(n) for n in ("uvicorn", "starlette", "httptools", "uvloop", "orjson")},
        "node": _first_line(["node", "--version"]),
        "java": _first_line(["java", "-version"]),
        "wrk": wrk_version(),
        "commit": _code_version(),
        "load_average": load_average(),
    }


def load_average() -> str:
    """Other work on the machine skews every figure: say how busy it was."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg()) + " (1 / 5 / 15 min)"
