//! What a reset database gets before the first migration: the Supabase base
//! (`supabase_base.sql`) or the minimal one (`--base none`).

use postgres::Client;

/// The full Supabase base: roles, auth, storage, realtime, extensions (see the file).
const SUPABASE: &str = include_str!("supabase_base.sql");

/// The API roles, the migration history table and Supabase's search path; nothing assumed.
const MINIMAL: &str = r#"
DO $base$
DECLARE
    superuser boolean := (SELECT rolsuper FROM pg_roles WHERE rolname = current_user);
    wanted text;
BEGIN
    FOREACH wanted IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
        CONTINUE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = wanted);
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT%s', wanted,
                CASE WHEN wanted = 'service_role' AND superuser THEN ' BYPASSRLS' ELSE '' END);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END LOOP;
END
$base$;

-- @database

DO $base$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET search_path TO "$user", public, extensions', current_database());
END
$base$;
SET search_path TO "$user", public, extensions;
CREATE SCHEMA IF NOT EXISTS extensions;
GRANT USAGE ON SCHEMA extensions TO anon, authenticated, service_role;
CREATE SCHEMA IF NOT EXISTS supabase_migrations;
CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (
    version text NOT NULL PRIMARY KEY,
    statements text[],
    name text
);
"#;

/// The line splitting a base into its cluster-wide part and its per-database part.
const DATABASE_MARKER: &str = "-- @database\n";

/// Which base a refresh lays before the migrations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Base {
    #[default]
    Supabase,
    None,
}

impl Base {
    /// The whole SQL text (what a cache key covers).
    pub(crate) fn sql(self) -> &'static str {
        match self {
            Base::Supabase => SUPABASE,
            Base::None => MINIMAL,
        }
    }

    fn parts(self) -> (&'static str, &'static str) {
        self.sql().split_once(DATABASE_MARKER).expect("each base has a @database marker")
    }

    /// Creates the cluster-wide roles that are missing; run on every refresh, as a copy
    /// of a cached database does not bring roles with it.
    pub(crate) fn create_roles(self, client: &mut Client) -> Result<(), postgres::Error> {
        client.batch_execute(self.parts().0)
    }

    /// Lays the per-database part into the database `client` is connected to.
    pub(crate) fn create_in_database(self, client: &mut Client) -> Result<(), postgres::Error> {
        client.batch_execute(self.parts().1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_bases_have_one_marker_and_name_their_roles_before_it() {
        for base in [Base::Supabase, Base::None] {
            assert_eq!(base.sql().matches(DATABASE_MARKER).count(), 1);
            let (roles, database) = base.parts();
            assert!(roles.contains("'service_role'") && !roles.contains("CREATE SCHEMA"));
            assert!(database.contains("supabase_migrations.schema_migrations"));
        }
        assert!(Base::Supabase.sql().contains("Supabase CLI 2.x"), "the file names the version it follows");
    }
}
