//! `mynatca link`: the reconciler, on real files, symlinks and git repos.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{finish, inode, Killer, Ws, RUN_LIMIT};

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

/// What a first `link` of [`pay_and_discord`] prints.
const SIX_CREATED: &str = "linked: 6 created, 0 updated, 0 removed, 0 unchanged\n";

/// The six links a first `link` of [`pay_and_discord`] makes, in name order.
const SIX: [&str; 6] = [
    "00000000000002_baseline_pay_schema.sql",
    "00000000000003_baseline_discord_schema.sql",
    "20251215120001_pay_add_periods.sql",
    "20251215120004_pay_add_shifts.sql",
    "seeds/discord/seed.sql",
    "seeds/pay/seed.sql",
];

/// `link`'s JSON report as a run on [`pay_and_discord`] makes it, for tests to adjust.
fn report(created: &[&str], unchanged: u64, dry_run: bool) -> serde_json::Value {
    json!({
        "schema": 1,
        "command": "link",
        "platform": "$WS/platform",
        "ok": true,
        "dry_run": dry_run,
        "created": created.iter().map(|name| linked(name)).collect::<Vec<_>>(),
        "updated": [],
        "removed": [],
        "unchanged": unchanged,
        "errors": [],
        "warnings": [],
    })
}

/// A link of [`SIX`] in JSON: the file it points at, in its project's repo, and the link.
fn linked(name: &str) -> serde_json::Value {
    let project = if name.contains("discord") { "discord" } else { "pay" };
    match name.strip_prefix("seeds/") {
        Some(_) => json!({"project": project, "path": "supabase/seed.sql", "link": format!("supabase/{name}")}),
        None => {
            json!({"project": project, "path": format!("supabase/migrations/{name}"), "link": format!("supabase/migrations/{name}")})
        }
    }
}

/// Puts the action lines of a dry run or check, and the link lists of a JSON report, in
/// name order. The binary lists created and updated links in folder order, which differs
/// between file systems (removals it sorts); sorted is what a reader expects.
fn name_order(text: &str) -> String {
    if let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(text) {
        for key in ["created", "updated", "removed"] {
            if let Some(list) = doc[key].as_array_mut() {
                list.sort_by(|a, b| a["link"].as_str().cmp(&b["link"].as_str()));
            }
        }
        return serde_json::to_string_pretty(&doc).unwrap() + "\n";
    }
    let mut lines: Vec<&str> = text.lines().collect();
    let verb = |line: &str| ["create ", "update ", "remove "].iter().position(|v| line.starts_with(v));
    let actions = lines.iter().take_while(|line| verb(line).is_some()).count();
    lines[..actions].sort_by_key(|line| (verb(line), *line));
    lines.iter().map(|line| format!("{line}\n")).collect()
}

/// A first `link` of [`pay_and_discord`], checked.
fn link_all(ws: &Ws) {
    ws.run("platform", ["link"]).stdout(SIX_CREATED).go();
}

#[test]
fn links_every_migration_and_seed_with_relative_targets() {
    let ws = pay_and_discord();
    link_all(&ws);
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

    // Only the seed links are new: the script never made them.
    ws.run("platform", ["link"]).stdout("linked: 2 created, 0 updated, 0 removed, 4 unchanged\n").go();
    let after: Vec<u64> =
        ws.links().iter().map(|n| inode(&ws.path(&format!("platform/supabase/migrations/{n}")))).collect();
    assert_eq!(before, after);
}

