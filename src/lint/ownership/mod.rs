//! `parse` and `ownership`, decided on PostgreSQL's own grammar (libpg_query through
//! `pg_query`): every statement is reduced to the objects it creates, alters, drops,
//! comments on, grants on, hangs a trigger/policy/index/rule on, or writes rows to
//! ([`Touch`]), and each object's schema is compared with the schemas the file's
//! project owns.

mod bodies;
mod ddl;
mod dml;
mod dynamic;
pub(crate) mod grants;
mod privileges;
mod resolve;

use std::collections::HashMap;
use std::path::Path;

use pg_query::protobuf;
use pg_query::{Node, NodeEnum};

pub(crate) use super::touch::{BodyEffect, Effect, ObjectKind, Part, PendingTouch, Place, Touch, Verb, ALL_SCHEMAS};
pub(crate) use grants::Grants;
pub(crate) use resolve::ownership_findings;

use super::facts::{statement_events, Statement};
use super::nodes::strings;
use super::search_path::Scope;
use super::{Code, Diagnostic};
use crate::registry::Project;
use crate::text::{line_col, offset, LineIndex};
use crate::workspace::Repo;

/// Who owns which schema: each linked project its own, the platform every other one.
#[derive(Debug, Clone, Default)]
pub(crate) struct Owners {
    by_schema: HashMap<String, String>,
    /// What mynatca.toml lets a project do in schemas it does not own.
    grants: Grants,
}

impl Owners {
    pub(crate) fn new(projects: &[Project]) -> Owners {
        let by_schema = projects.iter().map(|p| (p.schema.clone(), p.name.clone())).collect();
        Owners { by_schema, grants: Grants::default() }
    }

    pub(crate) fn with_grants(self, grants: Grants) -> Owners {
        Owners { grants, ..self }
    }

    pub(crate) fn owner(&self, schema: &str) -> &str {
        self.by_schema.get(schema).map_or(Repo::PLATFORM, String::as_str)
    }

    /// The schema a linked project owns.
    pub(crate) fn schema_of(&self, project: &str) -> Option<&str> {
        self.by_schema.iter().find(|(_, p)| p.as_str() == project).map(|(s, _)| s.as_str())
    }
}

/// `parse` and `ownership` for one migration of `project` (a project name or
/// [`Repo::PLATFORM`]). A file PostgreSQL's parser rejects gets one `parse` finding at the
/// offending token and no ownership analysis.
#[cfg(test)]
pub(crate) fn sql_findings(path: &Path, sql: &str, project: &str, owners: &Owners) -> Vec<Diagnostic> {
    let (mut findings, statements) = analyze_sql(path, sql);
    if let Some(statements) = statements {
        let file = super::parsed::Parsed {
            path: path.to_path_buf(),
            project: project.to_string(),
            sql: sql.to_string(),
            statements,
            parses: true,
        };
        findings.extend(ownership_findings(&[&file], owners));
    }
    findings
}

/// `parse` and `transaction` findings for one migration and, when it parses, each
/// statement's facts: what `ownership` needs (judged later, in apply order, where
/// unqualified names can be resolved) and what `order` and `rls` need.
pub(crate) fn analyze_sql(path: &Path, sql: &str) -> (Vec<Diagnostic>, Option<Vec<Statement>>) {
    let mut findings = Vec::new();
    let mut statements = Vec::new();
    let mut analyzer = Analyzer::default();
    let mut lines = None;
    let parsed = crate::sqlerror::each_statement(sql, |raw| {
        let Some(node) = raw.stmt.as_ref().and_then(|s| s.node.as_ref()) else { return };
        let location = offset(raw.stmt_location);
        let end = if raw.stmt_len == 0 { sql.len() } else { (location + offset(raw.stmt_len)).min(sql.len()) };
        let body = if matches!(node, NodeEnum::CreateFunctionStmt(_) | NodeEnum::DoStmt(_)) {
            let line = lines.get_or_insert_with(|| LineIndex::new(sql)).line(location);
            let text = sql.get(location..end).unwrap_or_default();
            bodies::body_effects(node, bodies::Snippet { text, line }, &analyzer.scope)
        } else {
            Vec::new()
        };
        analyzer.statement(node);
        statements.push(Statement {
            location,
            end,
            events: statement_events(node, &analyzer.scope),
            touches: std::mem::take(&mut analyzer.touches),
            body,
        });
        analyzer.scope.after(node);
    });
    if let Err(err) = parsed {
        // The parse (or, for a large file, the split) failed: PostgreSQL's cursor says where.
        let ((line, column), message) = match crate::sqlerror::syntax_error(sql) {
            Some(error) => (line_col(sql, error.offset.unwrap_or(0)), error.message),
            None => match err {
                pg_query::Error::Parse(message) => ((1, 1), message),
                other => ((1, 1), other.to_string()),
            },
        };
        let finding =
            Diagnostic::new(Code::Parse, path, line, format!("PostgreSQL rejects this: {message}")).column(column);
        return (vec![finding], None);
    }
    findings.extend(super::transaction::transaction_findings(path, sql));
    (findings, Some(statements))
}

