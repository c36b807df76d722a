//! One file, sent as the Supabase CLI sends it (see [`crate::batch`]): `RESET ALL`, then
//! the statements, pipelined in one implicit transaction or one by one, with the history
//! row the CLI writes; a failure is mapped back to the file's line.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use sha2::{Digest, Sha256};

use super::wire::{ServerError, Session, Step};
use super::SqlFile;
use crate::batch::{self, Class, Mode};
use crate::error::ConfigError;

/// The largest file a refresh reads: bigger is surely not a migration written by hand.
pub(crate) const MAX_FILE_BYTES: u64 = 64 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Migration,
    Seed,
}

/// The row `supabase_migrations.schema_migrations` gets for a migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct History {
    pub(crate) version: String,
    /// The description after the version.
    pub(crate) name: String,
}

/// The history a file leaves, as the CLI records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Record {
    /// A row of `supabase_migrations.schema_migrations`.
    Migration(History),
    /// A row of `supabase_migrations.seed_files`: the path from the platform's root.
    Seed(String),
}

/// A file read, checked and split, ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Script {
    pub(crate) file: SqlFile,
    pub(crate) record: Record,
    pub(crate) sql: String,
    /// Each statement's byte range in `sql`, as the CLI cuts them.
    pub(crate) statements: Vec<Range<usize>>,
    pub(crate) classes: Vec<Class>,
    /// Statements sent differently: `None` leaves one out, `Some` sends that text instead
    /// (see `--allow-missing-extensions`). The history row keeps the file's own text.
    pub(crate) replaced: BTreeMap<usize, Option<String>>,
}

impl Script {
    /// Reads `file`, refusing (as a usage error, before any database is touched) what
    /// cannot be a SQL file: not a regular file, unreadable, too big, NUL bytes, not UTF-8.
    pub(crate) fn load(file: SqlFile, record: Record) -> Result<Script, ConfigError> {
        let refuse =
            |why: String| ConfigError::new(format!("{} ({}): {why}; fix or remove it", file.shown, file.project));
        let meta = std::fs::metadata(&file.path).map_err(|err| match crate::fsutil::unfollowable(&err) {
            Some(kind) => refuse(format!("{kind}, not a regular file")),
            None => refuse(format!("cannot read it ({err})")),
        })?;
        if !meta.is_file() {
            return Err(refuse("not a regular file".to_string()));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(refuse(format!("{} bytes, over the 64 MiB a refresh reads", meta.len())));
        }
        let bytes = std::fs::read(&file.path).map_err(|err| refuse(format!("cannot read it ({err})")))?;
        if let Some(at) = bytes.iter().position(|b| *b == 0) {
            return Err(refuse(format!("a NUL byte at offset {at}, so it is not SQL text")));
        }
        let sql = String::from_utf8(bytes)
            .map_err(|err| refuse(format!("not UTF-8 (invalid bytes at offset {})", err.utf8_error().valid_up_to())))?;
        Ok(Script::new(file, record, sql))
    }

    pub(crate) fn new(file: SqlFile, record: Record, sql: String) -> Script {
        let split = batch::split(&sql);
        let classes = split.iter().map(|s| batch::classify(s.text)).collect();
        let statements = split.iter().map(|s| s.offset..s.offset + s.text.len()).collect();
        Script { file, record, sql, statements, classes, replaced: BTreeMap::new() }
    }

    /// A migration or a seed, as its record says.
    pub(crate) fn kind(&self) -> Kind {
        match self.record {
            Record::Migration(_) => Kind::Migration,
            Record::Seed(_) => Kind::Seed,
        }
    }

    pub(crate) fn statement(&self, index: usize) -> &str {
        &self.sql[self.statements[index].clone()]
    }

