//! The database's migration history (`supabase_migrations.schema_migrations`, as the
//! Supabase CLI writes it) against the workspace's files: what `status --db` shows and
//! what `up` and `repair` act on.

use std::collections::BTreeMap;

use postgres::GenericClient;

use super::apply::{Record, Script};
use super::wire::Session;

/// A history row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Applied {
    pub(crate) version: String,
    pub(crate) name: Option<String>,
    pub(crate) statements: Option<Vec<String>>,
}

/// The history rows, by version; none when the table does not exist yet.
pub(crate) fn read(client: &mut impl GenericClient) -> Result<Vec<Applied>, postgres::Error> {
    let exists: bool =
        client.query_one("SELECT to_regclass('supabase_migrations.schema_migrations') IS NOT NULL", &[])?.get(0);
    if !exists {
        return Ok(Vec::new());
    }
    let rows = client
        .query("SELECT version, name, statements FROM supabase_migrations.schema_migrations ORDER BY version", &[])?;
    Ok(rows.iter().map(|row| Applied { version: row.get(0), name: row.get(1), statements: row.get(2) }).collect())
}

/// What the CLI runs before `migration up` when the table is missing.
pub(crate) const CREATE_TABLE: &str = "BEGIN; SET LOCAL lock_timeout = '4s'; \
    CREATE SCHEMA IF NOT EXISTS supabase_migrations; \
    CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY); \
    ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[]; \
    ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text; COMMIT";

/// Makes the history table when it is missing, as the CLI does.
pub(crate) fn ensure_table(session: &mut Session) -> anyhow::Result<()> {
    session.simple(CREATE_TABLE)?.map_err(|err| anyhow::anyhow!("cannot create the migration history table: {err}"))
}

/// Where a version stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum State {
    Applied,
    /// In the workspace, not in the database; `out_of_order` when older than the newest
    /// applied version (`supabase migration up` refuses it without `--include-all`).
    Pending {
        out_of_order: bool,
    },
    /// In the database, in no work tree.
    Missing,
    /// The history row's statements differ from the file's; `cosmetic` when only
    /// comments or white space do.
    Edited {
        cosmetic: bool,
    },
}

impl State {
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            State::Applied => "applied",
            State::Pending { out_of_order: false } => "pending",
            State::Pending { out_of_order: true } => "pending, out of order",
            State::Missing => "applied, missing here",
            State::Edited { cosmetic: false } => "edited since applied",
            State::Edited { cosmetic: true } => "edited since applied (comments or white space only)",
        }
    }

    /// Anything but applied: `status --db` exits 1.
    pub(crate) fn needs_attention(&self) -> bool {
        *self != State::Applied
    }
}

/// One version of the union of the workspace and the history.
#[derive(Debug, Clone)]
pub(crate) struct Row<'a> {
    pub(crate) version: String,
    /// The workspace's file, when it has one.
    pub(crate) local: Option<&'a Script>,
    pub(crate) state: State,
}

/// Every version of `local` (the workspace's migrations) and `applied`, in version order.
pub(crate) fn compare<'a>(local: &'a [Script], applied: &'a [Applied]) -> Vec<Row<'a>> {
    let newest_applied = applied.iter().map(|a| a.version.as_str()).max();
    let mut rows: BTreeMap<&str, (Option<&Script>, Option<&Applied>)> = BTreeMap::new();
    for script in local {
        if let Record::Migration(history) = &script.record {
            rows.entry(history.version.as_str()).or_default().0 = Some(script);
        }
    }
    for row in applied {
        rows.entry(row.version.as_str()).or_default().1 = Some(row);
    }
    rows.into_iter()
        .map(|(version, (local, applied))| {
            let state = match (local, applied) {
                (Some(script), Some(row)) => edited(script, row),
                (Some(_), None) => Pending { out_of_order: newest_applied.is_some_and(|newest| version < newest) },
                _ => State::Missing,
            };
            Row { version: version.to_string(), local, state }
        })
        .collect()
}

use State::Pending;

fn edited(script: &Script, row: &Applied) -> State {
    let local: Vec<&str> = (0..script.statements.len()).map(|i| script.statement(i)).collect();
    let recorded: Vec<&str> = row.statements.iter().flatten().map(String::as_str).collect();
    if local == recorded {
        return State::Applied;
    }
    State::Edited { cosmetic: code(&local.join(";\n")) == code(&recorded.join(";\n")) }
}

/// The tokens of `sql` without its comments and white space; `None` when it does not scan.
fn code(sql: &str) -> Option<Vec<String>> {
    use pg_query::protobuf::Token;
    let tokens = crate::text::scan_tokens(sql).ok()?;
    Some(
        tokens
            .iter()
            .filter(|t| t.token != Token::SqlComment as i32 && t.token != Token::CComment as i32)
            .filter_map(|t| sql.get(t.start as usize..t.end as usize).map(str::to_string))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::apply::History;
    use crate::db::SqlFile;

    fn script(version: &str, sql: &str) -> Script {
        let file = SqlFile { path: format!("{version}_x.sql").into(), project: "platform".into(), shown: "x".into() };
        Script::new(file, Record::Migration(History { version: version.into(), name: "x".into() }), sql.to_string())
    }

    fn applied(version: &str, statements: &[&str]) -> Applied {
        let statements = Some(statements.iter().map(|s| s.to_string()).collect());
        Applied { version: version.into(), name: Some("x".into()), statements }
    }

    #[test]
    fn each_version_gets_its_state() {
        let local = [
            script("1", "create table a (id int);\n"),
            script("2", "-- why\ncreate table b (id int);\n"),
            script("3", "create table c (id int, x int);\n"),
            script("4", "create table d (id int);\n"),
            script("6", "create table f (id int);\n"),
        ];
        let applied = [
            applied("1", &["create table a (id int)"]),
            applied("2", &["create   table b (id int)"]),
            applied("3", &["create table c (id int)"]),
            applied("5", &["create table e (id int)"]),
        ];
        let states: Vec<(String, State)> =
            compare(&local, &applied).into_iter().map(|r| (r.version, r.state)).collect();
        assert_eq!(
            states,
            vec![
                ("1".into(), State::Applied),
                ("2".into(), State::Edited { cosmetic: true }),
                ("3".into(), State::Edited { cosmetic: false }),
                ("4".into(), State::Pending { out_of_order: true }),
                ("5".into(), State::Missing),
                ("6".into(), State::Pending { out_of_order: false }),
            ]
        );
    }
}
