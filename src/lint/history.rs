//! `history-edit` and `out-of-order`: each repo's migrations against its base branch
//! (what production has applied, as far as git knows).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use git2::{ObjectType, Oid};

use super::parsed::{MigrationFile, Parsed};
use super::positions::is_comment;
use super::{Finding, Rule};
use crate::gitdir;
use crate::migration;

/// Where a repo's base is looked for when `--base` is not given, in order.
pub(crate) const BASE_CANDIDATES: &[&str] = &["origin/HEAD", "origin/main", "origin/master", "main", "master"];

/// One repo's migrations folder as its base branch has it.
#[derive(Debug, Clone)]
pub(crate) struct Base {
    pub(crate) project: String,
    /// The ref it was read from, as given (`origin/HEAD`, `main`).
    pub(crate) reference: String,
    /// The migrations folder in the work tree.
    pub(crate) folder: PathBuf,
    /// Migration file name to blob id.
    pub(crate) files: BTreeMap<String, Oid>,
    git: gitdir::GitDirs,
}

/// The base of the repo holding `folder` (`project`'s migrations folder): `base` when
/// given, else the first of [`BASE_CANDIDATES`] that exists. `Ok(None)` for a folder in
/// no git repo (the `hooks` rule reports that); `Err` is the warning for a repo with no base.
pub(crate) fn read_base(project: &str, folder: &Path, base: Option<&str>) -> Result<Option<Base>, Finding> {
    let Some(git) = gitdir::discover(folder) else { return Ok(None) };
    let no_base = |why: String| {
        Finding::new(
            Rule::HistoryEdit,
            &git.work_tree,
            1,
            format!("{project} has no base to compare with ({why}), so history-edit and out-of-order skip it; fetch the base branch or pass --base REF"),
        )
        .warning()
    };
    let repo = git.open().map_err(|err| no_base(format!("cannot open the repo: {}", err.message())))?;
    let candidates: Vec<&str> = match base {
        Some(base) => vec![base],
        None => BASE_CANDIDATES.to_vec(),
    };
    let found = candidates.iter().find_map(|name| {
        let tree = repo.revparse_single(name).ok()?.peel_to_tree().ok()?;
        Some((name.to_string(), tree))
    });
    let Some((reference, tree)) = found else {
        return Err(no_base(format!("tried {}", candidates.join(", "))));
    };
    let rel = folder.strip_prefix(&git.work_tree).unwrap_or(Path::new(""));
    let mut files = BTreeMap::new();
    if let Some(subtree) =
        tree.get_path(rel).ok().and_then(|e| e.to_object(&repo).ok()).and_then(|o| o.into_tree().ok())
    {
        for entry in subtree.iter() {
            // Blobs only: a committed symlink is `tracked-link`'s business.
            let blob = entry.kind() == Some(ObjectType::Blob) && entry.filemode() != 0o120000;
            if let (true, Some(name)) = (blob, entry.name()) {
                if migration::parse(name).is_some() {
                    files.insert(name.to_string(), entry.id());
                }
            }
        }
    }
    Ok(Some(Base { project: project.to_string(), reference, folder: folder.to_path_buf(), files, git }))
}

/// `history-edit` for every base, then `out-of-order` for the files new on this branch.
pub(crate) fn history_findings(
    bases: &[Base],
    files: &[MigrationFile],
    parsed: &[Parsed],
    versions: &HashSet<String>,
) -> Vec<Finding> {
    let texts: HashMap<&OsStr, &Parsed> = parsed.iter().map(|p| (p.path.as_os_str(), p)).collect();
    let mut findings = Vec::new();
    for base in bases {
        let present: HashMap<&str, &Path> =
            files.iter().filter(|f| f.project == base.project).map(|f| (f.name(), f.path.as_path())).collect();
        findings.extend(edits(base, &present, &texts));
    }
    findings.extend(out_of_order(bases, files, &texts, versions));
    findings
}

