//! Finding the repo and the platform the way git does: `GIT_DIR` names the current
//! repo, `GIT_CEILING_DIRECTORIES` stops the walk up.

use crate::support::{stderr, stdout, Ws};

#[test]
fn git_ceiling_directories_stop_the_search_for_a_repo() {
    let ws = Ws::new();
    let platform = ws.path("platform");
    let out = ws
        .mynatca("platform/supabase")
        .arg("setup-hooks")
        .env("GIT_CEILING_DIRECTORIES", &platform)
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        format!(
            "error: {} is not inside a git repo; run this in one, or pass --repo DIR\n",
            ws.path("platform/supabase").display()
        )
    );
    assert!(!ws.path("platform/.git/hooks/pre-commit").exists(), "installed past the ceiling");

    // Without the ceiling the same folder is inside the platform's repo.
    ws.mynatca("platform/supabase").args(["-q", "setup-hooks"]).assert().success().stdout("").stderr("");
    assert!(ws.path("platform/.git/hooks/pre-commit").exists());
}

#[test]
fn git_dir_names_the_repo_whose_platform_is_used() {
    let ws = Ws::new().with_project("pay");
    ws.mynatca("pay").args(["-q", "setup-hooks"]).assert().success().stdout("").stderr("");
    ws.mkdir("elsewhere");

    let out = ws.mynatca("elsewhere").arg("link").assert().code(2).get_output().clone();
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).starts_with("error: no platform found from "), "{}", stderr(&out));

    ws.mynatca("elsewhere")
        .arg("link")
        .env("GIT_DIR", ws.path("pay/.git"))
        .assert()
        .success()
        .stdout("linked: 2 created, 0 updated, 0 removed, 0 unchanged\n")
        .stderr("");
    assert!(ws.path("platform/supabase/seeds/pay/seed.sql").is_symlink());
}
