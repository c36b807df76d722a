//! `mynatca setup-hooks`: install (or remove) the hook shims in the platform or a linked
//! repo, and record the platform in a linked repo's git config.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::cli::SetupHooksArgs;
use crate::commands::{Context, Format};
use crate::emit::Places;
use crate::error::{config_error, Outcome};
use crate::fsutil;
use crate::gitdir;
use crate::hooks::{self, Change};
use crate::json;
use crate::workspace::{self, canonical_or_lexical, Workspace, PLATFORM_CONFIG_KEY};

pub(crate) fn run(ctx: &Context, args: &SetupHooksArgs) -> anyhow::Result<Outcome> {
    let start = match &args.repo {
        Some(dir) => fsutil::absolute_from(&ctx.cwd, dir),
        None => ctx.cwd.clone(),
    };
    if !start.is_dir() {
        return Err(config_error(format!("--repo {}: not a directory; point it at a git repo", start.display())));
    }
    let not_a_repo =
        || config_error(format!("{} is not inside a git repo; run this in one, or pass --repo DIR", start.display()));
    // `--repo` names a folder; without it, git's own rules (GIT_DIR) apply.
    let git = if args.repo.is_some() { gitdir::discover(&start) } else { gitdir::current(&start) };
    let git = git.ok_or_else(not_a_repo)?;
    let repo = git.open().map_err(|_| not_a_repo())?;
    let top = fsutil::normalize(repo.workdir().unwrap_or_else(|| repo.path()));
    let dir = hooks::hooks_dir_of(&repo).with_context(|| format!("cannot read the git config of {}", top.display()))?;

    // One install at a time per repo: two at once would move each other's shim aside.
    let _lock = hooks::lock(&fsutil::normalize(repo.commondir()), ctx.wait)?;
    if args.uninstall {
        let changes = hooks::uninstall(&dir)?;
        print_changes(ctx, &dir, &changes);
        print_json(ctx, None, &top, args.uninstall, &changes)?;
        return Ok(Outcome::Clean);
    }
    refuse_tracked(&repo, &top, &dir)?;
    // The platform comes first: without one the hooks would only warn on every checkout.
    let flag = ctx.platform.clone();
    let (platform, _) = workspace::find_platform(flag.as_deref(), &top)?;
    let ws = Workspace::load(platform)?;
    let changes = hooks::install(&dir, &top, &installing_binary()?)?;
    print_changes(ctx, &dir, &changes);
    record_platform(ctx, &repo, &top, &ws)
        .with_context(|| format!("cannot write {PLATFORM_CONFIG_KEY} to the git config of {}", top.display()))?;
    print_json(ctx, Some(&ws.platform), &top, args.uninstall, &changes)?;
    Ok(Outcome::Clean)
}

/// `setup-hooks --json`: the repo and what became of each hook, in place of the text lines.
fn print_json(
    ctx: &Context,
    platform: Option<&Path>,
    top: &Path,
    uninstall: bool,
    changes: &[(&str, Change)],
) -> anyhow::Result<()> {
    if ctx.format != Format::Json {
        return Ok(());
    }
    let hooks: Vec<serde_json::Value> = changes
        .iter()
        .map(|(name, change)| serde_json::json!({"name": name, "change": change_word(*change)}))
        .collect();
    let body = serde_json::json!({"repo": top.display().to_string(), "uninstall": uninstall, "hooks": hooks});
    let places = Places::none(&ctx.cwd);
    ctx.ui.out(&json::document("setup-hooks", platform, true, body, &[], &places)?);
    Ok(())
}

/// A hooks folder the repo commits (husky's `.husky`, or any folder holding tracked files)
/// is shared by the team: shims naming this machine's binary must not land there. As
/// pre-commit does, refuse and point at the hook manager's own recipe instead.
fn refuse_tracked(repo: &git2::Repository, top: &Path, dir: &Path) -> anyhow::Result<()> {
    let Some(shared) = hooks::shared_folder(repo, top, dir) else { return Ok(()) };
    let rel = dir.strip_prefix(top).unwrap_or(dir);
    Err(config_error(format!(
        "the hooks folder {} ({}) {}, so mynatca will not write shims naming this machine's binary into it; call mynatca from your hook manager instead (husky: add `mynatca hook post-checkout`, `mynatca hook post-merge`, `mynatca hook post-rewrite` and `mynatca hook pre-commit` to those files in .husky/; lefthook and pre-commit: see \"Hook managers\" in mynatca's README), or point core.hooksPath at an untracked folder",
        rel.display(),
        if shared.husky { "husky's" } else { "core.hooksPath" },
        if shared.tracked { "holds files git tracks" } else { "is managed by husky" }
    )))
}

