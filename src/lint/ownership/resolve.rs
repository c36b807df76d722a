//! `ownership` over the workspace in apply order, where an unqualified name under a
//! search_path of several schemas resolves as PostgreSQL would: a creation to the first
//! schema that exists, a lookup to the first schema that has the object; a lookup check
//! cannot settle between schemas of different owners is reported as ambiguous.

use rustc_hash::FxHashSet as HashSet;

use super::{BodyEffect, Effect, ObjectKind, Owners, PendingTouch, Place, ALL_SCHEMAS};
use crate::lint::facts::{Event, Object};
use crate::lint::parsed::Parsed;
use crate::lint::search_path::BASE_SCHEMAS;
use crate::lint::{Code, Diagnostic};
use crate::workspace::Repo;

/// What exists so far, in apply order, as far as the migrations tell.
#[derive(Debug, Default)]
struct Known {
    schemas: HashSet<String>,
    objects: HashSet<Object>,
}

impl Known {
    fn schema_exists(&self, schema: &str) -> bool {
        schema == "public" || BASE_SCHEMAS.contains(&schema) || self.schemas.contains(schema)
    }

    fn learn(&mut self, events: &[Event]) {
        for event in events {
            match event {
                Event::Create(Object::Schema(schema)) => {
                    self.schemas.insert(schema.clone());
                }
                Event::Create(Object::Function(schema, name, _)) => {
                    self.objects.insert(Object::Function(schema.clone(), name.clone(), None));
                }
                Event::Create(object) => {
                    self.objects.insert(object.clone());
                }
                _ => {}
            }
        }
    }
}

/// Where a touch lands.
enum Resolved {
    At(String),
    /// A lookup among schemas of different owners that check cannot settle.
    Ambiguous(Vec<String>),
}

/// `ownership` for `files` (in apply order): each object a statement, or the body of a
/// function or `DO` block it creates, changes in a schema its file's project does not own.
pub(crate) fn ownership_findings(files: &[&Parsed], owners: &Owners) -> Vec<Diagnostic> {
    let mut known = Known::default();
    let mut findings = Vec::new();
    for file in files {
        let project = file.project.as_str();
        let mut source = None;
        for statement in &file.statements {
            // (line in a body, message, a warning)
            let mut found: Vec<(Option<usize>, String, bool)> = Vec::new();
            for touch in &statement.touches {
                if let Some(message) = judge(touch, &known, owners, project) {
                    found.push((None, message, false));
                }
            }
            for effect in &statement.body {
                if let Some((message, warning)) = judge_body(effect, &known, owners, project) {
                    found.push((Some(effect.line), message, warning));
                }
            }
            known.learn(&statement.events);
            if found.is_empty() {
                continue;
            }
            let (line, allowed) = source.get_or_insert_with(|| file.source()).statement_start(statement.location);
            if allowed {
                continue;
            }
            let mut seen = Vec::new();
            for (at, message, warning) in found {
                let line = at.unwrap_or(line);
                if seen.contains(&(line, message.clone())) {
                    continue;
                }
                seen.push((line, message.clone()));
                let finding = Diagnostic::new(Code::Ownership, &file.path, line, message);
                findings.push(if warning { finding.warning() } else { finding });
            }
        }
    }
    findings
}

/// The finding's message for one thing a body does, and whether it is a warning. What
/// mynatca cannot read is a warning in a linked project, and nothing in the platform.
fn judge_body(effect: &BodyEffect, known: &Known, owners: &Owners, project: &str) -> Option<(String, bool)> {
    let routine = &effect.routine;
    let review = "review it and put `-- mynatca-ignore: ownership REASON` above its CREATE or DO statement (not inside the body)";
    match &effect.effect {
        Effect::Touch { touch, dynamic } => {
            let through = if *dynamic { ", through EXECUTE" } else { "" };
            judge(touch, known, owners, project).map(|message| (format!("{message} in {routine}{through}"), false))
        }
        _ if project == Repo::PLATFORM => None,
        Effect::Unresolved => Some((
            format!("{routine} runs SQL built at run time (EXECUTE), so mynatca cannot tell what it writes; build it with format() from a literal template, or {review}"),
            true,
        )),
        Effect::NotAnalysed(why) => {
            Some((format!("{routine} {why}, so mynatca cannot tell what it writes; {review}"), true))
        }
    }
}

/// The finding's message for one touch, if it is not `project`'s to make.
fn judge(touch: &PendingTouch, known: &Known, owners: &Owners, project: &str) -> Option<String> {
    match resolve(touch, known, owners) {
        Resolved::At(schema) => {
            let owner = owners.owner(&schema);
            if owner == project || owners.grants.allows(project, &touch.at(&schema)) {
                return None;
            }
            if schema == ALL_SCHEMAS {
                let own = owners.schema_of(project).unwrap_or("<its schema>");
                return Some(format!(
                    "{project} may not alter default privileges without IN SCHEMA: they apply in every schema, {owner}'s too; add `in schema {own}`"
                ));
            }
            Some(format!("{project} may not {} (owned by {owner})", touch.at(&schema)))
        }
        Resolved::Ambiguous(path) => {
            let name = touch.name.as_deref().unwrap_or_default();
            let candidates: Vec<String> = path.iter().map(|s| format!("{s}.{name} ({})", owners.owner(s))).collect();
            Some(format!(
                "{project} may not {} unqualified: search_path {} resolves it to the first of {} that exists, and the migrations do not tell which; qualify it",
                touch.at(""),
                path.join(", "),
                candidates.join(", ")
            ))
        }
    }
}

fn resolve(touch: &PendingTouch, known: &Known, owners: &Owners) -> Resolved {
    let path = match &touch.place {
        Place::Schema(schema) => return Resolved::At(schema.clone()),
        Place::Path(path) => path,
    };
    if touch.creates() || touch.name.is_none() {
        let first = path.iter().find(|s| known.schema_exists(s)).unwrap_or(&path[0]);
        return Resolved::At(first.clone());
    }
    let name = touch.name.as_deref().unwrap_or_default();
    let Some(object) = namespace(touch.kind) else { return Resolved::At(path[0].clone()) };
    if let Some(schema) = path.iter().find(|s| known.objects.contains(&object(s, name))) {
        return Resolved::At(schema.clone());
    }
    let first_owner = owners.owner(&path[0]);
    if path.iter().all(|s| owners.owner(s) == first_owner) {
        return Resolved::At(path[0].clone());
    }
    Resolved::Ambiguous(path.clone())
}

/// How the migrations' facts name an object of `kind` (none for kinds they do not track).
fn namespace(kind: ObjectKind) -> Option<fn(&str, &str) -> Object> {
    use ObjectKind as K;
    match kind {
        K::Table | K::View | K::MaterializedView | K::ForeignTable | K::Sequence | K::Index | K::PartOf(_) => {
            Some(|s, n| Object::Relation(s.to_string(), n.to_string()))
        }
        K::Type | K::Domain => Some(|s, n| Object::Type(s.to_string(), n.to_string())),
        K::Function | K::Procedure | K::Routine | K::Aggregate => {
            Some(|s, n| Object::Function(s.to_string(), n.to_string(), None))
        }
        _ => None,
    }
}
