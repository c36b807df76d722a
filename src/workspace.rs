//! The workspace: finding the platform repo and where each linked project's files live.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::ConfigError;
use crate::fsutil;
use crate::gitdir;
use crate::migration;
use crate::registry::{self, Project, Registry};

/// Git config key (in a linked repo) naming the platform's absolute path.
pub(crate) const PLATFORM_CONFIG_KEY: &str = "mynatca.platform";
/// Environment variable naming the platform.
pub(crate) const PLATFORM_ENV: &str = "MYNATCA_PLATFORM";

/// The platform and its registry. Paths are absolute and lexically normalized.
#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    pub(crate) platform: PathBuf,
    pub(crate) registry: Registry,
}

/// One repo of the workspace: the platform, or a linked project. Every report names the
/// platform `platform`, which is why no project may take that name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repo<'a> {
    Platform,
    Project(&'a Project),
}

impl<'a> Repo<'a> {
    /// What the platform is called in every report.
    pub(crate) const PLATFORM: &'static str = registry::PLATFORM;

    pub(crate) fn name(&self) -> &'a str {
        match self {
            Repo::Platform => Repo::PLATFORM,
            Repo::Project(project) => &project.name,
        }
    }

    pub(crate) fn project(&self) -> Option<&'a Project> {
        match self {
            Repo::Platform => None,
            Repo::Project(project) => Some(project),
        }
    }
}

/// How the platform was found, for `-v` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    Flag,
    Env,
    Ancestor,
    /// The workspace root: the one child of the current folder holding a registry.
    Child,
    GitConfig,
    Sibling,
}

impl Workspace {
    /// Finds the platform from the flag, the environment or `cwd`, then loads its registry.
    pub(crate) fn discover(flag: Option<&Path>, cwd: &Path) -> Result<Workspace, ConfigError> {
        let (platform, _) = find_platform(flag, cwd)?;
        Workspace::load(platform)
    }

    /// Like [`Workspace::discover`], but when no rule finds a platform, a platform that has
    /// no registry yet is accepted (see [`unregistered_platform`]): for `link-project`,
    /// which creates the registry.
    pub(crate) fn discover_or_new(flag: Option<&Path>, cwd: &Path) -> Result<Workspace, ConfigError> {
        match find(flag, cwd, true) {
            Ok((platform, _)) => Workspace::load(platform),
            Err(err) => {
                let platform = unregistered_platform(cwd).ok_or(err)?;
                tracing::debug!(platform = %platform.display(), "a platform without a registry yet");
                Workspace::load(platform)
            }
        }
    }

    /// Loads the workspace of a known platform; a missing registry is an empty one.
    pub(crate) fn load(platform: PathBuf) -> Result<Workspace, ConfigError> {
        let registry_path = platform.join(registry::FILE_NAME);
        let registry = if registry_path.exists() {
            Registry::load(&registry_path)?
        } else if platform.join("supabase").is_dir() {
            Registry::empty(registry_path)
        } else {
            return Err(ConfigError::new(format!(
                "{} is not a platform repo (no {} and no supabase/ folder); pass --platform DIR",
                platform.display(),
                registry::FILE_NAME
            )));
        };
        Ok(Workspace { platform, registry })
    }

