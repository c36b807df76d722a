//! Where messages go: results on stdout, `error:`/`warning:` on stderr, colour when wanted.

use std::io::{IsTerminal, Write};

use crate::cli::{ColorChoice, GlobalArgs};

#[derive(Debug, Clone)]
pub struct Ui {
    pub quiet: bool,
    pub verbose: u8,
    color_stderr: bool,
    color_stdout: bool,
}

impl Ui {
    pub fn new(global: &GlobalArgs) -> Self {
        let want = |is_tty: bool| match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => auto_color(is_tty, |name| std::env::var(name).ok().filter(|v| !v.is_empty())),
        };
        let ui = Ui {
            quiet: global.quiet,
            verbose: global.verbose,
            color_stderr: want(std::io::stderr().is_terminal()),
            color_stdout: want(std::io::stdout().is_terminal()),
        };
        ui.init_tracing();
        ui
    }

    /// A Ui for library callers and tests: plain, not quiet.
    pub fn plain() -> Self {
        Ui { quiet: false, verbose: 0, color_stderr: false, color_stdout: false }
    }

    fn init_tracing(&self) {
        let filter = match std::env::var("MYNATCA_LOG") {
            Ok(filter) if !filter.is_empty() => filter,
            _ => match self.verbose {
                0 => return,
                1 => "mynatca=debug".to_string(),
                _ => "mynatca=trace".to_string(),
            },
        };
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .with_ansi(self.color_stderr)
            .without_time()
            .try_init();
    }

    pub fn error(&self, message: &str) {
        self.stderr_line(&self.paint("error:", "1;31", self.color_stderr), message);
    }

    pub fn warn(&self, message: &str) {
        self.stderr_line(&self.paint("warning:", "1;33", self.color_stderr), message);
    }

    /// A result line on stdout, unless `--quiet`.
    pub fn info(&self, message: &str) {
        if !self.quiet {
            self.out(message);
        }
    }

    /// A line on stdout whatever `--quiet` says (JSON documents, requested listings).
    pub fn out(&self, message: &str) {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{message}");
    }

    pub fn color_stdout(&self) -> bool {
        self.color_stdout
    }

    pub fn color_stderr(&self) -> bool {
        self.color_stderr
    }

    /// Wraps `text` in an ANSI style when `enabled`.
    pub fn paint(&self, text: &str, style: &str, enabled: bool) -> String {
        if enabled {
            format!("\x1b[{style}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn stderr_line(&self, label: &str, message: &str) {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{label} {message}");
    }
}

/// `--color auto`: `NO_COLOR` turns colour off; else `CLICOLOR_FORCE` (not `0`) turns it on
/// even without a terminal (CI logs that render ANSI); else a terminal that is not
/// `TERM=dumb` gets colour.
fn auto_color(is_tty: bool, var: impl Fn(&str) -> Option<String>) -> bool {
    if var("NO_COLOR").is_some() {
        return false;
    }
    if var("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
        return true;
    }
    is_tty && var("TERM").as_deref() != Some("dumb")
}

/// `1 repo`, `3 repos`: a count with its noun, plural unless the count is one.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::{auto_color, plural};

    #[test]
    fn no_color_then_clicolor_force_then_a_terminal_that_is_not_dumb() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        assert!(auto_color(true, env(&[])));
        assert!(!auto_color(false, env(&[])));
        assert!(!auto_color(true, env(&[("TERM", "dumb")])));
        assert!(auto_color(false, env(&[("CLICOLOR_FORCE", "1")])));
        assert!(!auto_color(false, env(&[("CLICOLOR_FORCE", "0")])));
        assert!(!auto_color(true, env(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")])));
    }

    #[test]
    fn plural_is_singular_only_for_one() {
        assert_eq!(plural(0, "seed file"), "0 seed files");
        assert_eq!(plural(1, "repo"), "1 repo");
        assert_eq!(plural(2, "migration"), "2 migrations");
    }
}
