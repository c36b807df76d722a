//! The one error a caller branches on: configuration and usage problems exit 2.

/// A usage or configuration error (no platform, bad registry, bad value, missing tool).
/// Everything else that goes wrong while a command runs exits 1.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Shorthand for returning a [`ConfigError`] through `anyhow`.
pub fn config_error(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(ConfigError(message.into()))
}

/// How a command that ran to the end went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done, nothing wrong: exit 0.
    Clean,
    /// Ran and found problems (conflict, duplicate, drift, failed check): exit 1.
    Problems,
}

impl Outcome {
    pub fn from_problems(problems: bool) -> Self {
        if problems {
            Outcome::Problems
        } else {
            Outcome::Clean
        }
    }
}
