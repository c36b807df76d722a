//! Putting a build in the target's place, and putting the target back. Each step is a
//! set of renames in one transaction: a kill (even `kill -9`) at any moment leaves every
//! database under the name it had, open as it was; no step closes the target to
//! connections. A lock another session holds is waited for at most the `--wait` time,
//! then the session holding it is named; Ctrl-C cancels the wait.

use std::time::Duration;

use anyhow::Context as _;
use postgres::error::SqlState;
use postgres::Client;

use super::{cache, database_exists, end_sessions, quote_ident, Target};
use crate::error::ConfigError;

/// Tries of a swap whose target got a new session between its sessions ending and the
/// rename (a pool or pg_cron's worker reconnecting): each rename waits for them 5 s.
const ATTEMPTS: usize = 5;

/// How the swap's steps wait: the bound on a lock another session holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Waits {
    pub(crate) lock: Duration,
    pub(crate) version: i32,
}

/// Opens `database` to sessions again; false (logged) if that fails.
pub(crate) fn reopen(admin: &mut Client, database: &str) -> bool {
    let opened = admin.batch_execute(&format!("ALTER DATABASE {} ALLOW_CONNECTIONS true", quote_ident(database)));
    if let Err(err) = &opened {
        tracing::warn!(%err, database, "cannot open the database to sessions again");
    }
    opened.is_ok()
}

/// `renames` in order, in one transaction, each database's sessions ended first.
fn renames(admin: &mut Client, target: &Target, renames: &[(&str, &str)], waits: Waits) -> anyhow::Result<()> {
    for attempt in 1..=ATTEMPTS {
        let done = (|| {
            let mut tx = admin.transaction()?;
            // PostgreSQL takes at most i32::MAX ms (24 days): a longer --wait is that.
            let millis = waits.lock.as_millis().clamp(1, i32::MAX as u128);
            tx.batch_execute(&format!("SET LOCAL lock_timeout = {millis}"))?;
            if waits.version >= 140000 {
                // After a `kill -9`, the server ends the wait within a second, not at the timeout.
                tx.batch_execute("SET LOCAL client_connection_check_interval = 1000")?;
            }
            for (from, to) in renames {
                end_sessions(&mut tx, from, waits.version)?;
                tx.batch_execute(&format!("ALTER DATABASE {} RENAME TO {}", quote_ident(from), quote_ident(to)))?;
            }
            tx.commit()
        })();
        let Err(err) = done else { return Ok(()) };
        match err.code() {
            Some(code) if *code == SqlState::OBJECT_IN_USE && attempt < ATTEMPTS => continue,
            Some(code) if *code == SqlState::LOCK_NOT_AVAILABLE => return Err(held(admin, target, waits.lock)),
            _ => return Err(err.into()),
        }
    }
    unreachable!("the last attempt returns")
}

/// The error for a lock that did not go, naming the sessions holding it by pid and
/// application (a `COMMENT ON DATABASE`, a `GRANT … ON DATABASE`, a `SELECT … FOR
/// UPDATE` of `pg_database`, in a transaction left open).
fn held(admin: &mut Client, target: &Target, wait: Duration) -> anyhow::Error {
    // A lock on the database object (COMMENT ON DATABASE), or the transaction that
    // updated or locked its catalog row (GRANT, SELECT … FOR UPDATE): that row's xmax.
    let sql = "SELECT DISTINCT a.pid, coalesce(nullif(a.application_name, ''), 'no application name'), \
               coalesce(a.state, '') FROM pg_stat_activity a, pg_database d WHERE d.datname = $1 \
               AND a.pid <> pg_backend_pid() AND a.backend_xid IS NOT NULL \
               AND (a.backend_xid = d.xmax OR EXISTS (SELECT FROM pg_locks l WHERE l.pid = a.pid AND l.granted \
                    AND l.locktype = 'object' AND l.classid = 'pg_database'::regclass AND l.objid = d.oid)) \
               ORDER BY 1";
    let holder =
        |row: &postgres::Row| (row.get(0), format!("{}, {}", row.get::<_, String>(1), row.get::<_, String>(2)));
    let holders: Vec<(i32, String)> =
        admin.query(sql, &[&target.database]).map(|rows| rows.iter().map(holder).collect()).unwrap_or_default();
    let who: Vec<String> = holders.iter().map(|(pid, what)| format!("pid {pid} ({what})")).collect();
    let (who, end) = match holders.as_slice() {
        [] => ("another session".to_string(), "end the transaction holding it".to_string()),
        [(pid, _)] => (who.join(""), format!("end that transaction (or `SELECT pg_terminate_backend({pid})`)")),
        _ => (who.join(", "), "end those transactions".to_string()),
    };
    anyhow::Error::new(ConfigError::new(format!(
        "a lock on it held by {who} did not go within {} s (--wait); {end} and refresh again",
        wait.as_secs()
    )))
}

