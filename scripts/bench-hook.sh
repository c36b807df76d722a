#!/usr/bin/env bash
# What mynatca's post-checkout hook adds to a `git checkout`, on a workspace of 3,000
# migrations, all linked: checkouts in pay between two branches that differ by nothing
# migration-related, interleaved, (a) with mynatca's hooks installed and (b) with a bare
# `true` hook. The SPEC's budget: under 20 ms added (median).
#
# Usage: scripts/bench-hook.sh [ROUNDS]        (default 41; needs python3, git, cargo)
# MYNATCA_SHARED: the shared/ folder holding bench/mkws.py (default: beside this clone).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="${MYNATCA_SHARED:-$(dirname "$0")/../../shared}"
mkws="$shared/bench/mkws.py"
rounds="${1:-41}"
if [ ! -f "$mkws" ]; then
  echo "error: $mkws not found; set MYNATCA_SHARED to the folder holding bench/mkws.py" >&2
  exit 2
fi

(cd "$repo" && cargo build --release --locked --quiet)
bin="$repo/target/release/mynatca"
work="$(mktemp -d "${TMPDIR:-/tmp}/mynatca-bench-hook.XXXXXX")"
trap 'rm -rf "$work"' EXIT

python3 "$mkws" "$work" --platform 1000 --pay 1000 --discord 1000
"$bin" --platform "$work/platform" link

# Two branches of pay that differ by a README only; committed before the hooks exist.
pay="$work/pay"
git -C "$pay" switch -q -c bench-other
echo "bench" >"$pay/README.md"
git -C "$pay" add README.md
git -C "$pay" commit -q -m "readme"
git -C "$pay" switch -q main

(cd "$pay" && "$bin" -q setup-hooks)
mine="$(cd "$pay" && git rev-parse --absolute-git-dir)/hooks"
bare="$work/true-hooks"
mkdir "$bare"
printf '#!/bin/sh\ntrue\n' >"$bare/post-checkout"
chmod 755 "$bare/post-checkout"

python3 - "$pay" "$mine" "$bare" "$rounds" "$bin" <<'PY'
import statistics, subprocess, sys, time

pay, mine, bare, rounds, binary = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
branches = ["bench-other", "main"]
flip = 0

def checkout(hooks):
    """One checkout to the other branch with the given hooks folder, in ms."""
    global flip
    branch = branches[flip % 2]
    flip += 1
    start = time.perf_counter()
    done = subprocess.run(["git", "-c", f"core.hooksPath={hooks}", "checkout", "-q", branch],
                          cwd=pay, capture_output=True, text=True)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0 or done.stdout or done.stderr:
        sys.exit(f"checkout with {hooks} was not a silent success:\n{done.stdout}{done.stderr}")
    return elapsed

def hook_alone():
    start = time.perf_counter()
    subprocess.run([binary, "hook", "post-checkout", "x", "y", "1"], cwd=pay, check=True)
    return (time.perf_counter() - start) * 1000

for _ in range(3):  # warm the caches
    checkout(mine), checkout(bare)
with_mine, with_bare, alone = [], [], []
for i in range(rounds):
    pair = [(with_mine, mine), (with_bare, bare)]
    for samples, hooks in (pair if i % 2 == 0 else pair[::-1]):
        samples.append(checkout(hooks))
    alone.append(hook_alone())

m_mine, m_bare = statistics.median(with_mine), statistics.median(with_bare)
added = statistics.median(a - b for a, b in zip(with_mine, with_bare))
print(f"git checkout in pay; 3,003 migrations, 2,002 of them linked; {rounds} interleaved rounds (median ms):")
print("| hook | checkout | added |")
print("|---|---|---|")
print(f"| bare `true` | {m_bare:.1f} | |")
print(f"| mynatca | {m_mine:.1f} | {added:.1f} (ratio {m_mine / m_bare:.2f}) |")
print(f"`mynatca hook post-checkout` alone (no-op relink): {statistics.median(alone):.1f} ms")
print(f"budget: under 20 ms added: {'met' if added < 20 else 'NOT met'}")
PY
