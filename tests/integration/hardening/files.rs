//! Hardening, files and names: registry entries outside their place, special files,
//! hostile and non-UTF-8 names, names near 255 bytes, writes through symlinks.

use std::path::Path;
use std::process::Stdio;

use super::{assert_ok, finish};
use crate::support::Ws;

/// `check`'s whole stdout on platform + pay without hooks and without pay in config.toml:
/// the hook warnings, `pay`'s findings, the config warnings (`seeds`: also the seed
/// glob's), the platform's findings, `summary`.
fn check_stdout(pay: &[String], seeds: bool, platform: &[String], summary: &str) -> String {
    let hooks = "lacks mynatca's post-checkout, post-merge, post-rewrite, pre-commit hooks, so links go stale on checkout, merge and rebase, and direct commits to protected branches are not blocked";
    let mut lines = vec![
        format!(".:1: warning[hooks]: platform {hooks}; run `mynatca setup-hooks` in it"),
        format!("../pay:1: warning[hooks]: pay {hooks}; run `mynatca setup-hooks` in it"),
    ];
    lines.extend_from_slice(pay);
    lines.push("supabase/config.toml:2: warning[config-schemas]: schema pay of pay is not in [api] schemas, so the API does not expose it; add \"pay\" (`mynatca link-project pay` does)".to_string());
    if seeds {
        lines.push("supabase/config.toml:10: warning[config-seeds]: [db.seed] sql_paths lacks \"./seeds/pay/*.sql\", so pay's seeds never run; add it (`mynatca link-project pay` does)".to_string());
    }
    lines.extend_from_slice(platform);
    lines.push(summary.to_string());
    lines.join("\n") + "\n"
}

// ---- 3. registry validation ---------------------------------------------------------

