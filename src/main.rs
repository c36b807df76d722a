use std::process::ExitCode;

use clap::Parser;
use mynatca::cli::Cli;
use mynatca::error::{ConfigError, Outcome};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ui = mynatca::ui::Ui::new(&cli.global);
    match mynatca::commands::run(cli, &ui) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(err) => {
            ui.error(&format!("{err:#}"));
            // Stopped by a signal: the shell's convention, 128 + the signal.
            if let Some(interrupted) = err.downcast_ref::<mynatca::db::Interrupted>() {
                return ExitCode::from(128 + interrupted.signal as u8);
            }
            if err.chain().any(|cause| cause.is::<ConfigError>()) {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
