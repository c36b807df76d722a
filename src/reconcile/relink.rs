//! The core API the commands call: [`survey`] (scan under the workspace lock) and
//! [`relink`] (survey, plan, apply or preview, keep `info/exclude` current).

use std::fs::File;
use std::io;

use anyhow::Context as _;

use super::{apply, plan, scan, Action, Applied, Input, Plan, Verdict, LOCK_FILE};
use crate::gitdir;
use crate::registry::Project;
use crate::workspace::Workspace;

/// How a relink treats the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Apply,
    /// Print the plan, change nothing.
    DryRun,
    /// Change nothing; drift is a problem.
    Check,
}

/// Which workspace lock a survey holds while it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// To change links: no other run reads or writes meanwhile.
    Exclusive,
    /// To read links: no relink is half-done while we look.
    Shared,
    /// No lock (the caller already holds one, or does not care).
    None,
}

/// What exists, read under a lock that is held until the survey is dropped.
#[derive(Debug)]
pub struct Survey {
    pub input: Input,
    _lock: Option<File>,
}

impl Survey {
    pub fn plan(&self) -> Plan<'_> {
        plan(&self.input)
    }
}

/// Takes `lock`, then scans. `unlinking`: projects leaving the registry, or the old
/// entries of projects being replaced (their links are handed over).
pub fn survey(ws: &Workspace, lock: Lock, unlinking: &[Project]) -> anyhow::Result<Survey> {
    let held = self::lock(ws, lock)?;
    Ok(Survey { input: scan(ws, unlinking), _lock: held })
}

/// Surveys, plans and (in `Apply` mode) applies under the exclusive lock, then keeps the
/// platform's `info/exclude` block current.
pub fn relink(ws: &Workspace, mode: Mode, unlinking: &[Project]) -> anyhow::Result<Report> {
    let lock = if mode == Mode::Apply { Lock::Exclusive } else { Lock::Shared };
    let started = std::time::Instant::now();
    let survey = survey(ws, lock, unlinking)?;
    let dirs = || survey.input.dirs();
    tracing::debug!(
        "scanned {} link folders: {} files to link, {} entries already there ({:.1?})",
        dirs().count(),
        dirs().map(|d| d.offers.len()).sum::<usize>(),
        dirs().map(|d| d.entries.len()).sum::<usize>(),
        started.elapsed()
    );
    let plan = survey.plan();
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
    let platform = ws.platform.display().to_string();
    Ok(Report { mode, platform, verdict: plan.verdict, applied, planned })
}

fn planned_line(action: &Action) -> String {
    let target = action.to().map(|t| format!(" -> {}", t.display())).unwrap_or_default();
    format!("{} {}{target}", action.verb(), action.link().shown())
}

/// Takes the workspace lock. Released when the returned file is dropped.
pub fn lock(ws: &Workspace, lock: Lock) -> anyhow::Result<Option<File>> {
    take(ws, lock).with_context(|| format!("cannot lock {}", ws.platform.join(LOCK_FILE).display()))
}

fn take(ws: &Workspace, lock: Lock) -> io::Result<Option<File>> {
    if lock == Lock::None {
        return Ok(None);
    }
    let exclusive = lock == Lock::Exclusive;
    let path = ws.platform.join(LOCK_FILE);
    let file = match std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path) {
        Ok(file) => file,
        Err(err) if !exclusive => {
            tracing::debug!(%err, "no lock for a read-only run");
            return Ok(None);
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            std::fs::create_dir_all(path.parent().expect("lock has a parent"))?;
            std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?
        }
        Err(err) => return Err(err),
    };
    if exclusive {
        file.lock()?;
    } else {
        file.lock_shared()?;
    }
    Ok(Some(file))
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
    for link in plan.managed() {
        gitdir::push_literal_pattern(&mut patterns, &["/", &prefix, &link.dir.rel, "/", link.name]);
    }
    if gitdir::update_exclude_block(&git.common_dir, &patterns)? {
        tracing::debug!(exclude = %git.common_dir.join("info/exclude").display(), "updated the managed block");
    }
    Ok(())
}

/// The outcome of one reconciliation.
#[derive(Debug, Clone)]
pub struct Report {
    pub mode: Mode,
    pub platform: String,
    pub verdict: Verdict,
    /// What was done, or with `DryRun`/`Check` what would be.
    pub applied: Applied,
    /// With `DryRun`/`Check`: one line per planned action.
    pub planned: Vec<String>,
}

impl Report {
    pub fn changed(&self) -> bool {
        self.applied.changed()
    }

    /// Conflicts, duplicates, failed writes, or drift under `--check`.
    pub fn has_problems(&self) -> bool {
        self.verdict.has_problems() || !self.applied.errors.is_empty() || (self.mode == Mode::Check && self.changed())
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
            self.verdict.unchanged
        )
    }
}
