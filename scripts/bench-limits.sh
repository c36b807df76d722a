#!/usr/bin/env bash
# What hostile or huge input costs `mynatca check`: a 10 MB migration on one line with its
# syntax error at the start, the middle, the end and nowhere, and registries of 5,000 and
# 20,000 projects (one migration each). Prints wall seconds and peak memory of each run.
# Targets: the 10 MB file in under 3 s and 512 MiB wherever its error is; 20,000
# registry entries in under 2 s.
#   scripts/bench-limits.sh       (needs python3 and GNU time at /usr/bin/time)
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../bench/lib.sh"
[ -x /usr/bin/time ] || { echo "error: /usr/bin/time (GNU time) not found; install the 'time' package" >&2; exit 2; }
bench_setup limits

measure() { # LABEL DIR -> one Markdown row
  local seconds kb
  /usr/bin/time -o "$work/time" -f '%e %M' "$mynatca" --platform "$2" check >/dev/null 2>&1 || true
  read -r seconds kb < <(tail -n 1 "$work/time")
  printf '| %s | %s | %d |\n' "$1" "$seconds" "$((kb / 1024))"
}

echo '| input | seconds | peak MiB |'
echo '|---|---:|---:|'
for where in start middle end none; do
  ws="$work/big-$where"
  mkdir -p "$ws/platform/supabase/migrations"
  printf '{"version": 1, "projects": []}\n' >"$ws/platform/.linked-projects.json"
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
