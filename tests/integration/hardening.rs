//! Hardening: no lost hook or registry entry, no hang, no injection, under concurrency,
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

/// What a first `setup-hooks` in pay (of a workspace from [`Ws::new`]) prints.
const PAY_HOOKS_INSTALLED: &str = "hooks in $WS/pay/.git/hooks\ninstalled post-checkout\ninstalled post-merge\ninstalled post-rewrite\ninstalled pre-commit\nrecorded mynatca.platform = $WS/platform in the repo's git config\n";

/// What a first `link` of platform + pay prints.
const PAY_LINKED: &str = "linked: 2 created, 0 updated, 0 removed, 0 unchanged\n";

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
            "hooks in {}\ninstalled post-checkout\ninstalled post-merge\ninstalled post-rewrite\ninstalled pre-commit (the existing hook is kept as pre-commit.pre-mynatca and runs first)\n{recorded} mynatca.platform = {}{}\n",
            hooks.display(),
            platform.display(),
            if recorded == "recorded" { " in the repo's git config" } else { "" }
        )
    };
    let later = format!(
        "hooks in {}\nunchanged post-checkout\nunchanged post-merge\nunchanged post-rewrite\nunchanged pre-commit\nunchanged mynatca.platform = {}\n",
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

        ws.run("pay", ["setup-hooks", "--uninstall"])
            .stdout(
                "hooks in $WS/pay/.git/hooks\nremoved post-checkout\nremoved post-merge\nremoved post-rewrite\nrestored pre-commit (the hook that was there before mynatca's)\n",
            )
            .go();
        assert_eq!(ws.read("pay/.git/hooks/pre-commit"), team, "trial {trial}: uninstall restores the team hook");
        assert!(!hooks.join("pre-commit.pre-mynatca").exists());
    }
}

