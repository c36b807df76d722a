//! What each statement of a migration means for the workspace-wide rules (`order`,
//! `rls`): the objects it creates and references, and the security settings it makes.
//! Read once per file, in the same pass as `ownership`.

mod functions;
mod refs;
mod tables;

use std::fmt;

use pg_query::protobuf::{self, ObjectType};
use pg_query::{Node, NodeEnum};

use super::search_path::Scope;
use functions::security_invoker;

/// A schema object, as far as apply order is concerned.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Object {
    Schema(String),
    /// Tables, views, materialized views, foreign tables and sequences share one namespace.
    Relation(String, String),
    Type(String, String),
    /// Name and number of input arguments (`None` in a reference: any).
    Function(String, String, Option<usize>),
    Column(String, String, String),
}

impl fmt::Display for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Object::Schema(s) => write!(f, "schema {s}"),
            Object::Relation(s, n) => write!(f, "{s}.{n}"),
            Object::Type(s, n) => write!(f, "type {s}.{n}"),
            Object::Function(s, n, Some(arity)) => write!(f, "function {s}.{n}/{arity}"),
            Object::Function(s, n, None) => write!(f, "function {s}.{n}"),
            Object::Column(s, t, c) => write!(f, "column {s}.{t}.{c}"),
        }
    }
}

/// One fact of one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    Create(Object),
    /// A lookup: the first candidate that exists is meant (one per search_path schema).
    Reference(Vec<Object>),
    /// A plain table was created (row level security matters for it).
    Table(String, String),
    RowSecurity(String, String, bool),
    /// A relation renamed or moved: (schema, name) to (schema, name).
    Renamed((String, String), (String, String)),
    Dropped(String, String),
    /// A view created (with `security_invoker` or not) or altered to set it.
    View {
        schema: String,
        name: String,
        invoker: bool,
        created: bool,
    },
    /// `GRANT`/`REVOKE USAGE` (or `ALL`) `ON SCHEMA`: the roles (lowercase; `public` for
    /// PUBLIC), and whether granted.
    SchemaUsage {
        schema: String,
        roles: Vec<String>,
        granted: bool,
    },
    /// A function created or altered: `definer`/`search_path` when the statement says.
    Function {
        schema: String,
        name: String,
        arity: Option<usize>,
        created: bool,
        definer: Option<bool>,
        search_path: Option<bool>,
    },
}

/// One statement of a migration: where it starts (libpg_query's location) and its facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Statement {
    pub(crate) location: usize,
    /// Where it ends (its `;`, or the end of the file), a byte offset like `location`.
    pub(crate) end: usize,
    pub(crate) events: Vec<Event>,
    /// What it changes, for `ownership`.
    pub(crate) touches: Vec<crate::lint::touch::PendingTouch>,
    /// What a function's or `DO` block's body changes, for `ownership`.
    pub(crate) body: Vec<crate::lint::touch::BodyEffect>,
}

/// The facts of one statement, given the file's name resolution so far.
pub(crate) fn statement_events(node: &NodeEnum, scope: &Scope) -> Vec<Event> {
    let mut facts = Facts { scope, events: Vec::new() };
    facts.statement(node);
    facts.events
}

struct Facts<'a> {
    scope: &'a Scope,
    events: Vec<Event>,
}

