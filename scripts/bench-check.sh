#!/usr/bin/env bash
# Times `mynatca check` on a 3,003-migration workspace (platform, pay and discord with
# 1,000 migrations each plus baselines, as sibling git repos, linked) and prints a
# Markdown table: median, fastest and slowest of RUNS runs, and the cost per migration.
#   scripts/bench-check.sh            RUNS=9 scripts/bench-check.sh
# Needs python3 (the workspace is made by bench/workspace.py).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../bench/lib.sh"
runs="${RUNS:-7}"
bench_setup check
bench_workspace "$work/ws" --platform 1000 --pay 1000 --discord 1000
"$mynatca" --platform "$work/ws/platform" -q link >&2
files=$(find "$work/ws"/{platform,pay,discord}/supabase/migrations -name '*.sql' -type f | wc -l | tr -d ' ')

# What the check finds there (only hooks warnings: the workspace has no hooks installed).
(cd "$work/ws/platform" && "$mynatca" check | tail -n 1) >&2 || true

TIMEFORMAT=%R
times=()
for _ in $(seq "$runs"); do
  t=$( { time (cd "$work/ws/platform" && "$mynatca" check >/dev/null || true); } 2>&1 )
  times+=("$t")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(printf '%s\n' "$sorted" | awk -v n="$runs" 'NR == int((n + 1) / 2)')
fastest=$(printf '%s\n' "$sorted" | head -n 1)
slowest=$(printf '%s\n' "$sorted" | tail -n 1)
per_file=$(awk -v t="$median" -v n="$files" 'BEGIN { printf "%.0f", t * 1e6 / n }')

echo "| migrations | runs | median | fastest | slowest | per migration |"
echo "|---:|---:|---:|---:|---:|---:|"
echo "| $files | $runs | ${median} s | ${fastest} s | ${slowest} s | ${per_file} µs |"