    /// Where statement `index`'s code starts (past the comments before it), in bytes.
    pub(crate) fn code_offset(&self, index: usize) -> usize {
        let range = &self.statements[index];
        range.start + batch::code_start(&self.sql[range.clone()])
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line_at(&self, offset: usize) -> usize {
        crate::text::line_col(&self.sql, offset).0
    }

    /// The file name, e.g. `20240101000000_init.sql`.
    pub(crate) fn file_name(&self) -> String {
        self.file.path.file_name().unwrap_or_default().to_string_lossy().into_owned()
    }

    /// What is sent for statement `index`: `None` when it is left out.
    fn sent(&self, index: usize) -> Option<&str> {
        match self.replaced.get(&index) {
            Some(other) => other.as_deref(),
            None => Some(self.statement(index)),
        }
    }
}

/// A tag for what is not one of the file's statements (its history row).
const RECORD: usize = usize::MAX;
/// The tag of the reset before a migration.
const RESET_TAG: usize = usize::MAX - 1;

/// `RESET ALL` before each migration, as the CLI does (a dump's `set_config('search_path',
/// '', false)` must not reach the next file); `synchronous_commit` off again for speed: a
/// rebuilt database need not wait for the disk.
const RESET: &str = "RESET ALL; SET synchronous_commit = off";

const INSERT_MIGRATION: &str =
    "INSERT INTO supabase_migrations.schema_migrations(version, name, statements) VALUES($1, $2, $3)";
const INSERT_SEED: &str = "INSERT INTO supabase_migrations.seed_files(path, hash) VALUES($1, $2) ON CONFLICT (path) DO UPDATE SET hash = EXCLUDED.hash";

/// What the CLI creates before the first seed.
pub(crate) const SEED_TABLE: &str = "BEGIN; SET LOCAL lock_timeout = '4s'; CREATE SCHEMA IF NOT EXISTS supabase_migrations; \
     CREATE TABLE IF NOT EXISTS supabase_migrations.seed_files (path text NOT NULL PRIMARY KEY, hash text NOT NULL); COMMIT";

/// The steps the CLI sends for `script` (after the reset), given the history row's parameters.
fn steps<'a>(script: &'a Script, params: &'a [&'a str]) -> Vec<Step<'a>> {
    let mut steps = Vec::with_capacity(script.statements.len() + 3);
    let record = |steps: &mut Vec<Step<'a>>| {
        let sql = if script.kind() == Kind::Seed { INSERT_SEED } else { INSERT_MIGRATION };
        steps.push(Step::Pipelined { sql, params, tag: RECORD });
        steps.push(Step::Sync);
    };
    let each = (0..script.statements.len()).filter_map(|index| Some((index, script.sent(index)?)));
    if script.kind() == Kind::Seed {
        steps.push(Step::Query { sql: "BEGIN", tag: RECORD });
        steps.extend(each.map(|(tag, sql)| Step::Query { sql, tag }));
        record(&mut steps);
        steps.push(Step::Query { sql: "COMMIT", tag: RECORD });
        return steps;
    }
    if batch::mode(&script.classes) == Mode::OneByOne {
        steps.extend(each.map(|(tag, sql)| Step::Query { sql, tag }));
        record(&mut steps);
        return steps;
    }
    let mut pending = false;
    for (tag, sql) in each {
        if matches!(script.classes[tag], Class::Alone(_)) {
            if std::mem::take(&mut pending) {
                steps.push(Step::Sync);
            }
            steps.push(Step::Query { sql, tag });
        } else {
            steps.push(Step::Pipelined { sql, params: &[], tag });
            pending = true;
        }
    }
    record(&mut steps);
    steps
}

/// The history row's parameters, in text form.
fn record_params(script: &Script) -> Vec<String> {
    match &script.record {
        Record::Migration(history) => {
            let texts = (0..script.statements.len()).map(|i| script.statement(i));
            vec![history.version.clone(), history.name.clone(), text_array(texts)]
        }
        Record::Seed(path) => vec![path.clone(), crate::text::hex(&Sha256::digest(script.sql.as_bytes()))],
    }
}

/// A `text[]` literal: every element double-quoted, `"` and `\` escaped.
fn text_array<'a>(texts: impl Iterator<Item = &'a str>) -> String {
    let quoted: Vec<String> =
        texts.map(|text| format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))).collect();
    format!("{{{}}}", quoted.join(","))
}

/// Runs `script` as the CLI does. `Ok(Err(_))` is the file failing; `Err(_)` is anything
/// else (the connection, say).
pub(crate) fn apply(session: &mut Session, script: &Script) -> anyhow::Result<Result<(), FileFailure>> {
    let params = record_params(script);
    let params: Vec<&str> = params.iter().map(String::as_str).collect();
    let mut sent = steps(script, &params);
    if script.kind() == Kind::Migration {
        // Its answer changes nothing of what follows: written with the file, one round trip.
        sent.insert(0, Step::Ahead { sql: RESET, tag: RESET_TAG });
    }
    let refusal = match session.run(&sent)? {
        Ok(()) if session.in_transaction() && script.kind() == Kind::Migration => {
            session.simple("ROLLBACK")?.ok();
            return Ok(Err(FileFailure::left_open(script)));
        }
        Ok(()) => return Ok(Ok(())),
        Err(refusal) => refusal,
    };
    let one_by_one = script.kind() == Kind::Seed || batch::mode(&script.classes) == Mode::OneByOne;
    if one_by_one {
        // The CLI ends what the file left open; a pipeline's implicit transaction is gone already.
        session.simple("ROLLBACK")?.ok();
    }
    let (tag, error) = refusal;
    let offset = statement_offset(script, tag, &error);
    let mut failure = FileFailure::new(script, script.line_at(offset), &error);
    if let Some(note) = dumped_from(&script.sql).and_then(|dumped| newer_dump_note(dumped, session.server_version())) {
        failure.message.push_str(&format!(" ({note})"));
    }
    Ok(Err(failure))
}