impl Facts<'_> {
    fn statement(&mut self, node: &NodeEnum) {
        use NodeEnum as N;
        match node {
            N::CreateStmt(s) => self.create_table(s, true),
            N::CreateForeignTableStmt(s) => {
                if let Some(base) = &s.base_stmt {
                    self.create_table(base, false);
                }
            }
            N::CreateTableAsStmt(s) => {
                let table = ObjectType::try_from(s.objtype) == Ok(ObjectType::ObjectTable);
                if let Some(rel) = s.into.as_ref().and_then(|i| i.rel.as_ref()) {
                    self.created_relation(rel, table);
                }
                if let Some(query) = s.query.as_ref().and_then(|q| q.node.as_ref()) {
                    self.reads(query);
                }
            }
            N::ViewStmt(s) => {
                if let Some((schema, name)) = s.view.as_ref().and_then(|v| self.creation(v)) {
                    self.events.push(Event::Create(Object::Relation(schema.clone(), name.clone())));
                    let invoker = security_invoker(&s.options).unwrap_or(false);
                    self.events.push(Event::View { schema, name, invoker, created: true });
                }
                if let Some(query) = s.query.as_ref().and_then(|q| q.node.as_ref()) {
                    self.reads(query);
                }
            }
            N::CreateSeqStmt(s) => {
                if let Some(rel) = &s.sequence {
                    self.created_relation(rel, false);
                }
            }
            N::CreateSchemaStmt(s) => {
                self.events.push(Event::Create(Object::Schema(s.schemaname.clone())));
                let mut inner = self.scope.clone();
                inner.search_path = Some(vec![s.schemaname.clone()]);
                for element in s.schema_elts.iter().filter_map(|e| e.node.as_ref()) {
                    self.events.extend(statement_events(element, &inner));
                }
            }
            N::CreateFunctionStmt(s) => self.create_function(s),
            N::AlterFunctionStmt(s) => self.alter_function(s),
            N::DefineStmt(s) if ObjectType::try_from(s.kind) == Ok(ObjectType::ObjectType) => {
                self.created_type(&s.defnames)
            }
            N::CreateEnumStmt(s) => self.created_type(&s.type_name),
            N::CreateRangeStmt(s) => self.created_type(&s.type_name),
            N::CreateDomainStmt(s) => {
                self.created_type(&s.domainname);
                self.type_ref(s.type_name.as_ref());
            }
            N::CompositeTypeStmt(s) => {
                if let Some((schema, name)) = s.typevar.as_ref().and_then(|v| self.creation(v)) {
                    self.events.push(Event::Create(Object::Type(schema, name)));
                }
            }
            N::AlterTableStmt(s) => self.alter_table(s),
            _ => self.other(node),
        }
    }

    /// Statements that only reference objects, or rename and drop them.
    fn other(&mut self, node: &NodeEnum) {
        use NodeEnum as N;
        match node {
            N::InsertStmt(_) | N::UpdateStmt(_) | N::DeleteStmt(_) | N::MergeStmt(_) | N::SelectStmt(_) => {
                self.reads(node)
            }
            N::TruncateStmt(s) => s.relations.iter().for_each(|r| self.range_var_ref(r)),
            N::CopyStmt(s) => match &s.relation {
                Some(rel) => self.relation_ref(rel),
                None => self.reads(node),
            },
            N::CreateTrigStmt(s) => {
                self.opt_relation_ref(s.relation.as_ref());
                self.function_ref(&s.funcname, Some(0));
            }
            N::CreatePolicyStmt(s) => self.opt_relation_ref(s.table.as_ref()),
            N::AlterPolicyStmt(s) => self.opt_relation_ref(s.table.as_ref()),
            N::IndexStmt(s) => {
                self.opt_relation_ref(s.relation.as_ref());
                if let Some(rel) = &s.relation {
                    for param in &s.index_params {
                        if let Some(NodeEnum::IndexElem(e)) = &param.node {
                            if !e.name.is_empty() {
                                self.column_ref(rel, &e.name);
                            }
                        }
                    }
                }
            }
            N::RuleStmt(s) => self.opt_relation_ref(s.relation.as_ref()),
            N::GrantStmt(s) => self.grant(s),
            N::CommentStmt(s) => {
                if let Some(object) = &s.object {
                    self.object_ref(s.objtype, object);
                }
            }
            N::AlterOwnerStmt(s) => match (&s.relation, &s.object) {
                (Some(rel), _) => self.relation_ref(rel),
                (None, Some(object)) => self.object_ref(s.object_type, object),
                _ => {}
            },
            N::RenameStmt(s) => self.rename(s),
            N::AlterObjectSchemaStmt(s) => self.move_schema(s),
            N::DropStmt(s) => self.drop(s),
            N::RefreshMatViewStmt(s) => self.opt_relation_ref(s.relation.as_ref()),
            N::AlterSeqStmt(s) if !s.missing_ok => self.opt_relation_ref(s.sequence.as_ref()),
            N::ExplainStmt(s) => {
                if let Some(query) = s.query.as_ref().and_then(|q| q.node.as_ref()) {
                    self.statement(query);
                }
            }
            _ => {}
        }
    }

    /// Where a relation being created lands; `None` for temporary ones.
    fn creation(&self, rel: &protobuf::RangeVar) -> Option<(String, String)> {
        if rel.relpersistence == "t" {
            return None;
        }
        let schema = if rel.schemaname.is_empty() { self.scope.default_schema()? } else { rel.schemaname.clone() };
        (!is_temp_schema(&schema)).then(|| (schema, rel.relname.clone()))
    }

    fn created_relation(&mut self, rel: &protobuf::RangeVar, plain_table: bool) {
        let Some((schema, name)) = self.creation(rel) else { return };
        if !rel.schemaname.is_empty() {
            self.events.push(Event::Reference(vec![Object::Schema(schema.clone())]));
        }
        self.events.push(Event::Create(Object::Relation(schema.clone(), name.clone())));
        if plain_table {
            self.events.push(Event::Table(schema, name));
        }
    }

    fn created_type(&mut self, names: &[Node]) {
        if let Some((schema, name)) =
            self.qualified(names).and_then(|(s, n)| Some((s.or_else(|| self.scope.default_schema())?, n)))
        {
            self.events.push(Event::Create(Object::Type(schema, name)));
        }
    }
}

fn is_temp_schema(schema: &str) -> bool {
    schema == "pg_temp" || schema.starts_with("pg_temp_")
}

#[cfg(test)]
mod tests;
