//! One thin module per command: each maps its arguments to a core call and renders the
//! result. Flags are resolved once, into [`Context`], before any command runs.

use std::path::PathBuf;

use anyhow::Context as _;

pub(crate) use crate::cli::Format;
use crate::cli::{Cli, Command};
use crate::error::Outcome;
use crate::hooks::HookName;
use crate::ui::Ui;
use crate::workspace::Workspace;
pub(crate) use config::Config;

pub(crate) mod check;
pub(crate) mod config;
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

/// What every command works from: the resolved [`Config`] and where output goes.
pub(crate) struct Context<'a> {
    pub(crate) ui: &'a Ui,
    pub(crate) config: Config,
}

impl std::ops::Deref for Context<'_> {
    type Target = Config;

    fn deref(&self) -> &Config {
        &self.config
    }
}

impl<'a> Context<'a> {
    /// The database the database-side commands work on, by the first rule that gives one
    /// (see `db::url`); `-v` says which. A tracked `.env` is warned about.
    pub(crate) fn database(&self, ws: &Workspace) -> anyhow::Result<crate::db::url::Resolved> {
        // The flag and the variable, as the Config resolved them; the rest needs `ws`.
        let (flag, environment) = match &self.db_url {
            Some(url) if url.from_flag => (Some(url.url.as_str()), None),
            Some(url) => (None, Some(url.url.clone())),
            None => (None, None),
        };
        let resolved = crate::db::url::resolve(flag, environment, ws)?;
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

/// Runs the command; `cwd` is the current directory, when it could be read.
pub(crate) fn run(cli: Cli, config: Config, cwd: std::io::Result<PathBuf>, ui: &Ui) -> anyhow::Result<Outcome> {
    if let Err(err) = cwd.context("cannot read the current directory") {
        // A relinking hook never changes git's exit status, even from a deleted folder.
        if let Command::Hook(args) = &cli.command {
            if args.name != HookName::PreCommit {
                ui.warn(&format!("{}: links not updated: {err:#}", args.name.as_str()));
                return Ok(Outcome::Clean);
            }
        }
        return Err(err);
    }
    let ctx = Context { ui, config };
    match &cli.command {
        Command::Link(args) => link::run(&ctx, args),
        Command::SetupHooks(args) => setup_hooks::run(&ctx, args),
        Command::Hook(args) => hook::run(&ctx, args),
        Command::LinkProject(args) => link_project::run(&ctx, args),
        Command::UnlinkProject(args) => unlink_project::run(&ctx, args),
        Command::Refresh(args) => refresh::run(&ctx, args),
        Command::Upkeep(args) => refresh::upkeep(&ctx, args),
        Command::Check(args) => check::run(&ctx, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::New(args) => new::run(&ctx, args),
        Command::Up(args) => up::run(&ctx, args),
        Command::Repair(args) => repair::run(&ctx, args),
        Command::Completions(args) => docs::completions(args.shell),
        Command::Man => docs::man(),
    }
}