    /// The platform, then each linked project in registry order.
    pub(crate) fn repos(&self) -> impl Iterator<Item = Repo<'_>> {
        std::iter::once(Repo::Platform).chain(self.registry.projects.iter().map(Repo::Project))
    }

    /// The repo called `name` (`platform` or a linked project).
    pub(crate) fn repo(&self, name: &str) -> Option<Repo<'_>> {
        self.repos().find(|repo| repo.name() == name)
    }

    /// The repo's top folder.
    pub(crate) fn root(&self, repo: Repo) -> PathBuf {
        match repo {
            Repo::Platform => self.platform.clone(),
            Repo::Project(project) => self.project_root(project),
        }
    }

    /// The repo's migrations folder (the platform's holds the links too).
    pub(crate) fn migrations_of(&self, repo: Repo) -> PathBuf {
        match repo {
            Repo::Platform => self.link_dir(),
            Repo::Project(project) => self.migrations_dir(project),
        }
    }

    pub(crate) fn supabase_dir(&self) -> PathBuf {
        self.platform.join("supabase")
    }

    /// `platform/supabase/migrations`: the platform's own files and the managed links.
    pub(crate) fn link_dir(&self) -> PathBuf {
        self.platform.join("supabase").join("migrations")
    }

    /// `platform/supabase/seeds/<project>`: the project's managed seed links.
    pub(crate) fn seed_link_dir(&self, project: &str) -> PathBuf {
        self.platform.join("supabase").join("seeds").join(project)
    }

    pub(crate) fn config_path(&self) -> PathBuf {
        self.platform.join("supabase").join("config.toml")
    }

    pub(crate) fn project_root(&self, project: &Project) -> PathBuf {
        fsutil::absolute_from(&self.platform, Path::new(&project.path))
    }

    pub(crate) fn migrations_dir(&self, project: &Project) -> PathBuf {
        fsutil::absolute_from(&self.project_root(project), Path::new(&project.migrations))
    }

    pub(crate) fn seed_files(&self, project: &Project) -> Vec<PathBuf> {
        let root = self.project_root(project);
        project.seeds.iter().map(|seed| fsutil::absolute_from(&root, Path::new(seed))).collect()
    }

    /// Every migration version in the workspace: the platform's migrations folder (own
    /// files and whatever links are there) and every project's migrations folder.
    pub(crate) fn versions(&self) -> HashSet<String> {
        let dirs = self.repos().map(|repo| self.migrations_of(repo));
        dirs.filter_map(|dir| std::fs::read_dir(dir).ok())
            .flatten()
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter_map(|name| migration::parse(&name).map(|m| m.version.to_string()))
            .collect()
    }

    /// The workspace as seen from `cwd` in a linked worktree of a project's repo
    /// (`../pay-feature` of `../pay`): that project's files are read from the worktree, and
    /// its name comes along. `None` anywhere else. The platform's links still point where
    /// the registry says; only the reading changes.
    pub(crate) fn seen_from(&self, cwd: &Path) -> Option<(Workspace, String)> {
        let git = gitdir::current(cwd)?;
        let main = canonical_or_lexical(&git.main_work_tree()?);
        let project = self.registry.projects.iter().find(|p| canonical_or_lexical(&self.project_root(p)) == main)?;
        let mut seen = self.clone();
        let worktree = git.work_tree.to_str()?.to_string();
        let name = project.name.clone();
        seen.registry.projects.iter_mut().filter(|p| p.name == name).for_each(|p| p.path.clone_from(&worktree));
        Some((seen, name))
    }

    /// The project whose repo holds `path`, if any.
    pub(crate) fn project_holding(&self, path: &Path) -> Option<&Project> {
        let path = canonical_or_lexical(path);
        self.registry.projects.iter().find(|p| path.starts_with(canonical_or_lexical(&self.project_root(p))))
    }
}

/// The platform, by the first rule that applies: `--platform`, `$MYNATCA_PLATFORM`, the
/// nearest ancestor of `cwd` holding the registry, the one child of `cwd` holding it (the
/// workspace root), the current repo's `mynatca.platform` git config, a sibling of the
/// current repo (or of its main worktree) whose registry lists it.
pub(crate) fn find_platform(flag: Option<&Path>, cwd: &Path) -> Result<(PathBuf, Found), ConfigError> {
    find(flag, cwd, false)
}

/// [`find_by_rules`], saying under `-v` how the platform was found.
fn find(flag: Option<&Path>, cwd: &Path, unregistered: bool) -> Result<(PathBuf, Found), ConfigError> {
    let found = find_by_rules(flag, cwd, unregistered)?;
    tracing::debug!(platform = %found.0.display(), how = ?found.1, "found the platform");
    Ok(found)
}

/// [`find_platform`]; `unregistered` lets `--platform` and the environment name a platform
/// without a registry yet (for `link-project`, which creates it).
fn find_by_rules(flag: Option<&Path>, cwd: &Path, unregistered: bool) -> Result<(PathBuf, Found), ConfigError> {
    if let Some(dir) = flag {
        return named_platform(cwd, dir, "--platform", unregistered).map(|p| (p, Found::Flag));
    }
    if let Some(dir) = std::env::var_os(PLATFORM_ENV).filter(|v| !v.is_empty()) {
        return named_platform(cwd, Path::new(&dir), PLATFORM_ENV, unregistered).map(|p| (p, Found::Env));
    }
    let cwd = fsutil::normalize(cwd);
    if let Some(dir) = cwd.ancestors().find(|dir| dir.join(registry::FILE_NAME).is_file()) {
        return Ok((dir.to_path_buf(), Found::Ancestor));
    }
    if let Some(dir) = child_platform(&cwd)? {
        return Ok((dir, Found::Child));
    }
    if let Some(repo) = gitdir::current(&cwd) {
        if let Some(dir) = configured_platform(&repo) {
            if dir.is_dir() {
                return Ok((dir, Found::GitConfig));
            }
        }
        if let Some(dir) = sibling_platform(&repo.work_tree) {
            return Ok((dir, Found::Sibling));
        }
        // A worktree (`../pay-feature`) is found through its main worktree (`../pay`).
        if let Some(dir) = repo.main_work_tree().and_then(|main| sibling_platform(&main)) {
            return Ok((dir, Found::Sibling));
        }
    }
    if let Some(dir) = unregistered_platform(&cwd) {
        return Err(ConfigError::new(format!(
            "{} has no {} yet, so no project is linked to this platform; start it with `mynatca link-project NAME --path ../NAME --schema NAME` (or just `mynatca link-project` in a terminal)",
            dir.display(),
            registry::FILE_NAME
        )));
    }
    Err(ConfigError::new(format!(
        "no platform found from {}; run inside the platform or a linked repo, pass --platform DIR, or set {PLATFORM_ENV}",
        cwd.display()
    )))
}

