//! `tests/fixtures/supabase-like`: a workspace shaped like real Supabase projects applies
//! fully on stock PostgreSQL with contrib, and `mynatca check` finds nothing wrong in it.

use std::path::Path;

use super::{count, on, pg, refresh, strings};
use crate::support::Ws;

/// The fixture copied into a fresh workspace, each repo committed with mynatca's hooks.
pub(super) fn supabase_like() -> Ws {
    let ws = Ws::empty();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/supabase-like");
    for entry in walkdir::WalkDir::new(&fixture).into_iter().map(Result::unwrap) {
        if entry.file_type().is_file() && entry.file_name() != "README.md" {
            let to = ws.root.join(entry.path().strip_prefix(&fixture).unwrap());
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
    // A sub-project's setup also records where its platform is.
    let recorded = ["", "recorded mynatca.platform = $WS/platform in the repo's git config\n"];
    for (repo, recorded) in ["platform", "pay"].into_iter().zip(recorded) {
        ws.git_init(repo);
        ws.commit_all(repo, "supabase-like sample");
        ws.run(repo, ["setup-hooks"])
            .stdout(format!(
                "hooks in $WS/{repo}/.git/hooks\n\
                 installed post-checkout\n\
                 installed post-merge\n\
                 installed post-rewrite\n\
                 installed pre-commit\n{recorded}"
            ))
            .go();
    }
    ws
}

#[test]
fn the_supabase_like_fixture_checks_clean_and_applies_fully() {
    let ws = supabase_like();
    ws.run("platform", ["link"]).stdout("linked: 3 created, 0 updated, 0 removed, 0 unchanged\n").go();
    ws.run("platform", ["check"]).stdout("checked 6 migrations in 2 repos: 0 errors, 0 warnings\n").go();

    refresh(&ws, "supabase_like")
        .stdout(format!(
            "linked: 0 created, 0 updated, 0 removed, 3 unchanged\n\
         resetting {}\n\
         applying 20240101000000_remote_schema.sql (platform)\n\
         applying 20240105000000_pay_baseline.sql (pay)\n\
         applying 20240215093000_on_auth_user_created.sql (platform)\n\
         applying 20240301120000_avatars_bucket.sql (platform)\n\
         applying 20240320000000_pay_add_rates.sql (pay)\n\
         applying 20240410080000_announcements_realtime.sql (platform)\n\
         seeding supabase/seed.sql (platform)\n\
         seeding supabase/seed.sql (pay)\n\
         refreshed: 6 migrations, 2 seed files in $SECS\n",
            on("supabase_like")
        ))
        .go();

    let mut client = pg::server().client("supabase_like");
    assert_eq!(count(&mut client, "select count(*) from supabase_migrations.schema_migrations"), 6);
    assert_eq!(
        strings(&mut client, "select email::text || ' ' || role from public.profiles order by email"),
        vec!["ann@example.com admin", "ben@example.com member"],
        "the trigger on auth.users made the profiles"
    );
    assert_eq!(
        strings(&mut client, "select schemaname || '.' || tablename from pg_publication_tables where pubname = 'supabase_realtime' order by 1"),
        vec!["pay.timesheets", "public.announcements"]
    );
    // Ben, as PostgREST would run his request: his own timesheets and earnings only.
    let mut tx = client.transaction().unwrap();
    tx.batch_execute(
        "select set_config('request.jwt.claims', '{\"sub\":\"b2b2b2b2-0000-4000-8000-000000000002\",\"role\":\"authenticated\"}', true);\n\
         set local role authenticated",
    )
    .unwrap();
    let earned: String = tx.query_one("select sum(amount)::text from pay.my_earnings", &[]).unwrap().get(0);
    assert_eq!(earned, "1476.0000", "3 days of 8 hours at 61.50");
    let avatars: i64 = tx.query_one("select count(*) from storage.objects", &[]).unwrap().get(0);
    assert_eq!(avatars, 1, "avatars are public to read");
    let upload = tx.batch_execute(
        "insert into storage.objects (bucket_id, name) values ('avatars', 'a1a1a1a1-0000-4000-8000-000000000001/x.png')",
    );
    let denied = upload.unwrap_err();
    assert!(denied.as_db_error().unwrap().message().contains("row-level security"), "{denied}");
}
