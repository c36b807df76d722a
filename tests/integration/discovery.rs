//! Finding the repo and the platform the way git does: `GIT_DIR` names the current
//! repo, `GIT_CEILING_DIRECTORIES` stops the walk up.

use crate::support::Ws;

#[test]
fn git_ceiling_directories_stop_the_search_for_a_repo() {
    let ws = Ws::new();
    ws.run("platform/supabase", ["setup-hooks"])
        .env("GIT_CEILING_DIRECTORIES", ws.path("platform"))
        .status(2)
        .stderr("error: $WS/platform/supabase is not inside a git repo; run this in one, or pass --repo DIR\n")
        .go();
    assert!(!ws.path("platform/.git/hooks/pre-commit").exists(), "installed past the ceiling");

    // Without the ceiling the same folder is inside the platform's repo.
    ws.run("platform/supabase", ["-q", "setup-hooks"]).go();
    assert!(ws.path("platform/.git/hooks/pre-commit").exists());
}

#[test]
fn git_dir_names_the_repo_whose_platform_is_used() {
    let ws = Ws::new().with_project("pay");
    ws.run("pay", ["-q", "setup-hooks"]).go();
    ws.mkdir("elsewhere");

    ws.run("elsewhere", ["link"])
        .status(2)
        .stderr(
            "error: no platform found from $WS/elsewhere; run inside the platform or a linked repo, pass --platform DIR, or set MYNATCA_PLATFORM\n",
        )
        .go();

    ws.run("elsewhere", ["link"])
        .env("GIT_DIR", ws.path("pay/.git"))
        .stdout("linked: 2 created, 0 updated, 0 removed, 0 unchanged\n")
        .go();
    assert!(ws.path("platform/supabase/seeds/pay/seed.sql").is_symlink());
}