/// Where in the file the error is: its position inside the failing statement, else that
/// statement's start; the history row failing gives the file's first statement.
fn statement_offset(script: &Script, tag: usize, error: &ServerError) -> usize {
    let Some(range) = script.statements.get(tag) else {
        return if script.statements.is_empty() { 0 } else { script.code_offset(0) };
    };
    match error.position {
        Some(position) if !script.replaced.contains_key(&tag) => {
            let text = &script.sql[range.clone()];
            range.start + text.char_indices().nth(position.saturating_sub(1)).map_or(text.len(), |(byte, _)| byte)
        }
        _ => script.code_offset(tag),
    }
}

/// The version a `pg_dump` file says it was dumped from (`-- Dumped from database version 17.6`).
fn dumped_from(sql: &str) -> Option<&str> {
    sql.lines().take(40).find_map(|line| line.strip_prefix("-- Dumped from database version ")).map(str::trim)
}

/// A dump of a newer major version fails on an older server in ways no fix to the file
/// is meant to cure (`SET transaction_timeout` on PostgreSQL < 17): say which server it wants.
fn newer_dump_note(dumped: &str, server: &str) -> Option<String> {
    let major = |version: &str| version.split(|c: char| !c.is_ascii_digit()).next()?.parse::<u32>().ok();
    let (from, here) = (major(dumped)?, major(server)?);
    (from > here).then(|| {
        format!("the file is a pg_dump of PostgreSQL {dumped} and this server is {server}: refresh on a PostgreSQL {from} server")
    })
}

/// A migration or seed file the server rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileFailure {
    pub(crate) kind: Kind,
    pub(crate) file: SqlFile,
    pub(crate) line: usize,
    /// Postgres' own message.
    pub(crate) cause: String,
    /// The message, then its detail and hint when it gives them.
    pub(crate) message: String,
    /// Postgres' hint, when it gives one (also in `message`).
    pub(crate) hint: Option<String>,
}

impl FileFailure {
    fn new(script: &Script, line: usize, error: &ServerError) -> FileFailure {
        let mut message = error.message.clone();
        for (label, extra) in [("detail", &error.detail), ("hint", &error.hint)] {
            if let Some(extra) = extra {
                message.push_str(&format!(" ({label}: {extra})"));
            }
        }
        let hint = error.hint.clone();
        FileFailure {
            kind: script.kind(),
            file: script.file.clone(),
            line,
            cause: error.message.clone(),
            message,
            hint,
        }
    }

    /// A `BEGIN` with no `COMMIT`: the CLI records the file and exits 0, then rolls it
    /// back with every later file when it disconnects. Failed here, and rolled back.
    fn left_open(script: &Script) -> FileFailure {
        let begin = (0..script.statements.len())
            .rev()
            .find(|&i| script.classes[i] == Class::Control(batch::Control::Begin))
            .map_or(0, |i| script.code_offset(i));
        let cause = "BEGIN without COMMIT".to_string();
        let message =
            "BEGIN without COMMIT: the Supabase CLI records this file and reports success, then rolls it back \
                       with every later file when it disconnects; add the COMMIT"
                .to_string();
        let line = script.line_at(begin);
        FileFailure { kind: script.kind(), file: script.file.clone(), line, cause, message, hint: None }
    }
}

impl fmt::Display for FileFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            Kind::Migration => "migration",
            Kind::Seed => "seed",
        };
        write!(f, "{what} {}:{} (project {}) failed: {}", self.file.shown, self.line, self.file.project, self.message)
    }
}

