//! Git hook shims: where git really looks for a repo's hooks, which are mynatca's, and
//! installing or removing them without losing a hook that was there before.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::fsutil;
use crate::lockfile;

mod managers;
pub(crate) use managers::{configured, inspect, Hook, Manager};

/// The hooks mynatca installs.
pub const HOOK_NAMES: [&str; 4] =
    [HookName::ALL[0].as_str(), HookName::ALL[1].as_str(), HookName::ALL[2].as_str(), HookName::ALL[3].as_str()];

/// The hooks mynatca installs and runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum HookName {
    PostCheckout,
    PostMerge,
    // After `git rebase` (also `git pull --rebase`) and `git commit --amend` (a plain
    // comment: clap would show a doc comment in `--help`).
    PostRewrite,
    PreCommit,
}

impl HookName {
    pub(crate) const ALL: [HookName; 4] =
        [HookName::PostCheckout, HookName::PostMerge, HookName::PostRewrite, HookName::PreCommit];

    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            HookName::PostCheckout => "post-checkout",
            HookName::PostMerge => "post-merge",
            HookName::PostRewrite => "post-rewrite",
            HookName::PreCommit => "pre-commit",
        }
    }

    /// The hook called `name`.
    pub(crate) fn named(name: &str) -> Option<HookName> {
        HookName::ALL.into_iter().find(|hook| hook.as_str() == name)
    }

    /// The hooks that keep the links current (all but pre-commit).
    pub(crate) fn relinks(self) -> bool {
        self != HookName::PreCommit
    }
}

/// The line that marks a hook file as mynatca's shim.
pub const MARKER: &str =
    "# mynatca-hook: installed by `mynatca setup-hooks`; remove with `mynatca setup-hooks --uninstall`";

/// A hook that was there before mynatca's is kept under its name plus this suffix, and
/// the shim runs it first.
pub(crate) const CHAINED_SUFFIX: &str = ".pre-mynatca";

/// A hook the old shell scripts installed is replaced, not chained (it calls scripts the
/// team deletes once moved over), and kept under its name plus this suffix, never run.
pub(crate) const FROM_SCRIPTS_SUFFIX: &str = ".from-scripts";

const SHIM_MODE: u32 = 0o755;

/// The hooks folder git uses for an open repository: `core.hooksPath` (relative to the
/// work tree) when set, else `hooks/` of the common git dir (shared by worktrees). A
/// submodule's common dir is its folder under the superproject's `.git/modules/`, which
/// is where git looks for its hooks.
pub(crate) fn hooks_dir_of(repo: &git2::Repository) -> Result<PathBuf, git2::Error> {
    let base = repo.workdir().map(Path::to_path_buf).unwrap_or_else(|| repo.commondir().to_path_buf());
    match repo.config()?.get_path("core.hooksPath") {
        Ok(configured) => Ok(fsutil::absolute_from(&base, &configured)),
        Err(err) if err.code() == git2::ErrorCode::NotFound => Ok(fsutil::normalize(&repo.commondir().join("hooks"))),
        Err(err) => Err(err),
    }
}

/// Whether the file at `path` is a mynatca shim.
pub(crate) fn is_mynatca_hook(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|bytes| has_marker(&bytes))
}

fn has_marker(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(bytes).lines().any(|line| line == MARKER)
}

/// Whether a hook was written by the old `setup-git-hooks.sh`, or does nothing but call
/// `link-migrations.sh`: once those scripts are deleted it would fail every checkout.
pub(crate) fn is_script_hook(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    if text.contains("setup-git-hooks.sh") {
        return true;
    }
    let mut commands = text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#'));
    text.contains("link-migrations.sh") && commands.all(|line| line.contains("link-migrations.sh") || is_plumbing(line))
}

/// Shell lines that only set up or report around the real command.
fn is_plumbing(line: &str) -> bool {
    const WORDS: [&str; 11] =
        ["set ", "echo ", "printf ", "exit", "cd ", "fi", "then", "else", "if [", "[ ", "export "];
    let assignment = line
        .split_once('=')
        .is_some_and(|(name, _)| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    assignment || WORDS.iter().any(|word| line.starts_with(word))
}

/// Whether a CI service runs us (`CI` set, and not to `false` or `0`): hooks belong to
/// developers' clones, so a CI checkout lacking them is no finding.
pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !matches!(value.trim(), "" | "0" | "false" | "FALSE" | "False"))
}

