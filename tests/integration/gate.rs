//! `check` as a CI gate (issue 24, items 5 and 11): `--project`, `--paths`, `--format
//! json`, and one diagnostic model across the commands' JSON documents.

use crate::check::{add_pay_migration, clean, pay_file, summary, LINKED_ONE_MORE};
use serde_json::json;

use crate::support::Ws;

const RATES: &str = "20251215130100_pay_add_rates.sql";

/// [`clean`] with one ownership error in pay and a config warning in the platform.
fn one_of_each() -> Ws {
    let ws = clean();
    add_pay_migration(&ws, RATES, "insert into public.members values ('1');\n").stdout(LINKED_ONE_MORE).go();
    let config = ws.read("platform/supabase/config.toml").replace(", \"discord\"]\n\n", "]\n\n");
    ws.write("platform/supabase/config.toml", &config);
    ws
}

const OWNERSHIP: &str = "error[ownership]: pay may not insert into public.members (owned by platform)";
const SCHEMAS: &str = "warning[config-schemas]: schema discord of discord is not in [api] schemas, so the API does not expose it; add \"discord\" (`mynatca link-project discord` does)";

#[test]
fn project_reports_one_repos_findings_and_counts_only_them() {
    let ws = one_of_each();
    ws.run("platform", ["check"])
        .status(1)
        .stdout(format!("{}:1: {OWNERSHIP}\nsupabase/config.toml:2: {SCHEMAS}\n{}", pay_file(RATES), summary(5, 1, 1)))
        .go();
    ws.run("platform", ["check", "--project", "pay"])
        .status(1)
        .stdout(format!("{}:1: {OWNERSHIP}\n{}", pay_file(RATES), summary(5, 1, 0)))
        .go();
    // The platform's findings alone: a warning is not a failure.
    ws.run("pay", ["check", "--project", "platform"])
        .stdout(format!("../platform/supabase/config.toml:2: {SCHEMAS}\n{}", summary(5, 0, 1)))
        .go();
    ws.run("pay", ["check", "--project", "discord"]).stdout(summary(5, 0, 0)).go();
}

#[test]
fn an_unknown_project_is_a_usage_error() {
    let ws = one_of_each();
    ws.run("platform", ["check", "--project", "bid"])
        .status(2)
        .stderr("error: --project bid: no such repo in the workspace; name one of platform, pay, discord\n")
        .go();
}

#[test]
fn paths_repo_names_each_file_inside_its_repo_and_github_defaults_to_it() {
    let ws = one_of_each();
    let repo_paths =
        format!("supabase/migrations/{RATES}:1: {OWNERSHIP}\nsupabase/config.toml:2: {SCHEMAS}\n{}", summary(5, 1, 1));
    ws.run("platform", ["check", "--paths", "repo"]).status(1).stdout(&repo_paths).go();
    // From any folder: the same names.
    ws.run("discord/supabase", ["check", "--paths", "repo"]).status(1).stdout(&repo_paths).go();
    // In pay's CI: pay's findings, named as GitHub names the files of the repo it checked out.
    ws.run("pay", ["check", "--project", "pay", "--format", "github"])
        .status(1)
        .stdout(format!(
            "::error file=supabase/migrations/{RATES},line=1,title=mynatca ownership::pay may not insert into public.members (owned by platform)\n{}",
            summary(5, 1, 0)
        ))
        .go();
}

#[test]
fn format_json_is_the_json_document() {
    let ws = one_of_each();
    let ownership = serde_json::json!({"kind": "ownership",
        "message": "pay may not insert into public.members (owned by platform)",
        "project": "pay", "path": format!("supabase/migrations/{RATES}"), "line": 1});
    let schemas = serde_json::json!({"kind": "config-schemas", "message": SCHEMAS.strip_prefix("warning[config-schemas]: ").unwrap(),
        "project": "platform", "path": "supabase/config.toml", "line": 2});
    let document = |ok: bool, errors: serde_json::Value| {
        serde_json::json!({"schema": 1, "command": "check", "platform": "$WS/platform", "ok": ok,
            "checked": {"migrations": 5, "repos": 3}, "errors": errors, "warnings": [schemas.clone()]})
    };
    for format in [&["--json"][..], &["--format", "json"]] {
        ws.run("platform", ["check"])
            .args(format)
            .status(1)
            .stdout_json(document(false, serde_json::json!([ownership])))
            .go();
    }
    // --project filters the document too.
    ws.run("platform", ["check", "--json", "--project", "platform"])
        .stdout_json(document(true, serde_json::json!([])))
        .go();
}