#[test]
fn a_kept_copy_of_a_shim_is_dropped_never_chained_or_restored() {
    let ws = Ws::new().with_project("pay");
    let hooks = ws.path("pay/.git/hooks");
    ws.run("pay", ["setup-hooks"]).stdout(PAY_HOOKS_INSTALLED).go();
    // What an unserialised install used to leave: the shim kept as the "original" hook.
    std::fs::copy(hooks.join("pre-commit"), hooks.join("pre-commit.pre-mynatca")).unwrap();
    ws.run("pay", ["setup-hooks"])
        .stdout(
            "hooks in $WS/pay/.git/hooks\nunchanged post-checkout\nunchanged post-merge\nunchanged post-rewrite\nremoved pre-commit.pre-mynatca: a stale copy of mynatca's own hook\nunchanged mynatca.platform = $WS/platform\n",
        )
        .go();
    assert!(!hooks.join("pre-commit.pre-mynatca").exists());
    std::fs::copy(hooks.join("pre-commit"), hooks.join("pre-commit.pre-mynatca")).unwrap();
    ws.run("pay", ["setup-hooks", "--uninstall"])
        .stdout("hooks in $WS/pay/.git/hooks\nremoved post-checkout\nremoved post-merge\nremoved post-rewrite\nremoved pre-commit\n")
        .go();
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

/// Runs `runs` at once (the i-th for project `names[i]`); each must exit 0 with nothing
/// on stderr and print `head(name)` then a summary. The summaries' counts, summed.
fn run_all(
    ws: &Ws,
    runs: &[(&str, Vec<String>)],
    names: &[String],
    trial: usize,
    head: impl Fn(&str) -> String,
) -> [usize; 4] {
    let mut total = [0; 4];
    for (out, name) in at_once(ws, runs).iter().zip(names) {
        assert_eq!(stderr(out), "", "trial {trial}");
        assert_eq!(out.status.code(), Some(0), "trial {trial}");
        let text = stdout(out);
        let (printed, summary) = text.trim_end().rsplit_once('\n').unwrap();
        assert_eq!(printed, head(name), "trial {trial}");
        for (sum, count) in total.iter_mut().zip(linked_counts(summary)) {
            *sum += count;
        }
    }
    total
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
        let [created, updated, removed, _] = run_all(&ws, &runs, &names, trial, |name| {
            format!(
                "added {name} to .linked-projects.json (path ../{name}, schema {name})\n\
                 config.toml: added {name} to [api] schemas\n\
                 config.toml: added ./seeds/{name}/*.sql to [db.seed] sql_paths"
            )
        });
        assert_eq!((updated, removed), (0, 0), "trial {trial}");
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
        let [created, updated, removed, _] = run_all(&ws, &runs, &names, trial, |name| {
            format!(
                "removed {name} from .linked-projects.json\n\
                 config.toml: removed {name} from [api] schemas\n\
                 config.toml: removed ./seeds/{name}/*.sql from [db.seed] sql_paths"
            )
        });
        assert_eq!((created, updated), (0, 0), "trial {trial}");
        assert_eq!(removed, 2 * RUNS, "trial {trial}: each link removed once");
        assert_eq!(ws.read("platform/.linked-projects.json"), baseline_registry, "trial {trial}");
        assert_eq!(ws.read("platform/supabase/config.toml"), baseline_config, "trial {trial}");
        assert_eq!(ws.links(), Vec::<String>::new(), "trial {trial}");
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
    // The registry committed on main: the switch below rewrites migrations only, so the
    // hook run beside it never sees the registry half-written by git.
    ws.commit_all("platform", "link pay");
    // A branch whose migrations differ: the checkout has links to update.
    ws.git("platform", &["switch", "-q", "-c", "feature/x"]);
    ws.migration("platform", "20250101000000_platform_x.sql", "select 1;\n");
    ws.commit_all("platform", "x");
    ws.git("platform", &["switch", "-q", "main"]);
    ws.run("platform", ["link"]).stdout("linked: 2 created, 0 updated, 0 removed, 0 unchanged\n").go();
    ws.run("platform", ["setup-hooks"])
        .stdout(
            "hooks in $WS/platform/.git/hooks\ninstalled post-checkout\ninstalled post-merge\ninstalled post-rewrite\ninstalled pre-commit\n",
        )
        .go();
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
        .git_cmd("platform", &["switch", "-q", "feature/x"])
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
    let pid = std::process::id();
    let held = hold_lock(&ws, "platform/supabase/.mynatca.lock");
    ws.run("platform", ["--wait", "2", "link"])
        .status(1)
        .stderr(format!(
            "waiting for the workspace lock $WS/platform/supabase/.mynatca.lock (pid {pid})\n\
             error: the workspace lock $WS/platform/supabase/.mynatca.lock is held by pid {pid} (waited 2 s); let that run finish or stop it, then try again (--wait SECONDS waits longer)\n",
        ))
        .go();
    assert_eq!(ws.links(), Vec::<String>::new(), "nothing was linked");
    drop(held);

    let _held = hold_lock(&ws, "pay/.git/mynatca-hooks.lock");
    ws.run("pay", ["--wait", "1", "setup-hooks"])
        .status(1)
        .stderr(format!(
            "error: the hooks lock $WS/pay/.git/mynatca-hooks.lock is held by pid {pid} (waited 1 s); let that run finish or stop it, then try again (--wait SECONDS waits longer)\n",
        ))
        .go();
    assert!(!ws.path("pay/.git/hooks/pre-commit").exists());
}

#[test]
fn the_lock_file_names_its_holder() {
    let ws = Ws::new().with_project("pay");
    ws.run("platform", ["link"]).stdout(PAY_LINKED).go();
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
    for (args, status, out, err) in read_only_runs(false) {
        ws.run("platform", args).status(status).stdout(out).stderr(err).go();
        assert_eq!(snapshot(&ws), before, "{args:?} changed the workspace");
    }
    assert!(!ws.path("platform/supabase/.mynatca.lock").exists());
    ws.run("platform", ["link"]).stdout(PAY_LINKED).go();
    assert!(ws.path("platform/supabase/.mynatca.lock").exists());
    assert_eq!(ws.git_stdout("platform", &["status", "--porcelain", "--untracked-files=all"]), "");
    let after_link = snapshot(&ws);
    for (args, status, out, err) in read_only_runs(true) {
        ws.run("platform", args).status(status).stdout(out).stderr(err).go();
        assert_eq!(snapshot(&ws), after_link, "{args:?} changed the workspace");
    }
}

/// The read-only runs of [`read_only_runs_create_nothing_and_the_lock_is_excluded`] with
/// their exit status, whole stdout and whole stderr, before and after `link`.
fn read_only_runs(linked: bool) -> Vec<(&'static [&'static str], i32, String, &'static str)> {
    let hooks = "lacks mynatca's post-checkout, post-merge, post-rewrite, pre-commit hooks, so links go stale on checkout, merge and rebase, and direct commits to protected branches are not blocked";
    let check = |stale: &str, warnings: usize| {
        format!(
            ".:1: warning[hooks]: platform {hooks}; run `mynatca setup-hooks` in it\n\
             ../pay:1: warning[hooks]: pay {hooks}; run `mynatca setup-hooks` in it\n\
             supabase/config.toml:2: warning[config-schemas]: schema pay of pay is not in [api] schemas, so the API does not expose it; add \"pay\" (`mynatca link-project pay` does)\n\
             supabase/config.toml:10: warning[config-seeds]: [db.seed] sql_paths lacks \"./seeds/pay/*.sql\", so pay's seeds never run; add it (`mynatca link-project pay` does)\n\
             {stale}checked 1 migration in 2 repos: 0 errors, {warnings} warnings\n"
        )
    };
    // LINKED counts the platform's links on its row and the project's on its own.
    let status = |linked: u32| {
        format!(
            "REPO      PATH    BRANCH  STATE  MIGRATIONS  LINKED  NEWEST\n\
             platform  .       main    clean           0       {linked}  -\n\
             pay       ../pay  main    clean           1       {linked}  00000000000002\n"
        )
    };
    if linked {
        let unchanged = "linked: 0 created, 0 updated, 0 removed, 2 unchanged";
        return vec![
            (&["link", "--dry-run"], 0, format!("{unchanged} (dry run: nothing changed)\n"), ""),
            (&["link", "--check"], 0, format!("{unchanged} (check: nothing changed)\n"), ""),
            (&["check"], 0, check("", 4), ""),
            (&["status"], 0, status(1), ""),
        ];
    }
    let creates = "create 00000000000002_baseline_pay_schema.sql -> ../../../pay/supabase/migrations/00000000000002_baseline_pay_schema.sql\n\
                   create seeds/pay/seed.sql -> ../../../../pay/supabase/seed.sql\n\
                   linked: 2 created, 0 updated, 0 removed, 0 unchanged";
    let pending = "2 link changes are pending in the platform (LINKED shows what is there now); run `mynatca link`";
    let stale = "supabase/migrations:1: warning[stale-link]: 2 link changes pending (2 to create, 0 to update, 0 to remove); run `mynatca link`\n";
    let json = format!(
        r#"{{"schema":1,"command":"status","platform":"$WS/platform","ok":true,"repos":[{{"name":"platform","path":".","branch":"main","state":"clean","dirty":false,"migrations":0,"linked":0,"newest":null}},{{"name":"pay","path":"../pay","branch":"main","state":"clean","dirty":false,"migrations":1,"linked":0,"newest":"00000000000002"}}],"errors":[],"warnings":[{{"kind":"stale-link","message":"{pending}"}}]}}"#
    );
    vec![
        (&["link", "--dry-run"], 0, format!("{creates} (dry run: nothing changed)\n"), ""),
        (&["link", "--check"], 1, format!("{creates} (check: nothing changed)\n"), ""),
        (&["check"], 0, check(stale, 5), ""),
        (&["status"], 0, status(0), "warning: 2 link changes are pending in the platform (LINKED shows what is there now); run `mynatca link`\n"),
        (&["status", "--json"], 0, json + "\n", "warning: 2 link changes are pending in the platform (LINKED shows what is there now); run `mynatca link`\n"),
    ]
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

    for args in [&["status"][..], &["link", "--dry-run"], &["check"], &["completions", "bash"], &["man"]] {
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
        let mut sh = ws.command(Path::new("/bin/sh"), "pay");
        sh.args(["-c", &script, crate::support::bin().to_str().unwrap()]);
        ws.test(sh)
            .stderr(format!(
                "warning: {hook}: links not updated: cannot read the current directory: No such file or directory (os error 2)\n"
            ))
            .go();
    }
}

