//! Rebases and amends: `git pull --rebase` from a bare remote, `git rebase` (both
//! backends, a fast-forward, a stop on a conflict), `git commit --amend`, fired by the
//! real git with mynatca's shims. Mid-rebase the hook only adds links; post-rewrite
//! relinks in full at the end.

use crate::support::Ws;

const BASELINE: &str = "00000000000002_baseline_pay_schema.sql";
const UPSTREAM: &str = "20251215120001_pay_add_periods.sql";
const LOCAL: &str = "20251215120002_pay_add_shifts.sql";

fn linked(created: usize, updated: usize, removed: usize, unchanged: usize) -> String {
    format!("linked: {created} created, {updated} updated, {removed} removed, {unchanged} unchanged\n")
}

/// platform + pay with mynatca's hooks, pay pushed to a bare remote `pay.git`, which
/// a colleague's clone (`colleague`, no hooks) also pushes to.
fn with_remote() -> Ws {
    let ws = Ws::new().with_project("pay");
    ws.run("platform", ["link"]).stdout(linked(2, 0, 0, 0)).go();
    for repo in ["platform", "pay"] {
        ws.run(repo, ["setup-hooks", "-q"]).go();
    }
    ws.git(".", &["clone", "-q", "--bare", "pay", "pay.git"]);
    ws.git("pay", &["remote", "add", "origin", "../pay.git"]);
    ws.git("pay", &["fetch", "-q", "origin"]);
    ws.git("pay", &["branch", "-q", "--set-upstream-to", "origin/main"]);
    ws.git(".", &["clone", "-q", "pay.git", "colleague"]);
    ws.git("colleague", &["config", "user.email", "colleague@example.com"]);
    ws.git("colleague", &["config", "user.name", "Colleague"]);
    ws
}

/// The colleague pushes a migration to `main`.
fn colleague_pushes(ws: &Ws, name: &str) {
    ws.migration("colleague", name, "create table pay.periods (id int);\n");
    ws.commit_all("colleague", "upstream migration");
    ws.git("colleague", &["push", "-q", "origin", "main"]);
}

/// A branch `feature/local` in pay, following origin/main, with one more migration
/// committed (its link made by `link`).
fn local_branch(ws: &Ws) {
    ws.run_git("pay", &["switch", "-q", "-c", "feature/local", "--track", "origin/main"]).go();
    ws.migration("pay", LOCAL, "create table pay.shifts (id int);\n");
    ws.commit_all("pay", "local migration");
    ws.run("platform", ["link"]).stdout(linked(1, 0, 0, 2)).go();
}

/// The baseline, the upstream and the local migration linked, and nothing left to do.
fn every_link_in_place(ws: &Ws) {
    assert_eq!(ws.links(), [BASELINE, UPSTREAM, LOCAL]);
    ws.run("platform", ["link", "--check"])
        .stdout("linked: 0 created, 0 updated, 0 removed, 4 unchanged (check: nothing changed)\n")
        .go();
}

#[test]
fn pull_rebase_keeps_the_local_links_and_adds_the_upstream_ones() {
    let ws = with_remote();
    local_branch(&ws);
    colleague_pushes(&ws, UPSTREAM);
    // Mid-rebase the work tree is origin/main's: the upstream migration is linked, the
    // local one (replayed next) keeps its link. post-rewrite then finds nothing to do.
    ws.run_git("pay", &["pull", "-q", "--rebase"]).stderr(linked(1, 0, 0, 2)).go();
    every_link_in_place(&ws);
}

#[test]
fn a_rebase_with_either_backend_ends_with_every_link() {
    for backend in ["--merge", "--apply"] {
        let ws = with_remote();
        local_branch(&ws);
        colleague_pushes(&ws, UPSTREAM);
        ws.git("pay", &["fetch", "-q"]);
        ws.run_git("pay", &["rebase", "-q", backend, "origin/main"]).stderr(linked(1, 0, 0, 2)).go();
        every_link_in_place(&ws);
    }
}

