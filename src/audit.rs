//! What `mynatca check` reads from the workspace (files, links, config.toml, git's index
//! and hooks) and the rules of [`crate::lint`] it runs over them. No output of its own.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::error::config_error;
use crate::gitdir;
use crate::hooks;
use crate::lint::history::Base;
use crate::lint::settings::Settings;
use crate::lint::{self, Code, Diagnostic, MigrationFile, Owners};
use crate::lockfile::Held;
use crate::migration;
use crate::reconcile::{self, Existing, Refusal};
use crate::registry;
use crate::workspace::{Repo, Workspace};

/// What was looked at, for the summary line.
pub(crate) struct Checked {
    pub(crate) migrations: usize,
    pub(crate) repos: usize,
}

/// How `check` reads the workspace: whether the registry loaded, and whether a project
/// is read from a worktree (see [`Workspace::seen_from`]), whose links then point
/// elsewhere by design and are not judged.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reading {
    pub(crate) registry_ok: bool,
    pub(crate) from_worktree: bool,
}

/// Every rule over the workspace, at the levels the platform's mynatca.toml sets (a
/// mynatca.toml that does not load is a configuration error); `base` overrides each
/// repo's base branch. `lock` is
/// the shared workspace lock the caller took before loading the registry: it is held
/// while the links, the file lists and config.toml are read (so no relink or
/// `link-project` is seen half-done), and let go before any file is parsed, so a
/// `git switch` relinks while a long check lints.
pub(crate) fn check(
    ws: &Workspace,
    reading: Reading,
    base: Option<&str>,
    lock: Option<Held>,
    findings: &mut Vec<Diagnostic>,
) -> anyhow::Result<Checked> {
    let registry_ok = reading.registry_ok;
    // A team's mynatca.toml: wrong, it stops the check (exit 2) before anything is read.
    let names: Vec<&str> = ws.registry.projects.iter().map(|p| p.name.as_str()).collect();
    let settings = Settings::load(&ws.platform, registry_ok.then_some(names.as_slice()))?;
    let snapshot = read(ws, reading, findings)?;
    drop(lock);
    failpoint("check-lint");

    findings.extend(tracked_links(ws, &snapshot.managed)?);
    let owners = Owners::new(&ws.registry.projects).with_grants(settings.grants.clone());
    let bases = bases(ws, &snapshot.present, base, findings)?;
    let versions = ws.versions();
    let context = lint::migrations::Context {
        owners: &owners,
        exposed: &snapshot.exposed,
        bases: &bases,
        versions: &versions,
        shared: &snapshot.shared,
    };
    findings.extend(lint::check_migrations(&snapshot.migrations, &context));
    findings.extend(refused_findings(&snapshot.input));

    let repos: Vec<(&str, PathBuf)> = snapshot.present.iter().map(|&repo| (repo.name(), ws.root(repo))).collect();
    findings.extend(hook_findings(&repos));
    settings.apply(findings);
    Ok(Checked { migrations: snapshot.migrations.len(), repos: repos.len() })
}

/// What `check` must read at one moment: the projects present, the links (judged at
/// once), each migration to check, config.toml.
struct Snapshot<'a> {
    /// The platform, then each project whose folders are there.
    present: Vec<Repo<'a>>,
    input: reconcile::Input,
    /// Every path that is, or is about to be, a managed link.
    managed: Vec<PathBuf>,
    /// Versions more than one migration has (judged with the migrations, which suggest new ones).
    shared: Vec<reconcile::Duplicate>,
    migrations: Vec<MigrationFile<'a>>,
    /// `[api] schemas` of config.toml.
    exposed: HashSet<String>,
}

