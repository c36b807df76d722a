//! Whether the hook git runs for a repo runs mynatca, however it got there: mynatca's
//! shim, a hook that calls `mynatca hook NAME` itself (the README's recipe for a
//! `core.hooksPath` folder), or a hook manager's hook whose configuration does (husky,
//! lefthook, pre-commit). Only regular files of bounded size are read: `check` never
//! waits on a FIFO named like a hook.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::HookName;

/// The hook managers whose hooks are followed to what they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Manager {
    Husky,
    Lefthook,
    PreCommit,
}

impl Manager {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Manager::Husky => "husky",
            Manager::Lefthook => "lefthook",
            Manager::PreCommit => "pre-commit",
        }
    }
}

/// What git finds for one hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Hook {
    /// It runs `mynatca hook NAME`.
    RunsMynatca,
    /// It would, but git skips it: the file is not executable.
    NotExecutable(PathBuf),
    /// No hook, or one that does not run mynatca (with the manager it belongs to, if any).
    Missing(Option<Manager>),
}

/// Hook files and manager configurations larger than this are not read.
const MAX_READ: u64 = 1 << 20;

/// What git runs as hook `name` from the hooks folder `dir` of the repo whose work tree
/// is `work_tree`.
pub(crate) fn inspect(dir: &Path, work_tree: &Path, name: HookName) -> Hook {
    let path = dir.join(name.as_str());
    let Some(text) = read_small(&path) else { return Hook::Missing(None) };
    let executable = std::fs::metadata(&path).is_ok_and(|meta| meta.permissions().mode() & 0o111 != 0);
    if super::has_marker(text.as_bytes()) || calls_mynatca(&text, name) {
        return if executable { Hook::RunsMynatca } else { Hook::NotExecutable(path) };
    }
    let manager = manager_of(dir, &text);
    let configured = match manager {
        // husky 9 points core.hooksPath at `.husky/_`, whose hooks run `.husky/NAME`
        // (with `sh`: that file need not be executable).
        Some(Manager::Husky) => dir
            .parent()
            .and_then(|husky| read_small(&husky.join(name.as_str())))
            .is_some_and(|t| calls_mynatca(&t, name)),
        Some(Manager::Lefthook) => lefthook_sources(work_tree, name).iter().any(|t| calls_mynatca(t, name)),
        Some(Manager::PreCommit) => pre_commit_config(work_tree, &text).is_some_and(|t| pre_commit_runs(&t, name)),
        None => false,
    };
    match (configured, executable) {
        (true, true) => Hook::RunsMynatca,
        (true, false) => Hook::NotExecutable(path),
        (false, _) => Hook::Missing(manager),
    }
}

/// The hook manager a repo is configured for, read from its configuration files (for a
/// hook that manager has not installed yet): pre-commit's, then lefthook's.
pub(crate) fn configured(work_tree: &Path) -> Option<Manager> {
    if work_tree.join(".pre-commit-config.yaml").is_file() {
        return Some(Manager::PreCommit);
    }
    let lefthook = ["lefthook.yml", "lefthook.yaml", ".lefthook.yml", "lefthook.toml", "lefthook.json"];
    lefthook.iter().any(|name| work_tree.join(name).is_file()).then_some(Manager::Lefthook)
}

/// The file's text, if it is a regular file (links followed) of at most [`MAX_READ`] bytes.
fn read_small(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_READ {
        return None;
    }
    std::fs::read(path).ok().map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

fn manager_of(dir: &Path, hook: &str) -> Option<Manager> {
    if dir.file_name().is_some_and(|name| name == "_") || hook.contains("husky") {
        Some(Manager::Husky)
    } else if hook.contains("lefthook") {
        Some(Manager::Lefthook)
    } else if hook.contains("pre-commit.com") || hook.contains("pre_commit") {
        Some(Manager::PreCommit)
    } else {
        None
    }
}

/// Whether `text` (a shell script, or a manager's YAML, TOML or JSON) has, outside
/// comments, the words `mynatca hook NAME`; `mynatca` may be a path to the binary.
pub(crate) fn calls_mynatca(text: &str, name: HookName) -> bool {
    text.lines().map(without_comment).any(|line| {
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '`' | ','))
            .map(|word| word.trim_matches(|c| matches!(c, '"' | '\'' | '[' | ']' | '{' | '}')))
            .filter(|word| !word.is_empty())
            .collect();
        words.windows(3).any(|w| w[0].rsplit('/').next() == Some("mynatca") && w[1] == "hook" && w[2] == name.as_str())
    })
}

