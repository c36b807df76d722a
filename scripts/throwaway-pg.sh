# Sourced by the benchmark and corpus scripts: a temp folder for a throwaway PostgreSQL
# server ($work), run as the `postgres` OS user when we are root ($as_server_user), and a
# trap that stops the server and removes the folder however the script ends.
# Needs $bindir (the server's bin folder). Usage: throwaway_pg PREFIX
throwaway_pg() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/$1-XXXXXX")
  as_server_user=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$work"
    as_server_user=(runuser -u postgres --)
  fi
  trap throwaway_pg_cleanup EXIT
}

throwaway_pg_cleanup() {
  "${as_server_user[@]}" "$bindir/pg_ctl" -D "$work/data" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$work"
}
