//! A refresh: build into a scratch database beside the target (from the longest cached
//! prefix, or from scratch), and only replace the target once migrations and seeds are in.

use std::fmt;

use anyhow::Context as _;
use postgres::Client;

use super::apply::{self, FileFailure, Script};
use super::interrupt::{self, Watch};
use super::preflight::{self, ExtensionUse, Lack};
use super::{cache, copy_settings, maintenance_client, quote_ident, Base, Target};
use crate::error::ConfigError;

/// How a refresh runs (the flags of `mynatca refresh`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) base: Base,
    pub(crate) keep_going: bool,
    pub(crate) allow_missing_extensions: bool,
    pub(crate) cache: bool,
    pub(crate) keep_failed: bool,
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
        write!(
            f,
            "{}; the file was rolled back, nothing after it ran and {} was left as it was",
            self.failure, self.target
        )?;
        if let Some(kept) = &self.kept {
            write!(f, " (the build is kept as database \"{kept}\")")?;
        }
        write!(f, ": fix it and run `mynatca refresh` again")
    }
}

impl std::error::Error for Stopped {}

/// The refresh was interrupted by a signal: the target was left as it was.
#[derive(Debug)]
pub(crate) struct Interrupted {
    pub(crate) signal: i32,
    pub(crate) target: String,
    pub(crate) kept: Option<String>,
}

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "interrupted by {}: {} was left as it was", interrupt::signal_name(self.signal), self.target)?;
        match &self.kept {
            Some(kept) => write!(f, "; the unfinished build is kept as database \"{kept}\""),
            None => write!(f, " and the unfinished build was dropped"),
        }
    }
}

impl std::error::Error for Interrupted {}

/// Checks the extensions, builds, then swaps the build in for the target. Stops at the
/// first failing file unless `keep_going`.
pub(crate) fn refresh(
    target: &Target,
    plan: &mut Plan,
    options: &Options,
    on_event: &mut dyn FnMut(Event),
) -> anyhow::Result<Report> {
    let watch = Watch::start();
    let mut admin = maintenance_client(target)?;
    on_event(Event::Connected);
    let version: i32 = admin
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .context("cannot read the server version")?
        .get(0);
    let skipped = extensions(&mut admin, plan, options, version, on_event)?;
    options.base.create_roles(&mut admin).context("cannot create the base's roles")?;
    let keys = options.cache.then(|| cache::chain(options.base, &version.to_string(), &skipped, &plan.migrations));
    let start = match &keys {
        Some(keys) => cache::find(&mut admin, &target.database, keys).context("cannot list the cached databases")?,
        None => None,
    };

    let build = format!("mynatca_build_{}_{}", cache::target_part(&target.database), std::process::id());
    let created = create_build(&mut admin, &build, start.as_ref().map(|(_, name)| name.as_str()));
    let filled = created.and_then(|()| {
        let mut job = Job { admin: &mut admin, target, build: &build, plan, options, watch: &watch, keys, on_event };
        job.fill(start.map_or(0, |(count, _)| count))
    });
    match filled {
        Ok(mut report) => {
            swap(&mut admin, target, &build, version)?;
            report.skipped = skipped;
            Ok(report)
        }
        Err(err) => Err(abandon(&mut admin, target, &build, options.keep_failed, err)),
    }
}

/// The preflight: exit 2 listing what is missing, or (allowed) the statements left out.
fn extensions(
    admin: &mut Client,
    plan: &mut Plan,
    options: &Options,
    version: i32,
    on_event: &mut dyn FnMut(Event),
) -> anyhow::Result<Vec<String>> {
    let uses = preflight::scan(&plan.migrations);
    let missing = preflight::check(admin, &uses).context("cannot list the server's extensions")?;
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
            Lack::NotAvailable => "not on this server",
            Lack::NotPreloaded => "not in shared_preload_libraries",
        };
        on_event(Event::Skipped(usage, &plan.migrations[usage.script], why.to_string()));
        skipped.push(usage.name.clone());
    }
    skipped.sort();
    skipped.dedup();
    Ok(skipped)
}

