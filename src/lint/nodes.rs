//! Small readers of libpg_query's parse tree, shared by the SQL rules.

use pg_query::protobuf::{self, a_const};
use pg_query::{Node, NodeEnum};

/// The String nodes of a dotted name (`[catalog.][schema.]name`), in order.
pub(crate) fn strings(nodes: &[Node]) -> Vec<&str> {
    nodes
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::String(s)) => Some(s.sval.as_str()),
            _ => None,
        })
        .collect()
}

/// A string constant: `'pay'`.
pub(crate) fn const_string(node: &Node) -> Option<&str> {
    match &node.node {
        Some(NodeEnum::AConst(c)) => match &c.val {
            Some(a_const::Val::Sval(s)) => Some(&s.sval),
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn def_elem(node: &Node) -> Option<&protobuf::DefElem> {
    match &node.node {
        Some(NodeEnum::DefElem(d)) => Some(d),
        _ => None,
    }
}

/// The string argument of option `name` in a list of DefElems (`WITH SCHEMA x`).
pub(crate) fn option_string<'a>(options: &'a [Node], name: &str) -> Option<&'a str> {
    options.iter().filter_map(def_elem).find(|d| d.defname == name).and_then(|d| {
        match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
            Some(NodeEnum::String(s)) => Some(s.sval.as_str()),
            _ => None,
        }
    })
}
