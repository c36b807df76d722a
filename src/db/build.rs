//! A refresh: build into a scratch database beside the target (from the longest cached
//! prefix, or from scratch), and only replace the target once migrations and seeds are in.

use std::fmt;

use anyhow::Context as _;
use postgres::Client;

use super::apply::{self, FileFailure, Script};
use super::cache;
use super::interrupt::{self, failpoint, Watch};
use super::marks;
use super::preflight::{self, ExtensionUse, Lack};
use super::start::Start;
use super::swap::{self, restore, set_aside, swap, Waits};
use super::upkeep::{self, Upkeep};
use super::wire::Session;
use super::{drop_database, end_sessions, maintenance_client, quote_ident, server_version, Base, Target};
use crate::error::{ConfigError, Interrupted};
use std::time::Duration;

/// How a refresh runs (the flags of `mynatca refresh`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) base: Base,
    pub(crate) keep_going: bool,
    pub(crate) allow_missing_extensions: bool,
    pub(crate) cache: bool,
    pub(crate) keep_failed: bool,
    /// The longest the swap waits for a lock another session holds (`--wait`).
    pub(crate) lock_wait: Duration,
}

/// What a refresh applies, in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    pub(crate) migrations: Vec<Script>,
    pub(crate) seeds: Vec<Script>,
}

/// What [`refresh`] reports as it goes.
#[derive(Debug)]
pub(crate) enum Event<'a> {
    /// Connected to the server: the reset starts.
    Connected,
    /// A `CREATE EXTENSION` left out (`--allow-missing-extensions`), and why.
    Skipped(&'a ExtensionUse, &'a Script, String),
    /// The build database exists with the base (and the first `from_cache` migrations) in it.
    Reset {
        from_cache: usize,
    },
    Migration(&'a Script),
    Seed(&'a Script),
    /// Another refresh of the same target, or its upkeep, holds the target's lock.
    Waiting,
    /// A database with a name mynatca uses for this target, not made by mynatca: left alone.
    Stranger(String),
    /// The target as a refresh killed mid-way set it aside, and the command putting it back.
    SetAside {
        name: String,
        restore: String,
    },
}

/// What a refresh did.
#[derive(Debug, Clone, Default)]
pub(crate) struct Report {
    /// Migrations in the database, from the cache or applied.
    pub(crate) migrations: usize,
    pub(crate) from_cache: usize,
    pub(crate) seeds: usize,
    /// Files that failed (`--keep-going` only), rolled back.
    pub(crate) failures: Vec<FileFailure>,
    /// Extensions whose `CREATE EXTENSION` was left out.
    pub(crate) skipped: Vec<String>,
    /// The cache holding every migration, when there is one.
    pub(crate) cache: Option<String>,
}

/// A file failed without `--keep-going`: the target was left as it was.
#[derive(Debug)]
pub(crate) struct Stopped {
    pub(crate) failure: FileFailure,
    pub(crate) target: String,
    pub(crate) kept: Option<String>,
}

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; nothing after it ran and {} was left as it was", self.failure, self.target)?;
        if let Some(kept) = &self.kept {
            write!(f, " (the build is kept as database \"{kept}\")")?;
        }
        write!(f, ": fix it and run `mynatca refresh` again")
    }
}

impl std::error::Error for Stopped {}

/// Checks the extensions, builds, then swaps the build in for the target. Stops at the
/// first failing file unless `keep_going`. Returns with the target's lock held by the
/// [`Upkeep`], which the caller runs or detaches.
pub(crate) fn refresh(
    target: &Target,
    plan: &mut Plan,
    options: &Options,
    on_event: &mut dyn FnMut(Event),
) -> anyhow::Result<(Report, Upkeep)> {
    let watch = Watch::start();
    match run(target, plan, options, &watch, on_event) {
        Ok(done) => {
            // The target is replaced: a signal from here on (the hand-off to the upkeep) is
            // noted and ignored, and the refresh exits 0 as it says.
            watch.keep_noting();
            Ok(done)
        }
        // Whatever a signal cancelled (a copy, the base, a role): it is the signal's.
        Err(err) if !err.is::<Interrupted>() && interrupt::received().is_some() => {
            let signal = interrupt::received().unwrap_or(libc::SIGINT);
            Err(Interrupted::refresh(signal, &target.describe(), None, false).into())
        }
        Err(err) => Err(err),
    }
}

