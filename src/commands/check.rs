//! `mynatca check`: gathers the workspace's files, links, config and git state, runs the
//! rules of [`crate::lint`] over them, and prints the findings.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::json;

use crate::cli::CheckArgs;
use crate::cli::CheckFormat;
use crate::commands::Context;
use crate::error::Outcome;
use crate::fsutil;
use crate::gitdir;
use crate::hooks;
use crate::lint::{self, Finding, Level, MigrationFile, Owners, Rule};
use crate::migration;
use crate::reconcile::{self, Existing, PLATFORM};
use crate::registry::{self, Registry};
use crate::ui::Ui;
use crate::workspace::{self, Workspace};

pub fn run(ctx: &Context, args: &CheckArgs) -> anyhow::Result<Outcome> {
    // No platform at all is the one thing that stops the check (exit 2); a registry that
    // does not load is a finding, and everything that does not need it is still checked.
    let (platform, _) = workspace::find_platform(ctx.global.platform.as_deref(), &ctx.cwd)?;
    let registry_path = platform.join(registry::FILE_NAME);
    let mut findings = Vec::new();
    let (ws, registry_ok) = match Workspace::load(platform.clone()) {
        Ok(ws) => (ws, true),
        Err(err) if registry_path.exists() => {
            let text = std::fs::read_to_string(&registry_path).ok();
            findings.push(lint::registry_error(&registry_path, text.as_deref(), &err.0));
            (Workspace { platform, registry: Registry::empty(registry_path) }, false)
        }
        Err(err) => return Err(err.into()),
    };
    let checked = check(&ws, registry_ok, args.base.as_deref(), &mut findings)?;

    let mut shown: Vec<(String, Finding)> = {
        let mut display = DisplayPaths::new(&ctx.cwd);
        findings.into_iter().map(|f| (display.of(&f.path), f)).collect()
    };
    shown.sort_by(|(a, x), (b, y)| (a, x.line, x.rule, &x.message).cmp(&(b, y.line, y.rule, &y.message)));
    let errors = shown.iter().filter(|(_, f)| f.level == Level::Error).count();
    let warnings = shown.len() - errors;
    if args.json {
        ctx.ui.out(&to_json(&shown, errors, warnings).to_string());
    } else {
        match args.format {
            CheckFormat::Text => print(ctx.ui, &shown),
            CheckFormat::Github => print_github(ctx.ui, &shown),
        }
        ctx.ui.info(&format!(
            "checked {} migrations in {} repos: {}, {}",
            checked.migrations,
            checked.repos,
            plural(errors, "error"),
            plural(warnings, "warning")
        ));
    }
    Ok(Outcome::from_problems(errors > 0 || (args.strict && warnings > 0)))
}

/// What was looked at, for the summary line.
struct Checked {
    migrations: usize,
    repos: usize,
}

fn check(
    ws: &Workspace,
    registry_ok: bool,
    base: Option<&str>,
    findings: &mut Vec<Finding>,
) -> anyhow::Result<Checked> {
    let registry_text = std::fs::read_to_string(&ws.registry.path).unwrap_or_default();
    let present: Vec<_> = ws
        .registry
        .projects
        .iter()
        .filter(|project| {
            let Some(missing) = reconcile::missing_part(ws, project) else {
                return true;
            };
            findings.push(Finding::new(
                Rule::Registry,
                &ws.registry.path,
                lint::registry_entry_line(&registry_text, &project.name),
                missing.message(&project.name),
            ));
            false
        })
        .collect();

    // The same read `mynatca link --check` does, under the shared lock so a relink in
    // progress is not seen half-done.
    let (input, plan) = {
        let _lock = reconcile::lock(ws, false)
            .with_context(|| format!("cannot lock {}", ws.platform.join(reconcile::LOCK_FILE).display()))?;
        let input = reconcile::scan(ws, &[]);
        let plan = reconcile::plan(&input);
        (input, plan)
    };
    if registry_ok {
        findings.extend(lint::link_findings(ws, &input, &plan, |path| path.exists()));
        findings.extend(tracked_links(ws, &lint::managed_links(&input, &plan))?);
    }

    // Each migration once, at its own file: the platform's real files, and each
    // project's in its repo (never through the platform's links).
    let mut migrations: Vec<MigrationFile> = input.dirs[0]
        .entries
        .iter()
        .filter(|(name, entry)| *entry == Existing::File && migration::is_sql_name(name))
        .map(|(name, _)| MigrationFile { path: ws.link_dir().join(name), project: PLATFORM, schema: None })
        .collect();
    // The scan already listed every present project's migrations folder.
    let folders: Vec<_> = present.iter().map(|p| (p, ws.migrations_dir(p))).collect();
    for offer in &input.dirs[0].offers {
        // A folder that appeared after the registry rule ran is checked on the next run.
        let Some((project, dir)) = folders.iter().find(|(p, _)| p.name == offer.project) else { continue };
        migrations.push(MigrationFile {
            path: dir.join(&offer.name),
            project: &project.name,
            schema: Some(&project.schema),
        });
    }
    let owners = Owners::new(&ws.registry.projects);
    let exposed = exposed_schemas(ws);
    let mut bases = Vec::new();
    let folders = std::iter::once((PLATFORM, ws.link_dir()))
        .chain(present.iter().map(|p| (p.name.as_str(), ws.migrations_dir(p))));
    for (project, folder) in folders {
        match lint::history::read_base(project, &folder, base) {
            Ok(found) => bases.extend(found),
            Err(no_base) => findings.push(no_base),
        }
    }
    let versions = ws.versions();
    let context = lint::migrations::Context { owners: &owners, exposed: &exposed, bases: &bases, versions: &versions };
    findings.extend(lint::check_migrations(&migrations, &context));

    findings.extend(config(ws, &present));
    let repos: Vec<(&str, PathBuf)> = std::iter::once((PLATFORM, ws.platform.clone()))
        .chain(present.iter().map(|p| (p.name.as_str(), ws.project_root(p))))
        .collect();
    findings.extend(hook_findings(&repos));
    Ok(Checked { migrations: migrations.len(), repos: repos.len() })
}

