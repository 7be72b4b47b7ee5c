#!/usr/bin/env bash
# Compares two builds of bench_engine on this noisy machine: runs them alternately ROUNDS times and
# prints, per benchmark and binary, the minimum and median of the p50_ms and p99_ms counters.
# Usage: tests/benchmarks/compare-binaries.sh OLD_BENCH NEW_BENCH [FILTER] [ROUNDS]
# (build the old one in a worktree: git worktree add /tmp/base REV && cmake --preset release ...)
set -euo pipefail
old=$1 new=$2 filter=${3:-BM_Reanalyse} rounds=${4:-5}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for _ in $(seq 1 "$rounds"); do
    for which in old new; do
        bin=$old
        [ "$which" = new ] && bin=$new
        "$bin" --benchmark_filter="$filter" 2>/dev/null | grep -E '^BM' | while read -r line; do
            p50=$(grep -o 'p50_ms=[0-9.]*' <<<"$line" | cut -d= -f2)
            p99=$(grep -o 'p99_ms=[0-9.]*' <<<"$line" | cut -d= -f2)
            [ -n "$p50" ] && echo "$which ${line%% *} $p50 $p99" >>"$out"
        done
    done
done
python3 - "$out" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    which, name, p50, p99 = line.split()
    runs[(name, which)].append((float(p50), float(p99)))
for (name, which), v in sorted(runs.items()):
    p50 = [x[0] for x in v]; p99 = [x[1] for x in v]
    print(f"{name:36s} {which:3s} p50 min {min(p50):6.2f} median {statistics.median(p50):6.2f} | "
          f"p99 min {min(p99):6.2f} median {statistics.median(p99):6.2f} ({len(v)} runs)")
PY
