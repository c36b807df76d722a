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
mod warning;
mod workspace;

use std::process::ExitCode;

use clap::Parser;

use cli::Cli;
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
    let ui = ui::Ui::new(cli.global.quiet, cli.global.verbose, cli.global.color.forced());
    let json = cli.command.json_name();
    let code = match commands::run(cli, &ui) {
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
