//! Putting a build in the target's place, and putting the target back: every step a
//! rename (milliseconds), the target closed to new sessions first so none can block it.

use anyhow::Context as _;
use postgres::Client;

use super::{cache, database_exists, end_sessions, quote_ident, Target};

/// Opens `database` to sessions again; false (logged) if that fails.
pub(crate) fn reopen(admin: &mut Client, database: &str) -> bool {
    let opened = admin.batch_execute(&format!("ALTER DATABASE {} ALLOW_CONNECTIONS true", quote_ident(database)));
    if let Err(err) = &opened {
        tracing::warn!(%err, database, "cannot open the database to sessions again");
    }
    opened.is_ok()
}

fn rename(admin: &mut Client, from: &str, to: &str) -> Result<(), postgres::Error> {
    admin.batch_execute(&format!("ALTER DATABASE {} RENAME TO {}", quote_ident(from), quote_ident(to)))
}

/// For a build under the target's own name: the target closed, its sessions ended, and
/// renamed `mynatca_prev_<target>_<pid>` until the build succeeds (then it is trash) or
/// fails (then it is renamed back). None when there is no target yet.
pub(crate) fn set_aside(admin: &mut Client, target: &Target, version: i32) -> anyhow::Result<Option<String>> {
    let exists = database_exists(admin, &target.database)?;
    if !exists {
        return Ok(None);
    }
    let aside = aside_name(target);
    close(admin, target, version, &aside)?;
    Ok(Some(aside))
}

fn aside_name(target: &Target) -> String {
    format!("mynatca_prev_{}_{}", cache::target_part(&target.database), std::process::id())
}

/// The target closed to new sessions, its sessions ended, renamed `to`; reopened if that fails.
pub(crate) fn close(admin: &mut Client, target: &Target, version: i32, to: &str) -> anyhow::Result<()> {
    let name = quote_ident(&target.database);
    // Left by a refresh killed mid-swap (and a reused pid): someone's database, not ours to drop.
    anyhow::ensure!(
        !database_exists(admin, to)?,
        "database \"{to}\" is a database an interrupted refresh set aside; rename it back to {} or drop it, then refresh again",
        target.database
    );
    admin
        .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
        .with_context(|| format!("cannot close {} to new sessions", target.describe()))?;
    let aside = end_sessions(admin, &target.database, version).and_then(|()| rename(admin, &target.database, to));
    if let Err(err) = aside {
        reopen(admin, &target.database);
        return Err(err).with_context(|| format!("cannot replace {} (its sessions did not end)", target.describe()));
    }
    Ok(())
}

/// The target set aside by [`set_aside`] put back as it was.
pub(crate) fn restore(admin: &mut Client, target: &Target, aside: &str) -> anyhow::Result<()> {
    rename(admin, aside, &target.database)
        .and_then(|()| {
            admin.batch_execute(&format!("ALTER DATABASE {} ALLOW_CONNECTIONS true", quote_ident(&target.database)))
        })
        .with_context(|| format!("cannot put {} back: it is kept as database \"{aside}\"", target.describe()))
}

/// Replaces the target with the build: the target closed to new sessions, its sessions
/// ended, renamed aside for the upkeep to drop, the build renamed in. Renames take
/// milliseconds where a drop waits for a checkpoint. Signals are not acted on here:
/// stopping between the two would leave neither.
pub(crate) fn swap(admin: &mut Client, target: &Target, build: &str, version: i32) -> anyhow::Result<()> {
    end_sessions(admin, build, version).context("cannot end the sessions on the build")?;
    let exists = database_exists(admin, &target.database)?;
    // Aside under a name no upkeep drops until the build is in: a failure in between
    // never leaves the old database where it would be dropped.
    let aside = aside_name(target);
    if exists {
        close(admin, target, version, &aside)?;
    }
    let renamed = rename(admin, build, &target.database)
        .with_context(|| format!("cannot rename the build {build} to {}", target.describe()));
    if !exists {
        return renamed;
    }
    if renamed.is_err() {
        // Never leave the target away: put it back as it was.
        return match restore(admin, target, &aside) {
            Err(err) => renamed.context(format!("{err:#}")),
            Ok(()) => renamed,
        };
    }
    if let Err(err) = cache::discard(admin, &target.database, &aside) {
        tracing::warn!(%err, aside, "cannot rename the replaced database to trash");
    }
    Ok(())
}