fn run(
    target: &Target,
    plan: &mut Plan,
    options: &Options,
    watch: &Watch,
    on_event: &mut dyn FnMut(Event),
) -> anyhow::Result<(Report, Upkeep)> {
    let mut admin = maintenance_client(target)?;
    on_event(Event::Connected);
    let version = server_version(&mut admin).context("cannot read the server version")?;
    let waits = Waits { lock: options.lock_wait, version };
    watch.register(admin.cancel_token());
    let locked = upkeep::lock(&mut admin, &target.database, || on_event(Event::Waiting));
    // Ctrl-C while waiting: nothing was built, and the target is as it was.
    check_signal().map_err(|err| abandon(&mut admin, target, (&[], false, version), err))?;
    locked.context("cannot take the target's lock")?;
    look_around(&mut admin, target, on_event)?;
    let (skipped, in_place) = extensions(&mut admin, plan, options, (&target.database, version), on_event)?;
    failpoint(&mut admin, "roles")?;
    options.base.create_roles(&mut admin).context("cannot create the base's roles")?;
    let (user, environment) = environment(&mut admin).context("cannot read the session's user and settings")?;
    let keys = options.cache.then(|| cache::chain(options.base, &environment, &skipped, &plan.migrations));
    let start = match &keys {
        Some(keys) => Start::choose(&mut admin, &target.database, keys).context("cannot list the cached databases")?,
        None => Start::Scratch,
    };

    let scratch = format!("mynatca_build_{}_{}", cache::target_part(&target.database), std::process::id());
    // The spare taking the new migrations too, when the start has one.
    let pair = start.pair().map(|_| format!("{scratch}c"));
    let (build, aside) = match in_place {
        false => (scratch.clone(), None),
        true => (target.database.clone(), set_aside(&mut admin, target, waits)?),
    };
    let created = start.create(&mut admin, &build, pair.as_deref(), version);
    let filled = created.and_then(|()| {
        let pair = pair.as_deref();
        let mut job = Job {
            admin: &mut admin,
            target,
            build: &build,
            pair,
            version,
            plan,
            options,
            watch,
            keys,
            user: &user,
            on_event,
        };
        job.fill(start.count())
    });
    let names = Names { build, scratch, pair };
    let mut report = finish(&mut admin, target, filled, &names, aside, (options.keep_failed, waits, watch))?;
    report.skipped = skipped;
    let cache = report.cache.clone();
    Ok((report, Upkeep { admin, target: target.clone(), version, cache }))
}

/// The databases of one refresh: the build (the target's own name when in place), the
/// scratch name a build beside the target has, and the spare becoming the next cache.
struct Names {
    build: String,
    scratch: String,
    pair: Option<String>,
}

impl Names {
    /// The build (or the name it is kept under), then the pair if there is one.
    fn builds<'a>(&'a self, build: &'a str) -> Vec<&'a str> {
        [build].into_iter().chain(self.pair.as_deref()).collect()
    }
}

/// Puts the build in place, or cleans up after it and puts the target back. A signal
/// cancels the swap (one transaction: nothing changes), not the cleanup.
fn finish(
    admin: &mut Client,
    target: &Target,
    filled: anyhow::Result<Report>,
    names: &Names,
    aside: Option<String>,
    (keep_failed, waits, watch): (bool, Waits, &Watch),
) -> anyhow::Result<Report> {
    let in_place = names.build == target.database;
    let version = waits.version;
    watch.register(admin.cancel_token());
    let swapped = filled.and_then(|report| {
        check_signal()?;
        // Left when a failure (--keep-going) kept it from becoming the cache.
        if let Some(pair) = &names.pair {
            if let Err(err) = drop_database(admin, pair, version) {
                tracing::warn!(%err, pair, "cannot drop the spare copy");
            }
        }
        match &aside {
            None if !in_place => swap(admin, target, &names.build, waits)?,
            None => {}
            Some(aside) => {
                if let Err(err) = cache::discard(admin, &target.database, aside, version) {
                    tracing::warn!(%err, aside, "cannot rename the replaced database to trash");
                }
            }
        }
        if let Err(err) = marks::mark(admin, &target.database, None) {
            tracing::warn!(%err, "cannot clear the target's build mark");
        }
        Ok(report)
    });
    watch.unregister();
    let Err(mut err) = swapped else { return swapped };
    if let (false, Some(signal)) = (err.is::<Signalled>(), interrupt::received()) {
        err = Signalled(signal).into();
    }
    if !in_place {
        return Err(abandon(admin, target, (&names.builds(&names.build), keep_failed, version), err));
    }
    // In place: the failed build has the target's name. It goes to the scratch name and
    // the set-aside target comes back, in one transaction.
    let restored = match &aside {
        Some(aside) => restore(admin, target, aside, &names.scratch, waits),
        None if keep_failed => swap::rename(admin, target, &target.database, &names.scratch, waits),
        None => Ok(()),
    };
    let moved = aside.is_some() || keep_failed;
    let builds = names.builds(if moved { &names.scratch } else { &names.build });
    let err = abandon(admin, target, (&builds, keep_failed && restored.is_ok(), version), err);
    match restored {
        Err(restore_err) => Err(restore_err.context(format!("{err:#}"))),
        Ok(()) => Err(err),
    }
}

