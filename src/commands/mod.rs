//! One thin module per command: each maps its arguments to a core call and renders the
//! result. Flags are resolved once, into [`Context`], before any command runs.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::error::Outcome;
use crate::fsutil;
use crate::hooks::HookName;
use crate::lockfile;
use crate::ui::Ui;
use crate::workspace::Workspace;

pub(crate) mod check;
mod docs;
pub(crate) mod hook;
pub(crate) mod link;
pub(crate) mod link_project;
pub(crate) mod new;
pub(crate) mod refresh;
mod render;
mod repair;
pub(crate) mod setup_hooks;
pub(crate) mod status;
mod status_db;
pub(crate) mod unlink_project;
mod up;

/// The resolved configuration every command works from (as just's
/// `Config::from_arguments`): the current directory read once, `--platform` made absolute.
pub(crate) struct Context<'a> {
    pub(crate) ui: &'a Ui,
    pub(crate) cwd: PathBuf,
    /// `--platform`, absolute; `$MYNATCA_PLATFORM` is read by discovery.
    pub(crate) platform: Option<PathBuf>,
    /// `--wait`: how long to wait for a lock another run (or session) holds.
    pub(crate) wait: Duration,
}

impl<'a> Context<'a> {
    pub(crate) fn from_arguments(global: &GlobalArgs, ui: &'a Ui) -> anyhow::Result<Self> {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let platform = global.platform.as_deref().map(|dir| fsutil::absolute_from(&cwd, dir));
        let wait = global.wait.map_or(lockfile::COMMAND_WAIT, Duration::from_secs);
        Ok(Context { ui, cwd, platform, wait })
    }

    /// The database the database-side commands work on, by the first rule that gives one
    /// (see `db::url`); `-v` says which. A tracked `.env` is warned about.
    pub(crate) fn database(&self, ws: &Workspace, flag: Option<&str>) -> anyhow::Result<crate::db::url::Resolved> {
        let resolved = crate::db::url::resolve(flag, std::env::var(crate::db::url::VARIABLE).ok(), ws)?;
        tracing::info!(source = %resolved.source.describe(), "the database URL");
        if let crate::db::url::Source::DotEnv { path, tracked: true } = &resolved.source {
            self.ui.warn(&format!(
                "{} is tracked by git, so the database URL in it (and its password) is everyone's; \
                 add .env to .gitignore and `git rm --cached .env`",
                path.display()
            ));
        }
        Ok(resolved)
    }

    /// The workspace found from `--platform`, the environment or the current directory.
    pub(crate) fn workspace(&self) -> anyhow::Result<Workspace> {
        Ok(Workspace::discover(self.platform.as_deref(), &self.cwd)?)
    }
}

pub(crate) fn run(cli: Cli, ui: &Ui) -> anyhow::Result<Outcome> {
    configure_lock_wait(&cli, ui);
    let ctx = match (Context::from_arguments(&cli.global, ui), &cli.command) {
        (Ok(ctx), _) => ctx,
        // A relinking hook never changes git's exit status, even from a deleted folder.
        (Err(err), Command::Hook(args)) if args.name != HookName::PreCommit => {
            ui.warn(&format!("{}: links not updated: {err:#}", args.name.as_str()));
            return Ok(Outcome::Clean);
        }
        (Err(err), _) => return Err(err),
    };
    match &cli.command {
        Command::Link(args) => link::run(&ctx, args),
        Command::SetupHooks(args) => setup_hooks::run(&ctx, args),
        Command::Hook(args) => hook::run(&ctx, args),
        Command::LinkProject(args) => link_project::run(&ctx, args),
        Command::UnlinkProject(args) => unlink_project::run(&ctx, args),
        Command::Refresh(args) => refresh::run(&ctx, args),
        Command::Check(args) => check::run(&ctx, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::New(args) => new::run(&ctx, args),
        Command::Up(args) => up::run(&ctx, args),
        Command::Repair(args) => repair::run(&ctx, args),
        Command::Completions(args) => docs::completions(args.shell),
        Command::Man => docs::man(),
    }
}

/// Hooks that relink block git: they wait less, and silently (one warning if they give
/// up). Commands say whom they wait for after a second.
fn configure_lock_wait(cli: &Cli, ui: &Ui) {
    let relinking_hook = matches!(&cli.command, Command::Hook(args) if args.name != HookName::PreCommit);
    let (default, notice) =
        if relinking_hook { (lockfile::HOOK_WAIT, None) } else { (lockfile::COMMAND_WAIT, Some(ui.clone())) };
    let limit = cli.global.wait.map_or(default, Duration::from_secs);
    lockfile::configure(lockfile::Wait { limit, notice });
}
