//! References: the objects a statement names, resolved through the search_path.

use std::collections::HashSet;

use pg_query::protobuf::{self, GrantTargetType, ObjectType};
use pg_query::{Node, NodeEnum, NodeRef};

use super::{is_temp_schema, Event, Facts, Object};
use crate::lint::nodes::strings;

impl Facts<'_> {
    pub(super) fn grant(&mut self, s: &protobuf::GrantStmt) {
        match GrantTargetType::try_from(s.targtype) {
            Ok(GrantTargetType::AclTargetAllInSchema) => {
                for schema in strings(&s.objects) {
                    self.events.push(Event::Reference(vec![Object::Schema(schema.to_string())]));
                }
            }
            Ok(GrantTargetType::AclTargetObject) => {
                for object in &s.objects {
                    self.object_ref(s.objtype, object);
                }
                if ObjectType::try_from(s.objtype) == Ok(ObjectType::ObjectSchema) && grants_usage(s) {
                    let roles: Vec<String> = s.grantees.iter().filter_map(role_name).collect();
                    for schema in strings(&s.objects) {
                        let (schema, roles) = (schema.to_string(), roles.clone());
                        self.events.push(Event::SchemaUsage { schema, roles, granted: s.is_grant });
                    }
                }
            }
            _ => {}
        }
    }

    /// The object a GRANT, COMMENT, DROP, OWNER TO... names, in the node shape its kind uses.
    pub(super) fn object_ref(&mut self, kind: i32, node: &Node) {
        use ObjectType as O;
        let kind = O::try_from(kind).unwrap_or(O::Undefined);
        match (kind, node.node.as_ref()) {
            (O::ObjectSchema, Some(NodeEnum::String(s))) => {
                self.events.push(Event::Reference(vec![Object::Schema(s.sval.clone())]))
            }
            (O::ObjectColumn, Some(NodeEnum::List(list))) => {
                let parts = strings(&list.items);
                if let Some((column, table)) = parts.split_last() {
                    let tables = self.lookup_parts(table);
                    let refs = tables.into_iter().map(|(s, t)| Object::Column(s, t, column.to_string())).collect();
                    self.events.push(Event::Reference(refs));
                }
            }
            (
                O::ObjectTabconstraint | O::ObjectTrigger | O::ObjectPolicy | O::ObjectRule,
                Some(NodeEnum::List(list)),
            ) => {
                let table = &list.items[..list.items.len().saturating_sub(1)];
                self.relation_names_ref(table);
            }
            (
                O::ObjectTable | O::ObjectView | O::ObjectMatview | O::ObjectForeignTable | O::ObjectSequence,
                Some(NodeEnum::List(list)),
            ) => self.relation_names_ref(&list.items),
            (
                O::ObjectTable | O::ObjectView | O::ObjectMatview | O::ObjectForeignTable | O::ObjectSequence,
                Some(NodeEnum::RangeVar(rel)),
            ) => self.relation_ref(rel),
            (O::ObjectType | O::ObjectDomain, Some(NodeEnum::TypeName(t))) => self.names_ref(&t.names, Object::Type),
            (O::ObjectFunction | O::ObjectProcedure | O::ObjectRoutine, Some(NodeEnum::ObjectWithArgs(o))) => {
                self.function_ref(&o.objname, (!o.args_unspecified).then_some(o.objargs.len()));
            }
            _ => {}
        }
    }

    /// Every relation a query reads or writes (CTE names excluded).
    pub(super) fn reads(&mut self, node: &NodeEnum) {
        let nodes = node.nodes();
        let ctes: HashSet<&str> = nodes
            .iter()
            .filter_map(|(n, ..)| match n {
                NodeRef::CommonTableExpr(cte) => Some(cte.ctename.as_str()),
                _ => None,
            })
            .collect();
        for (n, ..) in &nodes {
            if let NodeRef::RangeVar(rel) = n {
                if rel.schemaname.is_empty() && ctes.contains(rel.relname.as_str()) {
                    continue;
                }
                self.relation_ref(rel);
            }
        }
    }

    pub(super) fn range_var_ref(&mut self, node: &Node) {
        if let Some(NodeEnum::RangeVar(rel)) = &node.node {
            self.relation_ref(rel);
        }
    }

    pub(super) fn opt_relation_ref(&mut self, rel: Option<&protobuf::RangeVar>) {
        if let Some(rel) = rel {
            self.relation_ref(rel);
        }
    }

    pub(super) fn relation_ref(&mut self, rel: &protobuf::RangeVar) {
        let refs: Vec<Object> = self.lookup(rel).into_iter().map(|(s, n)| Object::Relation(s, n)).collect();
        if !refs.is_empty() {
            self.events.push(Event::Reference(refs));
        }
    }

    pub(super) fn relation_names_ref(&mut self, names: &[Node]) {
        self.names_ref(names, Object::Relation);
    }

    pub(super) fn names_ref(&mut self, names: &[Node], make: fn(String, String) -> Object) {
        let refs: Vec<Object> = self.lookup_names(names).into_iter().map(|(s, n)| make(s, n)).collect();
        if !refs.is_empty() {
            self.events.push(Event::Reference(refs));
        }
    }

    pub(super) fn column_ref(&mut self, rel: &protobuf::RangeVar, column: &str) {
        let refs: Vec<Object> =
            self.lookup(rel).into_iter().map(|(s, t)| Object::Column(s, t, column.to_string())).collect();
        if !refs.is_empty() {
            self.events.push(Event::Reference(refs));
        }
    }

    pub(super) fn type_ref(&mut self, type_name: Option<&protobuf::TypeName>) {
        if let Some(t) = type_name {
            // Built-in types (`text`, `pg_catalog.int4`) are never created by a migration.
            self.names_ref(&t.names, Object::Type);
        }
    }

    pub(super) fn function_ref(&mut self, names: &[Node], arity: Option<usize>) {
        let refs: Vec<Object> =
            self.lookup_names(names).into_iter().map(|(s, n)| Object::Function(s, n, arity)).collect();
        if !refs.is_empty() {
            self.events.push(Event::Reference(refs));
        }
    }

    /// `(schema, name)` of a dotted name, the schema `None` when unqualified.
    pub(super) fn qualified(&self, names: &[Node]) -> Option<(Option<String>, String)> {
        match strings(names).as_slice() {
            [] => None,
            [name] => Some((None, name.to_string())),
            [.., schema, name] => Some((Some(schema.to_string()), name.to_string())),
        }
    }

    pub(super) fn lookup(&self, rel: &protobuf::RangeVar) -> Vec<(String, String)> {
        if rel.relpersistence == "t" || (rel.schemaname.is_empty() && self.scope.temp.contains(&rel.relname)) {
            return Vec::new();
        }
        self.candidates(&rel.schemaname, &rel.relname)
    }

    pub(super) fn lookup_names(&self, names: &[Node]) -> Vec<(String, String)> {
        self.lookup_parts(&strings(names))
    }

    pub(super) fn lookup_parts(&self, parts: &[&str]) -> Vec<(String, String)> {
        match parts {
            [] => Vec::new(),
            [name] if self.scope.temp.contains(*name) => Vec::new(),
            [name] => self.candidates("", name),
            [.., schema, name] => self.candidates(schema, name),
        }
    }

    pub(super) fn candidates(&self, schema: &str, name: &str) -> Vec<(String, String)> {
        if !schema.is_empty() {
            return if is_temp_schema(schema) { Vec::new() } else { vec![(schema.to_string(), name.to_string())] };
        }
        self.scope.lookup_schemas().into_iter().map(|s| (s, name.to_string())).collect()
    }
}

/// `USAGE` among the privileges, or every privilege (an empty list is `ALL`).
fn grants_usage(s: &protobuf::GrantStmt) -> bool {
    s.privileges.is_empty()
        || s.privileges
            .iter()
            .any(|p| matches!(p.node.as_ref(), Some(NodeEnum::AccessPriv(a)) if a.priv_name == "usage"))
}

/// A grantee's name, lowercase; `public` for PUBLIC.
fn role_name(node: &Node) -> Option<String> {
    match node.node.as_ref()? {
        NodeEnum::RoleSpec(r) if r.roletype == protobuf::RoleSpecType::RolespecPublic as i32 => {
            Some("public".to_string())
        }
        NodeEnum::RoleSpec(r) => Some(r.rolename.to_lowercase()),
        _ => None,
    }
}
