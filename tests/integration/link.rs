//! `mynatca link`: the reconciler, on real files, symlinks and git repos.

use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::support::{inode, stderr, stdout, Ws};

/// platform + pay + discord, each with a baseline; pay with two more migrations.
fn pay_and_discord() -> Ws {
    let ws = Ws::new().with_project("pay").with_project("discord");
    ws.migration("pay", "20251215120001_pay_add_periods.sql", "create table pay.periods (id int);\n")
        .migration("pay", "20251215120004_pay_add_shifts.sql", "create table pay.shifts (id int);\n")
        .migration("platform", "00000000000000_baseline_public_schema.sql", "create table public.members (id int);\n");
    ws.commit_all("pay", "pay migrations");
    ws
}

fn pay_link(name: &str) -> PathBuf {
    PathBuf::from(format!("../../../pay/supabase/migrations/{name}"))
}

#[test]
fn links_every_migration_and_seed_with_relative_targets() {
    let ws = pay_and_discord();
    let out = ws.mynatca("platform").arg("link").assert().success().get_output().clone();
    assert_eq!(stdout(&out), "linked: 6 created, 0 updated, 0 removed, 0 unchanged\n");
    assert_eq!(
        ws.links(),
        vec![
            "00000000000002_baseline_pay_schema.sql",
            "00000000000003_baseline_discord_schema.sql",
            "20251215120001_pay_add_periods.sql",
            "20251215120004_pay_add_shifts.sql",
        ]
    );
    assert_eq!(ws.link("20251215120004_pay_add_shifts.sql").unwrap(), pay_link("20251215120004_pay_add_shifts.sql"));
    assert_eq!(
        std::fs::read_link(ws.path("platform/supabase/seeds/discord/seed.sql")).unwrap(),
        PathBuf::from("../../../../discord/supabase/seed.sql")
    );
    // The links resolve to the project's files.
    assert_eq!(
        ws.read("platform/supabase/migrations/20251215120001_pay_add_periods.sql"),
        "create table pay.periods (id int);\n"
    );
}

#[test]
fn adopting_links_made_by_the_old_script_changes_nothing() {
    let ws = pay_and_discord();
    let legacy = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy/link-migrations.sh");
    let status = std::process::Command::new("bash").arg(legacy).arg(ws.path("platform")).output().unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let before: Vec<u64> =
        ws.links().iter().map(|n| inode(&ws.path(&format!("platform/supabase/migrations/{n}")))).collect();
    assert_eq!(before.len(), 4);

    let out = ws.mynatca("platform").arg("link").assert().success().get_output().clone();
    // Only the seed links are new: the script never made them.
    assert_eq!(stdout(&out), "linked: 2 created, 0 updated, 0 removed, 4 unchanged\n");
    let after: Vec<u64> =
        ws.links().iter().map(|n| inode(&ws.path(&format!("platform/supabase/migrations/{n}")))).collect();
    assert_eq!(before, after);
}

#[test]
fn a_no_op_run_rewrites_nothing() {
    let ws = pay_and_discord();
    ws.mynatca("platform").arg("link").assert().success();
    let link = ws.path("platform/supabase/migrations/20251215120001_pay_add_periods.sql");
    let exclude = ws.path("platform/.git/info/exclude");
    let (link_inode, exclude_inode) = (inode(&link), inode(&exclude));
    let dir_mtime = std::fs::metadata(ws.path("platform/supabase/migrations")).unwrap().modified().unwrap();

    ws.mynatca("platform")
        .arg("link")
        .assert()
        .success()
        .stdout("linked: 0 created, 0 updated, 0 removed, 6 unchanged\n");
    assert_eq!(inode(&link), link_inode);
    assert_eq!(inode(&exclude), exclude_inode, "info/exclude rewritten although nothing changed");
    assert_eq!(std::fs::metadata(ws.path("platform/supabase/migrations")).unwrap().modified().unwrap(), dir_mtime);
}

