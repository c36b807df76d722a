//! Finding a path's git repository by looking at `.git` entries, without libgit2, so the
//! hook's hot path stays cheap; and the managed block in `info/exclude`.

use std::path::{Path, PathBuf};

use crate::fsutil;

/// Where a repository keeps its work tree and metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GitDirs {
    pub(crate) work_tree: PathBuf,
    pub(crate) git_dir: PathBuf,
    /// Shared by all worktrees: holds `info/exclude`, `hooks/` and `config`.
    pub(crate) common_dir: PathBuf,
}

/// The repository whose work tree holds `start` (an absolute path), if any. Like git,
/// the walk up never enters a folder of `GIT_CEILING_DIRECTORIES`.
pub(crate) fn discover(start: &Path) -> Option<GitDirs> {
    let ceilings = ceiling_dirs();
    let mut dir = Some(start);
    while let Some(current) = dir {
        let dot_git = current.join(".git");
        if let Ok(meta) = std::fs::metadata(&dot_git) {
            let git_dir = if meta.is_dir() { dot_git } else { read_gitfile(current, &dot_git)? };
            return Some(GitDirs::new(current.to_path_buf(), git_dir));
        }
        dir = current.parent().filter(|parent| !ceilings.iter().any(|c| c == parent));
    }
    None
}

/// The repository git means for a command run in `cwd`: `GIT_DIR` (with `GIT_WORK_TREE`,
/// else `cwd` as the work tree, as git does) when set, else [`discover`] from `cwd`.
pub(crate) fn current(cwd: &Path) -> Option<GitDirs> {
    let Some(git_dir) = std::env::var_os("GIT_DIR").filter(|dir| !dir.is_empty()) else {
        return discover(cwd);
    };
    let git_dir = fsutil::absolute_from(cwd, Path::new(&git_dir));
    let work_tree = match std::env::var_os("GIT_WORK_TREE").filter(|dir| !dir.is_empty()) {
        Some(dir) => fsutil::absolute_from(cwd, Path::new(&dir)),
        None => cwd.to_path_buf(),
    };
    git_dir.is_dir().then(|| GitDirs::new(work_tree, git_dir))
}

impl GitDirs {
    fn new(work_tree: PathBuf, git_dir: PathBuf) -> Self {
        let common_dir = match std::fs::read_to_string(git_dir.join("commondir")) {
            Ok(text) => fsutil::absolute_from(&git_dir, Path::new(text.trim())),
            Err(_) => git_dir.clone(),
        };
        GitDirs { work_tree, git_dir, common_dir }
    }

    /// The main worktree's folder, when this is a linked worktree of a non-bare repository.
    pub(crate) fn main_work_tree(&self) -> Option<PathBuf> {
        if self.common_dir == self.git_dir || self.common_dir.file_name()? != ".git" {
            return None;
        }
        self.common_dir.parent().map(Path::to_path_buf)
    }

    /// libgit2's view of this repository, opened where discovery found it (no search of
    /// its own, so both agree on which repository it is).
    pub(crate) fn open(&self) -> Result<git2::Repository, git2::Error> {
        let repo = git2::Repository::open_ext(&self.git_dir, git2::RepositoryOpenFlags::NO_SEARCH, [] as [&str; 0])?;
        if !repo.is_bare() && repo.workdir().is_some_and(|dir| fsutil::normalize(dir) != self.work_tree) {
            repo.set_workdir(&self.work_tree, false)?;
        }
        Ok(repo)
    }
}

/// `gitdir: PATH` of a `.git` file (worktrees, submodules).
fn read_gitfile(work_tree: &Path, dot_git: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(dot_git).ok()?;
    let target = text.lines().next()?.strip_prefix("gitdir:")?.trim();
    Some(fsutil::absolute_from(work_tree, Path::new(target)))
}

/// `GIT_CEILING_DIRECTORIES`: absolute folders, separated by `:`; empty entries ignored.
fn ceiling_dirs() -> Vec<PathBuf> {
    std::env::var_os("GIT_CEILING_DIRECTORIES")
        .map(|value| std::env::split_paths(&value).filter(|p| p.is_absolute()).map(|p| fsutil::normalize(&p)).collect())
        .unwrap_or_default()
}

