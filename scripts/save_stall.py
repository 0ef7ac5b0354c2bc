"""How long a state save stops a running mock from answering (not in CI).

Starts `hubspot-mock --state FILE` on a state file of many subscriber records (benchmarks/state_image.py builds
one), then one client sends small requests back to back on a keep-alive connection while another asks for saves
(`POST /__mock/snapshot`, which writes FILE and answers the whole image). Prints the longest answer time seen
while a save ran, beside the longest without one, and how long each save took.

    .venv/bin/python benchmarks/state_image.py /tmp/state-250k.json --records 250000 --events 25
    .venv/bin/python scripts/save_stall.py /tmp/state-250k.json [--saves 3] [--command .venv/bin/hubspot-mock]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

PROBE = "/marketing/v3/marketing-events/events/no-such-event?externalAccountId=probe"  # a 404: small and cheap


def main() -> None:
    if sys.argv[1:2] == ["--probe"]:
        return run_probe(sys.argv[2])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("state", type=Path, help="a state file (benchmarks/state_image.py)")
    parser.add_argument("--saves", type=int, default=3)
    parser.add_argument("--command", default=str(Path(sys.executable).parent / "hubspot-mock"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state.json"
        shutil.copy(args.state, state)
        proc = subprocess.Popen(
            [args.command, "--port", "0", "--state", str(state), "--log-level", "warning"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            printed = ""
            for line in proc.stdout or ():  # warnings, if any, come before the banner
                printed += line
                if found := re.search(r"mock .* on (http://\S+)", line):
                    break
            else:
                raise SystemExit(printed)
            measure(found.group(1), args.saves)
        finally:
            proc.terminate()
            proc.wait(timeout=60)


def measure(url: str, saves: int) -> None:
    # The probe runs in a process of its own, so that receiving the saves' large answers here cannot slow it.
    probe = subprocess.Popen([sys.executable, __file__, "--probe", url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    windows: list[tuple[float, float]] = []  # (start, end) of each save, time.time()
    time.sleep(2)
    with httpx.Client(base_url=url, timeout=300) as admin:
        for _ in range(saves):
            start = time.time()
            admin.post("/__mock/snapshot").raise_for_status()
            windows.append((start, time.time()))
            time.sleep(1)
    output, _ = probe.communicate("")  # closing its stdin stops it
    samples = [tuple(map(float, line.split())) for line in output.splitlines()][10:]  # after a warm-up (the first takes ~0.2 s)

    def during(start: float, duration: float) -> bool:
        return any(s <= start + duration and start <= e for s, e in windows)

    inside = sorted(d for s, d in samples if during(s, d))
    outside = sorted(d for s, d in samples if not during(s, d))
    print(f"saves took (s): {', '.join(f'{e - s:.2f}' for s, e in windows)}")
    for name, values in (("during a save", inside), ("otherwise", outside)):
        if values:
            p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
            print(f"longest answer {name}: {values[-1] * 1000:.0f} ms (p99 {p99 * 1000:.0f} ms, {len(values)} requests)")


def run_probe(url: str) -> None:
    """Small requests back to back until stdin closes; one line per request: start (epoch s) and duration."""
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    with httpx.Client(base_url=url, headers={"Authorization": "Bearer probe"}, timeout=300) as client:
        while not stop.is_set():
            start, began = time.time(), time.perf_counter()
            client.get(PROBE)
            print(f"{start:.6f} {time.perf_counter() - began:.6f}")


if __name__ == "__main__":
    main()
