//! The built-in Postgres engine behind `mynatca refresh --db-url`: recreate the database,
//! lay the Supabase-compatible base, apply every migration (one transaction per file,
//! with its history row), then the seeds.
//!
//! No output policy: progress goes to a callback, and a failed file comes back as a
//! [`FileFailure`] naming the file, its project and the line.

use std::collections::HashSet;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use postgres::config::Host;
use postgres::error::{DbError, ErrorPosition};
use postgres::{Client, Config, NoTls};

use crate::error::ConfigError;
use crate::fsutil;
use crate::migration;
use crate::reconcile::{self, PLATFORM};
use crate::workspace::{canonical_or_lexical, Workspace};

mod base;

pub use base::Base;

/// Databases a reset may connect to while it drops and creates the target, in order.
const MAINTENANCE_DATABASES: [&str; 2] = ["postgres", "template1"];

/// libpq's default socket folders (Debian's, then upstream's), for a URL without a host.
#[cfg(unix)]
const DEFAULT_SOCKET_DIRS: [&str; 2] = ["/var/run/postgresql", "/tmp"];

const INSERT_HISTORY: &str =
    "INSERT INTO supabase_migrations.schema_migrations (version, name, statements) VALUES ($1, $2, $3)";

/// The database a refresh resets, from a libpq-style URL or key/value string.
#[derive(Debug, Clone)]
pub struct Target {
    config: Config,
    pub database: String,
}

impl Target {
    /// Parses the URL. The database must be named: a reset never guesses what to drop.
    pub fn parse(url: &str) -> Result<Target, ConfigError> {
        let mut config: Config = url.parse().map_err(|err| {
            ConfigError(format!(
                "invalid database URL ({err}); expected e.g. postgres://postgres@127.0.0.1:54322/mynatca_dev"
            ))
        })?;
        let database = config.get_dbname().map(str::to_string).filter(|name| !name.is_empty()).ok_or_else(|| {
            ConfigError(
                "the database URL names no database; add the one to reset, e.g. postgres://postgres@127.0.0.1:54322/mynatca_dev"
                    .to_string(),
            )
        })?;
        if database == "template0" || database == "template1" {
            return Err(ConfigError(format!(
                "refusing to reset {database}, a template database; name another database in the URL"
            )));
        }
        #[cfg(unix)]
        if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
            for dir in DEFAULT_SOCKET_DIRS {
                config.host_path(dir);
            }
        }
        Ok(Target { config, database })
    }

    /// Hosts and host addresses other than localhost, 127.0.0.0/8, ::1 or a Unix socket.
    pub fn remote_hosts(&self) -> Vec<String> {
        let hosts = self.config.get_hosts().iter().filter(|host| !is_local_host(host)).map(host_text);
        let addrs = self.config.get_hostaddrs().iter().filter(|addr| !is_loopback(**addr)).map(IpAddr::to_string);
        hosts.chain(addrs).collect()
    }

    /// `database "x" on 127.0.0.1:5432`, never with the password.
    pub fn describe(&self) -> String {
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        let hosts: Vec<String> = match self.config.get_hostaddrs() {
            [] => self.config.get_hosts().iter().map(host_text).collect(),
            addrs => addrs.iter().map(IpAddr::to_string).collect(),
        };
        format!("database \"{}\" on {}:{port}", self.database, hosts.join(","))
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
pub struct SqlFile {
    /// The path read: in the platform, a managed link or the platform's own file.
    pub path: PathBuf,
    /// The project whose repo holds the file (`platform` for the platform's own).
    pub project: String,
    /// The file's path inside its own repo, e.g. `supabase/migrations/1_x.sql`.
    pub shown: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub file: SqlFile,
    pub version: String,
    /// The description after the version: the history row's `name`.
    pub name: String,
}

/// The migrations in `platform/supabase/migrations` (after linking), in byte-wise name
/// order, each resolved to the project that owns it. Names the Supabase CLI skips are skipped.
pub fn migrations(ws: &Workspace) -> anyhow::Result<Vec<Migration>> {
    let dir = ws.link_dir();
    let names = reconcile::list_sql_files(&dir).with_context(|| format!("cannot read {}", dir.display()))?;
    Ok(names
        .into_iter()
        .filter_map(|name| {
            let parsed = migration::parse(&name)?;
            let (version, description) = (parsed.version.to_string(), parsed.description.to_string());
            Some(Migration { file: origin(ws, dir.join(&name)), version, name: description })
        })
        .collect())
}

/// Seed files from `[db.seed] sql_paths`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seeds {
    /// In declared order, each glob's matches sorted, duplicates dropped.
    pub files: Vec<SqlFile>,
    /// Patterns that matched no file (the Supabase CLI warns about them too).
    pub unmatched: Vec<String>,
}

