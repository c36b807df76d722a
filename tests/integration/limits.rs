//! Resource limits: what a hostile or huge file costs `check` is bounded.

use crate::support::Ws;

/// A 10 MB migration on one line whose syntax error is at its very end: found in one
/// parse, within 512 MiB of address space (re-parsing prefixes needed gigabytes).
#[test]
fn a_ten_megabyte_line_with_an_error_at_its_end_is_checked_in_bounded_memory() {
    let ws = Ws::new();
    let statement = "insert into public.t values (1, 'abc'); ";
    let sql = format!("{}selec oops;", statement.repeat(250_000));
    ws.migration("platform", "00000000000001_big_platform.sql", &sql);
    let mut command = ws.command(std::path::Path::new("/bin/sh"), "platform");
    command.args(["-c", "ulimit -v 524288 && exec \"$0\" check", &crate::support::bin().display().to_string()]);
    ws.test(command)
        .status(1)
        .stdout(
            ".:1: warning[hooks]: platform lacks mynatca's post-checkout, post-merge, post-rewrite, pre-commit hooks, so links go stale on checkout, merge and rebase, and direct commits to protected branches are not blocked; run `mynatca setup-hooks` in it\n\
             supabase/migrations/00000000000001_big_platform.sql:1: error[parse]: PostgreSQL rejects this: syntax error at or near \"selec\"\n\
             checked 1 migration in 1 repo: 1 error, 1 warning\n",
        )
        .go();
}

/// 20,000 registry entries whose folders are missing: each a `registry` error at its
/// entry's line, found within 10 s of CPU (about 0.5 s in a debug build; one search of
/// the whole registry per entry took minutes).
#[test]
fn twenty_thousand_missing_registry_entries_are_reported_in_linear_time() {
    let ws = Ws::new();
    let projects: Vec<_> = (0..20_000)
        .map(|i| serde_json::json!({"name": format!("p{i}"), "path": format!("../p{i}"), "schema": format!("p{i}")}))
        .collect();
    ws.write_registry(&serde_json::json!({"version": 1, "projects": projects}));
    let text = ws.read("platform/.linked-projects.json");
    let mut expected = vec![(".".to_string(), 1, "warning[hooks]: platform lacks mynatca's post-checkout, post-merge, post-rewrite, pre-commit hooks, so links go stale on checkout, merge and rebase, and direct commits to protected branches are not blocked; run `mynatca setup-hooks` in it".to_string())];
    for (index, line) in text.lines().enumerate() {
        let Some(name) = line.trim().strip_prefix("\"name\": \"").and_then(|rest| rest.strip_suffix("\",")) else {
            continue;
        };
        let message = format!("error[registry]: project {name}: folder $WS/{name} not found; clone it there or fix its \"path\", or `mynatca unlink-project {name}`");
        expected.push((".linked-projects.json".to_string(), index + 1, message));
    }
    assert_eq!(expected.len(), 20_001);
    let report: String = expected.iter().map(|(path, line, message)| format!("{path}:{line}: {message}\n")).collect();
    let mut command = ws.command(std::path::Path::new("/bin/sh"), "platform");
    command.args(["-c", "ulimit -t 10 && exec \"$0\" check", &crate::support::bin().display().to_string()]);
    ws.test(command).status(1).stdout(report + "checked 0 migrations in 1 repo: 20000 errors, 1 warning\n").go();
}
