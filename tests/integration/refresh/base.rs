//! The Supabase base (`--base supabase`, the default) against `--base none`.

use super::{count, on, pg, refresh, strings, table_exists};
use crate::support::Ws;

/// One platform migration leaning on what Supabase's image provides, and a seed
/// inserting an auth user the way Supabase seeds do.
fn leaning_on_the_base() -> Ws {
    let ws = Ws::new();
    ws.migration(
        "platform",
        "20250101000000_notes.sql",
        "create table public.notes (id serial primary key, owner uuid not null default auth.uid() references auth.users, body text);\n\
         alter table public.notes enable row level security;\n\
         create policy own_notes on public.notes for all to authenticated using (owner = auth.uid());\n\
         create policy admins on public.notes for select using ((auth.jwt() -> 'app_metadata' ->> 'role') = 'admin');\n\
         insert into storage.buckets (id, name, public) values ('docs', 'docs', false);\n\
         create policy own_folder on storage.objects for insert to authenticated\n\
           with check (bucket_id = 'docs' and (storage.foldername(name))[1] = auth.uid()::text);\n\
         alter publication supabase_realtime add table public.notes;\n",
    )
    .write(
        "platform/supabase/seed.sql",
        "insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,\n\
           raw_app_meta_data, raw_user_meta_data, created_at, updated_at)\n\
         values ('00000000-0000-0000-0000-000000000000', '11111111-1111-1111-1111-111111111111', 'authenticated',\n\
           'authenticated', 'ann@example.com', crypt('secret', gen_salt('bf')), now(),\n\
           '{\"provider\":\"email\"}', '{}', now(), now());\n\
         insert into auth.identities (provider_id, user_id, identity_data, provider)\n\
         values ('11111111-1111-1111-1111-111111111111', '11111111-1111-1111-1111-111111111111',\n\
           '{\"sub\":\"11111111-1111-1111-1111-111111111111\",\"email\":\"Ann@Example.com\"}', 'email');\n\
         insert into public.notes (owner, body) values ('11111111-1111-1111-1111-111111111111', 'hello');\n",
    );
    ws.commit_all("platform", "notes");
    ws
}

#[test]
fn the_supabase_base_gives_auth_storage_realtime_and_default_privileges() {
    let ws = leaning_on_the_base();
    // Twice: the second run finds every cluster-wide role in place.
    for (applying, cached) in [("applying 20250101000000_notes.sql (platform)\n", ""), ("", " (1 from the cache)")] {
        refresh(&ws, "supabase_base")
            .stdout(format!(
                "linked: 0 created, 0 updated, 0 removed, 0 unchanged\n\
                 resetting {}\n{applying}\
                 seeding supabase/seed.sql (platform)\n\
                 refreshed: 1 migration{cached}, 1 seed file in $SECS\n",
                on("supabase_base")
            ))
            .go();
    }

    let mut client = pg::server().client("supabase_base");
    assert_eq!(strings(&mut client, "select email from auth.identities"), vec!["ann@example.com"]);
    assert_eq!(
        strings(&mut client, "select (confirmed_at is not null)::text || ' ' || is_sso_user::text from auth.users"),
        vec!["true false"],
        "GoTrue's defaults and generated columns"
    );
    assert_eq!(
        strings(&mut client, "select extname || ' ' || extnamespace::regnamespace from pg_extension where extname <> 'plpgsql' order by 1"),
        vec!["pgcrypto extensions", "uuid-ossp extensions"]
    );
    assert_eq!(
        strings(&mut client, "select tablename::text from pg_publication_tables where pubname = 'supabase_realtime'"),
        vec!["notes"]
    );
    let roles = strings(
        &mut client,
        "select string_agg(rolname || case when rolbypassrls then '+bypass' else '' end, ' ' order by rolname) from pg_roles \
         where rolname in ('anon', 'authenticated', 'service_role', 'authenticator', 'supabase_admin', \
         'supabase_auth_admin', 'supabase_storage_admin', 'dashboard_user', 'postgres')",
    );
    assert_eq!(
        roles,
        vec!["anon authenticated authenticator dashboard_user postgres+bypass service_role+bypass supabase_admin+bypass supabase_auth_admin supabase_storage_admin"]
    );
    assert!(
        client.query_one("select pg_has_role('authenticator', 'anon', 'member')", &[]).unwrap().get::<_, bool>(0),
        "authenticator switches to the API roles"
    );

    // As PostgREST runs a request: the role and the claims of the JWT.
    let mut as_user = |sub: &str, sql: &str| -> i64 {
        let mut tx = client.transaction().unwrap();
        let claims = format!(r#"{{"sub":"{sub}","role":"authenticated"}}"#);
        tx.execute("select set_config('request.jwt.claims', $1, true)", &[&claims]).unwrap();
        tx.batch_execute("set local role authenticated").unwrap();
        tx.query_one(sql, &[]).unwrap().get(0)
    };
    // No grant in the migration: the image's default privileges on public give access,
    // row level security decides which rows.
    assert_eq!(as_user("11111111-1111-1111-1111-111111111111", "select count(*) from public.notes"), 1);
    assert_eq!(as_user("22222222-2222-2222-2222-222222222222", "select count(*) from public.notes"), 0);
    assert_eq!(as_user("x", "select count(*) from storage.buckets where id = 'docs'"), 0, "row level security on");
    assert_eq!(
        as_user("x", "select count(*) from (select storage.foldername('a/b/c.png') f, storage.filename('a/b/c.png') n, storage.extension('a/b/c.png') e) x where f = '{a,b}' and n = 'c.png' and e = 'png'"),
        1
    );
}

#[test]
fn base_none_assumes_nothing_but_the_api_roles_and_the_history() {
    let ws = leaning_on_the_base();
    refresh(&ws, "base_none")
        .args(["--base", "none"])
        .status(1)
        .stdout(format!(
            "linked: 0 created, 0 updated, 0 removed, 0 unchanged\n\
             resetting {}\n\
             applying 20250101000000_notes.sql (platform)\n",
            on("base_none")
        ))
        .stderr(format!(
            "error: migration supabase/migrations/20250101000000_notes.sql:1 (project platform) failed: \
             schema \"auth\" does not exist; nothing after it ran and \
             {} was left as it was: fix it and run `mynatca refresh` again\n",
            on("base_none")
        ))
        .go();
    ws.remove("platform/supabase/migrations/20250101000000_notes.sql").remove("platform/supabase/seed.sql");
    ws.migration("platform", "20250101000000_plain.sql", "create table public.plain (id int);\n");
    refresh(&ws, "base_none")
        .args(["--base", "none"])
        .stdout(format!(
            "linked: 0 created, 0 updated, 0 removed, 0 unchanged\n\
             resetting {}\n\
             applying 20250101000000_plain.sql (platform)\n\
             refreshed: 1 migration, 0 seed files in $SECS\n",
            on("base_none")
        ))
        // The seed file is gone while config.toml still names it.
        .stderr(
            "warning: [db.seed] sql_paths: ./seed.sql matched no file in $WS/platform/supabase; \
             fix the pattern in $WS/platform/supabase/config.toml or add the file\n",
        )
        .go();
    let mut client = pg::server().client("base_none");
    assert!(table_exists(&mut client, "supabase_migrations.schema_migrations"));
    assert_eq!(
        count(&mut client, "select count(*) from pg_namespace where nspname in ('auth', 'storage', 'realtime')"),
        0
    );
    assert_eq!(count(&mut client, "select count(*) from pg_extension where extname <> 'plpgsql'"), 0);
    assert_eq!(count(&mut client, "select count(*) from pg_default_acl"), 0, "no default privileges");
}
