//! One file, one round trip: a file's statements, its history row and the commit go to
//! the server as one simple-query message; a failure is mapped back to the file's line.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use anyhow::Context as _;
use postgres::error::{DbError, ErrorPosition, SqlState};
use postgres::Client;

use super::SqlFile;
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

/// A file read, checked and split, ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Script {
    pub(crate) kind: Kind,
    pub(crate) file: SqlFile,
    pub(crate) history: Option<History>,
    pub(crate) sql: String,
    /// Each statement's byte range in `sql`.
    pub(crate) statements: Vec<Range<usize>>,
    /// Statements sent differently: `None` leaves one out, `Some` sends that text instead
    /// (see `--allow-missing-extensions`). The history row keeps the file's own text.
    pub(crate) replaced: BTreeMap<usize, Option<String>>,
}

impl Script {
    /// Reads `file`, refusing (as a usage error, before any database is touched) what
    /// cannot be a SQL file: not a regular file, unreadable, too big, NUL bytes, not UTF-8.
    pub(crate) fn load(kind: Kind, file: SqlFile, history: Option<History>) -> Result<Script, ConfigError> {
        let refuse =
            |why: String| ConfigError::new(format!("{} ({}): {why}; fix or remove it", file.shown, file.project));
        let meta = std::fs::metadata(&file.path).map_err(|err| refuse(format!("cannot read it ({err})")))?;
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
        let statements = split(&sql).iter().map(|s| s.offset..s.offset + s.text.len()).collect();
        Ok(Script { kind, file, history, sql, statements, replaced: BTreeMap::new() })
    }

    pub(crate) fn statement(&self, index: usize) -> &str {
        &self.sql[self.statements[index].clone()]
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line_at(&self, offset: usize) -> usize {
        crate::text::line_col(&self.sql, offset).0
    }

    /// The file name, e.g. `20240101000000_init.sql`.
    pub(crate) fn file_name(&self) -> String {
        self.file.path.file_name().unwrap_or_default().to_string_lossy().into_owned()
    }
}

/// One statement of a file and where it starts in the file (bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Statement<'a> {
    pub(crate) offset: usize,
    pub(crate) text: &'a str,
}

/// Splits with PostgreSQL's own parser (libpg_query). A file the parser rejects is sent
/// whole, so the server reports the error where it is: libpg_query's scanner split
/// silently drops statements it cannot classify (`selec 1;`), which would apply a file
/// with a typo minus that statement.
pub(crate) fn split(sql: &str) -> Vec<Statement<'_>> {
    let parts = pg_query::split_with_parser(sql).unwrap_or_else(|_| vec![sql]);
    parts
        .into_iter()
        .filter_map(|part| {
            let text = part.trim();
            let offset = text.as_ptr() as usize - sql.as_ptr() as usize;
            (!text.is_empty()).then_some(Statement { offset, text })
        })
        .collect()
}

/// What was sent for a script: the message, and where each statement sent sits in it.
struct Message {
    text: String,
    /// (byte offset in `text`, statement index), in order.
    placed: Vec<(usize, usize)>,
}

/// `BEGIN`, `RESET ALL`, the statements, the history row, `COMMIT`: one simple-query
/// message. `RESET ALL` because the Supabase CLI resets the session before each file: a
/// dump's `set_config('search_path', '', false)` must not reach the next file. Each
/// statement ends on its own line so a trailing `--` comment cannot swallow the `;`.
fn compose(script: &Script) -> Message {
    let mut text = String::with_capacity(script.sql.len() * 2 + 256);
    let mut placed = Vec::with_capacity(script.statements.len());
    // RESET ALL undoes the session's `synchronous_commit = off`: set again for this commit.
    text.push_str("BEGIN;\nRESET ALL;\nSET LOCAL synchronous_commit = off;\n");
    for index in 0..script.statements.len() {
        match script.replaced.get(&index) {
            Some(None) => continue,
            Some(Some(other)) => text.push_str(other),
            None => {
                placed.push((text.len(), index));
                text.push_str(script.statement(index));
            }
        }
        text.push_str("\n;\n");
    }
    if let Some(history) = &script.history {
        let texts: Vec<&str> = (0..script.statements.len()).map(|i| script.statement(i)).collect();
        let tag = dollar_tag(texts.iter().copied().chain([history.version.as_str(), history.name.as_str()]));
        let quote = |value: &str| format!("{tag}{value}{tag}");
        let array: Vec<String> = texts.iter().map(|t| quote(t)).collect();
        text.push_str(&format!(
            "INSERT INTO supabase_migrations.schema_migrations (version, name, statements) VALUES ({}, {}, ARRAY[{}]::text[]);\n",
            quote(&history.version),
            quote(&history.name),
            array.join(", ")
        ));
    }
    text.push_str("COMMIT;");
    Message { text, placed }
}

