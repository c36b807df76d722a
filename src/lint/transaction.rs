//! `transaction`: each migration runs in one transaction (the Supabase CLI's and
//! `mynatca refresh`'s), so a file must neither end or restart it (a `COMMIT` then a
//! failure leaves half a file applied; a `ROLLBACK` silently drops part of it and the
//! file is still recorded as applied) nor hold a statement PostgreSQL refuses inside a
//! transaction block (a reset fails on it every time).

use std::collections::HashSet;
use std::path::Path;

use pg_query::protobuf::{self, DiscardMode, ReindexObjectType, TransactionStmtKind};
use pg_query::NodeEnum;

use super::nodes::def_elem;
use super::positions::Source;
use super::{Finding, Rule};
use crate::text::offset;

/// `transaction` findings for one migration, for callers that have not parsed it
/// (`refresh` refuses such a file before it runs anything). SQL PostgreSQL's parser
/// rejects gives none: that is the `parse` rule's finding, and the database's error.
pub(crate) fn transaction_findings(path: &Path, sql: &str) -> Vec<Finding> {
    let mut rule = Transactions::default();
    let mut source = Source::new(sql);
    let mut findings = Vec::new();
    let parsed = crate::sqlerror::each_statement(sql, |raw| {
        let Some(node) = raw.stmt.as_ref().and_then(|s| s.node.as_ref()) else { return };
        if let Some(message) = rule.statement(node) {
            let (line, _) = source.statement_start(offset(raw.stmt_location));
            findings.push(Finding::new(Rule::Transaction, path, line, message));
        }
    });
    if parsed.is_err() {
        return Vec::new();
    }
    findings
}

/// The rule over one file's statements in order (it remembers the savepoints set).
#[derive(Debug, Default)]
pub(crate) struct Transactions {
    savepoints: HashSet<String>,
}

const WHY: &str = "each migration runs in one transaction";

impl Transactions {
    /// The problem with `node`, if it has one.
    pub(crate) fn statement(&mut self, node: &NodeEnum) -> Option<String> {
        let refused = |what: &str| {
            Some(format!(
                "{what} cannot run inside a transaction block and {WHY}, so `supabase db reset` fails here; run it outside migrations (or drop CONCURRENTLY where that is what makes it so)"
            ))
        };
        match node {
            NodeEnum::TransactionStmt(s) => self.transaction(s),
            NodeEnum::IndexStmt(s) if s.concurrent => refused("CREATE INDEX CONCURRENTLY"),
            NodeEnum::DropStmt(s) if s.concurrent => refused("DROP INDEX CONCURRENTLY"),
            NodeEnum::ReindexStmt(s) => {
                let concurrently = s.params.iter().filter_map(def_elem).any(|d| d.defname == "concurrently");
                match ReindexObjectType::try_from(s.kind) {
                    _ if concurrently => refused("REINDEX ... CONCURRENTLY"),
                    Ok(ReindexObjectType::ReindexObjectSchema) => refused("REINDEX SCHEMA"),
                    Ok(ReindexObjectType::ReindexObjectSystem) => refused("REINDEX SYSTEM"),
                    Ok(ReindexObjectType::ReindexObjectDatabase) => refused("REINDEX DATABASE"),
                    _ => None,
                }
            }
            NodeEnum::VacuumStmt(s) if s.is_vacuumcmd => refused("VACUUM"),
            NodeEnum::CreatedbStmt(_) => refused("CREATE DATABASE"),
            NodeEnum::DropdbStmt(_) => refused("DROP DATABASE"),
            NodeEnum::AlterSystemStmt(_) => refused("ALTER SYSTEM"),
            NodeEnum::CreateTableSpaceStmt(_) => refused("CREATE TABLESPACE"),
            NodeEnum::DropTableSpaceStmt(_) => refused("DROP TABLESPACE"),
            NodeEnum::ClusterStmt(s) if s.relation.is_none() => refused("CLUSTER without a table"),
            NodeEnum::DiscardStmt(s) if DiscardMode::try_from(s.target) == Ok(DiscardMode::DiscardAll) => {
                refused("DISCARD ALL")
            }
            NodeEnum::CreateSubscriptionStmt(s) if creates_slot(&s.options) => {
                refused("CREATE SUBSCRIPTION with a replication slot")
            }
            _ => None,
        }
    }

