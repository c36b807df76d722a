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

/// The README's GitHub Actions workflows: the platform's, then a sub-project's.
fn readme_workflows() -> Vec<yaml_rust2::Yaml> {
    let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme.split_once("#### In CI (GitHub Actions)\n").unwrap().1;
    let section = section.split_once("\n#### ").unwrap().0;
    section
        .split("```yaml\n")
        .skip(1)
        .map(|block| {
            let text = block.split_once("```").unwrap().0;
            let mut docs = yaml_rust2::YamlLoader::load_from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
            assert_eq!(docs.len(), 1);
            docs.remove(0)
        })
        .collect()
}

/// One step of a workflow as the test runs it: the folder and the script.
struct Step {
    dir: String,
    script: String,
}

/// Checks the workflow's shape; returns the repos its checkout steps lay out (by `path`,
/// mynatca's own source left out) and the `run` steps after the install.
fn steps_of(workflow: &yaml_rust2::Yaml) -> (Vec<String>, Vec<Step>) {
    assert!(workflow["name"].as_str().is_some() && !workflow["on"].is_badvalue(), "{workflow:?}");
    let steps = workflow["jobs"]["check"]["steps"].as_vec().expect("jobs.check.steps");
    assert_eq!(workflow["jobs"]["check"]["runs-on"].as_str(), Some("ubuntu-latest"));
    let (mut repos, mut runs, mut installed) = (Vec::new(), Vec::new(), false);
    for step in steps {
        let hash = step.as_hash().expect("a step is a map");
        assert!(hash
            .keys()
            .all(|k| ["name", "id", "if", "uses", "with", "run", "working-directory"].contains(&k.as_str().unwrap())));
        match (step["uses"].as_str(), step["run"].as_str()) {
            (Some(uses), None) if uses.starts_with("actions/checkout@") => {
                let path = step["with"]["path"].as_str().expect("each checkout has a path");
                assert!(!step["with"]["fetch-depth"].is_badvalue() || path == "mynatca-src", "{path}: history");
                if path != "mynatca-src" {
                    repos.push(path.to_string());
                }
            }
            (Some(uses), None) => assert!(uses.starts_with("actions/cache@"), "{uses}"),
            (None, Some(run)) if step["name"].as_str().is_some_and(|n| n.starts_with("Install")) => {
                assert!(run.contains("cargo install"));
                installed = true;
            }
            (None, Some(run)) => {
                assert!(installed, "mynatca runs after its install");
                let dir = step["working-directory"].as_str().expect("a working-directory").to_string();
                runs.push(Step { dir, script: run.to_string() });
            }
            other => panic!("a step is a `uses` or a `run`: {other:?}"),
        }
    }
    (repos, runs)
}

/// Runs the workflow's steps on `ws` as a runner would (bash -e, CI=true, mynatca on
/// PATH); the outputs of the last step and whether every step passed.
fn run_workflow(ws: &Ws, steps: &[Step]) -> (bool, String) {
    let bin_dir = crate::support::bin().parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    let mut last = String::new();
    for step in steps {
        let out = ws
            .command(std::path::Path::new("/bin/bash"), &step.dir)
            .args(["-e", "-c", &step.script])
            .env("PATH", &path)
            .env("CI", "true")
            .output()
            .unwrap();
        last = format!("{}{}", crate::support::stdout(&out), crate::support::stderr(&out));
        if !out.status.success() {
            return (false, last);
        }
    }
    (true, last)
}

#[test]
fn the_readmes_github_workflows_are_valid_and_their_commands_work_on_their_layout() {
    let workflows = readme_workflows();
    assert_eq!(workflows.len(), 2, "the platform's and a sub-project's");
    let ((platform_repos, platform_steps), (pay_repos, pay_steps)) = (steps_of(&workflows[0]), steps_of(&workflows[1]));
    assert_eq!(platform_repos, ["platform", "pay", "discord"]);
    assert_eq!(pay_repos, ["pay", "platform", "discord"]);
    assert!(platform_steps.iter().all(|s| s.dir == "platform") && pay_steps.iter().all(|s| s.dir == "pay"));

    // Laid out as the checkouts lay them out: three repos side by side, no links yet, no hooks.
    let fresh = || {
        let ws = clean();
        for link in ws.links() {
            std::fs::remove_file(ws.path(&format!("platform/supabase/migrations/{link}"))).unwrap();
        }
        for repo in ["platform", "pay", "discord"] {
            std::fs::remove_dir_all(ws.path(&format!("{repo}/.git/hooks"))).unwrap();
        }
        ws
    };
    let ws = fresh();
    let (passed, output) = run_workflow(&ws, &platform_steps);
    assert!(passed, "{output}");
    assert_eq!(output, summary(4, 0, 0));
    let ws = fresh();
    let (passed, output) = run_workflow(&ws, &pay_steps);
    assert!(passed, "{output}");
    assert_eq!(output, summary(4, 0, 0));

    // A pay migration that writes to public fails pay's workflow, annotated on its file.
    let ws = fresh();
    ws.migration("pay", RATES, "insert into public.members values ('1');\n");
    let (passed, output) = run_workflow(&ws, &pay_steps);
    assert!(!passed);
    assert_eq!(
        output,
        format!(
            "::error file=supabase/migrations/{RATES},line=1,title=mynatca ownership::pay may not insert into public.members (owned by platform)\n{}",
            summary(5, 1, 0)
        )
    );
}

