//! `mynatca link-project` and `mynatca unlink-project`: the registry, config.toml and the
//! links, on real git repos; the interactive flow through a real pseudo-terminal.

use std::path::PathBuf;

use rexpect::process::WaitStatus;
use rexpect::reader::Options;
use serde_json::json;

use crate::support::{inode, Test, Ws, CONFIG_TOML};

const REGISTRY: &str = "platform/.linked-projects.json";
const CONFIG: &str = "platform/supabase/config.toml";

/// A config.toml with comments around and inside the keys link-project edits.
const COMMENTED_CONFIG: &str = r#"# A string used to distinguish different Supabase projects on the same host.
project_id = "platform"

[api]
enabled = true
port = 54321
# Schemas to expose in your API. Tables, views and stored procedures in this schema will get API
# endpoints. `public` and `graphql_public` schemas are included by default.
schemas = ["public", "graphql_public"] # exposed by PostgREST
# Extra schemas to add to the search_path of every request.
extra_search_path = ["public", "extensions"]

[db]
# Port to use for the local database URL.
port = 54322

[db.seed]
# If enabled, seeds the database after migrations during a db reset.
enabled = true
# Specifies an ordered list of seed files to load during db reset.
sql_paths = [
  "./seed.sql", # the platform's own
]

[studio]
enabled = true
"#;

/// What `link-project NAME --path ../NAME --schema NAME` prints, `unchanged` links
/// of other projects being there already.
fn added(name: &str, unchanged: u32) -> String {
    format!(
        "added {name} to .linked-projects.json (path ../{name}, schema {name})\n\
         config.toml: added {name} to [api] schemas\n\
         config.toml: added ./seeds/{name}/*.sql to [db.seed] sql_paths\n\
         linked: 2 created, 0 updated, 0 removed, {unchanged} unchanged\n"
    )
}

/// What `unlink-project NAME` prints, `unchanged` links of other projects staying.
fn unlinked(name: &str, unchanged: u32) -> String {
    format!(
        "removed {name} from .linked-projects.json\n\
         config.toml: removed {name} from [api] schemas\n\
         config.toml: removed ./seeds/{name}/*.sql from [db.seed] sql_paths\n\
         linked: 0 created, 0 updated, 2 removed, {unchanged} unchanged\n"
    )
}

/// `link-project pay --path ../pay --schema pay`, run in the platform.
fn link_project_pay(ws: &Ws) -> Test<'_> {
    ws.run("platform", ["link-project", "pay", "--path", "../pay", "--schema", "pay"])
}

fn link_pay(ws: &Ws) {
    link_project_pay(ws).stdout(added("pay", 0)).go();
}

/// A platform with pay linked by `link-project`.
fn pay_linked() -> Ws {
    let ws = Ws::new();
    ws.add_project_repo("pay");
    link_pay(&ws);
    ws
}

/// Registry and config.toml bytes, to show that nothing was written.
fn snapshot(ws: &Ws) -> (Vec<u8>, Vec<u8>) {
    (std::fs::read(ws.path(REGISTRY)).unwrap(), std::fs::read(ws.path(CONFIG)).unwrap())
}

