//! `hooks`: whether each repo's hooks, as git runs them, run mynatca.

use std::path::Path;

use super::{Code, Diagnostic};
use crate::hooks::{Hook, HookName, Manager};

/// One git repo's hooks, as [`crate::hooks::inspect`] found them.
pub(crate) struct RepoHooks<'a> {
    /// How reports name the repo (`platform`, `pay`).
    pub(crate) name: &'a str,
    /// The repo's top folder: where the findings are reported.
    pub(crate) root: &'a Path,
    pub(crate) hooks: Vec<(HookName, Hook)>,
    /// The hooks folder is the team's (committed, or husky's), not this clone's.
    pub(crate) shared_folder: bool,
}

/// One finding for the hooks that do not run mynatca, one per hook git skips because
/// its file is not executable.
pub(crate) fn hook_findings(repo: &RepoHooks) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    let missing: Vec<HookName> =
        repo.hooks.iter().filter(|(_, hook)| matches!(hook, Hook::Missing(_))).map(|(name, _)| *name).collect();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|name| name.as_str()).collect();
        // The manager of a missing hook's file; else one configured whose hooks for
        // these are not installed at all.
        let installed = repo.hooks.iter().find_map(|(_, hook)| match hook {
            Hook::Missing(manager) => *manager,
            _ => None,
        });
        let manager = installed.map(Ok).or_else(|| crate::hooks::configured(repo.root).map(Err));
        let message = format!(
            "{} lacks mynatca's {} hook{}, so {}; {}",
            repo.name,
            names.join(", "),
            if names.len() == 1 { "" } else { "s" },
            consequence(&missing),
            advice(manager, repo.shared_folder)
        );
        findings.push(Diagnostic::new(Code::Hooks, repo.root, 1, message));
    }
    for (name, hook) in &repo.hooks {
        let Hook::NotExecutable(path) = hook else { continue };
        let shown = path.strip_prefix(repo.root).unwrap_or(path).display();
        findings.push(Diagnostic::new(
            Code::Hooks,
            repo.root,
            1,
            format!(
                "{}'s {} hook {shown} runs mynatca but is not executable, so git skips it; run `chmod +x {shown}`",
                repo.name,
                name.as_str()
            ),
        ));
    }
    findings
}

fn consequence(missing: &[HookName]) -> &'static str {
    let relinking = missing.iter().any(|name| name.relinks());
    match (relinking, missing.contains(&HookName::PreCommit)) {
        (true, false) => "links go stale on checkout, merge and rebase",
        (false, _) => "direct commits to protected branches are not blocked",
        (true, true) => {
            "links go stale on checkout, merge and rebase, and direct commits to protected branches are not blocked"
        }
    }
}

/// `setup-hooks` for a clone's own hooks folder; a hook manager's own recipe otherwise
/// (`setup-hooks` refuses to write into a folder the team shares).
/// `manager`: `Ok` for a manager whose hook file is there, `Err` for one only configured.
fn advice(manager: Option<Result<Manager, Manager>>, shared_folder: bool) -> String {
    if manager == Some(Err(Manager::PreCommit)) {
        return "install pre-commit's other hook types, `pre-commit install -t post-checkout -t post-merge -t post-rewrite` (its `mynatca-link` hook runs mynatca for each; see \"Hook managers\" in mynatca's README)".to_string();
    }
    let manager = manager.map(|found| found.unwrap_or_else(|configured| configured));
    let who = match (manager, shared_folder) {
        (Some(manager), _) => manager.as_str(),
        (None, true) => "your hook manager",
        (None, false) => return "run `mynatca setup-hooks` in it".to_string(),
    };
    format!("have {who} run `mynatca hook <name>` for each (see \"Hook managers\" in mynatca's README)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(hooks: Vec<(HookName, Hook)>, shared_folder: bool) -> Vec<String> {
        let repo = RepoHooks { name: "pay", root: Path::new("/ws/pay"), hooks, shared_folder };
        hook_findings(&repo).into_iter().map(|f| f.message).collect()
    }

    #[test]
    fn what_is_missing_says_what_goes_wrong_and_who_fixes_it() {
        use HookName::*;
        let all = |hook: Hook| HookName::ALL.iter().map(|name| (*name, hook.clone())).collect::<Vec<_>>();
        assert!(messages(all(Hook::RunsMynatca), false).is_empty());
        let mut old_set = all(Hook::RunsMynatca);
        old_set[2].1 = Hook::Missing(None);
        assert_eq!(
            messages(old_set, false),
            ["pay lacks mynatca's post-rewrite hook, so links go stale on checkout, merge and rebase; run `mynatca setup-hooks` in it"]
        );
        let only_pre_commit =
            vec![(PostCheckout, Hook::RunsMynatca), (PreCommit, Hook::Missing(Some(Manager::Lefthook)))];
        assert_eq!(
            messages(only_pre_commit, false),
            ["pay lacks mynatca's pre-commit hook, so direct commits to protected branches are not blocked; have lefthook run `mynatca hook <name>` for each (see \"Hook managers\" in mynatca's README)"]
        );
        let shared = messages(all(Hook::Missing(None)), true);
        assert!(shared[0].ends_with("not blocked; have your hook manager run `mynatca hook <name>` for each (see \"Hook managers\" in mynatca's README)"), "{shared:?}");
        let skipped = vec![(PostMerge, Hook::NotExecutable("/ws/pay/.husky/post-merge".into()))];
        assert_eq!(
            messages(skipped, true),
            ["pay's post-merge hook .husky/post-merge runs mynatca but is not executable, so git skips it; run `chmod +x .husky/post-merge`"]
        );
    }
}