#[test]
fn a_registry_entry_outside_its_place_is_refused_before_anything_is_touched() {
    let ws = Ws::new().with_project("pay");
    ws.add_project_repo("bid");
    ws.mkdir("platform/sub").write("afile", "not a repo\n").mkdir("pay/sub");
    // The platform's own symlink, which an entry that is the platform would claim.
    ws.write("platform/shared/00000000000001_shared.sql", "select 1;\n")
        .symlink("../../shared/00000000000001_shared.sql", "platform/supabase/migrations/00000000000001_shared.sql");
    std::os::unix::fs::symlink("/etc/passwd", ws.path("bid/supabase/evil.sql")).unwrap();
    ws.run("platform", ["link"])
        .stdout("linked: 2 created, 0 updated, 0 removed, 0 unchanged\n")
        .stderr("warning: supabase/migrations/00000000000001_shared.sql points to ../../shared/00000000000001_shared.sql, outside every linked project; left alone (remove it if it is stale)\n")
        .go();
    let own = ws.path("platform/supabase/migrations/00000000000001_shared.sql");
    let (own_inode, links) = (crate::support::inode(&own), ws.links());
    let long = "a".repeat(64);
    let cases: Vec<(serde_json::Value, String)> = vec![
        (serde_json::json!({"path": "."}), r#"projects[1].path: "." is the platform itself; point it at the sub-project's repo"#.into()),
        (serde_json::json!({"path": "../platform"}), r#"projects[1].path: "../platform" is the platform itself; point it at the sub-project's repo"#.into()),
        (serde_json::json!({"path": "./sub"}), r#"projects[1].path: "./sub" lies inside the platform; a sub-project is a repo of its own beside it"#.into()),
        (serde_json::json!({"path": ".."}), r#"projects[1].path: ".." contains the platform; point it at the sub-project's repo"#.into()),
        (serde_json::json!({"path": "../afile"}), r#"projects[1].path: "../afile" is a file; point it at the sub-project's repo (a folder)"#.into()),
        (serde_json::json!({"path": "../pay/"}), r#"projects[1].path: "../pay/" is the same folder as project pay's "../pay"; one repo is one project"#.into()),
        (serde_json::json!({"path": "../pay/sub"}), r#"projects[1].path: "../pay/sub" overlaps project pay's "../pay"; one repo is one project"#.into()),
        (serde_json::json!({"migrations": "/tmp"}), r#"projects[1].migrations: "/tmp" must be relative to the project's repo"#.into()),
        (serde_json::json!({"migrations": "../pay/supabase/migrations"}), r#"projects[1].migrations: "../pay/supabase/migrations" leads out of the project's repo"#.into()),
        (serde_json::json!({"seeds": ["supabase/seed.sql", "/etc/passwd"]}), r#"projects[1].seeds[1]: "/etc/passwd" must be relative to the project's repo"#.into()),
        (serde_json::json!({"seeds": ["../../etc/passwd"]}), r#"projects[1].seeds[0]: "../../etc/passwd" leads out of the project's repo"#.into()),
        (serde_json::json!({"seeds": ["supabase/evil.sql"]}), r#"projects[1].seeds[0]: "supabase/evil.sql" leads to /etc/passwd, outside the project's repo"#.into()),
        (serde_json::json!({"schema": "select"}), r#"projects[1].schema: schema "select" cannot be used: it is a reserved SQL keyword; pick another"#.into()),
        (serde_json::json!({"schema": "user"}), r#"projects[1].schema: schema "user" cannot be used: it is a reserved SQL keyword; pick another"#.into()),
        (serde_json::json!({"schema": "pg_bid"}), r#"projects[1].schema: schema "pg_bid" cannot be used: names starting with pg_ are reserved for PostgreSQL's own schemas; pick another"#.into()),
        (serde_json::json!({"schema": "information_schema"}), r#"projects[1].schema: schema "information_schema" cannot be used: information_schema is PostgreSQL's own schema; pick another"#.into()),
        (serde_json::json!({"schema": long}), format!(r#"projects[1].schema: invalid schema "{long}": at most 63 bytes (PostgreSQL's identifier limit)"#)),
        (serde_json::json!({"name": long}), format!(r#"projects[1].name: invalid project name "{long}": at most 63 bytes (PostgreSQL's identifier limit)"#)),
        (serde_json::json!({"name": "platform"}), r#"projects[1].name: invalid project name "platform": "platform" is what mynatca calls the platform repo itself; give the project another name (e.g. "platform-app")"#.into()),
    ];
    for (fields, message) in cases {
        let mut entry = serde_json::json!({"name": "bid", "path": "../bid", "schema": "bid"});
        for (key, value) in fields.as_object().unwrap() {
            entry[key] = value.clone();
        }
        let mut doc = ws.registry();
        doc["projects"].as_array_mut().unwrap().truncate(1);
        doc["projects"].as_array_mut().unwrap().push(entry);
        ws.write_registry(&doc);
        for args in [&["link"][..], &["link", "--check"], &["status"]] {
            ws.run("platform", args)
                .status(2)
                .stderr(format!("error: $WS/platform/.linked-projects.json: {message}\n"))
                .go();
        }
        assert_eq!(crate::support::inode(&own), own_inode, "{message}: the platform's own link is untouched");
        assert_eq!(ws.links(), links, "{message}");
    }
}

#[test]
fn link_project_refuses_an_entry_outside_its_place() {
    let ws = Ws::new().with_project("pay");
    ws.add_project_repo("bid");
    ws.mkdir("platform/sub/supabase/migrations");
    let before = ws.read("platform/.linked-projects.json");
    let cases: [(&[&str], &str); 4] = [
        (
            &["link-project", "sub", "--path", "./sub", "--schema", "sub"],
            r#""./sub" lies inside the platform; a sub-project is a repo of its own beside it"#,
        ),
        (
            &["link-project", "bid", "--path", "../bid", "--schema", "bid", "--seed", "/etc/passwd"],
            r#""/etc/passwd" must be relative to the project's repo"#,
        ),
        (
            &["link-project", "bid", "--path", "../bid", "--schema", "user"],
            r#"schema "user" cannot be used: it is a reserved SQL keyword; pick another"#,
        ),
        (
            &["link-project", "bid", "--path", "../bid", "--schema", "pg_bid"],
            r#"schema "pg_bid" cannot be used: names starting with pg_ are reserved for PostgreSQL's own schemas; pick another"#,
        ),
    ];
    for (args, message) in cases {
        ws.run("platform", args).status(2).stderr(format!("error: {message}\n")).go();
        assert_eq!(ws.read("platform/.linked-projects.json"), before, "{args:?}");
    }
}

// ---- 8. control characters in names -------------------------------------------------

#[test]
fn a_name_with_control_characters_is_never_linked_nor_excluded_and_prints_as_one_line() {
    let ws = Ws::new().with_project("pay");
    ws.commit_all("platform", "link pay");
    ws.write("platform/NOTES.md", "mine\n").write("platform/src/main.rs", "fn main() {}\n");
    ws.migration("pay", "20250101000000_a\nNOTES.md\nsrc\nb.sql", "select 1;\n");
    ws.migration("pay", "20250101000001_pay_\x1b[2J\x1b]0;owned\x07.sql", "select 1;\n");
    let dir = "$WS/pay/supabase/migrations";
    ws.run("platform", ["link"])
        .status(1)
        .stdout("linked: 2 created, 0 updated, 0 removed, 0 unchanged\n")
        .stderr(format!(
            "error: conflict: {dir}/20250101000000_a\\nNOTES.md\\nsrc\\nb.sql (pay) has a control character in its name; it is not linked until you rename it\n\
             error: conflict: {dir}/20250101000001_pay_\\x1b[2J\\x1b]0;owned\\x07.sql (pay) has a control character in its name; it is not linked until you rename it\n",
        ))
        .go();
    assert_eq!(ws.links(), vec!["00000000000002_baseline_pay_schema.sql"]);
    let exclude = ws.read("platform/.git/info/exclude");
    assert!(!exclude.lines().any(|l| l == "NOTES.md" || l == "src" || l.contains('\x1b')), "{exclude}");
    assert_eq!(ws.git_stdout("platform", &["status", "--porcelain"]), "?? NOTES.md\n?? src/");

    let unsafe_name = |message: &str, path: &str| {
        serde_json::json!({
            "kind": "conflict",
            "message": format!("{dir}/{message} (pay) has a control character in its name; it is not linked until you rename it"),
            "project": "pay",
            "path": format!("supabase/migrations/{path}"),
            "line": 1,
        })
    };
    let done = ws
        .run("platform", ["link", "--json"])
        .status(1)
        .stdout_json(serde_json::json!({
            "schema": 1,
            "command": "link",
            "platform": "$WS/platform",
            "ok": false,
            "dry_run": false,
            "created": [],
            "updated": [],
            "removed": [],
            "unchanged": 2,
            "errors": [
                unsafe_name("20250101000000_a\\nNOTES.md\\nsrc\\nb.sql", "20250101000000_a\nNOTES.md\nsrc\nb.sql"),
                unsafe_name(
                    "20250101000001_pay_\\x1b[2J\\x1b]0;owned\\x07.sql",
                    "20250101000001_pay_\x1b[2J\x1b]0;owned\x07.sql",
                ),
            ],
            "warnings": [],
        }))
        .stderr(format!(
            "error: conflict: {dir}/20250101000000_a\\nNOTES.md\\nsrc\\nb.sql (pay) has a control character in its name; it is not linked until you rename it\n\
             error: conflict: {dir}/20250101000001_pay_\\x1b[2J\\x1b]0;owned\\x07.sql (pay) has a control character in its name; it is not linked until you rename it\n",
        ))
        .go();
    assert_eq!(done.stdout.lines().count(), 1);

    let unsafe_name = "(pay) has a control character in its name; it is not linked until you rename it";
    let (newline, escape) =
        ("20250101000000_a\\nNOTES.md\\nsrc\\nb.sql", "20250101000001_pay_\\x1b[2J\\x1b]0;owned\\x07.sql");
    let expected = check_stdout(
        &[
            format!("../pay/supabase/migrations/{newline}:1: error[conflict]: {dir}/{newline} {unsafe_name}",),
            format!("../pay/supabase/migrations/{escape}:1: error[conflict]: {dir}/{escape} {unsafe_name}"),
        ],
        true,
        &[],
        "checked 1 migration in 2 repos: 2 errors, 4 warnings",
    );
    ws.run("platform", ["check"]).status(1).stdout(expected).go();
}

// ---- 6. special files named *.sql ---------------------------------------------------

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

#[test]
fn special_files_are_never_migrations_and_big_files_are_refused() {
    let ws = Ws::new().with_project("pay");
    let (dir, own) = (ws.path("pay/supabase/migrations"), ws.path("platform/supabase/migrations"));
    mkfifo(&dir.join("20250101000001_pay_fifo.sql"));
    std::os::unix::fs::symlink("/dev/zero", dir.join("20250101000002_pay_zero.sql")).unwrap();
    std::os::unix::fs::symlink("gone.sql", dir.join("20250101000003_pay_dangling.sql")).unwrap();
    let big = std::fs::File::create(dir.join("20250101000004_pay_big.sql")).unwrap();
    big.set_len(64 * 1024 * 1024 + 1).unwrap();
    mkfifo(&own.join("20250101000005_own_fifo.sql"));
    mkfifo(&ws.path("pay/supabase/seed.sql.fifo"));
    std::fs::remove_file(ws.path("pay/supabase/seed.sql")).unwrap();
    std::fs::rename(ws.path("pay/supabase/seed.sql.fifo"), ws.path("pay/supabase/seed.sql")).unwrap();

    let d = "$WS/pay/supabase/migrations";
    ws.run("platform", ["link"])
        .stdout("linked: 2 created, 0 updated, 0 removed, 0 unchanged\n")
        .stderr(format!(
            "warning: {d}/20250101000001_pay_fifo.sql (pay) is a FIFO, not a regular file; not linked (only regular files are migrations and seeds)\n\
             warning: {d}/20250101000002_pay_zero.sql (pay) is a character device, not a regular file; not linked (only regular files are migrations and seeds)\n\
             warning: {d}/20250101000003_pay_dangling.sql (pay) is a dangling link, not a regular file; not linked (only regular files are migrations and seeds)\n\
             warning: $WS/pay/supabase/seed.sql (pay) is a FIFO, not a regular file; not linked (only regular files are migrations and seeds)\n",
        ))
        .go();
    assert_eq!(ws.links(), vec!["00000000000002_baseline_pay_schema.sql", "20250101000004_pay_big.sql"]);

    let p = "../pay/supabase";
    let regular = "not a regular file: only regular files are migrations and seeds";
    let expected = check_stdout(
        &[
        format!("{p}/migrations/20250101000001_pay_fifo.sql:1: error[parse]: a FIFO, {regular}; replace it with one"),
        format!("{p}/migrations/20250101000002_pay_zero.sql:1: error[parse]: a character device, {regular}; replace it with one"),
        format!("{p}/migrations/20250101000003_pay_dangling.sql:1: error[parse]: a dangling link, {regular}; replace it with one"),
        format!("{p}/migrations/20250101000004_pay_big.sql:1: error[parse]: cannot read it: over 64 MiB, the most mynatca reads of one file; split it into smaller migrations"),
        format!("{p}/seed.sql:1: error[parse]: a FIFO, {regular}; replace it with one"),
        ],
        false,
        &[format!("supabase/migrations/20250101000005_own_fifo.sql:1: error[parse]: cannot read it: a FIFO, {regular}")],
        "checked 3 migrations in 2 repos: 6 errors, 3 warnings",
    );
    ws.run("platform", ["check"]).status(1).stdout(expected).go();
}

/// A symlink loop among a project's migrations (`a -> b -> a`) or as its seed is that
/// file's problem: named, not linked, and every other link made (the loop was exit 1
/// naming the folder, and no link was made).
#[test]
fn a_symlink_loop_is_named_and_every_other_link_made() {
    let ws = Ws::new().with_project("pay");
    let dir = ws.path("pay/supabase/migrations");
    std::os::unix::fs::symlink("20250101000002_pay_b.sql", dir.join("20250101000001_pay_a.sql")).unwrap();
    std::os::unix::fs::symlink("20250101000001_pay_a.sql", dir.join("20250101000002_pay_b.sql")).unwrap();
    ws.migration("pay", "20250101000003_pay_c.sql", "create table pay.c (id int);\n");
    ws.remove("pay/supabase/seed.sql").symlink("seed.sql", "pay/supabase/seed.sql");

    let (d, not_linked) = ("$WS/pay/supabase/migrations", "not linked (only regular files are migrations and seeds)");
    ws.run("platform", ["link"])
        .stdout("linked: 2 created, 0 updated, 0 removed, 0 unchanged\n")
        .stderr(format!(
            "warning: {d}/20250101000001_pay_a.sql (pay) is a symlink loop, not a regular file; {not_linked}\n\
             warning: {d}/20250101000002_pay_b.sql (pay) is a symlink loop, not a regular file; {not_linked}\n\
             warning: $WS/pay/supabase/seed.sql (pay) is a symlink loop, not a regular file; {not_linked}\n",
        ))
        .go();
    assert_eq!(ws.links(), vec!["00000000000002_baseline_pay_schema.sql", "20250101000003_pay_c.sql"]);

    let (p, regular) = ("../pay/supabase", "not a regular file: only regular files are migrations and seeds");
    let expected = check_stdout(
        &[
            format!("{p}/migrations/20250101000001_pay_a.sql:1: error[parse]: a symlink loop, {regular}; replace it with one"),
            format!("{p}/migrations/20250101000002_pay_b.sql:1: error[parse]: a symlink loop, {regular}; replace it with one"),
            format!("{p}/seed.sql:1: error[parse]: a symlink loop, {regular}; replace it with one"),
        ],
        false,
        &[],
        "checked 2 migrations in 2 repos: 3 errors, 3 warnings",
    );
    ws.run("platform", ["check"]).status(1).stdout(expected).go();
}

// ---- 9. names that are not UTF-8 ----------------------------------------------------

#[test]
fn a_name_that_is_not_utf8_is_reported_and_counted_never_dropped_silently() {
    use std::os::unix::ffi::OsStrExt;
    let ws = Ws::new().with_project("pay");
    let dir = ws.path("pay/supabase/migrations");
    let name = std::ffi::OsStr::from_bytes(b"20250101000001_pay_caf\xe9.sql");
    std::fs::write(dir.join(name), "select 1;\n").unwrap();
    ws.run("platform", ["link"])
        .stdout("linked: 2 created, 0 updated, 0 removed, 0 unchanged\n")
        .stderr("warning: $WS/pay/supabase/migrations/20250101000001_pay_caf\\xe9.sql (pay) has a name that is not UTF-8; not linked until you rename it\n")
        .go();

    // pay's folder holds two migrations, one of them linked; both repos have uncommitted
    // files (the registry, the new migration).
    let repo = |name: &str, path: &str, migrations: u64, newest: serde_json::Value| {
        serde_json::json!({
            "name": name, "path": path, "branch": "main", "state": "dirty", "dirty": true,
            "migrations": migrations, "linked": 1, "newest": newest,
        })
    };
    ws.run("platform", ["status", "--json"])
        .stdout_json(serde_json::json!({
            "schema": 1,
            "command": "status",
            "platform": "$WS/platform",
            "ok": true,
            "repos": [repo("platform", ".", 0, serde_json::Value::Null), repo("pay", "../pay", 2, "00000000000002".into())],
            "errors": [],
            "warnings": [],
        }))
        .go();

    let expected = check_stdout(
        &["../pay/supabase/migrations/20250101000001_pay_caf\\xe9.sql:1: error[parse]: its name is not UTF-8, so mynatca does not link it; rename it".to_string()],
        true,
        &[],
        "checked 1 migration in 2 repos: 1 error, 4 warnings",
    );
    ws.run("platform", ["check"]).status(1).stdout(expected).go();
}

// ---- 16. atomic writes keep symlinks ------------------------------------------------

#[test]
fn a_registry_and_config_that_are_symlinks_are_written_through() {
    let ws = Ws::new();
    ws.add_project_repo("pay");
    // The team keeps both files in a shared folder; the platform links to them.
    ws.write("shared/registry.json", &ws.read("platform/.linked-projects.json"))
        .write("shared/conf/config.toml", &ws.read("platform/supabase/config.toml"))
        .symlink("../shared/conf/config.toml", "shared/config-link.toml");
    ws.remove("platform/.linked-projects.json").remove("platform/supabase/config.toml");
    ws.symlink("../shared/registry.json", "platform/.linked-projects.json")
        .symlink("../../shared/config-link.toml", "platform/supabase/config.toml");
    // Under strace, to see the folder synced after the rename.
    let trace = ws.tmp().join("trace");
    let child = ws
        .command(Path::new("strace"), "platform")
        .args(["-f", "-y", "-qq", "-e", "trace=fsync,rename,renameat,renameat2", "-o"])
        .arg(&trace)
        .arg(crate::support::bin())
        .args(["link-project", "pay", "--path", "../pay", "--schema", "pay"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("strace is installed (scripts/prereqs.sh)");
    let out = finish(child, "strace mynatca link-project");
    let calls = std::fs::read_to_string(&trace).unwrap();
    let shared = ws.path("shared").display().to_string();
    let renamed = calls.lines().position(|l| l.contains("rename") && l.contains(&format!("{shared}/registry.json")));
    let renamed = renamed.unwrap_or_else(|| panic!("no rename onto the registry's target:\n{calls}"));
    assert!(
        calls.lines().skip(renamed).any(|l| l.contains("fsync(") && l.contains(&format!("<{shared}>"))),
        "the folder is not synced after the rename:\n{calls}"
    );
    assert_ok(
        &out,
        "added pay to .linked-projects.json (path ../pay, schema pay)\n\
         config.toml: added pay to [api] schemas\n\
         config.toml: added ./seeds/pay/*.sql to [db.seed] sql_paths\n\
         linked: 2 created, 0 updated, 0 removed, 0 unchanged\n",
    );
    let link = |rel: &str| std::fs::read_link(ws.path(rel)).unwrap().display().to_string();
    assert_eq!(link("platform/.linked-projects.json"), "../shared/registry.json");
    assert_eq!(link("platform/supabase/config.toml"), "../../shared/config-link.toml");
    assert_eq!(link("shared/config-link.toml"), "../shared/conf/config.toml");
    assert!(ws.read("shared/registry.json").contains("\"name\": \"pay\""));
    assert!(ws.read("shared/conf/config.toml").contains(r#"schemas = ["public", "graphql_public", "pay"]"#));
    assert_eq!(ws.entries("shared"), vec!["conf", "config-link.toml", "registry.json"], "no temp file left");
    assert_eq!(ws.entries("shared/conf"), vec!["config.toml"]);

    ws.run("platform", ["unlink-project", "pay"])
        .stdout(
            "removed pay from .linked-projects.json\n\
             config.toml: removed pay from [api] schemas\n\
             config.toml: removed ./seeds/pay/*.sql from [db.seed] sql_paths\n\
             linked: 0 created, 0 updated, 2 removed, 0 unchanged\n",
        )
        .go();
    assert_eq!(link("platform/.linked-projects.json"), "../shared/registry.json");
    assert!(!ws.read("shared/registry.json").contains("pay"));
}

// ---- 10. names near 255 bytes -------------------------------------------------------

#[test]
fn a_name_of_255_bytes_can_be_retargeted() {
    let ws = Ws::new().with_project("pay");
    // 14 + 1 + 236 + 4 = 255 bytes.
    let long = format!("20250101000001_pay_{}.sql", "x".repeat(232));
    assert_eq!(long.len(), 255);
    ws.migration("pay", &long, "select 1;\n");
    ws.commit_all("pay", "long name");
    ws.run("platform", ["link"]).stdout("linked: 3 created, 0 updated, 0 removed, 0 unchanged\n").go();
    ws.git("", &["clone", "-q", "pay", "pay2"]);
    ws.run("platform", ["link-project", "pay", "--path", "../pay2", "--schema", "pay", "--force"])
        .stdout(
            "updated pay in .linked-projects.json (path ../pay2, schema pay)\n\
         config.toml: added pay to [api] schemas\n\
         config.toml: added ./seeds/pay/*.sql to [db.seed] sql_paths\n\
         linked: 0 created, 3 updated, 0 removed, 0 unchanged\n",
        )
        .go();
    assert_eq!(ws.link(&long).unwrap(), Path::new("../../../pay2/supabase/migrations").join(&long));
    assert_eq!(ws.entries("platform/supabase/migrations").len(), 2, "no temp link left");
}

#[test]
fn new_refuses_a_description_giving_a_name_over_255_bytes() {
    let ws = Ws::new().with_project("pay");
    let description = format!("add_{}_table", "members_and_shifts_".repeat(13));
    let shorter = &description[..236 - 4];
    let shorter = &shorter[..shorter.rfind('_').unwrap()];
    ws.run("pay", ["new", &description])
        .status(2)
        .stderr(format!(
            "error: the description gives a file name of {} bytes (with pay's prefix pay_), over the 255 a file name may have; shorten it, e.g. `mynatca new {shorter}`\n",
            19 + 4 + description.len()
        ))
        .go();
    assert_eq!(ws.entries("pay/supabase/migrations"), vec!["00000000000002_baseline_pay_schema.sql"]);
    // The suggestion works.
    // The version comes from the clock: only its place and length are checked here (new.rs
    // checks versions).
    let done = ws
        .run("pay", ["new", shorter])
        .filter(|text| match text.strip_prefix("supabase/migrations/") {
            Some(rest) if rest.get(..14).is_some_and(|v| v.bytes().all(|b| b.is_ascii_digit())) => {
                format!("supabase/migrations/<version>{}", &rest[14..])
            }
            _ => text.to_string(),
        })
        .stdout(format!("supabase/migrations/<version>_pay_{shorter}.sql\n"))
        .go();
    let made = done.stdout.trim().rsplit('/').next().unwrap().to_string();
    assert!(made.len() <= 255 && made.ends_with(&format!("_pay_{shorter}.sql")), "{made}");
}
