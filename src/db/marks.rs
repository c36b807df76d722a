//! Which databases are mynatca's own. A name never says so alone (anyone may make a
//! database called `mynatca_trash_dev_4242`): every database mynatca creates starts with
//! [`BIRTH_LIMIT`] as its connection limit, a mark it carries from the first moment (a
//! copy whose refresh was killed halfway still has it), and then gets a comment saying
//! what it is; a database mynatca renames into its names (a replaced target) gets the
//! comment in the same transaction as the rename. Nothing without a mark is dropped.

use postgres::Client;

use super::{cache, quote_ident, swap};

/// The connection limit a database is created with by mynatca, until its comment is set.
pub(crate) const BIRTH_LIMIT: i32 = 7349;
/// A build while a refresh makes it: what the upkeep may sweep.
pub(crate) const BUILDING: &str = "mynatca: building";
/// The build `--keep-failed` keeps: no upkeep sweeps it.
pub(crate) const KEPT: &str = "mynatca: kept by --keep-failed";
/// A replaced target or an unfinished copy, for the upkeep to drop.
pub(crate) const TRASH: &str = "mynatca: trash";
/// A ready copy of a cache.
pub(crate) const SPARE: &str = "mynatca: spare";

/// A database, its comment ('' for none) and its connection limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Db {
    pub(crate) name: String,
    pub(crate) comment: String,
    limit: i32,
}

impl Db {
    /// Made or named by mynatca.
    pub(crate) fn is_ours(&self) -> bool {
        self.comment.starts_with("mynatca") || self.limit == BIRTH_LIMIT
    }

    /// Created by mynatca and never given its comment: a copy a kill cut short.
    pub(crate) fn is_unfinished(&self) -> bool {
        self.comment.is_empty() && self.limit == BIRTH_LIMIT
    }
}

/// The databases whose names start with `start`, sorted by name.
pub(crate) fn starting(client: &mut Client, start: &str) -> Result<Vec<Db>, postgres::Error> {
    let rows = client.query(
        "SELECT datname::text, coalesce(shobj_description(oid, 'pg_database'), ''), datconnlimit FROM pg_database \
         WHERE starts_with(datname::text, $1) ORDER BY 1",
        &[&start],
    )?;
    Ok(rows.iter().map(|row| Db { name: row.get(0), comment: row.get(1), limit: row.get(2) }).collect())
}

/// The one database called `name`, if there is one.
pub(crate) fn named(client: &mut Client, name: &str) -> Result<Option<Db>, postgres::Error> {
    Ok(starting(client, name)?.into_iter().find(|db| db.name == name))
}

/// `CREATE DATABASE name TEMPLATE template`, marked from the first moment.
pub(crate) fn create(client: &mut Client, name: &str, template: &str) -> Result<(), postgres::Error> {
    client.batch_execute(&format!(
        "CREATE DATABASE {} TEMPLATE {} CONNECTION LIMIT {BIRTH_LIMIT}",
        quote_ident(name),
        quote_ident(template)
    ))
}

/// Sets (or with `None` clears) a database's comment, and lifts the birth limit.
pub(crate) fn mark(client: &mut Client, database: &str, comment: Option<&str>) -> Result<(), postgres::Error> {
    let text = comment.map_or("NULL".to_string(), |c| format!("'{}'", c.replace('\'', "''")));
    let name = quote_ident(database);
    client.batch_execute(&format!("COMMENT ON DATABASE {name} IS {text}; ALTER DATABASE {name} CONNECTION LIMIT -1"))
}

/// Frees the name `name` for mynatca: drops what is there when it is mynatca's own;
/// refuses (naming it) what is not.
pub(crate) fn clear(client: &mut Client, name: &str, version: i32) -> anyhow::Result<()> {
    match named(client, name)? {
        None => Ok(()),
        Some(db) if db.is_ours() && db.comment != KEPT => Ok(super::drop_database(client, name, version)?),
        Some(_) => anyhow::bail!(
            "database \"{name}\" already exists and is not one mynatca made for this refresh; \
             rename or drop it (dropdb '{name}') and refresh again"
        ),
    }
}

/// Targets set aside by a refresh killed before it could put them back (or throw them
/// away): `mynatca_prev_<target>_<pid>` with no refresh of that pid running.
pub(crate) fn set_aside(client: &mut Client, target: &str) -> Result<Vec<String>, postgres::Error> {
    let start = format!("{}{}_", swap::ASIDE_PREFIX, cache::target_part(target));
    Ok(starting(client, &start)?
        .into_iter()
        .map(|db| db.name)
        .filter(|name| {
            name[start.len()..].parse::<u32>().is_ok_and(|pid| pid != std::process::id() && !is_running(pid))
        })
        .collect())
}

/// Whether process `pid` runs on this machine (a refresh of another machine's is not seen).
fn is_running(pid: u32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    let alive = unsafe { libc::kill(pid as libc::pid_t, 0) } == 0;
    alive || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// One of mynatca's databases on a server, for `status --db`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Owned {
    pub(crate) name: String,
    /// `cache`, `spare`, `trash`, `build`, `prev` or `maintenance`.
    pub(crate) kind: String,
    /// The target's name as the database's name holds it (shortened when long).
    pub(crate) target: String,
    pub(crate) bytes: i64,
}

/// Every database of mynatca's on the server (marked as its own), with its size.
pub(crate) fn owned(client: &mut Client) -> Result<Vec<Owned>, postgres::Error> {
    // A database dropped meanwhile (an upkeep's trash) has no size: NULL, or an error once.
    let sql = "SELECT datname::text, coalesce(shobj_description(oid, 'pg_database'), ''), datconnlimit, \
               pg_database_size(oid) FROM pg_database WHERE starts_with(datname::text, 'mynatca_') ORDER BY 1";
    let rows = client.query(sql, &[]).or_else(|_| client.query(sql, &[]))?;
    let mut found = Vec::new();
    for row in rows {
        let db = Db { name: row.get(0), comment: row.get(1), limit: row.get(2) };
        let rest = &db.name["mynatca_".len()..];
        let (kind, tail) = rest.split_once('_').unwrap_or((rest, ""));
        let prev = kind == "prev";
        if !(db.is_ours() || prev) {
            continue;
        }
        // The target part ends before the last `_` (a pid, a key, a spare's key and number).
        let cut = match kind {
            "spare" => tail.rmatch_indices('_').nth(1).map(|(at, _)| at),
            _ => tail.rfind('_'),
        };
        let target = cut.map_or(tail, |at| &tail[..at]).to_string();
        let Some(bytes) = row.get::<_, Option<i64>>(3) else { continue };
        found.push(Owned { name: db.name.clone(), kind: kind.to_string(), target, bytes });
    }
    Ok(found)
}
