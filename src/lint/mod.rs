//! The rules behind `mynatca check`. Each rule takes what the command gathered (a file
//! name, a migration's SQL, the link plan, config.toml) and returns [`Finding`]s; the
//! command does the reading and the printing.
//!
//! - [`names`]: `name-pattern`, `name-style`, `name-prefix`;
//! - [`ownership`]: `parse` and `ownership`, on PostgreSQL's own grammar;
//! - [`links`]: the link rules, from the plan `mynatca link` would carry out;
//! - [`config`]: the registry and config.toml;
//! - [`hooks`]: whether each repo's hooks run mynatca;
//! - [`migrations`]: every migration through the SQL rules, parsed once;
//! - [`facts`], [`order`], [`rls`]: what each statement creates, references and
//!   secures, and the workspace-wide rules over them in apply order;
//! - [`transaction`]: transaction control and statements refused in a transaction block;
//! - [`history`]: `history-edit` and `out-of-order` against each repo's base branch;
//! - [`positions`]: statement lines and allow comments;
//! - [`nodes`], [`search_path`]: reading libpg_query's tree and resolving names.

use std::path::PathBuf;

pub(crate) mod config;
pub(crate) mod facts;
pub(crate) mod history;
pub(crate) mod hooks;
pub(crate) mod links;
pub(crate) mod migrations;
pub(crate) mod names;
pub(crate) mod nodes;
pub(crate) mod order;
pub(crate) mod ownership;
pub(crate) mod parsed;
pub(crate) mod positions;
pub(crate) mod rls;
pub(crate) mod search_path;
pub(crate) mod touch;
pub(crate) mod transaction;

pub(crate) use config::{config_findings, registry_error, RegistryLines};
pub(crate) use links::link_findings;
pub(crate) use migrations::check_migrations;
pub(crate) use names::name_findings;
pub(crate) use ownership::Owners;
pub(crate) use parsed::MigrationFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Level {
    Error,
    Warning,
}

impl Level {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// The rules of the SPEC's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Rule {
    Registry,
    StaleLink,
    BrokenLink,
    ForeignLink,
    Conflict,
    DuplicateVersion,
    NamePattern,
    NameStyle,
    NamePrefix,
    Ownership,
    Parse,
    ConfigSchemas,
    ConfigSeeds,
    TrackedLink,
    Hooks,
    HistoryEdit,
    OutOfOrder,
    Order,
    Rls,
    Transaction,
}

impl Rule {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Rule::Registry => "registry",
            Rule::StaleLink => "stale-link",
            Rule::BrokenLink => "broken-link",
            Rule::ForeignLink => "foreign-link",
            Rule::Conflict => "conflict",
            Rule::DuplicateVersion => "duplicate-version",
            Rule::NamePattern => "name-pattern",
            Rule::NameStyle => "name-style",
            Rule::NamePrefix => "name-prefix",
            Rule::Ownership => "ownership",
            Rule::Parse => "parse",
            Rule::ConfigSchemas => "config-schemas",
            Rule::ConfigSeeds => "config-seeds",
            Rule::TrackedLink => "tracked-link",
            Rule::Hooks => "hooks",
            Rule::HistoryEdit => "history-edit",
            Rule::OutOfOrder => "out-of-order",
            Rule::Order => "order",
            Rule::Rls => "rls",
            Rule::Transaction => "transaction",
        }
    }

    /// The rule's level in the SPEC's table (a `DO` block is the one warning under `ownership`).
    pub(crate) fn level(self) -> Level {
        match self {
            Rule::NamePattern
            | Rule::NameStyle
            | Rule::NamePrefix
            | Rule::ConfigSchemas
            | Rule::ConfigSeeds
            | Rule::Hooks => Level::Warning,
            _ => Level::Error,
        }
    }
}

/// One problem, at an absolute path and a 1-based line (1 for a whole file or folder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) rule: Rule,
    pub(crate) level: Level,
    pub(crate) path: PathBuf,
    pub(crate) line: usize,
    pub(crate) message: String,
}

impl Finding {
    /// A finding at the rule's own level.
    pub(crate) fn new(rule: Rule, path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Finding {
        Finding { rule, level: rule.level(), path: path.into(), line, message: message.into() }
    }

    /// The same finding as a warning.
    pub(crate) fn warning(self) -> Finding {
        Finding { level: Level::Warning, ..self }
    }
}
