//! `history-edit` and `out-of-order`: each repo's migrations against its base branch
//! (what production has applied, as far as git knows).

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid};

use super::parsed::{MigrationFile, Parsed};
use super::positions::is_comment;
use super::renames::Renames;
use super::{Code, Diagnostic};
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
    /// Migration file name to blob id, on the base's tip.
    pub(crate) files: BTreeMap<String, Oid>,
    /// The same where the checked-out branch forked from the base (the merge-base of HEAD
    /// and the base): what the branch started from. The tip's files when there is none.
    pub(crate) forked: BTreeMap<String, Oid>,
    git: gitdir::GitDirs,
}

impl Base {
    /// Whether production may have applied `name`: it is on the base, or was where this
    /// branch forked from it.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.files.contains_key(name) || self.forked.contains_key(name)
    }

    /// The versions of [`Base::has`]'s files.
    pub(crate) fn versions(&self) -> impl Iterator<Item = &str> {
        self.files.keys().chain(self.forked.keys()).filter_map(|name| Some(migration::parse(name)?.version))
    }
}

/// The base of the repo holding `folder` (`project`'s migrations folder): `base` when
/// given, else the first of [`BASE_CANDIDATES`] that exists. `Ok(None)` for a folder in
/// no git repo (the `hooks` rule reports that); `Err` is the warning for a repo with no base.
pub(crate) fn read_base(project: &str, folder: &Path, base: Option<&str>) -> Result<Option<Base>, Box<Diagnostic>> {
    let Some(git) = gitdir::discover(folder) else { return Ok(None) };
    let no_base = |why: String| {
        Box::new(Diagnostic::new(
            Code::HistoryEdit,
            &git.work_tree,
            1,
            format!("{project} has no base to compare with ({why}), so history-edit and out-of-order skip it; fetch the base branch or pass --base REF"),
        )
        .warning())
    };
    let repo = git.open().map_err(|err| no_base(format!("cannot open the repo: {}", err.message())))?;
    let candidates: Vec<&str> = match base {
        Some(base) => vec![base],
        None => BASE_CANDIDATES.to_vec(),
    };
    let found = candidates.iter().find_map(|name| {
        let object = repo.revparse_single(name).ok()?;
        let tree = object.peel_to_tree().ok()?;
        Some((name.to_string(), tree, object.peel_to_commit().ok()))
    });
    let Some((reference, tree, tip)) = found else {
        return Err(no_base(format!("tried {}", candidates.join(", "))));
    };
    let rel = folder.strip_prefix(&git.work_tree).unwrap_or(Path::new(""));
    let files = folder_files(&repo, &tree, rel);
    let forked = match tip.map(|tip| fork_point(&repo, &tip)) {
        Some(Fork::At(commit)) => commit.tree().map_or_else(|_| files.clone(), |tree| folder_files(&repo, &tree, rel)),
        // A shallow clone lacks the history that says what this branch changed: judging
        // against the tip would call the base's newer files deletions and renames.
        Some(Fork::Unknown) if repo.is_shallow() => {
            return Err(no_base(format!(
                "a shallow clone without the history shared with {reference}; fetch it (`git fetch --unshallow`, or `fetch-depth: 0` in CI)"
            )))
        }
        _ => files.clone(),
    };
    Ok(Some(Base { project: project.to_string(), reference, folder: folder.to_path_buf(), files, forked, git }))
}

/// Where HEAD forked from a base's tip.
enum Fork<'r> {
    /// The merge-base, older than the tip.
    At(git2::Commit<'r>),
    /// HEAD is the tip or ahead of it (or unborn): the tip is where it forked.
    Tip,
    /// No common history here (a shallow clone, or unrelated histories).
    Unknown,
}

fn fork_point<'r>(repo: &'r git2::Repository, tip: &git2::Commit) -> Fork<'r> {
    let Some(head) = repo.head().ok().and_then(|head| head.peel_to_commit().ok()) else { return Fork::Tip };
    match repo.merge_base(head.id(), tip.id()) {
        Ok(id) if id == tip.id() => Fork::Tip,
        Ok(id) => repo.find_commit(id).map_or(Fork::Tip, Fork::At),
        Err(_) => Fork::Unknown,
    }
}

