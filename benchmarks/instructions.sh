#!/usr/bin/env bash
# Instructions per call of one in-process scenario, counted by valgrind (callgrind): repeatable whatever else the
# machine is doing, unlike a wall-clock time. The cost of N calls is the count with N calls minus the count
# with none (both pay start-up and a warm-up).
#   benchmarks/instructions.sh [scenario] [calls]      e.g. benchmarks/instructions.sh upsert-10 1000
set -euo pipefail
cd "$(dirname "$0")/.."
scenario="${1:-upsert-10}"
calls="${2:-1000}"
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python benchmarks/in_process.py \
    --scenario "$scenario" --just "$1" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
none=$(count 0)
some=$(count "$calls")
echo "$scenario: $(( (some - none) / calls )) instructions per call ($calls calls)"
