#!/usr/bin/env bash
# Everything the benchmark needs beside the project itself: wrk (Debian's package), the pinned npm peers
# (Prism, WireMock's standalone jar) in benchmarks/node_modules, and the project's `bench` extra (matplotlib,
# py-spy) in .venv. WireMock also needs Java 17 or later on the PATH.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update && apt-get install -y wrk
  else
    echo "setup.sh: wrk is missing; install it (sudo apt-get install -y wrk) and run this again" >&2
    exit 1
  fi
fi
command -v java >/dev/null || echo "setup.sh: no java on the PATH: the WireMock contender will be left out" >&2

npm ci --no-audit --no-fund --ignore-scripts  # neither needs an install script (Prism's only one is telemetry)
../.venv/bin/pip install -e '..[bench]'