fn create_build(admin: &mut Client, build: &str, cache: Option<&str>) -> anyhow::Result<()> {
    let quoted = quote_ident(build);
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {quoted}")).context("cannot drop an old build")?;
    // template0 is pristine and never busy: template1 may hold local additions or sessions.
    let template = cache.unwrap_or("template0");
    admin
        .batch_execute(&format!("CREATE DATABASE {quoted} TEMPLATE {}", quote_ident(template)))
        .with_context(|| format!("cannot create the build database {build}"))?;
    if let Some(cache) = cache {
        copy_settings(admin, cache, build).context("cannot copy the cached database's settings")?;
        cache::touch(admin, cache).context("cannot mark the cache used")?;
    }
    Ok(())
}

struct Job<'a, 'e> {
    admin: &'a mut Client,
    target: &'a Target,
    build: &'a str,
    plan: &'a Plan,
    options: &'a Options,
    watch: &'a Watch,
    keys: Option<Vec<String>>,
    on_event: &'a mut dyn FnMut(Event<'e>),
}

impl<'a> Job<'a, 'a> {
    fn connect(&self) -> anyhow::Result<Client> {
        let mut client = self
            .target
            .connect(self.build)
            .with_context(|| format!("cannot connect to the build database {}", self.build))?;
        // A reset database is rebuilt from files, so a commit need not wait for the disk.
        client.batch_execute("SET synchronous_commit = off").context("cannot configure the session")?;
        self.watch.register(client.cancel_token());
        Ok(client)
    }

    fn fill(&mut self, from_cache: usize) -> anyhow::Result<Report> {
        check_signal()?;
        let mut client = self.connect()?;
        if from_cache == 0 {
            self.options.base.create_in_database(&mut client).context("cannot create the base")?;
            // A new session starts from the database's settings (the search path), so a
            // migration's `RESET ALL` returns to them, as on Supabase.
            client = self.connect()?;
        }
        (self.on_event)(Event::Reset { from_cache });
        let mut report = Report { from_cache, migrations: from_cache, ..Report::default() };
        let migrations = &self.plan.migrations[from_cache..];
        for script in migrations {
            (self.on_event)(Event::Migration(script));
            report.migrations += self.run(&mut client, script, &mut report.failures)?;
        }
        check_signal()?;
        if let Some(keys) = &self.keys {
            if report.failures.is_empty() && !migrations.is_empty() {
                drop(client);
                let cache = cache::name(&self.target.database, &keys[self.plan.migrations.len()]);
                cache::store(self.admin, &self.target.database, self.build, &cache)
                    .context("cannot store the cache")?;
                client = self.connect()?;
            }
        }
        for script in &self.plan.seeds {
            (self.on_event)(Event::Seed(script));
            report.seeds += self.run(&mut client, script, &mut report.failures)?;
        }
        check_signal()?;
        Ok(report)
    }

    /// 1 when the file went in, 0 when it failed and the refresh keeps going.
    fn run(&self, client: &mut Client, script: &Script, failures: &mut Vec<FileFailure>) -> anyhow::Result<usize> {
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
fn abandon(admin: &mut Client, target: &Target, build: &str, keep: bool, err: anyhow::Error) -> anyhow::Error {
    let kept = keep.then(|| build.to_string());
    if !keep {
        if let Err(drop_err) =
            admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(build)))
        {
            tracing::warn!(%drop_err, build, "cannot drop the build database");
        }
    }
    let target_text = target.describe();
    if let Some(signal) = err.downcast_ref::<Signalled>() {
        return Interrupted { signal: signal.0, target: target_text, kept }.into();
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

/// Replaces the target with the build: the target's sessions ended, dropped, the build
/// renamed. Signals are not acted on here: stopping between the two would lose both.
fn swap(admin: &mut Client, target: &Target, build: &str, version: i32) -> anyhow::Result<()> {
    let name = quote_ident(&target.database);
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&target.database],
        )
        .with_context(|| format!("cannot end the other sessions on {}", target.describe()))?;
    // Sessions opened since the terminate are ended by FORCE where the server has it (PG 13+).
    let force = if version >= 130000 { " WITH (FORCE)" } else { "" };
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}{force}"))
        .with_context(|| format!("cannot drop {}", target.describe()))?;
    admin
        .batch_execute(&format!("ALTER DATABASE {} RENAME TO {name}", quote_ident(build)))
        .with_context(|| format!("cannot rename the build {build} to {}", target.describe()))
}