/// The migration files (blobs whose names the Supabase CLI reads) of the folder `rel` in `tree`.
fn folder_files(repo: &git2::Repository, tree: &git2::Tree, rel: &Path) -> BTreeMap<String, Oid> {
    let mut files = BTreeMap::new();
    if let Some(subtree) = tree.get_path(rel).ok().and_then(|e| e.to_object(repo).ok()).and_then(|o| o.into_tree().ok())
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
    files
}

/// A migration new on this branch whose version sorts before one on the bases.
pub(crate) struct Late<'a> {
    pub(crate) file: &'a MigrationFile<'a>,
    /// The newest base file it sorts before, and its base.
    newest: &'a str,
    base: &'a Base,
    /// `newest` reached its base after the branch forked from it: only a merge would put
    /// this file out of order (a warning), the branch itself did not.
    since_fork: bool,
}

/// The migrations `out-of-order` names: new on this branch (on neither its base nor where
/// the branch forked from it) and sorting before the newest file the branches forked from
/// (an error) or, else, before the newest on the bases now (a warning: behind, not wrong).
pub(crate) fn late_files<'a>(bases: &'a [Base], files: &'a [MigrationFile<'a>], parsed: &[Parsed]) -> Vec<Late<'a>> {
    let texts: HashMap<&OsStr, &Parsed> = parsed.iter().map(|p| (p.path.as_os_str(), p)).collect();
    let (forked, tip) = (newest(bases, |b| &b.forked), newest(bases, |b| &b.files));
    let mut late = Vec::new();
    for file in files {
        let Some(base) = bases.iter().find(|b| b.project == file.project) else { continue };
        let Some(name) = migration::parse(file.name()) else { continue };
        if base.has(file.name()) {
            continue;
        }
        let applied = forked.filter(|(version, ..)| version_order(name.version, version).is_lt());
        // One the base gained since: sharing its version is as bad once merged.
        let gained = tip.filter(|(version, newest, base)| {
            version_order(name.version, version).is_le() && !base.forked.contains_key(*newest)
        });
        let (found, since_fork) = match (applied, gained) {
            (Some(found), _) => (found, false),
            (None, Some(found)) => (found, true),
            (None, None) => continue,
        };
        if texts.get(file.path.as_os_str()).is_some_and(|p| p.source().allowed_in_header("out-of-order")) {
            continue;
        }
        late.push(Late { file, newest: found.1, base: found.2, since_fork });
    }
    late
}

/// The newest migration (version, name, base) of `files` of every base.
fn newest(bases: &[Base], files: fn(&Base) -> &BTreeMap<String, Oid>) -> Option<(&str, &str, &Base)> {
    bases
        .iter()
        .flat_map(|b| files(b).keys().map(move |name| (b, name.as_str())))
        .filter_map(|(b, name)| Some((migration::parse(name)?.version, name, b)))
        .max_by(|a, b| version_order(a.0, b.0))
}

/// `history-edit` for every base, then `out-of-order` for the `late` files.
pub(crate) fn history_findings(
    bases: &[Base],
    files: &[MigrationFile],
    parsed: &[Parsed],
    late: &[Late],
    renames: &Renames,
) -> Vec<Diagnostic> {
    let texts: HashMap<&OsStr, &Parsed> = parsed.iter().map(|p| (p.path.as_os_str(), p)).collect();
    let mut findings = Vec::new();
    for base in bases {
        let present: HashMap<&str, &Path> =
            files.iter().filter(|f| f.project == base.project).map(|f| (f.name(), f.path.as_path())).collect();
        findings.extend(edits(base, &present, &texts));
    }
    findings.extend(late.iter().map(|late| out_of_order(late, renames)));
    findings
}

/// Base files this branch modified, renamed or deleted in its work tree, and one warning
/// for those the base gained or changed since the branch forked (the branch is behind).
fn edits(base: &Base, present: &HashMap<&str, &Path>, texts: &HashMap<&OsStr, &Parsed>) -> Vec<Diagnostic> {
    let hash = |path: &Path| {
        texts.get(path.as_os_str()).and_then(|p| Oid::hash_object(ObjectType::Blob, p.sql.as_bytes()).ok())
    };
    let mut findings = Vec::new();
    let mut lacking = Vec::new();
    for (name, &id) in &base.files {
        let forked = base.forked.get(name);
        match present.get(name.as_str()) {
            Some(path) => {
                let Some(now) = hash(path) else { continue };
                if now == id {
                    continue;
                }
                // As the branch found it: the base changed it since.
                if Some(&now) == forked {
                    lacking.push(name.as_str());
                    continue;
                }
                let new = texts.get(path.as_os_str()).map_or("", |p| p.sql.as_str());
                findings.push(changed(base, name, path, id, new));
            }
            // New on the base since the branch forked.
            None if forked.is_none() => lacking.push(name),
            None => {
                let renamed = present
                    .iter()
                    .filter(|(n, _)| !base.has(n))
                    .find(|(_, path)| hash(path).is_some_and(|h| h == id || Some(&h) == forked));
                findings.push(removed(base, name, renamed.map(|(_, path)| *path)));
            }
        }
    }
    findings.extend(behind(base, &lacking));
    findings
}