/// Expands `sql_paths` (globs relative to `platform/supabase/`) as the Supabase CLI does.
pub fn seeds(ws: &Workspace, sql_paths: &[String]) -> Result<Seeds, ConfigError> {
    let supabase = ws.supabase_dir();
    let base = glob::Pattern::escape(&supabase.to_string_lossy());
    let mut seeds = Seeds::default();
    let mut seen = HashSet::new();
    for pattern in sql_paths {
        let relative = pattern.strip_prefix("./").unwrap_or(pattern);
        let full = if Path::new(relative).is_absolute() { relative.to_string() } else { format!("{base}/{relative}") };
        let paths = glob::glob(&full).map_err(|err| {
            ConfigError(format!(
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
                seeds.files.push(origin(ws, path));
            }
        }
    }
    Ok(seeds)
}

/// Which project's repo really holds `path` (following links), and the path inside it.
fn origin(ws: &Workspace, path: PathBuf) -> SqlFile {
    let (project, root) = match ws.project_holding(&path) {
        Some(project) => (project.name.clone(), ws.project_root(project)),
        None => (PLATFORM.to_string(), ws.platform.clone()),
    };
    let real = canonical_or_lexical(&path);
    let shown = match real.strip_prefix(canonical_or_lexical(&root)) {
        Ok(inside) => inside.display().to_string(),
        Err(_) => real.display().to_string(),
    };
    SqlFile { path, project, shown }
}

/// What [`refresh`] reports as it goes.
#[derive(Debug)]
pub enum Event<'a> {
    /// The database was dropped and created again, with the base in place.
    Reset,
    /// About to apply this migration.
    Migration(&'a Migration),
    /// About to run this seed file.
    Seed(&'a SqlFile),
}

/// What a refresh applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub migrations: usize,
    pub seeds: usize,
}

/// Drops and recreates the target, creates the base, applies `migrations` then `seeds`.
/// Stops at the first file that fails, with that file rolled back.
pub fn refresh(
    target: &Target,
    base: Base,
    migrations: &[Migration],
    seeds: &[SqlFile],
    on_event: &mut dyn FnMut(Event),
) -> anyhow::Result<Applied> {
    recreate(target)?;
    let connect = || -> anyhow::Result<Client> {
        let mut client = target
            .connect(&target.database)
            .with_context(|| format!("cannot connect to the new {}", target.describe()))?;
        // A reset database is rebuilt from files, so a commit need not wait for the disk.
        client.batch_execute("SET synchronous_commit = off").context("cannot configure the session")?;
        Ok(client)
    };
    let mut client = connect()?;
    base.create_roles(&mut client).context("cannot create the base's roles")?;
    base.create_in_database(&mut client).context("cannot create the base (schemas, tables, functions)")?;
    // A new session starts from the database's settings (the search path), so a
    // migration's `RESET ALL` returns to them, as on Supabase.
    drop(client);
    let mut client = connect()?;
    on_event(Event::Reset);

    let mut applied = Applied::default();
    let insert = client.prepare(INSERT_HISTORY).context("cannot prepare the migration history insert")?;
    for migration in migrations {
        on_event(Event::Migration(migration));
        run_file(&mut client, &migration.file, Kind::Migration, |tx, statements| {
            tx.execute(&insert, &[&migration.version, &migration.name, &statements]).map(drop)
        })?;
        applied.migrations += 1;
    }
    for seed in seeds {
        on_event(Event::Seed(seed));
        run_file(&mut client, seed, Kind::Seed, |_, _| Ok(()))?;
        applied.seeds += 1;
    }
    Ok(applied)
}

/// Drops the target (ending its sessions) and creates it again, from another database
/// of the same server.
fn recreate(target: &Target) -> anyhow::Result<()> {
    let mut client = maintenance_client(target)?;
    let version: i32 = client
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .context("cannot read the server version")?
        .get(0);
    let name = quote_ident(&target.database);
    client
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&target.database],
        )
        .with_context(|| format!("cannot end the other sessions on {}", target.describe()))?;
    // Sessions opened since the terminate are ended by FORCE where the server has it (PG 13+).
    let force = if version >= 130000 { " WITH (FORCE)" } else { "" };
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}{force}"))
        .with_context(|| format!("cannot drop {}", target.describe()))?;
    // template0 is pristine and never busy: template1 may hold local additions or sessions.
    client
        .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE template0"))
        .with_context(|| format!("cannot create {}", target.describe()))?;
    Ok(())
}