#[test]
fn a_rebase_stopped_on_a_conflict_keeps_the_links_and_relinks_when_it_ends() {
    let ws = with_remote();
    local_branch(&ws);
    ws.write("pay/README.md", "local\n");
    ws.commit_all("pay", "local readme");
    ws.write("colleague/README.md", "upstream\n");
    colleague_pushes(&ws, UPSTREAM);
    let readme = ws.git_stdout("pay", &["rev-parse", "--short", "HEAD"]);
    ws.run_git("pay", &["-c", "advice.mergeConflict=false", "pull", "-q", "--rebase"])
        .subst(readme, "README")
        .status(1)
        .stdout("Auto-merging README.md\nCONFLICT (add/add): Merge conflict in README.md\n")
        .stderr(
            linked(1, 0, 0, 2)
                + "error: could not apply README... local readme\nCould not apply README... local readme\n",
        )
        .go();
    // Stopped: the local migration is replayed already, the upstream one linked.
    assert_eq!(ws.links(), [BASELINE, UPSTREAM, LOCAL]);
    ws.write("pay/README.md", "both\n");
    ws.git("pay", &["add", "README.md"]);
    // post-rewrite finds every link in place: nothing said.
    ws.run_git("pay", &["-c", "core.editor=true", "rebase", "--continue"])
        .filter(|text| match text.split_once("[detached HEAD ") {
            Some((_, rest)) => format!("[detached HEAD SHA{}", &rest[rest.find(']').unwrap_or(0)..]),
            None => text.to_string(),
        })
        .stdout("[detached HEAD SHA] local readme\n 1 file changed, 1 insertion(+), 1 deletion(-)\n")
        .go();
    every_link_in_place(&ws);
}

#[test]
fn a_rebase_that_only_fast_forwards_relinks_in_full() {
    let ws = with_remote();
    ws.run_git("pay", &["switch", "-q", "-c", "feature/behind"]).go();
    // main moves on: the baseline is renamed, so its link goes and another comes.
    let renamed = "00000000000002_baseline_pay.sql";
    ws.run_git("pay", &["switch", "-q", "main"]).go();
    ws.git("pay", &["mv", &format!("supabase/migrations/{BASELINE}"), &format!("supabase/migrations/{renamed}")]);
    ws.git("pay", &["commit", "-q", "--no-verify", "-m", "rename"]);
    ws.run("platform", ["link"]).stdout(linked(1, 0, 1, 1)).go();
    ws.run_git("pay", &["switch", "-q", "feature/behind"]).stderr(linked(1, 0, 1, 1)).go();
    // Nothing to replay: no post-rewrite follows, so the first checkout relinks in full.
    ws.run_git("pay", &["rebase", "-q", "main"]).stderr(linked(1, 0, 1, 1)).go();
    assert_eq!(ws.links(), [renamed]);
}

#[test]
fn an_amend_relinks_what_it_changed_and_is_silent_otherwise() {
    let ws = with_remote();
    local_branch(&ws);
    // The message alone: nothing to relink, nothing said.
    ws.run_git("pay", &["commit", "-q", "--amend", "-m", "local migration, reworded"]).go();
    // The migration dropped from the commit (and the work tree).
    ws.git("pay", &["rm", "-q", &format!("supabase/migrations/{LOCAL}")]);
    ws.run_git("pay", &["commit", "-q", "--amend", "--allow-empty", "-m", "no migration"])
        .stderr(linked(0, 0, 1, 2))
        .go();
    assert_eq!(ws.links(), [BASELINE]);
}

#[test]
fn setup_hooks_adds_post_rewrite_to_the_older_set() {
    let ws = with_remote();
    // What an earlier mynatca installed: three hooks.
    ws.remove("pay/.git/hooks/post-rewrite");
    ws.run("pay", ["setup-hooks"])
        .stdout(
            "hooks in $WS/pay/.git/hooks\nunchanged post-checkout\nunchanged post-merge\ninstalled post-rewrite\n\
             unchanged pre-commit\nunchanged mynatca.platform = $WS/platform\n",
        )
        .go();
    local_branch(&ws);
    colleague_pushes(&ws, UPSTREAM);
    ws.run_git("pay", &["pull", "-q", "--rebase"]).stderr(linked(1, 0, 0, 2)).go();
    every_link_in_place(&ws);
}

