//! One throwaway PostgreSQL server for the whole test binary: `initdb` into a temp dir,
//! started with `pg_ctl` on a free port (trust auth but for [`PASSWORD_ROLE`], 127.0.0.1
//! and a socket in the temp dir), as the `postgres` OS user when the tests run as root (initdb refuses root).
//!
//! Statics are never dropped, so a watchdog process stops the server and removes the
//! temp dir: it reads a pipe only this process holds, and the kernel closes that pipe
//! however the test binary ends (exit, panic, kill), so CI never keeps a server behind.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

const PREREQS: &str =
    "run scripts/prereqs.sh test (it installs Debian's postgresql and postgresql-N-cron, or Homebrew's postgresql@16)";

/// The one role the server asks a password of (over TCP); tests create it as they need.
pub const PASSWORD_ROLE: &str = "mynatca_password";

pub struct Server {
    pub port: u16,
    /// The folder holding the server's Unix socket.
    pub socket_dir: PathBuf,
    /// Holds the watchdog's stdin open; its closing (at exit) stops the server.
    _watchdog: Child,
}

/// The shared server, started on first use. Panics (failing the test) when no
/// PostgreSQL server installation is found.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(start)
}

/// A server of the test's own, for a test that must not share one (a refresh of the
/// database `postgres` ends every session on it). Stopped when the test binary exits.
pub fn private() -> Server {
    start()
}

impl Server {
    /// A TCP URL for `database` as the `postgres` superuser.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// The same through the Unix socket.
    pub fn socket_url(&self, database: &str) -> String {
        format!("postgresql:///{database}?host={}&port={}&user=postgres", self.socket_dir.display(), self.port)
    }

    pub fn client(&self, database: &str) -> postgres::Client {
        postgres::Client::connect(&self.url(database), postgres::NoTls)
            .unwrap_or_else(|err| panic!("connect to {database}: {err}"))
    }
}

#[expect(clippy::zombie_processes, reason = "the watchdog outlives this process by design")]
fn start() -> Server {
    let bin = server_bindir().unwrap_or_else(|| {
        panic!("no PostgreSQL server found (no initdb in `pg_config --bindir`, /usr/lib/postgresql/*/bin, Homebrew's postgresql@*/bin or PATH): {PREREQS}")
    });
    let dir = tempfile::Builder::new().prefix("mynatca-pg-").tempdir().expect("temp dir").keep();
    let data = dir.join("data");
    let root = is_root();
    if root {
        chown_to_postgres(&dir);
    }
    let watchdog = as_server_user(root, Path::new("/bin/sh"))
        .arg("-c")
        .arg(r#"cat >/dev/null; "$1" -D "$2" stop -m immediate -w >/dev/null 2>&1; rm -rf "$3""#)
        .args(["watchdog".as_ref(), bin.join("pg_ctl").as_os_str(), data.as_os_str(), dir.as_os_str()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the watchdog");

    let initdb = as_server_user(root, &bin.join("initdb"))
        .args(["-D".as_ref(), data.as_os_str()])
        .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
        .output()
        .expect("run initdb");
    assert!(initdb.status.success(), "initdb failed:\n{}", String::from_utf8_lossy(&initdb.stderr));
    // Trust for everyone but one role, which must give its password over TCP.
    let hba = data.join("pg_hba.conf");
    let rest = std::fs::read_to_string(&hba).expect("read pg_hba.conf");
    std::fs::write(&hba, format!("host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n{rest}"))
        .expect("write pg_hba.conf");

    let log = dir.join("server.log");
    let cron = cron_options(&bin);
    let mut last_error = String::new();
    for _ in 0..5 {
        let port = free_port();
        let options = format!("-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off{cron}", dir.display());
        let started = as_server_user(root, &bin.join("pg_ctl"))
            .args(["-D".as_ref(), data.as_os_str(), "-l".as_ref(), log.as_os_str()])
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .stdin(Stdio::null())
            .output()
            .expect("run pg_ctl");
        if started.status.success() {
            return Server { port, socket_dir: dir, _watchdog: watchdog };
        }
        // Most likely another process took the port in between: try another.
        last_error = std::fs::read_to_string(&log).unwrap_or_default();
    }
    panic!("the test PostgreSQL server did not start; its log:\n{last_error}");
}

/// The database whose name pg_cron's `CREATE EXTENSION` asks for (`cron.database_name`).
pub const CRON_DATABASE: &str = "cron_in_place";

/// pg_cron preloaded, for [`CRON_DATABASE`]. scripts/prereqs.sh installs it.
fn cron_options(bin: &Path) -> String {
    let lib = bin.parent().map(|dir| dir.join("lib")).unwrap_or_default();
    let found = [lib.join("pg_cron.so"), lib.join("postgresql/pg_cron.so"), lib.join("pg_cron.dylib")];
    assert!(found.iter().any(|path| path.exists()), "pg_cron is not installed next to {}: {PREREQS}", bin.display());
    format!(" -c shared_preload_libraries=pg_cron -c cron.database_name={CRON_DATABASE}")
}

/// `pg_config --bindir`, the newest versioned install (Debian's /usr/lib/postgresql/N,
/// Homebrew's keg-only postgresql@N), then PATH: the first holding initdb and pg_ctl.
fn server_bindir() -> Option<PathBuf> {
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    let mut versioned: Vec<(u32, PathBuf)> = Vec::new();
    for (parent, prefix) in
        [("/usr/lib/postgresql", ""), ("/opt/homebrew/opt", "postgresql@"), ("/usr/local/opt", "postgresql@")]
    {
        for entry in std::fs::read_dir(parent).into_iter().flatten().flatten() {
            let version = entry.file_name().to_str().and_then(|name| name.strip_prefix(prefix)?.parse().ok());
            if let Some(version) = version {
                versioned.push((version, entry.path().join("bin")));
            }
        }
    }
    versioned.sort();
    let newest_first = versioned.into_iter().rev().map(|(_, dir)| dir);
    let on_path =
        std::env::var_os("PATH").map(|path| std::env::split_paths(&path).collect::<Vec<_>>()).unwrap_or_default();
    from_pg_config.into_iter().chain(newest_first).chain(on_path).find(|dir| has_server(dir))
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn chown_to_postgres(dir: &Path) {
    let status = Command::new("chown").arg("postgres:").arg(dir).status().expect("run chown");
    assert!(status.success(), "chown postgres {}: is there a `postgres` OS user? {PREREQS}", dir.display());
}

/// `program`, run as the `postgres` OS user when we are root (with runuser, else su),
/// else as ourselves. Arguments are added by the caller.
fn as_server_user(root: bool, program: &Path) -> Command {
    if !root {
        return Command::new(program);
    }
    let has_runuser = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("runuser").is_file()));
    let mut command = if has_runuser {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]);
        command
    } else {
        let mut command = Command::new("su");
        command.args(["postgres", "-s", "/bin/sh", "-c", r#"exec "$0" "$@""#]);
        command
    };
    command.arg(program);
    command
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind a free port").local_addr().unwrap().port()
}