#[test]
fn a_folder_that_cannot_be_read_is_an_error_never_missing() {
    let ws = Ws::new().with_project("pay");
    ws.run("platform", ["link"]).stdout(PAY_LINKED).go();
    let links = ws.links();
    let migrations = ws.path("pay/supabase/migrations");
    std::fs::rename(&migrations, ws.path("pay/supabase/kept")).unwrap();
    // A link to itself: stat fails with ELOOP, which is not "not found".
    std::os::unix::fs::symlink("migrations", &migrations).unwrap();
    ws.run("platform", ["link"])
        .status(1)
        .stderr("error: project pay: cannot read $WS/pay/supabase/migrations; nothing was changed: Too many levels of symbolic links (os error 40)\n")
        .go();
    assert_eq!(ws.links(), links, "pay's links are kept");
}

mod files;

#[test]
fn a_lock_held_by_another_program_names_no_dead_pid() {
    use std::io::Write;
    let ws = Ws::new().with_project("pay");
    // The pid of a process that has ended, as the last mynatca run would leave it.
    let mut ended = std::process::Command::new("true").spawn().unwrap();
    let dead = ended.id();
    ended.wait().unwrap();
    let path = ws.path("platform/supabase/.mynatca.lock");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut file = std::fs::OpenOptions::new().create(true).truncate(true).write(true).open(&path).unwrap();
    writeln!(file, "{dead}").unwrap();
    file.lock().unwrap();
    ws.run("platform", ["--wait", "0", "link"])
        .status(1)
        .stderr(
            "error: the workspace lock $WS/platform/supabase/.mynatca.lock is held by another process (waited 0 s); let that run finish or stop it, then try again (--wait SECONDS waits longer)\n",
        )
        .go();
}
