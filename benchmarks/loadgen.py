"""Drive a server with wrk (one thread, pinned to its own core) and read back what wrk measured."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent / "wrk" / "post.lua"
MARKER = "BENCH_JSON "


@dataclass
class LoadResult:
    requests: int
    seconds: float
    non_2xx: int  # wrk counts answers with a status of 400 and above
    socket_errors: int  # connect, read, write errors and timeouts
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failed_share(self) -> float:
        return (self.non_2xx + self.socket_errors) / self.requests if self.requests else 1.0

    def as_dict(self) -> dict:
        return {**asdict(self), "rps": self.rps}


def wrk_version() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        return "missing"
    done = subprocess.run([wrk, "-v"], check=False, capture_output=True, text=True)
    return (done.stdout or done.stderr).splitlines()[0].split(" Copyright")[0]


def run_wrk(url: str, body_file: Path, connections: int, seconds: int, core: int, timeout_s: int = 30) -> LoadResult:
    """POST body_file's bytes to url for `seconds` over `connections` keep-alive connections."""
    argv = [
        "taskset", "-c", str(core), "wrk", "-t1", f"-c{connections}", f"-d{seconds}s",
        f"--timeout={timeout_s}s", "--latency", "-s", str(LUA), url,
    ]  # fmt: skip
    env = {**os.environ, "BENCH_BODY_FILE": str(body_file)}
    done = subprocess.run(argv, check=False, capture_output=True, text=True, env=env, timeout=seconds + timeout_s + 30)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith(MARKER)), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    raw = json.loads(line[len(MARKER):])
    errors = raw["errors"]
    return LoadResult(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        non_2xx=errors["status"],
        socket_errors=errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        p50_ms=raw["latency_us"]["p50"] / 1000,
        p99_ms=raw["latency_us"]["p99"] / 1000,
    )
