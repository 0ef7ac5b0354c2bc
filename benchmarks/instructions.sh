#!/usr/bin/env bash
# Instructions per call of one in-process scenario, counted by valgrind (callgrind): repeatable whatever else the
# machine is doing, unlike a wall-clock time. The cost of N calls is the count with N calls minus the count
# with none (both pay start-up and a warm-up). With a layer (in_process.py's LAYERS), the app is driven from that
# layer inward: `layers` counts each in turn, and what each layer costs is the difference to the next one.
#   benchmarks/instructions.sh [scenario] [calls] [layer|layers]   e.g. benchmarks/instructions.sh upsert-10 1000 layers
set -euo pipefail
cd "$(dirname "$0")/.."
scenario="${1:-upsert-10}"
calls="${2:-1000}"
layer="${3:-app}"
count() {  # calls, layer; one hash seed for every run, so that separate processes lay out their dicts alike
  PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python benchmarks/in_process.py \
    --scenario "$scenario" --layer "$2" --just "$1" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_call() {  # layer
  local none some
  none=$(count 0 "$1")
  some=$(count "$calls" "$1")
  echo $(( (some - none) / calls ))
}
if [ "$layer" != layers ]; then
  echo "$scenario: $(per_call "$layer") instructions per call from layer '$layer' inward ($calls calls)"
  exit 0
fi
layers=$(.venv/bin/python -c 'import sys; sys.path.insert(0, "benchmarks"); import in_process; print(" ".join(in_process.LAYERS))')
previous="" previous_count=0
for name in $layers; do
  n=$(per_call "$name")
  [ -n "$previous" ] && printf '  %-14s %9d\n' "$previous" $(( previous_count - n ))
  previous=$name previous_count=$n
done
printf '  %-14s %9d   (routing aside: the operation itself)\n' "$previous" "$previous_count"