/// Reads the workspace (the caller holds the lock) and adds the findings of the links,
/// the registry and config.toml; no SQL is read.
fn read<'a>(ws: &'a Workspace, reading: Reading, findings: &mut Vec<Diagnostic>) -> anyhow::Result<Snapshot<'a>> {
    let registry_text = std::fs::read_to_string(&ws.registry.path).unwrap_or_default();
    let entry_lines = lint::RegistryLines::new(&registry_text);
    let present: Vec<Repo> = ws
        .repos()
        .filter(|repo| {
            let Some(project) = repo.project() else { return true };
            let Some(missing) = reconcile::missing_part(ws, project) else {
                return true;
            };
            findings.push(Diagnostic::new(
                Code::Registry,
                &ws.registry.path,
                entry_lines.line(&project.name),
                missing.message(&project.name),
            ));
            false
        })
        .collect();

    // The same read `mynatca link --check` does; the caller holds the lock.
    let input = reconcile::scan(ws, &[])?;
    let mut managed = Vec::new();
    let mut shared = Vec::new();
    if reading.registry_ok {
        let plan = reconcile::plan(&input);
        let (stale, mut other): (Vec<Diagnostic>, Vec<Diagnostic>) = lint::link_findings(&plan, |path| path.exists())
            .into_iter()
            .partition(|f| matches!(f.code, Code::StaleLink | Code::BrokenLink));
        if reading.from_worktree {
            // The links point at the project's main checkout, not at the worktree read.
            other.retain(|f| f.code != Code::ForeignLink);
        }
        findings.extend(other);
        if !stale.is_empty() && !reading.from_worktree {
            findings.push(stale_links(ws, &plan));
        }
        managed = plan.managed_paths();
        shared = plan.verdict.duplicates.clone();
    }
    let projects: Vec<&registry::Project> = present.iter().filter_map(Repo::project).collect();
    let migrations = migration_files(ws, &projects, &input);
    findings.extend(config(ws, &projects));
    let exposed = exposed_schemas(ws);
    Ok(Snapshot { present, input, managed, shared, migrations, exposed })
}

/// Each migration once, at its own file: the platform's real files, and each project's
/// in its repo (never through the platform's links).
fn migration_files<'a>(
    ws: &'a Workspace,
    present: &[&'a registry::Project],
    input: &reconcile::Input,
) -> Vec<MigrationFile<'a>> {
    let mut migrations: Vec<MigrationFile> = input
        .migrations
        .entries
        .iter()
        .filter(|(name, entry)| *entry == Existing::File && migration::is_sql_name(name))
        .map(|(name, _)| MigrationFile { path: ws.link_dir().join(name), project: Repo::PLATFORM, schema: None })
        .collect();
    // The scan already listed every present project's migrations folder.
    let folders: HashMap<&str, _> = present.iter().map(|p| (p.name.as_str(), (*p, ws.migrations_dir(p)))).collect();
    for offer in &input.migrations.offers {
        // A folder that appeared after the registry rule ran is checked on the next run.
        let Some((project, dir)) = folders.get(offer.project.as_str()) else { continue };
        migrations.push(MigrationFile {
            path: dir.join(&offer.name),
            project: &project.name,
            schema: Some(&project.schema),
        });
    }
    migrations
}

/// Fault injection for the tests (debug builds only): `MYNATCA_TEST_PAUSE_IN=<phase>:FIFO`
/// opens the FIFO and reads it to its end at that phase, so a test holds the run there
/// (it knows the run got there once its own open for writing succeeds).
fn failpoint(phase: &str) {
    #[cfg(debug_assertions)]
    if let Some(fifo) = std::env::var_os("MYNATCA_TEST_PAUSE_IN")
        .and_then(|value| value.into_string().ok())
        .and_then(|value| Some(value.strip_prefix(phase)?.strip_prefix(':')?.to_string()))
    {
        use std::io::Read as _;
        let paused = std::fs::File::open(&fifo).and_then(|mut fifo| fifo.read_to_end(&mut Vec::new()));
        tracing::debug!(phase, ?paused, "test failpoint passed");
    }
    let _ = phase;
}

/// Links missing or stale on disk (a fresh clone has none yet) are one warning: `check`
/// judges the workspace as `mynatca link` would make it, so it can run before `link`.
fn stale_links(ws: &Workspace, plan: &reconcile::Plan) -> Diagnostic {
    let count = |verb: &str| plan.actions.iter().filter(|a| a.verb() == verb).count();
    let message = format!(
        "{} link changes pending ({} to create, {} to update, {} to remove); run `mynatca link`",
        plan.actions.len(),
        count("create"),
        count("update"),
        count("remove")
    );
    Diagnostic::new(Code::StaleLink, ws.link_dir(), 1, message).warning()
}

