//! One thin module per command: each maps its arguments to a core call and renders the
//! result. Flags are resolved once, into [`Context`], before any command runs.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::error::Outcome;
use crate::fsutil;
use crate::ui::Ui;
use crate::workspace::Workspace;

pub mod check;
mod docs;
pub mod hook;
pub mod link;
pub mod link_project;
pub mod new;
pub mod refresh;
mod render;
pub mod setup_hooks;
pub mod status;
pub mod unlink_project;

/// The resolved configuration every command works from (as just's
/// `Config::from_arguments`): the current directory read once, `--platform` made absolute.
pub struct Context<'a> {
    pub ui: &'a Ui,
    pub cwd: PathBuf,
    /// `--platform`, absolute; `$MYNATCA_PLATFORM` is read by discovery.
    pub platform: Option<PathBuf>,
}

impl<'a> Context<'a> {
    pub fn from_arguments(global: &GlobalArgs, ui: &'a Ui) -> anyhow::Result<Self> {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let platform = global.platform.as_deref().map(|dir| fsutil::absolute_from(&cwd, dir));
        Ok(Context { ui, cwd, platform })
    }

    /// The workspace found from `--platform`, the environment or the current directory.
    pub fn workspace(&self) -> anyhow::Result<Workspace> {
        Ok(Workspace::discover(self.platform.as_deref(), &self.cwd)?)
    }
}

pub fn run(cli: Cli, ui: &Ui) -> anyhow::Result<Outcome> {
    let ctx = Context::from_arguments(&cli.global, ui)?;
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
        Command::Completions(args) => docs::completions(args.shell),
        Command::Man => docs::man(),
    }
}
