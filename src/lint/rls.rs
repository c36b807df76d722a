//! `rls`: what the Data API exposes. A table in an exposed schema the API roles may use
//! (`anon`, `authenticated` or PUBLIC hold USAGE on it: always for `public` and Supabase's
//! schemas unless revoked, for a schema the migrations create only once granted) without
//! row level security is readable with the anon key (error); a view there without
//! `security_invoker`, or a `SECURITY DEFINER` function without `SET search_path`, runs
//! with its owner's rights (warnings). The state is the one after every migration, in
//! apply order: an `ENABLE ROW LEVEL SECURITY` in a later file counts.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::facts::Event;
use super::parsed::Parsed;
use super::{Code, Diagnostic};

/// Where an object was created: file index in apply order and statement location.
#[derive(Debug, Clone, Copy)]
struct Origin {
    file: usize,
    location: usize,
}

/// A function by schema, name and number of input arguments.
type FunctionKey = (String, String, Option<usize>);

#[derive(Debug, Default)]
struct State {
    tables: BTreeMap<(String, String), (Origin, bool)>,
    views: BTreeMap<(String, String), (Origin, bool)>,
    /// (schema, name, arity) to (origin, definer, search_path set).
    functions: BTreeMap<FunctionKey, (Origin, bool, bool)>,
    /// Schemas the migrations create: no role but the owner may use one until granted.
    created: HashSet<String>,
    /// The API roles (`anon`, `authenticated`, `public`) holding USAGE on a schema whose
    /// privileges a migration changed.
    usage: BTreeMap<String, BTreeSet<String>>,
}

/// The roles through which the Data API reaches a schema.
const API_ROLES: [&str; 3] = ["anon", "authenticated", "public"];

impl State {
    /// Whether the API roles can use `schema`: what the migrations granted and revoked; a
    /// schema they create starts with none, any other (public, Supabase's) with all.
    fn reachable(&self, schema: &str) -> bool {
        match self.usage.get(schema) {
            Some(roles) => !roles.is_empty(),
            None => !self.created.contains(schema),
        }
    }
}

/// `files` in apply order; `exposed` are config.toml's `[api] schemas`.
pub(crate) fn rls_findings(files: &[&Parsed], exposed: &HashSet<String>) -> Vec<Diagnostic> {
    let mut state = State::default();
    for (file, parsed) in files.iter().enumerate() {
        for statement in &parsed.statements {
            let origin = Origin { file, location: statement.location };
            for event in &statement.events {
                state.apply(event, origin);
            }
        }
    }
    let mut found: Vec<(Origin, Diagnostic)> = Vec::new();
    let is_exposed = |schema: &str| exposed.contains(schema) && state.reachable(schema);
    for ((schema, name), (origin, on)) in &state.tables {
        if !on && is_exposed(schema) {
            let message = format!(
                "table {schema}.{name} is in schema {schema}, which the Data API exposes, and no migration enables row level security on it, so anyone with the anon key can read and write it; add `alter table {schema}.{name} enable row level security;` and policies"
            );
            found.push((*origin, Diagnostic::new(Code::Rls, &files[origin.file].path, 0, message)));
        }
    }
    for ((schema, name), (origin, invoker)) in &state.views {
        if !invoker && is_exposed(schema) {
            let message = format!(
                "view {schema}.{name} in exposed schema {schema} runs with its owner's rights, bypassing row level security; create it `with (security_invoker = true)`"
            );
            found.push((*origin, Diagnostic::new(Code::Rls, &files[origin.file].path, 0, message).warning()));
        }
    }
    for ((schema, name, _), (origin, definer, search_path)) in &state.functions {
        if *definer && !search_path && is_exposed(schema) {
            let message = format!(
                "SECURITY DEFINER function {schema}.{name} in exposed schema {schema} has no `SET search_path`, so a caller's objects can stand in for the ones it means; add `set search_path = ''` and qualify names"
            );
            found.push((*origin, Diagnostic::new(Code::Rls, &files[origin.file].path, 0, message).warning()));
        }
    }
    let mut sources: BTreeMap<usize, _> = BTreeMap::new();
    found
        .into_iter()
        .filter_map(|(origin, mut finding)| {
            let source = sources.entry(origin.file).or_insert_with(|| files[origin.file].source());
            let (line, allowed) = source.allowed_at(origin.location, "rls");
            finding.line = Some(line);
            (!allowed).then_some(finding)
        })
        .collect()
}

impl State {
    fn apply(&mut self, event: &Event, origin: Origin) {
        match event {
            Event::Table(schema, name) => {
                self.tables.insert((schema.clone(), name.clone()), (origin, false));
            }
            Event::RowSecurity(schema, name, on) => {
                if let Some(table) = self.tables.get_mut(&(schema.clone(), name.clone())) {
                    table.1 = *on;
                }
            }
            Event::Renamed(from, to) => {
                if let Some(table) = self.tables.remove(from) {
                    self.tables.insert(to.clone(), table);
                }
                if let Some(view) = self.views.remove(from) {
                    self.views.insert(to.clone(), view);
                }
            }
            Event::Dropped(schema, name) => {
                self.tables.remove(&(schema.clone(), name.clone()));
            }
            Event::View { schema, name, invoker, created: true } => {
                self.views.insert((schema.clone(), name.clone()), (origin, *invoker));
            }
            Event::View { schema, name, invoker, created: false } => {
                if let Some(view) = self.views.get_mut(&(schema.clone(), name.clone())) {
                    view.1 = *invoker;
                }
            }
            Event::Function { schema, name, arity, created: true, definer, search_path } => {
                let key = (schema.clone(), name.clone(), *arity);
                let (definer, search_path) = (definer.unwrap_or(false), search_path.unwrap_or(false));
                if definer {
                    self.functions.insert(key, (origin, definer, search_path));
                } else {
                    self.functions.remove(&key);
                }
            }
            Event::Function { schema, name, arity, created: false, definer, search_path } => {
                // ALTER FUNCTION: one arity, or every one when the arguments are not given.
                for ((s, n, a), function) in self.functions.iter_mut() {
                    if s == schema && n == name && (arity.is_none() || a == arity) {
                        function.1 = definer.unwrap_or(function.1);
                        function.2 = search_path.unwrap_or(function.2);
                    }
                }
            }
            Event::Create(super::facts::Object::Schema(schema)) => {
                self.created.insert(schema.clone());
            }
            Event::SchemaUsage { schema, roles, granted } => {
                let created = self.created.contains(schema);
                let held = self.usage.entry(schema.clone()).or_insert_with(|| {
                    if created {
                        BTreeSet::new()
                    } else {
                        API_ROLES.iter().map(|r| r.to_string()).collect()
                    }
                });
                for role in roles.iter().filter(|r| API_ROLES.contains(&r.as_str())) {
                    if *granted {
                        held.insert(role.clone());
                    } else {
                        held.remove(role);
                    }
                }
            }
            Event::Create(_) | Event::Reference(_) => {}
        }
    }
}
