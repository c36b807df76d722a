//! Git hook shims: where git really looks for a repo's hooks, and which are mynatca's.

use std::path::{Path, PathBuf};

/// The hooks mynatca installs.
pub const HOOK_NAMES: [&str; 3] = ["post-checkout", "post-merge", "pre-commit"];

/// The line that marks a hook file as mynatca's shim.
pub const MARKER: &str =
    "# mynatca-hook: installed by `mynatca setup-hooks`; remove with `mynatca setup-hooks --uninstall`";

/// The hooks folder git uses for the repo holding `path`: `core.hooksPath` (relative to
/// the work tree) when set, else `hooks/` of the common git dir (shared by worktrees).
pub fn hooks_dir(path: &Path) -> Result<PathBuf, git2::Error> {
    let repo = git2::Repository::discover(path)?;
    let base = repo.workdir().map(Path::to_path_buf).unwrap_or_else(|| repo.commondir().to_path_buf());
    match repo.config()?.get_path("core.hooksPath") {
        Ok(configured) => Ok(crate::fsutil::absolute_from(&base, &configured)),
        Err(err) if err.code() == git2::ErrorCode::NotFound => Ok(repo.commondir().join("hooks")),
        Err(err) => Err(err),
    }
}

/// Whether the file at `path` is a mynatca shim.
pub fn is_mynatca_hook(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| text.lines().any(|line| line == MARKER))
}

/// The hooks of [`HOOK_NAMES`] that are not mynatca's in the repo holding `path`.
pub fn missing_hooks(path: &Path) -> Result<Vec<&'static str>, git2::Error> {
    let dir = hooks_dir(path)?;
    Ok(HOOK_NAMES.into_iter().filter(|name| !is_mynatca_hook(&dir.join(name))).collect())
}
