//! After a refresh, what need not hold the developer up: dropping the replaced target
//! and making the newest cache's spares again. Like `git gc --auto`, a detached process
//! does it (`mynatca upkeep`), unless `--no-detach`.
//!
//! Refreshes and upkeeps of one target take turns on a PostgreSQL advisory lock. A
//! refresh hands its lock to its upkeep (it waits until the upkeep is queued on it), so
//! the next refresh of that target always finds what the upkeep left.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use postgres::Client;
use sha2::{Digest, Sha256};

use super::{cache, database_exists, maintenance_client, server_version, Target};

/// The first half of mynatca's advisory lock keys ("myna").
const LOCK_CLASS: i32 = 0x6d79_6e61;
/// How long a refresh waits for its upkeep to queue on the lock before it lets go anyway.
const HAND_OFF: Duration = Duration::from_secs(5);
/// How an upkeep's session shows in `pg_stat_activity`: this, a space, its pid.
const APPLICATION: &str = "mynatca upkeep";

fn application(pid: u32) -> String {
    format!("{APPLICATION} {pid}")
}

fn lock_key(target: &str) -> i32 {
    let digest = Sha256::digest(target.as_bytes());
    i32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]]) & i32::MAX
}

/// The `application_name` of each session holding (`granted`) or waiting for the lock.
fn lock_sessions(client: &mut Client, key: i32, granted: bool) -> Result<Vec<String>, postgres::Error> {
    let rows = client.query(
        "SELECT coalesce(a.application_name, '') FROM pg_locks l JOIN pg_stat_activity a USING (pid) \
         WHERE l.locktype = 'advisory' AND l.granted = $3 AND l.classid::int8 = $1 AND l.objid::int8 = $2",
        &[&i64::from(LOCK_CLASS), &i64::from(key), &granted],
    )?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

/// Takes the target's lock on `client`'s session; `on_wait` runs first if another
/// refresh holds it. Waiting for an upkeep is what a refresh right after another does,
/// and is not news.
pub(crate) fn lock(client: &mut Client, target: &str, on_wait: impl FnOnce()) -> Result<(), postgres::Error> {
    let key = lock_key(target);
    loop {
        let got: bool = client.query_one("SELECT pg_try_advisory_lock($1, $2)", &[&LOCK_CLASS, &key])?.get(0);
        if got {
            return Ok(());
        }
        let holders = lock_sessions(client, key, true)?;
        // Let go between the two looks: try again.
        let Some(holder) = holders.first() else { continue };
        if !holder.starts_with(APPLICATION) {
            on_wait();
        }
        client.execute("SELECT pg_advisory_lock($1, $2)", &[&LOCK_CLASS, &key])?;
        return Ok(());
    }
}

/// What a successful refresh leaves to do, and the session holding the target's lock.
pub(crate) struct Upkeep {
    pub(crate) admin: Client,
    pub(crate) target: Target,
    pub(crate) version: i32,
    /// The cache whose spares to make again: the one holding every migration.
    pub(crate) cache: Option<String>,
}

impl Upkeep {
    /// Does it here, before returning.
    pub(crate) fn run_here(mut self) -> anyhow::Result<()> {
        work(&mut self.admin, &self.target, self.version, self.cache.as_deref())
    }

    /// Starts the upkeep as a detached process and returns once it waits for the lock
    /// (or after [`HAND_OFF`]); the lock passes to it when this session ends.
    pub(crate) fn detach(mut self) -> anyhow::Result<()> {
        let exe = std::env::current_exe().context("cannot find mynatca's own executable")?;
        let mut command = Command::new(exe);
        command
            .args(["--quiet", "upkeep"])
            .args(self.cache.iter().flat_map(|cache| ["--cache", cache.as_str()]))
            // The refresh was allowed its host; the upkeep checks it again like any refresh.
            .args((!self.target.remote_hosts().is_empty()).then_some("--allow-remote"))
            // In the environment, not the arguments: `ps` shows arguments to every user.
            .env("MYNATCA_DB_URL", &self.target.url)
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt as _;
            // SAFETY: setsid is async-signal-safe; its own session keeps the upkeep out
            // of the terminal's Ctrl-C and hangup.
            unsafe {
                command.pre_exec(|| {
                    libc::setsid();
                    Ok(())
                });
            }
        }
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(err) => {
                tracing::debug!(%err, "cannot start the upkeep; doing it here");
                return self.run_here();
            }
        };
        let key = lock_key(&self.target.database);
        let deadline = Instant::now() + HAND_OFF;
        // This refresh's own upkeep: an older one queued may be working for another cache.
        let own = application(child.id());
        while Instant::now() < deadline {
            if lock_sessions(&mut self.admin, key, false)?.contains(&own) {
                break;
            }
            // It could not connect, say: the next refresh does its work.
            if child.try_wait().is_ok_and(|status| status.is_some()) {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        tracing::debug!(pid = child.id(), "upkeep started");
        Ok(())
    }
}

/// The detached upkeep: `mynatca upkeep [--cache CACHE]`.
pub(crate) fn upkeep(target: &Target, cache: Option<&str>) -> anyhow::Result<()> {
    if let Some(cache) = cache {
        let ours = format!("{}{}_", cache::PREFIX, cache::target_part(&target.database));
        anyhow::ensure!(cache.starts_with(&ours), "{cache} is not a cache of {}", target.describe());
    }
    // Fault injection for the tests (debug builds only): an upkeep slow to start.
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("MYNATCA_TEST_UPKEEP_DELAY_MS").ok().and_then(|ms| ms.parse().ok()) {
        std::thread::sleep(Duration::from_millis(ms));
    }
    let mut admin = maintenance_client(target)?;
    admin.batch_execute(&format!("SET application_name = '{}'", application(std::process::id())))?;
    lock(&mut admin, &target.database, || {})?;
    let version = server_version(&mut admin)?;
    work(&mut admin, target, version, cache)
}

/// Spares first, under the lock: they are what the next refresh waits for. Then the lock
/// is let go, and the trash dropped (a drop waits for a checkpoint); its names are this
/// target's alone, and a later upkeep drops whatever is left.
fn work(admin: &mut Client, target: &Target, version: i32, cache: Option<&str>) -> anyhow::Result<()> {
    // Under the lock no refresh of this target runs: a build of it is an orphan.
    if let Err(err) = cache::sweep_orphans(admin, &target.database, version) {
        tracing::warn!(%err, "cannot sweep the builds of killed refreshes");
    }
    let spares = match cache {
        Some(cache) if database_exists(admin, cache)? => {
            let key = cache.rsplit('_').next().unwrap_or_default();
            cache::replenish(admin, &target.database, cache, key, version)
        }
        _ => Ok(()),
    };
    admin.execute("SELECT pg_advisory_unlock($1, $2)", &[&LOCK_CLASS, &lock_key(&target.database)])?;
    // The trash goes even when no spare could be made (a full disk, say): it frees space.
    let trash = cache::empty_trash(admin, &target.database, version).context("cannot drop the replaced database");
    spares.context("cannot make the spare copies")?;
    trash
}

/// `refresh --drop-caches`: the target's caches, spares and trash dropped, under its lock.
pub(crate) fn drop_caches(target: &Target) -> anyhow::Result<Vec<String>> {
    let mut admin = maintenance_client(target)?;
    lock(&mut admin, &target.database, || {})?;
    let version = server_version(&mut admin)?;
    cache::drop_all(&mut admin, &target.database, version)
}