#[test]
fn a_no_op_run_rewrites_nothing() {
    let ws = pay_and_discord();
    link_all(&ws);
    let link = ws.path("platform/supabase/migrations/20251215120001_pay_add_periods.sql");
    let exclude = ws.path("platform/.git/info/exclude");
    let (link_inode, exclude_inode) = (inode(&link), inode(&exclude));
    let dir_mtime = std::fs::metadata(ws.path("platform/supabase/migrations")).unwrap().modified().unwrap();

    ws.run("platform", ["link"]).stdout("linked: 0 created, 0 updated, 0 removed, 6 unchanged\n").go();
    assert_eq!(inode(&link), link_inode);
    assert_eq!(inode(&exclude), exclude_inode, "info/exclude rewritten although nothing changed");
    assert_eq!(std::fs::metadata(ws.path("platform/supabase/migrations")).unwrap().modified().unwrap(), dir_mtime);
}

#[test]
fn deleted_and_renamed_migrations_lose_their_links() {
    let ws = pay_and_discord();
    link_all(&ws);
    ws.remove("pay/supabase/migrations/20251215120001_pay_add_periods.sql");
    std::fs::rename(
        ws.path("pay/supabase/migrations/20251215120004_pay_add_shifts.sql"),
        ws.path("pay/supabase/migrations/20251215120005_pay_add_shifts.sql"),
    )
    .unwrap();

    ws.run("platform", ["link"]).stdout("linked: 1 created, 0 updated, 2 removed, 4 unchanged\n").go();
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
    ws.run("platform", ["link"]).stdout("linked: 5 created, 1 updated, 0 removed, 0 unchanged\n").go();
    assert_eq!(ws.link(name).unwrap(), pay_link(name));
}

#[test]
fn a_foreign_symlink_is_left_alone_with_a_warning() {
    let ws = pay_and_discord();
    ws.write("elsewhere/20240101000000_local.sql", "select 1;\n").symlink(
        "../../../elsewhere/20240101000000_local.sql",
        "platform/supabase/migrations/20240101000000_local.sql",
    );
    ws.run("platform", ["link"])
        .stdout(SIX_CREATED)
        .stderr(
            "warning: supabase/migrations/20240101000000_local.sql points to ../../../elsewhere/20240101000000_local.sql, \
             outside every linked project; left alone (remove it if it is stale)\n",
        )
        .go();
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
    // Everything else is still linked.
    ws.run("platform", ["link"])
        .status(1)
        .stdout("linked: 5 created, 0 updated, 0 removed, 0 unchanged\n")
        .stderr(format!(
            "error: conflict: supabase/migrations/{name} is a real file in the platform and also a migration of pay; \
             rename one of them\n"
        ))
        .go();
    assert_eq!(ws.read(&format!("platform/supabase/migrations/{name}")), "-- the platform's own file\n");
    assert!(!ws.path(&format!("platform/supabase/migrations/{name}")).is_symlink());
}

#[test]
fn a_folder_with_a_linked_name_is_a_conflict_too() {
    let ws = pay_and_discord();
    ws.mkdir("platform/supabase/migrations/20251215120001_pay_add_periods.sql/keep");
    ws.run("platform", ["link"])
        .status(1)
        .stdout("linked: 5 created, 0 updated, 0 removed, 0 unchanged\n")
        .stderr(
            "error: conflict: supabase/migrations/20251215120001_pay_add_periods.sql is a folder in the platform \
             and also a migration of pay; rename one of them\n",
        )
        .go();
    assert!(ws.path("platform/supabase/migrations/20251215120001_pay_add_periods.sql/keep").is_dir());
}

#[test]
fn the_same_name_in_two_projects_links_the_first_and_fails() {
    let ws = pay_and_discord();
    ws.migration("discord", "20251215120001_pay_add_periods.sql", "-- copied by mistake\n");
    let mut expected = report(&SIX, 0, false);
    expected["ok"] = json!(false);
    // Reported at the file that is not linked: discord's.
    expected["errors"] = json!([{
        "kind": "conflict",
        "message": "20251215120001_pay_add_periods.sql is offered by pay and discord; pay is linked, rename the other",
        "project": "discord",
        "path": "supabase/migrations/20251215120001_pay_add_periods.sql",
        "line": 1,
    }]);
    // Problems go to stderr as well, so a terminal shows them beside the JSON.
    ws.run("platform", ["link", "--json"])
        .filter(name_order)
        .status(1)
        .stdout_json(expected)
        .stderr(
            "error: conflict: 20251215120001_pay_add_periods.sql is offered by pay and discord; \
             pay is linked, rename the other\n",
        )
        .go();
    assert_eq!(ws.link("20251215120001_pay_add_periods.sql").unwrap(), pay_link("20251215120001_pay_add_periods.sql"));
}