/// Base files modified, renamed or deleted in the work tree.
fn edits(base: &Base, present: &HashMap<&str, &Path>, texts: &HashMap<&OsStr, &Parsed>) -> Vec<Finding> {
    let hash = |path: &Path| {
        texts.get(path.as_os_str()).and_then(|p| Oid::hash_object(ObjectType::Blob, p.sql.as_bytes()).ok())
    };
    let reference = &base.reference;
    let mut findings = Vec::new();
    for (name, &id) in &base.files {
        match present.get(name.as_str()) {
            Some(path) => {
                let Some(now) = hash(path) else { continue };
                if now == id {
                    continue;
                }
                let old = blob_text(&base.git, id).unwrap_or_default();
                let new = texts.get(path.as_os_str()).map_or("", |p| p.sql.as_str());
                let finding = if same_tokens(&old, new) {
                    Finding::new(Rule::HistoryEdit, *path, 1, format!("only whitespace or comments changed since {reference}; applied migrations are best left byte for byte as production ran them")).warning()
                } else {
                    Finding::new(Rule::HistoryEdit, *path, 1, format!("changed since {reference}, where production may have applied it: applied migrations never change; restore it (`git checkout {reference} -- {name}` in its folder) and write a new migration"))
                };
                findings.push(finding);
            }
            None => {
                let renamed = present
                    .iter()
                    .filter(|(n, _)| !base.files.contains_key(**n))
                    .find(|(_, path)| hash(path) == Some(id));
                findings.push(match renamed {
                    Some((_, path)) => Finding::new(Rule::HistoryEdit, *path, 1, format!("renamed from {name}, which is on {reference}: production recorded it under its old version; rename it back and write a new migration for any change")),
                    None => Finding::new(Rule::HistoryEdit, base.folder.join(name), 1, format!("deleted, but it is on {reference}, where production may have applied it: restore it (`git checkout {reference} -- {name}` in its folder) and undo it in a new migration")),
                });
            }
        }
    }
    findings
}

/// Migrations new on this branch whose version sorts before the newest on the bases.
fn out_of_order(
    bases: &[Base],
    files: &[MigrationFile],
    texts: &HashMap<&OsStr, &Parsed>,
    versions: &HashSet<String>,
) -> Vec<Finding> {
    let newest = bases
        .iter()
        .flat_map(|b| b.files.keys().map(move |name| (b, name)))
        .filter_map(|(b, name)| Some((migration::parse(name)?.version, name, b)))
        .max_by(|a, b| version_order(a.0, b.0));
    let Some((newest, newest_name, newest_base)) = newest else { return Vec::new() };
    let mut findings = Vec::new();
    for file in files {
        let Some(base) = bases.iter().find(|b| b.project == file.project) else { continue };
        let Some(name) = migration::parse(file.name()) else { continue };
        if base.files.contains_key(file.name()) || version_order(name.version, newest).is_ge() {
            continue;
        }
        if texts.get(file.path.as_os_str()).is_some_and(|p| p.source().allowed_in_header("out-of-order")) {
            continue;
        }
        let suggestion = format!("{}_{}.sql", free_version_after(newest, versions), name.description);
        findings.push(Finding::new(
            Rule::OutOfOrder,
            &file.path,
            1,
            format!(
                "version {} is new on this branch but sorts before {newest_name} ({} on {}), which production has already applied as far as git knows: `supabase db push` refuses it and a fresh reset runs it in another order than production; rename it to {suggestion}",
                name.version, newest_base.project, newest_base.reference
            ),
        ));
    }
    findings
}

/// Versions compare as numbers: `2` before `10`, leading zeros aside.
fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// `mynatca new`'s rule (now, in UTC, a second at a time past taken ones), starting no
/// earlier than a second after `newest`.
fn free_version_after(newest: &str, versions: &HashSet<String>) -> String {
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let start = migration::seconds_at(newest).map_or(now, |s| now.max(s + 1));
    migration::free_version(start, |v| versions.contains(v))
}

fn blob_text(git: &gitdir::GitDirs, id: Oid) -> Option<String> {
    let repo = git.open().ok()?;
    let blob = repo.find_blob(id).ok()?;
    Some(String::from_utf8_lossy(blob.content()).into_owned())
}

/// Whether two SQL texts have the same tokens, comments and whitespace aside.
fn same_tokens(a: &str, b: &str) -> bool {
    let tokens = |sql: &str| -> Option<Vec<String>> {
        let tokens = crate::text::scan_tokens(sql).ok()?;
        Some(
            tokens
                .iter()
                .filter(|t| !is_comment(t))
                .map(|t| sql.get(crate::text::offset(t.start)..crate::text::offset(t.end)).unwrap_or("").to_string())
                .collect(),
        )
    };
    matches!((tokens(a), tokens(b)), (Some(x), Some(y)) if x == y)
}
