//! One module per command. Each takes its parsed arguments and the shared [`Context`].

use std::path::PathBuf;

use anyhow::Context as _;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::error::Outcome;
use crate::ui::Ui;
use crate::workspace::Workspace;

pub mod check;
pub mod hook;
pub mod link;
pub mod link_project;
pub mod new;
pub mod refresh;
pub mod setup_hooks;
pub mod status;
pub mod unlink_project;

/// What every command may need besides its own arguments.
pub struct Context<'a> {
    pub global: &'a GlobalArgs,
    pub ui: &'a Ui,
    pub cwd: PathBuf,
}

impl Context<'_> {
    /// The workspace found from `--platform`, the environment or the current directory.
    pub fn workspace(&self) -> anyhow::Result<Workspace> {
        Ok(Workspace::discover(self.global.platform.as_deref(), &self.cwd)?)
    }
}

pub fn run(cli: Cli, ui: &Ui) -> anyhow::Result<Outcome> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let ctx = Context { global: &cli.global, ui, cwd };
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
    }
}
