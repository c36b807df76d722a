//! `mynatca up`: the pending migrations applied to the database in place, as the Supabase
//! CLI's `migration up` applies them, after linking.

use anyhow::bail;

use crate::cli::UpArgs;
use crate::commands::{render, Context};
use crate::db::{self, Record, Script, Target};
use crate::error::Outcome;
use crate::reconcile::{self, Mode};
use crate::ui::plural;
use crate::workspace::Workspace;

pub(crate) fn run(ctx: &Context, args: &UpArgs) -> anyhow::Result<Outcome> {
    let ws = ctx.workspace()?;
    let target = target(ctx, &ws, args.database.allow_remote, "apply migrations to")?;
    // Linking only changes links (as refresh, it always runs): the plan is the linked one.
    let report = reconcile::relink(&ws, Mode::Apply, &[], ctx.wait)?;
    render::report(ctx.ui, &report);
    if report.has_problems() {
        bail!("up refused: the links have the problems above, so nothing was applied; fix them and run `mynatca up` again");
    }
    let local = local_migrations(&ws)?;
    let applied = db::read_history(&target)?;
    let rows = db::history::compare(&local, &applied);
    let plan = db::plan(&rows, args.include_all)?;
    if plan.apply.is_empty() {
        ctx.ui.info(&format!("up to date: {} has every migration of the workspace", target.describe()));
        return Ok(Outcome::Clean);
    }
    if args.dry_run {
        ctx.ui.info(&format!("would apply {} to {}:", plural(plan.apply.len(), "migration"), target.describe()));
        for script in &plan.apply {
            ctx.ui.info(&format!("  {} ({})", script.file_name(), script.file.project));
        }
        return Ok(Outcome::Clean);
    }
    let applied = db::up(&target, &plan.apply, &mut |script| {
        ctx.ui.info(&format!("applying {} ({})", script.file_name(), script.file.project));
    })?;
    ctx.ui.info(&format!("up: {} applied to {}", plural(applied, "migration"), target.describe()));
    Ok(Outcome::Clean)
}

/// The database of a command that writes to it: a remote host only with `--allow-remote`.
pub(super) fn target(ctx: &Context, ws: &Workspace, allow_remote: bool, what: &str) -> anyhow::Result<Target> {
    let resolved = ctx.database(ws)?;
    let target = Target::parse(&resolved.url)?;
    target.refuse_remote(allow_remote, what, "")?;
    Ok(target)
}

/// The workspace's migrations as the platform sees them, read and split.
pub(super) fn local_migrations(ws: &Workspace) -> anyhow::Result<Vec<Script>> {
    db::migrations(ws)?
        .into_iter()
        .map(|m| Ok(Script::load(m.file, Record::Migration(db::History { version: m.version, name: m.name }))?))
        .collect()
}