/// A base file whose text in the work tree (`new`) is not the base's.
fn changed(base: &Base, name: &str, path: &Path, id: Oid, new: &str) -> Diagnostic {
    let reference = &base.reference;
    let old = blob_text(&base.git, id).unwrap_or_default();
    if same_tokens(&old, new) {
        Diagnostic::new(Code::HistoryEdit, path, 1, format!("only whitespace or comments changed since {reference}; applied migrations are best left byte for byte as production ran them")).warning()
    } else {
        Diagnostic::new(Code::HistoryEdit, path, 1, format!("changed since {reference}, where production may have applied it: applied migrations never change; restore it (`git checkout {reference} -- {name}` in its folder) and write a new migration"))
    }
}

/// A base file the branch had and no longer has: `renamed` is the work tree's file with its text.
fn removed(base: &Base, name: &str, renamed: Option<&Path>) -> Diagnostic {
    let reference = &base.reference;
    match renamed {
        Some(path) => Diagnostic::new(Code::HistoryEdit, path, 1, format!("renamed from {name}, which is on {reference}: production recorded it under its old version; rename it back and write a new migration for any change")),
        None => Diagnostic::new(Code::HistoryEdit, base.folder.join(name), 1, format!("deleted, but it is on {reference}, where production may have applied it: restore it (`git checkout {reference} -- {name}` in its folder) and undo it in a new migration")),
    }
}

/// The branch lacks base files (or their base text): behind, which merging fixes.
fn behind(base: &Base, lacking: &[&str]) -> Option<Diagnostic> {
    const SHOWN: usize = 3;
    let (first, rest) = lacking.split_at(lacking.len().min(SHOWN));
    if first.is_empty() {
        return None;
    }
    let more = if rest.is_empty() { String::new() } else { format!(" and {} more", rest.len()) };
    let count = if lacking.len() == 1 { "1 migration".to_string() } else { format!("{} migrations", lacking.len()) };
    Some(
        Diagnostic::new(
            Code::HistoryEdit,
            &base.folder,
            1,
            format!("{} has {count} this branch lacks ({}{more}): merge or rebase", base.reference, first.join(", ")),
        )
        .warning(),
    )
}

/// `out-of-order` for one late file, with the name [`Renames`] gives it.
fn out_of_order(late: &Late, renames: &Renames) -> Diagnostic {
    let (file, base) = (late.file, late.base);
    let version = migration::parse(file.name()).map_or("", |n| n.version);
    let hint = renames.of(&file.path).map(|s| format!("; {}", s.hint())).unwrap_or_default();
    if late.since_fork {
        let (newest, project, reference) = (late.newest, &base.project, &base.reference);
        let message = if migration::parse(newest).is_some_and(|n| n.version == version) {
            format!("version {version} is new on this branch and also the version of {newest} ({project} on {reference}), which {reference} gained after {project}'s branch forked from it: merged as it is, `supabase db reset` would fail on schema_migrations_pkey{hint}")
        } else {
            format!("version {version} is new on this branch but sorts before {newest} ({project} on {reference}), which {reference} gained after {project}'s branch forked from it: merged as it is, `supabase db push` refuses it and a fresh reset runs it in another order than production{hint}")
        };
        return Diagnostic::new(Code::OutOfOrder, &file.path, 1, message).warning();
    }
    Diagnostic::new(
        Code::OutOfOrder,
        &file.path,
        1,
        format!(
            "version {version} is new on this branch but sorts before {} ({} on {}), which production has already applied as far as git knows: `supabase db push` refuses it and a fresh reset runs it in another order than production{hint}",
            late.newest, base.project, base.reference
        ),
    )
}

/// Versions compare as numbers: `2` before `10`, leading zeros aside.
fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
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
