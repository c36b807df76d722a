//! The planner: pure, no I/O. It decides every change from an [`Input`].

use std::path::Path;

use rustc_hash::FxHashMap as HashMap;

use super::{
    Action, Conflict, ConflictKind, Duplicate, Existing, Input, LinkDir, LinkRef, Offer, Owner, Plan, ProjectFile,
    Refusal, Refused,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::fsutil;
use crate::migration;
use crate::workspace::Repo;

/// Decides what to do.
pub(crate) fn plan(input: &Input) -> Plan<'_> {
    let mut plan = Plan::default();
    plan.verdict.warnings.clone_from(&input.warnings);
    for dir in input.dirs() {
        plan_dir(dir, &mut plan);
    }
    plan
}

fn plan_dir<'a>(dir: &'a LinkDir, plan: &mut Plan<'a>) {
    let existing: HashMap<&str, &Existing> = dir.entries.iter().map(|(n, e)| (n.as_str(), e)).collect();
    let mut desired: HashMap<&str, &Offer> = HashMap::with_capacity_and_hasher(dir.offers.len(), Default::default());
    // Every migration in place after the apply, for duplicate versions.
    let mut in_place: Vec<InPlace> = Vec::new();
    let first_action = plan.actions.len();

    for offer in &dir.offers {
        if let Some(first) = desired.get(offer.name.as_str()) {
            plan.verdict.conflicts.push(same_name(dir, first, offer));
            continue;
        }
        desired.insert(&offer.name, offer);
        let link = LinkRef { dir, name: &offer.name, project: &offer.project };
        let to = offer.target.as_path();
        match existing.get(offer.name.as_str()) {
            None => plan.actions.push(Action::Create { link, to }),
            Some(Existing::Link(from)) if from.as_os_str() == to.as_os_str() => plan.verdict.unchanged += 1,
            Some(Existing::Link(from)) if owner_of(dir, from).is_some() => {
                plan.actions.push(Action::Retarget { link, from, to })
            }
            Some(Existing::Link(from)) => {
                plan.verdict.conflicts.push(foreign_link(dir, offer, from));
                continue;
            }
            Some(kind) => {
                plan.verdict.conflicts.push(real_file(dir, offer, kind));
                continue;
            }
        }
        plan.managed.push(link);
        in_place.push(InPlace { project: &offer.project, name: &offer.name, target: Some(to) });
    }

    for refused in &dir.refused {
        refuse(dir, refused, plan);
    }

    for (name, entry) in &dir.entries {
        match entry {
            Existing::Link(from) if !desired.contains_key(name.as_str()) => match owner_of(dir, from) {
                Some(owner) => {
                    let link = LinkRef { dir, name, project: &owner.project };
                    plan.actions.push(Action::Remove { link, from });
                }
                None if reported(dir, from) => {}
                None => plan.verdict.warnings.push(
                    Diagnostic::new(
                        Code::ForeignLink,
                        dir.path.join(name),
                        1,
                        format!(
                            "{} points to {}, outside every linked project; left alone (remove it if it is stale)",
                            shown(rel(dir, name)),
                            shown(from.display())
                        ),
                    )
                    .warning(),
                ),
            },
            Existing::File if dir.migrations && migration::is_sql_name(name) => {
                in_place.push(InPlace { project: Repo::PLATFORM, name, target: None })
            }
            _ => {}
        }
    }
    // Folders are read in no particular order; reports list creates, updates, then
    // removals, each by name, on every machine alike.
    plan.actions[first_action..].sort_unstable_by(|a, b| (a.rank(), a.link().name).cmp(&(b.rank(), b.link().name)));

    if dir.migrations {
        check_names(dir, &in_place, plan);
    }
}

/// A file that is not linked: an unsafe name is a conflict (exit 1), the rest warnings.
fn refuse(dir: &LinkDir, refused: &Refused, plan: &mut Plan) {
    let (project, why) = (&refused.project, refused.why.describe());
    let path = shown(refused.path.display());
    if refused.why == Refusal::ControlCharacter {
        plan.verdict.conflicts.push(Conflict {
            name: rel(dir, &refused.name),
            kind: ConflictKind::UnsafeName,
            projects: vec![project.clone()],
            path: refused.path.clone(),
            message: format!("{path} ({project}) {why}; it is not linked until you rename it"),
        });
        return;
    }
    let fix = match refused.why {
        Refusal::NotUtf8 => "not linked until you rename it",
        _ => "not linked (only regular files are migrations and seeds)",
    };
    let message = format!("{path} ({project}) {why}; {fix}");
    plan.verdict.warnings.push(Diagnostic::new(Code::NotLinked, &refused.path, 1, message));
}