#[test]
fn link_and_check_name_a_files_finding_at_the_same_file() {
    let ws = clean();
    ws.migration("pay", "NotAMigration.sql", "select 1;\n");
    let at = |args: &[&str], key: &str| -> (String, String, String) {
        let done = ws.mynatca("platform").args(args).output().unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&done.stdout).unwrap();
        let issue = doc[key].as_array().unwrap().iter().find(|i| i["kind"] == "name-pattern").cloned().unwrap();
        let text = |k: &str| issue[k].as_str().unwrap_or_default().to_string();
        (text("kind"), text("project"), text("path"))
    };
    let expected = ("name-pattern".to_string(), "pay".to_string(), "supabase/migrations/NotAMigration.sql".to_string());
    assert_eq!(at(&["link", "--json"], "warnings"), expected);
    assert_eq!(at(&["check", "--json"], "warnings"), expected);
}

#[test]
fn from_a_worktree_check_reads_the_worktree_and_new_writes_there() {
    let ws = clean();
    ws.git("pay", &["worktree", "add", "-q", "-b", "feature/bad", "../pay-feature"]);
    ws.migration("pay-feature", "20251215140000_pay_bad.sql", "insert into public.members values ('1');\n");
    let note = "warning: pay is read from this worktree ($WS/pay-feature), not from $WS/pay; the platform's links \
                point there, so `mynatca refresh` applies that checkout's files, and the link rules are left out\n";
    ws.run("pay-feature", ["check"])
        .status(1)
        .stdout(format!(
            "supabase/migrations/20251215140000_pay_bad.sql:1: error[ownership]: pay may not insert into public.members (owned by platform)\n{}",
            summary(5, 1, 0)
        ))
        .stderr(note)
        .go();
    // The main checkout is still what the platform's links and a check from elsewhere see.
    ws.run("platform", ["check"]).stdout(summary(4, 0, 0)).go();
    // `new` writes into the worktree, after every version there.
    ws.run("pay-feature", ["new", "add_rates"])
        .filter(version)
        .stdout("supabase/migrations/VERSION_pay_add_rates.sql\n")
        .go();
    let made = ws.entries("pay-feature/supabase/migrations").into_iter().filter(|n| n.ends_with("_pay_add_rates.sql"));
    assert_eq!(made.count(), 1);
    assert!(ws.entries("pay/supabase/migrations").iter().all(|n| !n.ends_with("_pay_add_rates.sql")));
}

#[test]
fn a_usage_error_document_holds_claps_whole_first_paragraph() {
    let ws = Ws::new();
    ws.run("platform", ["new", "--json"])
        .status(2)
        .stdout_json(json!({"schema": 1, "command": "new", "platform": null, "ok": false,
            "errors": [{"kind": "usage", "message": "the following required arguments were not provided: <DESCRIPTION>"}],
            "warnings": []}))
        .stderr(
            "error: the following required arguments were not provided:\n  <DESCRIPTION>\n\n\
             Usage: mynatca new --json <DESCRIPTION>\n\nFor more information, try '--help'.\n",
        )
        .go();
}

#[test]
fn check_says_under_verbose_how_it_found_the_platform() {
    let ws = clean();
    let out = ws.mynatca("pay").args(["-v", "check"]).output().unwrap();
    let err = crate::support::stderr(&out);
    assert!(err.contains("DEBUG mynatca::workspace: found the platform platform="), "{err}");
    assert!(err.contains("how=Sibling") || err.contains("how=GitConfig"), "{err}");
}

#[test]
fn a_registry_that_does_not_load_fails_every_repos_check() {
    let ws = clean();
    ws.write("platform/.linked-projects.json", "{\"version\": 1, \"projects\": [}\n");
    let done = ws.mynatca("platform").args(["check", "--project", "pay"]).output().unwrap();
    let out = crate::support::stdout(&done);
    assert_eq!(done.status.code(), Some(1), "{out}");
    assert!(out.contains("error[registry]"), "{out}");
}

#[test]
fn format_json_given_a_bad_flag_still_prints_the_usage_document() {
    let ws = Ws::new();
    for args in [&["check", "--format", "json", "--bogus"][..], &["check", "--format=json", "--bogus"]] {
        ws.run("platform", args)
            .status(2)
            .stdout_json(json!({"schema": 1, "command": "check", "platform": null, "ok": false,
                "errors": [{"kind": "usage", "message": "unexpected argument '--bogus' found"}], "warnings": []}))
            .stderr(
                "error: unexpected argument '--bogus' found\n\n\
                 Usage: mynatca check --format <FORMAT>\n\nFor more information, try '--help'.\n",
            )
            .go();
    }
}

