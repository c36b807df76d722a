//! The rules behind `mynatca check`. Each rule takes what the command gathered (a file
//! name, a migration's SQL, the link plan, config.toml) and returns [`Finding`]s; the
//! command does the reading and the printing.
//!
//! Ownership is decided on PostgreSQL's own grammar (libpg_query through `pg_query`):
//! every statement is reduced to the objects it creates, alters, drops, comments on,
//! grants on, hangs a trigger/policy/index/rule on, or writes rows to, and each object's
//! schema is compared with the schemas the file's project owns.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use pg_query::protobuf::{self, a_const, GrantTargetType, ObjectType, Token, VariableSetKind};
use pg_query::{Node, NodeEnum};

use crate::fsutil;
use crate::migration;
use crate::reconcile::{self, Action, ConflictKind, WarningKind, PLATFORM};
use crate::registry::Project;
use crate::workspace::Workspace;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Error,
    Warning,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// The rules of the SPEC's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    Registry,
    StaleLink,
    BrokenLink,
    ForeignLink,
    Conflict,
    DuplicateVersion,
    NamePattern,
    NameStyle,
    NamePrefix,
    Ownership,
    Parse,
    ConfigSchemas,
    ConfigSeeds,
    TrackedLink,
    Hooks,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Registry => "registry",
            Rule::StaleLink => "stale-link",
            Rule::BrokenLink => "broken-link",
            Rule::ForeignLink => "foreign-link",
            Rule::Conflict => "conflict",
            Rule::DuplicateVersion => "duplicate-version",
            Rule::NamePattern => "name-pattern",
            Rule::NameStyle => "name-style",
            Rule::NamePrefix => "name-prefix",
            Rule::Ownership => "ownership",
            Rule::Parse => "parse",
            Rule::ConfigSchemas => "config-schemas",
            Rule::ConfigSeeds => "config-seeds",
            Rule::TrackedLink => "tracked-link",
            Rule::Hooks => "hooks",
        }
    }

    /// The rule's level in the SPEC's table (a `DO` block is the one warning under `ownership`).
    pub fn level(self) -> Level {
        match self {
            Rule::NamePattern
            | Rule::NameStyle
            | Rule::NamePrefix
            | Rule::ConfigSchemas
            | Rule::ConfigSeeds
            | Rule::Hooks => Level::Warning,
            _ => Level::Error,
        }
    }
}

/// One problem, at an absolute path and a 1-based line (1 for a whole file or folder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub level: Level,
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl Finding {
    /// A finding at the rule's own level.
    pub fn new(rule: Rule, path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Finding {
        Finding { rule, level: rule.level(), path: path.into(), line, message: message.into() }
    }
}

// ---------------------------------------------------------------------------------------
// Names

/// `name-pattern`, `name-style` and (for a linked project, whose schema is given)
/// `name-prefix` for the migration file at `path`.
pub fn name_findings(path: &Path, schema: Option<&str>) -> Vec<Finding> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let Some(parsed) = migration::parse(&name) else {
        return vec![Finding::new(
            Rule::NamePattern,
            path,
            1,
            format!("{name} is not <digits>_<name>.sql, so the Supabase CLI skips it; rename it (`mynatca new` makes a proper name)"),
        )];
    };
    let mut findings = Vec::new();
    if parsed.version.len() != 14 {
        findings.push(Finding::new(
            Rule::NameStyle,
            path,
            1,
            format!("version {} is not 14 digits (UTC YYYYMMDDHHMMSS); `mynatca new` picks one", parsed.version),
        ));
    }
    let description = parsed.description;
    if description.is_empty() || !description.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_')) {
        let suggestion = suggested_description(description);
        let hint = if suggestion.is_empty() {
            "add a description of lowercase letters, digits and underscores".to_string()
        } else {
            format!("rename it to {}_{suggestion}.sql", parsed.version)
        };
        findings.push(Finding::new(
            Rule::NameStyle,
            path,
            1,
            format!("description {description:?} is not lowercase with underscores; {hint}"),
        ));
    }
    if let Some(schema) = schema {
        // Judged on the lowercased form: `Pay-Mixed` is a style problem, not a missing prefix.
        if !has_word(&suggested_description(description), schema) {
            findings.push(Finding::new(
                Rule::NamePrefix,
                path,
                1,
                format!(
                    "description {description:?} does not name the schema {schema}; call it {schema}_{}",
                    suggested_description(description)
                ),
            ));
        }
    }
    findings
}

/// Lowercase, with every run of other characters turned into one underscore.
fn suggested_description(description: &str) -> String {
    let mut out = String::with_capacity(description.len());
    for c in description.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// `schema` as whole underscore-separated words of `description`.
fn has_word(description: &str, schema: &str) -> bool {
    format!("_{description}_").contains(&format!("_{schema}_"))
}

// ---------------------------------------------------------------------------------------
// SQL: parse and ownership

/// The comment that lets the statement on the next line through the ownership rule.
pub const ALLOW_OWNERSHIP: &str = "mynatca:allow ownership";

/// Who owns which schema: each linked project its own, the platform every other one.
#[derive(Debug, Clone, Default)]
pub struct Owners {
    by_schema: HashMap<String, String>,
}

impl Owners {
    pub fn new(projects: &[Project]) -> Owners {
        Owners { by_schema: projects.iter().map(|p| (p.schema.clone(), p.name.clone())).collect() }
    }

    pub fn owner(&self, schema: &str) -> &str {
        self.by_schema.get(schema).map_or(PLATFORM, String::as_str)
    }
}

/// `parse` and `ownership` for one migration of `project` (a project name or
/// [`PLATFORM`]). A file PostgreSQL's parser rejects gets one `parse` finding at the
/// offending token and no ownership analysis.
pub fn sql_findings(path: &Path, sql: &str, project: &str, owners: &Owners) -> Vec<Finding> {
    let parsed = match pg_query::parse(sql, 0) {
        Ok(parsed) => parsed,
        Err(err) => {
            let (line, message) = match (&err, crate::sqlerror::syntax_error(sql)) {
                (pg_query::Error::Parse(_), Some(error)) => (line_at(sql, error.offset.unwrap_or(0)), error.message),
                (pg_query::Error::Parse(message), None) => (1, message.clone()),
                (other, _) => (1, other.to_string()),
            };
            return vec![Finding::new(Rule::Parse, path, line, format!("PostgreSQL rejects this: {message}"))];
        }
    };
    let mut findings = Vec::new();
    let mut source = Source::new(sql);
    let mut analyzer = Analyzer::default();
    for raw in &parsed.protobuf.stmts {
        let Some(node) = raw.stmt.as_ref().and_then(|s| s.node.as_ref()) else { continue };
        analyzer.statement(node);
        let touches = std::mem::take(&mut analyzer.touches);
        analyzer.after(node);
        let is_do = matches!(node, NodeEnum::DoStmt(_)) && project != PLATFORM;
        let foreign: Vec<(&Touch, &str)> = touches
            .iter()
            .map(|touch| (touch, owners.owner(&touch.schema)))
            .filter(|(_, owner)| *owner != project)
            .collect();
        if foreign.is_empty() && !is_do {
            continue;
        }
        let (line, allowed) = source.statement_start(raw.stmt_location.max(0) as usize);
        if allowed {
            continue;
        }
        let mut seen = HashSet::new();
        for (touch, owner) in foreign {
            let message = format!("{project} may not {} {} (owned by {owner})", touch.action, touch.object());
            if seen.insert(message.clone()) {
                findings.push(Finding::new(Rule::Ownership, path, line, message));
            }
        }
        if is_do {
            findings.push(Finding {
                level: Level::Warning,
                ..Finding::new(
                    Rule::Ownership,
                    path,
                    line,
                    format!(
                        "DO block in {project}: its body is not analysed; prefer plain statements, or mark a reviewed block with `-- {ALLOW_OWNERSHIP}` on the line above"
                    ),
                )
            });
        }
    }
    findings
}

/// An object a statement changes: `schema` alone is the schema itself.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Touch {
    /// What is done to it, e.g. `alter table`, `insert into`, `create a trigger on`.
    action: String,
    schema: String,
    name: Option<String>,
}

