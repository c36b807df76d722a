use std::process::ExitCode;

use clap::Parser;
use mynatca::cli::Cli;
use mynatca::error::{exit_code, Outcome};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ui = mynatca::ui::Ui::new(&cli.global);
    match mynatca::commands::run(cli, &ui) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(err) => {
            ui.error(&format!("{err:#}"));
            ExitCode::from(exit_code(&err))
        }
    }
}
