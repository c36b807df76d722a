//! The built-in Postgres engine behind `mynatca refresh --db-url`: build a database beside
//! the target (the base, every migration in one transaction with its history row, then
//! the seeds), then swap it in. The parts: `base` (what comes before the first
//! migration), `apply` (one file, one round trip), `preflight` (extensions), `cache`
//! (template databases), `build` (the whole refresh), `interrupt` (signals).
//!
//! No output policy: progress goes to a callback, and a failed file comes back as a
//! [`FileFailure`] naming the file, its project and the line.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use postgres::config::Host;
use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};

use crate::error::ConfigError;
use crate::fsutil;
use crate::migration;
use crate::reconcile;
use crate::workspace::{canonical_or_lexical, Workspace};

mod apply;
mod base;
mod build;
mod cache;
pub(crate) mod history;
mod interrupt;
pub(crate) mod marks;
mod pending;
mod preflight;
mod start;
mod swap;
mod upkeep;
pub(crate) mod url;
mod wire;

pub(crate) use apply::{FileFailure, History, Kind, Record, Script};
pub(crate) use base::Base;
pub(crate) use build::{refresh, Event, Options, Plan, Report, Stopped};
pub(crate) use pending::{plan, read_history, repair, server_databases, up, Mark};
pub(crate) use upkeep::{drop_caches, upkeep};

/// Databases a reset may connect to while it drops and creates the target, in order.
const MAINTENANCE_DATABASES: [&str; 2] = ["postgres", "template1"];

/// libpq's default socket folders (Debian's, then upstream's), for a URL without a host.
#[cfg(unix)]
const DEFAULT_SOCKET_DIRS: [&str; 2] = ["/var/run/postgresql", "/tmp"];

/// The database a refresh resets, from a libpq-style URL or key/value string.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) config: Config,
    /// The URL as given, for the detached upkeep (passed in its environment, not argv).
    url: String,
    pub(crate) database: String,
}

