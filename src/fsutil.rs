//! Small filesystem helpers: atomic writes and lexical path arithmetic.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// Writes `bytes` to `path` through a temp file in the same folder and a rename, so a
/// reader sees the old content or the new, never half of it. Keeps an existing file's mode.
/// A `path` that is a symlink stays one: its final target is written.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let permissions = match std::fs::metadata(path) {
        Ok(meta) => meta.permissions(),
        Err(_) => default_permissions(),
    };
    write_atomic_with(path, bytes, permissions)
}

/// [`write_atomic`] giving the new file `permissions` (an executable hook): the file is
/// never seen with the wrong mode. The folder is synced after the rename, so the new
/// name survives a crash too.
pub(crate) fn write_atomic_with(path: &Path, bytes: &[u8], permissions: std::fs::Permissions) -> std::io::Result<()> {
    let path = final_target(path)?;
    filled_temp_file(&path, bytes, permissions)?.persist(&path).map_err(|err| err.error)?;
    sync_parent(&path)
}

/// Where a chain of symlinks at `path` ends (relative targets taken against each link's
/// folder); `path` itself when it is no link. A dangling chain ends at its missing file.
fn final_target(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    // The kernel's own limit on links followed in one lookup.
    for _ in 0..40 {
        match std::fs::read_link(&current) {
            Ok(target) => {
                let base = current.parent().map(Path::to_path_buf).unwrap_or_default();
                current = normalize(&base.join(target));
            }
            Err(err) if matches!(err.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::InvalidInput) => {
                return Ok(current)
            }
            Err(err) => return Err(err),
        }
    }
    Err(std::io::Error::other(format!("{}: too many levels of symbolic links", path.display())))
}

fn sync_parent(path: &Path) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)?.sync_all()
}

/// Like [`write_atomic`], but never replaces anything: fails with `AlreadyExists` when
/// `path` is taken (checked by the final link or rename itself, so no race).
pub(crate) fn write_new_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    filled_temp_file(path, bytes, default_permissions())?.persist_noclobber(path).map_err(|err| err.error)?;
    sync_parent(path)
}

/// Renames `from` to `to` only if `to` does not exist (checked by the kernel, so no
/// race): `AlreadyExists` otherwise. Where `RENAME_NOREPLACE` is not supported, a hard
/// link then an unlink, which fails the same way.
pub fn rename_noreplace(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
            Ok(()) => return Ok(()),
            Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {}
            Err(err) => return Err(err.into()),
        }
    }
    std::fs::hard_link(from, to)?;
    std::fs::remove_file(from)
}

/// A synced temp file beside `path` holding `bytes`, ready to be renamed onto it.
fn filled_temp_file(
    path: &Path,
    bytes: &[u8],
    permissions: std::fs::Permissions,
) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new().prefix(".mynatca-").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.as_file().set_permissions(permissions)?;
    Ok(tmp)
}

#[cfg(unix)]
fn default_permissions() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o644)
}

#[cfg(not(unix))]
fn default_permissions() -> std::fs::Permissions {
    std::fs::metadata(".").map(|m| m.permissions()).expect("cwd metadata")
}

/// The most mynatca reads of one migration or seed file.
pub(crate) const MAX_SQL_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a migration or seed: a regular file only (links followed), at most
/// [`MAX_SQL_BYTES`]. Opened without blocking, so a FIFO is refused instead of hanging,
/// and a device (`/dev/zero`) is refused instead of read until memory runs out.
pub(crate) fn read_sql_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use rustix::fs::{Mode, OFlags};
    use std::io::Read;
    let fd = rustix::fs::open(path, OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC, Mode::empty())?;
    let file = std::fs::File::from(fd);
    let meta = file.metadata()?;
    if !meta.is_file() {
        let message =
            format!("{}, not a regular file: only regular files are migrations and seeds", kind_of(meta.file_type()));
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, message));
    }
    let too_big = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "over {} MiB, the most mynatca reads of one file; split it into smaller migrations",
                MAX_SQL_BYTES >> 20
            ),
        )
    };
    if meta.len() > MAX_SQL_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_SQL_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_SQL_BYTES {
        return Err(too_big());
    }
    Ok(bytes)
}

/// What a file that is not a regular file is, for messages.
pub(crate) fn kind_of(file_type: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// What a link that cannot be followed is, for messages: a dangling link (its target is
/// not there) or a symlink loop (ELOOP); `None` for any other failure.
pub(crate) fn unfollowable(err: &std::io::Error) -> Option<&'static str> {
    if err.kind() == std::io::ErrorKind::NotFound {
        Some("a dangling link")
    } else if err.raw_os_error() == Some(libc::ELOOP) {
        Some("a symlink loop")
    } else {
        None
    }
}

/// Resolves `.` and `..` as text, without touching the filesystem (symlinks are not followed).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let last = out.components().next_back();
                match last {
                    Some(Component::Normal(_)) => {
                        out.pop();
                    }
                    Some(Component::RootDir | Component::Prefix(_)) => {}
                    _ => out.push(".."),
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The path from folder `from` to `to`, both absolute and normalized, as text.
pub(crate) fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for component in &to[common..] {
        out.push(component.as_os_str());
    }
    out
}

/// An absolute, normalized form of `path`, taken against `base` when relative.
pub(crate) fn absolute_from(base: &Path, path: &Path) -> PathBuf {
    normalize(&base.join(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("/a/b/../c/./d")), PathBuf::from("/a/c/d"));
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
        assert_eq!(normalize(Path::new("../a/../../b")), PathBuf::from("../../b"));
    }

    #[test]
    fn relative_path_matches_the_old_script() {
        let from = Path::new("/ws/platform/supabase/migrations");
        let to = Path::new("/ws/pay/supabase/migrations/1_x.sql");
        assert_eq!(relative_path(from, to), PathBuf::from("../../../pay/supabase/migrations/1_x.sql"));
        let nested = Path::new("/ws/platform/supabase/seeds/pay");
        assert_eq!(
            relative_path(nested, Path::new("/ws/pay/supabase/seed.sql")),
            PathBuf::from("../../../../pay/supabase/seed.sql")
        );
    }

    #[test]
    fn write_atomic_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temp file left");
    }

    #[test]
    fn write_new_atomic_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("1_a.sql");
        write_new_atomic(&path, b"first").unwrap();
        let err = write_new_atomic(&path, b"second").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temp file left");
    }
}