#[test]
fn deleted_and_renamed_migrations_lose_their_links() {
    let ws = pay_and_discord();
    ws.mynatca("platform").arg("link").assert().success();
    ws.remove("pay/supabase/migrations/20251215120001_pay_add_periods.sql");
    std::fs::rename(
        ws.path("pay/supabase/migrations/20251215120004_pay_add_shifts.sql"),
        ws.path("pay/supabase/migrations/20251215120005_pay_add_shifts.sql"),
    )
    .unwrap();

    ws.mynatca("platform")
        .arg("link")
        .assert()
        .success()
        .stdout("linked: 1 created, 0 updated, 2 removed, 4 unchanged\n");
    assert_eq!(ws.link("20251215120001_pay_add_periods.sql"), None);
    assert_eq!(ws.link("20251215120004_pay_add_shifts.sql"), None);
    assert_eq!(ws.link("20251215120005_pay_add_shifts.sql").unwrap(), pay_link("20251215120005_pay_add_shifts.sql"));
}

#[test]
fn a_wrong_target_is_fixed() {
    let ws = pay_and_discord();
    let name = "20251215120001_pay_add_periods.sql";
    ws.symlink(
        &format!("../../../pay/supabase/migrations/old/{name}"),
        &format!("platform/supabase/migrations/{name}"),
    );
    ws.mynatca("platform")
        .arg("link")
        .assert()
        .success()
        .stdout("linked: 5 created, 1 updated, 0 removed, 0 unchanged\n");
    assert_eq!(ws.link(name).unwrap(), pay_link(name));
}

#[test]
fn a_foreign_symlink_is_left_alone_with_a_warning() {
    let ws = pay_and_discord();
    ws.write("elsewhere/20240101000000_local.sql", "select 1;\n").symlink(
        "../../../elsewhere/20240101000000_local.sql",
        "platform/supabase/migrations/20240101000000_local.sql",
    );
    let out = ws.mynatca("platform").arg("link").assert().success().get_output().clone();
    assert!(
        stderr(&out).contains("warning: supabase/migrations/20240101000000_local.sql points to ../../../elsewhere"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        ws.link("20240101000000_local.sql").unwrap(),
        PathBuf::from("../../../elsewhere/20240101000000_local.sql")
    );
}

#[test]
fn a_real_file_with_a_linked_name_is_never_touched() {
    let ws = pay_and_discord();
    let name = "20251215120001_pay_add_periods.sql";
    ws.migration("platform", name, "-- the platform's own file\n");
    let out = ws.mynatca("platform").arg("link").assert().code(1).get_output().clone();
    assert!(
        stderr(&out).contains(&format!("error: conflict: supabase/migrations/{name} is a real file")),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        stdout(&out),
        "linked: 5 created, 0 updated, 0 removed, 0 unchanged\n",
        "everything else is still linked"
    );
    assert_eq!(ws.read(&format!("platform/supabase/migrations/{name}")), "-- the platform's own file\n");
    assert!(!ws.path(&format!("platform/supabase/migrations/{name}")).is_symlink());
}

#[test]
fn a_folder_with_a_linked_name_is_a_conflict_too() {
    let ws = pay_and_discord();
    ws.mkdir("platform/supabase/migrations/20251215120001_pay_add_periods.sql/keep");
    ws.mynatca("platform")
        .arg("link")
        .assert()
        .code(1)
        .stderr(predicates::str::contains("is a folder in the platform"));
    assert!(ws.path("platform/supabase/migrations/20251215120001_pay_add_periods.sql/keep").is_dir());
}

#[test]
fn the_same_name_in_two_projects_links_the_first_and_fails() {
    let ws = pay_and_discord();
    ws.migration("discord", "20251215120001_pay_add_periods.sql", "-- copied by mistake\n");
    let out = ws.mynatca("platform").args(["link", "--json"]).assert().code(1).get_output().clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["ok"], false);
    // Reported at the file that is not linked: discord's.
    assert_eq!(
        json["errors"][0],
        serde_json::json!({
            "kind": "same-name",
            "message": "20251215120001_pay_add_periods.sql is offered by pay and discord; pay is linked, rename the other",
            "project": "discord",
            "path": "supabase/migrations/20251215120001_pay_add_periods.sql",
        })
    );
    assert_eq!(ws.link("20251215120001_pay_add_periods.sql").unwrap(), pay_link("20251215120001_pay_add_periods.sql"));
}

