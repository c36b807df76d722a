//! Why a registry entry cannot be: one variant per rule, worded once. Loading a registry
//! shows it after the entry's field (`FILE: projects[1].schema: …`), `link-project` on its
//! own; both as a [`ConfigError`] (exit 2) whose hint is the variant's.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::ConfigError;

/// The value of an entry an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// The entry as a whole (not an object, a key missing).
    Entry,
    Name,
    Path,
    Schema,
    Migrations,
    /// The `seeds` array as a whole.
    Seeds,
    /// One element of `seeds`.
    Seed(usize),
}

impl fmt::Display for Field {
    /// The key as the file spells it: `seeds[0]`; nothing for the whole entry.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Entry => Ok(()),
            Field::Name => f.write_str("name"),
            Field::Path => f.write_str("path"),
            Field::Schema => f.write_str("schema"),
            Field::Migrations => f.write_str("migrations"),
            Field::Seeds => f.write_str("seeds"),
            Field::Seed(index) => write!(f, "seeds[{index}]"),
        }
    }
}

/// A registry entry that breaks a rule. The message names the bad value; [`Self::hint`]
/// says what to do, where the message does not already.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum EntryError {
    #[error("expected an object")]
    NotAnObject,
    #[error("{}missing \"{key}\"", of(project))]
    Missing { key: Field, project: Option<String> },
    #[error("must be a string")]
    NotAString(Field),
    #[error("project {project:?}: must be an array of strings")]
    NotStrings { project: String },
    #[error("invalid project name {0:?}: at most 63 bytes (PostgreSQL's identifier limit)")]
    NameTooLong(String),
    #[error("invalid project name {0:?}: use lowercase letters, digits, '_' and '-', starting with a letter")]
    NameCharacters(String),
    #[error("invalid project name {name:?}: {why}")]
    NameReserved { name: String, why: &'static str },
    #[error("duplicate project name {0:?}")]
    NameTaken(String),
    #[error("schema \"public\" belongs to the platform")]
    SchemaPublic { project: String },
    #[error("invalid schema {0:?}: at most 63 bytes (PostgreSQL's identifier limit)")]
    SchemaTooLong(String),
    #[error("invalid schema {0:?}: use lowercase letters, digits and '_', starting with a letter or '_'")]
    SchemaCharacters(String),
    #[error("schema {schema:?} cannot be used: {why}")]
    SchemaReserved { schema: String, why: &'static str },
    #[error("schema {schema:?} is owned by project {owner}")]
    SchemaTaken { schema: String, owner: String },
    #[error("{0:?} is the platform itself")]
    PathIsPlatform(String),
    #[error("{0:?} lies inside the platform")]
    PathInsidePlatform(String),
    #[error("{0:?} contains the platform")]
    PathContainsPlatform(String),
    #[error("{0:?} is a file")]
    PathIsFile(String),
    #[error("{path:?} {} project {other}'s {other_path:?}", if *same { "is the same folder as" } else { "overlaps" })]
    PathOverlaps { path: String, other: String, other_path: String, same: bool },
    #[error("{value:?} must be relative to the project's repo")]
    NotRelative { field: Field, value: String },
    #[error("\"\" must not be empty")]
    Empty { field: Field },
    #[error("{value:?} leads out of the project's repo")]
    LeadsOut { field: Field, value: String },
    #[error("{value:?} leads to {}, outside the project's repo", target.display())]
    LeadsTo { field: Field, value: String, target: PathBuf },
}

/// `project "pay": ` when the entry's name is known.
fn of(project: &Option<String>) -> String {
    project.as_ref().map_or_else(String::new, |name| format!("project {name:?}: "))
}

impl EntryError {
    /// The value the error is about.
    pub(crate) fn field(&self) -> Field {
        use EntryError::*;
        match self {
            NotAnObject | Missing { .. } => Field::Entry,
            NotAString(field) => *field,
            NotStrings { .. } => Field::Seeds,
            NameTooLong(_) | NameCharacters(_) | NameReserved { .. } | NameTaken(_) => Field::Name,
            SchemaPublic { .. }
            | SchemaTooLong(_)
            | SchemaCharacters(_)
            | SchemaReserved { .. }
            | SchemaTaken { .. } => Field::Schema,
            PathIsPlatform(_)
            | PathInsidePlatform(_)
            | PathContainsPlatform(_)
            | PathIsFile(_)
            | PathOverlaps { .. } => Field::Path,
            NotRelative { field, .. } | Empty { field } | LeadsOut { field, .. } | LeadsTo { field, .. } => *field,
        }
    }

    /// What to do next, where the message does not say it.
    pub(crate) fn hint(&self) -> Option<String> {
        use EntryError::*;
        let hint = match self {
            NameReserved { .. } => "give the project another name (e.g. \"platform-app\")",
            SchemaPublic { project } => return Some(format!("give {project} a schema of its own")),
            SchemaReserved { .. } => "pick another",
            SchemaTaken { .. } => "each schema has one owner: pick another",
            PathIsPlatform(_) | PathContainsPlatform(_) => "point it at the sub-project's repo",
            PathInsidePlatform(_) => "a sub-project is a repo of its own beside it",
            PathIsFile(_) => "point it at the sub-project's repo (a folder)",
            PathOverlaps { .. } => "one repo is one project",
            _ => return None,
        };
        Some(hint.to_string())
    }

    /// As loading the registry at `path` reports it: after entry `index`'s field.
    pub(crate) fn in_file(self, path: &Path, index: usize) -> ConfigError {
        let dot = if self.field() == Field::Entry { "" } else { "." };
        let field = self.field();
        let err = ConfigError::from(self);
        ConfigError { message: format!("projects[{index}]{dot}{field}: {}", err.message), ..err }.at(path)
    }
}

impl From<EntryError> for ConfigError {
    /// The error as a command reports it, exit 2.
    fn from(err: EntryError) -> Self {
        let hint = err.hint();
        let config = ConfigError::new(err.to_string());
        match hint {
            Some(hint) => config.hint(hint),
            None => config,
        }
    }
}
