"""Soak: the mock under bounded load with faults armed, watching memory and unexpected 5xx.

    .venv/bin/python scripts/soak.py --minutes 2 --concurrency 16

Starts `hubspot-mock` on a free loopback port with a 5 % probability of an injected 503 (seeded), then drives
events upserts and email attendance from `--concurrency` threads for `--minutes`. It samples the server's RSS
every 5 s and reports requests, req/s, answers by status, the 5xx that were NOT injected (must be 0, checked
against the journal), and RSS at start, after warm-up, peak and end. Not run in CI.

The workload is a fixed universe (50 events, 5,000 emails, 50,000 registrations, one interactionDateTime per email),
written once before the clock starts, so the measured run only rewrites existing keys; RSS must then stay flat:
the journal is a ring buffer and nothing else accumulates. `--grow` gives every round a new interactionDateTime
instead (no prefill), so history grows by design.
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
UNIVERSE = 5000  # round i and round i + 5000 write the same keys: (event i % 50, emails (7i + k) % 5000)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--grow", action="store_true", help="a new interactionDateTime every round: state grows")
    parser.add_argument("--warmup", type=float, default=0.2, help="share of the run before RSS must stay flat")
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
    samples = [rss_mb(server.pid)]

    def one_round(client: httpx.Client, i: int) -> list[int]:
        """An event upsert, then 10 email registrations to it; the statuses answered."""
        key = i % 50
        event = {"externalAccountId": "soak", "externalEventId": f"e{key}", "eventName": f"n{key}", "eventOrganizer": "o"}
        r = client.post(f"{BASE}/events/upsert", json={"inputs": [event]})
        codes = [r.status_code]
        if r.status_code == 200:
            oid = r.json()["results"][0]["objectId"]
            emails = [(i * 7 + k) % 5000 for k in range(10)]
            inputs = [{"email": f"u{e}@soak.test", "interactionDateTime": 1767225600000 + (i if args.grow else e)} for e in emails]
            codes.append(client.post(f"{BASE}/{oid}/attendance/register/email-create", json={"inputs": inputs}).status_code)
        return codes

    if not args.grow:
        # Write the whole universe once (rounds repeat with period UNIVERSE), retrying the injected 503s, so that
        # the measured run only rewrites keys that exist: from here on, stored state cannot grow.
        with httpx.Client(base_url=url, headers={"Authorization": "Bearer soak-prefill"}, timeout=10) as client:
            for i in range(UNIVERSE):
                while one_round(client, i) != [200, 200]:
                    pass
        print(f"prefilled {UNIVERSE} rounds: RSS {rss_mb(server.pid):.1f} MB")
    deadline = time.monotonic() + args.minutes * 60

    def worker(n: int) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer soak-{n % 4}"}, timeout=10) as client:
            i = n * 997  # workers start at different places of the universe
            while time.monotonic() < deadline:
                i += 1
                codes = one_round(client, i)
                with lock:
                    statuses.update(codes)

    started = time.monotonic()
    warm_at = started + args.warmup * args.minutes * 60
    warm: list[float] = []
    with ThreadPoolExecutor(args.concurrency) as pool:
        for n in range(args.concurrency):
            pool.submit(worker, n)
        while time.monotonic() < deadline:
            time.sleep(5)
            samples.append(rss_mb(server.pid))
            if time.monotonic() >= warm_at:
                warm.append(samples[-1])
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
    if warm:
        drift = warm[-1] - warm[0]
        print(f"RSS MB after warm-up: first {warm[0]:.1f}, min {min(warm):.1f}, max {max(warm):.1f}, last {warm[-1]:.1f}, drift {drift:+.1f}")
    flat = args.grow or not warm or warm[-1] - warm[0] <= max(5.0, 0.05 * warm[0])
    print(f"RSS flat after warm-up: {'yes' if flat else 'NO'}{' (not checked with --grow)' if args.grow else ''}")
    return 0 if unexpected == 0 and flat else 1


if __name__ == "__main__":
    raise SystemExit(main())
