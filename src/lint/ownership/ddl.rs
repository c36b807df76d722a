//! Schema changes: what CREATE, ALTER, RENAME, SET SCHEMA, OWNER TO, DROP and COMMENT change.

use pg_query::protobuf::{self, ObjectType};
use pg_query::NodeEnum;

use super::{Analyzer, ObjectKind, Part, Verb};
use crate::lint::nodes::option_string;

impl Analyzer {
    /// Records what a DDL statement changes; false if `node` is not one.
    pub(super) fn ddl(&mut self, node: &NodeEnum) -> bool {
        self.create(node) || self.change(node)
    }

    fn create(&mut self, node: &NodeEnum) -> bool {
        use NodeEnum as N;
        use ObjectKind as K;
        match node {
            N::CreateStmt(s) => self.create_table(s, K::Table),
            N::CreateForeignTableStmt(s) => {
                if let Some(base) = &s.base_stmt {
                    self.create_table(base, K::ForeignTable);
                }
            }
            N::CreateTableAsStmt(s) => {
                if let Some(rel) = s.into.as_ref().and_then(|into| into.rel.as_ref()) {
                    self.relation(Verb::Create, K::of_raw(s.objtype), Some(rel));
                }
                self.nested(s.query.as_deref());
            }
            N::ViewStmt(s) => self.relation(Verb::Create, K::View, s.view.as_ref()),
            N::CreateSeqStmt(s) => self.relation(Verb::Create, K::Sequence, s.sequence.as_ref()),
            N::CreateSchemaStmt(s) => {
                self.schema(Verb::Create, K::Schema, &s.schemaname);
                // CREATE SCHEMA x CREATE TABLE t ...: the elements are created in x.
                let saved = self.scope.search_path.replace(vec![s.schemaname.clone()]);
                for element in &s.schema_elts {
                    if let Some(element) = &element.node {
                        self.statement(element);
                    }
                }
                self.scope.search_path = saved;
            }
            N::CreateTrigStmt(s) => self.relation(Verb::Create, K::PartOf(Part::Trigger), s.relation.as_ref()),
            N::CreatePolicyStmt(s) => self.relation(Verb::Create, K::PartOf(Part::Policy), s.table.as_ref()),
            N::IndexStmt(s) => self.relation(Verb::Create, K::PartOf(Part::Index), s.relation.as_ref()),
            N::RuleStmt(s) => {
                self.relation(Verb::Create, K::PartOf(Part::Code), s.relation.as_ref());
                for action in &s.actions {
                    self.nested(Some(action));
                }
            }
            N::CreateFunctionStmt(s) => {
                let kind = if s.is_procedure { K::Procedure } else { K::Function };
                self.names(Verb::Create, kind, &s.funcname);
            }
            N::DefineStmt(s) => self.names(Verb::Create, K::of_raw(s.kind), &s.defnames),
            N::CreateEnumStmt(s) => self.names(Verb::Create, K::Type, &s.type_name),
            N::CreateRangeStmt(s) => self.names(Verb::Create, K::Type, &s.type_name),
            N::CompositeTypeStmt(s) => self.relation(Verb::Create, K::Type, s.typevar.as_ref()),
            N::CreateDomainStmt(s) => self.names(Verb::Create, K::Domain, &s.domainname),
            N::CreateStatsStmt(s) => {
                if !s.defnames.is_empty() {
                    self.names(Verb::Create, K::Statistics, &s.defnames);
                }
                for rel in &s.relations {
                    if let Some(NodeEnum::RangeVar(rel)) = &rel.node {
                        self.relation(Verb::Create, K::PartOf(Part::Statistics), Some(rel));
                    }
                }
            }
            N::CreateConversionStmt(s) => self.names(Verb::Create, K::Conversion, &s.conversion_name),
            N::ImportForeignSchemaStmt(s) => self.schema(Verb::ImportInto, K::ForeignTable, &s.local_schema),
            N::CreateExtensionStmt(s) => {
                self.push(Verb::Create, K::Extension, option_string(&s.options, "schema"), Some(&s.extname));
            }
            _ => return false,
        }
        true
    }

    fn change(&mut self, node: &NodeEnum) -> bool {
        use NodeEnum as N;
        use ObjectKind as K;
        match node {
            N::AlterSeqStmt(s) => self.relation(Verb::Alter, K::Sequence, s.sequence.as_ref()),
            N::AlterTableStmt(s) => self.relation(Verb::Alter, K::of_raw(s.objtype), s.relation.as_ref()),
            N::RenameStmt(s) => self.rename(s),
            N::AlterObjectSchemaStmt(s) => {
                match (&s.relation, &s.object) {
                    (Some(rel), _) => self.relation(Verb::Move, K::of_raw(s.object_type), Some(rel)),
                    (None, Some(object)) => self.object(Verb::Move, s.object_type, object),
                    _ => {}
                }
                self.schema(Verb::MoveInto, K::of_raw(s.object_type), &s.newschema);
            }
            N::AlterOwnerStmt(s) => match (&s.relation, &s.object) {
                (Some(rel), _) => self.relation(Verb::ChangeOwner, K::of_raw(s.object_type), Some(rel)),
                (None, Some(object)) => self.object(Verb::ChangeOwner, s.object_type, object),
                _ => {}
            },
            N::DropStmt(s) => {
                for object in &s.objects {
                    self.object(Verb::Drop, s.remove_type, object);
                }
            }
            N::CommentStmt(s) => {
                if let Some(object) = &s.object {
                    self.object(Verb::CommentOn, s.objtype, object);
                }
            }
            N::AlterPolicyStmt(s) => self.relation(Verb::Alter, K::PartOf(Part::Policy), s.table.as_ref()),
            N::AlterFunctionStmt(s) => {
                if let Some(func) = &s.func {
                    self.names(Verb::Alter, K::of_raw(s.objtype), &func.objname);
                }
            }
            N::AlterEnumStmt(s) => self.names(Verb::Alter, K::Type, &s.type_name),
            N::AlterTypeStmt(s) => self.names(Verb::Alter, K::Type, &s.type_name),
            N::AlterDomainStmt(s) => self.names(Verb::Alter, K::Domain, &s.type_name),
            N::AlterStatsStmt(s) => self.names(Verb::Alter, K::Statistics, &s.defnames),
            _ => return false,
        }
        true
    }

    fn create_table(&mut self, s: &protobuf::CreateStmt, kind: ObjectKind) {
        self.relation(Verb::Create, kind, s.relation.as_ref());
        if s.partbound.is_some() {
            // CREATE TABLE x PARTITION OF parent changes the parent.
            for parent in &s.inh_relations {
                if let Some(NodeEnum::RangeVar(parent)) = &parent.node {
                    self.relation(Verb::AddPartition, ObjectKind::Table, Some(parent));
                }
            }
        }
    }

    fn rename(&mut self, s: &protobuf::RenameStmt) {
        let kind = ObjectKind::of(ObjectType::try_from(s.rename_type).unwrap_or(ObjectType::Undefined));
        match (kind, &s.relation, &s.object) {
            (ObjectKind::Schema, _, _) => self.schema(Verb::Rename, kind, &s.subname),
            (_, Some(rel), _) => self.relation(Verb::Rename, kind, Some(rel)),
            (_, None, Some(object)) => self.object(Verb::Rename, s.rename_type, object),
            _ => {}
        }
    }
}