const DUPLICATE: &str = "error: duplicate version 20251215120004: 20251215120004_add_facilities.sql (platform), \
    20251215120004_discord_add_logs.sql (discord), 20251215120004_pay_add_shifts.sql (pay); \
    `supabase db reset` would fail on schema_migrations_pkey: give all but one a new version \
    (`mynatca new` picks a free one)\n";

#[test]
fn duplicate_versions_are_reported_with_every_file_and_project() {
    let ws = pay_and_discord();
    ws.migration("discord", "20251215120004_discord_add_logs.sql", "select 1;\n").migration(
        "platform",
        "20251215120004_add_facilities.sql",
        "select 1;\n",
    );
    ws.run("platform", ["link"])
        .status(1)
        .stdout("linked: 7 created, 0 updated, 0 removed, 0 unchanged\n")
        .stderr(DUPLICATE)
        .go();
    assert_eq!(
        ws.link("20251215120004_discord_add_logs.sql").unwrap(),
        PathBuf::from("../../../discord/supabase/migrations/20251215120004_discord_add_logs.sql"),
        "links are still made"
    );

    let mut expected = report(&[], 7, false);
    expected["ok"] = json!(false);
    // One error per file involved, each naming its file in its own repo.
    let message = DUPLICATE.strip_prefix("error: ").unwrap().trim_end();
    expected["errors"] = json!([
        {"kind": "duplicate-version", "message": message, "project": "platform",
         "path": "supabase/migrations/20251215120004_add_facilities.sql", "line": 1},
        {"kind": "duplicate-version", "message": message, "project": "discord",
         "path": "supabase/migrations/20251215120004_discord_add_logs.sql", "line": 1},
        {"kind": "duplicate-version", "message": message, "project": "pay",
         "path": "supabase/migrations/20251215120004_pay_add_shifts.sql", "line": 1},
    ]);
    ws.run("platform", ["link", "--json"]).status(1).stdout_json(expected).stderr(DUPLICATE).go();
}

#[test]
fn a_missing_project_folder_is_a_warning_and_its_links_go() {
    let ws = pay_and_discord();
    link_all(&ws);
    std::fs::rename(ws.path("discord"), ws.path("discord-moved")).unwrap();
    ws.run("platform", ["link"])
        .stdout("linked: 0 created, 0 updated, 2 removed, 4 unchanged\n")
        .stderr(
            "warning: project discord: folder $WS/discord not found; clone it there or fix its \"path\", \
             or `mynatca unlink-project discord`; its links are removed\n",
        )
        .go();
    assert!(ws.links().iter().all(|l| !l.contains("discord")));
}

