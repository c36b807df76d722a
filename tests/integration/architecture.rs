//! The module graph of `src/` has no cycle: between top-level modules, nor between the
//! children of any module (`lint::facts` and `lint::ownership`, say). A module refers to
//! another through `crate::a::b` or `super::b` outside its `#[cfg(test)]` part; a child
//! using its parent is not a cycle between siblings.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each module (`lint::facts`) and the text of its file, tests cut off.
fn modules() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src).into_iter().map(Result::unwrap) {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let relative = path.strip_prefix(&src).unwrap().with_extension("");
        let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        if parts == ["lib"] || parts == ["main"] {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default().to_string();
        found.insert(parts.join("::"), code);
    }
    found
}

/// The paths after `prefix` in `code`: `crate::lint::facts::Event` gives `lint::facts::Event`.
fn paths_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    code.match_indices(prefix)
        .filter(|(at, _)| !code[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        .map(|(at, _)| {
            let rest = &code[at + prefix.len()..];
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
            rest[..end].trim_end_matches(':')
        })
        .collect()
}

/// The longest module `path` starts with.
fn resolve<'a>(modules: &'a BTreeMap<String, String>, path: &str) -> Option<&'a String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len()).rev().find_map(|n| modules.get_key_value(&parts[..n].join("::")).map(|(k, _)| k))
}

/// Module to modules it refers to.
fn edges(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges = BTreeMap::new();
    for (module, code) in modules {
        let parent: Vec<&str> = module.split("::").collect::<Vec<_>>()[..module.matches("::").count()].to_vec();
        let mut targets = BTreeSet::new();
        for path in paths_after(code, "crate::") {
            targets.extend(resolve(modules, path).cloned());
        }
        for path in paths_after(code, "super::") {
            let full = parent.iter().copied().chain(path.split("::")).collect::<Vec<_>>().join("::");
            targets.extend(resolve(modules, &full).cloned());
        }
        targets.remove(module);
        edges.insert(module.clone(), targets);
    }
    edges
}

/// The child of `parent` that `module` is or is inside, if any.
fn child_of(module: &str, parent: &[&str]) -> Option<String> {
    let parts: Vec<&str> = module.split("::").collect();
    (parts.len() > parent.len() && parts[..parent.len()] == *parent).then(|| parts[..=parent.len()].join("::"))
}

/// A cycle among the nodes of `graph`, if there is one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            return Some(path[at..].iter().cloned().chain([node.to_string()]).collect());
        }
        if !done.insert(node.to_string()) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_cycle_between_modules_at_any_level() {
    let modules = modules();
    let edges = edges(&modules);
    let mut parents: BTreeSet<String> =
        modules.keys().map(|m| m.rsplit_once("::").map_or("", |(p, _)| p).to_string()).collect();
    parents.insert(String::new());
    for parent in parents {
        let parent: Vec<&str> = if parent.is_empty() { Vec::new() } else { parent.split("::").collect() };
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, targets) in &edges {
            let Some(a) = child_of(from, &parent) else { continue };
            for to in targets {
                if let Some(b) = child_of(to, &parent).filter(|b| *b != a) {
                    graph.entry(a.clone()).or_default().insert(b);
                }
            }
        }
        assert_eq!(cycle(&graph), None, "a cycle among the children of `{}`", parent.join("::"));
    }
    assert!(edges["lint::facts"].contains("lint::touch"), "the graph is read: {:?}", edges["lint::facts"]);
}