impl std::error::Error for FileFailure {}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(sql: &str) -> Script {
        let file = SqlFile { path: "1_x.sql".into(), project: "platform".into(), shown: "x".into() };
        Script::new(file, Record::Migration(History { version: "1".into(), name: "x".into() }), sql.to_string())
    }

    /// The steps as text: `P` pipelined, `S` sync, `Q` a query of its own.
    fn shape(sql: &str) -> Vec<String> {
        let s = script(sql);
        let params = record_params(&s);
        let params: Vec<&str> = params.iter().map(String::as_str).collect();
        steps(&s, &params)
            .into_iter()
            .map(|step| match step {
                Step::Pipelined { sql, .. } if sql == INSERT_MIGRATION => "P history".to_string(),
                Step::Pipelined { sql, .. } => format!("P {sql}"),
                Step::Sync => "S".to_string(),
                Step::Query { sql, .. } => format!("Q {sql}"),
                Step::Ahead { sql, .. } => format!("A {sql}"),
            })
            .collect()
    }

    #[test]
    fn a_plain_file_is_one_pipeline_with_its_history_row() {
        assert_eq!(
            shape("create table x1(id int);\nselect 1/0;\n"),
            ["P create table x1(id int)", "P select 1/0", "P history", "S"]
        );
    }

    #[test]
    fn a_statement_the_cli_runs_alone_ends_the_pipeline_so_far() {
        assert_eq!(
            shape(
                "create table t2(id int);\ncreate index concurrently i2 on t2(id);\ncreate table t3();\nselect 1/0;\n"
            ),
            [
                "P create table t2(id int)",
                "S",
                "Q create index concurrently i2 on t2(id)",
                "P create table t3()",
                "P select 1/0",
                "P history",
                "S"
            ]
        );
        assert_eq!(
            shape("alter system set work_mem = '5MB';\nalter system reset work_mem;\n"),
            ["Q alter system set work_mem = '5MB'", "Q alter system reset work_mem", "P history", "S"]
        );
    }

    #[test]
    fn transaction_control_sends_the_file_one_statement_at_a_time() {
        assert_eq!(
            shape("BEGIN;\ncreate table c1(id int);\nCOMMIT;\ncreate table c2(id int);\n"),
            ["Q BEGIN", "Q create table c1(id int)", "Q COMMIT", "Q create table c2(id int)", "P history", "S"]
        );
    }

    #[test]
    fn the_history_row_holds_the_statements_as_a_text_array() {
        let s = script("select '\"a\\b\"';\n-- tail\n");
        assert_eq!(record_params(&s), ["1", "x", "{\"select '\\\"a\\\\b\\\"'\",\"-- tail\"}"]);
    }

    #[test]
    fn positions_inside_the_failing_statement_map_to_file_bytes_in_characters() {
        // 'é' is two bytes: positions count characters, not bytes.
        let s = script("-- café\ncreate table a (id int);\ninsert into a\n  values ('é', nope);\n");
        let text = s.statement(1);
        let position = text[..text.find("nope").unwrap()].chars().count() + 1;
        let error = ServerError { position: Some(position), ..ServerError::default() };
        let offset = statement_offset(&s, 1, &error);
        assert_eq!(&s.sql[offset..offset + 4], "nope");
        assert_eq!(s.line_at(offset), 4);
        assert_eq!(
            statement_offset(&s, RECORD, &error),
            s.sql.find("create").unwrap(),
            "the history row: the first statement"
        );
    }

    #[test]
    fn a_dump_of_a_newer_major_version_says_which_server_it_wants() {
        let dump = "--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 17.6\n-- Dumped by pg_dump version 17.7\n";
        assert_eq!(dumped_from(dump), Some("17.6"));
        assert_eq!(dumped_from("create table t (id int);\n"), None);
        assert_eq!(
            newer_dump_note("17.6", "15.18 (Debian 15.18-0+deb12u1)").as_deref(),
            Some("the file is a pg_dump of PostgreSQL 17.6 and this server is 15.18 (Debian 15.18-0+deb12u1): refresh on a PostgreSQL 17 server")
        );
        assert_eq!(newer_dump_note("15.8", "15.18"), None);
        assert_eq!(newer_dump_note("14.2", "15.18"), None);
    }

    #[test]
    fn replaced_statements_are_sent_as_given_and_recorded_as_written() {
        let mut s = script("create extension pg_net with schema net;\ncreate table t (id int);\n");
        s.replaced.insert(0, Some("CREATE SCHEMA IF NOT EXISTS \"net\"".into()));
        assert_eq!(s.sent(0), Some("CREATE SCHEMA IF NOT EXISTS \"net\""));
        assert!(record_params(&s)[2].starts_with("{\"create extension pg_net with schema net\","));
        s.replaced.insert(0, None);
        let params = record_params(&s);
        let params: Vec<&str> = params.iter().map(String::as_str).collect();
        assert_eq!(steps(&s, &params).len(), 3, "left out: the table, the history row, the sync");
    }
}