#[test]
fn paths_with_spaces_work() {
    let ws = Ws::new();
    ws.add_project_repo("pay app");
    ws.register("pay", "../pay app", "pay");
    ws.migration("pay app", "20250101000000_pay_x y.sql", "select 1;\n");
    ws.run("platform", ["link"]).stdout("linked: 3 created, 0 updated, 0 removed, 0 unchanged\n").go();
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
    let piped = || std::process::Stdio::piped();
    let children: Vec<_> = (0..8)
        .map(|_| {
            Killer(Some(
                ws.mynatca_std("platform").args(["-q", "link"]).stdout(piped()).stderr(piped()).spawn().unwrap(),
            ))
        })
        .collect();
    let mut stdouts = vec![];
    for mut child in children {
        let output = finish(child.0.take().unwrap(), RUN_LIMIT);
        assert!(output.status.success(), "a concurrent run failed: {output:?}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), "");
        stdouts.push(String::from_utf8(output.stdout).unwrap());
    }
    // The lock serialises them: one run makes every link, the others find nothing to do.
    stdouts.sort();
    let mut expected = vec![String::new(); 7];
    expected.push("linked: 206 created, 0 updated, 0 removed, 0 unchanged\n".into());
    assert_eq!(stdouts, expected);
    assert_eq!(ws.links().len(), 204);
    assert!(
        ws.entries("platform/supabase/migrations").iter().all(|n| !n.contains("mynatca")),
        "temp files left behind"
    );
    ws.run("platform", ["link", "--check"])
        .stdout("linked: 0 created, 0 updated, 0 removed, 206 unchanged (check: nothing changed)\n")
        .go();
}

#[test]
fn check_and_dry_run_change_nothing() {
    let ws = pay_and_discord();
    let creates = "create 00000000000002_baseline_pay_schema.sql -> ../../../pay/supabase/migrations/00000000000002_baseline_pay_schema.sql\n\
                   create 00000000000003_baseline_discord_schema.sql -> ../../../discord/supabase/migrations/00000000000003_baseline_discord_schema.sql\n\
                   create 20251215120001_pay_add_periods.sql -> ../../../pay/supabase/migrations/20251215120001_pay_add_periods.sql\n\
                   create 20251215120004_pay_add_shifts.sql -> ../../../pay/supabase/migrations/20251215120004_pay_add_shifts.sql\n\
                   create seeds/discord/seed.sql -> ../../../../discord/supabase/seed.sql\n\
                   create seeds/pay/seed.sql -> ../../../../pay/supabase/seed.sql\n";
    ws.run("platform", ["link", "--dry-run"])
        .filter(name_order)
        .stdout(format!("{creates}linked: 6 created, 0 updated, 0 removed, 0 unchanged (dry run: nothing changed)\n"))
        .go();
    assert!(ws.links().is_empty());
    assert!(!ws.path("platform/supabase/seeds").exists());

    ws.run("platform", ["link", "--check"])
        .filter(name_order)
        .status(1)
        .stdout(format!("{creates}linked: 6 created, 0 updated, 0 removed, 0 unchanged (check: nothing changed)\n"))
        .go();
    assert!(ws.links().is_empty());
    link_all(&ws);
    ws.run("platform", ["link", "--check"])
        .stdout("linked: 0 created, 0 updated, 0 removed, 6 unchanged (check: nothing changed)\n")
        .go();
    ws.remove("pay/supabase/migrations/20251215120001_pay_add_periods.sql");
    ws.run("platform", ["link", "--check"])
        .status(1)
        .stdout(
            "remove 20251215120001_pay_add_periods.sql\n\
             linked: 0 created, 0 updated, 1 removed, 5 unchanged (check: nothing changed)\n",
        )
        .go();
    assert!(ws.link("20251215120001_pay_add_periods.sql").is_some(), "--check removed a link");
}

#[test]
fn json_is_one_document_on_stdout() {
    let ws = pay_and_discord();
    ws.run("platform", ["link", "--json"]).filter(name_order).stdout_json(report(&SIX, 0, false)).go();
    ws.run("platform", ["link", "--json", "--dry-run"]).stdout_json(report(&[], 6, true)).go();
}

#[test]
fn managed_links_never_show_in_git_status() {
    let ws = pay_and_discord();
    ws.commit_all("platform", "own migration");
    link_all(&ws);
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
    ws.run("platform", ["-q", "link"]).stdout(SIX_CREATED).go();
    ws.run("platform", ["-q", "link"]).go();
}

#[test]
fn finds_the_platform_from_inside_it_and_from_a_linked_repo() {
    let ws = pay_and_discord();
    ws.run("platform/supabase/migrations", ["link"]).stdout(SIX_CREATED).go();
    ws.remove("pay/supabase/migrations/20251215120001_pay_add_periods.sql");
    // pay is a sibling whose registry lists it.
    ws.run("pay/supabase", ["link"]).stdout("linked: 0 created, 0 updated, 1 removed, 5 unchanged\n").go();
}

#[test]
fn finds_the_platform_through_git_config_flag_and_environment() {
    let ws = pay_and_discord();
    let platform = ws.path("platform");
    // A repo that no registry lists, pointed at the platform by `mynatca.platform`.
    ws.git_init("tools");
    ws.git("tools", &["config", "mynatca.platform", platform.to_str().unwrap()]);
    ws.mkdir("tools/sub");
    ws.run("tools/sub", ["link"]).stdout(SIX_CREATED).go();

    let unchanged = "linked: 0 created, 0 updated, 0 removed, 6 unchanged\n";
    ws.mkdir("outside");
    ws.run("outside", ["link", "--platform", "../platform"]).stdout(unchanged).go();
    ws.run("outside", ["link"]).env("MYNATCA_PLATFORM", &platform).stdout(unchanged).go();
}

#[test]
fn no_platform_is_exit_2_with_a_hint() {
    let ws = Ws::empty();
    ws.mkdir("alone");
    ws.run("alone", ["link"])
        .status(2)
        .stderr(
            "error: no platform found from $WS/alone; run inside the platform or a linked repo, \
             pass --platform DIR, or set MYNATCA_PLATFORM\n",
        )
        .go();
    ws.run("alone", ["link", "--platform", "nowhere"])
        .status(2)
        .stderr("error: --platform: $WS/alone/nowhere is not a directory; point it at the platform repo\n")
        .go();
}

#[test]
fn a_bad_registry_is_exit_2_naming_file_line_and_column() {
    let ws = pay_and_discord();
    ws.write(
        "platform/.linked-projects.json",
        "{\n  \"version\": 1,\n  \"projects\": [\n    {\"name\": \"pay\",}\n  ]\n}\n",
    );
    ws.run("platform", ["link"])
        .status(2)
        .stderr(
            "error: $WS/platform/.linked-projects.json:4:20: invalid JSON: trailing comma; \
             fix the file (see `mynatca link-project --help`)\n",
        )
        .go();
    assert!(ws.links().is_empty(), "nothing linked from a bad registry");

    ws.write("platform/.linked-projects.json", r#"{"version": 2, "projects": []}"#);
    ws.run("platform", ["link"]).status(2).stderr(
            "error: $WS/platform/.linked-projects.json: unsupported registry version 2 (this mynatca reads version 1)\n",
        ).go();
    ws.write(
        "platform/.linked-projects.json",
        r#"{"version": 1, "projects": [{"name": "pay", "path": "../pay", "schema": "pay"}, {"name": "pay2", "path": "../discord", "schema": "pay"}]}"#,
    );
    ws.run("platform", ["link"])
        .status(2)
        .stderr(
            "error: $WS/platform/.linked-projects.json: projects[1].schema: schema \"pay\" is owned by project pay; \
             each schema has one owner: pick another\n",
        )
        .go();
}

#[test]
fn a_wrong_flag_is_exit_2() {
    let ws = pay_and_discord();
    ws.run("platform", ["link", "--bogus"])
        .status(2)
        .stderr("error: unexpected argument '--bogus' found\n\nUsage: mynatca link [OPTIONS]\n\nFor more information, try '--help'.\n")
        .go();
    ws.run("platform", ["link", "--dry-run", "--check"])
        .status(2)
        .stderr(
            "error: the argument '--dry-run' cannot be used with '--check'\n\n\
             Usage: mynatca link --dry-run\n\nFor more information, try '--help'.\n",
        )
        .go();
    assert!(ws.links().is_empty());
}

#[test]
fn names_supabase_would_skip_are_linked_with_a_warning() {
    let ws = pay_and_discord();
    ws.migration("pay", "pay_fix_totals.sql", "select 1;\n");
    ws.run("platform", ["link"])
        .stdout("linked: 7 created, 0 updated, 0 removed, 0 unchanged\n")
        .stderr("warning: pay_fix_totals.sql (pay) does not match <version>_<name>.sql; the Supabase CLI skips it (rename it)\n")
        .go();
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
    ws.run("platform", ["link"])
        .stdout(SIX_CREATED)
        .stderr(
            "warning: supabase/migrations/00000000000004_baseline_bid_schema.sql points to \
             ../../../bid/supabase/migrations/00000000000004_baseline_bid_schema.sql, \
             outside every linked project; left alone (remove it if it is stale)\n",
        )
        .go();
    assert!(ws.link("00000000000004_baseline_bid_schema.sql").is_some());
}

#[test]
fn a_leftover_temp_link_is_cleaned_up() {
    let ws = pay_and_discord();
    ws.symlink(
        "../../../pay/supabase/migrations/20251215120001_pay_add_periods.sql",
        "platform/supabase/migrations/.20251215120001_pay_add_periods.sql.mynatca-99.tmp",
    );
    ws.run("platform", ["link"]).stdout("linked: 6 created, 0 updated, 1 removed, 0 unchanged\n").go();
    assert!(ws.entries("platform/supabase/migrations").iter().all(|n| !n.starts_with('.')));
}

/// Whether `/proc/locks` shows process `pid` blocked waiting for a lock on inode `ino`.
fn waits_for_lock(pid: u32, ino: u64) -> bool {
    let locks = std::fs::read_to_string("/proc/locks").expect("read /proc/locks");
    // A waiter's line: `1: -> FLOCK  ADVISORY  WRITE <pid> <major>:<minor>:<inode> 0 EOF`.
    let (pid, ino) = (pid.to_string(), ino.to_string());
    locks.lines().any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.get(1) == Some(&"->")
            && fields.get(5) == Some(&pid.as_str())
            && fields.get(6).and_then(|dev| dev.rsplit(':').next()) == Some(ino.as_str())
    })
}

