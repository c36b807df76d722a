//! Issue 12: no lost hook or registry entry, no hang, no injection, under concurrency,
//! faults and hostile names. Concurrency cases are repeated (20 trials of 8 runs at
//! once) so that they fail reliably without the fix; every run is bounded in time.

use std::os::unix::fs::PermissionsExt;

use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{stderr, stdout, Ws};

const TRIALS: usize = 20;
const RUNS: usize = 8;
/// No single run may take longer than this: a hang fails the test instead of hanging it.
const BOUND: Duration = Duration::from_secs(90);

/// Waits for `child`, killing it (and failing) past [`BOUND`].
fn finish(mut child: Child, what: &str) -> Output {
    let deadline = Instant::now() + BOUND;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("{what} hung: killed after {BOUND:?}; stderr: {}", stderr(&out));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// Starts mynatca with `args` in `dir`, output captured.
fn spawn(ws: &Ws, dir: &str, args: &[&str]) -> Child {
    ws.mynatca_std(dir).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
}

/// Runs mynatca with `args` in `dir`, bounded in time.
fn run(ws: &Ws, dir: &str, args: &[&str]) -> Output {
    finish(spawn(ws, dir, args), &format!("mynatca {args:?}"))
}

/// Runs each of `runs` (dir, args) at the same time; their outputs in the same order.
fn at_once(ws: &Ws, runs: &[(&str, Vec<String>)]) -> Vec<Output> {
    let children: Vec<Child> = runs
        .iter()
        .map(|(dir, args)| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            spawn(ws, dir, &args)
        })
        .collect();
    children.into_iter().zip(runs).map(|(child, (_, args))| finish(child, &format!("mynatca {args:?}"))).collect()
}

