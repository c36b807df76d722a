//! `order`: the workspace applies migrations byte-wise by file name across repos, so a
//! reference to an object that only a later file creates works on a database that
//! applied them in another order, and fails on a fresh reset.

use rustc_hash::FxHashMap as HashMap;

use super::facts::{Event, Object};
use super::parsed::Parsed;
use super::search_path::BASE_SCHEMAS;
use super::{Code, Diagnostic};

/// `files` in apply order.
pub(crate) fn order_findings(files: &[&Parsed]) -> Vec<Diagnostic> {
    let created = first_creations(files);
    let mut findings = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let mut source = file.source();
        for statement in &file.statements {
            let mut seen = Vec::new();
            for event in &statement.events {
                let Event::Reference(candidates) = event else { continue };
                let Some((object, later)) = only_later(&created, candidates, index) else { continue };
                let later = files[later];
                let message = format!(
                    "{object} is only created later, by {} ({}): a fresh `supabase db reset` applies files by name and fails here; give this migration a later version than that one",
                    later.name(),
                    later.project
                );
                if seen.contains(&message) {
                    continue;
                }
                let (line, allowed) = source.allowed_at(statement.location, "order");
                if !allowed {
                    findings.push(Diagnostic::new(Code::Order, &file.path, line, message.clone()));
                }
                seen.push(message);
            }
        }
    }
    findings
}

/// The first file (index in apply order) that creates each object, functions also
/// under any arity.
fn first_creations(files: &[&Parsed]) -> HashMap<Object, usize> {
    let mut created = HashMap::default();
    for (index, file) in files.iter().enumerate() {
        for event in file.statements.iter().flat_map(|s| &s.events) {
            if let Event::Create(object) = event {
                created.entry(object.clone()).or_insert(index);
                if let Object::Function(schema, name, Some(_)) = object {
                    created.entry(Object::Function(schema.clone(), name.clone(), None)).or_insert(index);
                }
            }
        }
    }
    created
}

/// The object a reference means and the later file that first creates it, when none of
/// its candidates exists by file `index` but one is created later.
fn only_later(created: &HashMap<Object, usize>, candidates: &[Object], index: usize) -> Option<(Object, usize)> {
    let mut later: Option<(Object, usize)> = None;
    for candidate in candidates {
        if provided_by_base(candidate) {
            return None;
        }
        match created.get(candidate) {
            Some(&at) if at <= index => return None,
            Some(&at) if later.as_ref().is_none_or(|(_, l)| at < *l) => later = Some((candidate.clone(), at)),
            _ => {}
        }
        // A column of a table that does not exist yet is reported at the table.
        if let Object::Column(schema, table, _) = candidate {
            let table = Object::Relation(schema.clone(), table.clone());
            if created.get(&table).is_none_or(|&at| at > index) {
                return None;
            }
        }
    }
    later
}

fn provided_by_base(object: &Object) -> bool {
    let schema = match object {
        Object::Schema(schema) => return schema == "public" || BASE_SCHEMAS.contains(&schema.as_str()),
        Object::Relation(schema, _)
        | Object::Type(schema, _)
        | Object::Function(schema, _, _)
        | Object::Column(schema, _, _) => schema,
    };
    BASE_SCHEMAS.contains(&schema.as_str())
}
