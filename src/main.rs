use std::process::ExitCode;

use clap::Parser;
use mynatca::cli::Cli;
use mynatca::error::{exit_code, Outcome};

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
    match mynatca::commands::run(cli, &ui) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(err) => {
            ui.error(&format!("{err:#}"));
            if let Some(command) = json {
                ui.out(&mynatca::json::failure(command, &err));
            }
            ExitCode::from(exit_code(&err))
        }
    }
}