/// A change as `--json` names it.
fn change_word(change: Change) -> &'static str {
    match change {
        Change::Installed => "installed",
        Change::Chained => "chained",
        Change::Updated => "updated",
        Change::Unchanged => "unchanged",
        Change::Removed => "removed",
        Change::Restored => "restored",
        Change::NotInstalled => "not-installed",
        Change::ReplacedScripts => "replaced-scripts",
        Change::Unchained => "unchained",
        Change::AlreadyRuns => "already-runs",
    }
}

fn print_changes(ctx: &Context, dir: &Path, changes: &[(&str, Change)]) {
    if ctx.format == Format::Json {
        return;
    }
    ctx.ui.info(&format!("hooks in {}", dir.display()));
    for (name, change) in changes {
        let line = match change {
            Change::Installed => format!("installed {name}"),
            Change::Chained => {
                format!(
                    "installed {name} (the existing hook is kept as {name}{} and runs first)",
                    hooks::CHAINED_SUFFIX
                )
            }
            Change::Updated => format!("updated {name}"),
            Change::Unchanged => format!("unchanged {name}"),
            Change::Removed => format!("removed {name}"),
            Change::Restored => format!("restored {name} (the hook that was there before mynatca's)"),
            Change::NotInstalled => format!("not installed {name}"),
            Change::AlreadyRuns => format!("left {name}: it already runs `mynatca hook {name}`"),
            Change::Unchained => {
                format!("removed {name}{}: a stale copy of mynatca's own hook", hooks::CHAINED_SUFFIX)
            }
            Change::ReplacedScripts => format!(
                "replaced {name}: the old scripts' hook (it calls link-migrations.sh) is kept as {name}{}, not run; delete it when you no longer need it",
                hooks::FROM_SCRIPTS_SUFFIX
            ),
        };
        ctx.ui.info(&line);
    }
}

/// The absolute path of this binary, baked into the shims: GUI git clients and IDEs run
/// hooks without the shell's PATH.
fn installing_binary() -> anyhow::Result<String> {
    let exe = std::env::current_exe().context("cannot tell where the running mynatca binary is")?;
    let exe = std::fs::canonicalize(&exe).unwrap_or(exe);
    exe.into_os_string().into_string().map_err(|path| {
        anyhow::anyhow!(
            "the mynatca binary's path {} is not UTF-8; move it to a plain path and run setup-hooks again",
            PathBuf::from(path).display()
        )
    })
}

/// In a repo other than the platform's, `mynatca.platform` lets every command and hook
/// find the platform from anywhere in the repo, worktrees included.
fn record_platform(ctx: &Context, repo: &git2::Repository, top: &Path, ws: &Workspace) -> anyhow::Result<()> {
    if repo.is_bare() || canonical_or_lexical(&ws.platform).starts_with(canonical_or_lexical(top)) {
        return Ok(());
    }
    let value = ws.platform.to_str().ok_or_else(|| {
        anyhow::anyhow!("the platform's path {} is not UTF-8; move it to a plain path", ws.platform.display())
    })?;
    let mut config = repo.config()?.open_level(git2::ConfigLevel::Local)?;
    let said = if config.get_string(PLATFORM_CONFIG_KEY).ok().as_deref() == Some(value) {
        format!("unchanged {PLATFORM_CONFIG_KEY} = {value}")
    } else {
        config.set_str(PLATFORM_CONFIG_KEY, value)?;
        format!("recorded {PLATFORM_CONFIG_KEY} = {value} in the repo's git config")
    };
    if ctx.format != Format::Json {
        ctx.ui.info(&said);
    }
    Ok(())
}
