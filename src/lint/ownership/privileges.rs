//! Privileges: GRANT, REVOKE and ALTER DEFAULT PRIVILEGES.

use pg_query::protobuf::{self, GrantTargetType};
use pg_query::NodeEnum;

use super::{Analyzer, ObjectKind, Verb, ALL_SCHEMAS};
use crate::lint::nodes::{def_elem, strings};

impl Analyzer {
    /// Records what a privilege statement changes; false if `node` is not one.
    pub(super) fn privileges(&mut self, node: &NodeEnum) -> bool {
        match node {
            NodeEnum::GrantStmt(s) => self.grant(s),
            NodeEnum::AlterDefaultPrivilegesStmt(s) => {
                let mut in_schema = false;
                for option in s.options.iter().filter_map(def_elem).filter(|d| d.defname == "schemas") {
                    if let Some(NodeEnum::List(list)) = option.arg.as_ref().and_then(|a| a.node.as_ref()) {
                        for schema in strings(&list.items) {
                            in_schema = true;
                            self.schema(Verb::AlterDefaultPrivileges, ObjectKind::Schema, schema);
                        }
                    }
                }
                // Without IN SCHEMA the defaults apply in every schema: the platform's
                // business (resolved as owned by it).
                if !in_schema {
                    self.schema(Verb::AlterDefaultPrivileges, ObjectKind::Schema, ALL_SCHEMAS);
                }
            }
            _ => return false,
        }
        true
    }

    fn grant(&mut self, s: &protobuf::GrantStmt) {
        match GrantTargetType::try_from(s.targtype) {
            Ok(GrantTargetType::AclTargetAllInSchema) => {
                let verb = if s.is_grant { Verb::GrantOnAllIn } else { Verb::RevokeOnAllIn };
                for schema in strings(&s.objects) {
                    self.schema(verb, ObjectKind::of_raw(s.objtype), schema);
                }
            }
            Ok(GrantTargetType::AclTargetObject) => {
                let verb = if s.is_grant { Verb::GrantOn } else { Verb::RevokeOn };
                for object in &s.objects {
                    self.object(verb, s.objtype, object);
                }
            }
            _ => {}
        }
    }
}
