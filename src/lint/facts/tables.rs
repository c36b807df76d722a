//! Tables: CREATE TABLE and its columns and foreign keys, ALTER TABLE, RENAME, SET SCHEMA, DROP.

use pg_query::protobuf::{self, AlterTableType, ConstrType, ObjectType};
use pg_query::NodeEnum;

use super::functions::security_invoker;
use super::{Event, Facts, Object};
use crate::lint::nodes::{def_elem, strings};

impl Facts<'_> {
    pub(super) fn create_table(&mut self, s: &protobuf::CreateStmt, plain_table: bool) {
        let Some(rel) = &s.relation else { return };
        self.created_relation(rel, plain_table);
        for parent in &s.inh_relations {
            self.range_var_ref(parent);
        }
        let Some((schema, table)) = self.creation(rel) else { return };
        for element in &s.table_elts {
            match &element.node {
                Some(NodeEnum::ColumnDef(column)) => {
                    self.events.push(Event::Create(Object::Column(
                        schema.clone(),
                        table.clone(),
                        column.colname.clone(),
                    )));
                    self.column_def_refs(column);
                }
                Some(NodeEnum::Constraint(c)) => self.constraint_refs(c),
                _ => {}
            }
        }
    }

    pub(super) fn column_def_refs(&mut self, column: &protobuf::ColumnDef) {
        self.type_ref(column.type_name.as_ref());
        for constraint in &column.constraints {
            if let Some(NodeEnum::Constraint(c)) = &constraint.node {
                self.constraint_refs(c);
            }
        }
    }

    /// A foreign key references its table and columns.
    pub(super) fn constraint_refs(&mut self, c: &protobuf::Constraint) {
        if ConstrType::try_from(c.contype) != Ok(ConstrType::ConstrForeign) {
            return;
        }
        let Some(table) = &c.pktable else { return };
        self.relation_ref(table);
        for column in strings(&c.pk_attrs) {
            self.column_ref(table, column);
        }
    }

    pub(super) fn alter_table(&mut self, s: &protobuf::AlterTableStmt) {
        let Some(rel) = &s.relation else { return };
        if !s.missing_ok {
            self.relation_ref(rel);
        }
        let target = self.lookup(rel).into_iter().next();
        let view = ObjectType::try_from(s.objtype) == Ok(ObjectType::ObjectView);
        for cmd in &s.cmds {
            let Some(NodeEnum::AlterTableCmd(cmd)) = &cmd.node else { continue };
            let def = cmd.def.as_ref().and_then(|d| d.node.as_ref());
            match (AlterTableType::try_from(cmd.subtype), def) {
                (Ok(AlterTableType::AtAddColumn), Some(NodeEnum::ColumnDef(column))) => {
                    if let Some((schema, table)) = &target {
                        let column_name = column.colname.clone();
                        self.events.push(Event::Create(Object::Column(schema.clone(), table.clone(), column_name)));
                    }
                    self.column_def_refs(column);
                }
                (Ok(AlterTableType::AtAddConstraint), Some(NodeEnum::Constraint(c))) => self.constraint_refs(c),
                (Ok(AlterTableType::AtEnableRowSecurity | AlterTableType::AtForceRowSecurity), _) => {
                    if let Some((schema, table)) = &target {
                        self.events.push(Event::RowSecurity(schema.clone(), table.clone(), true));
                    }
                }
                (Ok(AlterTableType::AtDisableRowSecurity), _) => {
                    if let Some((schema, table)) = &target {
                        self.events.push(Event::RowSecurity(schema.clone(), table.clone(), false));
                    }
                }
                (
                    Ok(subtype @ (AlterTableType::AtSetRelOptions | AlterTableType::AtResetRelOptions)),
                    Some(NodeEnum::List(list)),
                ) if view => {
                    let reset = subtype == AlterTableType::AtResetRelOptions;
                    let set = security_invoker(&list.items).map(|on| on && !reset);
                    let mentioned =
                        reset && list.items.iter().filter_map(def_elem).any(|d| d.defname == "security_invoker");
                    if let (Some(invoker), Some((schema, name))) = (set.or(mentioned.then_some(false)), &target) {
                        self.events.push(Event::View {
                            schema: schema.clone(),
                            name: name.clone(),
                            invoker,
                            created: false,
                        });
                    }
                }
                (Ok(AlterTableType::AtDropColumn | AlterTableType::AtAlterColumnType), _)
                    if !cmd.missing_ok && !cmd.name.is_empty() =>
                {
                    self.column_ref(rel, &cmd.name);
                }
                _ => {}
            }
        }
    }

    pub(super) fn rename(&mut self, s: &protobuf::RenameStmt) {
        let kind = ObjectType::try_from(s.rename_type).unwrap_or(ObjectType::Undefined);
        if let Some(rel) = &s.relation {
            if s.missing_ok {
                return;
            }
            self.relation_ref(rel);
            let Some((schema, name)) = self.lookup(rel).into_iter().next() else { return };
            match kind {
                ObjectType::ObjectColumn => {
                    self.column_ref(rel, &s.subname);
                    self.events.push(Event::Create(Object::Column(schema, name, s.newname.clone())));
                }
                ObjectType::ObjectTable
                | ObjectType::ObjectView
                | ObjectType::ObjectMatview
                | ObjectType::ObjectForeignTable
                | ObjectType::ObjectSequence => {
                    self.events.push(Event::Create(Object::Relation(schema.clone(), s.newname.clone())));
                    self.events.push(Event::Renamed((schema.clone(), name), (schema, s.newname.clone())));
                }
                _ => {}
            }
        } else if let Some(object) = &s.object {
            self.object_ref(s.rename_type, object);
        }
    }

    pub(super) fn move_schema(&mut self, s: &protobuf::AlterObjectSchemaStmt) {
        self.events.push(Event::Reference(vec![Object::Schema(s.newschema.clone())]));
        match (&s.relation, &s.object) {
            (Some(rel), _) if !s.missing_ok => {
                self.relation_ref(rel);
                if let Some((schema, name)) = self.lookup(rel).into_iter().next() {
                    self.events.push(Event::Create(Object::Relation(s.newschema.clone(), name.clone())));
                    self.events.push(Event::Renamed((schema, name.clone()), (s.newschema.clone(), name)));
                }
            }
            (None, Some(object)) => self.object_ref(s.object_type, object),
            _ => {}
        }
    }

    pub(super) fn drop(&mut self, s: &protobuf::DropStmt) {
        let kind = ObjectType::try_from(s.remove_type).unwrap_or(ObjectType::Undefined);
        for object in &s.objects {
            if !s.missing_ok {
                self.object_ref(s.remove_type, object);
            }
            if kind == ObjectType::ObjectTable {
                if let Some(NodeEnum::List(list)) = &object.node {
                    for (schema, name) in self.lookup_names(&list.items) {
                        self.events.push(Event::Dropped(schema, name));
                    }
                }
            }
        }
    }
}
