//! `mynatca hook NAME [ARGS]`: what the shims installed by `setup-hooks` run.
//!
//! post-checkout, post-merge and post-rewrite relink quietly and never change git's exit
//! status; pre-commit refuses commits on the registry's protected branches.

use std::collections::HashSet;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context as _;

use crate::checkout;
use crate::cli::HookArgs;
use crate::commands::render;
use crate::commands::Context;
use crate::db;
use crate::error::{ConfigError, Outcome};
use crate::gitdir::{self, Head, Rebase};
use crate::hooks::HookName;
use crate::lockfile::{self, Busy};
use crate::reconcile::{self, Mode};
use crate::registry::DEFAULT_PROTECTED_BRANCHES;
use crate::ui::plural;
use crate::workspace::{self, Workspace};

pub(crate) fn run(ctx: &Context, args: &HookArgs) -> anyhow::Result<Outcome> {
    match args.name {
        HookName::PreCommit => pre_commit(ctx),
        name => {
            let (name, args) = as_git_ran(name, &args.args);
            relink(ctx, name, &args);
            Ok(Outcome::Clean)
        }
    }
}

/// Why the hook has no workspace to work on.
enum NoWorkspace {
    NoPlatform(ConfigError),
    BadRegistry(ConfigError),
}

fn workspace(ctx: &Context) -> Result<Workspace, NoWorkspace> {
    let (platform, _) = workspace::find_platform(ctx.platform.as_deref(), &ctx.cwd).map_err(NoWorkspace::NoPlatform)?;
    Workspace::load(platform).map_err(NoWorkspace::BadRegistry)
}

/// The pre-commit framework runs one entry (`mynatca hook post-merge`, this repo's
/// `mynatca-link`) for several git hooks, without git's arguments: its environment says
/// which hook git ran, and with what.
fn as_git_ran(hook: HookName, args: &[String]) -> (HookName, Vec<String>) {
    let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    if !args.is_empty() || var("PRE_COMMIT").is_none() {
        return (hook, args.to_vec());
    }
    if let (Some(from), Some(to), Some(kind)) =
        (var("PRE_COMMIT_FROM_REF"), var("PRE_COMMIT_TO_REF"), var("PRE_COMMIT_CHECKOUT_TYPE"))
    {
        return (HookName::PostCheckout, vec![from, to, kind]);
    }
    match var("PRE_COMMIT_REWRITE_COMMAND") {
        Some(command) => (HookName::PostRewrite, vec![command]),
        None => (hook, Vec::new()),
    }
}

/// What the hook changes: nothing, only new links (mid-rebase), or everything; then
/// with the repo and the commit HEAD was at before git moved it, when the hook knows it
/// (a checkout's or merge's), for the registry that commit had.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    Nothing,
    Additions,
    All(Option<(gitdir::GitDirs, String)>),
}

/// Relinks and reports only what is worth a line; every failure is reported, never
/// returned, so that git's exit status stays its own.
fn relink(ctx: &Context, hook: HookName, args: &[String]) {
    let name = hook.as_str();
    let mut ui = ctx.ui.clone();
    ui.quiet = true;
    let mut relinked = None;
    let result = match workspace(ctx) {
        Ok(ws) => match scope(ctx, &ws, hook, args) {
            Scope::Nothing => {
                tracing::debug!("{name}: the migrations and seeds are the same trees before and after; links not read");
                return;
            }
            Scope::Additions => {
                tracing::debug!("{name}: a rebase is under way; links only added, none removed");
                reconcile::relink_additions(&ws, ctx.wait)
            }
            Scope::All(before) => {
                // Links of a project the old commit's registry had are ours to remove.
                let dropped = match before {
                    Some((git, old)) => checkout::dropped_projects(&ws, &git, &old),
                    None => Vec::new(),
                };
                let result = reconcile::relink(&ws, Mode::Apply, &dropped, ctx.wait);
                relinked = Some(ws);
                result
            }
        },
        Err(NoWorkspace::NoPlatform(err)) => {
            ui.warn(&format!("{name}: links not updated: {err}"));
            return;
        }
        Err(NoWorkspace::BadRegistry(err)) => Err(err.into()),
    };
    match result {
        Ok(report) => {
            render::report(&ui, &report);
            if let Some(ws) = &relinked {
                database_hint(ctx, &ui, ws);
            }
        }
        Err(err) => match err.downcast_ref::<Busy>() {
            // Git waits for us: after the bounded wait, one warning and let git go on.
            Some(busy) => ui.warn(&format!(
                "{name}: links not updated: {} {} is held by {} (waited {} s); run `mynatca link` once it is done",
                busy.what,
                busy.path.display(),
                lockfile::holder(busy.pid),
                busy.waited.as_secs()
            )),
            None => ui.error(&format!("{name}: links not updated: {err:#}")),
        },
    }
}

