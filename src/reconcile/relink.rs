//! The core API the commands call: [`survey`] (scan under the workspace lock) and
//! [`relink`] (survey, plan, apply or preview, keep `info/exclude` current).

use std::io;

use anyhow::Context as _;

use super::{apply, plan, scan, Action, Applied, Input, Plan, Verdict, LOCK_FILE};
use crate::diagnostic::{Code, Diagnostic};
use crate::gitdir;
use crate::lockfile::{self, Held, Wait};
use crate::registry::Project;
use crate::workspace::Workspace;

/// How a relink treats the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Apply,
    /// Print the plan, change nothing.
    DryRun,
    /// Change nothing; drift is a problem.
    Check,
}

/// Which workspace lock a survey holds while it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lock {
    /// To change links: no other run reads or writes meanwhile.
    Exclusive,
    /// To read links: no relink is half-done while we look.
    Shared,
    /// No lock (the caller already holds one, or does not care).
    None,
}

/// What exists, read under a lock that is held until the survey is dropped.
#[derive(Debug)]
pub(crate) struct Survey {
    pub(crate) input: Input,
    _lock: Option<Held>,
}

impl Survey {
    pub(crate) fn plan(&self) -> Plan<'_> {
        plan(&self.input)
    }
}

/// Takes `lock`, then scans. `unlinking`: projects leaving the registry, or the old
/// entries of projects being replaced (their links are handed over).
pub(crate) fn survey(ws: &Workspace, lock: Lock, unlinking: &[Project], wait: Wait) -> anyhow::Result<Survey> {
    let held = self::lock(ws, lock, wait)?;
    Ok(Survey { input: scan(ws, unlinking)?, _lock: held })
}

/// Surveys, plans and (in `Apply` mode) applies under the exclusive lock, then keeps the
/// platform's `info/exclude` block current.
pub(crate) fn relink(ws: &Workspace, mode: Mode, unlinking: &[Project], wait: Wait) -> anyhow::Result<Report> {
    let lock = if mode == Mode::Apply { Lock::Exclusive } else { Lock::Shared };
    let _held = self::lock(ws, lock, wait)?;
    relink_locked(ws, mode, unlinking)
}

/// [`relink`] for a caller that already holds the exclusive lock (link-project,
/// unlink-project and new hold it across their read-modify-write of the registry).
pub(crate) fn relink_locked(ws: &Workspace, mode: Mode, unlinking: &[Project]) -> anyhow::Result<Report> {
    relink_scoped(ws, mode, unlinking, Scope::All)
}

/// [`relink`] in `Apply` mode that only creates links, for the hook mid-rebase: the work
/// tree then lacks what the commits still to be replayed bring, so a link removed now
/// could be one the rebase's end state has (post-rewrite then relinks in full).
pub(crate) fn relink_additions(ws: &Workspace, wait: Wait) -> anyhow::Result<Report> {
    let _held = self::lock(ws, Lock::Exclusive, wait)?;
    relink_scoped(ws, Mode::Apply, &[], Scope::Additions)
}

/// Which of the planned changes a relink makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    All,
    /// Creations only: see [`relink_additions`].
    Additions,
}

fn relink_scoped(ws: &Workspace, mode: Mode, unlinking: &[Project], scope: Scope) -> anyhow::Result<Report> {
    let started = std::time::Instant::now();
    let survey = survey(ws, Lock::None, unlinking, Wait::NONE)?;
    let dirs = || survey.input.dirs();
    tracing::debug!(
        "scanned {} link folders: {} files to link, {} entries already there ({:.1?})",
        dirs().count(),
        dirs().map(|d| d.offers.len()).sum::<usize>(),
        dirs().map(|d| d.entries.len()).sum::<usize>(),
        started.elapsed()
    );
    let mut plan = survey.plan();
    if scope == Scope::Additions {
        plan.keep_additions();
    }
    tracing::debug!(
        "planned {} changes, {} links unchanged ({:.1?})",
        plan.actions.len(),
        plan.verdict.unchanged,
        started.elapsed()
    );
    for action in &plan.actions {
        tracing::trace!("{}", planned_line(action));
    }
    let mut applied = Applied::default();
    let mut planned = Vec::new();
    match mode {
        Mode::Apply => {
            applied = apply(&plan);
            if let Err(err) = update_exclude(ws, &plan) {
                applied.errors.push(format!("cannot update the git exclude file: {err}"));
            }
        }
        Mode::DryRun | Mode::Check => {
            for action in &plan.actions {
                planned.push(planned_line(action));
                applied.record(action);
            }
        }
    }
    tracing::debug!("relinked in {:.1?}", started.elapsed());
    Ok(Report { mode, verdict: plan.verdict, applied, planned })
}

