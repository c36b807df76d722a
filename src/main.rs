use std::process::ExitCode;

use clap::Parser;
use mynatca::cli::Cli;
use mynatca::error::{exit_code, Outcome};
use mynatca::ui::{stdout_state, StdoutState};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // With --json, stdout still holds a document saying what was wrong.
            let args: Vec<String> = std::env::args().collect();
            if let Some(document) = mynatca::json::usage_failure(&args, &err) {
                println!("{document}");
            }
            err.exit()
        }
    };
    let ui = mynatca::ui::Ui::new(&cli.global);
    let json = cli.command.json_name();
    let code = match mynatca::commands::run(cli, &ui) {
        Ok(Outcome::Clean) => 0,
        Ok(Outcome::Problems) => 1,
        Err(err) => {
            ui.error(&format!("{err:#}"));
            if let Some(command) = json {
                ui.out(&mynatca::json::failure(command, &err));
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