/// How long the hook waits for the local database's answer before saying nothing.
const HINT_WAIT: Duration = Duration::from_millis(200);

/// One line when the local database (as `status --db` finds it) answers within
/// [`HINT_WAIT`] and no longer matches the workspace's migrations; silent otherwise, and
/// off with `MYNATCA_DB_HINT=0`. The answer is awaited on another thread: a server that
/// hangs costs the hook the wait, no more.
fn database_hint(ctx: &Context, ui: &crate::ui::Ui, ws: &Workspace) {
    if std::env::var("MYNATCA_DB_HINT").is_ok_and(|v| v == "0") {
        return;
    }
    let started = std::time::Instant::now();
    let Ok(resolved) = db::url::resolve(None, ctx.db_url.as_ref().map(|url| url.url.clone()), ws) else { return };
    let link_dir = ws.link_dir();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        // The versions are names alone: no file is read or link followed.
        let names = reconcile::list_sql_files(&link_dir).unwrap_or_default();
        let versions: HashSet<String> =
            names.iter().filter_map(|name| crate::migration::parse(name)).map(|m| m.version.to_string()).collect();
        let _ = sender.send(hint(&resolved.url, &versions));
    });
    if let Ok(Some(line)) = receiver.recv_timeout(HINT_WAIT.saturating_sub(started.elapsed())) {
        ui.note(&line);
    }
}

fn hint(url: &str, local: &HashSet<String>) -> Option<String> {
    let target = db::Target::parse(url).ok()?;
    let applied: HashSet<String> = db::read_history(&target).ok()?.into_iter().map(|a| a.version).collect();
    let pending = local.difference(&applied).count();
    let missing = applied.difference(local).count();
    let mut parts = Vec::new();
    if pending > 0 {
        parts.push(format!("{} pending: mynatca up", plural(pending, "migration")));
    }
    if missing > 0 {
        let verb = if missing == 1 { "is" } else { "are" };
        parts.push(format!("{} {verb} no longer here: mynatca refresh", plural(missing, "applied migration")));
    }
    (!parts.is_empty()).then(|| format!("{}: {}", target.describe(), parts.join("; ")))
}