#[test]
fn an_amend_at_a_rebase_stop_only_adds_links() {
    let ws = with_remote();
    local_branch(&ws);
    let second = "20251215120003_pay_add_rates.sql";
    ws.migration("pay", second, "create table pay.rates (id int);\n");
    ws.commit_all("pay", "second local migration");
    ws.run("platform", ["link"]).stdout(linked(1, 0, 0, 3)).go();
    colleague_pushes(&ws, UPSTREAM);
    ws.git("pay", &["fetch", "-q"]);
    // Stop at the first local commit: the second is not replayed yet, its link stays.
    let first = ws.git_stdout("pay", &["rev-parse", "--short", "HEAD~1"]);
    let stopped =
        "Stopped at FIRST...  local migration\nYou can amend the commit now, with\n\n  git commit --amend \n\n\
                   Once you are satisfied with your changes, run\n\n  git rebase --continue\n";
    ws.run_git("pay", &["rebase", "-q", "-i", "origin/main"])
        .env("GIT_SEQUENCE_EDITOR", "sed -i 1s/^pick/edit/")
        .subst(first, "FIRST")
        .stderr(linked(1, 0, 0, 2) + stopped)
        .go();
    assert_eq!(ws.links(), [BASELINE, UPSTREAM, LOCAL, second]);
    // An amend there adds its migration and removes nothing.
    let extra = "20251215120004_pay_add_notes.sql";
    ws.migration("pay", extra, "create table pay.notes (id int);\n");
    ws.git("pay", &["add", "-A"]);
    ws.run_git("pay", &["commit", "-q", "--amend", "--no-edit"]).stderr(linked(1, 0, 0, 4)).go();
    assert_eq!(ws.links(), [BASELINE, UPSTREAM, LOCAL, second, extra]);
    // post-rewrite finds every link in place: nothing said.
    ws.run_git("pay", &["rebase", "--continue"]).go();
    assert_eq!(ws.links(), [BASELINE, UPSTREAM, LOCAL, second, extra]);
}

/// git applies the autostash after post-rewrite: a staged migration it holds keeps its link.
#[test]
fn an_autostashed_migration_keeps_its_link() {
    let ws = with_remote();
    local_branch(&ws);
    colleague_pushes(&ws, UPSTREAM);
    let staged = "20251215120003_pay_add_rates.sql";
    ws.migration("pay", staged, "create table pay.rates (id int);\n");
    ws.git("pay", &["add", "-A"]);
    ws.run("platform", ["link"]).stdout(linked(1, 0, 0, 3)).go();
    ws.run_git("pay", &["pull", "-q", "--rebase", "--autostash"])
        .filter(|text| match text.strip_prefix("Created autostash: ") {
            Some(_) => "Created autostash: SHA\n".to_string(),
            None => text.to_string(),
        })
        .stdout("Created autostash: SHA\n")
        .stderr(linked(1, 0, 0, 2) + "Applied autostash.\n")
        .go();
    assert_eq!(ws.links(), [BASELINE, UPSTREAM, LOCAL, staged]);
}

#[test]
fn a_merge_with_an_autostash_keeps_the_stashed_migrations_link() {
    for args in [
        &["merge", "-q", "--autostash", "--no-edit", "origin/main"][..],
        &["pull", "-q", "--no-rebase", "--autostash", "--no-edit"],
    ] {
        let ws = with_remote();
        ws.run_git("pay", &["switch", "-q", "-c", "feature/wip", "--track", "origin/main"]).go();
        let staged = "20251215120003_pay_add_rates.sql";
        ws.migration("pay", staged, "create table pay.rates (id int);\n");
        ws.git("pay", &["add", "-A"]);
        ws.run("platform", ["link"]).stdout(linked(1, 0, 0, 2)).go();
        colleague_pushes(&ws, UPSTREAM);
        ws.git("pay", &["fetch", "-q"]);
        let out = ws.git_cmd("pay", args).output().unwrap();
        let said = format!("{}{}", crate::support::stdout(&out), crate::support::stderr(&out));
        assert!(out.status.success() && said.contains("Applied autostash"), "{args:?}: {said}");
        assert_eq!(ws.links(), [BASELINE, UPSTREAM, staged], "{args:?}");
    }
}

#[test]
fn a_squash_merge_links_what_it_brings() {
    let ws = with_remote();
    ws.run_git("pay", &["switch", "-q", "-c", "feature/squash"]).go();
    ws.migration("pay", LOCAL, "create table pay.shifts (id int);\n");
    ws.commit_all("pay", "local migration");
    ws.run("platform", ["link"]).stdout(linked(1, 0, 0, 2)).go();
    ws.run_git("pay", &["switch", "-q", "main"]).stderr(linked(0, 0, 1, 2)).go();
    ws.run_git("pay", &["merge", "-q", "--squash", "feature/squash"])
        .stdout("Squash commit -- not updating HEAD\n")
        .stderr(linked(1, 0, 0, 2))
        .go();
    assert_eq!(ws.links(), [BASELINE, LOCAL]);
}