/// What `HEAD` names: a branch (also one with no commit yet) or, detached, a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Head {
    Branch(String),
    /// The commit id, full or abbreviated (as whoever read it chose).
    Detached(String),
}

impl std::fmt::Display for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Head::Branch(name) => f.write_str(name),
            Head::Detached(sha) => write!(f, "detached@{sha}"),
        }
    }
}

/// Reads `HEAD` of a git dir as text, without libgit2, so the pre-commit hook stays cheap.
pub(crate) fn head(git_dir: &Path) -> std::io::Result<Head> {
    let text = std::fs::read_to_string(git_dir.join("HEAD"))?;
    let text = text.trim();
    Ok(match text.strip_prefix("ref:") {
        Some(reference) => {
            let reference = reference.trim();
            Head::Branch(reference.strip_prefix("refs/heads/").unwrap_or(reference).to_string())
        }
        None => Head::Detached(text.to_string()),
    })
}

/// A rebase under way, as the git dir's state folders and HEAD's reflog tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rebase {
    /// `rebase-merge/`: the default backend (`git pull --rebase` too). `pending`: its todo
    /// list still holds commits to replay.
    Merge { pending: bool },
    /// `rebase-apply/`: `git rebase --apply` (or `git am`).
    Apply,
    /// HEAD's last reflog entry is a rebase's first checkout, made before the apply
    /// backend writes its folder.
    Starting,
}

/// The rebase under way in `git_dir` (a worktree's own), if any.
pub(crate) fn rebase(git_dir: &Path) -> Option<Rebase> {
    let merge = git_dir.join("rebase-merge");
    if merge.is_dir() {
        let todo = std::fs::read_to_string(merge.join("git-rebase-todo")).unwrap_or_default();
        let pending =
            todo.lines().map(str::trim).any(|line| !line.is_empty() && !line.starts_with('#') && line != "noop");
        return Some(Rebase::Merge { pending });
    }
    if git_dir.join("rebase-apply").is_dir() {
        return Some(Rebase::Apply);
    }
    // `rebase (start): checkout main`, or `pull --rebase (start): …` as git pull names it.
    last_reflog_message(git_dir).filter(|message| message.contains("(start): checkout ")).map(|_| Rebase::Starting)
}

/// Whether an autostash is still to be applied: a rebase's (`git pull --rebase
/// --autostash`, `rebase.autoStash`), which git applies after the post-rewrite hook, or a
/// merge's (`git merge --autostash`, `git pull --no-rebase --autostash`), applied after
/// post-merge.
pub(crate) fn autostash_pending(git_dir: &Path) -> bool {
    git_dir.join("MERGE_AUTOSTASH").is_file()
        || ["rebase-merge", "rebase-apply"].iter().any(|dir| git_dir.join(dir).join("autostash").is_file())
}

/// The message of HEAD's newest reflog entry, from the file's last 4 KiB at most.
fn last_reflog_message(git_dir: &Path) -> Option<String> {
    use std::io::{Read as _, Seek as _};
    let mut file = std::fs::File::open(git_dir.join("logs").join("HEAD")).ok()?;
    let len = file.metadata().ok()?.len();
    file.seek(std::io::SeekFrom::Start(len.saturating_sub(4096))).ok()?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail).ok()?;
    let tail = String::from_utf8_lossy(&tail);
    let line = tail.trim_end_matches('\n').rsplit('\n').next()?;
    line.split_once('\t').map(|(_, message)| message.to_string())
}

const BLOCK_BEGIN: &str = "# >>> mynatca managed links (generated by `mynatca link`; do not edit) >>>";
const BLOCK_END: &str = "# <<< mynatca managed links <<<";

/// Replaces mynatca's block in `info/exclude` with `patterns` (newline-terminated lines;
/// empty drops the block), keeping every other line. Writes only when the file would
/// change; true if it did.
pub(crate) fn update_exclude_block(common_dir: &Path, patterns: &str) -> std::io::Result<bool> {
    let path = common_dir.join("info").join("exclude");
    let old = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => return Err(err),
    };
    let new = with_block(&old, patterns);
    if new == old {
        return Ok(false);
    }
    std::fs::create_dir_all(path.parent().expect("info/exclude has a parent"))?;
    fsutil::write_atomic(&path, new.as_bytes())?;
    Ok(true)
}

