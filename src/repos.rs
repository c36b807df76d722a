//! The state of every repo in the workspace, for `mynatca status`: its git head and
//! whether it is dirty (read with libgit2), its own migrations, and the platform's
//! managed links into it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use git2::{ErrorCode, StatusOptions};

use crate::gitdir::{self, Head};

use crate::diagnostic::{Code, Diagnostic};
use crate::migration;
use crate::reconcile::{self, Existing, Lock};
use crate::workspace::{canonical_or_lexical, Workspace};

/// One repo: the platform or a linked project.
#[derive(Debug, Clone)]
pub(crate) struct Repo {
    /// `platform` or the project's registry name.
    pub(crate) name: String,
    /// Absolute.
    pub(crate) path: PathBuf,
    pub(crate) git: GitState,
    /// Own `*.sql` files in its migrations folder; `None` when the folder is missing.
    pub(crate) migrations: Option<usize>,
    /// Managed links in the platform pointing into it; for the platform, all of them.
    pub(crate) linked: usize,
    /// The version of its own migration that is applied last (byte-wise last name).
    pub(crate) newest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GitState {
    /// The repo folder does not exist.
    Missing,
    /// The folder is in no git work tree.
    NotARepo,
    /// libgit2 could not read it (the message says why).
    Unreadable(String),
    Repo {
        head: Head,
        dirty: bool,
    },
}

impl GitState {
    pub(crate) fn head(&self) -> Option<&Head> {
        match self {
            GitState::Repo { head, .. } => Some(head),
            _ => None,
        }
    }

    pub(crate) fn dirty(&self) -> Option<bool> {
        match self {
            GitState::Repo { dirty, .. } => Some(*dirty),
            _ => None,
        }
    }

    /// `clean`, `dirty`, `missing`, `not-a-repo` or `unreadable`.
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            GitState::Repo { dirty: false, .. } => "clean",
            GitState::Repo { dirty: true, .. } => "dirty",
            GitState::Missing => "missing",
            GitState::NotARepo => "not-a-repo",
            GitState::Unreadable(_) => "unreadable",
        }
    }
}

/// Every repo, platform first then projects in registry order, and what looks wrong.
#[derive(Debug, Clone)]
pub(crate) struct Overview {
    pub(crate) repos: Vec<Repo>,
    pub(crate) warnings: Vec<Diagnostic>,
}

/// Reads the state of the whole workspace. Changes nothing.
pub(crate) fn overview(ws: &Workspace, wait: crate::lockfile::Wait) -> anyhow::Result<Overview> {
    let survey = reconcile::survey(ws, Lock::Shared, &[], wait)?;
    let input = &survey.input;
    let pending = survey.plan().actions.len();
    let mut warnings = Vec::new();

    // Managed links: counted per project (migration links only), and never "dirt".
    let platform = canonical_or_lexical(&ws.platform);
    let mut managed = HashSet::from([platform.join(reconcile::LOCK_FILE)]);
    let mut linked: HashMap<&str, usize> = HashMap::new();
    for dir in input.dirs() {
        for (name, existing) in &dir.entries {
            let Existing::Link(target) = existing else { continue };
            if let Some(owner) = reconcile::owner_of(dir, target) {
                managed.insert(platform.join(&dir.rel).join(name));
                if dir.migrations {
                    *linked.entry(owner.project.as_str()).or_default() += 1;
                }
            }
        }
    }

    let links = &input.migrations;
    // Each repo's migration files, read once: the platform's own, each project's offers
    // and the files not linked (counted as the folder holds them).
    let mut files: HashMap<&str, Vec<&str>> = HashMap::new();
    let own =
        links.entries.iter().filter(|(name, existing)| *existing == Existing::File && migration::is_sql_name(name));
    files.entry(crate::workspace::Repo::PLATFORM).or_default().extend(own.map(|(name, _)| name.as_str()));
    for offer in &links.offers {
        files.entry(offer.project.as_str()).or_default().push(&offer.name);
    }
    let mut refused: HashMap<&str, usize> = HashMap::new();
    for file in &links.refused {
        *refused.entry(file.project.as_str()).or_default() += 1;
    }

    let mut repos = Vec::new();
    for repo in ws.repos() {
        let (name, root) = (repo.name(), ws.root(repo));
        let names = files.remove(name).unwrap_or_default();
        let git = if root.is_dir() { git_state(&root, &managed) } else { GitState::Missing };
        let (migrations, linked) = match repo.project() {
            None => (links.exists.then_some(names.len()), linked.values().sum()),
            Some(project) => {
                if let Some(missing) = reconcile::missing_part(ws, project) {
                    let message = missing.message(name);
                    warnings.push(Diagnostic::general(Code::Registry, message).in_project(name).warning());
                }
                let count = names.len() + refused.get(name).copied().unwrap_or(0);
                (ws.migrations_dir(project).is_dir().then_some(count), linked.get(name).copied().unwrap_or(0))
            }
        };
        let newest = newest(names.into_iter());
        repos.push(Repo { name: name.to_string(), path: root, git, migrations, linked, newest });
    }
    warnings.extend(repo_warnings(&repos, pending));
    Ok(Overview { repos, warnings })
}

