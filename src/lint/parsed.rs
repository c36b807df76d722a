//! A migration to read, and one that was read: what every SQL rule works on.

use std::path::PathBuf;

use super::facts::Statement;
use super::positions::Source;

/// A migration to read: its file, its project (or the platform) and, for a linked
/// project, the schema its name should carry.
#[derive(Debug, Clone)]
pub(crate) struct MigrationFile<'a> {
    pub(crate) path: PathBuf,
    pub(crate) project: &'a str,
    pub(crate) schema: Option<&'a str>,
}

impl MigrationFile<'_> {
    pub(crate) fn name(&self) -> &str {
        self.path.file_name().and_then(|n| n.to_str()).unwrap_or_default()
    }
}

/// A migration that was read: its text and, when PostgreSQL's parser accepts it, its statements.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) path: PathBuf,
    pub(crate) project: String,
    pub(crate) sql: String,
    pub(crate) statements: Vec<Statement>,
    pub(crate) parses: bool,
}

impl Parsed {
    pub(crate) fn name(&self) -> &str {
        self.path.file_name().and_then(|n| n.to_str()).unwrap_or_default()
    }

    pub(crate) fn source(&self) -> Source<'_> {
        Source::new(&self.sql)
    }
}