/// For a build under the target's own name: the target renamed
/// `mynatca_prev_<target>_<pid>` until the build succeeds (then it is trash) or fails
/// (then it is renamed back). None when there is no target yet.
pub(crate) fn set_aside(admin: &mut Client, target: &Target, waits: Waits) -> anyhow::Result<Option<String>> {
    if !database_exists(admin, &target.database)? {
        return Ok(None);
    }
    let aside = aside_name(target);
    refuse_taken(admin, target, &aside)?;
    renames(admin, target, &[(&target.database, &aside)], waits)
        .with_context(|| format!("cannot set {} aside", target.describe()))?;
    Ok(Some(aside))
}

/// The name the target has while it is set aside.
pub(crate) fn aside_name(target: &Target) -> String {
    format!("{}{}_{}", ASIDE_PREFIX, cache::target_part(&target.database), std::process::id())
}

/// What a set-aside target's name starts with.
pub(crate) const ASIDE_PREFIX: &str = "mynatca_prev_";

/// Left by a refresh killed mid-swap (and a reused pid): someone's database, not ours to drop.
fn refuse_taken(admin: &mut Client, target: &Target, aside: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        !database_exists(admin, aside)?,
        "database \"{aside}\" is a database an interrupted refresh set aside; put it back with `{}` or drop it, then refresh again",
        restore_command(target, aside)
    );
    Ok(())
}

/// The one command that puts a set-aside database back under the target's name, open:
/// whatever has the name now is renamed `<target>_before_restore`, never dropped.
pub(crate) fn restore_command(target: &Target, aside: &str) -> String {
    let quoted = |name: &str| quote_ident(name).replace('\'', "'\\''");
    let (t, a) = (quoted(&target.database), quoted(aside));
    let before = quoted(&format!("{}_before_restore", target.database));
    format!(
        "psql {} -d postgres -c 'ALTER DATABASE {t} RENAME TO {before}' -c 'ALTER DATABASE {a} RENAME TO {t}' -c 'ALTER DATABASE {t} ALLOW_CONNECTIONS true'",
        target.psql_flags()
    )
}

/// The target set aside by [`set_aside`] put back as it was, the failed build (under the
/// target's name) renamed `failed_as` first, in one transaction.
pub(crate) fn restore(
    admin: &mut Client,
    target: &Target,
    aside: &str,
    failed_as: &str,
    waits: Waits,
) -> anyhow::Result<()> {
    let steps: Vec<(&str, &str)> = if database_exists(admin, &target.database)? {
        vec![(&target.database, failed_as), (aside, &target.database)]
    } else {
        vec![(aside, &target.database)]
    };
    renames(admin, target, &steps, waits)
        .with_context(|| format!("cannot put {} back: it is kept as database \"{aside}\"", target.describe()))?;
    // Set aside by an older mynatca, it may be closed.
    reopen(admin, &target.database);
    Ok(())
}

/// Replaces the target with the build in one transaction: the target's sessions ended,
/// it renamed aside, the build renamed in; then the old one becomes trash for the
/// upkeep to drop. Renames take milliseconds where a drop waits for a checkpoint.
pub(crate) fn swap(admin: &mut Client, target: &Target, build: &str, waits: Waits) -> anyhow::Result<()> {
    let exists = database_exists(admin, &target.database)?;
    let aside = aside_name(target);
    let steps: Vec<(&str, &str)> = if exists {
        refuse_taken(admin, target, &aside)?;
        vec![(&target.database, &aside), (build, &target.database)]
    } else {
        vec![(build, &target.database)]
    };
    renames(admin, target, &steps, waits).map_err(|err| match err.is::<ConfigError>() {
        true => err,
        false => err.context(format!("cannot put the build {build} in place of {}", target.describe())),
    })?;
    if exists {
        if let Err(err) = cache::discard(admin, &target.database, &aside, waits.version) {
            tracing::warn!(%err, aside, "cannot rename the replaced database to trash");
        }
    }
    Ok(())
}

/// Renames `from` to `to` alone (a kept build, say), bounded as the swap is.
pub(crate) fn rename(admin: &mut Client, target: &Target, from: &str, to: &str, waits: Waits) -> anyhow::Result<()> {
    renames(admin, target, &[(from, to)], waits)
}