fn maintenance_client(target: &Target) -> anyhow::Result<Client> {
    let mut first_error = None;
    for database in MAINTENANCE_DATABASES.iter().filter(|name| **name != target.database) {
        match target.connect(database) {
            Ok(client) => return Ok(client),
            Err(err) => {
                tracing::debug!(database, %err, "cannot use this maintenance database");
                first_error.get_or_insert(err);
            }
        }
    }
    let err = first_error.expect("at least one maintenance database is tried");
    Err(anyhow::Error::new(err).context(format!(
        "cannot connect to the server of {} (through database postgres or template1); is it running, and is the URL right?",
        target.describe()
    )))
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Migration,
    Seed,
}

/// Runs one file's statements in one transaction, then `finish` (the history row) in
/// the same transaction. Any failure rolls the whole file back.
fn run_file(
    client: &mut Client,
    file: &SqlFile,
    kind: Kind,
    finish: impl FnOnce(&mut postgres::Transaction, Vec<&str>) -> Result<(), postgres::Error>,
) -> anyhow::Result<()> {
    let sql = std::fs::read_to_string(&file.path).with_context(|| format!("cannot read {}", file.path.display()))?;
    let statements = split(&sql);
    let mut tx = client.transaction().context("cannot begin a transaction")?;
    for statement in &statements {
        if let Err(err) = tx.batch_execute(statement.text) {
            return Err(match err.as_db_error() {
                Some(db) => FileFailure::new(kind, file, &sql, statement, db).into(),
                None => anyhow::Error::new(err).context(format!("{} failed", file.shown)),
            });
        }
    }
    let texts = statements.iter().map(|statement| statement.text).collect();
    let done = finish(&mut tx, texts).and_then(|()| tx.commit());
    done.with_context(|| format!("cannot record {} ({})", file.shown, file.project))
}

/// One statement of a file and where it starts in the file (bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statement<'a> {
    pub offset: usize,
    pub text: &'a str,
}

/// Splits with PostgreSQL's own parser (libpg_query); SQL it rejects is split by its
/// scanner instead, so the server still reports the error where it is.
pub fn split(sql: &str) -> Vec<Statement<'_>> {
    let parts =
        pg_query::split_with_parser(sql).or_else(|_| pg_query::split_with_scanner(sql)).unwrap_or_else(|_| vec![sql]);
    parts
        .into_iter()
        .filter_map(|part| {
            let text = part.trim();
            let offset = text.as_ptr() as usize - sql.as_ptr() as usize;
            (!text.is_empty()).then_some(Statement { offset, text })
        })
        .collect()
}

/// The 1-based line of `sql` holding the error: Postgres' position (1-based, in
/// characters of the statement) when it gives one, else the statement's first line
/// (errors inside function bodies carry positions in internal queries only).
pub fn error_line(sql: &str, statement: &Statement, position: Option<&ErrorPosition>) -> usize {
    let within = match position {
        Some(ErrorPosition::Original(position)) => {
            let index = (*position as usize).saturating_sub(1);
            statement.text.char_indices().nth(index).map_or(statement.text.len(), |(byte, _)| byte)
        }
        _ => 0,
    };
    let byte = (statement.offset + within).min(sql.len());
    sql.as_bytes()[..byte].iter().filter(|b| **b == b'\n').count() + 1
}

