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
