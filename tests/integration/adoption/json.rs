//! `--json`: one language for every document, error documents included.

use serde_json::Value;

use crate::refresh::pg;
use crate::support::{stderr, stdout, Ws};

type Map = serde_json::Map<String, Value>;

fn object(value: &Value, what: &str) -> Map {
    value.as_object().unwrap_or_else(|| panic!("{what} is not an object: {value}")).clone()
}

fn list(value: &Value, what: &str) -> Vec<Value> {
    value.as_array().unwrap_or_else(|| panic!("{what} is not a list: {value}")).clone()
}

/// Every `required` key is there, and no key but those and the `optional` ones.
fn keys(map: &Map, required: &[&str], optional: &[&str], what: &str) {
    for key in required {
        assert!(map.contains_key(*key), "{what} lacks {key}: {map:?}");
    }
    for key in map.keys() {
        assert!(
            required.contains(&key.as_str()) || optional.contains(&key.as_str()),
            "{what} has an unknown key {key}"
        );
    }
}

fn string(value: &Value, what: &str) {
    assert!(value.is_string(), "{what} is not a string: {value}");
}

fn count(value: &Value, what: &str) {
    assert!(value.is_u64(), "{what} is not a count: {value}");
}

fn nullable(value: &Value, ok: fn(&Value) -> bool, what: &str) {
    assert!(value.is_null() || ok(value), "{what}: {value}");
}

/// `{"project", "path"}` (plus `extra` string keys), the path inside that project's repo.
fn file(value: &Value, extra: &[&str], what: &str) {
    let map = object(value, what);
    let mut required = vec!["project", "path"];
    required.extend(extra);
    keys(&map, &required, &[], what);
    for key in required {
        string(&map[key], &format!("{what}.{key}"));
    }
    let path = map["path"].as_str().unwrap();
    assert!(!path.starts_with('/') && !path.starts_with(".."), "{what}.path is not inside its repo: {path}");
}

/// `{"kind", "message", "project"?, "path"?, "line"?}`.
fn issue(value: &Value, what: &str) {
    let map = object(value, what);
    keys(&map, &["kind", "message"], &["project", "path", "line", "column", "hint"], what);
    string(&map["kind"], what);
    string(&map["message"], what);
    match (map.get("project"), map.get("path")) {
        (Some(project), Some(path)) => file(&serde_json::json!({"project": project, "path": path}), &[], what),
        (Some(project), None) => string(project, what),
        // Outside every repo of the workspace: absolute.
        (None, Some(path)) => assert!(path.as_str().is_some_and(|p| p.starts_with('/')), "{what}.path: {path}"),
        (None, None) => {}
    }
    for key in ["line", "column"] {
        if let Some(n) = map.get(key) {
            assert!(n.as_u64().is_some_and(|n| n >= 1), "{what}.{key}: {n}");
        }
    }
    if let Some(hint) = map.get("hint") {
        string(hint, what);
    }
}

const ENVELOPE: [&str; 6] = ["schema", "command", "platform", "ok", "errors", "warnings"];

/// The README's "JSON output" schema, checked key by key: nothing missing, nothing else.
fn validate(doc: &Value) {
    let map = object(doc, "the document");
    assert_eq!(map["schema"], 1);
    nullable(&map["platform"], |p| p.as_str().is_some_and(|p| p.starts_with('/')), "platform");
    let ok = map["ok"].as_bool().expect("ok is a boolean");
    for key in ["errors", "warnings"] {
        for (i, value) in list(&map[key], key).iter().enumerate() {
            issue(value, &format!("{key}[{i}]"));
        }
    }
    // A command that failed before it had a result, or a refresh that stopped (refused on
    // the links, or at a failing file): the envelope alone, the errors saying why.
    let stopped = map.keys().all(|key| ENVELOPE.contains(&key.as_str()));
    let failed = !ok
        && (stopped
            || list(&map["errors"], "errors")
                .iter()
                .any(|e| matches!(e["kind"].as_str(), Some("usage" | "config" | "error"))));
    if failed {
        keys(&map, &ENVELOPE, &[], "an error document");
        nullable(&map["command"], Value::is_string, "command");
    } else {
        validate_own(&map);
    }
}