/// `[api] schemas` of config.toml, the Supabase CLI's default when the key is absent
/// (none when config.toml does not load: `config-schemas` says so).
fn exposed_schemas(ws: &Workspace) -> HashSet<String> {
    let path = ws.config_path();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let Ok(config) = crate::config::SupabaseConfig::parse(path, &text) else { return HashSet::new() };
    let listed = text
        .parse::<toml_edit::DocumentMut>()
        .is_ok_and(|doc| doc.get("api").and_then(|api| api.get("schemas")).is_some());
    if listed {
        config.api_schemas().into_iter().collect()
    } else {
        crate::config::DEFAULT_API_SCHEMAS.iter().map(|s| s.to_string()).collect()
    }
}

/// Each repo's base branch, for `history-edit` and `out-of-order`: a repo with none is a
/// warning, but a `--base` some repo lacks is exit 2, naming each such repo (checking
/// them against nothing would pass what the ref was named to catch).
fn bases(
    ws: &Workspace,
    present: &[Repo],
    base: Option<&str>,
    findings: &mut Vec<Diagnostic>,
) -> anyhow::Result<Vec<Base>> {
    let folders = present.iter().map(|&repo| (repo.name(), ws.migrations_of(repo)));
    let mut bases = Vec::new();
    let mut lacking = Vec::new();
    for (project, folder) in folders {
        match lint::history::read_base(project, &folder, base) {
            Ok(found) => bases.extend(found),
            Err(_) if base.is_some() => lacking.push(project),
            Err(no_base) => findings.push(*no_base),
        }
    }
    match base {
        Some(base) if !lacking.is_empty() => Err(config_error(format!(
            "--base {base}: no such branch, tag or commit in {}; fetch it there (`git fetch origin`), or pass a ref every repo has",
            lacking.join(", ")
        ))),
        _ => Ok(bases),
    }
}

/// Every version a new migration must come after and not take: the work trees' and the
/// bases' `check` compares with by default (tip and fork point), so `mynatca new` never
/// makes what `check` calls out of order.
pub(crate) fn versions_in_play(ws: &Workspace) -> HashSet<String> {
    let mut versions = ws.versions();
    let every: Vec<Repo> = ws.repos().collect();
    let bases = bases(ws, &every, None, &mut Vec::new()).unwrap_or_default();
    versions.extend(bases.iter().flat_map(|b| b.versions().map(str::to_string)));
    versions
}

/// Files a project holds that `link` does not link: in `check` each is an error, since
/// `supabase db reset` would hang on a FIFO or never see the file. (An unsafe name is
/// already a conflict.)
fn refused_findings(input: &reconcile::Input) -> Vec<Diagnostic> {
    input
        .dirs()
        .flat_map(|dir| &dir.refused)
        .filter_map(|refused| {
            let why = match refused.why {
                Refusal::ControlCharacter => return None,
                Refusal::NotRegular(kind) => format!(
                    "{kind}, not a regular file: only regular files are migrations and seeds; replace it with one"
                ),
                Refusal::NotUtf8 => "its name is not UTF-8, so mynatca does not link it; rename it".to_string(),
            };
            Some(Diagnostic::new(Code::Parse, &refused.path, 1, why))
        })
        .collect()
}

/// `config-schemas` / `config-seeds` over `supabase/config.toml`.
fn config(ws: &Workspace, projects: &[&registry::Project]) -> Vec<Diagnostic> {
    let path = ws.config_path();
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let with_seeds: Vec<_> =
                projects.iter().map(|p| (*p, ws.seed_files(p).iter().any(|seed| seed.is_file()))).collect();
            lint::config_findings(&path, &text, &with_seeds)
        }
        Err(_) if projects.is_empty() => Vec::new(),
        Err(err) => vec![Diagnostic::new(
            Code::ConfigSchemas,
            &path,
            1,
            format!("cannot read it ({err}), so no linked schema is exposed; run `supabase init` in the platform"),
        )],
    }
}

