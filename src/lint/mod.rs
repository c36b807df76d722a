//! The rules behind `mynatca check`. Each rule takes what the command gathered (a file
//! name, a migration's SQL, the link plan, config.toml) and returns [`Diagnostic`]s; the
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
//! - [`renames`]: the one name every rule suggests for a file, versions from one allocator;
//! - [`positions`]: statement lines and allow comments;
//! - [`ignores`], [`settings`]: a team's tuning: `-- mynatca-ignore:` comments, and
//!   mynatca.toml's rule levels and ownership grants;
//! - [`plpgsql`]: the SQL inside PL/pgSQL bodies;
//! - [`nodes`], [`search_path`]: reading libpg_query's tree and resolving names.

pub(crate) mod config;
pub(crate) mod facts;
pub(crate) mod history;
pub(crate) mod hooks;
pub(crate) mod ignores;
pub(crate) mod links;
pub(crate) mod migrations;
pub(crate) mod names;
pub(crate) mod nodes;
pub(crate) mod order;
pub(crate) mod ownership;
pub(crate) mod parsed;
pub(crate) mod plpgsql;
pub(crate) mod positions;
pub(crate) mod renames;
pub(crate) mod rls;
pub(crate) mod search_path;
pub(crate) mod settings;
pub(crate) mod touch;
pub(crate) mod transaction;

pub(crate) use config::{config_findings, registry_error, RegistryLines};
pub(crate) use links::link_findings;
pub(crate) use migrations::check_migrations;
pub(crate) use names::name_findings;
pub(crate) use ownership::Owners;
pub(crate) use parsed::MigrationFile;

// A rule's finding is the one diagnostic type, and a rule one of its codes.
pub(crate) use crate::diagnostic::{Code, Diagnostic};