#[test]
fn duplicate_versions_are_reported_with_every_file_and_project() {
    let ws = pay_and_discord();
    ws.migration("discord", "20251215120004_discord_add_logs.sql", "select 1;\n").migration(
        "platform",
        "20251215120004_add_facilities.sql",
        "select 1;\n",
    );
    let out = ws.mynatca("platform").arg("link").assert().code(1).get_output().clone();
    let err = stderr(&out);
    assert!(
        err.contains("duplicate version 20251215120004: 20251215120004_add_facilities.sql (platform), 20251215120004_discord_add_logs.sql (discord), 20251215120004_pay_add_shifts.sql (pay)"),
        "{err}"
    );
    assert_eq!(
        ws.link("20251215120004_discord_add_logs.sql").unwrap(),
        PathBuf::from("../../../discord/supabase/migrations/20251215120004_discord_add_logs.sql"),
        "links are still made"
    );

    let out = ws.mynatca("platform").args(["link", "--json"]).assert().code(1).get_output().clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // One error per file involved, each naming its file in its own repo.
    let files: Vec<(&str, &str, &str)> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["project"].as_str().unwrap(), e["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        files,
        vec![
            ("duplicate-version", "platform", "supabase/migrations/20251215120004_add_facilities.sql"),
            ("duplicate-version", "discord", "supabase/migrations/20251215120004_discord_add_logs.sql"),
            ("duplicate-version", "pay", "supabase/migrations/20251215120004_pay_add_shifts.sql"),
        ]
    );
    assert!(json["errors"][0]["message"].as_str().unwrap().starts_with("duplicate version 20251215120004: "));
}

#[test]
fn a_missing_project_folder_is_a_warning_and_its_links_go() {
    let ws = pay_and_discord();
    ws.mynatca("platform").arg("link").assert().success();
    std::fs::rename(ws.path("discord"), ws.path("discord-moved")).unwrap();
    let out = ws.mynatca("platform").arg("link").assert().success().get_output().clone();
    assert!(stderr(&out).contains("warning: project discord: folder"), "{}", stderr(&out));
    assert!(stderr(&out).contains("discord"));
    assert_eq!(stdout(&out), "linked: 0 created, 0 updated, 2 removed, 4 unchanged\n");
    assert!(ws.links().iter().all(|l| !l.contains("discord")));
}

#[test]
fn paths_with_spaces_work() {
    let ws = Ws::new();
    ws.add_project_repo("pay app");
    ws.register("pay", "../pay app", "pay");
    ws.migration("pay app", "20250101000000_pay_x y.sql", "select 1;\n");
    ws.mynatca("platform").arg("link").assert().success();
    assert_eq!(
        ws.link("20250101000000_pay_x y.sql").unwrap(),
        PathBuf::from("../../../pay app/supabase/migrations/20250101000000_pay_x y.sql")
    );
    assert_eq!(ws.read("platform/supabase/migrations/20250101000000_pay_x y.sql"), "select 1;\n");
}

#[test]
fn eight_concurrent_runs_converge() {
    let ws = pay_and_discord();
    for i in 0..200 {
        ws.migration("pay", &format!("2026010100{i:04}_pay_bulk_{i}.sql"), "select 1;\n");
    }
    let children: Vec<_> = (0..8)
        .map(|_| ws.mynatca_std("platform").args(["-q", "link"]).stdout(std::process::Stdio::null()).spawn().unwrap())
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a concurrent run failed");
    }
    assert_eq!(ws.links().len(), 204);
    assert!(
        ws.entries("platform/supabase/migrations").iter().all(|n| !n.contains("mynatca")),
        "temp files left behind"
    );
    ws.mynatca("platform").args(["link", "--check"]).assert().success();
}

