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
use super::marks::{self, Db};
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

/// `keys[i]`: the key of the database after the first `i` migrations. `environment` is
/// what else the result depends on (the user, the server's version and settings).
pub(crate) fn chain(base: Base, environment: &str, skipped: &[String], migrations: &[Script]) -> Vec<String> {
    let mut hasher = Sha256::new();
    for part in ["mynatca cache 2", base.sql(), environment, &skipped.join(",")] {
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

/// The target's caches, from the names (prefix, target, a key) and mynatca's comment.
fn list(client: &mut Client, target: &str) -> Result<Vec<Cached>, postgres::Error> {
    let start = format!("{PREFIX}{}_", target_part(target));
    Ok(marks::starting(client, &start)?
        .into_iter()
        .filter_map(|db| {
            let key = &db.name[start.len()..];
            let ours = db.is_ours() && key.len() == KEY_HEX && key.bytes().all(|b| b.is_ascii_hexdigit());
            let last_used = db.comment.strip_prefix("mynatca cache; last used ").and_then(|t| t.parse().ok());
            ours.then_some(Cached { name: db.name, last_used: last_used.unwrap_or(0.0), sealed: last_used.is_some() })
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
    Ok(marks::starting(client, &stem)?
        .into_iter()
        .filter(|db| db.is_ours() && is_number(&db.name[stem.len()..]))
        .map(|db| db.name)
        .collect())
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

/// Builds of this target still marked [`marks::BUILDING`], or created and never marked
/// (killed during their copy), though no refresh is making them (the caller holds the
/// target's lock): left by a `kill -9`. Renamed to trash, dropped with it. A kept build,
/// or a database mynatca did not make, is left alone.
pub(crate) fn sweep_orphans(client: &mut Client, target: &str, version: i32) -> anyhow::Result<()> {
    let start = format!("mynatca_build_{}_", target_part(target));
    for db in marks::starting(client, &start)? {
        let tail = &db.name[start.len()..];
        let pid = tail.strip_suffix('c').unwrap_or(tail);
        if !is_number(pid) || !(db.comment == marks::BUILDING || db.is_unfinished()) {
            continue;
        }
        let name = db.name.clone();
        let tag = if pid.len() == tail.len() { format!("{pid}b") } else { format!("{pid}c") };
        to_trash(client, target, &name, &tag, version)?;
    }
    Ok(())
}

/// Databases with the shape of `target`'s builds, caches, spares or trash that carry no
/// mark of mynatca's: someone's, left alone, and named.
pub(crate) fn strangers(client: &mut Client, target: &str) -> Result<Vec<String>, postgres::Error> {
    type Shape<'a> = &'a dyn Fn(&str) -> bool;
    let part = target_part(target);
    let is_key = |key: &str| key.len() == KEY_HEX && key.bytes().all(|b| b.is_ascii_hexdigit());
    let is_build = |tail: &str| is_number(tail.strip_suffix('c').unwrap_or(tail));
    let shapes: [(&str, Shape); 4] = [
        ("mynatca_build_", &is_build),
        (PREFIX, &is_key),
        (SPARE_PREFIX, &is_spare_tail),
        (TRASH_PREFIX, &is_trash_tag),
    ];
    let mut found = Vec::new();
    for (prefix, shape) in shapes {
        let start = format!("{prefix}{part}_");
        let theirs =
            marks::starting(client, &start)?.into_iter().filter(|db| !db.is_ours() && shape(&db.name[start.len()..]));
        found.extend(theirs.map(|db| db.name));
    }
    Ok(found)
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
pub(crate) fn replenish(client: &mut Client, target: &str, cache: &str, key: &str, version: i32) -> anyhow::Result<()> {
    let start = format!("{SPARE_PREFIX}{}_", target_part(target));
    let stem = spare_stem(target, key);
    for db in marks::starting(client, &start)? {
        if db.is_ours() && is_spare_tail(&db.name[start.len()..]) && !db.name.starts_with(&stem) {
            // Another user's (a cache key holds the user): theirs to drop.
            if let Err(err) = super::drop_database(client, &db.name, version) {
                tracing::info!(%err, name = db.name, "cannot drop a spare of another cache");
            }
        }
    }
    let have = spares(client, target, key)?;
    for n in (1..=SPARES).filter(|n| !have.contains(&format!("{stem}{n}"))) {
        let making = trash_name(target, &format!("{}s{n}", std::process::id()));
        let spare = format!("{stem}{n}");
        marks::clear(client, &making, version)?;
        marks::clear(client, &spare, version)?;
        copy(client, cache, &making)?;
        let quoted = quote_ident(&making);
        client.batch_execute(&format!(
            "COMMENT ON DATABASE {quoted} IS '{}'; ALTER DATABASE {quoted} CONNECTION LIMIT -1; \
             ALTER DATABASE {quoted} ALLOW_CONNECTIONS false; ALTER DATABASE {quoted} RENAME TO {}",
            marks::SPARE,
            quote_ident(&spare)
        ))?;
    }
    Ok(())
}

/// `mynatca_trash_<target>_<tag>`: a name the upkeep drops.
pub(crate) fn trash_name(target: &str, tag: &str) -> String {
    format!("{TRASH_PREFIX}{}_{tag}", target_part(target))
}

/// Renames `database` to trash, for the upkeep to drop.
pub(crate) fn discard(client: &mut Client, target: &str, database: &str, version: i32) -> anyhow::Result<()> {
    to_trash(client, target, database, &std::process::id().to_string(), version)
}

/// Renames `database` to the trash name with `tag` (dropping mynatca's own left under
/// that name), marked as trash in the same transaction.
fn to_trash(client: &mut Client, target: &str, database: &str, tag: &str, version: i32) -> anyhow::Result<()> {
    let trash = trash_name(target, tag);
    marks::clear(client, &trash, version)?;
    let name = quote_ident(database);
    client.batch_execute(&format!(
        "COMMENT ON DATABASE {name} IS '{}'; ALTER DATABASE {name} RENAME TO {}",
        marks::TRASH,
        quote_ident(&trash)
    ))?;
    Ok(())
}

/// Drops the target's trash: replaced targets and unfinished spares, each carrying
/// mynatca's mark (a database named like trash without it is someone's: left alone).
pub(crate) fn empty_trash(client: &mut Client, target: &str, version: i32) -> Result<(), postgres::Error> {
    let start = format!("{TRASH_PREFIX}{}_", target_part(target));
    // One that cannot be dropped (a replication slot in it, say) keeps none of the others.
    let mut first_error = None;
    let trash =
        marks::starting(client, &start)?.into_iter().filter(|db| db.is_ours() && is_trash_tag(&db.name[start.len()..]));
    for Db { name, .. } in trash {
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
pub(crate) fn store(client: &mut Client, target: &str, from: &str, cache: &str, version: i32) -> anyhow::Result<()> {
    marks::clear(client, cache, version)?;
    copy(client, from, cache)?;
    seal(client, target, cache, version)
}

/// `to`, a copy of `from` (no session may be on it) with its per-database settings.
pub(crate) fn copy(client: &mut Client, from: &str, to: &str) -> Result<(), postgres::Error> {
    marks::create(client, to, from)?;
    super::copy_settings(client, from, to)
}

/// Makes `from` (no session on it, settings in place) the cache `cache`, by renaming.
pub(crate) fn adopt(client: &mut Client, target: &str, from: &str, cache: &str, version: i32) -> anyhow::Result<()> {
    marks::clear(client, cache, version)?;
    client.batch_execute(&format!("ALTER DATABASE {} RENAME TO {}", quote_ident(from), quote_ident(cache)))?;
    seal(client, target, cache, version)
}

fn seal(client: &mut Client, target: &str, cache: &str, version: i32) -> anyhow::Result<()> {
    // Nobody works in a cache: no session can then block a copy of it.
    let quoted = quote_ident(cache);
    client.batch_execute(&format!(
        "ALTER DATABASE {quoted} ALLOW_CONNECTIONS false; ALTER DATABASE {quoted} CONNECTION LIMIT -1"
    ))?;
    touch(client, cache)?;
    prune(client, target, version)
}

/// Keeps the [`KEEP`] most recently used caches; the rest are renamed to trash (a drop
/// waits for a checkpoint: the upkeep does it).
fn prune(client: &mut Client, target: &str, version: i32) -> anyhow::Result<()> {
    let mut cached = list(client, target)?;
    cached.sort_by(|a, b| b.last_used.total_cmp(&a.last_used));
    for (n, old) in cached.iter().skip(KEEP).enumerate() {
        to_trash(client, target, &old.name, &format!("{}p{n}", std::process::id()), version)?;
    }
    Ok(())
}

/// Drops every cache, spare and trash database of `target` that is mynatca's (the caller
/// holds the target's lock); returns their names.
pub(crate) fn drop_all(client: &mut Client, target: &str, version: i32) -> anyhow::Result<Vec<String>> {
    let part = target_part(target);
    let mut dropped = Vec::new();
    for prefix in [PREFIX, SPARE_PREFIX, TRASH_PREFIX] {
        let start = format!("{prefix}{part}_");
        for db in marks::starting(client, &start)?.into_iter().filter(Db::is_ours) {
            super::drop_database(client, &db.name, version)?;
            dropped.push(db.name);
        }
    }
    Ok(dropped)
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
