//! `mynatca link`: reconcile the platform's links, and the report every relinking
//! command (hooks, link-project, unlink-project, new, refresh) prints.

use anyhow::Context as _;
use serde_json::json;

use crate::cli::LinkArgs;
use crate::commands::Context;
use crate::error::Outcome;
use crate::gitdir;
use crate::reconcile::{self, Applied, Change, Plan};
use crate::registry::Project;
use crate::ui::Ui;
use crate::workspace::Workspace;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Apply,
    /// Print the plan, change nothing.
    DryRun,
    /// Change nothing; drift is a problem.
    Check,
}

/// The outcome of one reconciliation.
#[derive(Debug)]
pub struct LinkReport {
    pub mode: Mode,
    pub platform: String,
    pub plan: Plan,
    /// What was done, or with `DryRun`/`Check` what would be.
    pub applied: Applied,
    /// With `DryRun`/`Check`: one line per planned action.
    pub planned: Vec<String>,
}

impl LinkReport {
    pub fn changed(&self) -> bool {
        let a = &self.applied;
        !(a.created.is_empty() && a.updated.is_empty() && a.removed.is_empty())
    }

    /// Conflicts, duplicates, failed writes, or drift under `--check`.
    pub fn has_problems(&self) -> bool {
        self.plan.has_problems() || !self.applied.errors.is_empty() || (self.mode == Mode::Check && self.changed())
    }

    pub fn summary(&self) -> String {
        let a = &self.applied;
        let suffix = match self.mode {
            Mode::Apply => "",
            Mode::DryRun => " (dry run: nothing changed)",
            Mode::Check => " (check: nothing changed)",
        };
        format!(
            "linked: {} created, {} updated, {} removed, {} unchanged{suffix}",
            a.created.len(),
            a.updated.len(),
            a.removed.len(),
            self.plan.unchanged
        )
    }
}

pub fn run(ctx: &Context, args: &LinkArgs) -> anyhow::Result<Outcome> {
    let ws = ctx.workspace()?;
    let mode = if args.check {
        Mode::Check
    } else if args.dry_run {
        Mode::DryRun
    } else {
        Mode::Apply
    };
    let report = relink(&ws, mode, &[])?;
    if args.json {
        ctx.ui.out(&to_json(&report).to_string());
        print_problems(ctx.ui, &report);
    } else {
        print(ctx.ui, &report);
    }
    Ok(Outcome::from_problems(report.has_problems()))
}

/// Scans, plans and (in `Apply` mode) applies under the workspace lock, then keeps the
/// platform's `info/exclude` block current. `unlinking`: projects leaving the registry, or
/// the old entries of projects being replaced (their links are handed over).
pub fn relink(ws: &Workspace, mode: Mode, unlinking: &[Project]) -> anyhow::Result<LinkReport> {
    let _lock = reconcile::lock(ws, mode == Mode::Apply)
        .with_context(|| format!("cannot lock {}", ws.platform.join(reconcile::LOCK_FILE).display()))?;
    let input = reconcile::scan(ws, unlinking);
    let plan = reconcile::plan(&input);
    let (applied, planned) = match mode {
        Mode::Apply => {
            let mut applied = reconcile::apply(&input, &plan);
            if let Err(err) = update_exclude(ws, &input, &plan) {
                applied.errors.push(format!("cannot update the git exclude file: {err}"));
            }
            (applied, Vec::new())
        }
        Mode::DryRun | Mode::Check => planned(&input, &plan),
    };
    Ok(LinkReport { mode, platform: ws.platform.display().to_string(), plan, applied, planned })
}

fn planned(input: &reconcile::Input, plan: &Plan) -> (Applied, Vec<String>) {
    let mut applied = Applied::default();
    let mut lines = Vec::with_capacity(plan.actions.len());
    for action in &plan.actions {
        let name = reconcile::display_name(&input.dirs[action.dir], &action.name);
        let target = action.target.as_ref().map(|t| format!(" -> {}", t.display())).unwrap_or_default();
        let (verb, list) = match action.change {
            Change::Create => ("create", &mut applied.created),
            Change::Retarget => ("update", &mut applied.updated),
            Change::Remove => ("remove", &mut applied.removed),
        };
        lines.push(format!("{verb} {name}{target}"));
        list.push(name);
    }
    (applied, lines)
}