fn with_block(old: &str, patterns: &str) -> String {
    let mut out = String::with_capacity(old.len() + patterns.len() + 128);
    let mut lines = old.lines();
    let mut inserted = false;
    let block = |out: &mut String| {
        if !patterns.is_empty() {
            out.push_str(BLOCK_BEGIN);
            out.push('\n');
            out.push_str(patterns);
            out.push_str(BLOCK_END);
            out.push('\n');
        }
    };
    while let Some(line) = lines.next() {
        if line == BLOCK_BEGIN {
            for inner in lines.by_ref() {
                if inner == BLOCK_END {
                    break;
                }
            }
            block(&mut out);
            inserted = true;
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    if !inserted {
        block(&mut out);
    }
    out
}

/// Appends the path made of `parts` as one literal gitignore pattern line.
pub(crate) fn push_literal_pattern(out: &mut String, parts: &[&str]) {
    let start = out.len();
    for part in parts {
        if part.bytes().any(|b| matches!(b, b'*' | b'?' | b'[' | b']' | b'\\' | b'!' | b'#')) {
            for c in part.chars() {
                if matches!(c, '*' | '?' | '[' | ']' | '\\' | '!' | '#') {
                    out.push('\\');
                }
                out.push(c);
            }
        } else {
            out.push_str(part);
        }
    }
    if out.len() > start && out.ends_with(' ') {
        out.insert(out.len() - 1, '\\');
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_is_added_replaced_and_dropped() {
        let user = "# git ls-files --others --exclude-from=.git/info/exclude\n*.log\n";
        let one = with_block(user, "/a.sql\n");
        assert!(one.starts_with(user) && one.contains("\n/a.sql\n"));
        let two = with_block(&one, "/b.sql\n");
        assert!(two.contains("/b.sql") && !two.contains("/a.sql") && two.starts_with(user));
        assert_eq!(with_block(&two, ""), user);
        assert_eq!(with_block(&two, "/b.sql\n"), two);
    }

    #[test]
    fn head_names_the_branch_or_the_detached_commit() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("HEAD"), "ref: refs/heads/feature/x\n").unwrap();
        assert_eq!(head(dir.path()).unwrap(), Head::Branch("feature/x".into()));
        std::fs::write(dir.path().join("HEAD"), "0123abcd\n").unwrap();
        assert_eq!(head(dir.path()).unwrap(), Head::Detached("0123abcd".into()));
    }

    #[test]
    fn a_rebase_is_told_by_its_folder_or_its_first_reflog_entry() {
        let dir = tempfile::tempdir().unwrap();
        let git = dir.path();
        assert_eq!(rebase(git), None);
        std::fs::create_dir_all(git.join("logs")).unwrap();
        let entry = |message: &str| format!("{0} {0} A <a@b> 1 +0000\t{message}\n", "0".repeat(40));
        std::fs::write(git.join("logs/HEAD"), entry("rebase (start): checkout main")).unwrap();
        assert_eq!(rebase(git), Some(Rebase::Starting));
        std::fs::write(git.join("logs/HEAD"), entry("pull --rebase (start): checkout 0a1b2c") + &entry("commit: x"))
            .unwrap();
        assert_eq!(rebase(git), None, "only the newest entry counts");
        std::fs::create_dir(git.join("rebase-apply")).unwrap();
        assert_eq!(rebase(git), Some(Rebase::Apply));
        std::fs::create_dir(git.join("rebase-merge")).unwrap();
        std::fs::write(git.join("rebase-merge/git-rebase-todo"), "noop\n\n# Rebase a..b onto c\n").unwrap();
        assert_eq!(rebase(git), Some(Rebase::Merge { pending: false }));
        std::fs::write(git.join("rebase-merge/git-rebase-todo"), "pick 0a1b2c x\n").unwrap();
        assert_eq!(rebase(git), Some(Rebase::Merge { pending: true }));
    }

    #[test]
    fn literal_patterns_are_escaped() {
        let mut out = String::new();
        push_literal_pattern(&mut out, &["/x/", "1_a[1].sql"]);
        push_literal_pattern(&mut out, &["/x/", "a "]);
        push_literal_pattern(&mut out, &["/x/", "plain.sql"]);
        assert_eq!(out, "/x/1_a\\[1\\].sql\n/x/a\\ \n/x/plain.sql\n");
    }
}