/// A dollar-quote tag that none of `texts` contains, so any text quotes verbatim whatever
/// the session's `standard_conforming_strings`.
fn dollar_tag<'a>(texts: impl Iterator<Item = &'a str> + Clone) -> String {
    (0..)
        .map(|n| if n == 0 { "$mynatca$".to_string() } else { format!("$mynatca{n}$") })
        .find(|tag| !texts.clone().any(|text| text.contains(&tag[..tag.len() - 1])))
        .expect("some tag is free")
}

/// Runs `script` in one transaction and one round trip. `Ok(Err(_))` is the file failing
/// (rolled back); `Err(_)` is anything else (the connection, say).
pub(crate) fn apply(client: &mut Client, script: &Script) -> anyhow::Result<Result<(), FileFailure>> {
    let message = compose(script);
    let err = match client.batch_execute(&message.text) {
        Ok(()) => return Ok(Ok(())),
        Err(err) => err,
    };
    let Some(db) = err.as_db_error() else {
        return Err(anyhow::Error::new(err).context(format!("{} ({}) failed", script.file.shown, script.file.project)));
    };
    // The explicit transaction stays open and aborted after an error: end it.
    client.batch_execute("ROLLBACK").context("cannot roll back the failed file")?;
    let offset = match db.position() {
        Some(ErrorPosition::Original(position)) => file_offset(script, &message, *position as usize),
        _ => None,
    };
    let offset = match offset {
        Some(offset) => offset,
        // Cancelled (Ctrl-C): running the statements again would only wait again.
        None if db.code() == &SqlState::QUERY_CANCELED => script.statements.first().map_or(0, |range| range.start),
        None => failing_statement_offset(client, script)?,
    };
    let mut failure = FileFailure::new(script, script.line_at(offset), db);
    if let Some(dumped) = dumped_from(&script.sql) {
        let server: String = client.query_one("SELECT current_setting('server_version')", &[])?.get(0);
        if let Some(note) = newer_dump_note(dumped, &server) {
            failure.message.push_str(&format!(" ({note})"));
        }
    }
    Ok(Err(failure))
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

/// The file's byte offset for Postgres' 1-based character position in the message.
fn file_offset(script: &Script, message: &Message, position: usize) -> Option<usize> {
    let byte = message.text.char_indices().nth(position.saturating_sub(1)).map(|(byte, _)| byte)?;
    let at = message.placed.partition_point(|(start, _)| *start <= byte).checked_sub(1)?;
    let (start, index) = message.placed[at];
    let range = &script.statements[index];
    (byte - start < range.len() + 1).then(|| range.start + (byte - start).min(range.len()))
}

/// Without a position (errors inside function bodies, constraint checks, ...), runs the
/// statements again one by one in a transaction rolled back at the end, to find which
/// one fails: its first line, or the position inside it. The history row or the commit
/// failing (no statement does) gives the file's first statement.
fn failing_statement_offset(client: &mut Client, script: &Script) -> anyhow::Result<usize> {
    let first = script.statements.first().map_or(0, |range| range.start);
    let mut tx = client.transaction().context("cannot begin a transaction")?;
    for (index, range) in script.statements.iter().enumerate() {
        let text = match script.replaced.get(&index) {
            Some(None) => continue,
            Some(Some(other)) => other.as_str(),
            None => &script.sql[range.clone()],
        };
        if let Err(err) = tx.batch_execute(text) {
            let within = match err.as_db_error().and_then(DbError::position) {
                Some(ErrorPosition::Original(position)) if !script.replaced.contains_key(&index) => {
                    let chars = (*position as usize).saturating_sub(1);
                    text.char_indices().nth(chars).map_or(text.len(), |(byte, _)| byte)
                }
                _ => 0,
            };
            return Ok(range.start + within);
        }
    }
    Ok(first)
}

/// A migration or seed file the server rejected; the file was rolled back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileFailure {
    pub(crate) kind: Kind,
    pub(crate) file: SqlFile,
    pub(crate) line: usize,
    /// Postgres' own message.
    pub(crate) cause: String,
    /// The message, then its detail and hint when it gives them.
    pub(crate) message: String,
}

