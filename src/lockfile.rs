//! Advisory locks (flock) whose waits are bounded: the holder writes its pid into the
//! file, so a waiter can say whom it waits for, and gives up after a limit instead of
//! blocking `git checkout` forever.

use std::fs::File;
use std::io::{self, Write as _};
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::ui::Ui;

/// How long commands wait for a lock by default.
pub const COMMAND_WAIT: Duration = Duration::from_secs(60);
/// How long the post-checkout and post-merge hooks wait: git is blocked meanwhile.
pub const HOOK_WAIT: Duration = Duration::from_secs(10);
/// A command says whom it waits for once it has waited this long.
const NOTICE_AFTER: Duration = Duration::from_secs(1);

/// How this process waits for locks: set once at startup from the command and `--wait`.
#[derive(Debug, Clone)]
pub struct Wait {
    pub limit: Duration,
    /// Where `waiting for … (pid N)` goes; `None` keeps the wait silent (hooks).
    pub notice: Option<Ui>,
}

static WAIT: OnceLock<Wait> = OnceLock::new();

/// Sets how every later lock waits. Only the first call counts.
pub fn configure(wait: Wait) {
    let _ = WAIT.set(wait);
}

fn policy() -> Wait {
    WAIT.get().cloned().unwrap_or(Wait { limit: COMMAND_WAIT, notice: None })
}

/// The lock could not be had within the limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {} is held by {} (waited {} s); let that run finish or stop it, then try again (--wait SECONDS waits longer)", path.display(), holder(*pid), waited.as_secs())]
pub struct Busy {
    pub what: String,
    pub path: PathBuf,
    pub pid: Option<u32>,
    pub waited: Duration,
}

/// `pid N`, or `another process` when the holder wrote none.
pub fn holder(pid: Option<u32>) -> String {
    pid.map_or_else(|| "another process".to_string(), |pid| format!("pid {pid}"))
}

/// Exclusive (to change) or shared (to read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Exclusive,
    Shared,
}

/// A held lock; released when dropped (the file is closed).
#[derive(Debug)]
pub struct Held {
    _file: File,
}

/// Locks the open `file` (at `path`, called `what` in messages), waiting as configured.
/// Once held, our pid is written into the file when it is open for writing.
pub fn acquire(file: File, path: &Path, what: &str, kind: Kind) -> anyhow::Result<Held> {
    let wait = policy();
    let start = Instant::now();
    let mut pause = Duration::from_millis(5);
    let mut told = false;
    loop {
        let attempt = match kind {
            Kind::Exclusive => file.try_lock(),
            Kind::Shared => file.try_lock_shared(),
        };
        match attempt {
            Ok(()) => break,
            Err(std::fs::TryLockError::Error(err)) => return Err(err.into()),
            Err(std::fs::TryLockError::WouldBlock) => {}
        }
        let waited = start.elapsed();
        if waited >= wait.limit {
            return Err(Busy { what: what.to_string(), path: path.to_path_buf(), pid: read_pid(path), waited }.into());
        }
        if !told && waited >= NOTICE_AFTER {
            told = true;
            if let Some(ui) = &wait.notice {
                ui.note(&format!("waiting for {what} {} ({})", path.display(), holder(read_pid(path))));
            }
        }
        std::thread::sleep(pause.min(wait.limit.saturating_sub(waited)));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
    if let Err(err) = write_pid(&file) {
        tracing::debug!(%err, "lock file not writable; holder's pid not recorded");
    }
    Ok(Held { _file: file })
}

fn write_pid(mut file: &File) -> io::Result<()> {
    file.set_len(0)?;
    file.write_all_at(format!("{}\n", std::process::id()).as_bytes(), 0)?;
    file.flush()
}

/// The pid the holder wrote, if it did.
pub fn read_pid(path: &Path) -> Option<u32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Opens (creating it and its folder) `path` for an exclusive lock.
pub fn open_for_writing(path: &Path) -> io::Result<File> {
    let open = || std::fs::OpenOptions::new().create(true).truncate(false).read(true).write(true).open(path);
    match open() {
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            std::fs::create_dir_all(path.parent().expect("a lock file has a folder"))?;
            open()
        }
        other => other,
    }
}

/// Opens an existing `path` for a shared lock, creating nothing: `None` when there is no
/// lock file (no run ever changed anything, so there is nothing half-done to wait for).
pub fn open_existing(path: &Path) -> io::Result<Option<File>> {
    let file = match std::fs::OpenOptions::new().read(true).write(true).open(path) {
        Err(err) if err.kind() == io::ErrorKind::PermissionDenied => std::fs::File::open(path),
        other => other,
    };
    match file {
        Ok(file) => Ok(Some(file)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_names_the_holder_and_the_way_out() {
        let busy = Busy {
            what: "the workspace lock".into(),
            path: "/p/supabase/.mynatca.lock".into(),
            pid: Some(42),
            waited: Duration::from_secs(60),
        };
        assert_eq!(
            busy.to_string(),
            "the workspace lock /p/supabase/.mynatca.lock is held by pid 42 (waited 60 s); let that run finish or stop it, then try again (--wait SECONDS waits longer)"
        );
    }

    #[test]
    fn a_shared_open_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert!(open_existing(&dir.path().join("x/.lock")).unwrap().is_none());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
