//! Errors that know their exit code, and the outcome of a command that ran to the end.

use std::fmt;
use std::path::{Path, PathBuf};

/// A usage or configuration error (no platform, bad registry, bad value, missing tool):
/// exit 2. Everything else that goes wrong while a command runs exits 1.
///
/// Shown as `PATH:LINE:COL: MESSAGE; HINT`, each part only when known, so a caller that
/// wants the position (check's findings) reads the fields instead of the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) struct ConfigError {
    pub(crate) path: Option<PathBuf>,
    /// 1-based line and column in `path`.
    pub(crate) position: Option<(usize, usize)>,
    pub(crate) message: String,
    /// What to do next.
    pub(crate) hint: Option<String>,
}

impl ConfigError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ConfigError { path: None, position: None, message: message.into(), hint: None }
    }

    /// The same error about `path`.
    pub(crate) fn at(self, path: &Path) -> Self {
        ConfigError { path: Some(path.to_path_buf()), ..self }
    }

    pub(crate) fn position(self, line: usize, column: usize) -> Self {
        ConfigError { position: Some((line, column)), ..self }
    }

    pub(crate) fn hint(self, hint: impl Into<String>) -> Self {
        ConfigError { hint: Some(hint.into()), ..self }
    }

    /// The message and hint without the file and position (for reports that name those apart).
    pub(crate) fn detail(&self) -> String {
        match &self.hint {
            Some(hint) => format!("{}; {hint}", self.message),
            None => self.message.clone(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{}", path.display())?;
            if let Some((line, column)) = self.position {
                write!(f, ":{line}:{column}")?;
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.detail())
    }
}

/// Shorthand for returning a [`ConfigError`] through `anyhow`.
pub(crate) fn config_error(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(ConfigError::new(message))
}

/// The refresh was interrupted by a signal: the target was left as it was.
#[derive(Debug)]
pub(crate) struct Interrupted {
    pub(crate) signal: i32,
    /// What the run left, e.g. `database "dev" … was left as it was`.
    pub(crate) left: String,
}

impl Interrupted {
    /// A refresh's: the target as it was, and what became of the build.
    pub(crate) fn refresh(signal: i32, target: &str, kept: Option<&str>, built: bool) -> Interrupted {
        let build = match (kept, built) {
            (Some(kept), _) => format!("; the unfinished build is kept as database \"{kept}\""),
            (None, true) => " and the unfinished build was dropped".to_string(),
            (None, false) => String::new(),
        };
        Interrupted { signal, left: format!("{target} was left as it was{build}") }
    }
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "interrupted by {}: {}", signal_name(self.signal), self.left)
    }
}

impl std::error::Error for Interrupted {}

/// A signal's name, for messages.
pub(crate) fn signal_name(signal: i32) -> &'static str {
    match signal {
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        libc::SIGQUIT => "SIGQUIT",
        _ => "SIGINT",
    }
}

/// The exit code an error ends the program with: 128 + the signal for a run stopped by
/// one (the shell's convention), 2 for usage and configuration errors anywhere in the
/// chain, 1 for everything else.
pub(crate) fn exit_code(err: &anyhow::Error) -> u8 {
    if let Some(interrupted) = err.downcast_ref::<Interrupted>() {
        return 128u8.saturating_add(u8::try_from(interrupted.signal).unwrap_or(0));
    }
    if err.chain().any(|cause| cause.is::<ConfigError>()) {
        2
    } else {
        1
    }
}

/// How a command that ran to the end went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Done, nothing wrong: exit 0.
    Clean,
    /// Ran and found problems (conflict, duplicate, drift, failed check): exit 1.
    Problems,
}

impl Outcome {
    pub(crate) fn from_problems(problems: bool) -> Self {
        if problems {
            Outcome::Problems
        } else {
            Outcome::Clean
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_shows_each_known_part() {
        assert_eq!(ConfigError::new("bad").to_string(), "bad");
        let err = ConfigError::new("invalid JSON").at(Path::new("/p/r.json")).position(3, 7).hint("fix it");
        assert_eq!(err.to_string(), "/p/r.json:3:7: invalid JSON; fix it");
        assert_eq!(err.detail(), "invalid JSON; fix it");
        assert_eq!(ConfigError::new("m").at(Path::new("f")).to_string(), "f: m");
    }

    #[test]
    fn exit_code_comes_from_the_error_type() {
        assert_eq!(exit_code(&config_error("x")), 2);
        assert_eq!(exit_code(&anyhow::Error::new(ConfigError::new("x")).context("while y")), 2);
        assert_eq!(exit_code(&anyhow::anyhow!("config: looks like one but is not")), 1);
    }
}
