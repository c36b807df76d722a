//! How unqualified names resolve in a migration, statement by statement: the file's
//! `search_path` and the temporary tables it has created.

use std::collections::HashSet;

use pg_query::protobuf::VariableSetKind;
use pg_query::NodeEnum;

use super::nodes::{const_string, strings};

/// Schemas the Supabase base image and its extensions provide: they and their objects
/// exist before the first migration.
pub(crate) const BASE_SCHEMAS: &[&str] = &[
    "auth",
    "storage",
    "extensions",
    "realtime",
    "vault",
    "graphql",
    "graphql_public",
    "pgsodium",
    "pgsodium_masks",
    "net",
    "cron",
    "supabase_functions",
    "pg_catalog",
    "information_schema",
];

/// The name-resolution state of one file, in file order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Scope {
    /// `None` until the file sets it: then `public`.
    pub(crate) search_path: Option<Vec<String>>,
    /// Unqualified names of temporary tables created so far (they live in pg_temp).
    pub(crate) temp: HashSet<String>,
}

impl Scope {
    /// Where an unqualified name resolves: the first schema of the search_path (`$user`
    /// skipped, as no schema is named after the migration role). None for an empty path,
    /// where PostgreSQL itself would fail.
    pub(crate) fn default_schema(&self) -> Option<String> {
        match &self.search_path {
            None => Some("public".to_string()),
            Some(path) => path.iter().find(|s| s.as_str() != "$user").cloned(),
        }
    }

    /// The schemas an unqualified name is looked up in, in order (`$user` skipped).
    pub(crate) fn lookup_schemas(&self) -> Vec<String> {
        match &self.search_path {
            None => vec!["public".to_string()],
            Some(path) => path.iter().filter(|s| s.as_str() != "$user").cloned().collect(),
        }
    }

    /// Takes in a statement that changes how later names resolve.
    pub(crate) fn after(&mut self, node: &NodeEnum) {
        match node {
            NodeEnum::VariableSetStmt(s) if s.name == "search_path" => match VariableSetKind::try_from(s.kind) {
                Ok(VariableSetKind::VarSetValue) => {
                    // `SET search_path = ''` leaves nothing to resolve to, like set_config's ''.
                    let path = s.args.iter().filter_map(const_string).filter(|s| !s.is_empty());
                    self.search_path = Some(path.map(str::to_string).collect());
                }
                Ok(VariableSetKind::VarSetDefault | VariableSetKind::VarReset) => self.search_path = None,
                _ => {}
            },
            NodeEnum::VariableSetStmt(s) if VariableSetKind::try_from(s.kind) == Ok(VariableSetKind::VarResetAll) => {
                self.search_path = None;
            }
            NodeEnum::SelectStmt(s) => {
                if let Some(value) = set_config_search_path(s) {
                    self.search_path = Some(parse_search_path(value));
                }
                // `SELECT ... INTO TEMP t`
                self.note_temp(s.into_clause.as_ref().and_then(|into| into.rel.as_ref()));
            }
            NodeEnum::CreateStmt(s) => self.note_temp(s.relation.as_ref()),
            // `CREATE TEMP TABLE t AS ...`
            NodeEnum::CreateTableAsStmt(s) => self.note_temp(s.into.as_ref().and_then(|into| into.rel.as_ref())),
            _ => {}
        }
    }
}

impl Scope {
    /// A temporary table, by whichever statement created it, lives in pg_temp.
    fn note_temp(&mut self, rel: Option<&pg_query::protobuf::RangeVar>) {
        if let Some(rel) = rel.filter(|r| r.relpersistence == "t") {
            self.temp.insert(rel.relname.clone());
        }
    }
}

/// The value of `SELECT [pg_catalog.]set_config('search_path', '...', ...)` (the last, if several).
fn set_config_search_path(s: &pg_query::protobuf::SelectStmt) -> Option<&str> {
    let mut found = None;
    for target in &s.target_list {
        let Some(NodeEnum::ResTarget(target)) = &target.node else { continue };
        let Some(NodeEnum::FuncCall(call)) = target.val.as_ref().and_then(|v| v.node.as_ref()) else {
            continue;
        };
        let name = strings(&call.funcname);
        if !matches!(name.as_slice(), ["set_config"] | ["pg_catalog", "set_config"]) {
            continue;
        }
        if let [setting, value, ..] = call.args.as_slice() {
            if const_string(setting) == Some("search_path") {
                found = const_string(value).or(found);
            }
        }
    }
    found
}

/// A search_path setting as text: `pay, "Mixed", public`.
fn parse_search_path(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            Some(quoted) => quoted.replace("\"\"", "\""),
            None => s.to_lowercase(),
        })
        .collect()
}