#[test]
fn leaving_a_platform_branch_that_registered_a_project_removes_its_links() {
    let ws = Ws::new().with_project("pay");
    ws.commit_all("platform", "pay registered");
    ws.run("platform", ["setup-hooks", "-q"]).go();
    ws.run("platform", ["link"]).stdout("linked: 2 created, 0 updated, 0 removed, 0 unchanged\n").go();
    ws.add_project_repo("extra");
    ws.run_git("platform", &["switch", "-q", "-c", "feature/extra"]).go();
    ws.run("platform", ["link-project", "extra", "--path", "../extra", "--schema", "extra", "-q"])
        .stdout("linked: 2 created, 0 updated, 0 removed, 2 unchanged\n")
        .go();
    ws.commit_all("platform", "extra registered");
    assert_eq!(ws.links().len(), 2);
    // Back on main, whose registry lacks extra: its links go with the checkout.
    ws.run_git("platform", &["switch", "-q", "main"])
        .stderr("linked: 0 created, 0 updated, 2 removed, 2 unchanged\n")
        .go();
    assert_eq!(ws.links(), ["00000000000002_baseline_pay_schema.sql"]);
    ws.run("platform", ["link", "--check"])
        .stdout("linked: 0 created, 0 updated, 0 removed, 2 unchanged (check: nothing changed)\n")
        .go();
}

#[test]
fn an_empty_database_url_is_refused_never_taken_for_another_database() {
    let ws = Ws::new();
    // Refused before anything changes: not even the links.
    ws.run("platform", ["refresh", "--db-url", ""])
        .status(2)
        .stderr("error: the database URL is empty (--db-url or $MYNATCA_DB_URL); give the URL, or unset it to run `supabase db reset`\n")
        .go();
    let json = ws.mynatca("platform").args(["refresh", "--json"]).env("MYNATCA_DB_URL", "").output().unwrap();
    assert_eq!(json.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!((&doc["ok"], &doc["errors"][0]["kind"]), (&json!(false), &json!("config")));
    for args in [
        &["status", "--db", "--db-url", ""][..],
        &["up", "--db-url", ""],
        &["repair", "1", "--status", "applied", "--db-url", ""],
    ] {
        let out = ws.mynatca("platform").args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(crate::support::stderr(&out).contains("--db-url is empty"), "{args:?}");
    }
}

#[test]
fn a_database_host_no_resolver_knows_is_exit_2() {
    let ws = Ws::new();
    let out = ws
        .mynatca("platform")
        .args(["status", "--db", "--db-url", "postgres://u@no-such-host.invalid/db"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", crate::support::stderr(&out));
    assert!(crate::support::stderr(&out).contains("cannot find the host"), "{}", crate::support::stderr(&out));
}

#[test]
fn the_built_in_engines_flags_need_a_database_url_and_completions_hide_the_upkeep() {
    let ws = Ws::new();
    for flag in ["--keep-going", "--no-cache", "--keep-failed", "--no-detach", "--allow-missing-extensions"] {
        let out = ws.mynatca("platform").args(["refresh", flag]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(crate::support::stderr(&out).contains("--db-url <URL>"), "{flag}");
    }
    let out = ws
        .mynatca("platform")
        .args(["refresh", "--drop-caches", "--json", "--db-url", "postgres://h/d"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    for shell in ["bash", "zsh", "fish"] {
        let out = ws.mynatca(".").args(["completions", shell]).output().unwrap();
        let script = crate::support::stdout(&out);
        assert!(script.contains("refresh") && !script.contains("upkeep"), "{shell}");
    }
}

#[test]
fn refresh_json_carries_the_seed_warnings_and_stderr_still_names_each_failed_file() {
    let ws = Ws::new();
    let config = crate::support::CONFIG_TOML.replace(r#"["./seed.sql"]"#, r#"["./seed.sql", "./seeds/none/*.sql"]"#);
    ws.write("platform/supabase/config.toml", &config).write("platform/supabase/seed.sql", "select 1;\n").migration(
        "platform",
        "20251215120001_broken.sql",
        "select 1;\nselect * from missing;\n",
    );
    let url = crate::refresh::pg::server().url("gate_seed_warnings");
    let out = ws.mynatca("platform").args(["refresh", "--json", "--keep-going", "--db-url", &url]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds = |key: &str| -> Vec<String> {
        doc[key].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(kinds("warnings"), ["config-seeds"]);
    assert_eq!(kinds("errors"), ["migration-failed"]);
    let err = crate::support::stderr(&out);
    assert!(err.contains("warning: [db.seed] sql_paths: ./seeds/none/*.sql matched no file"), "{err}");
    assert!(
        err.contains(
            "error: supabase/migrations/20251215120001_broken.sql:2 (platform): relation \"missing\" does not exist"
        ),
        "{err}"
    );
}