/// A line up to its `#` comment (one that starts the line or follows white space).
fn without_comment(line: &str) -> &str {
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        if c == '#' && previous.is_whitespace() {
            return &line[..i];
        }
        previous = c;
    }
    line
}

/// lefthook's configurations (main and local, in any of its formats) and the scripts it
/// runs for hook `name` (`.lefthook/NAME/*`, `.lefthook-local/NAME/*`).
fn lefthook_sources(work_tree: &Path, name: HookName) -> Vec<String> {
    let mut sources = Vec::new();
    for folder in [work_tree.to_path_buf(), work_tree.join(".config")] {
        for stem in ["lefthook", ".lefthook", "lefthook-local", ".lefthook-local"] {
            for ext in ["yml", "yaml", "toml", "json", "jsonc"] {
                sources.extend(read_small(&folder.join(format!("{stem}.{ext}"))));
            }
        }
    }
    for scripts in [".lefthook", ".lefthook-local"] {
        let Ok(entries) = std::fs::read_dir(work_tree.join(scripts).join(name.as_str())) else { continue };
        sources.extend(entries.flatten().take(100).filter_map(|entry| read_small(&entry.path())));
    }
    sources
}

/// The pre-commit framework's configuration: the hook names it with `--config=FILE`
/// (relative to the work tree), else `.pre-commit-config.yaml`.
fn pre_commit_config(work_tree: &Path, hook: &str) -> Option<String> {
    let named = hook.split_whitespace().find_map(|word| word.strip_prefix("--config="));
    let file = named.map(|f| f.trim_matches(|c| matches!(c, '"' | '\'' | ')'))).unwrap_or(".pre-commit-config.yaml");
    read_small(&work_tree.join(file))
}

/// Whether a pre-commit configuration runs mynatca for hook `name`: this repo's
/// `mynatca-link` relinks for the post-* hooks; branches are protected by pre-commit's
/// own `no-commit-to-branch` (as the README says) or by `mynatca hook pre-commit`.
fn pre_commit_runs(config: &str, name: HookName) -> bool {
    let has_id = |id: &str| {
        config.lines().map(without_comment).any(|line| {
            line.trim_start()
                .trim_start_matches("- ")
                .trim_start()
                .strip_prefix("id:")
                .is_some_and(|v| v.trim().trim_matches(|c| matches!(c, '"' | '\'')) == id)
        })
    };
    calls_mynatca(config, name) || if name.relinks() { has_id("mynatca-link") } else { has_id("no-commit-to-branch") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_the_three_words_outside_comments() {
        let post_checkout = HookName::PostCheckout;
        assert!(calls_mynatca("#!/bin/sh\nmynatca hook post-checkout \"$@\"\n", post_checkout));
        assert!(calls_mynatca("exec /opt/bin/mynatca hook post-checkout", post_checkout));
        assert!(calls_mynatca("  run: mynatca hook post-checkout {0}", post_checkout));
        assert!(calls_mynatca("\"run\": \"mynatca hook post-checkout\",", post_checkout));
        assert!(calls_mynatca("[ -x x ] && npx mynatca hook post-checkout", post_checkout));
        assert!(!calls_mynatca("# mynatca hook post-checkout", post_checkout));
        assert!(!calls_mynatca("echo hi # mynatca hook post-checkout", post_checkout));
        assert!(!calls_mynatca("mynatca hook post-merge", post_checkout));
        assert!(!calls_mynatca("notmynatca hook post-checkout", post_checkout));
        assert!(calls_mynatca("a=1#2; mynatca hook post-checkout", post_checkout), "# inside a word");
    }

    #[test]
    fn pre_commit_ids_by_hook() {
        let config = "repos:\n  - repo: https://github.com/mynatca/mynatca\n    hooks:\n      - id: mynatca-link\n      - id: \"no-commit-to-branch\"\n";
        assert!(pre_commit_runs(config, HookName::PostRewrite));
        assert!(pre_commit_runs(config, HookName::PreCommit));
        assert!(!pre_commit_runs("hooks:\n  - id: mynatca-check\n", HookName::PreCommit));
        assert!(!pre_commit_runs("hooks:\n  # - id: mynatca-link\n", HookName::PostMerge));
    }
}