/// Why the hooks folder `dir` of the repo with work tree `top` is the team's rather than
/// this clone's: it is husky's, and/or it holds files git tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SharedFolder {
    pub(crate) husky: bool,
    pub(crate) tracked: bool,
}

/// See [`SharedFolder`]; `None` for a folder outside the work tree or one git ignores.
pub(crate) fn shared_folder(repo: &git2::Repository, top: &Path, dir: &Path) -> Option<SharedFolder> {
    let rel = dir.strip_prefix(top).ok()?;
    let husky = rel.components().any(|c| c.as_os_str() == ".husky");
    let prefix = format!("{}/", rel.to_string_lossy());
    let tracked = repo.index().is_ok_and(|index| index.iter().any(|entry| entry.path.starts_with(prefix.as_bytes())));
    (husky || tracked).then_some(SharedFolder { husky, tracked })
}

/// The shim for hook `name`, calling the binary at `exe` (the installing one) unless
/// `$MYNATCA_BIN` names another.
pub(crate) fn shim(name: &str, exe: &str) -> String {
    let on_chained_failure = if name == "pre-commit" {
        "# A failing chained pre-commit blocks the commit, as it did before.\n[ \"$status\" -eq 0 ] || exit \"$status\"\n"
    } else {
        "# A failing chained hook keeps its exit status for git; the links are still updated.\n"
    };
    let installed = shell_quote(exe);
    format!(
        r#"#!/bin/sh
{MARKER}
# Runs `mynatca hook {name}`. MYNATCA_HOOKS=0 skips every mynatca hook.
[ "${{MYNATCA_HOOKS:-}}" = 0 ] && exit 0
status=0
if [ -x "$0{CHAINED_SUFFIX}" ]; then
  "$0{CHAINED_SUFFIX}" "$@" || status=$?
fi
{on_chained_failure}# GUI git clients and IDEs run hooks without the shell's PATH, hence this order:
# $MYNATCA_BIN, the binary that installed this hook, then PATH.
installed={installed}
mynatca=
for candidate in "${{MYNATCA_BIN:-}}" "$installed"; do
  if [ -n "$candidate" ] && [ -f "$candidate" ] && [ -x "$candidate" ]; then mynatca=$candidate; break; fi
done
[ -n "$mynatca" ] || mynatca=$(command -v mynatca) || mynatca=
if [ -z "$mynatca" ]; then
  printf '%s\n' "warning: mynatca hook {name} skipped: mynatca is neither at \$MYNATCA_BIN, nor at $installed, nor on PATH; install it or set MYNATCA_BIN" >&2
  exit "$status"
fi
[ "$status" -ne 0 ] || exec "$mynatca" hook {name} "$@"
"$mynatca" hook {name} "$@"
exit "$status"
"#
    )
}

/// `text` as one single-quoted shell word.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// What installing or uninstalling did to one hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// The shim now stands where there was no hook.
    Installed,
    /// The shim now stands in front of a hook that was there before, kept as `<name>.pre-mynatca`.
    Chained,
    /// An outdated shim (another binary, older text, wrong mode) was rewritten.
    Updated,
    Unchanged,
    /// The shim was removed; there was no earlier hook.
    Removed,
    /// The shim was replaced by the earlier hook.
    Restored,
    /// No shim of mynatca's was there.
    NotInstalled,
    /// A hook of the old scripts (the hook itself, or the one chained behind the shim)
    /// was moved to `<name>.from-scripts` and the shim stands alone.
    ReplacedScripts,
    /// A stale copy of mynatca's own shim kept as `<name>.pre-mynatca` was removed: a
    /// shim never chains to a shim.
    Unchained,
    /// The hook there already runs `mynatca hook NAME` (a hook manager's, or a team's
    /// script): left as it is, since a shim in front would run mynatca twice.
    AlreadyRuns,
}