/// The nearest ancestor of `cwd`, inside its git repo, holding `supabase/config.toml` or
/// `supabase/migrations`: a platform before its first project is linked. Refused when a
/// sibling of it holds a registry, since then `cwd` is more likely a sub-project not yet
/// linked to that platform (run `link-project` there instead).
pub(crate) fn unregistered_platform(cwd: &Path) -> Option<PathBuf> {
    let cwd = fsutil::normalize(cwd);
    let top = gitdir::discover(&cwd).map(|git| git.work_tree);
    let candidate =
        cwd.ancestors().take_while(|dir| top.as_deref().is_none_or(|top| dir.starts_with(top))).find(|dir| {
            let supabase = dir.join("supabase");
            supabase.join("config.toml").is_file() || supabase.join("migrations").is_dir()
        })?;
    let beside_a_platform = std::fs::read_dir(candidate.parent()?)
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .any(|dir| dir != candidate && dir.join(registry::FILE_NAME).is_file());
    (!beside_a_platform).then(|| candidate.to_path_buf())
}

/// The platform named by `--platform` or the environment (`given` as the user wrote it):
/// it must hold the registry, and a linked project is never taken for the platform.
fn named_platform(cwd: &Path, given: &Path, source: &str, unregistered: bool) -> Result<PathBuf, ConfigError> {
    let dir = fsutil::absolute_from(cwd, given);
    // Named as the user would write it from here: `../pay`.
    let given = fsutil::relative_path(&fsutil::normalize(cwd), &dir);
    // The current folder itself is `.`, not an empty name.
    let given = if given.as_os_str().is_empty() { PathBuf::from(".") } else { given };
    if !dir.is_dir() {
        return Err(ConfigError::new(format!(
            "{source}: {} is not a directory; point it at the platform repo",
            dir.display()
        )));
    }
    if dir.join(registry::FILE_NAME).is_file() {
        return Ok(dir);
    }
    if let Some((platform, project)) = linked_project(&dir) {
        return Err(ConfigError::new(format!(
            "{source}: {} is the linked project {project}, not the platform; the platform is {}",
            given.display(),
            platform.display()
        )));
    }
    if unregistered {
        return Ok(dir);
    }
    Err(ConfigError::new(format!(
        "{source}: {} has no {}, so it is not a platform; point it at the platform repo (in a new platform, `mynatca link-project` creates the registry)",
        given.display(),
        registry::FILE_NAME
    )))
}

/// The one child of `cwd` holding a registry; several are an error naming them.
fn child_platform(cwd: &Path) -> Result<Option<PathBuf>, ConfigError> {
    let Ok(entries) = std::fs::read_dir(cwd) else { return Ok(None) };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|dir| dir.join(registry::FILE_NAME).is_file())
        .collect();
    found.sort();
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        _ => {
            let names: Vec<String> =
                found.iter().filter_map(|d| d.file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
            Err(ConfigError::new(format!(
                "{} holds several platforms ({}); cd into one, or pass --platform DIR",
                cwd.display(),
                names.join(", ")
            )))
        }
    }
}

fn configured_platform(git: &gitdir::GitDirs) -> Option<PathBuf> {
    let work_tree = &git.work_tree;
    let repo = git.open().ok()?;
    let value = repo.config().ok()?.get_path(PLATFORM_CONFIG_KEY).ok()?;
    Some(fsutil::absolute_from(work_tree, &value))
}

fn sibling_platform(work_tree: &Path) -> Option<PathBuf> {
    linked_project(work_tree).map(|(platform, _)| platform)
}

/// The sibling platform whose registry lists `work_tree`, and the project's name there.
fn linked_project(work_tree: &Path) -> Option<(PathBuf, String)> {
    let parent = work_tree.parent()?;
    let me = canonical_or_lexical(work_tree);
    let mut siblings: Vec<PathBuf> = std::fs::read_dir(parent)
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|dir| dir.join(registry::FILE_NAME).is_file())
        .collect();
    siblings.sort();
    siblings.into_iter().find_map(|dir| {
        let registry = Registry::load(&dir.join(registry::FILE_NAME)).ok()?;
        let project = registry
            .projects
            .into_iter()
            .find(|p| canonical_or_lexical(&fsutil::absolute_from(&dir, Path::new(&p.path))) == me)?;
        Some((dir, project.name))
    })
}

/// The real path when it exists, else the lexical one: for comparing paths, not for links.
pub(crate) fn canonical_or_lexical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| fsutil::normalize(path))
}