/// A migration version, which the clock decides.
fn version(text: &str) -> String {
    let mut out = String::new();
    let mut digits = 0;
    for c in text.chars() {
        digits = if c.is_ascii_digit() { digits + 1 } else { 0 };
        out.push(c);
        if digits == 14 {
            out.truncate(out.len() - 14);
            out.push_str("VERSION");
        }
    }
    out
}

#[test]
fn new_json_names_the_file_and_prints_nothing_else() {
    let ws = clean();
    let path = "supabase/migrations/VERSION_pay_add_rates.sql";
    ws.run("pay", ["new", "add_rates", "--json"])
        .filter(version)
        .stdout_json(serde_json::json!({"schema": 1, "command": "new", "platform": "$WS/platform",
            "ok": true, "project": "pay", "path": path, "shown": path, "version": "VERSION",
            "errors": [], "warnings": []}))
        .go();
    let made = ws.entries("pay/supabase/migrations").into_iter().filter(|name| name.ends_with("_pay_add_rates.sql"));
    assert_eq!(made.count(), 1);
}

#[test]
fn link_project_json_is_one_document_and_never_asks() {
    let ws = Ws::new();
    ws.add_project_repo("pay");
    let pay = json!({"name": "pay", "path": "../pay", "schema": "pay", "migrations": "supabase/migrations",
        "seeds": ["supabase/seed.sql"]});
    let document = |action: &str, config: serde_json::Value, created: usize| {
        json!({"schema": 1, "command": "link-project", "platform": "$WS/platform", "ok": true, "project": pay,
            "action": action, "dry_run": false, "config": config, "created": created, "removed": 0,
            "errors": [], "warnings": []})
    };
    let args = ["link-project", "pay", "--path", "../pay", "--schema", "pay", "--json"];
    let config = json!([
        "config.toml: added pay to [api] schemas",
        "config.toml: added ./seeds/pay/*.sql to [db.seed] sql_paths"
    ]);
    ws.run("platform", args).stdout_json(document("added", config, 2)).go();
    ws.run("platform", args).stdout_json(document("already-linked", json!([]), 0)).go();
    // Missing values are never asked for: a usage error, and the error document.
    ws.run("platform", ["link-project", "discord", "--json"])
        .status(2)
        .stdout_json(json!({"schema": 1, "command": "link-project", "platform": null, "ok": false,
            "errors": [{"kind": "config", "message": MISSING}], "warnings": []}))
        .stderr(format!("error: {MISSING}\n"))
        .go();
}

const MISSING: &str = "missing --path, --schema: pass them (e.g. `mynatca link-project pay --path ../pay --schema pay`), or run in a terminal to be asked";

#[test]
fn setup_hooks_json_lists_each_hook_and_what_became_of_it() {
    let ws = Ws::new().with_project("pay");
    let document = |uninstall: bool, change: &str| {
        let hooks: Vec<serde_json::Value> =
            mynatca::hooks::HOOK_NAMES.iter().map(|name| json!({"name": name, "change": change})).collect();
        json!({"schema": 1, "command": "setup-hooks", "platform": "$WS/platform", "ok": true, "repo": "$WS/pay",
            "uninstall": uninstall, "hooks": hooks, "errors": [], "warnings": []})
    };
    ws.run("pay", ["setup-hooks", "--json"]).stdout_json(document(false, "installed")).go();
    ws.run("pay", ["setup-hooks", "--json"]).stdout_json(document(false, "unchanged")).go();
    let mut removed = document(true, "removed");
    removed["platform"] = json!(null);
    ws.run("pay", ["setup-hooks", "--uninstall", "--json"]).stdout_json(removed).go();
}
