//! Where messages go: results on stdout, `error:`/`warning:` on stderr, colour when wanted.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// The reader of stdout went away (`| head`): the rest of the output is dropped quietly.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
/// Writing to stdout failed otherwise (`> /dev/full`): the command fails once done.
static STDOUT_ERROR: OnceLock<String> = OnceLock::new();

/// How writing to stdout went, for the exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StdoutState {
    Written,
    /// A closed pipe: end quietly with 0, as ripgrep does.
    Closed,
    Failed(String),
}

/// Writes `bytes` to stdout as every result line is written: a closed pipe or a failed
/// write is remembered (see [`stdout_state`]) and nothing more is written after it.
pub(crate) fn write_stdout_bytes(bytes: &[u8]) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) || STDOUT_ERROR.get().is_some() {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(err) = stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
        } else {
            let _ = STDOUT_ERROR.set(err.to_string());
        }
    }
}

pub(crate) fn stdout_state() -> StdoutState {
    if let Some(err) = STDOUT_ERROR.get() {
        StdoutState::Failed(err.clone())
    } else if STDOUT_CLOSED.load(Ordering::Relaxed) {
        StdoutState::Closed
    } else {
        StdoutState::Written
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Ui {
    pub(crate) quiet: bool,
    pub(crate) verbose: u8,
    color_stderr: bool,
    color_stdout: bool,
}

impl Ui {
    /// `color`: whether stdout and stderr are coloured (see `commands::config`).
    pub(crate) fn new(quiet: bool, verbose: u8, color: (bool, bool)) -> Self {
        let ui = Ui { quiet, verbose, color_stdout: color.0, color_stderr: color.1 };
        ui.init_tracing();
        ui
    }

    /// A Ui for tests: plain, not quiet.
    #[cfg(test)]
    pub(crate) fn plain() -> Self {
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

    /// A line on stdout made of parts that went through [`escape`] or [`Ui::paint`]
    /// (a coloured table): the only way around the escaping of [`Ui::out`].
    pub(crate) fn out_painted(&self, line: &str) {
        self.write_stdout(line);
    }

    /// Lines an emitter wrote (each already escaped and ending in a newline), on stdout.
    pub(crate) fn out_lines(&self, lines: &[u8]) {
        if !lines.is_empty() {
            write_stdout_bytes(lines);
        }
    }

    pub(crate) fn error(&self, message: &str) {
        self.stderr_line(&self.paint("error:", "1;31", self.color_stderr), message);
    }

    pub(crate) fn warn(&self, message: &str) {
        self.stderr_line(&self.paint("warning:", "1;33", self.color_stderr), message);
    }

    /// A progress line on stderr, without a label (`waiting for …`), even with `--quiet`.
    pub(crate) fn note(&self, message: &str) {
        note(message);
    }

    /// A result line on stdout, unless `--quiet`.
    pub(crate) fn info(&self, message: &str) {
        if !self.quiet {
            self.out(message);
        }
    }

    /// A line on stdout whatever `--quiet` says (JSON documents, requested listings),
    /// control characters escaped. A failed write is remembered for [`stdout_state`];
    /// nothing more is written after it.
    pub(crate) fn out(&self, message: &str) {
        self.write_stdout(&escape(message));
    }

    fn write_stdout(&self, message: &str) {
        write_stdout_bytes(format!("{message}\n").as_bytes());
    }

    pub(crate) fn color_stdout(&self) -> bool {
        self.color_stdout
    }

    /// `text`, escaped, wrapped in an ANSI style when `enabled`.
    pub(crate) fn paint(&self, text: &str, style: &str, enabled: bool) -> String {
        if enabled {
            format!("\x1b[{style}m{}\x1b[0m", escape(text))
        } else {
            escape(text).into_owned()
        }
    }

    /// Errors and warnings may span lines on purpose (a list of files, indented); every
    /// other control character is escaped, and names are escaped where messages take them.
    fn stderr_line(&self, label: &str, message: &str) {
        let mut stderr = std::io::stderr().lock();
        let lines: Vec<_> = message.split('\n').map(escape).collect();
        let _ = writeln!(stderr, "{label} {}", lines.join("\n"));
    }
}

/// `text` with every control character (C0, DEL, C1: newlines, ESC, CSI) written as an
/// escape, so a hostile file name can neither split a finding into two lines nor drive
/// the terminal. Messages that embed a name escape it with this too. `\n`, `\r`, `\t`, else `\xNN` below 0x20 and `\u00NN` for DEL and C1 (which
/// JSON leaves raw, and where this form is a valid JSON escape).
pub(crate) fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `--color auto`: `NO_COLOR` turns colour off; else `CLICOLOR_FORCE` (not `0`) turns it on
/// even without a terminal (CI logs that render ANSI); else a terminal that is not
/// `TERM=dumb` gets colour.
/// A progress line on stderr, without a label, even with `--quiet`.
pub(crate) fn note(message: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}", escape(message));
}

/// Colour for `auto`: `NO_COLOR` wins, then `CLICOLOR_FORCE` (not `0`), then a terminal
/// that is not `TERM=dumb`. `var` gives only variables set to something.
pub(crate) fn auto_color(is_tty: bool, var: impl Fn(&str) -> Option<String>) -> bool {
    if var("NO_COLOR").is_some() {
        return false;
    }
    if var("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
        return true;
    }
    is_tty && var("TERM").as_deref() != Some("dumb")
}

pub(crate) use crate::text::plural;

#[cfg(test)]
mod tests {
    use super::{auto_color, escape, plural, Ui};

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(escape("plain é"), "plain é");
        assert_eq!(escape("a\nb\tc\rd"), "a\\nb\\tc\\rd");
        assert_eq!(escape("\x1b[2J\x7f\u{9b}"), "\\x1b[2J\\u007f\\u009b");
        assert_eq!(Ui::plain().paint("x\ny", "1", true), "\x1b[1mx\\ny\x1b[0m");
    }

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