/// A hook file as found before installing or uninstalling.
enum HookFile {
    Absent,
    Shim {
        bytes: Vec<u8>,
        mode: u32,
    },
    Foreign,
    /// Written by the old scripts: replaced, kept as `<name>.from-scripts`.
    FromScripts,
}

struct Found {
    name: &'static str,
    path: PathBuf,
    chained: PathBuf,
    existing: HookFile,
    chained_exists: bool,
    /// The chained hook is one of the old scripts' (chained by an earlier mynatca).
    chained_from_scripts: bool,
    /// `<name>.pre-mynatca` is itself a shim (left by an older, unserialised install).
    chained_is_shim: bool,
}

/// Reads every hook first, so that a state mynatca cannot resolve is refused before
/// anything is changed.
fn survey(dir: &Path) -> anyhow::Result<Vec<Found>> {
    HOOK_NAMES
        .into_iter()
        .map(|name| {
            let path = dir.join(name);
            let chained = dir.join(format!("{name}{CHAINED_SUFFIX}"));
            let existing = match std::fs::read(&path) {
                Ok(bytes) if has_marker(&bytes) => {
                    let meta = std::fs::metadata(&path).with_context(|| format!("cannot read {}", path.display()))?;
                    let mode = meta.permissions().mode() & 0o777;
                    HookFile::Shim { bytes, mode }
                }
                Ok(bytes) if is_script_hook(&bytes) => HookFile::FromScripts,
                Ok(_) => HookFile::Foreign,
                // A dangling symlink is someone's hook too.
                Err(err) if err.kind() == std::io::ErrorKind::NotFound && path.symlink_metadata().is_err() => {
                    HookFile::Absent
                }
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => HookFile::Foreign,
                Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
            };
            let chained_exists = chained.symlink_metadata().is_ok();
            let chained_from_scripts = chained_exists && std::fs::read(&chained).is_ok_and(|b| is_script_hook(&b));
            let chained_is_shim = chained_exists && is_mynatca_hook(&chained);
            if matches!(existing, HookFile::Foreign) && chained_exists && !chained_is_shim {
                anyhow::bail!(
                    "{} is not mynatca's hook and {} exists too; merge them into one by hand (nothing was changed), then run `mynatca setup-hooks` again",
                    path.display(),
                    chained.display()
                );
            }
            Ok(Found { name, path, chained, existing, chained_exists, chained_from_scripts, chained_is_shim })
        })
        .collect()
}

/// The lock that serialises installs and uninstalls of one repo's hooks, in its git dir.
pub(crate) const LOCK_FILE: &str = "mynatca-hooks.lock";

/// Takes the hooks lock of the repo whose common git dir is `common_dir`.
pub(crate) fn lock(common_dir: &Path, wait: lockfile::Wait) -> anyhow::Result<lockfile::Held> {
    let path = common_dir.join(LOCK_FILE);
    let file = lockfile::open_for_writing(&path).with_context(|| format!("cannot lock {}", path.display()))?;
    lockfile::acquire(file, &path, "the hooks lock", lockfile::Kind::Exclusive, wait)
}