/// The fields of each command's own document.
fn validate_own(map: &Map) {
    let with = |own: &[&'static str]| -> Vec<&'static str> { ENVELOPE.iter().chain(own).copied().collect() };
    match map["command"].as_str() {
        Some("link") => {
            keys(map, &with(&["dry_run", "created", "updated", "removed", "unchanged"]), &[], "link");
            assert!(map["dry_run"].is_boolean());
            count(&map["unchanged"], "unchanged");
            for key in ["created", "updated", "removed"] {
                for (i, value) in list(&map[key], key).iter().enumerate() {
                    file(value, &["link"], &format!("{key}[{i}]"));
                }
            }
        }
        Some("check") => {
            keys(map, &with(&["checked"]), &[], "check");
            let checked = object(&map["checked"], "checked");
            keys(&checked, &["migrations", "repos"], &[], "checked");
            count(&checked["migrations"], "checked.migrations");
            count(&checked["repos"], "checked.repos");
        }
        Some("status") => {
            keys(map, &with(&["repos"]), &[], "status");
            for (i, repo) in list(&map["repos"], "repos").iter().enumerate() {
                let what = format!("repos[{i}]");
                let repo = object(repo, &what);
                let fields = ["name", "path", "branch", "state", "dirty", "migrations", "linked", "newest"];
                keys(&repo, &fields, &[], &what);
                for key in ["name", "path", "state"] {
                    string(&repo[key], &what);
                }
                nullable(&repo["branch"], Value::is_string, &what);
                nullable(&repo["dirty"], Value::is_boolean, &what);
                nullable(&repo["migrations"], Value::is_u64, &what);
                count(&repo["linked"], &what);
                nullable(&repo["newest"], Value::is_string, &what);
            }
        }
        Some("refresh") => {
            let own = ["database", "migrations", "seeds", "skipped_extensions", "failures", "seconds"];
            keys(map, &with(&own), &[], "refresh");
            string(&map["database"], "database");
            let migrations = object(&map["migrations"], "migrations");
            keys(&migrations, &["total", "applied", "from_cache", "failed"], &[], "migrations");
            let seeds = object(&map["seeds"], "seeds");
            keys(&seeds, &["total", "applied", "failed"], &[], "seeds");
            for (key, value) in migrations.iter().chain(&seeds) {
                count(value, key);
            }
            for name in list(&map["skipped_extensions"], "skipped_extensions") {
                string(&name, "skipped_extensions[]");
            }
            for (i, group) in list(&map["failures"], "failures").iter().enumerate() {
                let what = format!("failures[{i}]");
                let group = object(group, &what);
                keys(&group, &["cause", "count", "after_skipped_extension", "files"], &[], &what);
                string(&group["cause"], &what);
                count(&group["count"], &what);
                nullable(&group["after_skipped_extension"], Value::is_string, &what);
                for (j, value) in list(&group["files"], &what).iter().enumerate() {
                    file(value, &[], &format!("{what}.files[{j}]"));
                }
            }
            assert!(map["seconds"].is_number(), "seconds");
        }
        Some("new") => {
            keys(map, &with(&["project", "path", "shown", "version"]), &[], "new");
            file(&serde_json::json!({"project": map["project"], "path": map["path"]}), &[], "new");
            string(&map["shown"], "new.shown");
            nullable(&map["version"], Value::is_string, "new.version");
        }
        Some("link-project") => {
            keys(map, &with(&["project", "action", "dry_run", "config", "created", "removed"]), &[], "link-project");
            let project = object(&map["project"], "link-project.project");
            keys(&project, &["name", "path", "schema", "migrations", "seeds"], &[], "link-project.project");
            assert!(matches!(map["action"].as_str(), Some("added" | "updated" | "already-linked")));
            assert!(map["dry_run"].is_boolean());
            for note in list(&map["config"], "config") {
                string(&note, "config[]");
            }
            count(&map["created"], "created");
            count(&map["removed"], "removed");
        }
        Some("setup-hooks") => {
            keys(map, &with(&["repo", "uninstall", "hooks"]), &[], "setup-hooks");
            string(&map["repo"], "setup-hooks.repo");
            assert!(map["uninstall"].is_boolean());
            for (i, hook) in list(&map["hooks"], "hooks").iter().enumerate() {
                let what = format!("hooks[{i}]");
                let hook = object(hook, &what);
                keys(&hook, &["name", "change"], &[], &what);
                string(&hook["name"], &what);
                string(&hook["change"], &what);
            }
        }
        other => panic!("unknown command {other:?}"),
    }
}

/// Runs mynatca and returns its one JSON document, with the exit code.
fn json_of(ws: &Ws, dir: &str, args: &[&str]) -> (i32, serde_json::Value) {
    let out = ws.mynatca(dir).args(args).output().unwrap();
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{args:?}: not one line: {text}");
    let doc = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"));
    (out.status.code().unwrap(), doc)
}

#[test]
fn every_json_document_follows_the_schema() {
    let ws = Ws::new().with_project("pay").with_project("discord");
    // Something of everything: a duplicate version, a same-name conflict, a skipped name,
    // a foreign link, an ownership error.
    ws.migration("pay", "20251215130000_pay_touch.sql", "drop table public.members;\n")
        .migration("discord", "20251215130000_discord_logs.sql", "select 1;\n")
        .migration("discord", "20251215130000_pay_touch.sql", "select 1;\n")
        .migration("pay", "notes.sql", "select 1;\n")
        .symlink("/elsewhere/x.sql", "platform/supabase/migrations/x.sql");
    let mut seen = Vec::new();
    for args in [
        &["link", "--json", "--dry-run"][..],
        &["link", "--json", "--check"],
        &["link", "--json"],
        &["link", "--json"],
        &["check", "--json"],
        &["check", "--json", "--strict"],
        &["status", "--json"],
        &["new", "add_x", "--project", "pay", "--json"],
        &["link-project", "pay", "--path", "../pay", "--schema", "pay", "--json"],
        &["setup-hooks", "--json"],
    ] {
        let (code, doc) = json_of(&ws, "platform", args);
        validate(&doc);
        assert_eq!(doc["command"], args[0]);
        assert_eq!(doc["ok"], code == 0, "{args:?}: {doc}");
        assert_eq!(doc["platform"], ws.path("platform").display().to_string());
        seen.push(doc);
    }
    let link = &seen[2];
    assert_eq!(link["created"][0]["project"], "pay", "{link}");
    let kinds = |doc: &serde_json::Value, key: &str| -> Vec<String> {
        doc[key].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap().to_string()).collect()
    };
    assert!(
        kinds(link, "errors").contains(&"conflict".to_string())
            && kinds(link, "errors").contains(&"duplicate-version".to_string())
    );
    assert!(
        kinds(link, "warnings").contains(&"name-pattern".to_string())
            && kinds(link, "warnings").contains(&"foreign-link".to_string())
    );
    assert!(kinds(&seen[4], "errors").contains(&"ownership".to_string()));

    // Refused on the links' problems: exit 1, and the document carries them (as link's does).
    let (code, doc) = json_of(&ws, "platform", &["refresh", "--json", "--db-url", &pg::server().url("json_refused")]);
    validate(&doc);
    assert_eq!((code, &doc["command"], &doc["ok"]), (1, &"refresh".into(), &false.into()));
    assert_eq!(kinds(&doc, "errors"), kinds(link, "errors"), "{doc}");

    // Usage and configuration errors: exit 2, and still a document on stdout.
    for command in ["link", "check", "status", "refresh", "new"] {
        // refresh --json needs a database URL; new a description.
        let more: &[&str] = match command {
            "refresh" => &["--db-url", "postgres://localhost/x"],
            "new" => &["add_x"],
            _ => &[],
        };
        for (dir, mut args, kind) in [
            ("platform", vec![command, "--json", "--bogus"], "usage"),
            ("platform", vec!["--color", "sometimes", command, "--json"], "usage"),
            (".", vec!["--platform", "pay", command, "--json"], "config"),
        ] {
            args.extend(more);
            let out = ws.mynatca(dir).args(&args).output().unwrap();
            let doc: serde_json::Value =
                serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            validate(&doc);
            assert_eq!(
                (out.status.code(), &doc["ok"], &doc["errors"][0]["kind"]),
                (Some(2), &false.into(), &kind.into()),
                "{args:?}"
            );
            assert_eq!(doc["command"], command);
            let message = doc["errors"][0]["message"].as_str().unwrap();
            // The error is on stderr too: its first paragraph, lines joined, is the message.
            let err = stderr(&out);
            let paragraph: Vec<&str> = err.lines().take_while(|l| !l.trim().is_empty()).map(str::trim).collect();
            assert_eq!(paragraph.join(" "), format!("error: {message}"), "{args:?}");
        }
    }
    refresh_documents();
}