impl Touch {
    fn object(&self) -> String {
        match &self.name {
            Some(name) => format!("{}.{name}", self.schema),
            None => self.schema.clone(),
        }
    }
}

/// Walks statements in file order, keeping the file's `search_path` and temp tables.
#[derive(Debug, Default)]
struct Analyzer {
    /// `None` until the file sets it: then `public`.
    search_path: Option<Vec<String>>,
    /// Unqualified names of temporary tables created so far (they live in pg_temp).
    temp: HashSet<String>,
    touches: Vec<Touch>,
}

impl Analyzer {
    /// Where an unqualified name resolves: the first schema of the search_path (`$user`
    /// skipped, as no schema is named after the migration role). None for an empty path,
    /// where PostgreSQL itself would fail.
    fn default_schema(&self) -> Option<String> {
        match &self.search_path {
            None => Some("public".to_string()),
            Some(path) => path.iter().find(|s| s.as_str() != "$user").cloned(),
        }
    }

    fn push(&mut self, action: impl Into<String>, schema: Option<&str>, name: Option<&str>) {
        let schema = match schema.filter(|s| !s.is_empty()) {
            Some(schema) => schema.to_string(),
            None => match self.default_schema() {
                Some(schema) => schema,
                None => return,
            },
        };
        if schema == "pg_temp" || schema.starts_with("pg_temp_") {
            return;
        }
        self.touches.push(Touch { action: action.into(), schema, name: name.map(str::to_string) });
    }

    fn relation(&mut self, action: impl Into<String>, rel: Option<&protobuf::RangeVar>) {
        let Some(rel) = rel else { return };
        if rel.relpersistence == "t" || (rel.schemaname.is_empty() && self.temp.contains(&rel.relname)) {
            return;
        }
        self.push(action, Some(&rel.schemaname), Some(&rel.relname));
    }

    /// A dotted name (`[catalog.][schema.]name`) given as String nodes.
    fn names(&mut self, action: impl Into<String>, names: &[Node]) {
        let parts = strings(names);
        match parts.as_slice() {
            [] => {}
            [name] if self.temp.contains(*name) => {}
            [name] => self.push(action, None, Some(name)),
            [.., schema, name] => self.push(action, Some(schema), Some(name)),
        }
    }

    fn schema(&mut self, action: impl Into<String>, schema: &str) {
        if !schema.is_empty() {
            self.push(action, Some(schema), None);
        }
    }

    /// The object a DROP, COMMENT, GRANT, RENAME... names, in the node shape its kind uses.
    fn object(&mut self, verb: &str, kind: i32, node: &Node) {
        let kind = ObjectType::try_from(kind).unwrap_or(ObjectType::Undefined);
        let Some(node) = node.node.as_ref() else { return };
        match node {
            NodeEnum::String(s) if kind == ObjectType::ObjectSchema => self.schema(format!("{verb} schema"), &s.sval),
            // Other single names (extensions, languages, roles...) live outside schemas.
            NodeEnum::String(_) => {}
            NodeEnum::List(list) => match kind {
                // [schema.]table.column / [schema.]table.constraint|trigger|policy|rule
                ObjectType::ObjectColumn
                | ObjectType::ObjectTabconstraint
                | ObjectType::ObjectTrigger
                | ObjectType::ObjectPolicy
                | ObjectType::ObjectRule => {
                    let table = &list.items[..list.items.len().saturating_sub(1)];
                    self.names(format!("{verb} {}", part_of_table(kind)), table);
                }
                _ => self.names(format!("{verb} {}", kind_word(kind)), &list.items),
            },
            NodeEnum::TypeName(t) => self.names(format!("{verb} {}", kind_word(kind)), &t.names),
            NodeEnum::ObjectWithArgs(o) => self.names(format!("{verb} {}", kind_word(kind)), &o.objname),
            NodeEnum::RangeVar(rel) => self.relation(format!("{verb} {}", kind_word(kind)), Some(rel)),
            _ => {}
        }
    }