impl FileFailure {
    fn new(script: &Script, line: usize, db: &DbError) -> FileFailure {
        let mut message = db.message().to_string();
        for (label, extra) in [("detail", db.detail()), ("hint", db.hint())] {
            if let Some(extra) = extra {
                message.push_str(&format!(" ({label}: {extra})"));
            }
        }
        FileFailure { kind: script.kind, file: script.file.clone(), line, cause: db.message().to_string(), message }
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
        let statements = split(sql).iter().map(|s| s.offset..s.offset + s.text.len()).collect();
        let file = SqlFile { path: "1_x.sql".into(), project: "platform".into(), shown: "x".into() };
        let history = Some(History { version: "1".into(), name: "x".into() });
        Script { kind: Kind::Migration, file, history, sql: sql.to_string(), statements, replaced: BTreeMap::new() }
    }

    #[test]
    fn split_keeps_byte_offsets_and_drops_comments_and_blanks() {
        let sql = "-- head\ncreate table a (id int);\n\n/* c */ insert into a values (1);\n-- tail\n";
        let statements = split(sql);
        let texts: Vec<&str> = statements.iter().map(|s| s.text).collect();
        assert_eq!(texts, vec!["create table a (id int)", "insert into a values (1)"]);
        for statement in &statements {
            assert_eq!(&sql[statement.offset..statement.offset + statement.text.len()], statement.text);
        }
    }

    #[test]
    fn split_understands_bodies_a_regex_would_cut() {
        let sql = "create function f() returns int language sql begin atomic select 1; end;\n\
                   create function g() returns text language sql as $$ select ';' $$;\n";
        assert_eq!(split(sql).len(), 2);
    }

    #[test]
    fn a_file_the_parser_rejects_is_sent_whole() {
        for sql in ["create table a (id int);\nselect from where;\n", "create table a (id int);\nselec 1;\n"] {
            let texts: Vec<&str> = split(sql).iter().map(|s| s.text).collect();
            assert_eq!(texts, vec![sql.trim()]);
        }
    }

    #[test]
    fn the_message_quotes_history_verbatim_and_ends_comments_before_the_semicolon() {
        let mut s = script("select '$mynatca$' -- no semicolon");
        s.history = Some(History { version: "1".into(), name: "it's".into() });
        let message = compose(&s);
        assert_eq!(
            message.text,
            "BEGIN;\nRESET ALL;\nSET LOCAL synchronous_commit = off;\nselect '$mynatca$' -- no semicolon\n;\n\
             INSERT INTO supabase_migrations.schema_migrations (version, name, statements) \
             VALUES ($mynatca1$1$mynatca1$, $mynatca1$it's$mynatca1$, ARRAY[$mynatca1$select '$mynatca$' -- no semicolon$mynatca1$]::text[]);\n\
             COMMIT;"
        );
    }

    #[test]
    fn positions_in_the_message_map_to_file_bytes_in_characters() {
        // 'é' is two bytes: positions count characters, not bytes.
        let s = script("-- café\ncreate table a (id int);\ninsert into a\n  values ('é', nope);\n");
        let message = compose(&s);
        let byte_in_message = message.text.find("nope").unwrap();
        let position = message.text[..byte_in_message].chars().count() + 1;
        let offset = file_offset(&s, &message, position).unwrap();
        assert_eq!(&s.sql[offset..offset + 4], "nope");
        assert_eq!(s.line_at(offset), 4);
        // Inside BEGIN (no statement of the file): no mapping.
        assert_eq!(file_offset(&s, &message, 2), None);
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
        let message = compose(&s);
        assert!(message
            .text
            .starts_with("BEGIN;\nRESET ALL;\nSET LOCAL synchronous_commit = off;\nCREATE SCHEMA IF NOT EXISTS \"net\"\n;\ncreate table t (id int)\n;\n"));
        assert!(message.text.contains("ARRAY[$mynatca$create extension pg_net with schema net$mynatca$, "));
        assert_eq!(message.placed.len(), 1, "only the file's own text maps back to it");
    }
}