/// Walks statements in file order, keeping the file's `search_path` and temp tables.
#[derive(Debug, Default)]
struct Analyzer {
    scope: Scope,
    touches: Vec<PendingTouch>,
}

impl Analyzer {
    /// Records what `node` changes. Reads (FROM clauses, foreign keys, view queries,
    /// function bodies) are never looked at.
    fn statement(&mut self, node: &NodeEnum) {
        let _ = self.ddl(node) || self.dml(node) || self.privileges(node);
    }

    fn nested(&mut self, node: Option<&Node>) {
        if let Some(node) = node.and_then(|n| n.node.as_ref()) {
            self.statement(node);
        }
    }

    fn push(&mut self, verb: Verb, kind: ObjectKind, schema: Option<&str>, name: Option<&str>) {
        let is_temp = |s: &str| s == "pg_temp" || s.starts_with("pg_temp_");
        let place = match schema.filter(|s| !s.is_empty()) {
            Some(schema) => Place::Schema(schema.to_string()),
            None => {
                let mut path = self.scope.lookup_schemas();
                path.retain(|s| !is_temp(s));
                match path.len() {
                    0 => return,
                    1 => Place::Schema(path.remove(0)),
                    _ => Place::Path(path),
                }
            }
        };
        if matches!(&place, Place::Schema(s) if is_temp(s)) {
            return;
        }
        self.touches.push(PendingTouch { verb, kind, place, name: name.map(str::to_string) });
    }

    fn relation(&mut self, verb: Verb, kind: ObjectKind, rel: Option<&protobuf::RangeVar>) {
        let Some(rel) = rel else { return };
        if rel.relpersistence == "t" || (rel.schemaname.is_empty() && self.scope.temp.contains(&rel.relname)) {
            return;
        }
        self.push(verb, kind, Some(&rel.schemaname), Some(&rel.relname));
    }

    /// A dotted name (`[catalog.][schema.]name`) given as String nodes.
    fn names(&mut self, verb: Verb, kind: ObjectKind, names: &[Node]) {
        let parts = strings(names);
        match parts.as_slice() {
            [] => {}
            [name] if self.scope.temp.contains(*name) => {}
            [name] => self.push(verb, kind, None, Some(name)),
            [.., schema, name] => self.push(verb, kind, Some(schema), Some(name)),
        }
    }

    /// The schema itself (`kind` says what kind of object the verb is about, if any).
    fn schema(&mut self, verb: Verb, kind: ObjectKind, schema: &str) {
        if !schema.is_empty() {
            self.push(verb, kind, Some(schema), None);
        }
    }

    /// The object a DROP, COMMENT, GRANT, RENAME... names, in the node shape its kind uses.
    fn object(&mut self, verb: Verb, kind: i32, node: &Node) {
        let kind = ObjectKind::of_raw(kind);
        let Some(node) = node.node.as_ref() else { return };
        match node {
            NodeEnum::String(s) if kind == ObjectKind::Schema => self.schema(verb, kind, &s.sval),
            // Other single names (extensions, languages, roles...) live outside schemas.
            NodeEnum::String(_) => {}
            NodeEnum::List(list) => match kind {
                // [schema.]table.column / [schema.]table.constraint|trigger|policy|rule
                ObjectKind::PartOf(_) => {
                    let table = &list.items[..list.items.len().saturating_sub(1)];
                    self.names(verb, kind, table);
                }
                _ => self.names(verb, kind, &list.items),
            },
            NodeEnum::TypeName(t) => self.names(verb, kind, &t.names),
            NodeEnum::ObjectWithArgs(o) => self.names(verb, kind, &o.objname),
            NodeEnum::RangeVar(rel) => self.relation(verb, kind, Some(rel)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod body_tests;
#[cfg(test)]
pub(crate) mod tests;
