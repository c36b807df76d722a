//! mynatca: the MyNATCA migration workflow across the platform and its sub-project repos.
//!
//! `commands` holds one module per CLI command; everything else is plain library code
//! with no output policy of its own. The binary's `main` is [`main`]; the few items the integration
//! tests use are public, everything else is `pub(crate)`, so the compiler sees every unused item.

mod audit;
mod batch;
mod branches;
mod checkout;
mod civil;
pub mod cli;
mod commands;
mod config;
mod db;
mod diagnostic;
mod emit;
mod error;
pub mod fsutil;
mod gitdir;
pub mod hooks;
mod json;
mod lint;
mod lockfile;
pub mod migration;
mod reconcile;
mod registry;
mod repos;
mod sqlerror;
mod suggest;
mod text;
mod ui;
mod workspace;

use std::process::ExitCode;

use std::io::IsTerminal as _;

use clap::Parser;

use cli::Cli;
use commands::config::{Config, Terminals};
use error::{exit_code, Outcome};
use ui::{stdout_state, StdoutState};

/// The whole program: parse, run, and turn the outcome into an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // With --json, stdout still holds a document saying what was wrong.
            let args: Vec<String> = std::env::args().collect();
            if let Some(document) = json::usage_failure(&args, &err) {
                println!("{document}");
            }
            err.exit()
        }
    };
    let cwd = std::env::current_dir();
    let terminals = Terminals { stdout: std::io::stdout().is_terminal(), stderr: std::io::stderr().is_terminal() };
    let config = Config::from_arguments(
        &cli,
        cwd.as_deref().unwrap_or(std::path::Path::new("/")),
        &|name| std::env::var(name).ok(),
        terminals,
    );
    let ui = ui::Ui::new(config.quiet, config.verbose, config.color);
    let json = (config.format == cli::Format::Json).then(|| cli.command.name());
    let code = match commands::run(cli, config, cwd, &ui) {
        Ok(Outcome::Clean) => 0,
        Ok(Outcome::Problems) => 1,
        Err(err) => {
            ui.error(&format!("{err:#}"));
            if let Some(command) = json {
                ui.out(&json::failure(command, &err));
            }
            exit_code(&err)
        }
    };
    // Output that did not arrive is a failure, unless its reader left on purpose.
    match stdout_state() {
        StdoutState::Written => ExitCode::from(code),
        StdoutState::Closed => ExitCode::SUCCESS,
        StdoutState::Failed(err) => {
            ui.error(&format!("cannot write to stdout: {err}"));
            ExitCode::from(code.max(1))
        }
    }
}
