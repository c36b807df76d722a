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

/// Every `.rs` file under `src/`, relative to it, with its whole text.
fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(&src).into_iter().map(Result::unwrap) {
        if entry.path().extension().and_then(|e| e.to_str()) == Some("rs") {
            let relative = entry.path().strip_prefix(&src).unwrap().display().to_string();
            found.push((relative, std::fs::read_to_string(entry.path()).unwrap()));
        }
    }
    found.sort();
    found
}

/// Each function's name and its length in lines, from its `fn` line to the brace that
/// closes it at the same indent (rustfmt's layout).
fn functions(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let code = line.trim_start();
        let indent = line.len() - code.len();
        let Some(at) = code.find("fn ").filter(|&at| {
            let before = &code[..at];
            before.is_empty()
                || before
                    .split_whitespace()
                    .all(|w| ["pub", "pub(crate)", "pub(super)", "const", "unsafe", "async", "extern"].contains(&w))
        }) else {
            continue;
        };
        let name: String = code[at + 3..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let close = format!("{}}}", " ".repeat(indent));
        if code.ends_with(';') {
            continue;
        }
        if let Some(end) = lines[i..].iter().position(|l| *l == close) {
            found.push((name, end + 1));
        }
    }
    found
}

#[test]
fn files_functions_and_commands_stay_small() {
    let mut too_big = Vec::new();
    for (path, text) in sources() {
        let lines = text.lines().count();
        let limit = if path.starts_with("commands/") && path.matches('/').count() == 1 { 300 } else { 600 };
        if lines > limit {
            too_big.push(format!("{path}: {lines} lines (at most {limit})"));
        }
        for (name, length) in functions(&text) {
            if length > 80 {
                too_big.push(format!("{path}: fn {name} has {length} lines (at most 80)"));
            }
        }
    }
    assert!(too_big.is_empty(), "{}", too_big.join("\n"));
    assert!(functions("fn a() {\n    1\n}\n") == [("a".to_string(), 3)], "functions are measured");
}
