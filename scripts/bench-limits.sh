#!/usr/bin/env bash
# What hostile or huge input costs `mynatca check`: a 10 MB migration on one line with its
# syntax error at the start, the middle, the end and nowhere, a 10 MB line of a million
# `select 1;`, registries of 5,000 and 20,000 projects (one migration each), and one file
# of 5,000 and one of 40,000 `CREATE TABLE`s in `public` (each an `rls` error), the two
# run in turn ROUNDS times (default 3) and compared by their medians. Prints wall seconds
# and peak memory of each run.
# Targets: the 10 MB file in under 3 s and 512 MiB wherever its error is; 20,000
# registry entries in under 2 s; 40,000 tables within 12x the time of 5,000 (linear
# would be 8x).
#   scripts/bench-limits.sh [ROUNDS]   (needs python3 and GNU time at /usr/bin/time)
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../bench/lib.sh"
[ -x /usr/bin/time ] || { echo "error: /usr/bin/time (GNU time) not found; install the 'time' package" >&2; exit 2; }
rounds="${1:-3}"
bench_setup limits

run_check() { # DIR -> "SECONDS KB" of one `check`
  /usr/bin/time -o "$work/time" -f '%e %M' "$mynatca" --platform "$1" check >/dev/null 2>&1 || true
  tail -n 1 "$work/time"
}

measure() { # LABEL DIR -> one Markdown row
  local seconds kb
  read -r seconds kb < <(run_check "$2")
  printf '| %s | %s | %d |\n' "$1" "$seconds" "$((kb / 1024))"
}

one_file_workspace() { # DIR: a platform, no projects, an empty migrations folder
  mkdir -p "$1/platform/supabase/migrations"
  printf '{"version": 1, "projects": []}\n' >"$1/platform/.linked-projects.json"
}

echo '| input | seconds | peak MiB |'
echo '|---|---:|---:|'
for where in start middle end none; do
  ws="$work/big-$where"
  one_file_workspace "$ws"
  WHERE=$where OUT="$ws/platform/supabase/migrations/00000000000001_big.sql" python3 - <<'PY'
import os
body = "insert into public.t values (1, 'abc'); "
n, where = 250_000, os.environ["WHERE"]
bad = "selec oops; "
sql = {"start": bad + body * n, "middle": body * (n // 2) + bad + body * (n // 2),
       "end": body * n + bad, "none": body * n}[where]
open(os.environ["OUT"], "w").write(sql)
PY
  measure "10 MB on one line, error: $where" "$ws/platform"
done
for n in 5000 20000; do
  ws="$work/registry-$n"
  N=$n WS="$ws" python3 - <<'PY'
import json, os
root, n = os.environ["WS"], int(os.environ["N"])
os.makedirs(f"{root}/platform/supabase/migrations")
projects = []
for i in range(n):
    name = f"p{i}"
    os.makedirs(f"{root}/{name}/supabase/migrations")
    open(f"{root}/{name}/supabase/migrations/{10**13 + i:014d}_{name}_x.sql", "w").write(f"create schema {name};\n")
    projects.append({"name": name, "path": f"../{name}", "schema": name})
json.dump({"version": 1, "projects": projects}, open(f"{root}/platform/.linked-projects.json", "w"), indent=2)
PY
  "$mynatca" --platform "$ws/platform" -q link >/dev/null 2>&1 || true
  measure "$n registry entries, linked" "$ws/platform"
done
ws="$work/selects"
one_file_workspace "$ws"
OUT="$ws/platform/supabase/migrations/00000000000001_selects.sql" python3 -c \
  'import os; open(os.environ["OUT"], "w").write("select 1; " * 1_000_000)'
measure "10 MB on one line, a million \`select 1;\`" "$ws/platform"
rm -rf "$ws"

# One file of N tables in public, an exposed schema: each is an `rls` error, so every
# table's line and allow comments are looked up (once quadratic). Run in turn, medians.
for n in 5000 40000; do
  one_file_workspace "$work/tables-$n"
  N=$n OUT="$work/tables-$n/platform/supabase/migrations/00000000000001_tables.sql" python3 - <<'PY'
import os
n = int(os.environ["N"])
open(os.environ["OUT"], "w").write("".join(f"create table public.t{i} (id int primary key, name text);\n" for i in range(n)))
PY
done
declare -A seconds peak
for _ in $(seq "$rounds"); do
  for n in 5000 40000; do
    read -r s kb < <(run_check "$work/tables-$n/platform")
    seconds[$n]+="$s "
    peak[$n]=$((kb / 1024))
  done
done
median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
small="$(median <<<"${seconds[5000]}")"
large="$(median <<<"${seconds[40000]}")"
printf '| 5,000 CREATE TABLE in public, one file (median of %d) | %s | %d |\n' "$rounds" "$small" "${peak[5000]}"
printf '| 40,000 CREATE TABLE in public, one file (median of %d) | %s | %d |\n' "$rounds" "$large" "${peak[40000]}"
echo
echo "40,000 / 5,000 tables: $(python3 -c "print(f'{$large / max($small, 0.01):.1f}x')") (target: at most 12x; linear is 8x)"