/// Lists every managed link (and the lock) in the platform repo's `info/exclude`, so
/// none of them shows in `git status`.
fn update_exclude(ws: &Workspace, input: &reconcile::Input, plan: &Plan) -> std::io::Result<()> {
    let Some(git) = gitdir::discover(&ws.platform) else {
        return Ok(());
    };
    let prefix = match ws.platform.strip_prefix(&git.work_tree) {
        Ok(rel) if rel.as_os_str().is_empty() => String::new(),
        Ok(rel) => format!("{}/", rel.display()),
        Err(_) => return Ok(()),
    };
    let mut patterns = String::with_capacity(64 * (plan.managed.len() + 1));
    gitdir::push_literal_pattern(&mut patterns, &["/", &prefix, reconcile::LOCK_FILE]);
    for &(dir, offer) in &plan.managed {
        let dir = &input.dirs[dir];
        gitdir::push_literal_pattern(&mut patterns, &["/", &prefix, &dir.rel, "/", &dir.offers[offer].name]);
    }
    if gitdir::update_exclude_block(&git.common_dir, &patterns)? {
        tracing::debug!(exclude = %git.common_dir.join("info/exclude").display(), "updated the managed block");
    }
    Ok(())
}

/// The human report: planned actions (dry run, check), problems on stderr, the summary.
/// With `--quiet`, nothing at all when nothing changed and nothing is wrong.
pub fn print(ui: &Ui, report: &LinkReport) {
    if report.mode != Mode::Apply {
        print_actions(ui, report);
    }
    print_problems(ui, report);
    let noteworthy = report.changed() || report.has_problems();
    if !ui.quiet || noteworthy {
        ui.out(&report.summary());
    }
}

fn print_actions(ui: &Ui, report: &LinkReport) {
    for line in &report.planned {
        ui.out(line);
    }
}

/// Conflicts, duplicates and failures as `error:`, the rest as `warning:`.
pub fn print_problems(ui: &Ui, report: &LinkReport) {
    for conflict in &report.plan.conflicts {
        ui.error(&format!("conflict: {}", conflict.message));
    }
    for duplicate in &report.plan.duplicates {
        ui.error(&duplicate_message(duplicate));
    }
    for error in &report.applied.errors {
        ui.error(error);
    }
    for warning in &report.plan.warnings {
        ui.warn(&warning.message);
    }
}

pub fn duplicate_message(duplicate: &reconcile::Duplicate) -> String {
    let files: Vec<String> = duplicate.files.iter().map(|(project, name)| format!("{name} ({project})")).collect();
    format!(
        "duplicate version {}: {}; `supabase db reset` would fail on schema_migrations_pkey: give all but one a new version (`mynatca new` picks a free one)",
        duplicate.version,
        files.join(", ")
    )
}

pub fn to_json(report: &LinkReport) -> serde_json::Value {
    let plan = &report.plan;
    json!({
        "platform": report.platform,
        "created": report.applied.created,
        "updated": report.applied.updated,
        "removed": report.applied.removed,
        "unchanged": plan.unchanged,
        "conflicts": plan.conflicts.iter().map(|c| json!({
            "name": c.name,
            "kind": c.kind.as_str(),
            "projects": c.projects,
            "message": c.message,
        })).collect::<Vec<_>>(),
        "duplicates": plan.duplicates.iter().map(|d| json!({
            "version": d.version,
            "files": d.files.iter().map(|(project, name)| json!({"project": project, "name": name})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "warnings": plan.warnings.iter().map(|w| format!("{}: {}", w.kind.as_str(), w.message)).collect::<Vec<_>>(),
        "errors": report.applied.errors,
        "dry_run": report.mode != Mode::Apply,
    })
}