/// A migration or seed file the server rejected; the file was rolled back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFailure {
    pub kind: Kind,
    pub file: SqlFile,
    pub line: usize,
    /// Postgres' message, then its detail and hint when it gives them.
    pub message: String,
}

impl FileFailure {
    fn new(kind: Kind, file: &SqlFile, sql: &str, statement: &Statement, db: &DbError) -> FileFailure {
        let mut message = db.message().to_string();
        for (label, extra) in [("detail", db.detail()), ("hint", db.hint())] {
            if let Some(extra) = extra {
                message.push_str(&format!(" ({label}: {extra})"));
            }
        }
        FileFailure { kind, file: file.clone(), line: error_line(sql, statement, db.position()), message }
    }
}

impl fmt::Display for FileFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, after) = match self.kind {
            Kind::Migration => ("migration", "nothing after it ran"),
            Kind::Seed => ("seed", "the migrations are in place, later seeds did not run"),
        };
        write!(
            f,
            "{what} {}:{} (project {}) failed: {}; the file was rolled back and {after}: fix it and run `mynatca refresh` again",
            self.file.shown, self.line, self.file.project, self.message
        )
    }
}

impl std::error::Error for FileFailure {}

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
        assert!(Target::parse("postgres://u@localhost:5432").unwrap_err().0.contains("names no database"));
        assert!(Target::parse("postgres://u@localhost/template1").unwrap_err().0.contains("template"));
        assert!(Target::parse("not a url").unwrap_err().0.contains("invalid database URL"));
        assert_eq!(Target::parse("postgres://u:secret@127.0.0.1:6543/db").unwrap().database, "db");
    }

    #[test]
    fn describe_never_shows_the_password() {
        let target = Target::parse("postgres://u:secret@127.0.0.1:6543/db").unwrap();
        assert_eq!(target.describe(), "database \"db\" on 127.0.0.1:6543");
    }

    #[test]
    fn split_keeps_byte_offsets_and_drops_comments_and_blanks() {
        let sql = "-- head\ncreate table a (id int);\n\n/* c */ insert into a values (1);\n-- tail\n";
        let statements = split(sql);
        let texts: Vec<&str> = statements.iter().map(|s| s.text).collect();
        assert_eq!(texts, vec!["create table a (id int)", "insert into a values (1)"]);
        for statement in &statements {
            assert_eq!(&sql[statement.offset..statement.offset + statement.text.len()], statement.text);
        }
    }

    #[test]
    fn split_understands_bodies_a_regex_would_cut() {
        let sql = "create function f() returns int language sql begin atomic select 1; end;\n\
                   create function g() returns text language sql as $$ select ';' $$;\n";
        assert_eq!(split(sql).len(), 2);
    }

    #[test]
    fn split_falls_back_to_the_scanner_on_invalid_sql() {
        let sql = "create table a (id int);\nselect from where;\n";
        let texts: Vec<&str> = split(sql).iter().map(|s| s.text).collect();
        assert_eq!(texts, vec!["create table a (id int)", "select from where"]);
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
        assert!(found.files.iter().all(|f| f.project == PLATFORM));
        assert_eq!(found.unmatched, vec!["./nothing/*.sql"]);
        assert!(seeds(&ws, &["./[".to_string()]).unwrap_err().0.contains("invalid pattern"));
    }

    #[test]
    fn error_line_maps_character_positions_to_file_lines() {
        // 'é' is two bytes: positions count characters, not bytes.
        let sql = "-- café\ncreate table a (id int);\ninsert into a\n  values ('é', nope);\n";
        let statements = split(sql);
        let insert = &statements[1];
        let position = insert.text.find("nope").map(|byte| insert.text[..byte].chars().count() + 1).unwrap();
        assert_eq!(error_line(sql, insert, Some(&ErrorPosition::Original(position as u32))), 4);
        assert_eq!(error_line(sql, insert, None), 3, "without a position: the statement's first line");
        let internal = ErrorPosition::Internal { position: 3, query: "select 1".into() };
        assert_eq!(error_line(sql, insert, Some(&internal)), 3);
    }
}