/// `[api] schemas` of config.toml (none when it does not load: `config-schemas` says so).
fn exposed_schemas(ws: &Workspace) -> HashSet<String> {
    let path = ws.config_path();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    crate::config::SupabaseConfig::parse(path, &text).map(|c| c.api_schemas().into_iter().collect()).unwrap_or_default()
}

/// `config-schemas` / `config-seeds` over `supabase/config.toml`.
fn config(ws: &Workspace, projects: &[&registry::Project]) -> Vec<Finding> {
    let path = ws.config_path();
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let with_seeds: Vec<_> =
                projects.iter().map(|p| (*p, ws.seed_files(p).iter().any(|seed| seed.is_file()))).collect();
            lint::config_findings(&path, &text, &with_seeds)
        }
        Err(_) if projects.is_empty() => Vec::new(),
        Err(err) => vec![Finding::new(
            Rule::ConfigSchemas,
            &path,
            1,
            format!("cannot read it ({err}), so no linked schema is exposed; run `supabase init` in the platform"),
        )],
    }
}

/// `tracked-link`: managed links in the platform repo's index (what the next commit
/// holds) or in HEAD.
fn tracked_links(ws: &Workspace, managed: &[PathBuf]) -> anyhow::Result<Vec<Finding>> {
    let Some(git) = gitdir::discover(&ws.platform) else { return Ok(Vec::new()) };
    if managed.is_empty() {
        return Ok(Vec::new());
    }
    let repo = git2::Repository::open(&git.work_tree)
        .with_context(|| format!("cannot open the git repo {}", git.work_tree.display()))?;
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
        findings.push(Finding::new(Rule::TrackedLink, path, 1, message));
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
/// have mynatca's hooks; a folder in no git repo cannot have any.
fn hook_findings(repos: &[(&str, PathBuf)]) -> Vec<Finding> {
    let mut seen = HashSet::new();
    let mut findings = Vec::new();
    for (name, root) in repos {
        let Some(git) = gitdir::discover(root) else {
            findings.push(Finding::new(
                Rule::Hooks,
                root,
                1,
                format!("{name} is not a git repo, so no hook keeps the links current; run `mynatca link` after each change"),
            ));
            continue;
        };
        if !seen.insert(git.common_dir.clone()) {
            continue;
        }
        let message = match hooks::missing_hooks(&git.work_tree) {
            Ok(missing) if missing.is_empty() => continue,
            Ok(missing) => format!(
                "{name} lacks mynatca's {} hook{}, so links go stale on checkout and merge; run `mynatca setup-hooks` in it",
                missing.join(", "),
                if missing.len() == 1 { "" } else { "s" }
            ),
            Err(err) => format!("cannot read {name}'s hooks: {}", err.message()),
        };
        findings.push(Finding::new(Rule::Hooks, &git.work_tree, 1, message));
    }
    findings
}

/// Paths as shown: relative to the current directory, both sides with links resolved
/// (so `--platform /tmp/...` and a cwd under `/private/tmp` agree on macOS).
struct DisplayPaths {
    cwd: PathBuf,
    parents: HashMap<PathBuf, PathBuf>,
}

impl DisplayPaths {
    fn new(cwd: &Path) -> Self {
        DisplayPaths { cwd: workspace::canonical_or_lexical(cwd), parents: HashMap::new() }
    }

    fn of(&mut self, path: &Path) -> String {
        let real = match (path.parent(), path.file_name()) {
            (Some(parent), Some(name)) => {
                let parent =
                    self.parents.entry(parent.to_path_buf()).or_insert_with(|| workspace::canonical_or_lexical(parent));
                parent.join(name)
            }
            _ => path.to_path_buf(),
        };
        let rel = fsutil::relative_path(&self.cwd, &real);
        if rel.as_os_str().is_empty() {
            ".".to_string()
        } else {
            rel.display().to_string()
        }
    }
}

fn print(ui: &Ui, findings: &[(String, Finding)]) {
    for (path, f) in findings {
        let (style, color) = match f.level {
            Level::Error => ("1;31", ui.color_stdout()),
            Level::Warning => ("1;33", ui.color_stdout()),
        };
        let level = ui.paint(&format!("{}[{}]", f.level.as_str(), f.rule.as_str()), style, color);
        ui.out(&format!("{path}:{}: {level}: {}", f.line, f.message));
    }
}

/// GitHub Actions workflow commands: one annotation per finding, on the file and line.
fn print_github(ui: &Ui, findings: &[(String, Finding)]) {
    // https://docs.github.com/actions/reference/workflow-commands-for-github-actions
    let data = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    for (path, f) in findings {
        ui.out(&format!(
            "::{} file={},line={},title={}::{}",
            f.level.as_str(),
            property(path),
            f.line,
            property(&format!("mynatca {}", f.rule.as_str())),
            data(&f.message)
        ));
    }
}

fn to_json(findings: &[(String, Finding)], errors: usize, warnings: usize) -> serde_json::Value {
    json!({
        "errors": errors,
        "warnings": warnings,
        "findings": findings.iter().map(|(path, f)| json!({
            "rule": f.rule.as_str(),
            "level": f.level.as_str(),
            "path": path,
            "line": f.line,
            "message": f.message,
        })).collect::<Vec<_>>(),
    })
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
