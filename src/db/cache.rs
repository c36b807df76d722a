//! The template cache: after the migrations of a refresh, a copy of the database named
//! `mynatca_cache_<target>_<key>`, where the key chains over the base, the server
//! version and each migration's name and content. A later refresh starts from the
//! longest cached prefix of its migrations.
//!
//! Beside the newest cache, [`SPARES`] ready copies of it (`mynatca_spare_…`), made by the
//! upkeep after a refresh: a refresh renames one into place instead of copying, and with
//! a few new migrations applies them to a second spare too, which becomes the next cache
//! (see `build`). Renames take milliseconds; a copy takes as long as the database is big.

use std::time::{SystemTime, UNIX_EPOCH};

use postgres::Client;
use sha2::{Digest, Sha256};

use super::apply::Script;
use super::{quote_ident, Base};

pub(crate) const PREFIX: &str = "mynatca_cache_";
const SPARE_PREFIX: &str = "mynatca_spare_";
/// A replaced target, or a spare being made, waiting for the upkeep to drop it.
const TRASH_PREFIX: &str = "mynatca_trash_";
/// Ready copies kept of the newest cache: one becomes the build, one the next cache.
pub(crate) const SPARES: usize = 2;
/// Hex digits of the cache key in a spare's name (with `_N`, still within 63 bytes).
const SPARE_KEY_HEX: usize = 14;
/// Caches kept per target; the least recently used beyond this are dropped.
pub(crate) const KEEP: usize = 3;
/// Hex digits of a key in a name: 64 bits, for a handful of caches per target.
const KEY_HEX: usize = 16;
/// Bytes of the target's name kept in a name (PostgreSQL's names stop at 63 bytes).
const TARGET_BYTES: usize = 32;

/// `keys[i]`: the key of the database after the first `i` migrations.
pub(crate) fn chain(base: Base, server_version: &str, skipped: &[String], migrations: &[Script]) -> Vec<String> {
    let mut hasher = Sha256::new();
    for part in ["mynatca cache 1", base.sql(), server_version, &skipped.join(",")] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let mut state = hasher.finalize();
    let mut keys = vec![hex(&state)];
    for script in migrations {
        let mut hasher = Sha256::new();
        hasher.update(state);
        for part in [script.file_name().as_str(), script.sql.as_str()] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        state = hasher.finalize();
        keys.push(hex(&state));
    }
    keys
}

fn hex(bytes: &[u8]) -> String {
    crate::text::hex(&bytes[..KEY_HEX / 2])
}

/// The target's name as it appears in cache and build names: itself when short, else a
/// prefix and a hash of the whole, so two long names never share caches.
pub(crate) fn target_part(target: &str) -> String {
    if target.len() <= TARGET_BYTES {
        return target.to_string();
    }
    let mut cut = TARGET_BYTES - 9;
    while !target.is_char_boundary(cut) {
        cut -= 1;
    }
    let digest = Sha256::digest(target.as_bytes());
    format!("{}_{}", &target[..cut], &hex(&digest)[..8])
}

pub(crate) fn name(target: &str, key: &str) -> String {
    format!("{PREFIX}{}_{key}", target_part(target))
}

/// A cache of this target: its name and when it was last used (Unix seconds).
struct Cached {
    name: String,
    last_used: f64,
    /// Made whole (settings, closed, commented). One that is not was cut short by a
    /// kill: never used, the first pruned.
    sealed: bool,
}

/// The databases whose names start with `start`, sorted.
fn names_starting(client: &mut Client, start: &str) -> Result<Vec<String>, postgres::Error> {
    let rows = client
        .query("SELECT datname::text FROM pg_database WHERE starts_with(datname::text, $1) ORDER BY 1", &[&start])?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

/// The databases whose names start with `start`, each with its comment ('' for none).
fn with_comments(client: &mut Client, start: &str) -> Result<Vec<(String, String)>, postgres::Error> {
    let rows = client.query(
        "SELECT datname::text, coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database \
         WHERE starts_with(datname::text, $1)",
        &[&start],
    )?;
    Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
}

/// The target's caches, from the names (prefix, target, a key) and mynatca's comment.
fn list(client: &mut Client, target: &str) -> Result<Vec<Cached>, postgres::Error> {
    let start = format!("{PREFIX}{}_", target_part(target));
    let rows = with_comments(client, &start)?;
    Ok(rows
        .into_iter()
        .filter_map(|(name, comment)| {
            let key = &name[start.len()..];
            let ours = key.len() == KEY_HEX && key.bytes().all(|b| b.is_ascii_hexdigit());
            let last_used = comment.strip_prefix("mynatca cache; last used ").and_then(|t| t.parse().ok());
            ours.then_some(Cached { name, last_used: last_used.unwrap_or(0.0), sealed: last_used.is_some() })
        })
        .collect())
}

/// A cache a refresh starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// How many migrations it holds.
    pub(crate) count: usize,
    pub(crate) key: String,
    pub(crate) name: String,
}