/// Installs the shims into `dir` (created if missing), calling the binary at `exe`.
/// A foreign hook is moved to `<name>.pre-mynatca`; a current shim is not rewritten.
/// The caller holds [`lock`].
pub(crate) fn install(dir: &Path, work_tree: &Path, exe: &str) -> anyhow::Result<Vec<(&'static str, Change)>> {
    let found = survey(dir)?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut changes = Vec::with_capacity(found.len());
    for mut hook in found {
        let runs = |name| managers::inspect(dir, work_tree, name) == managers::Hook::RunsMynatca;
        if matches!(hook.existing, HookFile::Foreign) && HookName::named(hook.name).is_some_and(runs) {
            changes.push((hook.name, Change::AlreadyRuns));
            continue;
        }
        let text = shim(hook.name, exe);
        let kept = hook.path.with_file_name(format!("{}{FROM_SCRIPTS_SUFFIX}", hook.name));
        let mut replaced = false;
        if hook.chained_is_shim {
            std::fs::remove_file(&hook.chained).with_context(|| format!("cannot remove {}", hook.chained.display()))?;
            hook.chained_exists = false;
        }
        if hook.chained_from_scripts {
            std::fs::rename(&hook.chained, &kept)
                .with_context(|| format!("cannot move {} aside", hook.chained.display()))?;
            hook.chained_exists = false;
            replaced = true;
        }
        let change = match &hook.existing {
            HookFile::Shim { bytes, mode } if bytes == text.as_bytes() && *mode == SHIM_MODE => Change::Unchanged,
            HookFile::Shim { .. } => Change::Updated,
            HookFile::Absent if hook.chained_exists => Change::Chained,
            HookFile::Absent => Change::Installed,
            HookFile::FromScripts => {
                std::fs::rename(&hook.path, &kept)
                    .with_context(|| format!("cannot move {} aside", hook.path.display()))?;
                replaced = true;
                Change::Installed
            }
            HookFile::Foreign => {
                // Never over an existing `.pre-mynatca`: that would destroy a hook.
                fsutil::rename_noreplace(&hook.path, &hook.chained).with_context(|| {
                    format!("cannot move {} aside to {}", hook.path.display(), hook.chained.display())
                })?;
                Change::Chained
            }
        };
        if change != Change::Unchanged {
            fsutil::write_atomic_with(&hook.path, text.as_bytes(), std::fs::Permissions::from_mode(SHIM_MODE))
                .with_context(|| format!("cannot write {}", hook.path.display()))?;
        }
        let change = match change {
            _ if replaced => Change::ReplacedScripts,
            Change::Chained => Change::Chained,
            _ if hook.chained_is_shim => Change::Unchained,
            change => change,
        };
        changes.push((hook.name, change));
    }
    Ok(changes)
}