impl Target {
    /// Parses the URL. The database must be named: a reset never guesses what to drop.
    pub(crate) fn parse(url: &str) -> Result<Target, ConfigError> {
        let mut config: Config = url.parse().map_err(|err| {
            ConfigError::new(format!(
                "invalid database URL ({err}); expected e.g. postgres://postgres@127.0.0.1:54322/mynatca_dev"
            ))
        })?;
        let database = config.get_dbname().map(str::to_string).filter(|name| !name.is_empty()).ok_or_else(|| {
            ConfigError::new(
                "the database URL names no database; add the one to reset, e.g. postgres://postgres@127.0.0.1:54322/mynatca_dev"
                    .to_string(),
            )
        })?;
        if database == "template0" || database == "template1" {
            return Err(ConfigError::new(format!(
                "refusing to reset {database}, a template database; name another database in the URL"
            )));
        }
        #[cfg(unix)]
        if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
            for dir in DEFAULT_SOCKET_DIRS {
                config.host_path(dir);
            }
        }
        Ok(Target { config, url: url.to_string(), database })
    }

    /// Hosts and host addresses other than localhost, 127.0.0.0/8, ::1 or a Unix socket.
    pub(crate) fn remote_hosts(&self) -> Vec<String> {
        let hosts = self.config.get_hosts().iter().filter(|host| !is_local_host(host)).map(host_text);
        let addrs = self.config.get_hostaddrs().iter().filter(|addr| !is_loopback(**addr)).map(IpAddr::to_string);
        hosts.chain(addrs).collect()
    }

    /// Refuses (before any connection) a host other than localhost, 127.0.0.0/8, ::1 or a
    /// Unix socket unless `allow_remote`: `refusing to {what} database "x" on …: … ; {why}pass
    /// --allow-remote if you really mean it`.
    pub(crate) fn refuse_remote(&self, allow_remote: bool, what: &str, why: &str) -> Result<(), ConfigError> {
        let remote = self.remote_hosts();
        if remote.is_empty() || allow_remote {
            return Ok(());
        }
        Err(ConfigError::new(format!(
            "refusing to {what} {}: {} is not localhost, 127.0.0.0/8, ::1 or a Unix socket; {why}pass --allow-remote if you really mean it",
            self.describe(),
            remote.join(", ")
        )))
    }

    /// `database "x" on 127.0.0.1:5432`, never with the password.
    pub(crate) fn describe(&self) -> String {
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        let hosts: Vec<String> = match self.config.get_hostaddrs() {
            [] => self.config.get_hosts().iter().map(host_text).collect(),
            addrs => addrs.iter().map(IpAddr::to_string).collect(),
        };
        format!("database \"{}\" on {}:{port}", self.database, hosts.join(","))
    }

    /// `-h HOST -p PORT -U USER` for psql, never the password.
    pub(crate) fn psql_flags(&self) -> String {
        let host = match (self.config.get_hostaddrs().first(), self.config.get_hosts().first()) {
            (Some(addr), _) => addr.to_string(),
            (None, Some(host)) => host_text(host),
            (None, None) => String::new(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        let user = self.config.get_user().unwrap_or("postgres");
        format!("-h {host} -p {port} -U {user}")
    }

    /// A session on the target itself.
    pub(crate) fn client(&self) -> anyhow::Result<Client> {
        self.connect(&self.database).map_err(|err| self.refused(err))
    }

    /// A failed connection as the user's to fix (exit 2) when it is a wrong password or
    /// no server, else as it came.
    fn refused(&self, err: postgres::Error) -> anyhow::Error {
        match connect_refusal(self, &err) {
            Some(refusal) => anyhow::Error::new(refusal),
            None => anyhow::Error::new(err).context(format!("cannot connect to {}", self.describe())),
        }
    }

    /// A session on the target whose transactions are read-only: for looking at a shared
    /// server (staging) without a chance of writing.
    pub(crate) fn read_only_client(&self) -> anyhow::Result<Client> {
        let mut config = self.config.clone();
        let options = config.get_options().map(|o| format!("{o} ")).unwrap_or_default();
        config.options(&format!("{options}-c default_transaction_read_only=on"));
        config.dbname(&self.database);
        config.connect(NoTls).map_err(|err| self.refused(err))
    }

    fn connect(&self, database: &str) -> Result<Client, postgres::Error> {
        let mut config = self.config.clone();
        config.dbname(database);
        config.connect(NoTls)
    }
}

fn is_local_host(host: &Host) -> bool {
    match host {
        Host::Tcp(name) => {
            let name = name.trim_start_matches('[').trim_end_matches(']');
            name.eq_ignore_ascii_case("localhost") || name.parse().is_ok_and(is_loopback)
        }
        #[cfg(unix)]
        Host::Unix(_) => true,
    }
}

fn is_loopback(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

fn host_text(host: &Host) -> String {
    match host {
        Host::Tcp(name) => name.clone(),
        #[cfg(unix)]
        Host::Unix(path) => path.display().to_string(),
    }
}

/// A SQL file to run, and where it really lives, for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SqlFile {
    /// The path read: in the platform, a managed link or the platform's own file.
    pub(crate) path: PathBuf,
    /// The project whose repo holds the file (`platform` for the platform's own).
    pub(crate) project: String,
    /// The file's path inside its own repo, e.g. `supabase/migrations/1_x.sql`.
    pub(crate) shown: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Migration {
    pub(crate) file: SqlFile,
    pub(crate) version: String,
    /// The description after the version: the history row's `name`.
    pub(crate) name: String,
}

/// The migrations in `platform/supabase/migrations` (after linking), in byte-wise name
/// order, each resolved to the project that owns it. Names the Supabase CLI skips are skipped.
pub(crate) fn migrations(ws: &Workspace) -> anyhow::Result<Vec<Migration>> {
    let dir = ws.link_dir();
    let names = reconcile::list_sql_files(&dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let mut origins = Origins::new(ws);
    Ok(names
        .into_iter()
        .filter_map(|name| {
            let parsed = migration::parse(&name)?;
            let (version, description) = (parsed.version.to_string(), parsed.description.to_string());
            Some(Migration { file: origins.of(dir.join(&name)), version, name: description })
        })
        .collect())
}

/// Seed files from `[db.seed] sql_paths`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Seeds {
    /// In declared order, each glob's matches sorted, duplicates dropped.
    pub(crate) files: Vec<SqlFile>,
    /// Patterns that matched no file (the Supabase CLI warns about them too).
    pub(crate) unmatched: Vec<String>,
}

/// Expands `sql_paths` (globs relative to `platform/supabase/`) as the Supabase CLI does.
pub(crate) fn seeds(ws: &Workspace, sql_paths: &[String]) -> Result<Seeds, ConfigError> {
    let supabase = ws.supabase_dir();
    let base = glob::Pattern::escape(&supabase.to_string_lossy());
    let mut seeds = Seeds::default();
    let mut seen = HashSet::new();
    let mut origins = Origins::new(ws);
    for pattern in sql_paths {
        let relative = pattern.strip_prefix("./").unwrap_or(pattern);
        let full = if Path::new(relative).is_absolute() { relative.to_string() } else { format!("{base}/{relative}") };
        let paths = glob::glob(&full).map_err(|err| {
            ConfigError::new(format!(
                "{}: [db.seed] sql_paths: invalid pattern {pattern:?} ({err}); fix it",
                ws.config_path().display()
            ))
        })?;
        let mut matches: Vec<PathBuf> = paths.filter_map(Result::ok).filter(|path| !path.is_dir()).collect();
        if matches.is_empty() {
            seeds.unmatched.push(pattern.clone());
        }
        matches.sort();
        for path in matches {
            if seen.insert(fsutil::normalize(&path)) {
                seeds.files.push(origins.of(path));
            }
        }
    }
    Ok(seeds)
}

/// Which project's repo really holds a path (following links), and the path inside it.
/// Each project root and each folder is resolved once: thousands of files would
/// otherwise cost a `readlink` per path component each, several times over.
struct Origins {
    /// Each project's name and real root, then the platform's.
    roots: Vec<(String, PathBuf)>,
    dirs: HashMap<PathBuf, PathBuf>,
}

impl Origins {
    fn new(ws: &Workspace) -> Origins {
        // Projects before the platform: a project's repo may sit inside the platform's folder.
        let mut roots: Vec<(String, PathBuf)> =
            ws.repos().map(|repo| (repo.name().to_string(), canonical_or_lexical(&ws.root(repo)))).collect();
        roots.rotate_left(1);
        Origins { roots, dirs: HashMap::new() }
    }

    fn of(&mut self, path: PathBuf) -> SqlFile {
        let real = self.real(&path);
        let (project, root) = self
            .roots
            .iter()
            .find(|(_, root)| real.starts_with(root))
            .unwrap_or_else(|| self.roots.last().expect("the platform is a root"));
        let shown = match real.strip_prefix(root) {
            Ok(inside) => inside.display().to_string(),
            Err(_) => real.display().to_string(),
        };
        SqlFile { project: project.clone(), shown, path }
    }

    /// The real path: links on the last component followed, the folder canonicalized once.
    fn real(&mut self, path: &Path) -> PathBuf {
        let mut path = path.to_path_buf();
        for _ in 0..40 {
            let Ok(target) = std::fs::read_link(&path) else { break };
            path = path.parent().map_or(target.clone(), |parent| parent.join(&target));
        }
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else { return canonical_or_lexical(&path) };
        let dir = self.dirs.entry(parent.to_path_buf()).or_insert_with(|| canonical_or_lexical(parent));
        dir.join(name)
    }
}

/// The database refreshes of `postgres` itself work from: a session in `template1` would
/// make every other client's `CREATE DATABASE` fail ("source database is being accessed").
const OWN_MAINTENANCE: &str = "mynatca_maintenance";

/// A session off the target: in `postgres`, or for the target `postgres` in mynatca's own
/// maintenance database (made once, from a moment in `template1`).
pub(crate) fn maintenance_client(target: &Target) -> anyhow::Result<Client> {
    let mut first_error = None;
    for database in MAINTENANCE_DATABASES.iter().filter(|name| **name != target.database) {
        let connected = match *database {
            "template1" => target.connect(database).and_then(|mut client| own_maintenance(target, &mut client)),
            _ => target.connect(database),
        };
        match connected {
            Ok(client) => return Ok(client),
            Err(err) => {
                tracing::debug!(database, %err, "cannot use this maintenance database");
                first_error.get_or_insert(err);
            }
        }
    }
    let err = first_error.expect("at least one maintenance database is tried");
    if let Some(refusal) = connect_refusal(target, &err) {
        return Err(anyhow::Error::new(refusal));
    }
    Err(anyhow::Error::new(err).context(format!(
        "cannot connect to the server of {} (through database postgres or template1); is it running, and is the URL right?",
        target.describe()
    )))
}

/// [`OWN_MAINTENANCE`], made (marked as mynatca's) when missing, connected to; the
/// `template1` session is closed at once.
fn own_maintenance(target: &Target, template1: &mut Client) -> Result<Client, postgres::Error> {
    let exists = database_exists(template1, OWN_MAINTENANCE)?;
    if !exists {
        let created = marks::create(template1, OWN_MAINTENANCE, "template0")
            .and_then(|()| marks::mark(template1, OWN_MAINTENANCE, Some("mynatca: maintenance")));
        // Two refreshes of `postgres` at once: the other one made it.
        if let Err(err) = created {
            if err.code() != Some(&SqlState::DUPLICATE_DATABASE) {
                return Err(err);
            }
        }
    }
    target.connect(OWN_MAINTENANCE)
}

/// A wrong password or a server that is not running: the user's to fix (exit 2), each
/// pointing the one right way.
fn connect_refusal(target: &Target, err: &postgres::Error) -> Option<ConfigError> {
    let user = target.config.get_user().unwrap_or("(the OS user)");
    let auth = |why: &str| {
        ConfigError::new(format!("authentication failed for user \"{user}\" on {} ({why})", target.describe()))
            .hint("fix the user or password in the URL (--db-url or $MYNATCA_DB_URL)")
    };
    if let Some(db) = err.as_db_error() {
        let code = db.code();
        let rejected = *code == SqlState::INVALID_PASSWORD || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION;
        return rejected.then(|| auth(db.message()));
    }
    let source = std::error::Error::source(err)?;
    if source.to_string() == "password missing" {
        return Some(auth("the server asks for a password and the URL has none"));
    }
    let io = source.downcast_ref::<std::io::Error>()?;
    // A host name no resolver knows is the user's to fix, as a refused connection is.
    if io.to_string().contains("failed to lookup address") {
        return Some(
            ConfigError::new(format!("cannot find the host of {} ({io})", target.describe()))
                .hint("fix the host name in the URL (--db-url or $MYNATCA_DB_URL)"),
        );
    }
    // A Unix socket that is not there is the socket form of a refused connection.
    let refused = matches!(io.kind(), std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound);
    refused.then(|| {
        let why = if io.kind() == std::io::ErrorKind::NotFound { "no socket file" } else { "connection refused" };
        ConfigError::new(format!("no server is running for {} ({why})", target.describe())).hint(
            "start it (`supabase start` starts Supabase's, on port 54322), or put the port your server listens on in the URL",
        )
    })
}

pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `server_version_num`, e.g. 150018.
pub(crate) fn server_version(client: &mut Client) -> Result<i32, postgres::Error> {
    Ok(client.query_one("SELECT current_setting('server_version_num')::int", &[])?.get(0))
}

pub(crate) fn database_exists(client: &mut Client, name: &str) -> Result<bool, postgres::Error> {
    Ok(client.query_one("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", &[&name])?.get(0))
}

/// Ends every other session on `database` and, where the server can (PostgreSQL 14+),
/// waits until they are gone: a rename or a copy of a database with a session still
/// exiting sleeps 100 ms in the server before it looks again.
pub(crate) fn end_sessions(
    client: &mut impl postgres::GenericClient,
    database: &str,
    version: i32,
) -> Result<(), postgres::Error> {
    let end = if version >= 140000 { "pg_terminate_backend(pid, 5000)" } else { "pg_terminate_backend(pid)" };
    client.execute(
        &format!("SELECT {end} FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()"),
        &[&database],
    )?;
    Ok(())
}

/// Drops `database` if it exists, ending its sessions (`WITH (FORCE)` on PostgreSQL 13+).
pub(crate) fn drop_database(client: &mut Client, database: &str, version: i32) -> Result<(), postgres::Error> {
    let force = if version >= 130000 {
        " WITH (FORCE)"
    } else {
        end_sessions(client, database, version)?;
        ""
    };
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {}{force}", quote_ident(database)))
}

/// Gives `to` the per-database settings of `from` (`ALTER DATABASE ... SET`), which
/// `CREATE DATABASE ... TEMPLATE` does not copy. Copied through the catalog when the
/// user may (a superuser); otherwise the base's search path is set again.
pub(crate) fn copy_settings(client: &mut Client, from: &str, to: &str) -> Result<(), postgres::Error> {
    let superuser: bool = client.query_one("SELECT rolsuper FROM pg_roles WHERE rolname = current_user", &[])?.get(0);
    if superuser {
        client.execute(
            "INSERT INTO pg_db_role_setting (setdatabase, setrole, setconfig) \
             SELECT t.oid, s.setrole, s.setconfig FROM pg_db_role_setting s \
             JOIN pg_database f ON f.oid = s.setdatabase JOIN pg_database t ON t.datname = $2 \
             WHERE f.datname = $1",
            &[&from, &to],
        )?;
        return Ok(());
    }
    client
        .batch_execute(&format!("ALTER DATABASE {} SET search_path TO \"$user\", public, extensions", quote_ident(to)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(url: &str) -> Vec<String> {
        Target::parse(url).unwrap().remote_hosts()
    }

    #[test]
    fn local_hosts_are_loopback_names_addresses_and_sockets() {
        for url in [
            "postgres://postgres@localhost:54322/postgres",
            "postgres://postgres@LOCALHOST/x",
            "postgres://postgres@127.0.0.1/x",
            "postgres://postgres@127.8.9.10/x",
            "postgres://postgres@[::1]:5432/x",
            "postgresql:///x?host=/var/run/postgresql",
            "postgresql:///x",
            "host=localhost,/tmp dbname=x",
            "host=localhost hostaddr=127.0.0.1 dbname=x",
        ] {
            assert_eq!(remote(url), Vec::<String>::new(), "{url}");
        }
    }

    #[test]
    fn any_other_host_is_remote() {
        assert_eq!(remote("postgres://u@db.example.com:5432/x"), vec!["db.example.com"]);
        assert_eq!(remote("postgres://u@0.0.0.0/x"), vec!["0.0.0.0"]);
        assert_eq!(remote("postgres://u@10.0.0.5/x"), vec!["10.0.0.5"]);
        assert_eq!(remote("postgres://u@[::2]/x"), vec!["::2"]);
        // A local name with a remote address still connects to the remote address.
        assert_eq!(remote("host=localhost hostaddr=192.168.1.2 dbname=x"), vec!["192.168.1.2"]);
        assert_eq!(remote("host=localhost,db.example.com dbname=x"), vec!["db.example.com"]);
    }

    #[test]
    fn the_database_must_be_named_and_not_a_template() {
        assert!(Target::parse("postgres://u@localhost:5432").unwrap_err().to_string().contains("names no database"));
        assert!(Target::parse("postgres://u@localhost/template1").unwrap_err().to_string().contains("template"));
        assert!(Target::parse("not a url").unwrap_err().to_string().contains("invalid database URL"));
        assert_eq!(Target::parse("postgres://u:secret@127.0.0.1:6543/db").unwrap().database, "db");
    }

    #[test]
    fn describe_never_shows_the_password() {
        let target = Target::parse("postgres://u:secret@127.0.0.1:6543/db").unwrap();
        assert_eq!(target.describe(), "database \"db\" on 127.0.0.1:6543");
    }

    #[test]
    fn seeds_follow_declared_order_sorted_matches_no_duplicates() {
        let tmp = tempfile::tempdir().unwrap();
        // Glob characters in the platform's own path are taken literally.
        let platform = tmp.path().join("plat[1]");
        for file in ["seed.sql", "seeds/pay/b.sql", "seeds/pay/a.sql", "seeds/discord/seed.sql"] {
            let path = platform.join("supabase").join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "select 1;\n").unwrap();
        }
        let ws = Workspace::load(platform.clone()).unwrap();
        let paths: Vec<String> =
            ["./seeds/discord/*.sql", "./seed.sql", "./seeds/pay/*.sql", "seeds/pay/a.sql", "./nothing/*.sql"]
                .map(String::from)
                .to_vec();
        let found = seeds(&ws, &paths).unwrap();
        let shown: Vec<&str> = found.files.iter().map(|f| f.shown.as_str()).collect();
        assert_eq!(
            shown,
            vec![
                "supabase/seeds/discord/seed.sql",
                "supabase/seed.sql",
                "supabase/seeds/pay/a.sql",
                "supabase/seeds/pay/b.sql"
            ]
        );
        assert!(found.files.iter().all(|f| f.project == crate::workspace::Repo::PLATFORM));
        assert_eq!(found.unmatched, vec!["./nothing/*.sql"]);
        assert!(seeds(&ws, &["./[".to_string()]).unwrap_err().to_string().contains("invalid pattern"));
    }
}