/// The longest cached prefix.
pub(crate) fn find(client: &mut Client, target: &str, keys: &[String]) -> Result<Option<Found>, postgres::Error> {
    let cached = list(client, target)?;
    Ok((1..keys.len()).rev().find_map(|count| {
        let wanted = name(target, &keys[count]);
        let found = Found { count, key: keys[count].clone(), name: wanted };
        cached.iter().any(|c| c.sealed && c.name == found.name).then_some(found)
    }))
}

fn spare_stem(target: &str, key: &str) -> String {
    format!("{SPARE_PREFIX}{}_{}_", target_part(target), &key[..SPARE_KEY_HEX.min(key.len())])
}

/// The ready copies of the cache with `key`, by name.
pub(crate) fn spares(client: &mut Client, target: &str, key: &str) -> Result<Vec<String>, postgres::Error> {
    let stem = spare_stem(target, key);
    Ok(names_starting(client, &stem)?.into_iter().filter(|name| is_number(&name[stem.len()..])).collect())
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// What follows a target's trash prefix: a pid (a replaced target), a pid, `s` and a
/// spare's number (a spare being made), a pid, `p` and a number (a pruned cache), a pid
/// and `b` or `c` (an orphaned build or its second spare). Any other tail is another
/// target's (`app` and `app_test`) or not ours.
fn is_trash_tag(tag: &str) -> bool {
    let pid_end = tag.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(tag.len());
    let (pid, rest) = tag.split_at(pid_end);
    let numbered = |letter: char| rest.strip_prefix(letter).is_some_and(is_number);
    !pid.is_empty() && (rest.is_empty() || rest == "b" || rest == "c" || numbered('s') || numbered('p'))
}

/// The comment a build carries while a refresh makes it: what the upkeep may sweep.
pub(crate) const BUILDING: &str = "mynatca: building";
/// The comment `--keep-failed` leaves on the build it keeps: no upkeep sweeps it.
pub(crate) const KEPT: &str = "mynatca: kept by --keep-failed";

/// Sets (or with `None` clears) a database's comment.
pub(crate) fn mark(client: &mut Client, database: &str, comment: Option<&str>) -> Result<(), postgres::Error> {
    let text = comment.map_or("NULL".to_string(), |c| format!("'{}'", c.replace('\'', "''")));
    client.batch_execute(&format!("COMMENT ON DATABASE {} IS {text}", quote_ident(database)))
}

/// A database's comment, when the database exists.
pub(crate) fn comment(client: &mut Client, database: &str) -> Result<Option<String>, postgres::Error> {
    let row = client.query_opt(
        "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = $1",
        &[&database],
    )?;
    Ok(row.map(|row| row.get(0)))
}

/// Builds of this target still marked [`BUILDING`] though no refresh is making them (the
/// caller holds the target's lock): left by a `kill -9`. Renamed to trash, dropped with it.
/// A build without the mark (kept, or made by an older mynatca) is left alone.
pub(crate) fn sweep_orphans(client: &mut Client, target: &str) -> Result<(), postgres::Error> {
    let start = format!("mynatca_build_{}_", target_part(target));
    let rows = with_comments(client, &start)?;
    for (name, comment) in rows {
        let tail = &name[start.len()..];
        let pid = tail.strip_suffix('c').unwrap_or(tail);
        if !is_number(pid) || comment != BUILDING {
            continue;
        }
        let tag = if pid.len() == tail.len() { format!("{pid}b") } else { format!("{pid}c") };
        to_trash(client, target, &name, &tag)?;
    }
    Ok(())
}

/// A spare's tail after `mynatca_spare_<target>_`: the cache key's first hex digits, `_N`.
fn is_spare_tail(tail: &str) -> bool {
    tail.split_once('_').is_some_and(|(key, n)| {
        key.len() == SPARE_KEY_HEX && key.bytes().all(|b| b.is_ascii_hexdigit()) && is_number(n)
    })
}

/// Renames a spare to `to` and opens it to sessions: a copy of its cache in milliseconds.
pub(crate) fn take_spare(client: &mut Client, spare: &str, to: &str) -> Result<(), postgres::Error> {
    client.batch_execute(&format!(
        "ALTER DATABASE {spare} RENAME TO {to}; ALTER DATABASE {to} ALLOW_CONNECTIONS true",
        spare = quote_ident(spare),
        to = quote_ident(to)
    ))
}

/// Makes the target's spares of `cache` (key `key`) [`SPARES`] again, and drops its spares
/// of any other cache. Each is copied under a trash name and renamed when complete, so a
/// spare is never half made.
pub(crate) fn replenish(client: &mut Client, target: &str, cache: &str, key: &str) -> Result<(), postgres::Error> {
    let start = format!("{SPARE_PREFIX}{}_", target_part(target));
    let stem = spare_stem(target, key);
    for name in names_starting(client, &start)? {
        if is_spare_tail(&name[start.len()..]) && !name.starts_with(&stem) {
            client.batch_execute(&format!("DROP DATABASE IF EXISTS {}", quote_ident(&name)))?;
        }
    }
    let have = spares(client, target, key)?;
    for n in (1..=SPARES).filter(|n| !have.contains(&format!("{stem}{n}"))) {
        let making = trash_name(target, &format!("{}s{n}", std::process::id()));
        let quoted = quote_ident(&making);
        client.batch_execute(&format!("DROP DATABASE IF EXISTS {quoted}"))?;
        copy(client, cache, &making)?;
        client.batch_execute(&format!(
            "ALTER DATABASE {quoted} ALLOW_CONNECTIONS false; ALTER DATABASE {quoted} RENAME TO {}",
            quote_ident(&format!("{stem}{n}"))
        ))?;
    }
    Ok(())
}

/// `mynatca_trash_<target>_<tag>`: a name the upkeep drops.
pub(crate) fn trash_name(target: &str, tag: &str) -> String {
    format!("{TRASH_PREFIX}{}_{tag}", target_part(target))
}

/// Renames `database` to trash, for the upkeep to drop.
pub(crate) fn discard(client: &mut Client, target: &str, database: &str) -> Result<(), postgres::Error> {
    to_trash(client, target, database, &std::process::id().to_string())
}

/// Renames `database` to the trash name with `tag` (dropping one left under that name).
fn to_trash(client: &mut Client, target: &str, database: &str, tag: &str) -> Result<(), postgres::Error> {
    let trash = quote_ident(&trash_name(target, tag));
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {trash}"))?;
    client.batch_execute(&format!("ALTER DATABASE {} RENAME TO {trash}", quote_ident(database)))
}

/// Drops the target's trash: replaced targets and unfinished spares.
pub(crate) fn empty_trash(client: &mut Client, target: &str, version: i32) -> Result<(), postgres::Error> {
    let start = format!("{TRASH_PREFIX}{}_", target_part(target));
    // One that cannot be dropped (a replication slot in it, say) keeps none of the others.
    let mut first_error = None;
    for name in names_starting(client, &start)?.into_iter().filter(|name| is_trash_tag(&name[start.len()..])) {
        if let Err(err) = super::drop_database(client, &name, version) {
            tracing::warn!(%err, name, "cannot drop a replaced database");
            first_error.get_or_insert(err);
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Marks a cache as just used.
pub(crate) fn touch(client: &mut Client, cache: &str) -> Result<(), postgres::Error> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    client.batch_execute(&format!("COMMENT ON DATABASE {} IS 'mynatca cache; last used {now:.6}'", quote_ident(cache)))
}

/// Copies `from` (no session may be on it) as the cache `cache`, then keeps the target's
/// [`KEEP`] most recently used caches.
pub(crate) fn store(client: &mut Client, target: &str, from: &str, cache: &str) -> Result<(), postgres::Error> {
    let quoted = quote_ident(cache);
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {quoted}"))?;
    copy(client, from, cache)?;
    seal(client, target, cache)
}

/// `to`, a copy of `from` (no session may be on it) with its per-database settings.
pub(crate) fn copy(client: &mut Client, from: &str, to: &str) -> Result<(), postgres::Error> {
    client.batch_execute(&format!("CREATE DATABASE {} TEMPLATE {}", quote_ident(to), quote_ident(from)))?;
    super::copy_settings(client, from, to)
}

/// Makes `from` (no session on it, settings in place) the cache `cache`, by renaming.
pub(crate) fn adopt(client: &mut Client, target: &str, from: &str, cache: &str) -> Result<(), postgres::Error> {
    let quoted = quote_ident(cache);
    // DROP DATABASE cannot share a message with another statement.
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {quoted}"))?;
    client.batch_execute(&format!("ALTER DATABASE {} RENAME TO {quoted}", quote_ident(from)))?;
    seal(client, target, cache)
}

fn seal(client: &mut Client, target: &str, cache: &str) -> Result<(), postgres::Error> {
    // Nobody works in a cache: no session can then block a copy of it.
    client.batch_execute(&format!("ALTER DATABASE {} ALLOW_CONNECTIONS false", quote_ident(cache)))?;
    touch(client, cache)?;
    prune(client, target)
}

/// Keeps the [`KEEP`] most recently used caches; the rest are renamed to trash (a drop
/// waits for a checkpoint: the upkeep does it).
fn prune(client: &mut Client, target: &str) -> Result<(), postgres::Error> {
    let mut cached = list(client, target)?;
    cached.sort_by(|a, b| b.last_used.total_cmp(&a.last_used));
    for (n, old) in cached.iter().skip(KEEP).enumerate() {
        to_trash(client, target, &old.name, &format!("{}p{n}", std::process::id()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_targets_keep_names_within_63_bytes_and_apart() {
        let a = "a".repeat(40);
        let b = format!("{}b", "a".repeat(39));
        assert_eq!(target_part("dev"), "dev");
        assert_ne!(target_part(&a), target_part(&b));
        assert!(name(&a, &"f".repeat(KEY_HEX)).len() <= 63);
        assert!(name("ééééééééééééééééééééé", &"f".repeat(KEY_HEX)).len() <= 63);
    }
}