    /// Records what `node` changes. Reads (FROM clauses, foreign keys, view queries,
    /// function bodies) are never looked at.
    fn statement(&mut self, node: &NodeEnum) {
        use NodeEnum as N;
        match node {
            N::CreateStmt(s) => self.create_table(s, "create table"),
            N::CreateForeignTableStmt(s) => {
                if let Some(base) = &s.base_stmt {
                    self.create_table(base, "create foreign table");
                }
            }
            N::CreateTableAsStmt(s) => {
                if let Some(rel) = s.into.as_ref().and_then(|into| into.rel.as_ref()) {
                    self.relation(format!("create {}", kind_word_of(s.objtype)), Some(rel));
                }
                self.nested(s.query.as_deref());
            }
            N::ViewStmt(s) => self.relation("create view", s.view.as_ref()),
            N::CreateSeqStmt(s) => self.relation("create sequence", s.sequence.as_ref()),
            N::AlterSeqStmt(s) => self.relation("alter sequence", s.sequence.as_ref()),
            N::CreateSchemaStmt(s) => {
                self.schema("create schema", &s.schemaname);
                // CREATE SCHEMA x CREATE TABLE t ...: the elements are created in x.
                let saved = self.search_path.replace(vec![s.schemaname.clone()]);
                for element in &s.schema_elts {
                    if let Some(element) = &element.node {
                        self.statement(element);
                    }
                }
                self.search_path = saved;
            }
            N::AlterTableStmt(s) => self.relation(format!("alter {}", kind_word_of(s.objtype)), s.relation.as_ref()),
            N::RenameStmt(s) => self.rename(s),
            N::AlterObjectSchemaStmt(s) => {
                let kind = kind_word_of(s.object_type);
                match (&s.relation, &s.object) {
                    (Some(rel), _) => self.relation(format!("move {kind}"), Some(rel)),
                    (None, Some(object)) => self.object("move", s.object_type, object),
                    _ => {}
                }
                self.schema(format!("move a {kind} into schema"), &s.newschema);
            }
            N::AlterOwnerStmt(s) => match (&s.relation, &s.object) {
                (Some(rel), _) => {
                    self.relation(format!("change the owner of {}", kind_word_of(s.object_type)), Some(rel))
                }
                (None, Some(object)) => self.object("change the owner of", s.object_type, object),
                _ => {}
            },
            N::DropStmt(s) => {
                for object in &s.objects {
                    self.object("drop", s.remove_type, object);
                }
            }
            N::CommentStmt(s) => {
                if let Some(object) = &s.object {
                    self.object("comment on", s.objtype, object);
                }
            }
            N::GrantStmt(s) => self.grant(s),
            N::AlterDefaultPrivilegesStmt(s) => {
                // Without IN SCHEMA the defaults are the role's, in no particular schema.
                for option in s.options.iter().filter_map(def_elem).filter(|d| d.defname == "schemas") {
                    if let Some(NodeEnum::List(list)) = option.arg.as_ref().and_then(|a| a.node.as_ref()) {
                        for schema in strings(&list.items) {
                            self.schema("alter default privileges in schema", schema);
                        }
                    }
                }
            }
            N::CreateTrigStmt(s) => self.relation("create a trigger on", s.relation.as_ref()),
            N::CreatePolicyStmt(s) => self.relation("create a policy on", s.table.as_ref()),
            N::AlterPolicyStmt(s) => self.relation("alter a policy on", s.table.as_ref()),
            N::IndexStmt(s) => self.relation("create an index on", s.relation.as_ref()),
            N::RuleStmt(s) => {
                self.relation("create a rule on", s.relation.as_ref());
                for action in &s.actions {
                    self.nested(Some(action));
                }
            }
            N::CreateFunctionStmt(s) => {
                let kind = if s.is_procedure { "procedure" } else { "function" };
                self.names(format!("create {kind}"), &s.funcname);
            }
            N::AlterFunctionStmt(s) => {
                if let Some(func) = &s.func {
                    self.names(format!("alter {}", kind_word_of(s.objtype)), &func.objname);
                }
            }
            N::DefineStmt(s) => self.names(format!("create {}", kind_word_of(s.kind)), &s.defnames),
            N::CreateEnumStmt(s) => self.names("create type", &s.type_name),
            N::CreateRangeStmt(s) => self.names("create type", &s.type_name),
            N::CompositeTypeStmt(s) => self.relation("create type", s.typevar.as_ref()),
            N::CreateDomainStmt(s) => self.names("create domain", &s.domainname),
            N::AlterEnumStmt(s) => self.names("alter type", &s.type_name),
            N::AlterTypeStmt(s) => self.names("alter type", &s.type_name),
            N::AlterDomainStmt(s) => self.names("alter domain", &s.type_name),
            N::CreateExtensionStmt(s) => {
                let schema =
                    s.options.iter().filter_map(def_elem).find(|d| d.defname == "schema").and_then(|d| {
                        match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
                            Some(NodeEnum::String(s)) => Some(s.sval.clone()),
                            _ => None,
                        }
                    });
                self.push(format!("create extension {} in schema", s.extname), schema.as_deref(), None);
            }
            N::RefreshMatViewStmt(s) => self.relation("refresh materialized view", s.relation.as_ref()),
            N::InsertStmt(s) => {
                self.with(s.with_clause.as_ref());
                self.relation("insert into", s.relation.as_ref());
                self.nested(s.select_stmt.as_deref());
            }
            N::UpdateStmt(s) => {
                self.with(s.with_clause.as_ref());
                self.relation("update", s.relation.as_ref());
            }
            N::DeleteStmt(s) => {
                self.with(s.with_clause.as_ref());
                self.relation("delete from", s.relation.as_ref());
            }
            N::MergeStmt(s) => {
                self.with(s.with_clause.as_ref());
                self.relation("merge into", s.relation.as_ref());
            }
            N::TruncateStmt(s) => {
                for rel in &s.relations {
                    if let Some(NodeEnum::RangeVar(rel)) = &rel.node {
                        self.relation("truncate", Some(rel));
                    }
                }
            }
            N::CopyStmt(s) => {
                if s.is_from {
                    self.relation("copy into", s.relation.as_ref());
                }
                // COPY (INSERT ... RETURNING ...) TO runs the insert.
                self.nested(s.query.as_deref());
            }
            N::SelectStmt(s) => self.select(s),
            N::ExplainStmt(s) => self.nested(s.query.as_deref()),
            _ => {}
        }
    }

    fn nested(&mut self, node: Option<&Node>) {
        if let Some(node) = node.and_then(|n| n.node.as_ref()) {
            self.statement(node);
        }
    }

    /// Data-modifying CTEs: `WITH x AS (INSERT ...)`.
    fn with(&mut self, with: Option<&protobuf::WithClause>) {
        for cte in with.into_iter().flat_map(|w| &w.ctes) {
            if let Some(NodeEnum::CommonTableExpr(cte)) = &cte.node {
                self.nested(cte.ctequery.as_deref());
            }
        }
    }

    fn select(&mut self, s: &protobuf::SelectStmt) {
        self.with(s.with_clause.as_ref());
        // SELECT ... INTO creates a table.
        if let Some(rel) = s.into_clause.as_ref().and_then(|into| into.rel.as_ref()) {
            self.relation("create table", Some(rel));
        }
        for side in [&s.larg, &s.rarg].into_iter().flatten() {
            self.select(side);
        }
    }

    fn create_table(&mut self, s: &protobuf::CreateStmt, action: &str) {
        self.relation(action, s.relation.as_ref());
        if s.partbound.is_some() {
            // CREATE TABLE x PARTITION OF parent changes the parent.
            for parent in &s.inh_relations {
                if let Some(NodeEnum::RangeVar(parent)) = &parent.node {
                    self.relation("add a partition to", Some(parent));
                }
            }
        }
    }

    fn rename(&mut self, s: &protobuf::RenameStmt) {
        let kind = ObjectType::try_from(s.rename_type).unwrap_or(ObjectType::Undefined);
        match kind {
            ObjectType::ObjectSchema => self.schema("rename schema", &s.subname),
            ObjectType::ObjectColumn
            | ObjectType::ObjectTabconstraint
            | ObjectType::ObjectTrigger
            | ObjectType::ObjectPolicy
            | ObjectType::ObjectRule
                if s.relation.is_some() =>
            {
                self.relation(format!("rename {}", part_of_table(kind)), s.relation.as_ref())
            }
            _ => match (&s.relation, &s.object) {
                (Some(rel), _) => self.relation(format!("rename {}", kind_word(kind)), Some(rel)),
                (None, Some(object)) => self.object("rename", s.rename_type, object),
                _ => {}
            },
        }
    }

    fn grant(&mut self, s: &protobuf::GrantStmt) {
        let verb = if s.is_grant { "grant on" } else { "revoke on" };
        match GrantTargetType::try_from(s.targtype) {
            Ok(GrantTargetType::AclTargetAllInSchema) => {
                let action = format!("{verb} all {}s in schema", kind_word_of(s.objtype));
                for schema in strings(&s.objects) {
                    self.schema(action.clone(), schema);
                }
            }
            Ok(GrantTargetType::AclTargetObject) => {
                for object in &s.objects {
                    self.object(verb, s.objtype, object);
                }
            }
            _ => {}
        }
    }

    /// Statements that change how later names resolve.
    fn after(&mut self, node: &NodeEnum) {
        match node {
            NodeEnum::VariableSetStmt(s) if s.name == "search_path" => match VariableSetKind::try_from(s.kind) {
                Ok(VariableSetKind::VarSetValue) => {
                    self.search_path = Some(s.args.iter().filter_map(const_string).map(str::to_string).collect());
                }
                Ok(VariableSetKind::VarSetDefault | VariableSetKind::VarReset) => self.search_path = None,
                _ => {}
            },
            NodeEnum::VariableSetStmt(s) if VariableSetKind::try_from(s.kind) == Ok(VariableSetKind::VarResetAll) => {
                self.search_path = None;
            }
            // SELECT [pg_catalog.]set_config('search_path', '...', ...)
            NodeEnum::SelectStmt(s) => {
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
                            if let Some(value) = const_string(value) {
                                self.search_path = Some(parse_search_path(value));
                            }
                        }
                    }
                }
            }
            NodeEnum::CreateStmt(s) => {
                if let Some(rel) = s.relation.as_ref().filter(|r| r.relpersistence == "t") {
                    self.temp.insert(rel.relname.clone());
                }
            }
            _ => {}
        }
    }
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

