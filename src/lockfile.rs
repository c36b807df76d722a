//! Advisory locks (flock) whose waits are bounded: the holder writes its pid into the
//! file, so a waiter can say whom it waits for, and gives up after a limit instead of
//! blocking `git checkout` forever.

use std::fs::File;
use std::io::{self, Write as _};
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long commands wait for a lock by default.
pub(crate) const COMMAND_WAIT: Duration = Duration::from_secs(60);
/// How long the post-checkout and post-merge hooks wait: git is blocked meanwhile.
pub(crate) const HOOK_WAIT: Duration = Duration::from_secs(10);
/// A command says whom it waits for once it has waited this long.
const NOTICE_AFTER: Duration = Duration::from_secs(1);

/// How a command waits for locks: resolved once from the command and `--wait`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Wait {
    pub(crate) limit: Duration,
    /// Whether `waiting for … (pid N)` goes to stderr after a second (not in hooks).
    pub(crate) notice: bool,
}

impl Wait {
    /// For a call that takes no lock.
    pub(crate) const NONE: Wait = Wait { limit: Duration::ZERO, notice: false };
}

/// The lock could not be had within the limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {} is held by {} (waited {} s); let that run finish or stop it, then try again (--wait SECONDS waits longer)", path.display(), holder(*pid), waited.as_secs())]
pub(crate) struct Busy {
    pub(crate) what: String,
    pub(crate) path: PathBuf,
    pub(crate) pid: Option<u32>,
    pub(crate) waited: Duration,
}

/// `pid N`, or `another process` when the holder wrote none.
pub(crate) fn holder(pid: Option<u32>) -> String {
    pid.map_or_else(|| "another process".to_string(), |pid| format!("pid {pid}"))
}

/// Exclusive (to change) or shared (to read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Exclusive,
    Shared,
}

/// A held lock; released when dropped (the file is closed).
#[derive(Debug)]
pub(crate) struct Held {
    _file: File,
}

/// Locks the open `file` (at `path`, called `what` in messages), waiting as `wait` says.
/// Once held, our pid is written into the file when it is open for writing.
pub(crate) fn acquire(file: File, path: &Path, what: &str, kind: Kind, wait: Wait) -> anyhow::Result<Held> {
    let file = match try_now(&file, kind)? {
        true => file,
        false => wait_for(file, path, what, kind, wait)?,
    };
    if let Err(err) = write_pid(&file) {
        tracing::debug!(%err, "lock file not writable; holder's pid not recorded");
    }
    Ok(Held { _file: file })
}

/// Takes the lock if it is free now.
fn try_now(file: &File, kind: Kind) -> io::Result<bool> {
    let attempt = match kind {
        Kind::Exclusive => file.try_lock(),
        Kind::Shared => file.try_lock_shared(),
    };
    match attempt {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(err)) => Err(err),
    }
}

/// Blocks in flock(2) on a helper thread (so the kernel queues us, and we get the lock
/// the moment it is released) while this thread keeps the time. Giving up drops the
/// channel: a lock the helper gets later is released at once with the file it sends.
fn wait_for(file: File, path: &Path, what: &str, kind: Kind, wait: Wait) -> anyhow::Result<File> {
    let start = Instant::now();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let taken = match kind {
            Kind::Exclusive => file.lock(),
            Kind::Shared => file.lock_shared(),
        };
        let _ = sender.send(taken.map(|()| file));
    });
    let mut told = !wait.notice;
    loop {
        let waited = start.elapsed();
        let next = if told { wait.limit } else { NOTICE_AFTER.min(wait.limit) };
        match receiver.recv_timeout(next.saturating_sub(waited)) {
            Ok(taken) => return Ok(taken?),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => anyhow::bail!("the lock wait ended early"),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        }
        let waited = start.elapsed();
        if waited >= wait.limit {
            return Err(Busy { what: what.to_string(), path: path.to_path_buf(), pid: read_pid(path), waited }.into());
        }
        if !told {
            told = true;
            crate::ui::note(&format!("waiting for {what} {} ({})", path.display(), holder(read_pid(path))));
        }
    }
}

fn write_pid(mut file: &File) -> io::Result<()> {
    file.set_len(0)?;
    file.write_all_at(format!("{}\n", std::process::id()).as_bytes(), 0)?;
    file.flush()
}

/// The pid the holder wrote, if it did and that process is still there (a lock taken by
/// something else, `flock(1)` say, leaves the pid of the last mynatca run in the file).
pub(crate) fn read_pid(path: &Path) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(path).ok()?.trim().parse().ok()?;
    alive(pid).then_some(pid)
}

/// Whether process `pid` exists: signal 0 is sent to nobody, only checked (EPERM: it
/// exists, and is someone else's).
fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 delivers nothing; it only reports whether the process exists.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Opens (creating it and its folder) `path` for an exclusive lock.
pub(crate) fn open_for_writing(path: &Path) -> io::Result<File> {
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
pub(crate) fn open_existing(path: &Path) -> io::Result<Option<File>> {
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
