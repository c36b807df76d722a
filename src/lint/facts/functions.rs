//! Functions and views' security settings: SECURITY DEFINER, SET search_path, security_invoker.

use pg_query::protobuf::{self, FunctionParameterMode};
use pg_query::{Node, NodeEnum};

use super::{Event, Facts, Object};
use crate::lint::nodes::def_elem;

impl Facts<'_> {
    pub(super) fn create_function(&mut self, s: &protobuf::CreateFunctionStmt) {
        let Some((schema, name)) =
            self.qualified(&s.funcname).and_then(|(s, n)| Some((s.or_else(|| self.scope.default_schema())?, n)))
        else {
            return;
        };
        let arity = s
            .parameters
            .iter()
            .filter(|p| match &p.node {
                Some(NodeEnum::FunctionParameter(p)) => !matches!(
                    FunctionParameterMode::try_from(p.mode),
                    Ok(FunctionParameterMode::FuncParamOut | FunctionParameterMode::FuncParamTable)
                ),
                _ => false,
            })
            .count();
        self.events.push(Event::Create(Object::Function(schema.clone(), name.clone(), Some(arity))));
        let (definer, search_path) = function_options(&s.options);
        let definer = Some(definer.unwrap_or(false));
        let search_path = Some(search_path.unwrap_or(false));
        self.events.push(Event::Function { schema, name, arity: Some(arity), created: true, definer, search_path });
    }

    pub(super) fn alter_function(&mut self, s: &protobuf::AlterFunctionStmt) {
        let Some(func) = &s.func else { return };
        let arity = (!func.args_unspecified).then_some(func.objargs.len());
        self.function_ref(&func.objname, arity);
        let (definer, search_path) = function_options(&s.actions);
        if let Some((schema, name)) = self.lookup_names(&func.objname).into_iter().next() {
            self.events.push(Event::Function { schema, name, arity, created: false, definer, search_path });
        }
    }
}

/// `security_invoker` among a view's options: `Some(on)` when given.
pub(super) fn security_invoker(options: &[Node]) -> Option<bool> {
    options.iter().filter_map(def_elem).find(|d| d.defname == "security_invoker").map(|d| {
        match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
            None => true,
            Some(NodeEnum::String(s)) => matches!(s.sval.to_lowercase().as_str(), "true" | "on" | "yes" | "1"),
            Some(NodeEnum::Boolean(b)) => b.boolval,
            Some(NodeEnum::Integer(i)) => i.ival != 0,
            Some(NodeEnum::AConst(c)) => match &c.val {
                Some(protobuf::a_const::Val::Sval(s)) => {
                    matches!(s.sval.to_lowercase().as_str(), "true" | "on" | "yes" | "1")
                }
                Some(protobuf::a_const::Val::Boolval(b)) => b.boolval,
                Some(protobuf::a_const::Val::Ival(i)) => i.ival != 0,
                _ => false,
            },
            _ => false,
        }
    })
}

/// `SECURITY DEFINER|INVOKER` and `SET search_path` among a function's options, when given.
pub(super) fn function_options(options: &[Node]) -> (Option<bool>, Option<bool>) {
    let mut definer = None;
    let mut search_path = None;
    for option in options.iter().filter_map(def_elem) {
        match (option.defname.as_str(), option.arg.as_ref().and_then(|a| a.node.as_ref())) {
            ("security", Some(NodeEnum::Boolean(b))) => definer = Some(b.boolval),
            ("security", Some(NodeEnum::Integer(i))) => definer = Some(i.ival != 0),
            ("set", Some(NodeEnum::VariableSetStmt(set))) if set.name == "search_path" => {
                search_path = Some(!set.args.is_empty())
            }
            _ => {}
        }
    }
    (definer, search_path)
}