fn strings(nodes: &[Node]) -> Vec<&str> {
    nodes
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::String(s)) => Some(s.sval.as_str()),
            _ => None,
        })
        .collect()
}

fn const_string(node: &Node) -> Option<&str> {
    match &node.node {
        Some(NodeEnum::AConst(c)) => match &c.val {
            Some(a_const::Val::Sval(s)) => Some(&s.sval),
            _ => None,
        },
        _ => None,
    }
}

fn def_elem(node: &Node) -> Option<&protobuf::DefElem> {
    match &node.node {
        Some(NodeEnum::DefElem(d)) => Some(d),
        _ => None,
    }
}

/// How a part of a table is named before the table: `a column of`, `a trigger on`.
fn part_of_table(kind: ObjectType) -> String {
    match kind {
        ObjectType::ObjectColumn | ObjectType::ObjectTabconstraint => format!("a {} of", kind_word(kind)),
        _ => format!("a {} on", kind_word(kind)),
    }
}

fn kind_word_of(kind: i32) -> &'static str {
    kind_word(ObjectType::try_from(kind).unwrap_or(ObjectType::Undefined))
}

fn kind_word(kind: ObjectType) -> &'static str {
    use ObjectType as O;
    match kind {
        O::ObjectTable => "table",
        O::ObjectView => "view",
        O::ObjectMatview => "materialized view",
        O::ObjectForeignTable => "foreign table",
        O::ObjectIndex => "index",
        O::ObjectSequence => "sequence",
        O::ObjectFunction => "function",
        O::ObjectProcedure => "procedure",
        O::ObjectRoutine => "routine",
        O::ObjectAggregate => "aggregate",
        O::ObjectOperator => "operator",
        O::ObjectType => "type",
        O::ObjectDomain => "domain",
        O::ObjectSchema => "schema",
        O::ObjectColumn => "column",
        O::ObjectTabconstraint => "constraint",
        O::ObjectTrigger => "trigger",
        O::ObjectPolicy => "policy",
        O::ObjectRule => "rule",
        O::ObjectCollation => "collation",
        O::ObjectConversion => "conversion",
        O::ObjectStatisticExt => "statistics object",
        O::ObjectTsconfiguration => "text search configuration",
        O::ObjectTsdictionary => "text search dictionary",
        O::ObjectTsparser => "text search parser",
        O::ObjectTstemplate => "text search template",
        O::ObjectOpclass => "operator class",
        O::ObjectOpfamily => "operator family",
        _ => "object",
    }
}

/// Line numbers and comments of one file, worked out only when a statement needs them.
struct Source<'a> {
    sql: &'a str,
    newlines: Option<Vec<usize>>,
    tokens: Option<Vec<protobuf::ScanToken>>,
}

impl<'a> Source<'a> {
    fn new(sql: &'a str) -> Self {
        Source { sql, newlines: None, tokens: None }
    }

