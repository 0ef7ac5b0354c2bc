"""Setting up the official Node SDK (pinned in tests/node/package.json) for the test modules that drive it.

Without node/npm, or when `npm ci` fails (the npm registry is needed once), those modules skip and say why;
under CI=true they fail instead, so that a CI run cannot pass without ever running the Node SDK.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import NoReturn

from ci import unavailable

NODE_DIR = Path(__file__).parent / "node"
SDK_VERSION = json.loads((NODE_DIR / "package.json").read_text())["dependencies"]["@hubspot/api-client"]
_INSTALLED = NODE_DIR / "node_modules" / "@hubspot" / "api-client" / "package.json"


def node_unavailable(reason: str) -> NoReturn:
    unavailable(reason)


def require_node() -> None:
    """Call at module level: skip (fail under CI) the module when node or npm is missing."""
    if not (shutil.which("node") and shutil.which("npm")):
        node_unavailable("node and npm are needed to run the official Node SDK")


def install_node_sdk() -> Path:
    """The pinned SDK installed in tests/node (from package-lock.json, with `npm ci`, only when missing).
    A lock keeps two test workers from running `npm ci` into the same directory at once."""
    name = hashlib.sha256(str(NODE_DIR.resolve()).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"hubspot-mock-npm-ci-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _INSTALLED.exists():
            return NODE_DIR
        try:
            done = subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, capture_output=True, text=True, timeout=300
            )
        except subprocess.TimeoutExpired:
            node_unavailable("`npm ci` in tests/node took over 300 s")
        if done.returncode != 0:
            errors = [line for line in done.stderr.splitlines() if "error" in line.lower()][:3]
            node_unavailable(f"`npm ci` in tests/node failed (exit {done.returncode}): {' | '.join(errors)[:500]}")
    return NODE_DIR