#[test]
fn link_waits_while_another_process_holds_the_workspace_lock() {
    use rustix::fs::{flock, FlockOperation};
    let ws = pay_and_discord();
    let lock_path = ws.path("platform/supabase/.mynatca.lock");
    let lock = std::fs::File::create(&lock_path).unwrap();
    flock(&lock, FlockOperation::LockExclusive).unwrap();

    let piped = std::process::Stdio::piped;
    let mut link =
        Killer(Some(ws.mynatca_std("platform").arg("link").stdout(piped()).stderr(piped()).spawn().unwrap()));
    let pid = link.child().id();
    // Until the kernel shows it blocked on our lock: finishing first means it never took it.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !waits_for_lock(pid, inode(&lock_path)) {
        if let Some(status) = link.child().try_wait().unwrap() {
            panic!("link finished ({status}) while the test held the workspace lock");
        }
        assert!(Instant::now() < deadline, "link never waited for the workspace lock");
        std::thread::sleep(Duration::from_millis(5));
    }
    // And it stays blocked, having touched nothing, for as long as the lock is held.
    std::thread::sleep(Duration::from_millis(300));
    assert!(link.child().try_wait().unwrap().is_none(), "link finished while the test held the workspace lock");
    assert!(ws.links().is_empty(), "links made under a held lock");
    assert!(!ws.path("platform/supabase/seeds").exists(), "seed links made under a held lock");

    flock(&lock, FlockOperation::Unlock).unwrap();
    let output = finish(link.0.take().unwrap(), RUN_LIMIT);
    assert_eq!(
        (output.status.code(), String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap()),
        (Some(0), SIX_CREATED.to_string(), String::new())
    );
    assert_eq!(ws.links().len(), 4);
}