#[test]
fn creates_the_registry_from_nothing_inside_a_fresh_platform() {
    let ws = Ws::new();
    ws.remove(REGISTRY).add_project_repo("pay");

    // From a folder inside the platform: no registry anywhere yet to find it by.
    ws.run("platform/supabase/migrations", ["link-project", "pay", "--path", "../pay", "--schema", "pay"])
        .stdout(added("pay", 0))
        .go();
    assert_eq!(
        ws.read(REGISTRY),
        "{\n  \"version\": 1,\n  \"projects\": [\n    {\n      \"name\": \"pay\",\n      \"path\": \"../pay\",\n      \"schema\": \"pay\"\n    }\n  ]\n}\n"
    );
    assert_eq!(
        ws.read(CONFIG),
        CONFIG_TOML
            .replace(r#"["public", "graphql_public"]"#, r#"["public", "graphql_public", "pay"]"#)
            .replace(r#"["./seed.sql"]"#, r#"["./seed.sql", "./seeds/pay/*.sql"]"#)
    );
    assert_eq!(ws.links(), vec!["00000000000002_baseline_pay_schema.sql"]);
    assert_eq!(
        std::fs::read_link(ws.path("platform/supabase/seeds/pay/seed.sql")).unwrap(),
        PathBuf::from("../../../../pay/supabase/seed.sql")
    );
    // Links, seed links and the lock never show in git status.
    let status = ws.git_stdout("platform", &["status", "--porcelain", "--untracked-files=all"]);
    assert_eq!(
        status.lines().map(str::trim).collect::<Vec<_>>(),
        vec!["M .linked-projects.json", "M supabase/config.toml"]
    );
}

#[test]
fn a_second_project_is_appended_with_its_custom_folders_and_unknown_keys_kept() {
    let ws = Ws::new().with_project("pay");
    let mut registry = ws.registry();
    registry["projects"][0]["team"] = "payroll".into();
    registry["protected_branches"] = serde_json::json!(["main"]);
    ws.write_registry(&registry);
    ws.write("discord/db/migrations/20250101000000_discord_init.sql", "create schema discord;\n")
        .write("discord/db/seed.sql", "-- discord seed\n");
    ws.git_init("discord").commit_all("discord", "discord baseline");

    ws.run("platform", ["link-project", "discord", "--path", "../discord", "--schema", "discord"])
        .arg("--migrations")
        .arg("db/migrations")
        .arg("--seed")
        .arg("db/seed.sql")
        .stdout(
            "added discord to .linked-projects.json \
             (path ../discord, schema discord, migrations db/migrations, seeds db/seed.sql)\n\
             config.toml: added discord to [api] schemas\n\
             config.toml: added ./seeds/discord/*.sql to [db.seed] sql_paths\n\
             linked: 4 created, 0 updated, 0 removed, 0 unchanged\n",
        )
        .go();

    assert_eq!(
        ws.read(REGISTRY),
        r#"{
  "version": 1,
  "projects": [
    {
      "name": "pay",
      "path": "../pay",
      "schema": "pay",
      "team": "payroll"
    },
    {
      "name": "discord",
      "path": "../discord",
      "schema": "discord",
      "migrations": "db/migrations",
      "seeds": [
        "db/seed.sql"
      ]
    }
  ],
  "protected_branches": [
    "main"
  ]
}
"#
    );
    assert_eq!(ws.links(), vec!["00000000000002_baseline_pay_schema.sql", "20250101000000_discord_init.sql"]);
    assert_eq!(
        std::fs::read_link(ws.path("platform/supabase/seeds/discord/seed.sql")).unwrap(),
        PathBuf::from("../../../../discord/db/seed.sql")
    );
}

#[test]
fn comments_and_layout_of_config_toml_survive() {
    let ws = Ws::new();
    ws.write(CONFIG, COMMENTED_CONFIG).add_project_repo("pay");
    link_pay(&ws);
    let config = ws.read(CONFIG);
    assert!(
        config.contains(
            "# endpoints. `public` and `graphql_public` schemas are included by default.\n\
             schemas = [\"public\", \"graphql_public\", \"pay\"] # exposed by PostgREST\n\
             # Extra schemas to add to the search_path of every request.\n"
        ),
        "{config}"
    );
    assert!(
        config.contains(
            "# Specifies an ordered list of seed files to load during db reset.\n\
             sql_paths = [\n  \"./seed.sql\", # the platform's own\n  \"./seeds/pay/*.sql\",\n]\n\n[studio]\n"
        ),
        "{config}"
    );
    // Nothing else moved.
    let expected = COMMENTED_CONFIG
        .replace("\"graphql_public\"] # exposed", "\"graphql_public\", \"pay\"] # exposed")
        .replace("# the platform's own\n]", "# the platform's own\n  \"./seeds/pay/*.sql\",\n]");
    assert_eq!(config, expected);
}

#[test]
fn the_same_values_twice_say_already_linked_and_write_nothing() {
    let ws = pay_linked();
    let before = snapshot(&ws);
    let inodes = (inode(&ws.path(REGISTRY)), inode(&ws.path(CONFIG)));

    // `../pay/` leads where `../pay` does: the same entry.
    ws.run("platform", ["link-project", "pay", "--path", "../pay/", "--schema", "pay"])
        .stdout("already linked: pay (path ../pay, schema pay)\n")
        .go();
    assert_eq!(snapshot(&ws), before);
    assert_eq!((inode(&ws.path(REGISTRY)), inode(&ws.path(CONFIG))), inodes, "a file was rewritten");
}

#[test]
fn already_linked_puts_back_what_config_toml_lost() {
    let ws = pay_linked();
    let registry = ws.read(REGISTRY);
    ws.write(CONFIG, CONFIG_TOML);

    link_project_pay(&ws)
        .stdout(
            "already linked: pay (path ../pay, schema pay)\n\
             config.toml: added pay to [api] schemas\n\
             config.toml: added ./seeds/pay/*.sql to [db.seed] sql_paths\n",
        )
        .go();
    assert_eq!(ws.read(REGISTRY), registry);
    assert!(ws.read(CONFIG).contains(r#"schemas = ["public", "graphql_public", "pay"]"#));
}

#[test]
fn changing_an_entry_needs_force() {
    let ws = pay_linked();
    let before = snapshot(&ws);

    ws.run("platform", ["link-project", "pay", "--path", "../pay", "--schema", "payroll"])
        .status(2)
        .stderr(
            "error: pay is already linked with path ../pay, schema pay; \
             pass --force to replace it with path ../pay, schema payroll\n",
        )
        .go();
    assert_eq!(snapshot(&ws), before);

    ws.run("platform", ["link-project", "pay", "--path", "../pay", "--schema", "payroll", "--force"])
        .stdout(
            "updated pay in .linked-projects.json (path ../pay, schema payroll)\n\
             config.toml: removed pay from [api] schemas\n\
             config.toml: added payroll to [api] schemas\n\
             linked: 0 created, 0 updated, 0 removed, 2 unchanged\n",
        )
        .go();
    assert_eq!(ws.registry()["projects"][0]["schema"], "payroll");
    assert!(ws.read(CONFIG).contains(r#"schemas = ["public", "graphql_public", "payroll"]"#));
    assert!(ws.read(CONFIG).contains(r#"sql_paths = ["./seed.sql", "./seeds/pay/*.sql"]"#));
}

#[test]
fn force_to_a_new_path_hands_the_links_over() {
    let ws = pay_linked();
    // The same repo cloned under another name.
    let clone = ws.path("pay-clone");
    ws.git("platform", &["clone", "-q", ws.path("pay").to_str().unwrap(), clone.to_str().unwrap()]);

    ws.run("platform", ["link-project", "pay", "--path", "../pay-clone", "--schema", "pay", "--force"])
        .stdout(
            "updated pay in .linked-projects.json (path ../pay-clone, schema pay)\n\
             linked: 0 created, 2 updated, 0 removed, 0 unchanged\n",
        )
        .go();
    assert_eq!(
        ws.link("00000000000002_baseline_pay_schema.sql").unwrap(),
        PathBuf::from("../../../pay-clone/supabase/migrations/00000000000002_baseline_pay_schema.sql")
    );
    assert_eq!(
        std::fs::read_link(ws.path("platform/supabase/seeds/pay/seed.sql")).unwrap(),
        PathBuf::from("../../../../pay-clone/supabase/seed.sql")
    );
}

#[test]
fn every_validation_error_writes_nothing() {
    let ws = Ws::new().with_project("discord");
    ws.add_project_repo("pay");
    ws.mkdir("bare");
    let before = snapshot(&ws);

    let cases: &[(&[&str], &str)] = &[
        (
            &["Pay", "--path", "../pay", "--schema", "pay"],
            "error: invalid project name \"Pay\": use lowercase letters, digits, '_' and '-', starting with a letter",
        ),
        (
            &["platform", "--path", "../pay", "--schema", "pay"],
            "error: invalid project name \"platform\": \"platform\" is what mynatca calls the platform repo itself; \
             give the project another name (e.g. \"platform-app\")",
        ),
        (
            &["pay", "--path", "../pay", "--schema", "public"],
            "error: schema \"public\" belongs to the platform; give pay a schema of its own",
        ),
        (
            &["pay", "--path", "../pay", "--schema", "Pay-1"],
            "error: invalid schema \"Pay-1\": use lowercase letters, digits and '_', starting with a letter or '_'",
        ),
        (
            &["pay", "--path", "../pay", "--schema", "discord"],
            "error: schema \"discord\" is owned by project discord; each schema has one owner: pick another",
        ),
        (
            &["pay", "--path", "../nowhere", "--schema", "pay"],
            "error: --path ../nowhere: $WS/nowhere is not a folder (the path is relative to the platform); \
             clone the project there or fix --path",
        ),
        (
            &["pay", "--path", "../bare", "--schema", "pay"],
            "error: $WS/bare/supabase/migrations not found: pay has no migrations folder there; \
             create it (`mkdir -p $WS/bare/supabase/migrations`) or pass --migrations DIR",
        ),
        (
            &["pay", "--path", "../pay", "--schema", "pay", "--migrations", "db"],
            "error: $WS/pay/db not found: pay has no migrations folder there; \
             create it (`mkdir -p $WS/pay/db`) or pass --migrations DIR",
        ),
        (
            &["pay", "--path", ".", "--schema", "pay"],
            "error: \".\" is the platform itself; point it at the sub-project's repo",
        ),
        (
            &["chat", "--path", "../discord", "--schema", "chat"],
            "error: \"../discord\" is the same folder as project discord's \"../discord\"; one repo is one project",
        ),
        (
            &["discord", "--path", "../pay", "--schema", "discord"],
            "error: discord is already linked with path ../discord, schema discord; \
             pass --force to replace it with path ../pay, schema discord",
        ),
        (
            &["pay", "--path", "../pay"],
            "error: missing --schema: pass it (e.g. `mynatca link-project pay --path ../pay --schema pay`), \
             or run in a terminal to be asked",
        ),
    ];
    for (args, message) in cases {
        // One line each, saying what to do.
        ws.run("platform", ["link-project"]).args(*args).status(2).stderr(format!("{message}\n")).go();
        assert_eq!(snapshot(&ws), before, "{args:?} wrote something");
        assert!(!ws.path("platform/supabase/seeds/pay").exists(), "{args:?} linked something");
    }

    // A config.toml that does not parse stops everything before the registry is written.
    ws.write(CONFIG, "[api\n");
    let before = snapshot(&ws);
    // As the binary prints it today: two lines and no next step, where one line saying
    // what to do is the rule (reported for the lead to fix in src/).
    link_project_pay(&ws)
        .status(2)
        .stderr("error: $WS/platform/supabase/config.toml:1:5: invalid TOML: invalid table header; expected `.`, `]`\n")
        .go();
    assert_eq!(snapshot(&ws), before);
}

#[test]
fn link_project_and_a_registry_holding_the_same_bad_value_say_the_same() {
    let ws = Ws::new().with_project("discord");
    ws.add_project_repo("pay");
    ws.mkdir("platform/sub").mkdir("discord/sub").write("afile", "not a repo\n");
    ws.symlink("/etc/passwd", "pay/supabase/evil.sql");
    let (before, links) = (snapshot(&ws), ws.links());
    let long = "a".repeat(64);
    // pay's entry with one value changed, the field the registry names, the message.
    #[rustfmt::skip]
    let cases: Vec<(serde_json::Value, &str, String)> = vec![
        (json!({"name": "Pay"}), "name", "invalid project name \"Pay\": use lowercase letters, digits, '_' and '-', starting with a letter".into()),
        (json!({"name": long}), "name", format!("invalid project name \"{long}\": at most 63 bytes (PostgreSQL's identifier limit)")),
        (json!({"name": "platform"}), "name", "invalid project name \"platform\": \"platform\" is what mynatca calls the platform repo itself; give the project another name (e.g. \"platform-app\")".into()),
        (json!({"schema": "public"}), "schema", "schema \"public\" belongs to the platform; give pay a schema of its own".into()),
        (json!({"schema": "Pay-1"}), "schema", "invalid schema \"Pay-1\": use lowercase letters, digits and '_', starting with a letter or '_'".into()),
        (json!({"schema": long}), "schema", format!("invalid schema \"{long}\": at most 63 bytes (PostgreSQL's identifier limit)")),
        (json!({"schema": "user"}), "schema", "schema \"user\" cannot be used: it is a reserved SQL keyword; pick another".into()),
        (json!({"schema": "discord"}), "schema", "schema \"discord\" is owned by project discord; each schema has one owner: pick another".into()),
        (json!({"path": "."}), "path", "\".\" is the platform itself; point it at the sub-project's repo".into()),
        (json!({"path": "./sub"}), "path", "\"./sub\" lies inside the platform; a sub-project is a repo of its own beside it".into()),
        (json!({"path": ".."}), "path", "\"..\" contains the platform; point it at the sub-project's repo".into()),
        (json!({"path": "../afile"}), "path", "\"../afile\" is a file; point it at the sub-project's repo (a folder)".into()),
        (json!({"path": "../discord/"}), "path", "\"../discord/\" is the same folder as project discord's \"../discord\"; one repo is one project".into()),
        (json!({"path": "../discord/sub"}), "path", "\"../discord/sub\" overlaps project discord's \"../discord\"; one repo is one project".into()),
        (json!({"migrations": "/tmp"}), "migrations", "\"/tmp\" must be relative to the project's repo".into()),
        (json!({"migrations": "../discord/supabase/migrations"}), "migrations", "\"../discord/supabase/migrations\" leads out of the project's repo".into()),
        (json!({"seeds": ["/etc/passwd"]}), "seeds[0]", "\"/etc/passwd\" must be relative to the project's repo".into()),
        (json!({"seeds": ["supabase/evil.sql"]}), "seeds[0]", "\"supabase/evil.sql\" leads to /etc/passwd, outside the project's repo".into()),
    ];
    for (change, field, message) in cases {
        let mut entry = json!({"name": "pay", "path": "../pay", "schema": "pay"});
        for (key, value) in change.as_object().unwrap() {
            entry[key] = value.clone();
        }
        let text = |key: &str| entry[key].as_str().unwrap().to_string();
        let mut args = vec![text("name"), "--path".into(), text("path"), "--schema".into(), text("schema")];
        if entry.get("migrations").is_some() {
            args.extend(["--migrations".into(), text("migrations")]);
        }
        for seed in entry.get("seeds").and_then(|s| s.as_array()).into_iter().flatten() {
            args.extend(["--seed".into(), seed.as_str().unwrap().to_string()]);
        }
        ws.run("platform", ["link-project"]).args(&args).status(2).stderr(format!("error: {message}\n")).go();
        assert_eq!(snapshot(&ws), before, "{args:?} wrote something");

        let mut registry = ws.registry();
        registry["projects"].as_array_mut().unwrap().push(entry);
        ws.write_registry(&registry);
        ws.run("platform", ["link"])
            .status(2)
            .stderr(format!("error: $WS/{REGISTRY}: projects[1].{field}: {message}\n"))
            .go();
        std::fs::write(ws.path(REGISTRY), &before.0).unwrap();
        assert_eq!(ws.links(), links, "{args:?} linked something");
    }
}

#[test]
fn missing_values_without_a_terminal_exit_2_naming_the_flags() {
    let ws = Ws::new();
    ws.add_project_repo("pay");
    let before = snapshot(&ws);
    ws.run("platform", ["link-project"])
        .status(2)
        .stderr(
            "error: missing NAME, --path, --schema: pass them (e.g. `mynatca link-project pay --path ../pay --schema pay`), \
             or run in a terminal to be asked\n",
        )
        .go();
    ws.run("platform", ["link-project", "pay", "--schema", "pay"])
        .status(2)
        .stderr(
            "error: missing --path: pass it (e.g. `mynatca link-project pay --path ../pay --schema pay`), \
             or run in a terminal to be asked\n",
        )
        .go();
    assert_eq!(snapshot(&ws), before);
}

#[test]
fn a_missing_config_toml_is_a_warning() {
    let ws = Ws::new();
    ws.remove(CONFIG).add_project_repo("pay");
    link_project_pay(&ws)
        .stdout(
            "added pay to .linked-projects.json (path ../pay, schema pay)\n\
             linked: 2 created, 0 updated, 0 removed, 0 unchanged\n",
        )
        .stderr(
            "warning: $WS/platform/supabase/config.toml not found: add \"pay\" to [api] schemas \
             and \"./seeds/pay/*.sql\" to [db.seed] sql_paths once it exists (`supabase init` creates it)\n",
        )
        .go();
    assert!(!ws.path(CONFIG).exists(), "config.toml created");
    assert_eq!(ws.registry()["projects"][0]["name"], "pay");
    assert_eq!(ws.links(), vec!["00000000000002_baseline_pay_schema.sql"]);
}

#[test]
fn run_from_an_unlinked_repo_beside_a_platform_it_does_not_guess() {
    let ws = Ws::new();
    ws.add_project_repo("pay");
    ws.run("pay", ["link-project", "pay", "--path", "../pay", "--schema", "pay"])
        .status(2)
        .stderr(
            "error: no platform found from $WS/pay; run inside the platform or a linked repo, \
             pass --platform DIR, or set MYNATCA_PLATFORM\n",
        )
        .go();
    assert!(!ws.path("pay/.linked-projects.json").exists());
}

/// Types `keys` at the terminal.
fn press(pty: &mut rexpect::session::PtySession, keys: &str) {
    pty.send(keys).unwrap();
    pty.flush().unwrap();
}

#[test]
fn interactive_enter_at_every_prompt_links_the_first_unlinked_sibling() {
    let ws = Ws::new().with_project("bid");
    ws.add_project_repo("pay");
    ws.add_project_repo("discord");
    ws.mkdir("notes"); // no supabase/migrations: not offered
    ws.run("platform", ["link"]).stdout("linked: 2 created, 0 updated, 0 removed, 0 unchanged\n").go();

    let mut cmd = ws.mynatca_std("platform");
    cmd.arg("link-project").env("TERM", "dumb");
    let options = Options::new().timeout_ms(Some(30_000)).strip_ansi_escape_codes(true);
    let mut pty = rexpect::spawn_with_options(cmd, options).expect("spawn in a pty");
    pty.exp_string("Project repo to link").expect("the repo prompt");
    // The whole menu: neither bid (linked) nor notes (not a project) is offered.
    let offered = pty.exp_string("another folder...").unwrap();
    assert_eq!(offered, ":\r\n> discord (../discord)\r\n  pay (../pay)\r\n  ");
    press(&mut pty, "\r");
    pty.exp_string("Project name [discord]").expect("the name prompt, defaulting to the folder");
    press(&mut pty, "\r");
    pty.exp_string("Schema it owns [discord]").expect("the schema prompt, defaulting to the name");
    press(&mut pty, "\r");
    pty.exp_string("Link discord (path ../discord, schema discord)?").expect("the confirmation");
    press(&mut pty, "\r");
    let rest = pty.exp_eof().unwrap();
    let status = pty.process().wait().unwrap();

    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}: {rest}");
    // Everything after the last prompt, stdout and stderr as the terminal shows them.
    assert_eq!(
        rest,
        " [Y/n] \rLink discord (path ../discord, schema discord)? yes\r\n\
         added discord to .linked-projects.json (path ../discord, schema discord)\r\n\
         config.toml: added discord to [api] schemas\r\n\
         config.toml: added ./seeds/discord/*.sql to [db.seed] sql_paths\r\n\
         linked: 2 created, 0 updated, 0 removed, 2 unchanged\r\n"
    );
    let projects = &ws.registry()["projects"];
    assert_eq!(projects[1], serde_json::json!({"name": "discord", "path": "../discord", "schema": "discord"}));
    assert!(ws.read(CONFIG).contains(r#"["public", "graphql_public", "discord"]"#));
    assert!(ws.link("00000000000004_baseline_discord_schema.sql").is_some());
}

#[test]
fn interactive_declining_writes_nothing() {
    let ws = Ws::new();
    ws.add_project_repo("pay");
    let before = snapshot(&ws);
    let mut cmd = ws.mynatca_std("platform");
    cmd.args(["link-project", "--path", "../pay"]).env("TERM", "dumb");
    let options = Options::new().timeout_ms(Some(30_000)).strip_ansi_escape_codes(true);
    let mut pty = rexpect::spawn_with_options(cmd, options).expect("spawn in a pty");
    pty.exp_string("Project name [pay]").unwrap();
    press(&mut pty, "\r");
    pty.exp_string("Schema it owns [pay]").unwrap();
    press(&mut pty, "\r");
    pty.exp_string("Link pay (path ../pay, schema pay)?").unwrap();
    press(&mut pty, "n");
    let rest = pty.exp_eof().unwrap();
    assert_eq!(rest, " [Y/n] \rLink pay (path ../pay, schema pay)? no\r\ncancelled: nothing written\r\n");
    assert!(matches!(pty.process().wait().unwrap(), WaitStatus::Exited(_, 0)));
    assert_eq!(snapshot(&ws), before);
}

#[test]
fn unlink_reverses_everything_and_leaves_other_projects_alone() {
    let ws = Ws::new();
    ws.write(CONFIG, COMMENTED_CONFIG).add_project_repo("discord");
    ws.run("platform", ["link-project", "discord", "--path", "../discord", "--schema", "discord"])
        .stdout(added("discord", 0))
        .go();
    let before = snapshot(&ws);
    let links = ws.links();
    let exclude = ws.read("platform/.git/info/exclude");
    let seeds = ws.entries("platform/supabase/seeds");

    ws.add_project_repo("pay");
    link_project_pay(&ws).stdout(added("pay", 2)).go();
    assert_ne!(snapshot(&ws), before);
    assert!(ws.path("platform/supabase/seeds/pay/seed.sql").is_symlink());

    ws.run("platform", ["unlink-project", "pay"]).stdout(unlinked("pay", 2)).go();
    assert_eq!(snapshot(&ws), before, "registry and config.toml are back, byte for byte");
    assert_eq!(ws.links(), links);
    assert_eq!(ws.read("platform/.git/info/exclude"), exclude);
    assert_eq!(ws.entries("platform/supabase/seeds"), seeds, "seeds/pay is gone");

    // The last project gone: the seeds folder mynatca made goes too.
    ws.run("platform", ["unlink-project", "discord"]).stdout(unlinked("discord", 0)).go();
    assert!(!ws.path("platform/supabase/seeds").exists());
    assert!(ws.links().is_empty());
    assert_eq!(ws.registry()["projects"], serde_json::json!([]));
}

#[test]
fn unlink_keeps_a_seed_folder_holding_your_files() {
    let ws = pay_linked();
    ws.write("platform/supabase/seeds/pay/local.sql", "-- mine\n");
    ws.run("platform", ["unlink-project", "pay"])
        .stdout(unlinked("pay", 0))
        .stderr(
            "warning: kept $WS/platform/supabase/seeds/pay: Directory not empty (os error 39); \
             it holds files mynatca did not make (remove them if they are not needed)\n",
        )
        .go();
    assert_eq!(ws.entries("platform/supabase/seeds/pay"), vec!["local.sql"]);
}

#[test]
fn unlink_of_an_unknown_name_is_exit_2() {
    let ws = Ws::new().with_project("pay");
    let before = snapshot(&ws);
    ws.run("platform", ["unlink-project", "bid"])
        .status(2)
        .stderr(
            "error: no project \"bid\" in $WS/platform/.linked-projects.json (linked: pay); \
             check the name with `mynatca status`\n",
        )
        .go();
    assert_eq!(snapshot(&ws), before);
}