fn planned_line(action: &Action) -> String {
    let target = action.to().map(|t| format!(" -> {}", t.display())).unwrap_or_default();
    format!("{} {}{target}", action.verb(), action.link().shown())
}

/// Takes the workspace lock, waiting as `wait` says. Released when the
/// returned guard is dropped. A shared lock creates nothing: with no lock file, no run
/// ever changed a link, so there is nothing half-done to wait for.
pub(crate) fn lock(ws: &Workspace, lock: Lock, wait: Wait) -> anyhow::Result<Option<Held>> {
    let path = ws.platform.join(LOCK_FILE);
    let cannot = || format!("cannot lock {}", path.display());
    let (file, kind) = match lock {
        Lock::None => return Ok(None),
        Lock::Exclusive => (lockfile::open_for_writing(&path).with_context(cannot)?, lockfile::Kind::Exclusive),
        Lock::Shared => match lockfile::open_existing(&path) {
            Ok(Some(file)) => (file, lockfile::Kind::Shared),
            Ok(None) => return Ok(None),
            Err(err) => {
                tracing::debug!(%err, "no lock for a read-only run");
                return Ok(None);
            }
        },
    };
    lockfile::acquire(file, &path, "the workspace lock", kind, wait).map(Some)
}

/// Lists every managed link (and the lock) in the platform repo's `info/exclude`, so
/// none of them shows in `git status`.
fn update_exclude(ws: &Workspace, plan: &Plan) -> io::Result<()> {
    let Some(git) = gitdir::discover(&ws.platform) else {
        return Ok(());
    };
    let prefix = match ws.platform.strip_prefix(&git.work_tree) {
        Ok(rel) if rel.as_os_str().is_empty() => String::new(),
        Ok(rel) => format!("{}/", rel.display()),
        Err(_) => return Ok(()),
    };
    let mut patterns = String::with_capacity(64 * (plan.managed().len() + 1));
    gitdir::push_literal_pattern(&mut patterns, &["/", &prefix, LOCK_FILE]);
    // A name with a control character is never managed; a newline here would inject patterns.
    for link in plan.managed().iter().filter(|link| !super::has_control(link.name)) {
        gitdir::push_literal_pattern(&mut patterns, &["/", &prefix, &link.dir.rel, "/", link.name]);
    }
    if gitdir::update_exclude_block(&git.common_dir, &patterns)? {
        tracing::debug!(exclude = %git.common_dir.join("info/exclude").display(), "updated the managed block");
    }
    Ok(())
}

/// The outcome of one reconciliation.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    pub(crate) mode: Mode,
    pub(crate) verdict: Verdict,
    /// What was done, or with `DryRun`/`Check` what would be.
    pub(crate) applied: Applied,
    /// With `DryRun`/`Check`: one line per planned action.
    pub(crate) planned: Vec<String>,
}

impl Report {
    pub(crate) fn changed(&self) -> bool {
        self.applied.changed()
    }

    /// Conflicts, duplicates, failed writes, or drift under `--check`.
    pub(crate) fn has_problems(&self) -> bool {
        self.verdict.has_problems() || !self.applied.errors.is_empty() || (self.mode == Mode::Check && self.changed())
    }

    /// The plan's diagnostics, then every write that failed.
    pub(crate) fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut diagnostics = self.verdict.diagnostics();
        diagnostics.extend(self.applied.errors.iter().map(|error| Diagnostic::general(Code::Write, error.clone())));
        diagnostics
    }

    pub(crate) fn summary(&self) -> String {
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
            self.verdict.unchanged
        )
    }
}
