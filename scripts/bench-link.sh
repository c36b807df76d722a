#!/usr/bin/env bash
# Benchmark `mynatca link` against the syscall floor (bench/floor.c) and, when given one,
# your copy of the shell script it replaces, interleaved in one run.
#
#   scripts/bench-link.sh [--script PATH] [ROUNDS]      (default 30 rounds)
#   LINK_SCRIPT=PATH scripts/bench-link.sh               (the same as --script PATH)
#
# PATH is your platform's scripts/link-migrations.sh (tests/fixtures/legacy/ has the
# stock one). It is copied to the workspace's platform/scripts/ and run from inside the
# platform as `scripts/link-migrations.sh PLATFORM`, so a script that finds the platform
# by its own location, the current folder or its first argument all work. Without it
# that column is left out.
#
# Workspace: bench/workspace.py --platform 5000 --pay 5000 --discord 5000 (10,002
# migration links and 2 seed links). Two cases:
#   steady  every link already in place (what a hook sees on almost every checkout)
#   cold    no links at all (the first run): links are deleted before each timed run
# Reports the median wall time of each tool and the ratios. Needs python3 and a C compiler.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../bench/lib.sh"
script="${LINK_SCRIPT:-}"
rounds=30
while [ $# -gt 0 ]; do
  case "$1" in
    --script) [ $# -ge 2 ] || { echo "error: --script needs a path" >&2; exit 2; }; script="$2"; shift 2 ;;
    --script=*) script="${1#--script=}"; shift ;;
    *[!0-9]* | "") echo "error: unexpected argument $1; usage: scripts/bench-link.sh [--script PATH] [ROUNDS]" >&2; exit 2 ;;
    *) rounds="$1"; shift ;;
  esac
done
if [ -n "$script" ] && [ ! -f "$script" ]; then
  echo "error: --script $script: no such file; pass your copy of link-migrations.sh" >&2
  exit 2
fi
cc="${CC:-cc}"
command -v "$cc" >/dev/null 2>&1 || { echo "error: no C compiler ($cc) for bench/floor.c; install gcc or set CC" >&2; exit 2; }

bench_setup link
"$cc" -O2 -o "$work/floor" "$repo/bench/floor.c"
bench_workspace "$work/ws" --platform 5000 --pay 5000 --discord 5000
if [ -n "$script" ]; then
  mkdir -p "$work/ws/platform/scripts"
  cp "$script" "$work/ws/platform/scripts/link-migrations.sh"
  chmod 755 "$work/ws/platform/scripts/link-migrations.sh"
fi

BIN="$mynatca" FLOOR="$work/floor" SCRIPT="$script" PLATFORM="$work/ws/platform" ROUNDS="$rounds" python3 - <<'PY'
import os, statistics, subprocess, sys, time

platform = os.environ["PLATFORM"]
links = os.path.join(platform, "supabase", "migrations")
seeds = os.path.join(platform, "supabase", "seeds")
tools = {
    "floor": [os.environ["FLOOR"], platform, "pay", "discord"],
    "mynatca": [os.environ["BIN"], "-q", "--platform", platform, "link"],
}
if os.environ["SCRIPT"]:
    tools["script"] = ["scripts/link-migrations.sh", platform]
EXPECTED = 10002

def run(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, cwd=platform, check=True, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000

def clear():
    for name in os.listdir(links):
        if os.path.islink(os.path.join(links, name)):
            os.unlink(os.path.join(links, name))
    for root, _, files in os.walk(seeds):
        for name in files:
            os.unlink(os.path.join(root, name))

def count_links():
    return sum(os.path.islink(os.path.join(links, n)) for n in os.listdir(links))

for tool, cmd in tools.items():  # each tool must make every link from nothing
    clear()
    run(cmd)
    if count_links() != EXPECTED:
        sys.exit(f"error: {tool} made {count_links()} of the {EXPECTED} links; it is not doing the same job")
run(tools["mynatca"])  # mynatca's full state (seeds, exclude block) for the steady case

results = {case: {tool: [] for tool in tools} for case in ("steady", "cold")}
rounds = int(os.environ["ROUNDS"])
for i in range(rounds):
    order = list(tools) if i % 2 == 0 else list(reversed(tools))
    for tool in order:  # steady: every tool finds all links in place
        results["steady"][tool].append(run(tools[tool]))
    for tool in order:  # cold: every tool starts from no links
        clear()
        results["cold"][tool].append(run(tools[tool]))
    run(tools["mynatca"])
assert count_links() == EXPECTED

script = "script" in tools
print(f"{EXPECTED:,} links, {rounds} interleaved rounds, median wall time (ms)\n")
head = "| case | floor | mynatca | mynatca / floor |" + (" script | script / mynatca |" if script else "")
print(head)
print("|---|" + "---:|" * (head.count("|") - 2))
for case, by_tool in results.items():
    m = {tool: statistics.median(times) for tool, times in by_tool.items()}
    row = f"| {case} | {m['floor']:.1f} | {m['mynatca']:.1f} | {m['mynatca'] / m['floor']:.2f}x |"
    if script:
        row += f" {m['script']:.1f} | {m['script'] / m['mynatca']:.1f}x |"
    print(row)
if not script:
    print("\n(no old script given: pass --script PATH to compare with your link-migrations.sh)")
PY