    fn transaction(&mut self, s: &protobuf::TransactionStmt) -> Option<String> {
        use TransactionStmtKind as K;
        let ends =
            |what: &str, effect: &str| Some(format!("{what} inside a migration: {WHY}, and this {effect}; remove it"));
        match K::try_from(s.kind) {
            Ok(K::TransStmtBegin | K::TransStmtStart) => {
                ends("BEGIN", "one only warns, then its COMMIT ends the file's transaction early")
            }
            Ok(K::TransStmtCommit) => ends(
                "COMMIT",
                "ends it early: a later failure leaves everything before it applied while the file counts as failed",
            ),
            Ok(K::TransStmtRollback) => ends(
                "ROLLBACK",
                "silently discards what came before it, and the file is still recorded as applied",
            ),
            Ok(K::TransStmtPrepare | K::TransStmtCommitPrepared | K::TransStmtRollbackPrepared) => {
                ends("a two-phase commit command", "ends or needs to be outside it")
            }
            Ok(K::TransStmtSavepoint) => {
                self.savepoints.insert(s.savepoint_name.clone());
                None
            }
            Ok(K::TransStmtRelease | K::TransStmtRollbackTo) if !self.savepoints.contains(&s.savepoint_name) => {
                Some(format!(
                    "savepoint {} is released or rolled back to, but no SAVEPOINT before it in this file sets it, so the file fails here; add `savepoint {}` first or remove it",
                    s.savepoint_name, s.savepoint_name
                ))
            }
            _ => None,
        }
    }
}

/// CREATE SUBSCRIPTION makes a replication slot unless `create_slot` or `connect` is false.
fn creates_slot(options: &[pg_query::Node]) -> bool {
    let is_false = |d: &protobuf::DefElem| match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
        Some(NodeEnum::String(s)) => matches!(s.sval.to_lowercase().as_str(), "false" | "off" | "0"),
        Some(NodeEnum::Boolean(b)) => !b.boolval,
        Some(NodeEnum::Integer(i)) => i.ival == 0,
        _ => false,
    };
    !options.iter().filter_map(def_elem).filter(|d| d.defname == "create_slot" || d.defname == "connect").any(is_false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(sql: &str) -> Vec<(usize, String)> {
        transaction_findings(Path::new("/x.sql"), sql).into_iter().map(|f| (f.line, f.message)).collect()
    }

    fn lines(sql: &str) -> Vec<usize> {
        found(sql).into_iter().map(|(line, _)| line).collect()
    }

    #[test]
    fn transaction_control_is_flagged() {
        assert_eq!(lines("begin;\ncreate table t (id int);\ncommit;\n"), vec![1, 3]);
        assert_eq!(lines("start transaction;\nselect 1;\nend;\nrollback;\n"), vec![1, 3, 4]);
        assert_eq!(lines("prepare transaction 'x';\ncommit prepared 'x';\n"), vec![1, 2]);
        let commit = &found("select 1;\ncommit;")[0].1;
        assert!(commit.starts_with("COMMIT inside a migration: each migration runs in one transaction"), "{commit}");
    }

    #[test]
    fn savepoints_set_in_the_file_are_fine() {
        assert!(found("savepoint a;\nselect 1;\nrollback to savepoint a;\nrelease savepoint a;").is_empty());
        assert_eq!(lines("select 1;\nrelease savepoint b;"), vec![2]);
        assert_eq!(lines("rollback to b;"), vec![1]);
    }

    #[test]
    fn statements_refused_in_a_transaction_block_are_flagged() {
        let sql = "create unique index concurrently i on t (a);\n\
                   drop index concurrently i;\n\
                   reindex (concurrently) table t;\n\
                   reindex index concurrently i;\n\
                   vacuum t;\n\
                   create database x;\n\
                   alter system set work_mem = '1MB';\n\
                   create tablespace s location '/x';\n\
                   drop tablespace s;\n\
                   reindex database x;\n\
                   cluster;\n\
                   discard all;\n\
                   drop database x;\n";
        assert_eq!(lines(sql), (1..=13).collect::<Vec<_>>());
        let first = &found(sql)[0].1;
        assert!(first.starts_with("CREATE INDEX CONCURRENTLY cannot run inside a transaction block"), "{first}");
    }

    #[test]
    fn what_runs_in_a_transaction_block_is_fine() {
        let sql = "create index i on t (a);\nreindex table t;\nanalyze t;\nalter type s add value 'x';\n\
                   cluster t using i;\ndiscard temp;\ndrop index i;\nlock table t;\n";
        assert!(found(sql).is_empty(), "{:?}", found(sql));
        assert!(found("create table (").is_empty(), "parse errors are the parse rule's");
    }
}
