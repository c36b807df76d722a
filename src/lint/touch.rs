//! What a statement does to an object, as a (verb, kind) pair: `create table`,
//! `insert into`, `create a trigger on`, `grant on all tables in schema`.

use std::fmt;

use pg_query::protobuf::ObjectType;

/// What is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Verb {
    Create,
    Alter,
    Drop,
    Rename,
    /// `ALTER ... SET SCHEMA`, at the object moved.
    Move,
    /// `ALTER ... SET SCHEMA`, at the schema it moves into.
    MoveInto,
    ChangeOwner,
    CommentOn,
    GrantOn,
    RevokeOn,
    /// `GRANT ... ON ALL <kind>S IN SCHEMA`.
    GrantOnAllIn,
    RevokeOnAllIn,
    AlterDefaultPrivileges,
    AddPartition,
    /// `IMPORT FOREIGN SCHEMA ... INTO`, at the schema imported into.
    ImportInto,
    Refresh,
    Insert,
    Update,
    Delete,
    Merge,
    Truncate,
    CopyInto,
}

/// What it is done to: the object named, or a part of the table named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ObjectKind {
    Schema,
    Table,
    View,
    MaterializedView,
    ForeignTable,
    Index,
    Sequence,
    Function,
    Procedure,
    Routine,
    Aggregate,
    Operator,
    Type,
    Domain,
    Collation,
    Conversion,
    Statistics,
    TextSearchConfiguration,
    TextSearchDictionary,
    TextSearchParser,
    TextSearchTemplate,
    OperatorClass,
    OperatorFamily,
    /// The name is the extension's; the schema is where it is installed.
    Extension,
    /// The name is the table's.
    PartOf(Part),
    Object,
}

/// A part of a table, named by the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Part {
    Column,
    Constraint,
    Trigger,
    Policy,
    Code,
    Index,
    Statistics,
}

impl ObjectKind {
    pub(crate) fn of(kind: ObjectType) -> ObjectKind {
        use ObjectType as O;
        match kind {
            O::ObjectTable => ObjectKind::Table,
            O::ObjectView => ObjectKind::View,
            O::ObjectMatview => ObjectKind::MaterializedView,
            O::ObjectForeignTable => ObjectKind::ForeignTable,
            O::ObjectIndex => ObjectKind::Index,
            O::ObjectSequence => ObjectKind::Sequence,
            O::ObjectFunction => ObjectKind::Function,
            O::ObjectProcedure => ObjectKind::Procedure,
            O::ObjectRoutine => ObjectKind::Routine,
            O::ObjectAggregate => ObjectKind::Aggregate,
            O::ObjectOperator => ObjectKind::Operator,
            O::ObjectType => ObjectKind::Type,
            O::ObjectDomain => ObjectKind::Domain,
            O::ObjectSchema => ObjectKind::Schema,
            O::ObjectColumn => ObjectKind::PartOf(Part::Column),
            O::ObjectTabconstraint => ObjectKind::PartOf(Part::Constraint),
            O::ObjectTrigger => ObjectKind::PartOf(Part::Trigger),
            O::ObjectPolicy => ObjectKind::PartOf(Part::Policy),
            O::ObjectRule => ObjectKind::PartOf(Part::Code),
            O::ObjectCollation => ObjectKind::Collation,
            O::ObjectConversion => ObjectKind::Conversion,
            O::ObjectStatisticExt => ObjectKind::Statistics,
            O::ObjectTsconfiguration => ObjectKind::TextSearchConfiguration,
            O::ObjectTsdictionary => ObjectKind::TextSearchDictionary,
            O::ObjectTsparser => ObjectKind::TextSearchParser,
            O::ObjectTstemplate => ObjectKind::TextSearchTemplate,
            O::ObjectOpclass => ObjectKind::OperatorClass,
            O::ObjectOpfamily => ObjectKind::OperatorFamily,
            _ => ObjectKind::Object,
        }
    }

    /// From libpg_query's raw `ObjectType` number.
    pub(crate) fn of_raw(kind: i32) -> ObjectKind {
        ObjectKind::of(ObjectType::try_from(kind).unwrap_or(ObjectType::Undefined))
    }

    /// The object named by a whole kind, for a part: `a trigger on` becomes `trigger`.
    fn word(self) -> &'static str {
        match self {
            ObjectKind::Schema => "schema",
            ObjectKind::Table => "table",
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized view",
            ObjectKind::ForeignTable => "foreign table",
            ObjectKind::Index | ObjectKind::PartOf(Part::Index) => "index",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Function => "function",
            ObjectKind::Procedure => "procedure",
            ObjectKind::Routine => "routine",
            ObjectKind::Aggregate => "aggregate",
            ObjectKind::Operator => "operator",
            ObjectKind::Type => "type",
            ObjectKind::Domain => "domain",
            ObjectKind::Collation => "collation",
            ObjectKind::Conversion => "conversion",
            ObjectKind::Statistics => "statistics object",
            ObjectKind::TextSearchConfiguration => "text search configuration",
            ObjectKind::TextSearchDictionary => "text search dictionary",
            ObjectKind::TextSearchParser => "text search parser",
            ObjectKind::TextSearchTemplate => "text search template",
            ObjectKind::OperatorClass => "operator class",
            ObjectKind::OperatorFamily => "operator family",
            ObjectKind::Extension => "extension",
            ObjectKind::PartOf(Part::Column) => "column",
            ObjectKind::PartOf(Part::Constraint) => "constraint",
            ObjectKind::PartOf(Part::Trigger) => "trigger",
            ObjectKind::PartOf(Part::Policy) => "policy",
            ObjectKind::PartOf(Part::Code) => "rule",
            ObjectKind::PartOf(Part::Statistics) => "statistics object",
            ObjectKind::Object => "object",
        }
    }
}

