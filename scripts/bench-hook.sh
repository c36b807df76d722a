#!/usr/bin/env bash
# What mynatca's hooks add to a `git checkout` that leaves migrations alone, at 3,003 and
# at 30,003 migrations side by side: in pay, checkouts between two branches that differ by
# a README only, interleaved (sizes and modes alternate every round), (a) with mynatca's
# hooks (`mynatca setup-hooks`) and (b) with no hooks at all. Prints the medians, the
# added time (median of the per-round differences) and the ratio to the hookless checkout.
# Target: at most 5 ms added at both sizes (the cost must not grow with the workspace).
#
# Then the database hint: checkouts that change pay's migrations (one branch adds a file)
# at 3,003 migrations, the hook's hint off (MYNATCA_DB_HINT=0) against on, with the
# platform's .env naming a database that accepts connections and never answers (a local
# listener): the hint may add at most its 200 ms bound.
#
# Usage: scripts/bench-hook.sh [ROUNDS]        (default 41; needs python3, git, cargo)
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../bench/lib.sh"
rounds="${1:-41}"
case "$rounds" in *[!0-9]* | "" | 0) echo "error: ROUNDS must be a positive number, not $rounds" >&2; exit 2 ;; esac
bench_setup hook

sizes=(1000 10000)  # migrations per repo, plus one baseline each
for n in "${sizes[@]}"; do
  ws="$work/ws-$n"
  bench_workspace "$ws" --platform "$n" --pay "$n" --discord "$n"
  "$mynatca" --platform "$ws/platform" -q link >&2
  # Two branches of pay that differ by a README only; committed before the hooks exist.
  git -C "$ws/pay" switch -q -c bench-other
  echo "bench" >"$ws/pay/README.md"
  git -C "$ws/pay" add README.md
  git -C "$ws/pay" commit -q -m "readme"
  git -C "$ws/pay" switch -q main
  (cd "$ws/pay" && "$mynatca" -q setup-hooks)
done
mkdir "$work/no-hooks"

python3 - "$work" "$rounds" "${sizes[@]}" <<'PY'
import statistics, subprocess, sys, time

work, rounds, sizes = sys.argv[1], int(sys.argv[2]), [int(n) for n in sys.argv[3:]]
flips = {n: 0 for n in sizes}

def hooks_dir(n, mode):
    if mode == "none":
        return f"{work}/no-hooks"
    pay = f"{work}/ws-{n}/pay"
    return subprocess.run(["git", "rev-parse", "--git-path", "hooks"], cwd=pay, check=True,
                          capture_output=True, text=True).stdout.strip()

def checkout(n, hooks):
    """One checkout of pay to its other branch in the size-n workspace, in ms."""
    pay = f"{work}/ws-{n}/pay"
    branch = ("bench-other", "main")[flips[n] % 2]
    flips[n] += 1
    start = time.perf_counter()
    done = subprocess.run(["git", "-c", f"core.hooksPath={hooks}", "checkout", "-q", branch],
                          cwd=pay, capture_output=True, text=True)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0 or done.stdout or done.stderr:
        sys.exit(f"checkout in {pay} with hooks {hooks} was not a silent success:\n{done.stdout}{done.stderr}")
    return elapsed

modes = ("none", "mynatca")
dirs = {(n, mode): hooks_dir(n, mode) for n in sizes for mode in modes}
dirs = {key: (d if d.startswith("/") else f"{work}/ws-{key[0]}/pay/{d}") for key, d in dirs.items()}
samples = {key: [] for key in dirs}
for i in range(rounds + 3):  # the first 3 rounds warm the caches and are dropped
    for n in (sizes if i % 2 == 0 else sizes[::-1]):
        for mode in (modes if (i // 2) % 2 == 0 else modes[::-1]):
            t = checkout(n, dirs[(n, mode)])
            if i >= 3:
                samples[(n, mode)].append(t)

print(f"`git checkout` in pay, branches differing by a README; {rounds} interleaved rounds, median ms:\n")
print("| migrations | links | no hooks | mynatca's hooks | added | ratio |")
print("|---:|---:|---:|---:|---:|---:|")
worst = 0.0
for n in sizes:
    bare, mine = samples[(n, "none")], samples[(n, "mynatca")]
    added = statistics.median(m - b for m, b in zip(mine, bare))
    worst = max(worst, added)
    print(f"| {3 * (n + 1):,} | {2 * (n + 1):,} | {statistics.median(bare):.1f} | {statistics.median(mine):.1f} "
          f"| {added:.1f} | {statistics.median(mine) / statistics.median(bare):.2f}x |")
print(f"\ntarget: at most 5 ms added at every size: {'met' if worst <= 5 else 'NOT met'} (worst {worst:.1f} ms)")
PY

# --- the database hint's bound ----------------------------------------------------------
ws="$work/ws-${sizes[0]}"
git -C "$ws/pay" switch -q -c bench-migration
printf 'select 1;\n' >"$ws/pay/supabase/migrations/29991231000000_pay_bench_hint.sql"
git -C "$ws/pay" add supabase/migrations
git -C "$ws/pay" commit -q -m "one more migration"
git -C "$ws/pay" switch -q main
python3 - "$ws" "$rounds" <<'PY'
import os, socket, statistics, subprocess, sys, threading, time

ws, rounds = sys.argv[1], int(sys.argv[2])
# A database that takes the connection and never says a word.
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(64)
held = []
threading.Thread(target=lambda: [held.append(listener.accept()) for _ in iter(int, 1)], daemon=True).start()
with open(f"{ws}/platform/.env", "w") as env:
    env.write(f"MYNATCA_DB_URL=postgres://postgres@127.0.0.1:{listener.getsockname()[1]}/silent\n")
flips = 0
def checkout(hint):
    global flips
    branch = ("bench-migration", "main")[flips % 2]
    flips += 1
    start = time.perf_counter()
    subprocess.run(["git", "checkout", "-q", branch], cwd=f"{ws}/pay", check=True, capture_output=True,
                   env={**os.environ, "MYNATCA_DB_HINT": hint})
    return (time.perf_counter() - start) * 1000
samples = {"0": [], "1": []}
for i in range(rounds + 2):
    for hint in (("0", "1") if i % 2 == 0 else ("1", "0")):
        for _ in range(2):  # there and back: both relink
            t = checkout(hint)
            if i >= 2:
                samples[hint].append(t)
off, on = statistics.median(samples["0"]), statistics.median(samples["1"])
print(f"\ncheckouts that change pay's migrations, hint off / on against a silent database, median ms: "
      f"{off:.1f} / {on:.1f}, added {on - off:.1f}")
print(f"target: the hint adds at most its 200 ms bound: {'met' if on - off <= 210 else 'NOT met'}")
PY