/// Repos whose git state cannot be read, a branch mix, pending link changes.
fn repo_warnings(repos: &[Repo], pending: usize) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for repo in repos {
        if let GitState::Unreadable(why) = &repo.git {
            let message = format!("{}: cannot read git state of {}: {why}", repo.name, repo.path.display());
            warnings.push(Diagnostic::general(Code::Git, message).in_project(&repo.name));
        }
    }
    if let Some(message) = branch_mix(repos) {
        warnings.push(Diagnostic::general(Code::BranchMix, message));
    }
    if pending > 0 {
        warnings.push(Diagnostic::general(
            Code::StaleLink,
            format!(
                "{pending} link change{} pending in the platform (LINKED shows what is there now); run `mynatca link`",
                if pending == 1 { " is" } else { "s are" }
            ),
        ));
    }
    warnings
}

/// The version of the file applied last: Supabase applies in byte-wise name order.
fn newest<'a>(names: impl Iterator<Item = &'a str>) -> Option<String> {
    names
        .filter(|name| migration::parse(name).is_some())
        .max()
        .and_then(migration::parse)
        .map(|m| m.version.to_string())
}

/// One warning naming every repo's head when they are not all on the same branch name
/// (a detached HEAD counts as different): `db reset` applies exactly that mix.
fn branch_mix(repos: &[Repo]) -> Option<String> {
    let heads: Vec<(&str, &Head)> = repos.iter().filter_map(|r| Some((r.name.as_str(), r.git.head()?))).collect();
    let first = heads.first()?.1;
    if heads.len() < 2 || heads.iter().all(|(_, head)| *head == first && matches!(head, Head::Branch(_))) {
        return None;
    }
    let list: Vec<String> = heads.iter().map(|(name, head)| format!("{name} {head}")).collect();
    Some(format!(
        "repos are on different branches ({}); `db reset` will apply this mix of migrations (check out matching branches if that is not what you want)",
        list.join(", ")
    ))
}

/// Head and cleanliness of the repo holding `path`. Untracked files count as dirt;
/// `ignore` (absolute, canonical paths: the managed links) does not.
fn git_state(path: &Path, ignore: &HashSet<PathBuf>) -> GitState {
    match read_git(path, ignore) {
        Ok(state) => state,
        Err(err) if err.code() == ErrorCode::NotFound => GitState::NotARepo,
        Err(err) => GitState::Unreadable(err.message().to_string()),
    }
}

fn read_git(path: &Path, ignore: &HashSet<PathBuf>) -> Result<GitState, git2::Error> {
    let Some(git) = gitdir::discover(path) else {
        return Ok(GitState::NotARepo);
    };
    let repo = git.open()?;
    let Some(workdir) = repo.workdir().map(canonical_or_lexical) else {
        return Ok(GitState::NotARepo);
    };
    let head = match repo.head() {
        Ok(reference) if repo.head_detached()? => {
            let id = reference.peel_to_commit()?.as_object().short_id()?;
            Head::Detached(id.as_str().unwrap_or_default().to_string())
        }
        Ok(reference) => Head::Branch(reference.shorthand().unwrap_or("HEAD").to_string()),
        // A fresh repo: HEAD names a branch with no commit yet.
        Err(err) if err.code() == ErrorCode::UnbornBranch => {
            let head = repo.find_reference("HEAD")?;
            let target = head.symbolic_target().unwrap_or("HEAD");
            Head::Branch(target.strip_prefix("refs/heads/").unwrap_or(target).to_string())
        }
        Err(err) => return Err(err),
    };
    let mut options = StatusOptions::new();
    options.include_untracked(true).recurse_untracked_dirs(true).include_ignored(false);
    let statuses = repo.statuses(Some(&mut options))?;
    let dirty = statuses.iter().any(|entry| entry.path().is_none_or(|p| !ignore.contains(&workdir.join(p))));
    Ok(GitState::Repo { head, dirty })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(name: &str, head: Option<Head>) -> Repo {
        Repo {
            name: name.into(),
            path: PathBuf::from(format!("/ws/{name}")),
            git: head.map_or(GitState::Missing, |head| GitState::Repo { head, dirty: false }),
            migrations: Some(0),
            linked: 0,
            newest: None,
        }
    }

    fn branch(name: &str) -> Option<Head> {
        Some(Head::Branch(name.into()))
    }

    #[test]
    fn one_branch_everywhere_is_no_mix() {
        assert_eq!(branch_mix(&[repo("platform", branch("main")), repo("pay", branch("main"))]), None);
        // A missing repo has no branch to compare.
        assert_eq!(branch_mix(&[repo("platform", branch("main")), repo("pay", None)]), None);
    }

    #[test]
    fn different_branches_or_a_detached_head_are_a_mix() {
        let mix = branch_mix(&[repo("platform", branch("main")), repo("pay", branch("feature/x"))]).unwrap();
        assert!(mix.contains("(platform main, pay feature/x)"), "{mix}");
        let detached = Some(Head::Detached("1a2b3c4".into()));
        let mix = branch_mix(&[repo("platform", branch("main")), repo("discord", detached.clone())]).unwrap();
        assert!(mix.contains("discord detached@1a2b3c4"), "{mix}");
        assert!(branch_mix(&[repo("platform", detached.clone()), repo("discord", detached.clone())]).is_some());
        assert_eq!(branch_mix(&[repo("platform", detached)]), None, "one repo is no mix");
    }

    #[test]
    fn newest_is_the_file_applied_last() {
        let names = ["00000000000002_baseline.sql", "20251215120004_b.sql", "20251215120001_a.sql", "notes.sql"];
        assert_eq!(newest(names.into_iter()).as_deref(), Some("20251215120004"));
        assert_eq!(newest(["notes.sql"].into_iter()), None);
    }
}