/// Removes the shims from `dir` and puts back the hooks they stood in front of. Files
/// that are not mynatca's are left alone; a kept copy of a shim is removed, never restored.
/// The caller holds [`lock`].
pub(crate) fn uninstall(dir: &Path) -> anyhow::Result<Vec<(&'static str, Change)>> {
    let mut changes = Vec::with_capacity(HOOK_NAMES.len());
    for hook in survey(dir)? {
        if hook.chained_is_shim {
            std::fs::remove_file(&hook.chained).with_context(|| format!("cannot remove {}", hook.chained.display()))?;
        }
        let change = match hook.existing {
            HookFile::Shim { .. } if hook.chained_is_shim => {
                std::fs::remove_file(&hook.path).with_context(|| format!("cannot remove {}", hook.path.display()))?;
                Change::Removed
            }
            HookFile::Absent | HookFile::Foreign | HookFile::FromScripts if hook.chained_is_shim => Change::Unchained,
            // The rename replaces the shim in one step: the original hook is never missing.
            HookFile::Shim { .. } | HookFile::Absent if hook.chained_exists => {
                std::fs::rename(&hook.chained, &hook.path)
                    .with_context(|| format!("cannot restore {}", hook.path.display()))?;
                Change::Restored
            }
            HookFile::Shim { .. } => {
                std::fs::remove_file(&hook.path).with_context(|| format!("cannot remove {}", hook.path.display()))?;
                Change::Removed
            }
            HookFile::Absent | HookFile::Foreign | HookFile::FromScripts => Change::NotInstalled,
        };
        changes.push((hook.name, change));
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn shims_are_posix_sh_with_the_marker_and_lf_only() {
        for name in HOOK_NAMES {
            let text = shim(name, "/opt/bin/mynatca");
            assert!(text.starts_with("#!/bin/sh\n"), "{text}");
            assert!(text.lines().any(|line| line == MARKER));
            assert!(!text.contains('\r'));
            assert!(text.contains(&format!("exec \"$mynatca\" hook {name} \"$@\"")));
        }
        assert!(shim("pre-commit", "/x").contains("|| exit \"$status\""));
        assert!(!shim("post-merge", "/x").contains("|| exit \"$status\""));
    }

    #[test]
    fn the_binary_path_is_one_shell_word() {
        assert_eq!(shell_quote("/a b/it's/mynatca"), r"'/a b/it'\''s/mynatca'");
        assert!(shim("post-merge", "/a b/it's/mynatca").contains(r"installed='/a b/it'\''s/mynatca'"));
    }

    #[test]
    fn install_chains_a_foreign_hook_and_uninstall_restores_it() {
        let dir = tempfile::tempdir().unwrap();
        let hooks = dir.path().join("hooks");
        std::fs::create_dir(&hooks).unwrap();
        std::fs::write(hooks.join("pre-commit"), "#!/bin/sh\nexit 0\n").unwrap();

        let changes = install(&hooks, Path::new("/nonexistent"), "/opt/mynatca").unwrap();
        assert_eq!(
            changes,
            vec![
                ("post-checkout", Change::Installed),
                ("post-merge", Change::Installed),
                ("post-rewrite", Change::Installed),
                ("pre-commit", Change::Chained)
            ]
        );
        assert_eq!(std::fs::read_to_string(hooks.join("pre-commit.pre-mynatca")).unwrap(), "#!/bin/sh\nexit 0\n");
        assert!(HOOK_NAMES.iter().all(|name| is_mynatca_hook(&hooks.join(name)) && mode(&hooks.join(name)) == 0o755));

        let again = install(&hooks, Path::new("/nonexistent"), "/opt/mynatca").unwrap();
        assert!(again.iter().all(|(_, change)| *change == Change::Unchanged), "{again:?}");
        let moved = install(&hooks, Path::new("/nonexistent"), "/usr/local/bin/mynatca").unwrap();
        assert!(moved.iter().all(|(_, change)| *change == Change::Updated), "{moved:?}");
        assert_eq!(std::fs::read_to_string(hooks.join("pre-commit.pre-mynatca")).unwrap(), "#!/bin/sh\nexit 0\n");

        let changes = uninstall(&hooks).unwrap();
        assert_eq!(
            changes,
            vec![
                ("post-checkout", Change::Removed),
                ("post-merge", Change::Removed),
                ("post-rewrite", Change::Removed),
                ("pre-commit", Change::Restored)
            ]
        );
        let mut left: Vec<_> =
            std::fs::read_dir(&hooks).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(left, vec!["pre-commit"]);
        assert_eq!(std::fs::read_to_string(hooks.join("pre-commit")).unwrap(), "#!/bin/sh\nexit 0\n");
        assert!(uninstall(&hooks).unwrap().iter().all(|(_, change)| *change == Change::NotInstalled));
    }

    #[test]
    fn two_foreign_hooks_are_refused_before_anything_changes() {
        let dir = tempfile::tempdir().unwrap();
        let hooks = dir.path();
        std::fs::write(hooks.join("pre-commit"), "#!/bin/sh\necho new\n").unwrap();
        std::fs::write(hooks.join("pre-commit.pre-mynatca"), "#!/bin/sh\necho old\n").unwrap();
        let err = install(hooks, Path::new("/nonexistent"), "/opt/mynatca").unwrap_err().to_string();
        assert!(err.contains("merge them into one by hand (nothing was changed)"), "{err}");
        assert!(!hooks.join("post-checkout").exists(), "installed a hook before refusing");
        assert!(uninstall(hooks).is_err());
        assert_eq!(std::fs::read_to_string(hooks.join("pre-commit")).unwrap(), "#!/bin/sh\necho new\n");
    }

    #[test]
    fn a_kept_hook_whose_shim_was_deleted_is_chained_again_and_restored() {
        let dir = tempfile::tempdir().unwrap();
        let hooks = dir.path();
        std::fs::write(hooks.join("post-merge.pre-mynatca"), "#!/bin/sh\necho old\n").unwrap();
        let changes = install(hooks, Path::new("/nonexistent"), "/opt/mynatca").unwrap();
        assert_eq!(changes[1], ("post-merge", Change::Chained));
        std::fs::remove_file(hooks.join("post-merge")).unwrap();
        assert_eq!(uninstall(hooks).unwrap()[1], ("post-merge", Change::Restored));
        assert_eq!(std::fs::read_to_string(hooks.join("post-merge")).unwrap(), "#!/bin/sh\necho old\n");
    }

    #[test]
    fn a_missing_hooks_folder_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let hooks = dir.path().join("not/yet");
        install(&hooks, Path::new("/nonexistent"), "/opt/mynatca").unwrap();
        assert!(is_mynatca_hook(&hooks.join("post-merge")));
    }
}
