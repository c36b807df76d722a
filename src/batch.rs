//! How the Supabase CLI cuts a migration file into statements and sends them, as measured
//! with the real CLI 3.1.0 on PostgreSQL 15 (the README's "How a file is applied" table;
//! `tests/integration/refresh/oracle.rs` measures it again). The engine sends files this
//! way and `check`'s `transaction` rule judges them by it.
//!
//! - The statements are the trimmed texts between top-level `;` (outside quotes, comments,
//!   dollar quotes, parentheses and `BEGIN ATOMIC … END`). A comment before a statement
//!   belongs to it; a comment after the last `;` is a statement of its own; blank ones
//!   are dropped. The history row records exactly these texts.
//! - A file holding transaction control (`BEGIN`, `START TRANSACTION`, `COMMIT`, `END`,
//!   `ROLLBACK`, `ABORT`, two-phase commands; not savepoints) is sent one statement at a
//!   time, each committing on its own outside an explicit block ([`Mode::OneByOne`]).
//! - Any other file is one pipeline, one implicit transaction, except that a statement
//!   PostgreSQL runs only outside a transaction and that the CLI knows ([`Class::Alone`])
//!   ends the pipeline so far (committing it) and runs on its own.

use pg_query::protobuf::{self, ReindexObjectType, Token, TransactionStmtKind};
use pg_query::NodeEnum;

/// One statement of a file and where it starts in the file (bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Statement<'a> {
    pub(crate) offset: usize,
    pub(crate) text: &'a str,
}

/// The statements of `sql` as the CLI cuts them. A file PostgreSQL's scanner cannot read
/// (an unterminated quote) is one statement, so the server reports where it fails.
pub(crate) fn split(sql: &str) -> Vec<Statement<'_>> {
    let mut cuts = Vec::new();
    let mut cutter = Cutter::default();
    let tokens = crate::text::scan_tokens(sql).unwrap_or_default();
    for token in &tokens {
        if cutter.token(token.token) {
            cuts.push(token.start as usize);
        }
    }
    let mut statements = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for cut in cuts.into_iter().chain([sql.len()]) {
        let part = &sql[from..cut];
        let text = part.trim();
        if !text.is_empty() {
            statements.push(Statement { offset: from + (part.len() - part.trim_start().len()), text });
        }
        from = (cut + 1).min(sql.len());
    }
    statements
}

/// Tracks nesting to tell a statement's `;` from one inside parentheses or a
/// `BEGIN ATOMIC` body (whose `CASE … END` nest too), as psql does.
#[derive(Debug, Default)]
struct Cutter {
    parens: usize,
    atomic: usize,
    /// The statement's first keywords, to know a `CREATE [OR REPLACE] FUNCTION|PROCEDURE`.
    head: Vec<i32>,
    after_begin: bool,
}

impl Cutter {
    /// True when `token` ends a statement.
    fn token(&mut self, token: i32) -> bool {
        let is = |t: Token| token == t as i32;
        if is(Token::SqlComment) || is(Token::CComment) {
            return false;
        }
        if self.head.len() < 4 {
            self.head.push(token);
        }
        let routine = |head: &[i32]| {
            let words: Vec<i32> =
                head.iter().copied().filter(|t| *t != Token::Or as i32 && *t != Token::Replace as i32).collect();
            words.first() == Some(&(Token::Create as i32))
                && matches!(words.get(1), Some(t) if *t == Token::Function as i32 || *t == Token::Procedure as i32)
        };
        let was_begin = std::mem::take(&mut self.after_begin);
        if is(Token::Ascii40) {
            self.parens += 1;
        } else if is(Token::Ascii41) {
            self.parens = self.parens.saturating_sub(1);
        } else if is(Token::BeginP) && routine(&self.head) {
            self.after_begin = true;
        } else if (is(Token::Atomic) && was_begin) || (is(Token::Case) && self.atomic > 0) {
            self.atomic += 1;
        } else if is(Token::EndP) && self.atomic > 0 {
            self.atomic -= 1;
        } else if is(Token::Ascii59) && self.parens == 0 && self.atomic == 0 {
            self.head.clear();
            return true;
        }
        false
    }
}