/// `refresh --json` that ran: a seed, a failing file (--keep-going), a skipped
/// extension; and its own usage errors (no URL, a server not running).
fn refresh_documents() {
    let ws = Ws::new();
    ws.migration("platform", "20251215120000_add_members.sql", "create table public.members (id int);\n")
        .migration("platform", "20251215120001_broken.sql", "select 1;\nselect * from missing;\n")
        .migration("platform", "20251215120002_ext.sql", "create extension if not exists no_such_ext;\n")
        .write("platform/supabase/seed.sql", "insert into public.members values (1);\n");
    let url = pg::server().url("json_refresh");
    let args = ["refresh", "--json", "--db-url", &url, "--keep-going", "--allow-missing-extensions"];
    let (code, doc) = json_of(&ws, "platform", &args);
    validate(&doc);
    assert_eq!((code, &doc["command"], &doc["ok"]), (1, &"refresh".into(), &false.into()), "{doc}");
    assert_eq!(doc["platform"], ws.path("platform").display().to_string());
    assert_eq!(doc["errors"][0]["kind"], "migration-failed", "{doc}");
    assert_eq!(doc["errors"][0]["line"], 2, "{doc}");
    assert_eq!(doc["warnings"][0]["kind"], "missing-extension", "{doc}");
    assert_eq!(doc["failures"][0]["files"][0]["path"], "supabase/migrations/20251215120001_broken.sql");

    // Stopped at the first failing file: that file is the error, with its repo, path and line.
    let (code, doc) = json_of(&ws, "platform", &["refresh", "--json", "--db-url", &url, "--allow-missing-extensions"]);
    validate(&doc);
    assert_eq!((code, &doc["ok"]), (1, &false.into()), "{doc}");
    let failed = &doc["errors"][0];
    assert_eq!(
        (&failed["kind"], &failed["project"], &failed["path"], &failed["line"]),
        (
            &"migration-failed".into(),
            &"platform".into(),
            &"supabase/migrations/20251215120001_broken.sql".into(),
            &2.into()
        ),
        "{doc}"
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let not_running = format!("postgres://postgres@127.0.0.1:{port}/x");
    for (args, kind) in
        [(vec!["refresh", "--json"], "usage"), (vec!["refresh", "--json", "--db-url", &not_running], "config")]
    {
        let (code, doc) = json_of(&ws, "platform", &args);
        validate(&doc);
        assert_eq!((code, &doc["ok"], &doc["errors"][0]["kind"]), (2, &false.into(), &kind.into()), "{args:?}");
    }
}
