#!/usr/bin/env bash
# Times `mynatca check` on a 3,000-migration workspace (platform, pay and discord with
# 1,000 migrations each plus baselines, as sibling git repos, linked) and prints a
# Markdown table: median, fastest and slowest of RUNS runs, and the cost per migration.
#   scripts/bench-check.sh            RUNS=9 scripts/bench-check.sh
# Needs python3 and the workspace maker mkws.py from the shared folder
# ($MYNATCA_SHARED, default ../../shared beside this repo).
set -euo pipefail
mkws="${MYNATCA_SHARED:-$(dirname "$0")/../../shared}/bench/mkws.py"
runs="${RUNS:-7}"
cd "$(dirname "$0")/.."
[ -f "$mkws" ] || { echo "error: $mkws not found; set MYNATCA_SHARED to the folder holding bench/mkws.py" >&2; exit 2; }

cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/mynatca"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 "$mkws" "$tmp/ws" --platform 1000 --pay 1000 --discord 1000
"$bin" --platform "$tmp/ws/platform" -q link
files=$(find "$tmp/ws"/{platform,pay,discord}/supabase/migrations -name '*.sql' -type f | wc -l | tr -d ' ')

# What the check finds there (hooks warnings: mkws makes repos without mynatca's hooks).
(cd "$tmp/ws/platform" && "$bin" check | tail -n 1) >&2 || true

TIMEFORMAT=%R
times=()
for _ in $(seq "$runs"); do
  t=$( { time (cd "$tmp/ws/platform" && "$bin" check >/dev/null || true); } 2>&1 )
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