/// What a statement is to the way the CLI sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Plain,
    /// Run by the CLI as a query of its own, outside any pipeline (named for messages).
    Alone(&'static str),
    /// Transaction control: the file is then sent one statement at a time.
    Control(Control),
    /// `SAVEPOINT`, `RELEASE`, `ROLLBACK TO`: only inside an explicit block.
    Savepoint,
    /// Refused by PostgreSQL inside a transaction block or after the first statement of a
    /// pipeline, and not among what the CLI runs alone.
    Refused(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Control {
    Begin,
    /// `COMMIT`, `END`.
    Commit,
    /// `ROLLBACK`, `ABORT`.
    Rollback,
    /// `PREPARE TRANSACTION` (ends the block).
    Prepare,
    /// `COMMIT PREPARED`, `ROLLBACK PREPARED` (refused inside a block).
    Finish,
}

/// The class of one statement (its text as [`split`] gives it). Only statements whose
/// first word can make them anything but [`Class::Plain`] are parsed, so thousands of
/// files cost milliseconds.
pub(crate) fn classify(text: &str) -> Class {
    let lower = first_word(text).to_ascii_lowercase();
    let worth = match lower.as_str() {
        "begin" | "start" | "commit" | "end" | "rollback" | "abort" | "prepare" | "savepoint" | "release"
        | "vacuum" | "cluster" | "discard" | "reindex" => true,
        "create" | "drop" => {
            let text = text.to_ascii_lowercase();
            ["concurrently", "database", "tablespace", "subscription"].iter().any(|word| text.contains(word))
        }
        "alter" => text.to_ascii_lowercase().contains("system"),
        _ => false,
    };
    if !worth {
        return Class::Plain;
    }
    let Ok(parsed) = pg_query::parse(text, 0) else { return Class::Plain };
    let node = parsed.protobuf.stmts.first().and_then(|raw| raw.stmt.as_ref()).and_then(|stmt| stmt.node.as_ref());
    node.map_or(Class::Plain, class_of)
}

/// The statement's first word, past white space and comments.
fn first_word(text: &str) -> &str {
    let rest = &text[code_start(text)..];
    &rest[..rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len())]
}

/// Where a statement's code starts, past white space and comments (nested `/* */` too):
/// the line a message names.
pub(crate) fn code_start(text: &str) -> usize {
    let mut at = 0;
    loop {
        let rest = &text[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if trimmed.starts_with("--") {
            at += trimmed.find('\n').map_or(trimmed.len(), |newline| newline + 1);
        } else if trimmed.starts_with("/*") {
            at += block_comment_len(trimmed);
        } else {
            return at;
        }
    }
}

/// The length of the block comment `text` starts with (all of it when unterminated).
fn block_comment_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i + 1 < bytes.len() {
        match &bytes[i..i + 2] {
            b"/*" => (depth, i) = (depth + 1, i + 2),
            b"*/" => {
                (depth, i) = (depth - 1, i + 2);
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    text.len()
}

fn class_of(node: &NodeEnum) -> Class {
    use TransactionStmtKind as K;
    match node {
        NodeEnum::TransactionStmt(s) => match K::try_from(s.kind) {
            Ok(K::TransStmtBegin | K::TransStmtStart) => Class::Control(Control::Begin),
            Ok(K::TransStmtCommit) => Class::Control(Control::Commit),
            Ok(K::TransStmtRollback) => Class::Control(Control::Rollback),
            Ok(K::TransStmtPrepare) => Class::Control(Control::Prepare),
            Ok(K::TransStmtCommitPrepared | K::TransStmtRollbackPrepared) => Class::Control(Control::Finish),
            _ => Class::Savepoint,
        },
        NodeEnum::IndexStmt(s) if s.concurrent => Class::Alone("CREATE INDEX CONCURRENTLY"),
        NodeEnum::DropStmt(s) if s.concurrent => Class::Alone("DROP INDEX CONCURRENTLY"),
        NodeEnum::ReindexStmt(s) if reindex_concurrently(s) => Class::Alone("REINDEX CONCURRENTLY"),
        NodeEnum::VacuumStmt(s) if s.is_vacuumcmd => Class::Alone("VACUUM"),
        NodeEnum::ClusterStmt(_) => Class::Alone("CLUSTER"),
        NodeEnum::AlterSystemStmt(_) => Class::Alone("ALTER SYSTEM"),
        NodeEnum::ReindexStmt(s) => match ReindexObjectType::try_from(s.kind) {
            Ok(ReindexObjectType::ReindexObjectSchema) => Class::Refused("REINDEX SCHEMA"),
            Ok(ReindexObjectType::ReindexObjectSystem) => Class::Refused("REINDEX SYSTEM"),
            Ok(ReindexObjectType::ReindexObjectDatabase) => Class::Refused("REINDEX DATABASE"),
            _ => Class::Plain,
        },
        NodeEnum::CreatedbStmt(_) => Class::Refused("CREATE DATABASE"),
        NodeEnum::DropdbStmt(_) => Class::Refused("DROP DATABASE"),
        NodeEnum::CreateTableSpaceStmt(_) => Class::Refused("CREATE TABLESPACE"),
        NodeEnum::DropTableSpaceStmt(_) => Class::Refused("DROP TABLESPACE"),
        NodeEnum::DiscardStmt(s) if s.target == protobuf::DiscardMode::DiscardAll as i32 => {
            Class::Refused("DISCARD ALL")
        }
        NodeEnum::CreateSubscriptionStmt(s) if creates_slot(&s.options) => {
            Class::Refused("CREATE SUBSCRIPTION with a replication slot")
        }
        _ => Class::Plain,
    }
}

fn reindex_concurrently(s: &protobuf::ReindexStmt) -> bool {
    s.params.iter().filter_map(def_elem).any(|d| d.defname == "concurrently")
}

fn def_elem(node: &pg_query::Node) -> Option<&protobuf::DefElem> {
    match node.node.as_ref() {
        Some(NodeEnum::DefElem(d)) => Some(d),
        _ => None,
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

/// How the CLI sends a migration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// One pipeline (one implicit transaction), cut around [`Class::Alone`] statements.
    Pipeline,
    /// Each statement a query of its own: the file holds transaction control.
    OneByOne,
}

pub(crate) fn mode(classes: &[Class]) -> Mode {
    if classes.iter().any(|class| matches!(class, Class::Control(_))) {
        Mode::OneByOne
    } else {
        Mode::Pipeline
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        split(sql).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn split_keeps_comments_with_the_next_statement_as_the_cli_records_them() {
        let sql = "-- lead comment\ncreate table a1(id int); -- trailing\n\n/* block */ create table a2(id int);;\n;\n\
                   create function f() returns int language sql as $f$ select 1; $f$;\ncreate table a3(id int)";
        assert_eq!(
            texts(sql),
            vec![
                "-- lead comment\ncreate table a1(id int)",
                "-- trailing\n\n/* block */ create table a2(id int)",
                "create function f() returns int language sql as $f$ select 1; $f$",
                "create table a3(id int)",
            ]
        );
        for statement in split(sql) {
            assert_eq!(&sql[statement.offset..statement.offset + statement.text.len()], statement.text);
        }
    }

    #[test]
    fn split_understands_quotes_rules_and_atomic_bodies() {
        let sql = "create table s1 (id int)   ;\nselect 'a;b' as x; select E'it\\'s;' ;\n\
                   select \"we;ird\" from (select 1 as \"we;ird\") q; -- c; d\n\
                   /* outer /* inner; */ still; */ select 2;\nselect $tag$ ; $$ ; $tag$;\n\
                   create rule r1 as on insert to s1 do also (select 1; select 2);\n\
                   create function fa() returns int language sql begin atomic select case when true then 1 end; end;\n\
                   select 3\n;\n\t\n-- end comment\n";
        assert_eq!(
            texts(sql),
            vec![
                "create table s1 (id int)",
                "select 'a;b' as x",
                "select E'it\\'s;'",
                "select \"we;ird\" from (select 1 as \"we;ird\") q",
                "-- c; d\n/* outer /* inner; */ still; */ select 2",
                "select $tag$ ; $$ ; $tag$",
                "create rule r1 as on insert to s1 do also (select 1; select 2)",
                "create function fa() returns int language sql begin atomic select case when true then 1 end; end",
                "select 3",
                "-- end comment",
            ]
        );
        assert_eq!(texts("create table s2(id int);\r\nselect 1;\r\n"), vec!["create table s2(id int)", "select 1"]);
    }

    #[test]
    fn an_empty_file_has_no_statement() {
        for sql in ["", "  \n\t\n"] {
            assert!(texts(sql).is_empty());
            assert_eq!(mode(&[]), Mode::Pipeline);
        }
        assert_eq!(texts("-- only a comment\n"), ["-- only a comment"]);
    }

    #[test]
    fn a_file_the_scanner_rejects_is_one_statement() {
        assert_eq!(texts("select 1;\nselect 'open"), vec!["select 1;\nselect 'open"]);
    }

    #[test]
    fn classes_follow_what_the_cli_runs_alone_and_what_switches_it_to_one_by_one() {
        let class = |sql: &str| classify(sql);
        assert_eq!(class("-- c\nCREATE INDEX\n CONCURRENTLY i ON t (a)"), Class::Alone("CREATE INDEX CONCURRENTLY"));
        assert_eq!(class("vacuum analyze t"), Class::Alone("VACUUM"));
        assert_eq!(class("analyze t"), Class::Plain);
        assert_eq!(class("cluster t using i"), Class::Alone("CLUSTER"));
        assert_eq!(class("alter system set work_mem = '5MB'"), Class::Alone("ALTER SYSTEM"));
        assert_eq!(class("reindex table concurrently t"), Class::Alone("REINDEX CONCURRENTLY"));
        assert_eq!(class("reindex database d"), Class::Refused("REINDEX DATABASE"));
        assert_eq!(class("create database d"), Class::Refused("CREATE DATABASE"));
        assert_eq!(class("end"), Class::Control(Control::Commit));
        assert_eq!(class("abort"), Class::Control(Control::Rollback));
        assert_eq!(class("rollback to savepoint s"), Class::Savepoint);
        assert_eq!(class("rollback prepared 'x'"), Class::Control(Control::Finish));
        assert_eq!(class("select 'begin; commit'"), Class::Plain);
        assert_eq!(class("do $$ begin commit; end $$"), Class::Plain);
        assert_eq!(mode(&[Class::Plain, Class::Savepoint]), Mode::Pipeline);
        assert_eq!(mode(&[Class::Plain, Class::Control(Control::Commit)]), Mode::OneByOne);
    }
}