/// The preflight: exit 2 listing what is missing, or (allowed) the statements left out.
/// Returns the extensions left out, and whether pg_cron is created (in this database,
/// the only one it can be: the build must then carry the target's name).
fn extensions(
    admin: &mut Client,
    plan: &mut Plan,
    options: &Options,
    (database, version): (&str, i32),
    on_event: &mut dyn FnMut(Event),
) -> anyhow::Result<(Vec<String>, bool)> {
    let uses = preflight::scan(&plan.migrations);
    let missing = preflight::check(admin, &uses, database).context("cannot list the server's extensions")?;
    let major = (version / 10000) as u32;
    if !options.allow_missing_extensions && !missing.is_empty() {
        let lines: Vec<String> = missing
            .iter()
            .map(|(usage, lack)| {
                let script = &plan.migrations[usage.script];
                format!(
                    "  {}:{} ({}): {} {}",
                    script.file.shown,
                    usage.line,
                    script.file.project,
                    usage.name,
                    preflight::how_to_get(&usage.name, lack, major)
                )
            })
            .collect();
        return Err(anyhow::Error::new(ConfigError::new(format!(
            "the server lacks extensions the migrations create, so nothing was changed:\n{}\n\
             install them, or pass --allow-missing-extensions to leave those statements out",
            lines.join("\n")
        ))));
    }
    let mut skipped = Vec::new();
    for (usage, lack) in &missing {
        let script = &mut plan.migrations[usage.script];
        let instead =
            usage.schema.as_ref().map(|schema| format!("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(schema)));
        script.replaced.insert(usage.statement, instead);
        let why = match lack {
            Lack::NotAvailable => "not on this server".to_string(),
            Lack::NotPreloaded => "not in shared_preload_libraries".to_string(),
            Lack::OtherDatabase(other) => format!("created only in database {other}"),
        };
        on_event(Event::Skipped(usage, &plan.migrations[usage.script], why));
        skipped.push(usage.name.clone());
    }
    skipped.sort();
    skipped.dedup();
    let cron =
        uses.iter().any(|usage| usage.name == preflight::CRON) && !skipped.iter().any(|name| name == preflight::CRON);
    Ok((skipped, cron))
}

struct Job<'a, 'e> {
    admin: &'a mut Client,
    target: &'a Target,
    build: &'a str,
    /// A spare taking the new migrations too, to become the next cache.
    pair: Option<&'a str>,
    version: i32,
    plan: &'a Plan,
    options: &'a Options,
    watch: &'a Watch,
    keys: Option<Vec<String>>,
    /// The user the sessions connect as.
    user: &'a str,
    on_event: &'a mut dyn FnMut(Event<'e>),
}

impl<'a> Job<'a, 'a> {
    /// A session on the build for the base (the files go through [`Job::session_on`]).
    fn connect(&self) -> anyhow::Result<Client> {
        let database = self.build;
        let mut client = self
            .target
            .connect(database)
            .with_context(|| format!("cannot connect to the build database {database}"))?;
        // A reset database is rebuilt from files, so a commit need not wait for the disk.
        client.batch_execute("SET synchronous_commit = off").context("cannot configure the session")?;
        self.watch.register(client.cancel_token());
        Ok(client)
    }

    /// A session sending files as the CLI does, on `database`.
    fn session_on(&self, database: &str) -> anyhow::Result<Session> {
        let session = Session::connect(&self.target.config, database)
            .with_context(|| format!("cannot connect to the build database {database}"))?;
        self.watch.register(session.canceller());
        Ok(session)
    }

    fn fill(&mut self, from_cache: usize) -> anyhow::Result<Report> {
        check_signal()?;
        if from_cache == 0 {
            let mut client = self.connect()?;
            failpoint(&mut client, "base")?;
            self.options.base.create_in_database(&mut client).context("cannot create the base")?;
        }
        // A new session starts from the database's settings (the search path), so a
        // migration's `RESET ALL` returns to them, as on Supabase.
        let mut client = self.session_on(self.build)?;
        (self.on_event)(Event::Reset { from_cache });
        let mut report = Report { from_cache, migrations: from_cache, ..Report::default() };
        let migrations = &self.plan.migrations[from_cache..];
        for script in migrations {
            (self.on_event)(Event::Migration(script));
            report.migrations += self.run(&mut client, script, &mut report.failures)?;
        }
        check_signal()?;
        if let Some(keys) = &self.keys {
            // A cache is only what a fresh session continues from as this one would.
            if report.failures.is_empty() && !residue(&mut client, self.user)? {
                let cache = cache::name(&self.target.database, &keys[self.plan.migrations.len()]);
                if !migrations.is_empty() && !self.adopt_pair(&cache, from_cache)? {
                    drop(client);
                    self.store_copy(&cache)?;
                    client = self.session_on(self.build)?;
                }
                report.cache = Some(cache);
            }
        }
        if !self.plan.seeds.is_empty() {
            client
                .simple(apply::SEED_TABLE)?
                .map_err(|err| anyhow::anyhow!("cannot create the seed history: {err}"))?;
        }
        for script in &self.plan.seeds {
            (self.on_event)(Event::Seed(script));
            report.seeds += self.run(&mut client, script, &mut report.failures)?;
        }
        check_signal()?;
        Ok(report)
    }

    /// The pair, given the same new migrations, renamed to the cache `cache`: false when
    /// there is no pair or it differs.
    fn adopt_pair(&mut self, cache: &str, from_cache: usize) -> anyhow::Result<bool> {
        let Some(pair) = self.pair else { return Ok(false) };
        if !self.fill_pair(pair, from_cache)? {
            return Ok(false);
        }
        end_sessions(self.admin, pair, self.version)?;
        cache::adopt(self.admin, &self.target.database, pair, cache, self.version).context("cannot store the cache")?;
        Ok(true)
    }

    /// A copy of the build (no session may be on it) kept as the cache `cache`.
    fn store_copy(&mut self, cache: &str) -> anyhow::Result<()> {
        // Closed while copied: pg_cron's worker reconnects within a second to a build under
        // the target's name (in place), and a copy refuses a database with a session.
        let build = quote_ident(self.build);
        self.admin.batch_execute(&format!("ALTER DATABASE {build} ALLOW_CONNECTIONS false"))?;
        let stored = end_sessions(self.admin, self.build, self.version)
            .map_err(anyhow::Error::from)
            .and_then(|()| cache::store(self.admin, &self.target.database, self.build, cache, self.version));
        let reopened = swap::reopen(self.admin, self.build);
        stored.context("cannot store the cache")?;
        anyhow::ensure!(reopened, "cannot open the build {} to sessions again", self.build);
        Ok(())
    }

    /// Applies the new migrations to the pair; false when one fails there though it went
    /// into the build (a migration that is not deterministic): then the build is copied.
    fn fill_pair(&self, pair: &str, from_cache: usize) -> anyhow::Result<bool> {
        let mut client = self.session_on(pair)?;
        for script in &self.plan.migrations[from_cache..] {
            check_signal()?;
            let applied = apply::apply(&mut client, script);
            check_signal()?;
            if !matches!(applied, Ok(Ok(()))) {
                tracing::warn!(file = %script.file.shown, "the spare copy differs from the build; copying the build");
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// 1 when the file went in, 0 when it failed and the refresh keeps going.
    fn run(&self, client: &mut Session, script: &Script, failures: &mut Vec<FileFailure>) -> anyhow::Result<usize> {
        check_signal()?;
        let outcome = apply::apply(client, script);
        // A signal cancels the running statement: that is no failure of the file.
        check_signal()?;
        match outcome? {
            Ok(()) => Ok(1),
            Err(failure) if self.options.keep_going => {
                failures.push(failure);
                Ok(0)
            }
            Err(failure) => Err(failure.into()),
        }
    }
}

/// Settings that can change what migrations make; what a cache key covers beyond the files.
const KEYED_SETTINGS: &str = "'DateStyle', 'IntervalStyle', 'TimeZone', 'bytea_output', 'check_function_bodies', \
    'default_table_access_method', 'default_tablespace', 'default_toast_compression', 'default_transaction_isolation', \
    'default_transaction_read_only', 'extra_float_digits', 'lc_collate', 'lc_ctype', 'lc_monetary', 'lc_numeric', \
    'lc_time', 'row_security', 'search_path', 'server_encoding', 'server_version', 'session_replication_role', \
    'shared_preload_libraries', 'standard_conforming_strings', 'xmloption'";

/// The connecting user, and everything besides the files a build depends on: the user
/// (it owns what migrations make), whether it is a superuser, the server's version and
/// the settings that matter.
fn environment(admin: &mut Client) -> Result<(String, String), postgres::Error> {
    let row = admin.query_one(
        &format!(
            "SELECT current_user::text, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)::text, \
             (SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN ({KEYED_SETTINGS}))"
        ),
        &[],
    )?;
    let (user, superuser, settings): (String, String, String) = (row.get(0), row.get(1), row.get(2));
    let environment = format!("user={user} superuser={superuser} {settings}");
    Ok((user, environment))
}

/// What earlier runs left that is not this refresh's to touch: databases named like
/// mynatca's without its mark, and targets a killed refresh set aside.
fn look_around(admin: &mut Client, target: &Target, on_event: &mut dyn FnMut(Event)) -> anyhow::Result<()> {
    for name in cache::strangers(admin, &target.database).context("cannot list the databases")? {
        on_event(Event::Stranger(name));
    }
    for name in marks::set_aside(admin, &target.database).context("cannot list the databases")? {
        let restore = swap::restore_command(target, &name);
        on_event(Event::SetAside { name, restore });
    }
    Ok(())
}

/// What a session keeps across files that a new session would not have: a role or
/// session user set by a migration (`RESET ALL` keeps both, as in the Supabase CLI),
/// settings of its own, prepared statements, cursors, temporary tables, a listen, an
/// open transaction. A cache taken with any of it would make a warm refresh differ from
/// a cold one, so none is taken.
fn residue(session: &mut Session, user: &str) -> anyhow::Result<bool> {
    if session.in_transaction() {
        return Ok(true);
    }
    let user = user.replace('\'', "''");
    let sql = format!(
        "SELECT (current_user <> session_user OR session_user <> '{user}' \
         OR EXISTS (SELECT FROM pg_settings WHERE source = 'session' AND name <> 'synchronous_commit') \
         OR EXISTS (SELECT FROM pg_prepared_statements) OR EXISTS (SELECT FROM pg_cursors) \
         OR EXISTS (SELECT FROM pg_class WHERE relnamespace = pg_my_temp_schema()) \
         OR EXISTS (SELECT FROM pg_listening_channels()))::text"
    );
    let value = session.value(&sql)?.map_err(|err| anyhow::anyhow!("cannot read the session's state: {err}"))?;
    let left = value.as_deref() != Some("false");
    if left {
        tracing::info!("the last migration leaves session state behind (a role, a setting): no cache is kept");
    }
    Ok(left)
}

/// A marker error for a signal, given its target and build by [`abandon`].
#[derive(Debug)]
struct Signalled(i32);

impl fmt::Display for Signalled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "interrupted by {}", interrupt::signal_name(self.0))
    }
}

