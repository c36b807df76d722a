//! `mynatca completions SHELL` and `mynatca man`: generated from the clap definitions, so
//! they never drift from the real flags.

use anyhow::Context as _;
use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::Outcome;

pub(crate) fn completions(shell: clap_complete::Shell) -> anyhow::Result<Outcome> {
    let mut cmd = crate::cli::completion_command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "mynatca", &mut out);
    crate::ui::write_stdout_bytes(&out);
    Ok(Outcome::Clean)
}

pub(crate) fn man() -> anyhow::Result<Outcome> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out).context("cannot render the manual page")?;
    crate::ui::write_stdout_bytes(&out);
    Ok(Outcome::Clean)
}