#[test]
fn check_and_dry_run_change_nothing() {
    let ws = pay_and_discord();
    let out = ws.mynatca("platform").args(["link", "--dry-run"]).assert().success().get_output().clone();
    assert!(stdout(&out).contains("create 20251215120001_pay_add_periods.sql -> ../../../pay/supabase/migrations/20251215120001_pay_add_periods.sql\n"));
    assert!(stdout(&out).contains("create seeds/pay/seed.sql -> ../../../../pay/supabase/seed.sql\n"));
    assert!(ws.links().is_empty());
    assert!(!ws.path("platform/supabase/seeds").exists());

    ws.mynatca("platform")
        .args(["link", "--check"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("create 20251215120001_pay_add_periods.sql"));
    assert!(ws.links().is_empty());
    ws.mynatca("platform").arg("link").assert().success();
    ws.mynatca("platform").args(["link", "--check"]).assert().success();
    ws.remove("pay/supabase/migrations/20251215120001_pay_add_periods.sql");
    ws.mynatca("platform")
        .args(["link", "--check"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("remove 20251215120001_pay_add_periods.sql"));
    assert!(ws.link("20251215120001_pay_add_periods.sql").is_some(), "--check removed a link");
}

#[test]
fn json_is_one_document_on_stdout() {
    let ws = pay_and_discord();
    let out = ws.mynatca("platform").args(["link", "--json"]).assert().success().get_output().clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is exactly one JSON document");
    assert_eq!(
        (&json["schema"], &json["command"], &json["ok"]),
        (&serde_json::json!(1), &serde_json::json!("link"), &serde_json::json!(true))
    );
    assert_eq!(json["platform"], ws.path("platform").display().to_string());
    assert_eq!(json["created"].as_array().unwrap().len(), 6);
    assert!(json["created"].as_array().unwrap().contains(&serde_json::json!({
        "project": "pay",
        "path": "supabase/migrations/20251215120004_pay_add_shifts.sql",
        "link": "supabase/migrations/20251215120004_pay_add_shifts.sql",
    })));
    assert_eq!(json["unchanged"], 0);
    assert_eq!(json["dry_run"], false);
    for key in ["updated", "removed", "errors", "warnings"] {
        assert_eq!(json[key], serde_json::json!([]), "{key}");
    }
    let again = ws.mynatca("platform").args(["link", "--json", "--dry-run"]).assert().success().get_output().clone();
    let json: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!((json["unchanged"].as_u64(), json["dry_run"].as_bool()), (Some(6), Some(true)));
}

#[test]
fn managed_links_never_show_in_git_status() {
    let ws = pay_and_discord();
    ws.commit_all("platform", "own migration");
    ws.mynatca("platform").arg("link").assert().success();
    assert_eq!(ws.git_stdout("platform", &["status", "--porcelain"]), "");
    // A new own migration still shows: only the links are excluded.
    ws.migration("platform", "20260101000000_add_regions.sql", "select 1;\n");
    assert_eq!(
        ws.git_stdout("platform", &["status", "--porcelain"]),
        "?? supabase/migrations/20260101000000_add_regions.sql"
    );
    // User lines in info/exclude survive.
    let exclude = ws.read("platform/.git/info/exclude");
    assert!(exclude.contains("# git ls-files --others --exclude-from=.git/info/exclude"), "{exclude}");
}

#[test]
fn quiet_prints_nothing_when_nothing_changed() {
    let ws = pay_and_discord();
    ws.mynatca("platform")
        .args(["-q", "link"])
        .assert()
        .success()
        .stdout("linked: 6 created, 0 updated, 0 removed, 0 unchanged\n");
    ws.mynatca("platform").args(["-q", "link"]).assert().success().stdout("").stderr("");
}

#[test]
fn finds_the_platform_from_inside_it_and_from_a_linked_repo() {
    let ws = pay_and_discord();
    ws.mynatca("platform/supabase/migrations")
        .arg("link")
        .assert()
        .success()
        .stdout(predicates::str::contains("6 created"));
    ws.remove("pay/supabase/migrations/20251215120001_pay_add_periods.sql");
    // pay is a sibling whose registry lists it.
    ws.mynatca("pay/supabase").arg("link").assert().success().stdout(predicates::str::contains("1 removed"));
}

#[test]
fn finds_the_platform_through_git_config_flag_and_environment() {
    let ws = pay_and_discord();
    let platform = ws.path("platform");
    // A repo that no registry lists, pointed at the platform by `mynatca.platform`.
    ws.git_init("tools");
    ws.git("tools", &["config", "mynatca.platform", platform.to_str().unwrap()]);
    ws.mkdir("tools/sub");
    ws.mynatca("tools/sub").arg("link").assert().success().stdout(predicates::str::contains("6 created"));

    ws.mkdir("outside");
    ws.mynatca("outside")
        .args(["link", "--platform", "../platform"])
        .assert()
        .success()
        .stdout(predicates::str::contains("6 unchanged"));
    ws.mynatca("outside")
        .arg("link")
        .env("MYNATCA_PLATFORM", &platform)
        .assert()
        .success()
        .stdout(predicates::str::contains("6 unchanged"));
}

#[test]
fn no_platform_is_exit_2_with_a_hint() {
    let ws = Ws::empty();
    ws.mkdir("alone");
    ws.mynatca("alone").arg("link").assert().code(2).stdout("").stderr(
        predicates::str::starts_with("error: no platform found from").and(predicates::str::contains("--platform DIR")),
    );
    ws.mynatca("alone")
        .args(["link", "--platform", "nowhere"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not a directory"));
}

#[test]
fn a_bad_registry_is_exit_2_naming_file_line_and_column() {
    let ws = pay_and_discord();
    ws.write(
        "platform/.linked-projects.json",
        "{\n  \"version\": 1,\n  \"projects\": [\n    {\"name\": \"pay\",}\n  ]\n}\n",
    );
    let out = ws.mynatca("platform").arg("link").assert().code(2).get_output().clone();
    let expected = format!("error: {}:4:", ws.path("platform/.linked-projects.json").display());
    assert!(stderr(&out).starts_with(&expected), "{}", stderr(&out));
    assert!(ws.links().is_empty(), "nothing linked from a bad registry");

    ws.write("platform/.linked-projects.json", r#"{"version": 2, "projects": []}"#);
    ws.mynatca("platform")
        .arg("link")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unsupported registry version 2"));
    ws.write(
        "platform/.linked-projects.json",
        r#"{"version": 1, "projects": [{"name": "pay", "path": "../pay", "schema": "pay"}, {"name": "pay2", "path": "../discord", "schema": "pay"}]}"#,
    );
    ws.mynatca("platform")
        .arg("link")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("schema \"pay\" is claimed by two projects"));
}

#[test]
fn a_wrong_flag_is_exit_2() {
    let ws = pay_and_discord();
    ws.mynatca("platform").args(["link", "--bogus"]).assert().code(2);
    ws.mynatca("platform").args(["link", "--dry-run", "--check"]).assert().code(2);
}

#[test]
fn names_supabase_would_skip_are_linked_with_a_warning() {
    let ws = pay_and_discord();
    ws.migration("pay", "pay_fix_totals.sql", "select 1;\n");
    let out = ws.mynatca("platform").arg("link").assert().success().get_output().clone();
    assert!(
        stderr(&out).contains("warning: pay_fix_totals.sql (pay) does not match <version>_<name>.sql"),
        "{}",
        stderr(&out)
    );
    assert!(ws.link("pay_fix_totals.sql").is_some());
}

#[test]
fn links_of_unregistered_folders_are_not_mynatcas() {
    let ws = pay_and_discord();
    ws.add_project_repo("bid");
    ws.symlink(
        "../../../bid/supabase/migrations/00000000000004_baseline_bid_schema.sql",
        "platform/supabase/migrations/00000000000004_baseline_bid_schema.sql",
    );
    ws.mynatca("platform")
        .arg("link")
        .assert()
        .success()
        .stderr(predicates::str::contains("outside every linked project"));
    assert!(ws.link("00000000000004_baseline_bid_schema.sql").is_some());
}

#[test]
fn a_leftover_temp_link_is_cleaned_up() {
    let ws = pay_and_discord();
    ws.symlink(
        "../../../pay/supabase/migrations/20251215120001_pay_add_periods.sql",
        "platform/supabase/migrations/.20251215120001_pay_add_periods.sql.mynatca-99.tmp",
    );
    ws.mynatca("platform").arg("link").assert().success().stdout(predicates::str::contains("1 removed"));
    assert!(ws.entries("platform/supabase/migrations").iter().all(|n| !n.starts_with('.')));
}