impl std::error::Error for Signalled {}

fn check_signal() -> anyhow::Result<()> {
    match interrupt::received() {
        Some(signal) => Err(Signalled(signal).into()),
        None => Ok(()),
    }
}

/// Drops the build (or keeps it), and says what became of the target.
fn abandon(
    admin: &mut Client,
    target: &Target,
    (builds, keep, version): (&[&str], bool, i32),
    err: anyhow::Error,
) -> anyhow::Error {
    let kept = keep.then(|| builds[0].to_string());
    if let Some(kept) = &kept {
        if let Err(err) = marks::mark(admin, kept, Some(marks::KEPT)) {
            tracing::warn!(%err, kept, "cannot mark the kept build");
        }
    }
    // The second is a spare taking the new migrations for the cache: never kept.
    for build in if keep { &builds[1..] } else { builds } {
        // A cancel sent for the signal may land on the drop: try again.
        let dropped = (0..3)
            .map(|_| drop_database(admin, build, version))
            .find(|r| !matches!(r, Err(err) if err.code() == Some(&postgres::error::SqlState::QUERY_CANCELED)));
        if let Some(Err(drop_err)) = dropped {
            tracing::warn!(%drop_err, build, "cannot drop the build database");
        }
    }
    let target_text = target.describe();
    if let Some(signal) = err.downcast_ref::<Signalled>() {
        return Interrupted::refresh(signal.0, &target_text, kept.as_deref(), !builds.is_empty()).into();
    }
    if let Some(failure) = err.downcast_ref::<FileFailure>() {
        return Stopped { failure: failure.clone(), target: target_text, kept }.into();
    }
    let whose = match kept {
        Some(kept) => format!("{target_text} was left as it was; the build is kept as database \"{kept}\""),
        None => format!("{target_text} was left as it was"),
    };
    err.context(whose)
}
