//! The template cache: after the migrations of a refresh, a copy of the database named
//! `mynatca_cache_<target>_<key>`, where the key chains over the base, the server
//! version and each migration's name and content. A later refresh starts from the
//! longest cached prefix of its migrations.

use std::time::{SystemTime, UNIX_EPOCH};

use postgres::Client;
use sha2::{Digest, Sha256};

use super::apply::Script;
use super::{quote_ident, Base};

pub(crate) const PREFIX: &str = "mynatca_cache_";
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
    bytes.iter().take(KEY_HEX / 2).map(|b| format!("{b:02x}")).collect()
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
}

/// The target's caches, from the names (prefix, target, a key) and mynatca's comment.
fn list(client: &mut Client, target: &str) -> Result<Vec<Cached>, postgres::Error> {
    let start = format!("{PREFIX}{}_", target_part(target));
    let rows = client.query(
        "SELECT datname::text, coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database \
         WHERE starts_with(datname::text, $1)",
        &[&start],
    )?;
    Ok(rows
        .iter()
        .filter_map(|row| {
            let name: String = row.get(0);
            let comment: String = row.get(1);
            let key = &name[start.len()..];
            let ours = key.len() == KEY_HEX && key.bytes().all(|b| b.is_ascii_hexdigit());
            let last_used = comment.strip_prefix("mynatca cache; last used ")?.parse().ok()?;
            ours.then_some(Cached { name, last_used })
        })
        .collect())
}

/// The longest cached prefix: how many migrations it holds, and its name.
pub(crate) fn find(
    client: &mut Client,
    target: &str,
    keys: &[String],
) -> Result<Option<(usize, String)>, postgres::Error> {
    let cached = list(client, target)?;
    Ok((1..keys.len()).rev().find_map(|count| {
        let wanted = name(target, &keys[count]);
        cached.iter().any(|c| c.name == wanted).then_some((count, wanted))
    }))
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
    client.batch_execute(&format!("CREATE DATABASE {quoted} TEMPLATE {}", quote_ident(from)))?;
    super::copy_settings(client, from, cache)?;
    // Nobody works in a cache: no session can then block a copy of it.
    client.batch_execute(&format!("ALTER DATABASE {quoted} ALLOW_CONNECTIONS false"))?;
    touch(client, cache)?;
    prune(client, target)
}

fn prune(client: &mut Client, target: &str) -> Result<(), postgres::Error> {
    let mut cached = list(client, target)?;
    cached.sort_by(|a, b| b.last_used.total_cmp(&a.last_used));
    for old in cached.iter().skip(KEEP) {
        client.batch_execute(&format!("DROP DATABASE IF EXISTS {}", quote_ident(&old.name)))?;
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