/// What to relink after what git just did. A checkout or merge that left every path the
/// links depend on as it was (see [`checkout`]) changes nothing: post-checkout gets `OLD
/// NEW FLAG` (FLAG 1 for a branch checkout), post-merge compares `ORIG_HEAD` with `HEAD`,
/// post-rewrite after an amend `HEAD@{1}` with `HEAD`. While a rebase is under way (its
/// first checkout, an amend at a stop) links are only added; post-rewrite after the
/// rebase relinks in full, unless an autostash is still to be applied.
fn scope(ctx: &Context, ws: &Workspace, hook: HookName, args: &[String]) -> Scope {
    let Some(git) = gitdir::current(&ctx.cwd) else {
        return Scope::All(None);
    };
    let all = |before: Option<&str>| Scope::All(before.map(|old| (git.clone(), old.to_string())));
    // Files an autostash still holds are missing now, and their links must stay.
    let stashed = gitdir::autostash_pending(&git.git_dir);
    let (old, new, midway, before) = match (hook, args) {
        (HookName::PostCheckout, [old, new, flag]) => {
            let midway = stashed
                || match gitdir::rebase(&git.git_dir) {
                    Some(Rebase::Merge { pending }) => pending,
                    Some(Rebase::Apply) => true,
                    // A rebase that only fast-forwards replays nothing, and no post-rewrite follows.
                    Some(Rebase::Starting) => !fast_forward(&git, old, new),
                    None => false,
                };
            if flag != "1" {
                return if midway { Scope::Additions } else { all(Some(old)) };
            }
            (old.as_str(), new.as_str(), midway, Some(old.as_str()))
        }
        // A squash merge leaves HEAD where it was and changes only the work tree.
        (HookName::PostMerge, [squash]) if squash == "1" => {
            return if stashed { Scope::Additions } else { all(Some("ORIG_HEAD")) };
        }
        (HookName::PostMerge, _) => ("ORIG_HEAD", "HEAD", stashed, Some("ORIG_HEAD")),
        (HookName::PostRewrite, [command]) if command == "amend" => {
            let stopped = matches!(gitdir::rebase(&git.git_dir), Some(Rebase::Merge { .. } | Rebase::Apply));
            ("HEAD@{1}", "HEAD", stopped, None)
        }
        // git applies a rebase's autostash after post-rewrite.
        (HookName::PostRewrite, _) if stashed => return Scope::Additions,
        _ => return all(None),
    };
    if checkout::untouched(ws, &git, old, new) {
        Scope::Nothing
    } else if midway {
        Scope::Additions
    } else {
        all(before)
    }
}

/// Whether commit `new` descends from `old` (or is it): a rebase onto it replays nothing.
fn fast_forward(git: &gitdir::GitDirs, old: &str, new: &str) -> bool {
    let Ok(repo) = git.open() else { return false };
    let (Ok(old), Ok(new)) = (git2::Oid::from_str(old), git2::Oid::from_str(new)) else { return false };
    old == new || repo.graph_descendant_of(new, old).unwrap_or(false)
}

fn pre_commit(ctx: &Context) -> anyhow::Result<Outcome> {
    // git tells its hooks which repo (`GIT_DIR`, e.g. in a worktree); `current` honours it.
    let Some(git_dir) = gitdir::current(&ctx.cwd).map(|dirs| dirs.git_dir) else {
        return Ok(Outcome::Clean);
    };
    // Concluding a merge whose conflicts were resolved is not a direct commit: merging
    // into staging must stay possible.
    if git_dir.join("MERGE_HEAD").exists() {
        return Ok(Outcome::Clean);
    }
    let branch = match gitdir::head(&git_dir).with_context(|| format!("cannot read HEAD of {}", git_dir.display()))? {
        Head::Branch(branch) => branch,
        Head::Detached(_) => return Ok(Outcome::Clean),
    };
    if protected_branches(ctx).contains(&branch) {
        anyhow::bail!(
            "direct commits to '{branch}' are blocked; move your work to a branch with `git switch -c feature/<name>` (staged changes come along) and commit there, or bypass this check once with `git commit --no-verify`"
        );
    }
    Ok(Outcome::Clean)
}

/// The registry's list; the default one when there is no platform to ask, so that a repo
/// whose platform moved away stays protected.
fn protected_branches(ctx: &Context) -> Vec<String> {
    match workspace(ctx) {
        Ok(ws) => return ws.registry.protected_branches,
        Err(NoWorkspace::NoPlatform(_)) => {}
        Err(NoWorkspace::BadRegistry(err)) => {
            let defaults = DEFAULT_PROTECTED_BRANCHES.join(", ");
            ctx.ui.warn(&format!("pre-commit: protecting the default branches ({defaults}): {err}"));
        }
    }
    DEFAULT_PROTECTED_BRANCHES.map(String::from).to_vec()
}
