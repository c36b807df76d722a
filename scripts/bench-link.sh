#!/usr/bin/env bash
# Benchmark `mynatca link` against the syscall floor (../shared/bench/floor.c) and the tuned
# shell script it replaces (../shared/bench/link-migrations-tuned.sh), interleaved in one run.
#
#   scripts/bench-link.sh [ROUNDS]          (default 30 rounds)
#
# Workspace: mkws.py --platform 5000 --pay 5000 --discord 5000 (10,002 links). Two cases:
#   steady  every link already in place (what a hook sees on almost every checkout)
#   cold    no links at all (the first run): links are deleted before each timed run
# Reports the median wall time of each tool and the ratios. Needs gcc and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-30}"
shared="${MYNATCA_SHARED:-$(cd .. && pwd)/shared}"
[ -f "$shared/bench/mkws.py" ] || { echo "error: $shared/bench not found; set MYNATCA_SHARED to the shared/ folder" >&2; exit 2; }

cargo build --release --locked --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
gcc -O2 -o "$work/floor" "$shared/bench/floor.c"
python3 "$shared/bench/mkws.py" "$work/ws" --platform 5000 --pay 5000 --discord 5000

BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/mynatca" FLOOR="$work/floor" TUNED="$shared/bench/link-migrations-tuned.sh" \
PLATFORM="$work/ws/platform" ROUNDS="$rounds" python3 - <<'EOF'
import os, statistics, subprocess, time

platform = os.environ["PLATFORM"]
links = os.path.join(platform, "supabase", "migrations")
seeds = os.path.join(platform, "supabase", "seeds")
tools = {
    "floor": [os.environ["FLOOR"], platform, "pay", "discord"],
    "tuned script": ["bash", os.environ["TUNED"], platform, "pay", "discord"],
    "mynatca": [os.environ["BIN"], "-q", "--platform", platform, "link"],
}

def run(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000

def clear():
    for name in os.listdir(links):
        path = os.path.join(links, name)
        if os.path.islink(path):
            os.unlink(path)
    for root, _, files in os.walk(seeds):
        for name in files:
            os.unlink(os.path.join(root, name))

def count_links():
    return sum(os.path.islink(os.path.join(links, n)) for n in os.listdir(links))

results = {case: {tool: [] for tool in tools} for case in ("steady", "cold")}
run(tools["mynatca"])  # warm the page cache and make every link
assert count_links() == 10002, count_links()
rounds = int(os.environ["ROUNDS"])
for i in range(rounds):
    order = list(tools) if i % 2 == 0 else list(reversed(tools))
    for tool in order:  # steady: every tool finds all links in place
        results["steady"][tool].append(run(tools[tool]))
    for tool in order:  # cold: every tool starts from no links
        clear()
        results["cold"][tool].append(run(tools[tool]))
    run(tools["mynatca"])  # back to mynatca's full state (seeds, exclude block)
assert count_links() == 10002

print(f"10,002 links, {rounds} interleaved rounds, median wall time (ms)\n")
print("| case | floor | mynatca | tuned script | mynatca / floor | tuned / mynatca |")
print("|---|---:|---:|---:|---:|---:|")
for case, by_tool in results.items():
    m = {tool: statistics.median(times) for tool, times in by_tool.items()}
    print(f"| {case} | {m['floor']:.1f} | {m['mynatca']:.1f} | {m['tuned script']:.1f} "
          f"| {m['mynatca'] / m['floor']:.2f}x | {m['tuned script'] / m['mynatca']:.1f}x |")
EOF
