"""Soak: the mock under bounded load with faults armed, watching memory and unexpected 5xx.

    .venv/bin/python scripts/soak.py --minutes 2 --concurrency 16

Starts `hubspot-mock` on a free loopback port with a 5 % probability of an injected 503 (seeded), then drives
events upserts and email attendance from `--concurrency` threads for `--minutes`. It samples the server's RSS
every 5 s and reports requests, req/s, answers by status, the 5xx that were NOT injected (must be 0, checked
against the journal), and RSS at start, peak and end (flat: the journal is a ring buffer). Not run in CI.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BASE = "/marketing/v3/marketing-events"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    faults = Path(tempfile.mkdtemp()) / "faults.json"
    faults.write_text(json.dumps([{"action": "respond", "status": 503, "probability": 0.05, "seed": 11}]))
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "hubspot-mock"), "--port", "0", "--faults", str(faults), "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = re.search(r"on (http://\S+)", server.stdout.readline()).group(1)
    statuses: collections.Counter[int] = collections.Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + args.minutes * 60
    samples = [rss_mb(server.pid)]

    def worker(n: int) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer soak-{n % 4}"}, timeout=10) as client:
            i = 0
            while time.monotonic() < deadline:
                i += 1
                event = {"externalAccountId": "soak", "externalEventId": f"e{i % 50}", "eventName": f"n{i}", "eventOrganizer": "o"}
                r = client.post(f"{BASE}/events/upsert", json={"inputs": [event]})
                codes = [r.status_code]
                if r.status_code == 200:
                    oid = r.json()["results"][0]["objectId"]
                    inputs = [{"email": f"u{(i * 7 + k) % 5000}@soak.test", "interactionDateTime": 1767225600000 + i} for k in range(10)]
                    codes.append(client.post(f"{BASE}/{oid}/attendance/register/email-create", json={"inputs": inputs}).status_code)
                with lock:
                    statuses.update(codes)

    started = time.monotonic()
    with ThreadPoolExecutor(args.concurrency) as pool:
        for n in range(args.concurrency):
            pool.submit(worker, n)
        while time.monotonic() < deadline:
            time.sleep(5)
            samples.append(rss_mb(server.pid))
    elapsed = time.monotonic() - started
    samples.append(rss_mb(server.pid))
    # The only fault armed is a 503, so any other 5xx is the mock's own failure; the journal must agree.
    unexpected = sum(n for status, n in statuses.items() if status >= 500 and status != 503)
    recent = httpx.get(f"{url}/__mock/journal", params={"faulted": "false", "limit": 1000}).json()["results"]
    unexpected += sum(1 for e in recent if e["status"] and e["status"] >= 500)
    server.terminate()
    server.wait(10)
    total = sum(statuses.values())
    print(f"requests: {total} in {elapsed:.0f} s ({total / elapsed:.0f} req/s), by status: {dict(sorted(statuses.items()))}")
    print(f"5xx that were not injected: {unexpected}")
    print(f"RSS MB: start {samples[0]:.1f}, peak {max(samples):.1f}, end {samples[-1]:.1f}")
    return 0 if unexpected == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