    fn line(&mut self, offset: usize) -> usize {
        let newlines =
            self.newlines.get_or_insert_with(|| self.sql.match_indices('\n').map(|(i, _)| i).collect::<Vec<_>>());
        newlines.partition_point(|&i| i < offset) + 1
    }

    /// The 1-based line of the statement's first token (libpg_query's location includes
    /// the whitespace and comments before it), and whether the line directly above is
    /// the allow comment.
    fn statement_start(&mut self, location: usize) -> (usize, bool) {
        let sql = self.sql;
        let tokens = self.tokens.get_or_insert_with(|| pg_query::scan_tokens(sql).unwrap_or_default());
        let Some(first) = tokens.iter().position(|t| t.start as usize >= location && !is_comment(t)) else {
            return (self.line(location), false);
        };
        let (start, previous) = (tokens[first].start as usize, first.checked_sub(1).map(|i| tokens[i]));
        let line = self.line(start);
        let allowed = previous.is_some_and(|comment| {
            comment.token == Token::SqlComment as i32
                && self.line(comment.start as usize) + 1 == line
                && is_allow_comment(&sql[comment.start as usize..comment.end as usize])
        });
        (line, allowed)
    }
}

fn is_comment(token: &protobuf::ScanToken) -> bool {
    token.token == Token::SqlComment as i32 || token.token == Token::CComment as i32
}

/// `-- mynatca:allow ownership`, optionally followed by a reason.
fn is_allow_comment(comment: &str) -> bool {
    let text = comment.trim_start_matches('-').trim();
    text.strip_prefix(ALLOW_OWNERSHIP)
        .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-'))
}

fn line_at(sql: &str, offset: usize) -> usize {
    sql[..offset.min(sql.len())].matches('\n').count() + 1
}

// ---------------------------------------------------------------------------------------
// Links

/// `stale-link`, `broken-link`, `foreign-link`, `conflict` and `duplicate-version`, from
/// the plan `mynatca link` would carry out: anything it would change is not as it should
/// be. `exists` tells whether a link's target is there (a dangling link is broken).
pub fn link_findings(ws: &Workspace, plan: &reconcile::Plan, exists: impl Fn(&Path) -> bool) -> Vec<Finding> {
    let mut findings: Vec<Finding> = plan.actions.iter().map(|action| action_finding(action, &exists)).collect();
    let plan = &plan.verdict;
    for conflict in &plan.conflicts {
        let (rule, path) = match conflict.kind {
            ConflictKind::ForeignLink => (Rule::ForeignLink, ws.platform.join(&conflict.name)),
            ConflictKind::RealFile => (Rule::Conflict, ws.platform.join(&conflict.name)),
            // Reported at the file that is not linked: the second project's.
            ConflictKind::SameName | ConflictKind::UnsafeName => {
                let file = Path::new(&conflict.name).file_name().unwrap_or_default();
                let project = conflict.projects.last().map(String::as_str).unwrap_or(PLATFORM);
                (Rule::Conflict, migration_path(ws, project, &file.to_string_lossy()))
            }
        };
        findings.push(Finding::new(rule, path, 1, conflict.message.clone()));
    }
    for warning in &plan.warnings {
        if let (WarningKind::ForeignLink, Some(rel)) = (warning.kind, &warning.path) {
            findings.push(Finding::new(Rule::ForeignLink, ws.platform.join(rel), 1, warning.message.clone()));
        }
    }
    for duplicate in &plan.duplicates {
        for file in &duplicate.files {
            let (project, name) = (&file.project, &file.name);
            let others: Vec<String> = duplicate
                .files
                .iter()
                .filter(|other| *other != file)
                .map(|other| format!("{} ({})", other.name, other.project))
                .collect();
            findings.push(Finding::new(
                Rule::DuplicateVersion,
                migration_path(ws, project, name),
                1,
                format!(
                    "version {} is also used by {}; `supabase db reset` would fail on schema_migrations_pkey: give all but one a new version (`mynatca new` picks a free one)",
                    duplicate.version,
                    others.join(", ")
                ),
            ));
        }
    }
    findings
}

/// What is wrong on disk when the plan holds `action`.
fn action_finding(action: &Action, exists: impl Fn(&Path) -> bool) -> Finding {
    let link = action.link();
    let dir = link.dir;
    let dangling = |target: &Path| !exists(&fsutil::absolute_from(&dir.path, target));
    match *action {
        Action::Create { to, .. } => {
            let place = if dir.migrations {
                "platform/supabase/migrations".to_string()
            } else {
                format!("platform/{}", dir.rel)
            };
            let what = if dir.migrations { "migration" } else { "seed" };
            Finding::new(
                Rule::StaleLink,
                fsutil::absolute_from(&dir.path, to),
                1,
                format!("{what} {} of {} is not linked into {place}; run `mynatca link`", link.name, link.project),
            )
        }
        Action::Retarget { from, to, .. } => {
            let broken = dangling(from);
            Finding::new(
                if broken { Rule::BrokenLink } else { Rule::StaleLink },
                link.path(),
                1,
                format!(
                    "points to {}{} instead of {}; run `mynatca link`",
                    from.display(),
                    if broken { ", which does not exist," } else { "" },
                    to.display()
                ),
            )
        }
        Action::Remove { from, .. } => {
            let (rule, why) = if dangling(from) {
                (Rule::BrokenLink, "which does not exist".to_string())
            } else {
                (Rule::StaleLink, format!("which is no longer a file {} offers", link.project))
            };
            Finding::new(
                rule,
                link.path(),
                1,
                format!("points to {}, {why}; run `mynatca link` to remove it", from.display()),
            )
        }
    }
}

/// A migration's own file: the platform's in its migrations folder, a project's in its repo.
fn migration_path(ws: &Workspace, project: &str, name: &str) -> PathBuf {
    match ws.registry.project(project) {
        Some(p) if project != PLATFORM => ws.migrations_dir(p).join(name),
        _ => ws.link_dir().join(name),
    }
}

// ---------------------------------------------------------------------------------------
// Registry and config.toml

/// A registry that does not load, at the line the error names (1 otherwise); the
/// finding names the file, so the message does not repeat it.
pub fn registry_error(path: &Path, err: &crate::error::ConfigError) -> Finding {
    let line = err.position.map_or(1, |(line, _)| line);
    Finding::new(Rule::Registry, path, line, format!("{}; `mynatca check` skipped the link rules", err.detail()))
}

