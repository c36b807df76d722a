//! `mynatca check`: runs [`crate::audit`] over the workspace and prints the findings.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::audit;
use crate::cli::{CheckArgs, CheckFormat};
use crate::commands::Context;
use crate::error::Outcome;
use crate::fsutil;
use crate::json::{self, Issue};
use crate::lint::{self, Finding, Level};
use crate::reconcile::{self, Lock};
use crate::registry::{self, Registry};
use crate::ui::{self, plural, Ui};
use crate::workspace::{self, Workspace};

pub(crate) fn run(ctx: &Context, args: &CheckArgs) -> anyhow::Result<Outcome> {
    // No platform at all is the one thing that stops the check (exit 2); a registry that
    // does not load is a finding, and everything that does not need it is still checked.
    let (platform, _) = workspace::find_platform(ctx.platform.as_deref(), &ctx.cwd)?;
    let registry_path = platform.join(registry::FILE_NAME);
    let bare = Workspace { platform, registry: Registry::empty(registry_path.clone()) };
    // The registry, the links and the file lists are read under the shared lock, so no
    // relink is seen half-done; `audit::check` lets it go before it parses anything.
    let lock = reconcile::lock(&bare, Lock::Shared)?;
    let mut findings = Vec::new();
    let (ws, registry_ok) = match Workspace::load(bare.platform.clone()) {
        Ok(ws) => (ws, true),
        Err(err) if registry_path.exists() => {
            findings.push(lint::registry_error(&registry_path, &err));
            (bare, false)
        }
        Err(err) => return Err(err.into()),
    };
    let started = std::time::Instant::now();
    let checked = audit::check(&ws, registry_ok, args.base.as_deref(), lock, &mut findings)?;
    tracing::debug!(
        "checked {} migrations in {} repos: {} findings ({:.1?})",
        checked.migrations,
        checked.repos,
        findings.len(),
        started.elapsed()
    );
    if args.strict {
        // Pending link changes are an error only when asked for.
        findings.iter_mut().filter(|f| f.rule == lint::Rule::StaleLink).for_each(|f| f.level = Level::Error);
    }

    let mut shown: Vec<(String, Finding)> = {
        let mut display = DisplayPaths::new(&ctx.cwd);
        findings.into_iter().map(|f| (display.of(&f.path), f)).collect()
    };
    shown.sort_by(|(a, x), (b, y)| (a, x.line, x.rule, &x.message).cmp(&(b, y.line, y.rule, &y.message)));
    let errors = shown.iter().filter(|(_, f)| f.level == Level::Error).count();
    let warnings = shown.len() - errors;
    let ok = !(errors > 0 || (args.strict && warnings > 0));
    if args.json {
        ctx.ui.out(&json::document("check", Some(&ws.platform), ok, CheckJson::new(&ws, &shown, &checked))?);
    } else {
        match args.format {
            CheckFormat::Text => print(ctx.ui, &shown),
            CheckFormat::Github => print_github(ctx.ui, &shown),
        }
        ctx.ui.info(&format!(
            "checked {} in {}: {}, {}",
            plural(checked.migrations, "migration"),
            plural(checked.repos, "repo"),
            plural(errors, "error"),
            plural(warnings, "warning")
        ));
    }
    Ok(Outcome::from_problems(!ok))
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
        ui.out_painted(&format!("{}:{}: {level}: {}", ui::escape(path), f.line, ui::escape(&f.message)));
    }
}

/// GitHub Actions workflow commands: one annotation per finding, on the file and line.
fn print_github(ui: &Ui, findings: &[(String, Finding)]) {
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

/// `check --json`, inside the envelope.
#[derive(Serialize)]
struct CheckJson {
    checked: CheckedJson,
    errors: Vec<Issue>,
    warnings: Vec<Issue>,
}

#[derive(Serialize)]
struct CheckedJson {
    migrations: usize,
    repos: usize,
}

impl CheckJson {
    fn new(ws: &Workspace, findings: &[(String, Finding)], checked: &audit::Checked) -> Self {
        let issue = |f: &Finding| {
            let issue = Issue::new(f.rule.as_str(), &f.message);
            let issue = match json::file_ref(ws, &f.path) {
                Some(file) => issue.at(Some(file)),
                // Outside every repo of the workspace: the absolute path.
                None => Issue { path: Some(f.path.display().to_string()), ..issue },
            };
            issue.line(f.line)
        };
        let of = |level: Level| findings.iter().filter(|(_, f)| f.level == level).map(|(_, f)| issue(f)).collect();
        CheckJson {
            checked: CheckedJson { migrations: checked.migrations, repos: checked.repos },
            errors: of(Level::Error),
            warnings: of(Level::Warning),
        }
    }
}