impl Verb {
    /// Every verb, in the order the README lists them.
    pub(crate) const ALL: [Verb; 22] = [
        Verb::Create,
        Verb::Alter,
        Verb::Drop,
        Verb::Rename,
        Verb::Move,
        Verb::MoveInto,
        Verb::ChangeOwner,
        Verb::CommentOn,
        Verb::GrantOn,
        Verb::RevokeOn,
        Verb::GrantOnAllIn,
        Verb::RevokeOnAllIn,
        Verb::AlterDefaultPrivileges,
        Verb::AddPartition,
        Verb::ImportInto,
        Verb::Refresh,
        Verb::Insert,
        Verb::Update,
        Verb::Delete,
        Verb::Merge,
        Verb::Truncate,
        Verb::CopyInto,
    ];

    /// How a finding says it: `insert into`, `create`.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Verb::Create => "create",
            Verb::Alter => "alter",
            Verb::Drop => "drop",
            Verb::Rename => "rename",
            Verb::Move | Verb::MoveInto => "move",
            Verb::ChangeOwner => "change the owner of",
            Verb::CommentOn => "comment on",
            Verb::GrantOn | Verb::GrantOnAllIn => "grant on",
            Verb::RevokeOn | Verb::RevokeOnAllIn => "revoke on",
            Verb::AlterDefaultPrivileges => "alter default privileges",
            Verb::AddPartition => "add a partition to",
            Verb::ImportInto => "import foreign tables into",
            Verb::Refresh => "refresh",
            Verb::Insert => "insert into",
            Verb::Update => "update",
            Verb::Delete => "delete from",
            Verb::Merge => "merge into",
            Verb::Truncate => "truncate",
            Verb::CopyInto => "copy into",
        }
    }

    /// Row writes and partitions name the table alone: `insert into public.x`.
    fn names_no_kind(self) -> bool {
        matches!(
            self,
            Verb::AddPartition
                | Verb::Insert
                | Verb::Update
                | Verb::Delete
                | Verb::Merge
                | Verb::Truncate
                | Verb::CopyInto
        )
    }
}

/// The schema of `ALTER DEFAULT PRIVILEGES` without `IN SCHEMA`: every one.
pub(crate) const ALL_SCHEMAS: &str = "*";

/// Where a touched object is: a schema, or an unqualified name's search_path (two or
/// more schemas, resolved in apply order by [`super::resolve`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Place {
    Schema(String),
    Path(Vec<String>),
}

/// A touch as one statement sees it, before the search_path is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PendingTouch {
    pub(crate) verb: Verb,
    pub(crate) kind: ObjectKind,
    pub(crate) place: Place,
    pub(crate) name: Option<String>,
}

impl PendingTouch {
    /// Whether the statement creates the object (resolved to the first schema that
    /// exists) rather than looks it up (the first schema that has it).
    pub(crate) fn creates(&self) -> bool {
        self.verb == Verb::Create && !matches!(self.kind, ObjectKind::PartOf(_))
    }

    pub(crate) fn at(&self, schema: &str) -> Touch {
        Touch { verb: self.verb, kind: self.kind, schema: schema.to_string(), name: self.name.clone() }
    }
}

/// An object a statement changes: with no `name`, the schema itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Touch {
    pub(crate) verb: Verb,
    pub(crate) kind: ObjectKind,
    pub(crate) schema: String,
    pub(crate) name: Option<String>,
}

impl fmt::Display for Touch {
    /// The phrase after `<project> may not`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (verb, kind, schema) = (self.verb.word(), self.kind.word(), &self.schema);
        let Some(name) = &self.name else {
            return match self.verb {
                Verb::MoveInto => write!(f, "move a {kind} into schema {schema}"),
                Verb::GrantOnAllIn | Verb::RevokeOnAllIn => write!(f, "{verb} all {kind}s in schema {schema}"),
                Verb::AlterDefaultPrivileges if schema == ALL_SCHEMAS => {
                    write!(f, "{verb} without IN SCHEMA, in every schema")
                }
                Verb::AlterDefaultPrivileges => write!(f, "{verb} in schema {schema}"),
                Verb::ImportInto => write!(f, "{verb} schema {schema}"),
                _ => write!(f, "{verb} schema {schema}"),
            };
        };
        // An unresolved name (no schema) is shown as written.
        let object = if schema.is_empty() { name.clone() } else { format!("{schema}.{name}") };
        match self.kind {
            ObjectKind::Extension => write!(f, "{verb} extension {name} in schema {schema}"),
            _ if self.verb.names_no_kind() => write!(f, "{verb} {object}"),
            ObjectKind::PartOf(part) => {
                let (article, link) = match part {
                    Part::Column | Part::Constraint => ("a", "of"),
                    Part::Index => ("an", "on"),
                    Part::Trigger | Part::Policy | Part::Code | Part::Statistics => ("a", "on"),
                };
                write!(f, "{verb} {article} {kind} {link} {object}")
            }
            _ => write!(f, "{verb} {kind} {object}"),
        }
    }
}

/// What the body of a function or `DO` block does, at a line of the migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BodyEffect {
    pub(crate) line: usize,
    /// `function pay.sync_member`, `a DO block`.
    pub(crate) routine: String,
    pub(crate) effect: Effect,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Effect {
    /// A change, written in the body or run by `EXECUTE` (`dynamic`) of text mynatca read.
    Touch { touch: PendingTouch, dynamic: bool },
    /// `EXECUTE` of text built at run time.
    Unresolved,
    /// A body mynatca cannot read, and why (`is in language plv8, which ...`).
    NotAnalysed(String),
}