/// The line of project `name`'s entry in the registry text (1 if not found).
pub fn registry_entry_line(text: &str, name: &str) -> usize {
    let quoted = format!("\"{name}\"");
    text.match_indices("\"name\"")
        .find(|(i, key)| {
            text[i + key.len()..].trim_start().strip_prefix(':').is_some_and(|v| v.trim_start().starts_with(&quoted))
        })
        .map_or(1, |(i, _)| line_at(text, i))
}

/// `config-schemas` and `config-seeds`: each linked schema in `[api] schemas`; the seed
/// glob `link-project` adds (`./seeds/<name>/*.sql`) in `[db.seed] sql_paths` for each
/// project that has seed files. `projects` pairs each project with that fact.
pub fn config_findings(path: &Path, text: &str, projects: &[(&Project, bool)]) -> Vec<Finding> {
    let config = match crate::config::SupabaseConfig::parse(path.to_path_buf(), text) {
        Ok(config) => config,
        Err(err) => {
            return vec![Finding::new(
                Rule::ConfigSchemas,
                path,
                err.position.map_or(1, |(line, _)| line),
                format!("{}; the schemas and seed paths could not be checked", err.detail()),
            )];
        }
    };
    let document = toml_edit::ImDocument::parse(text).ok();
    let line_of = |keys: &[&str]| -> usize {
        let mut item = document.as_ref().map(|d| d.as_item());
        for key in keys {
            item = item.and_then(|i| i.get(key));
        }
        item.and_then(|i| i.span()).map_or(1, |span| line_at(text, span.start))
    };
    let schemas = config.api_schemas();
    let seeds: Vec<String> = config.seed_sql_paths().iter().map(|p| p.trim_start_matches("./").to_string()).collect();
    let mut findings = Vec::new();
    for (project, has_seeds) in projects {
        if !schemas.contains(&project.schema) {
            findings.push(Finding::new(
                Rule::ConfigSchemas,
                path,
                line_of(&["api", "schemas"]),
                format!(
                    "schema {} of {} is not in [api] schemas, so the API does not expose it; add \"{}\" (`mynatca link-project {}` does)",
                    project.schema, project.name, project.schema, project.name
                ),
            ));
        }
        let glob = crate::config::seed_glob(&project.name);
        if *has_seeds && !seeds.iter().any(|s| s == glob.trim_start_matches("./")) {
            findings.push(Finding::new(
                Rule::ConfigSeeds,
                path,
                line_of(&["db", "seed", "sql_paths"]),
                format!(
                    "[db.seed] sql_paths lacks \"{glob}\", so {}'s seeds never run; add it (`mynatca link-project {}` does)",
                    project.name, project.name
                ),
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project `../<name>` owning schema `<name>`.
    fn project(name: &str) -> Project {
        Project {
            name: name.into(),
            path: format!("../{name}"),
            schema: name.into(),
            migrations: "supabase/migrations".into(),
            seeds: vec![],
        }
    }

    fn owners() -> Owners {
        Owners::new(&[project("pay"), project("discord")])
    }

    /// (line, level, message) of each finding for `sql` in `project`.
    fn check(project: &str, sql: &str) -> Vec<(usize, Level, String)> {
        sql_findings(Path::new("/x.sql"), sql, project, &owners())
            .into_iter()
            .map(|f| (f.line, f.level, f.message))
            .collect()
    }

    fn messages(project: &str, sql: &str) -> Vec<String> {
        check(project, sql).into_iter().map(|(_, _, m)| m).collect()
    }

    #[test]
    fn pay_may_not_change_public_members() {
        let sql = "alter table public.members add column pay_grade text;\n\
                   insert into public.members (membernumber) values ('1');\n\
                   grant select on public.members to anon;\n\
                   create trigger t after insert on public.members for each row execute function pay.f();\n";
        assert_eq!(
            check("pay", sql),
            vec![
                (1, Level::Error, "pay may not alter table public.members (owned by platform)".into()),
                (2, Level::Error, "pay may not insert into public.members (owned by platform)".into()),
                (3, Level::Error, "pay may not grant on table public.members (owned by platform)".into()),
                (4, Level::Error, "pay may not create a trigger on public.members (owned by platform)".into()),
            ]
        );
    }

    #[test]
    fn every_kind_of_change_is_seen() {
        let sql = "update public.members set x = 1;\n\
                   delete from public.members;\n\
                   truncate public.members, pay.shifts;\n\
                   copy public.members from stdin;\n\
                   merge into public.members m using pay.x p on m.id = p.id when matched then delete;\n\
                   with gone as (delete from public.regions returning *) select * from gone;\n\
                   drop table public.members;\n\
                   comment on column public.members.name is 'x';\n\
                   create policy p on public.members using (true);\n\
                   create index on public.members (name);\n\
                   create rule r as on insert to public.members do nothing;\n\
                   drop policy p on public.members;\n\
                   revoke all on all tables in schema public from anon;\n\
                   alter table public.members rename column a to b;\n\
                   alter default privileges in schema public grant select on tables to anon;\n\
                   create function public.f() returns int language sql as 'select 1';\n\
                   drop function public.f();\n\
                   create schema auth;\n\
                   create extension pgcrypto with schema extensions;\n\
                   create table pay.members_2025 partition of public.members for values in ('2025');\n\
                   alter table public.members owner to pay_admin;\n\
                   alter table public.members set schema pay;\n\
                   alter table public.members rename to people;\n\
                   create rule r as on insert to pay.x do also insert into public.audit values (1);\n\
                   select * into public.copy from pay.x;\n\
                   refresh materialized view public.stats;\n\
                   copy (insert into public.audit values (1) returning *) to stdout;\n\
                   alter function public.f() owner to pay_admin;\n\
                   alter schema public owner to pay_admin;\n";
        assert_eq!(
            messages("pay", sql),
            vec![
                "pay may not update public.members (owned by platform)",
                "pay may not delete from public.members (owned by platform)",
                "pay may not truncate public.members (owned by platform)",
                "pay may not copy into public.members (owned by platform)",
                "pay may not merge into public.members (owned by platform)",
                "pay may not delete from public.regions (owned by platform)",
                "pay may not drop table public.members (owned by platform)",
                "pay may not comment on a column of public.members (owned by platform)",
                "pay may not create a policy on public.members (owned by platform)",
                "pay may not create an index on public.members (owned by platform)",
                "pay may not create a rule on public.members (owned by platform)",
                "pay may not drop a policy on public.members (owned by platform)",
                "pay may not revoke on all tables in schema public (owned by platform)",
                "pay may not rename a column of public.members (owned by platform)",
                "pay may not alter default privileges in schema public (owned by platform)",
                "pay may not create function public.f (owned by platform)",
                "pay may not drop function public.f (owned by platform)",
                "pay may not create schema auth (owned by platform)",
                "pay may not create extension pgcrypto in schema extensions (owned by platform)",
                "pay may not add a partition to public.members (owned by platform)",
                // OWNER TO on a table is an ALTER TABLE subcommand.
                "pay may not alter table public.members (owned by platform)",
                "pay may not move table public.members (owned by platform)",
                "pay may not rename table public.members (owned by platform)",
                "pay may not insert into public.audit (owned by platform)",
                "pay may not create table public.copy (owned by platform)",
                "pay may not refresh materialized view public.stats (owned by platform)",
                "pay may not insert into public.audit (owned by platform)",
                "pay may not change the owner of function public.f (owned by platform)",
                "pay may not change the owner of schema public (owned by platform)",
            ]
        );
    }

    #[test]
    fn unqualified_names_follow_the_search_path() {
        assert_eq!(
            messages("pay", "create table shifts (id int);"),
            vec!["pay may not create table public.shifts (owned by platform)"]
        );
        assert!(check("pay", "set search_path = pay;\ncreate table shifts (id int);").is_empty());
        assert!(check("pay", "SET search_path TO pay, public;\ninsert into shifts values (1);").is_empty());
        assert!(check("pay", "select pg_catalog.set_config('search_path', 'pay', false);\ncreate table t (id int);")
            .is_empty());
        // Back to the default after RESET, in file order.
        assert_eq!(
            check(
                "pay",
                "set search_path = pay;\ncreate table a (id int);\nreset search_path;\ncreate table b (id int);"
            ),
            vec![(4, Level::Error, "pay may not create table public.b (owned by platform)".into())]
        );
        // An empty search_path leaves nothing to resolve to (PostgreSQL would refuse).
        assert!(check("pay", "select set_config('search_path', '', false);\ncreate table t (id int);").is_empty());
        // Temporary tables live in pg_temp.
        assert!(check("pay", "create temp table t (id int);\ninsert into t values (1);\ndrop table t;").is_empty());
    }

    #[test]
    fn reads_are_fine() {
        let sql = "create table pay.shifts (membernumber text references public.members (membernumber));\n\
                   create view pay.member_hours as select m.membernumber from public.members m;\n\
                   create function pay.f() returns int language sql as $$ select count(*) from public.members $$;\n\
                   insert into pay.shifts select membernumber from public.members;\n\
                   grant usage on schema pay to authenticated;\n\
                   create schema if not exists pay;\n\
                   create index on pay.shifts (membernumber);\n";
        assert_eq!(check("pay", sql), vec![]);
    }

    #[test]
    fn the_platform_may_not_write_to_a_project_schema() {
        assert_eq!(
            messages("platform", "insert into pay.shifts values (1);\ncreate table public.x (id int);"),
            vec!["platform may not insert into pay.shifts (owned by pay)"]
        );
        // Schemas no project claims are the platform's.
        assert!(check(
            "platform",
            "create trigger t after insert on auth.users for each row execute function public.f();"
        )
        .is_empty());
        assert_eq!(
            messages("discord", "alter table pay.shifts add column x int;"),
            vec!["discord may not alter table pay.shifts (owned by pay)"]
        );
    }

    #[test]
    fn the_allow_comment_lets_the_next_statement_through() {
        let sql = "-- mynatca:allow ownership: reviewed with the platform team\n\
                   alter table public.members add column x int;\n\
                   alter table public.members add column y int;\n\
                   -- mynatca:allow ownership\n\n\
                   alter table public.members add column z int;\n";
        // Not directly above: the statement in between, the blank line.
        let flagged: Vec<usize> = check("pay", sql).into_iter().map(|(line, _, _)| line).collect();
        assert_eq!(flagged, vec![3, 6]);
        // Only a real comment counts, not text in a string.
        assert_eq!(
            check("pay", "select '-- mynatca:allow ownership';\ninsert into public.members values (1);").len(),
            1
        );
        assert!(!is_allow_comment("-- mynatca:allow ownerships"));
    }

    #[test]
    fn lines_skip_leading_comments_and_blank_lines() {
        let sql = "create table pay.a (id int);\n\n-- why\n/* more */\ninsert into\n  public.members values (1);\n";
        assert_eq!(check("pay", sql)[0].0, 5);
    }

    #[test]
    fn do_blocks_in_a_project_are_a_warning() {
        let found = check("pay", "select 1;\ndo $$ begin insert into public.members values (1); end $$;\n");
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (2, Level::Warning));
        assert!(found[0].2.starts_with("DO block in pay: its body is not analysed"), "{}", found[0].2);
        assert!(check("platform", "do $$ begin end $$;").is_empty());
        assert!(check("pay", "-- mynatca:allow ownership\ndo $$ begin end $$;").is_empty());
    }

    #[test]
    fn syntax_errors_are_reported_at_their_line() {
        let found =
            sql_findings(Path::new("/x.sql"), "create table pay.a (\n  id int,,\n  b int\n);\n", "pay", &owners());
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].rule, found[0].line), (Rule::Parse, 2));
        assert_eq!(found[0].message, "PostgreSQL rejects this: syntax error at or near \",\"");
        let line = |sql: &str| sql_findings(Path::new("/x.sql"), sql, "pay", &owners())[0].line;
        assert_eq!(line("select 1;\n\ncreate tabel x (id int);"), 3);
        assert_eq!(line("select 1;\nselect 'unterminated\n;"), 2);
        assert_eq!(line("select 1;\ncreate table x (\n  id int\n"), 3);
        assert_eq!(line("select 1;\n/* never closed\n"), 2);
    }

    #[test]
    fn names_follow_the_pattern_and_style() {
        let rules = |name: &str, schema: Option<&str>| -> Vec<Rule> {
            name_findings(&Path::new("/m").join(name), schema).into_iter().map(|f| f.rule).collect()
        };
        assert_eq!(rules("20251215120000_add_things.sql", None), vec![]);
        assert_eq!(rules("00000000000001_baseline_platform_schema.sql", None), vec![], "baselines have 14 digits");
        assert_eq!(rules("add_things.sql", None), vec![Rule::NamePattern]);
        assert_eq!(rules("2025121512_add_things.sql", None), vec![Rule::NameStyle]);
        assert_eq!(rules("20251215120000_Add-Things.sql", None), vec![Rule::NameStyle]);
        assert_eq!(rules("20251215120000_.sql", None), vec![Rule::NameStyle]);
        assert_eq!(rules("20251215120000_pay_add_x.sql", Some("pay")), vec![]);
        assert_eq!(rules("00000000000002_baseline_pay_schema.sql", Some("pay")), vec![]);
        assert_eq!(rules("20251215120000_payroll_fix.sql", Some("pay")), vec![Rule::NamePrefix]);
        let style = name_findings(Path::new("/m/20251215120000_Add-Things.sql"), None);
        assert!(style[0].message.ends_with("rename it to 20251215120000_add_things.sql"), "{}", style[0].message);
        assert_eq!(style[0].level, Level::Warning);
    }

    #[test]
    fn registry_lines() {
        let text = "{\n  \"version\": 1,\n  \"projects\": [\n    {\"name\": \"pay\"},\n    {\n      \"name\" : \"discord\"\n    }\n  ]\n}\n";
        assert_eq!(registry_entry_line(text, "pay"), 4);
        assert_eq!(registry_entry_line(text, "discord"), 6);
        assert_eq!(registry_entry_line(text, "bid"), 1);
        let path = Path::new("/p/.linked-projects.json");
        let broken = "{\n  \"version\": 1,\n  \"projects\": [,]\n}";
        let err = crate::registry::Registry::parse(path.into(), broken).unwrap_err();
        let finding = registry_error(path, &err);
        assert_eq!(finding.line, 3);
        assert!(finding.message.starts_with("invalid JSON: "), "{}", finding.message);
    }

    #[test]
    fn link_findings_follow_the_plan_and_point_at_the_right_file() {
        use crate::reconcile::{Existing, Input, LinkDir, Offer, Owner};
        let registry = r#"{"version":1,"projects":[{"name":"pay","path":"../pay","schema":"pay"},{"name":"discord","path":"../discord","schema":"discord"}]}"#;
        let ws = Workspace {
            platform: "/ws/platform".into(),
            registry: crate::registry::Registry::parse("/ws/platform/.linked-projects.json".into(), registry).unwrap(),
        };
        let target =
            |project: &str, name: &str| PathBuf::from(format!("../../../{project}/supabase/migrations/{name}"));
        let offer = |project: &str, name: &str| Offer {
            project: project.into(),
            name: name.into(),
            target: target(project, name),
        };
        let input = Input {
            migrations: LinkDir {
                rel: "supabase/migrations".into(),
                path: "/ws/platform/supabase/migrations".into(),
                exists: true,
                migrations: true,
                entries: vec![
                    ("2_pay_gone.sql".into(), Existing::Link(target("pay", "2_pay_gone.sql"))),
                    ("3_pay_moved.sql".into(), Existing::Link(target("pay", "3_pay_moved.sql"))),
                    ("4_pay_old.sql".into(), Existing::Link(target("pay", "old/4_pay_old.sql"))),
                ],
                refused: vec![],
                offers: vec![
                    offer("pay", "1_pay_new.sql"),
                    offer("pay", "4_pay_old.sql"),
                    offer("pay", "5_same.sql"),
                    offer("discord", "5_same.sql"),
                    offer("discord", "4_discord_dup.sql"),
                ],
                owners: vec![
                    Owner { project: "pay".into(), location: "/ws/pay/supabase/migrations".into() },
                    Owner { project: "discord".into(), location: "/ws/discord/supabase/migrations".into() },
                ],
                reported: vec![],
            },
            seeds: vec![],
            warnings: vec![],
        };
        let plan = reconcile::plan(&input);
        // 2_pay_gone.sql's file is deleted; 3_pay_moved.sql's exists but is no longer offered.
        let exists = |path: &Path| !path.ends_with("2_pay_gone.sql");
        let found: Vec<(Rule, String)> =
            link_findings(&ws, &plan, exists).into_iter().map(|f| (f.rule, f.path.display().to_string())).collect();
        let links = "/ws/platform/supabase/migrations";
        assert_eq!(
            found,
            vec![
                (Rule::StaleLink, "/ws/pay/supabase/migrations/1_pay_new.sql".into()),
                (Rule::StaleLink, "/ws/discord/supabase/migrations/4_discord_dup.sql".into()),
                (Rule::StaleLink, "/ws/pay/supabase/migrations/5_same.sql".into()),
                (Rule::StaleLink, format!("{links}/4_pay_old.sql")),
                (Rule::BrokenLink, format!("{links}/2_pay_gone.sql")),
                (Rule::StaleLink, format!("{links}/3_pay_moved.sql")),
                (Rule::Conflict, "/ws/discord/supabase/migrations/5_same.sql".into()),
                (Rule::DuplicateVersion, "/ws/discord/supabase/migrations/4_discord_dup.sql".into()),
                (Rule::DuplicateVersion, "/ws/pay/supabase/migrations/4_pay_old.sql".into()),
            ]
        );
        let managed = plan.managed_paths();
        assert!(managed.contains(&PathBuf::from(format!("{links}/2_pay_gone.sql"))), "links to remove are managed");
        assert!(managed.contains(&PathBuf::from(format!("{links}/1_pay_new.sql"))));
    }

    #[test]
    fn config_lists_schemas_and_seed_globs() {
        let (pay, discord) = (project("pay"), project("discord"));
        let text =
            "[api]\nschemas = [\"public\", \"pay\"]\n\n[db.seed]\nsql_paths = [\"./seed.sql\", \"seeds/pay/*.sql\"]\n";
        let found = config_findings(Path::new("/c.toml"), text, &[(&pay, true), (&discord, true)]);
        let got: Vec<(Rule, usize)> = found.iter().map(|f| (f.rule, f.line)).collect();
        assert_eq!(got, vec![(Rule::ConfigSchemas, 2), (Rule::ConfigSeeds, 5)]);
        assert!(found[1].message.contains("\"./seeds/discord/*.sql\""), "{}", found[1].message);
        // No seed files, nothing to run: no glob needed.
        assert!(config_findings(Path::new("/c.toml"), text, &[(&pay, false)]).is_empty());
        let bad = config_findings(Path::new("/c.toml"), "[api\n", &[]);
        assert_eq!((bad[0].rule, bad[0].line), (Rule::ConfigSchemas, 1));
    }
}
