//! The database's side of the workflow, working on the database in place (no build, no
//! swap): `up` applies what is pending as the Supabase CLI's `migration up` does, `repair`
//! edits the history as `migration repair` does, `status --db` compares.

use anyhow::Context as _;
use postgres::Client;

use super::apply::{self, FileFailure, Record, Script};
use super::history::{self, Applied, Row, State};
use super::interrupt::{self, Watch};
use super::wire::Session;
use super::{maintenance_client, upkeep, Target};
use crate::error::Interrupted;

/// The history, read in a read-only transaction (safe against a shared server).
pub(crate) fn read_history(target: &Target) -> anyhow::Result<Vec<Applied>> {
    let mut client = target.read_only_client()?;
    let mut tx = client.build_transaction().read_only(true).start()?;
    let rows = history::read(&mut tx).context("cannot read supabase_migrations.schema_migrations")?;
    tx.commit()?;
    Ok(rows)
}

/// mynatca's own databases on the target's server (caches, spares, trash, ...), with sizes.
pub(crate) fn server_databases(target: &Target) -> anyhow::Result<Vec<super::marks::Owned>> {
    let mut client = target.read_only_client()?;
    super::marks::owned(&mut client).context("cannot list the server's databases")
}

/// What `up` will apply, or why it will not.
#[derive(Debug)]
pub(crate) struct UpPlan<'a> {
    pub(crate) apply: Vec<&'a Script>,
}

/// The refusals of `up`: applied migrations missing here, edited ones, and (without
/// `include_all`) pending ones older than the newest applied.
pub(crate) fn plan<'a>(rows: &[Row<'a>], include_all: bool) -> anyhow::Result<UpPlan<'a>> {
    let mut problems = Vec::new();
    for row in rows {
        let file = row
            .local
            .map_or_else(|| format!("version {}", row.version), |s| format!("{} ({})", s.file.shown, s.file.project));
        match &row.state {
            State::Missing => problems.push(format!(
                "{file}: applied, missing here: `git switch` back to the branch that has it, or `mynatca refresh` to rebuild, or `mynatca repair {} --status reverted`",
                row.version
            )),
            State::Edited { .. } => problems.push(format!(
                "{file}: edited since applied: `mynatca refresh` rebuilds with it, or restore the applied text"
            )),
            State::Pending { out_of_order: true } if !include_all => problems.push(format!(
                "{file}: pending, out of order (older than the newest applied): pass --include-all to apply it anyway"
            )),
            _ => {}
        }
    }
    if !problems.is_empty() {
        anyhow::bail!("nothing was applied:\n  {}", problems.join("\n  "));
    }
    let apply = rows.iter().filter(|r| matches!(r.state, State::Pending { .. })).filter_map(|r| r.local).collect();
    Ok(UpPlan { apply })
}

/// Applies `scripts` in order to the target itself, each as the CLI sends it, under the
/// target's lock (refreshes and `up` runs take turns). Stops at the first failure, the
/// files before it staying applied, as the CLI does; Ctrl-C stops between files.
pub(crate) fn up(target: &Target, scripts: &[&Script], on_file: &mut dyn FnMut(&Script)) -> anyhow::Result<usize> {
    let watch = Watch::start();
    let mut admin = maintenance_client(target)?;
    watch.register(admin.cancel_token());
    upkeep::lock(&mut admin, &target.database, || {}).context("cannot take the target's lock")?;
    let mut session = Session::connect(&target.config, &target.database)
        .with_context(|| format!("cannot connect to {}", target.describe()))?;
    watch.register(session.canceller());
    history::ensure_table(&mut session)?;
    let mut applied = 0;
    let stopped = |signal: i32, applied: usize| Interrupted {
        signal,
        left: format!(
            "{}: the file running was rolled back and nothing after it ran; {} this run applied before it stay",
            target.describe(),
            crate::text::plural(applied, "migration")
        ),
    };
    for script in scripts {
        if let Some(signal) = interrupt::received() {
            return Err(stopped(signal, applied).into());
        }
        on_file(script);
        match apply::apply(&mut session, script)? {
            Ok(()) => applied += 1,
            Err(failure) => {
                if let Some(signal) = interrupt::received() {
                    // The running file was cancelled: rolled back as any failing file.
                    return Err(stopped(signal, applied).into());
                }
                return Err(Stopped { failure, applied }.into());
            }
        }
    }
    watch.keep_noting();
    Ok(applied)
}

/// `up` stopped at a failing file.
#[derive(Debug)]
pub(crate) struct Stopped {
    pub(crate) failure: FileFailure,
    pub(crate) applied: usize,
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}; the {} before it stay applied, as `supabase migration up` leaves them: fix it and run `mynatca up` again",
            self.failure,
            crate::text::plural(self.applied, "migration")
        )
    }
}

impl std::error::Error for Stopped {}

/// How `repair` marks versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    Applied,
    Reverted,
}

/// Marks `versions` in one transaction, as `supabase migration repair` does: applied
/// writes the row the CLI writes (the file's name and statements), reverted deletes it.
/// Returns, for each version, whether the row changed.
pub(crate) fn repair(target: &Target, versions: &[(&str, Option<&Script>)], mark: Mark) -> anyhow::Result<Vec<bool>> {
    let mut admin = maintenance_client(target)?;
    upkeep::lock(&mut admin, &target.database, || {}).context("cannot take the target's lock")?;
    let mut client: Client = target.client()?;
    client.batch_execute(history::CREATE_TABLE).context("cannot create the migration history table")?;
    let mut tx = client.transaction()?;
    let mut changed = Vec::new();
    for (version, script) in versions {
        let n = match (mark, script) {
            (Mark::Reverted, _) => {
                tx.execute("DELETE FROM supabase_migrations.schema_migrations WHERE version = $1", &[version])?
            }
            (Mark::Applied, Some(script)) => {
                let Record::Migration(history) = &script.record else { continue };
                let statements: Vec<&str> = (0..script.statements.len()).map(|i| script.statement(i)).collect();
                tx.execute(
                    "INSERT INTO supabase_migrations.schema_migrations (version, name, statements) VALUES ($1, $2, $3) \
                     ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, statements = EXCLUDED.statements \
                     WHERE schema_migrations.name IS DISTINCT FROM EXCLUDED.name \
                     OR schema_migrations.statements IS DISTINCT FROM EXCLUDED.statements",
                    &[version, &history.name, &statements],
                )?
            }
            (Mark::Applied, None) => 0,
        };
        changed.push(n > 0);
    }
    tx.commit()?;
    Ok(changed)
}