/// A name or path as messages show it: control characters escaped, so that messages
/// spanning lines on purpose stay safe when a name holds a newline.
fn shown(text: impl std::fmt::Display) -> String {
    crate::ui::escape(&text.to_string()).into_owned()
}

fn rel(dir: &LinkDir, name: &str) -> String {
    format!("{}/{name}", dir.rel)
}

fn same_name(dir: &LinkDir, first: &Offer, offer: &Offer) -> Conflict {
    Conflict {
        name: rel(dir, &offer.name),
        kind: ConflictKind::SameName,
        projects: vec![first.project.clone(), offer.project.clone()],
        // At the file that is not linked: the second project's.
        path: fsutil::normalize(&dir.path.join(&offer.target)),
        message: format!(
            "{} is offered by {} and {}; {} is linked, rename the other",
            offer.name, first.project, offer.project, first.project
        ),
    }
}

fn foreign_link(dir: &LinkDir, offer: &Offer, target: &Path) -> Conflict {
    Conflict {
        name: rel(dir, &offer.name),
        kind: ConflictKind::ForeignLink,
        projects: vec![offer.project.clone()],
        path: dir.path.join(&offer.name),
        message: format!(
            "{} is a symlink to {} that mynatca does not own; {}'s migration is not linked until you remove it",
            rel(dir, &offer.name),
            shown(target.display()),
            offer.project
        ),
    }
}

fn real_file(dir: &LinkDir, offer: &Offer, kind: &Existing) -> Conflict {
    let what = if *kind == Existing::Dir { "folder" } else { "real file" };
    Conflict {
        name: rel(dir, &offer.name),
        kind: ConflictKind::RealFile,
        projects: vec![Repo::PLATFORM.to_string(), offer.project.clone()],
        path: dir.path.join(&offer.name),
        message: format!(
            "{} is a {what} in the platform and also a migration of {}; rename one of them",
            rel(dir, &offer.name),
            offer.project
        ),
    }
}

/// A migration in place once the plan is applied: a project's (linked to `target`) or the platform's own.
struct InPlace<'a> {
    project: &'a str,
    name: &'a str,
    target: Option<&'a Path>,
}

impl InPlace<'_> {
    fn file(&self, dir: &LinkDir) -> ProjectFile {
        let path = match self.target {
            Some(target) => fsutil::normalize(&dir.path.join(target)),
            None => dir.path.join(self.name),
        };
        ProjectFile { project: self.project.to_string(), name: self.name.to_string(), path }
    }
}

/// Duplicate versions and names the Supabase CLI would skip, over the merged set.
fn check_names(dir: &LinkDir, in_place: &[InPlace], plan: &mut Plan) {
    // Most versions are unique: remember the first file of each, collect only clashes.
    let mut first: HashMap<&str, &InPlace> = HashMap::with_capacity_and_hasher(in_place.len(), Default::default());
    let mut clashes: HashMap<&str, Vec<&InPlace>> = HashMap::default();
    for file in in_place {
        match migration::parse(file.name) {
            Some(m) => {
                if let Some(&earlier) = first.get(m.version) {
                    clashes.entry(m.version).or_insert_with(|| vec![earlier]).push(file);
                } else {
                    first.insert(m.version, file);
                }
            }
            // At the file itself, in its own repo, as `check` reports it.
            None => plan.verdict.warnings.push(Diagnostic::new(
                Code::NamePattern,
                file.file(dir).path,
                1,
                format!(
                    "{} ({}) does not match <version>_<name>.sql; the Supabase CLI skips it (rename it)",
                    shown(file.name),
                    file.project
                ),
            )),
        }
    }
    let mut duplicates: Vec<Duplicate> = clashes
        .into_iter()
        .map(|(version, files)| {
            let mut files: Vec<ProjectFile> = files.into_iter().map(|f| f.file(dir)).collect();
            files.sort_by(|a, b| a.name.cmp(&b.name));
            Duplicate { version: version.to_string(), files }
        })
        .collect();
    duplicates.sort_by(|a, b| a.version.cmp(&b.version));
    plan.verdict.duplicates.extend(duplicates);
}

/// Whether a foreign link's target lies in a folder a warning already covers.
fn reported(dir: &LinkDir, target: &Path) -> bool {
    !dir.reported.is_empty() && {
        let resolved = crate::fsutil::normalize(&dir.path.join(target));
        dir.reported.iter().any(|folder| resolved.starts_with(folder))
    }
}

/// The owner of a link target in `dir`, if the target lies inside an owned location.
pub(crate) fn owner_of<'a>(dir: &'a LinkDir, target: &Path) -> Option<&'a Owner> {
    let resolved = crate::fsutil::normalize(&dir.path.join(target));
    dir.owners.iter().find(|owner| resolved.starts_with(&owner.location))
}

#[cfg(test)]
mod tests;