/// `tracked-link`: managed links in the platform repo's index (what the next commit
/// holds) or in HEAD.
fn tracked_links(ws: &Workspace, managed: &[PathBuf]) -> anyhow::Result<Vec<Diagnostic>> {
    let Some(git) = gitdir::discover(&ws.platform) else { return Ok(Vec::new()) };
    if managed.is_empty() {
        return Ok(Vec::new());
    }
    let repo = git.open().with_context(|| format!("cannot open the git repo {}", git.work_tree.display()))?;
    let index = repo.index().context("cannot read the platform's git index")?;
    let indexed: HashSet<Vec<u8>> = index.iter().map(|entry| entry.path).collect();
    // Each link folder's HEAD tree is read once: libgit2 inflates and hashes a tree on
    // every lookup, which for thousands of links would cost more than all the parsing.
    let head = repo.head().ok().and_then(|head| head.peel_to_tree().ok());
    let mut committed: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    let mut findings = Vec::new();
    for path in managed {
        let Some(rel) = path.strip_prefix(&git.work_tree).ok().and_then(Path::to_str) else { continue };
        let (Some(folder), Some(name)) = (Path::new(rel).parent(), Path::new(rel).file_name()) else { continue };
        let message = if indexed.contains(rel.as_bytes()) {
            format!("a managed link is tracked by git; run `git rm --cached {rel}` and commit (mynatca keeps it in .git/info/exclude)")
        } else if committed
            .entry(folder.to_path_buf())
            .or_insert_with(|| tree_names(&repo, head.as_ref(), folder))
            .contains(name.to_str().unwrap_or_default())
        {
            "a managed link is committed in HEAD; commit its removal".to_string()
        } else {
            continue;
        };
        findings.push(Diagnostic::new(Code::TrackedLink, path, 1, message));
    }
    Ok(findings)
}

/// The entry names of `folder` in `tree` (none when either is missing).
fn tree_names(repo: &git2::Repository, tree: Option<&git2::Tree>, folder: &Path) -> HashSet<String> {
    let folder = tree.and_then(|t| t.get_path(folder).ok()).and_then(|entry| entry.to_object(repo).ok());
    let Some(folder) = folder.as_ref().and_then(|o| o.as_tree()) else { return HashSet::new() };
    folder.iter().filter_map(|entry| entry.name().map(str::to_string)).collect()
}

/// `hooks`: each repo (the platform and each linked project, once per git repo) should
/// run mynatca's hooks, however they are installed; a folder in no git repo cannot have
/// any. Nothing in CI: hooks belong to developers' clones.
fn hook_findings(repos: &[(&str, PathBuf)]) -> Vec<Diagnostic> {
    if hooks::in_ci() {
        return Vec::new();
    }
    let mut seen = HashSet::new();
    let mut findings = Vec::new();
    for (name, root) in repos {
        let Some(git) = gitdir::discover(root) else {
            findings.push(Diagnostic::new(
                Code::Hooks,
                root,
                1,
                format!("{name} is not a git repo, so no hook keeps the links current; run `mynatca link` after each change"),
            ));
            continue;
        };
        if !seen.insert(git.common_dir.clone()) {
            continue;
        }
        let read = git.open().and_then(|repo| Ok((hooks::hooks_dir_of(&repo)?, repo)));
        let (dir, repo) = match read {
            Ok(read) => read,
            Err(err) => {
                let message = format!("cannot read {name}'s hooks: {}", err.message());
                findings.push(Diagnostic::new(Code::Hooks, &git.work_tree, 1, message));
                continue;
            }
        };
        let found: Vec<_> =
            hooks::HookName::ALL.into_iter().map(|hook| (hook, hooks::inspect(&dir, &git.work_tree, hook))).collect();
        let shared_folder = found.iter().any(|(_, hook)| *hook != hooks::Hook::RunsMynatca)
            && hooks::shared_folder(&repo, &git.work_tree, &dir).is_some();
        let repo_hooks = lint::hooks::RepoHooks { name, root: &git.work_tree, hooks: found, shared_folder };
        findings.extend(lint::hooks::hook_findings(&repo_hooks));
    }
    findings
}
