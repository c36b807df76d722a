//! mynatca: the MyNATCA migration workflow across the platform and its sub-project repos.
//!
//! `commands` holds one module per CLI command; everything else is plain library code
//! with no output policy of its own.

pub mod audit;
pub mod checkout;
mod civil;
pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod error;
pub mod fsutil;
pub mod gitdir;
pub mod hooks;
pub mod json;
pub mod lint;
pub mod lockfile;
pub mod migration;
pub mod reconcile;
pub mod registry;
pub mod repos;
pub mod sqlerror;
pub mod suggest;
pub(crate) mod text;
pub mod ui;
pub mod warning;
pub mod workspace;