fn write_hook(ws: &Ws, rel: &str, body: &str) {
    ws.write(rel, body);
    std::fs::set_permissions(ws.path(rel), std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn assert_ok(out: &Output, expected_stdout: &str) {
    assert_eq!(stderr(out), "");
    assert_eq!(stdout(out), expected_stdout);
    assert_eq!(out.status.code(), Some(0));
}

// ---- 1. concurrent setup-hooks --------------------------------------------------------

#[test]
fn concurrent_setup_hooks_never_lose_a_team_hook() {
    let ws = Ws::new().with_project("pay");
    let hooks = ws.path("pay/.git/hooks");
    let platform = ws.path("platform");
    let first = |recorded: &str| {
        format!(
            "hooks in {}\ninstalled post-checkout\ninstalled post-merge\ninstalled pre-commit (the existing hook is kept as pre-commit.pre-mynatca and runs first)\n{recorded} mynatca.platform = {}{}\n",
            hooks.display(),
            platform.display(),
            if recorded == "recorded" { " in the repo's git config" } else { "" }
        )
    };
    let later = format!(
        "hooks in {}\nunchanged post-checkout\nunchanged post-merge\nunchanged pre-commit\nunchanged mynatca.platform = {}\n",
        hooks.display(),
        platform.display()
    );
    for trial in 0..TRIALS {
        let team = format!("#!/bin/sh\necho team hook {trial}\n");
        write_hook(&ws, "pay/.git/hooks/pre-commit", &team);
        let runs: Vec<_> = (0..RUNS).map(|_| ("pay", vec!["setup-hooks".to_string()])).collect();
        let outputs = at_once(&ws, &runs);
        let installer = if trial == 0 { first("recorded") } else { first("unchanged") };
        let mut installers = 0;
        for out in &outputs {
            assert_eq!(stderr(out), "", "trial {trial}");
            assert_eq!(out.status.code(), Some(0), "trial {trial}");
            let text = stdout(out);
            if text == installer {
                installers += 1;
            } else {
                assert_eq!(text, later, "trial {trial}");
            }
        }
        assert_eq!(installers, 1, "trial {trial}: exactly one run installs");
        assert_eq!(ws.read("pay/.git/hooks/pre-commit.pre-mynatca"), team, "trial {trial}: the team hook is kept");

        let out = run(&ws, "pay", &["setup-hooks", "--uninstall"]);
        assert_ok(
            &out,
            &format!(
                "hooks in {}\nremoved post-checkout\nremoved post-merge\nrestored pre-commit (the hook that was there before mynatca's)\n",
                hooks.display()
            ),
        );
        assert_eq!(ws.read("pay/.git/hooks/pre-commit"), team, "trial {trial}: uninstall restores the team hook");
        assert!(!hooks.join("pre-commit.pre-mynatca").exists());
    }
}

#[test]
fn a_kept_copy_of_a_shim_is_dropped_never_chained_or_restored() {
    let ws = Ws::new().with_project("pay");
    let hooks = ws.path("pay/.git/hooks");
    run(&ws, "pay", &["setup-hooks"]);
    // What an unserialised install used to leave: the shim kept as the "original" hook.
    std::fs::copy(hooks.join("pre-commit"), hooks.join("pre-commit.pre-mynatca")).unwrap();
    let out = run(&ws, "pay", &["setup-hooks"]);
    assert_ok(
        &out,
        &format!(
            "hooks in {}\nunchanged post-checkout\nunchanged post-merge\nremoved pre-commit.pre-mynatca: a stale copy of mynatca's own hook\nunchanged mynatca.platform = {}\n",
            hooks.display(),
            ws.path("platform").display()
        ),
    );
    assert!(!hooks.join("pre-commit.pre-mynatca").exists());
    std::fs::copy(hooks.join("pre-commit"), hooks.join("pre-commit.pre-mynatca")).unwrap();
    let out = run(&ws, "pay", &["setup-hooks", "--uninstall"]);
    assert_ok(
        &out,
        &format!("hooks in {}\nremoved post-checkout\nremoved post-merge\nremoved pre-commit\n", hooks.display()),
    );
    let left: Vec<_> = ws.entries("pay/.git/hooks").into_iter().filter(|n| !n.ends_with(".sample")).collect();
    assert_eq!(left, Vec::<String>::new(), "no shim is restored as the original hook");
}

/// A hook moved aside never lands on an existing `.pre-mynatca` (no-replace rename).
#[test]
fn moving_a_hook_aside_never_replaces_a_kept_hook() {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (dir.path().join("pre-commit"), dir.path().join("pre-commit.pre-mynatca"));
    std::fs::write(&from, "new").unwrap();
    std::fs::write(&to, "kept").unwrap();
    let err = mynatca::fsutil::rename_noreplace(&from, &to).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    assert_eq!(std::fs::read_to_string(&to).unwrap(), "kept");
    assert_eq!(std::fs::read_to_string(&from).unwrap(), "new");
}

// ---- 2. concurrent link-project / unlink-project ------------------------------------

/// The numbers of a `linked: C created, U updated, R removed, N unchanged` line.
fn linked_counts(line: &str) -> [usize; 4] {
    let words: Vec<&str> = line.split([' ', ',']).filter(|w| w.parse::<usize>().is_ok()).collect();
    let counts: Vec<usize> = words.iter().map(|w| w.parse().unwrap()).collect();
    assert_eq!(
        line,
        format!("linked: {} created, {} updated, {} removed, {} unchanged", counts[0], counts[1], counts[2], counts[3])
    );
    [counts[0], counts[1], counts[2], counts[3]]
}

#[test]
fn concurrent_link_and_unlink_project_lose_no_entry() {
    let ws = Ws::new();
    let names: Vec<String> = (0..RUNS).map(|i| format!("p{i}")).collect();
    for name in &names {
        ws.add_project_repo(name);
    }
    let baseline_registry = ws.read("platform/.linked-projects.json");
    let baseline_config = ws.read("platform/supabase/config.toml");
    for trial in 0..TRIALS {
        let runs: Vec<_> = names
            .iter()
            .map(|n| {
                (
                    "platform",
                    ["link-project", n, "--path", &format!("../{n}"), "--schema", n].map(String::from).to_vec(),
                )
            })
            .collect();
        let mut created = 0;
        for (out, name) in at_once(&ws, &runs).iter().zip(&names) {
            assert_eq!(stderr(out), "", "trial {trial}");
            assert_eq!(out.status.code(), Some(0), "trial {trial}");
            let text = stdout(out);
            let (head, summary) = text.trim_end().rsplit_once('\n').unwrap();
            assert_eq!(
                head,
                format!(
                    "added {name} to .linked-projects.json (path ../{name}, schema {name})\n\
                     config.toml: added {name} to [api] schemas\n\
                     config.toml: added ./seeds/{name}/*.sql to [db.seed] sql_paths"
                ),
                "trial {trial}"
            );
            let [c, u, r, _] = linked_counts(summary);
            assert_eq!((u, r), (0, 0), "trial {trial}");
            created += c;
        }
        assert_eq!(created, 2 * RUNS, "trial {trial}: each migration and seed linked once");
        let registered: Vec<String> = ws.registry()["projects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        let mut sorted = registered.clone();
        sorted.sort();
        assert_eq!(sorted, names, "trial {trial}: every entry kept");
        let config = ws.read("platform/supabase/config.toml");
        let schemas = config.lines().find(|l| l.starts_with("schemas = ")).unwrap();
        for name in &names {
            assert!(schemas.contains(&format!("\"{name}\"")), "trial {trial}: {name} missing from {schemas}");
            assert!(config.contains(&format!("\"./seeds/{name}/*.sql\"")), "trial {trial}");
        }
        assert_eq!(ws.links().len(), RUNS, "trial {trial}");

        let runs: Vec<_> = names.iter().map(|n| ("platform", vec!["unlink-project".to_string(), n.clone()])).collect();
        let mut removed = 0;
        for (out, name) in at_once(&ws, &runs).iter().zip(&names) {
            assert_eq!(stderr(out), "", "trial {trial}");
            assert_eq!(out.status.code(), Some(0), "trial {trial}");
            let text = stdout(out);
            let (head, summary) = text.trim_end().rsplit_once('\n').unwrap();
            assert_eq!(
                head,
                format!(
                    "removed {name} from .linked-projects.json\n\
                     config.toml: removed {name} from [api] schemas\n\
                     config.toml: removed ./seeds/{name}/*.sql from [db.seed] sql_paths"
                ),
                "trial {trial}"
            );
            let [c, u, r, _] = linked_counts(summary);
            assert_eq!((c, u), (0, 0), "trial {trial}");
            removed += r;
        }
        assert_eq!(removed, 2 * RUNS, "trial {trial}: each link removed once");
        assert_eq!(ws.read("platform/.linked-projects.json"), baseline_registry, "trial {trial}");
        assert_eq!(ws.read("platform/supabase/config.toml"), baseline_config, "trial {trial}");
        assert_eq!(ws.links(), Vec::<String>::new(), "trial {trial}");
    }
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
    run(&ws, "platform", &["link"]);
    let own = ws.path("platform/supabase/migrations/00000000000001_shared.sql");
    let (own_inode, links) = (crate::support::inode(&own), ws.links());
    let registry = ws.path("platform/.linked-projects.json");
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
        (serde_json::json!({"schema": "select"}), r#"projects[1].schema: project "bid": schema "select" cannot be used: it is a reserved SQL keyword; pick another"#.into()),
        (serde_json::json!({"schema": "user"}), r#"projects[1].schema: project "bid": schema "user" cannot be used: it is a reserved SQL keyword; pick another"#.into()),
        (serde_json::json!({"schema": "pg_bid"}), r#"projects[1].schema: project "bid": schema "pg_bid" cannot be used: names starting with pg_ are reserved for PostgreSQL's own schemas; pick another"#.into()),
        (serde_json::json!({"schema": "information_schema"}), r#"projects[1].schema: project "bid": schema "information_schema" cannot be used: information_schema is PostgreSQL's own schema; pick another"#.into()),
        (serde_json::json!({"schema": long}), format!(r#"projects[1].schema: project "bid": invalid schema "{long}" (a lowercase unquoted PostgreSQL identifier of at most 63 bytes)"#)),
        (serde_json::json!({"name": long}), format!(r#"projects[1].name: invalid name "{long}" (lowercase letters, digits, '_' and '-', starting with a letter, at most 63 bytes)"#)),
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
            let out = run(&ws, "platform", args);
            assert_eq!(stderr(&out), format!("error: {}: {message}\n", registry.display()), "{args:?}");
            assert_eq!(stdout(&out), "", "{args:?}");
            assert_eq!(out.status.code(), Some(2), "{args:?}");
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
    let registry = ws.path("platform/.linked-projects.json");
    let cases: [(&[&str], String); 4] = [
        (
            &["link-project", "sub", "--path", "./sub", "--schema", "sub"],
            format!(r#"{}: projects[1].path: "./sub" lies inside the platform; a sub-project is a repo of its own beside it"#, registry.display()),
        ),
        (
            &["link-project", "bid", "--path", "../bid", "--schema", "bid", "--seed", "/etc/passwd"],
            format!(r#"{}: projects[1].seeds[0]: "/etc/passwd" must be relative to the project's repo"#, registry.display()),
        ),
        (
            &["link-project", "bid", "--path", "../bid", "--schema", "user"],
            r#"schema "user" cannot be used: it is a reserved SQL keyword; pick another (--schema S)"#.to_string(),
        ),
        (
            &["link-project", "bid", "--path", "../bid", "--schema", "pg_bid"],
            r#"schema "pg_bid" cannot be used: names starting with pg_ are reserved for PostgreSQL's own schemas; pick another (--schema S)"#.to_string(),
        ),
    ];
    for (args, message) in cases {
        let out = run(&ws, "platform", args);
        assert_eq!(stderr(&out), format!("error: {message}\n"), "{args:?}");
        assert_eq!(stdout(&out), "", "{args:?}");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(ws.read("platform/.linked-projects.json"), before, "{args:?}");
    }
}

// ---- 5. bounded lock waits ----------------------------------------------------------

/// Holds `rel`'s lock (as a running mynatca would) with our pid in it, until dropped.
fn hold_lock(ws: &Ws, rel: &str) -> std::fs::File {
    use std::io::Write;
    let path = ws.path(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut file = std::fs::OpenOptions::new().create(true).truncate(true).write(true).open(path).unwrap();
    file.lock().unwrap();
    writeln!(file, "{}", std::process::id()).unwrap();
    file
}

#[test]
fn a_held_lock_delays_git_checkout_at_most_ten_seconds_with_one_warning() {
    let ws = Ws::new().with_project("pay");
    run(&ws, "platform", &["link"]);
    run(&ws, "platform", &["setup-hooks"]);
    let _held = hold_lock(&ws, "platform/supabase/.mynatca.lock");
    let lock = ws.path("platform/supabase/.mynatca.lock");
    let warning = |hook: &str| {
        format!(
            "warning: {hook}: links not updated: the workspace lock {} is held by pid {} (waited 10 s); run `mynatca link` once it is done\n",
            lock.display(),
            std::process::id()
        )
    };
    // Both at once: each waits its 10 s.
    let checkout = ws
        .git_cmd("platform", &["switch", "-q", "-c", "feature/x"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let hook = spawn(&ws, "platform", &["hook", "post-merge", "0"]);
    let out = finish(checkout, "git switch");
    assert_eq!(stderr(&out), warning("post-checkout"));
    assert_eq!(stdout(&out), "");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(ws.git_stdout("platform", &["branch", "--show-current"]), "feature/x");
    let out = finish(hook, "hook post-merge");
    assert_eq!(stderr(&out), warning("post-merge"));
    assert_eq!(stdout(&out), "");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_command_says_whom_it_waits_for_and_gives_up_at_the_limit() {
    let ws = Ws::new().with_project("pay");
    let lock = ws.path("platform/supabase/.mynatca.lock");
    let pid = std::process::id();
    let held = hold_lock(&ws, "platform/supabase/.mynatca.lock");
    let out = run(&ws, "platform", &["--wait", "2", "link"]);
    assert_eq!(
        stderr(&out),
        format!(
            "waiting for the workspace lock {lock} (pid {pid})\n\
             error: the workspace lock {lock} is held by pid {pid} (waited 2 s); let that run finish or stop it, then try again (--wait SECONDS waits longer)\n",
            lock = lock.display()
        )
    );
    assert_eq!(stdout(&out), "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(ws.links(), Vec::<String>::new(), "nothing was linked");
    drop(held);

    let hooks_lock = ws.path("pay/.git/mynatca-hooks.lock");
    let _held = hold_lock(&ws, "pay/.git/mynatca-hooks.lock");
    let out = run(&ws, "pay", &["--wait", "1", "setup-hooks"]);
    assert_eq!(
        stderr(&out),
        format!(
            "error: the hooks lock {lock} is held by pid {pid} (waited 1 s); let that run finish or stop it, then try again (--wait SECONDS waits longer)\n",
            lock = hooks_lock.display()
        )
    );
    assert_eq!(stdout(&out), "");
    assert_eq!(out.status.code(), Some(1));
    assert!(!ws.path("pay/.git/hooks/pre-commit").exists());
}

#[test]
fn the_lock_file_names_its_holder() {
    let ws = Ws::new().with_project("pay");
    let out = run(&ws, "platform", &["link"]);
    assert_eq!(out.status.code(), Some(0));
    let text = ws.read("platform/supabase/.mynatca.lock");
    let pid: u32 = text.trim().parse().unwrap_or_else(|_| panic!("a pid, not {text:?}"));
    assert!(pid > 0 && text.ends_with('\n'));
}

// ---- 13. read-only means read-only --------------------------------------------------

/// Every path under the workspace root with its size and (for links) target, `.git`
/// internals left out except `info/exclude`.
fn snapshot(ws: &Ws) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![ws.root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(&ws.root).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                if !rel.ends_with(".git") || path.join("info").is_dir() {
                    stack.push(path.clone());
                }
                if rel.contains(".git/") && !rel.ends_with(".git/info") {
                    continue;
                }
                out.push(format!("{rel}/"));
            } else if !rel.contains(".git/") || rel.ends_with(".git/info/exclude") {
                let link = std::fs::read_link(&path).map(|t| format!(" -> {}", t.display())).unwrap_or_default();
                out.push(format!("{rel} {}{link}", meta.len()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn read_only_runs_create_nothing_and_the_lock_is_excluded() {
    let ws = Ws::new().with_project("pay");
    ws.commit_all("platform", "link pay");
    let before = snapshot(&ws);
    for args in [&["link", "--dry-run"][..], &["link", "--check"], &["check"], &["status"], &["status", "--json"]] {
        let out = run(&ws, "platform", args);
        assert!(out.status.code().is_some(), "{args:?}");
        assert_eq!(snapshot(&ws), before, "{args:?} changed the workspace");
    }
    assert!(!ws.path("platform/supabase/.mynatca.lock").exists());
    let out = run(&ws, "platform", &["link"]);
    assert_ok(&out, "linked: 2 created, 0 updated, 0 removed, 0 unchanged\n");
    assert!(ws.path("platform/supabase/.mynatca.lock").exists());
    assert_eq!(ws.git_stdout("platform", &["status", "--porcelain", "--untracked-files=all"]), "");
    let after_link = snapshot(&ws);
    for args in [&["link", "--dry-run"][..], &["link", "--check"], &["check"], &["status"]] {
        run(&ws, "platform", args);
        assert_eq!(snapshot(&ws), after_link, "{args:?} changed the workspace");
    }
}

// ---- 14. output errors are errors ---------------------------------------------------

#[test]
fn a_failed_write_to_stdout_is_exit_1_and_a_closed_pipe_is_a_quiet_0() {
    let ws = Ws::new().with_project("pay");
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let child =
        ws.mynatca_std("platform").args(["link", "--json"]).stdout(full).stderr(Stdio::piped()).spawn().unwrap();
    let out = finish(child, "link --json > /dev/full");
    assert_eq!(stderr(&out), "error: cannot write to stdout: No space left on device (os error 28)\n");
    assert_eq!(out.status.code(), Some(1));

    for args in [&["status"][..], &["link", "--dry-run"], &["check"]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let child = ws.mynatca_std("platform").args(args).stdout(writer).stderr(Stdio::piped()).spawn().unwrap();
        let out = finish(child, "| head");
        assert_eq!(stderr(&out), "", "{args:?}");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
}

#[test]
fn relinking_hooks_exit_0_from_a_deleted_folder() {
    let ws = Ws::new().with_project("pay");
    for hook in ["post-checkout", "post-merge"] {
        let script = format!("mkdir gone && cd gone && rmdir ../gone && exec \"$0\" hook {hook} 0");
        let child = ws
            .command(Path::new("/bin/sh"), "pay")
            .args(["-c", &script, crate::support::bin().to_str().unwrap()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = finish(child, hook);
        assert_eq!(
            stderr(&out),
            format!("warning: {hook}: links not updated: cannot read the current directory: No such file or directory (os error 2)\n")
        );
        assert_eq!(stdout(&out), "");
        assert_eq!(out.status.code(), Some(0));
    }
}

#[test]
fn a_folder_that_cannot_be_read_is_an_error_never_missing() {
    let ws = Ws::new().with_project("pay");
    run(&ws, "platform", &["link"]);
    let links = ws.links();
    let migrations = ws.path("pay/supabase/migrations");
    std::fs::rename(&migrations, ws.path("pay/supabase/kept")).unwrap();
    // A link to itself: stat fails with ELOOP, which is not "not found".
    std::os::unix::fs::symlink("migrations", &migrations).unwrap();
    let out = run(&ws, "platform", &["link"]);
    assert_eq!(
        stderr(&out),
        format!(
            "error: project pay: cannot read {}; nothing was changed: Too many levels of symbolic links (os error 40)\n",
            migrations.display()
        )
    );
    assert_eq!(stdout(&out), "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(ws.links(), links, "pay's links are kept");
}

// ---- 8. control characters in names -------------------------------------------------

#[test]
fn a_name_with_control_characters_is_never_linked_nor_excluded_and_prints_as_one_line() {
    let ws = Ws::new().with_project("pay");
    ws.commit_all("platform", "link pay");
    ws.write("platform/NOTES.md", "mine\n").write("platform/src/main.rs", "fn main() {}\n");
    ws.migration("pay", "20250101000000_a\nNOTES.md\nsrc\nb.sql", "select 1;\n");
    ws.migration("pay", "20250101000001_pay_\x1b[2J\x1b]0;owned\x07.sql", "select 1;\n");
    let dir = ws.path("pay/supabase/migrations");
    let out = run(&ws, "platform", &["link"]);
    assert_eq!(
        stderr(&out),
        format!(
            "error: conflict: {dir}/20250101000000_a\\nNOTES.md\\nsrc\\nb.sql (pay) has a control character in its name; it is not linked until you rename it\n\
             error: conflict: {dir}/20250101000001_pay_\\x1b[2J\\x1b]0;owned\\x07.sql (pay) has a control character in its name; it is not linked until you rename it\n",
            dir = dir.display()
        )
    );
    assert_eq!(stdout(&out), "linked: 2 created, 0 updated, 0 removed, 0 unchanged\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(ws.links(), vec!["00000000000002_baseline_pay_schema.sql"]);
    let exclude = ws.read("platform/.git/info/exclude");
    assert!(!exclude.lines().any(|l| l == "NOTES.md" || l == "src" || l.contains('\x1b')), "{exclude}");
    assert_eq!(ws.git_stdout("platform", &["status", "--porcelain"]), "?? NOTES.md\n?? src/");

    let out = run(&ws, "platform", &["link", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one valid JSON document");
    assert_eq!(json["conflicts"].as_array().unwrap().len(), 2);
    assert_eq!(stdout(&out).lines().count(), 1);

    let out = run(&ws, "platform", &["check"]);
    let text = stdout(&out);
    assert!(!text.contains('\x1b'), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.contains("error[conflict]")).collect::<Vec<_>>(),
        vec![
            format!("../pay/supabase/migrations/20250101000000_a\\nNOTES.md\\nsrc\\nb.sql:1: error[conflict]: {}/20250101000000_a\\nNOTES.md\\nsrc\\nb.sql (pay) has a control character in its name; it is not linked until you rename it", dir.display()),
            format!("../pay/supabase/migrations/20250101000001_pay_\\x1b[2J\\x1b]0;owned\\x07.sql:1: error[conflict]: {}/20250101000001_pay_\\x1b[2J\\x1b]0;owned\\x07.sql (pay) has a control character in its name; it is not linked until you rename it", dir.display()),
        ],
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1));
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

    let out = run(&ws, "platform", &["link"]);
    let d = dir.display();
    assert_eq!(
        stderr(&out),
        format!(
            "warning: {d}/20250101000001_pay_fifo.sql (pay) is a FIFO, not a regular file; not linked (only regular files are migrations and seeds)\n\
             warning: {d}/20250101000002_pay_zero.sql (pay) is a character device, not a regular file; not linked (only regular files are migrations and seeds)\n\
             warning: {d}/20250101000003_pay_dangling.sql (pay) is a dangling link, not a regular file; not linked (only regular files are migrations and seeds)\n\
             warning: {} (pay) is a FIFO, not a regular file; not linked (only regular files are migrations and seeds)\n",
            ws.path("pay/supabase/seed.sql").display()
        )
    );
    assert_eq!(stdout(&out), "linked: 2 created, 0 updated, 0 removed, 0 unchanged\n");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(ws.links(), vec!["00000000000002_baseline_pay_schema.sql", "20250101000004_pay_big.sql"]);

    let out = run(&ws, "platform", &["check"]);
    let p = "../pay/supabase";
    let hooks = "lacks mynatca's post-checkout, post-merge, pre-commit hooks, so links go stale on checkout and merge";
    let regular = "not a regular file: only regular files are migrations and seeds";
    let expected = [
        format!(".:1: warning[hooks]: platform {hooks}; run `mynatca setup-hooks` in it"),
        format!("../pay:1: warning[hooks]: pay {hooks}; run `mynatca setup-hooks` in it"),
        format!("{p}/migrations/20250101000001_pay_fifo.sql:1: error[parse]: a FIFO, {regular}; replace it with one"),
        format!("{p}/migrations/20250101000002_pay_zero.sql:1: error[parse]: a character device, {regular}; replace it with one"),
        format!("{p}/migrations/20250101000003_pay_dangling.sql:1: error[parse]: a dangling link, {regular}; replace it with one"),
        format!("{p}/migrations/20250101000004_pay_big.sql:1: error[parse]: cannot read it: over 64 MiB, the most mynatca reads of one file; split it into smaller migrations"),
        format!("{p}/seed.sql:1: error[parse]: a FIFO, {regular}; replace it with one"),
        "supabase/config.toml:2: warning[config-schemas]: schema pay of pay is not in [api] schemas, so the API does not expose it; add \"pay\" (`mynatca link-project pay` does)".to_string(),
        format!("supabase/migrations/20250101000005_own_fifo.sql:1: error[parse]: cannot read it: a FIFO, {regular}"),
        "checked 3 migrations in 2 repos: 6 errors, 3 warnings".to_string(),
    ];
    assert_eq!(stdout(&out), expected.join("\n") + "\n");
    assert_eq!(stderr(&out), "");
    assert_eq!(out.status.code(), Some(1));
}

// ---- 9. names that are not UTF-8 ----------------------------------------------------

#[test]
fn a_name_that_is_not_utf8_is_reported_and_counted_never_dropped_silently() {
    use std::os::unix::ffi::OsStrExt;
    let ws = Ws::new().with_project("pay");
    let dir = ws.path("pay/supabase/migrations");
    let name = std::ffi::OsStr::from_bytes(b"20250101000001_pay_caf\xe9.sql");
    std::fs::write(dir.join(name), "select 1;\n").unwrap();
    let out = run(&ws, "platform", &["link"]);
    assert_eq!(
        stderr(&out),
        format!(
            "warning: {}/20250101000001_pay_caf\\xe9.sql (pay) has a name that is not UTF-8; not linked until you rename it\n",
            dir.display()
        )
    );
    assert_eq!(stdout(&out), "linked: 2 created, 0 updated, 0 removed, 0 unchanged\n");
    assert_eq!(out.status.code(), Some(0));

    let out = run(&ws, "platform", &["status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["repos"][1]["name"], "pay");
    assert_eq!(json["repos"][1]["migrations"], 2, "the folder holds two migrations");
    assert_eq!(json["repos"][1]["linked"], 1);
    assert_eq!(stderr(&out), "");
    assert_eq!(out.status.code(), Some(0));

    let out = run(&ws, "platform", &["check"]);
    let line = "../pay/supabase/migrations/20250101000001_pay_caf\\xe9.sql:1: error[parse]: its name is not UTF-8, so mynatca does not link it; rename it";
    assert!(stdout(&out).lines().any(|l| l == line), "{}", stdout(&out));
    assert_eq!(out.status.code(), Some(1));
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

    let out = run(&ws, "platform", &["unlink-project", "pay"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
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
    run(&ws, "platform", &["link"]);
    ws.git("", &["clone", "-q", "pay", "pay2"]);
    let out = run(&ws, "platform", &["link-project", "pay", "--path", "../pay2", "--schema", "pay", "--force"]);
    assert_ok(
        &out,
        "updated pay in .linked-projects.json (path ../pay2, schema pay)\n\
         config.toml: added pay to [api] schemas\n\
         config.toml: added ./seeds/pay/*.sql to [db.seed] sql_paths\n\
         linked: 0 created, 3 updated, 0 removed, 0 unchanged\n",
    );
    assert_eq!(ws.link(&long).unwrap(), Path::new("../../../pay2/supabase/migrations").join(&long));
    assert_eq!(ws.entries("platform/supabase/migrations").len(), 2, "no temp link left");
}

#[test]
fn new_refuses_a_description_giving_a_name_over_255_bytes() {
    let ws = Ws::new().with_project("pay");
    let description = format!("add_{}_table", "members_and_shifts_".repeat(13));
    let out = run(&ws, "pay", &["new", &description]);
    let shorter = &description[..236 - 4];
    let shorter = &shorter[..shorter.rfind('_').unwrap()];
    assert_eq!(
        stderr(&out),
        format!(
            "error: the description gives a file name of {} bytes (with pay's prefix pay_), over the 255 a file name may have; shorten it, e.g. `mynatca new {shorter}`\n",
            19 + 4 + description.len()
        )
    );
    assert_eq!(stdout(&out), "");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(ws.entries("pay/supabase/migrations"), vec!["00000000000002_baseline_pay_schema.sql"]);
    // The suggestion works.
    let out = run(&ws, "pay", &["new", shorter]);
    assert_eq!(stderr(&out), "");
    assert_eq!(out.status.code(), Some(0));
    let made = stdout(&out).trim().rsplit('/').next().unwrap().to_string();
    assert!(made.len() <= 255 && made.ends_with(&format!("_pay_{shorter}.sql")), "{made}");
}
