#!/usr/bin/env bash
# Installs what building and testing mynatca needs, only where it is missing.
#   scripts/prereqs.sh build   git, a C compiler, libclang (pg_query's bindgen needs it)
#   scripts/prereqs.sh test    the same plus a PostgreSQL server (the refresh tests start one), its
#                              pg_cron (the tests preload it), strace, and the real Supabase CLI
#                              (pinned in tests/cli/package.json, from the npm registry) the
#                              differential tests measure mynatca against
# Debian/Ubuntu via apt-get (as root, or through sudo), macOS via Homebrew.
set -euo pipefail
want="${1:-test}"

have_libclang() {
  # What clang-sys (bindgen) loads: libclang.so or libclang-N.so, not libclang-cpp.so.
  [ -n "${LIBCLANG_PATH:-}" ] && return 0
  local dir
  for dir in /usr/lib/llvm-*/lib /usr/lib/*-linux-gnu /usr/lib64 /usr/lib /usr/local/lib; do
    compgen -G "$dir/libclang.so*" >/dev/null && return 0
    compgen -G "$dir/libclang-[0-9]*.so*" >/dev/null && return 0
  done
  [ "$(uname -s)" = Darwin ] && xcrun --find clang >/dev/null 2>&1 && return 0
  return 1
}

have_postgres_server() {
  command -v initdb >/dev/null 2>&1 && return 0
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && return 0
  # Homebrew's postgresql@N is keg-only: not on PATH.
  compgen -G '/opt/homebrew/opt/postgresql@*/bin/initdb' >/dev/null && return 0
  compgen -G '/usr/local/opt/postgresql@*/bin/initdb' >/dev/null && return 0
  command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ] && return 0
  return 1
}

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found; install Rust with rustup (https://rustup.rs) and run this again" >&2
  exit 1
fi

# test.sh runs rustfmt and clippy before the tests.
for component in rustfmt clippy; do
  cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1 && continue
  command -v rustup >/dev/null 2>&1 || { echo "error: cargo $component is missing; install it with your Rust toolchain" >&2; exit 1; }
  rustup component add "$component"
done

missing_deb=(); missing_brew=()
command -v git >/dev/null 2>&1 || { missing_deb+=(git); missing_brew+=(git); }
command -v cc >/dev/null 2>&1 || { missing_deb+=(gcc libc6-dev); }
have_libclang || { missing_deb+=(libclang-dev); missing_brew+=(llvm); }
if [ "$want" = test ]; then
  have_postgres_server || { missing_deb+=(postgresql); missing_brew+=(postgresql@16); }
  # The atomic-write test watches the folder fsync with strace (Linux only).
  [ "$(uname -s)" = Darwin ] || command -v strace >/dev/null 2>&1 || missing_deb+=(strace)
fi

# pg_cron for the newest Debian server, once there is one (possibly installed just below).
cron_package() {
  [ "$want" = test ] && [ "$(uname -s)" != Darwin ] || return 0
  local major
  major=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
  [ -n "$major" ] && [ ! -e "/usr/lib/postgresql/$major/lib/pg_cron.so" ] && echo "postgresql-$major-cron"
  return 0
}
cron=$(cron_package)
[ -n "$cron" ] && missing_deb+=("$cron")

# The real Supabase CLI, at the version tests/cli/package-lock.json pins (npm ci: exactly that).
supabase_cli() {
  [ "$want" = test ] || return 0
  local dir pinned
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/cli"
  pinned=$(sed -n 's/.*"supabase": "\([0-9.]*\)".*/\1/p' "$dir/package.json")
  [ "$("$dir/node_modules/.bin/supabase" --version 2>/dev/null)" = "$pinned" ] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm not found; install Node.js (Debian: apt-get install nodejs npm) for the Supabase CLI the tests use" >&2
    exit 1
  fi
  echo "installing the Supabase CLI $pinned with npm" >&2
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}
if [ ${#missing_deb[@]} -eq 0 ] && [ ${#missing_brew[@]} -eq 0 ]; then
  supabase_cli
  exit 0
fi

if [ "$(uname -s)" = Darwin ]; then
  [ ${#missing_brew[@]} -eq 0 ] && exit 0
  command -v brew >/dev/null 2>&1 || { echo "error: missing ${missing_brew[*]}; install Homebrew or those packages" >&2; exit 1; }
  echo "installing ${missing_brew[*]} with Homebrew" >&2
  brew install "${missing_brew[@]}"
  supabase_cli
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: missing ${missing_deb[*]} (Debian package names); install them with your package manager" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: missing ${missing_deb[*]}; run as root or install sudo" >&2; exit 1; }
  sudo=(sudo)
fi
echo "installing ${missing_deb[*]} with apt-get" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing_deb[@]}" >/dev/null
cron=$(cron_package)
if [ -n "$cron" ]; then
  echo "installing $cron with apt-get" >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$cron" >/dev/null
fi
supabase_cli
