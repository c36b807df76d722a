-- The Supabase base of `mynatca refresh --db-url`: what the Supabase image gives a fresh
-- database that migrations and seeds commonly touch. Written for mynatca from Supabase's
-- published schema, following the shapes of the Supabase CLI 2.x local stack (2025):
-- the supabase/postgres 15.8 image's init scripts, supabase/auth (GoTrue) v2.17x and
-- supabase/storage v1.2x. Not provided: GoTrue, the storage API, PostgREST, realtime's
-- server, and the image's non-contrib extensions.
--
-- Every statement may run again on a server or database that already has it.
-- Everything before the `@database` marker is cluster-wide and runs on every refresh;
-- what follows runs once in each database built from scratch.

-- Roles. Cluster-wide: only created when missing, never altered or dropped. Created
-- NOLOGIN: nothing here logs in as them (no GoTrue, no storage API), and a login role
-- without a password is a door on a shared server. BYPASSRLS needs a superuser.
DO $base$
DECLARE
    superuser boolean := (SELECT rolsuper FROM pg_roles WHERE rolname = current_user);
    bypass text := CASE WHEN superuser THEN ' BYPASSRLS' ELSE '' END;
    wanted text[][] := ARRAY[
        -- name, attributes as in the image (LOGIN aside)
        ARRAY['postgres', 'NOLOGIN CREATEROLE CREATEDB' || bypass],
        ARRAY['anon', 'NOLOGIN NOINHERIT'],
        ARRAY['authenticated', 'NOLOGIN NOINHERIT'],
        ARRAY['service_role', 'NOLOGIN NOINHERIT' || bypass],
        ARRAY['authenticator', 'NOLOGIN NOINHERIT'],
        ARRAY['supabase_admin', 'NOLOGIN CREATEROLE CREATEDB' || bypass],
        ARRAY['supabase_auth_admin', 'NOLOGIN NOINHERIT CREATEROLE'],
        ARRAY['supabase_storage_admin', 'NOLOGIN NOINHERIT CREATEROLE'],
        ARRAY['dashboard_user', 'NOLOGIN CREATEROLE CREATEDB']
    ];
    role text[];
BEGIN
    FOREACH role SLICE 1 IN ARRAY wanted LOOP
        CONTINUE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = role[1]);
        BEGIN
            EXECUTE format('CREATE ROLE %I %s', role[1], role[2]);
            -- PostgREST switches from authenticator to the API roles.
            IF role[1] = 'authenticator' THEN
                GRANT anon, authenticated, service_role TO authenticator;
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- created meanwhile by a concurrent refresh
        END;
    END LOOP;
END
$base$;

-- @database

-- Supabase's search path, so unqualified extension functions resolve.
DO $base$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET search_path TO "$user", public, extensions', current_database());
END
$base$;
SET search_path TO "$user", public, extensions;

-- Schemas the image has from the start.
CREATE SCHEMA IF NOT EXISTS extensions;
CREATE SCHEMA IF NOT EXISTS graphql_public;
CREATE SCHEMA IF NOT EXISTS auth;
CREATE SCHEMA IF NOT EXISTS storage;
CREATE SCHEMA IF NOT EXISTS realtime;
GRANT USAGE ON SCHEMA public, extensions, graphql_public, auth, storage, realtime
    TO anon, authenticated, service_role;
GRANT ALL ON SCHEMA public TO postgres;

-- What `supabase db reset` records applied migrations in.
CREATE SCHEMA IF NOT EXISTS supabase_migrations;
CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (
    version text NOT NULL PRIMARY KEY,
    statements text[],
    name text
);

-- The image's default privileges: whatever the migrating role creates in public is
-- reachable by the API roles, and row level security decides the rest.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO postgres, anon, authenticated, service_role;

-- Extensions the image preinstalls in `extensions`, when this server has them (contrib).
DO $base$
DECLARE
    wanted text;
BEGIN
    FOREACH wanted IN ARRAY ARRAY['uuid-ossp', 'pgcrypto'] LOOP
        IF EXISTS (SELECT FROM pg_available_extensions WHERE name = wanted) THEN
            EXECUTE format('CREATE EXTENSION IF NOT EXISTS %I WITH SCHEMA extensions', wanted);
        END IF;
    END LOOP;
END
$base$;

-- auth: GoTrue's users and identities, as its migrations leave them.
CREATE TABLE IF NOT EXISTS auth.users (
    instance_id uuid,
    id uuid NOT NULL PRIMARY KEY,
    aud varchar(255),
    role varchar(255),
    email varchar(255),
    encrypted_password varchar(255),
    email_confirmed_at timestamptz,
    invited_at timestamptz,
    confirmation_token varchar(255),
    confirmation_sent_at timestamptz,
    recovery_token varchar(255),
    recovery_sent_at timestamptz,
    email_change_token_new varchar(255),
    email_change varchar(255),
    email_change_sent_at timestamptz,
    last_sign_in_at timestamptz,
    raw_app_meta_data jsonb,
    raw_user_meta_data jsonb,
    is_super_admin boolean,
    created_at timestamptz,
    updated_at timestamptz,
    phone text UNIQUE DEFAULT NULL,
    phone_confirmed_at timestamptz,
    phone_change text DEFAULT '',
    phone_change_token varchar(255) DEFAULT '',
    phone_change_sent_at timestamptz,
    confirmed_at timestamptz GENERATED ALWAYS AS (least(email_confirmed_at, phone_confirmed_at)) STORED,
    email_change_token_current varchar(255) DEFAULT '',
    email_change_confirm_status smallint DEFAULT 0
        CHECK (email_change_confirm_status >= 0 AND email_change_confirm_status <= 2),
    banned_until timestamptz,
    reauthentication_token varchar(255) DEFAULT '',
    reauthentication_sent_at timestamptz,
    is_sso_user boolean NOT NULL DEFAULT false,
    deleted_at timestamptz,
    is_anonymous boolean NOT NULL DEFAULT false
);
COMMENT ON COLUMN auth.users.is_sso_user IS 'Auth: Set this column to true when the account comes from SSO. These accounts can have duplicate emails.';
CREATE INDEX IF NOT EXISTS users_instance_id_idx ON auth.users (instance_id);
CREATE INDEX IF NOT EXISTS users_instance_id_email_idx ON auth.users (instance_id, lower(email));
CREATE INDEX IF NOT EXISTS users_is_anonymous_idx ON auth.users (is_anonymous);
-- One account per email, SSO accounts aside.
CREATE UNIQUE INDEX IF NOT EXISTS users_email_partial_key ON auth.users (email) WHERE is_sso_user = false;
-- Tokens are unique once set (empty and all-digit values are "not set").
CREATE UNIQUE INDEX IF NOT EXISTS confirmation_token_idx ON auth.users (confirmation_token)
    WHERE confirmation_token !~ '^[0-9 ]*$';
CREATE UNIQUE INDEX IF NOT EXISTS recovery_token_idx ON auth.users (recovery_token)
    WHERE recovery_token !~ '^[0-9 ]*$';
CREATE UNIQUE INDEX IF NOT EXISTS email_change_token_current_idx ON auth.users (email_change_token_current)
    WHERE email_change_token_current !~ '^[0-9 ]*$';
CREATE UNIQUE INDEX IF NOT EXISTS email_change_token_new_idx ON auth.users (email_change_token_new)
    WHERE email_change_token_new !~ '^[0-9 ]*$';
CREATE UNIQUE INDEX IF NOT EXISTS reauthentication_token_idx ON auth.users (reauthentication_token)
    WHERE reauthentication_token !~ '^[0-9 ]*$';
ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;

CREATE TABLE IF NOT EXISTS auth.identities (
    provider_id text NOT NULL,
    user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    identity_data jsonb NOT NULL,
    provider text NOT NULL,
    last_sign_in_at timestamptz,
    created_at timestamptz,
    updated_at timestamptz,
    email text GENERATED ALWAYS AS (lower(identity_data ->> 'email')) STORED,
    id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    CONSTRAINT identities_provider_id_provider_unique UNIQUE (provider_id, provider)
);
CREATE INDEX IF NOT EXISTS identities_user_id_idx ON auth.identities (user_id);
CREATE INDEX IF NOT EXISTS identities_email_idx ON auth.identities (email text_pattern_ops);
ALTER TABLE auth.identities ENABLE ROW LEVEL SECURITY;

GRANT ALL ON auth.users, auth.identities TO postgres, dashboard_user, supabase_auth_admin;

-- The request's JWT, as PostgREST sets it: `request.jwt.claims` (JSON) today,
-- `request.jwt.claim.<name>` in older PostgREST; either is read, the older first.
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid
    LANGUAGE sql STABLE SET search_path TO ''
AS $fn$
    SELECT coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
    )::uuid
$fn$;

CREATE OR REPLACE FUNCTION auth.role() RETURNS text
    LANGUAGE sql STABLE SET search_path TO ''
AS $fn$
    SELECT coalesce(
        nullif(current_setting('request.jwt.claim.role', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'
    )::text
$fn$;

CREATE OR REPLACE FUNCTION auth.email() RETURNS text
    LANGUAGE sql STABLE SET search_path TO ''
AS $fn$
    SELECT coalesce(
        nullif(current_setting('request.jwt.claim.email', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email'
    )::text
$fn$;

CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb
    LANGUAGE sql STABLE SET search_path TO ''
AS $fn$
    SELECT coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$fn$;

-- storage: the storage API's buckets and objects, row level security on.
DO $base$
BEGIN
    CREATE TYPE storage.buckettype AS ENUM ('STANDARD', 'ANALYTICS');
EXCEPTION WHEN duplicate_object THEN
    NULL;
END
$base$;

CREATE TABLE IF NOT EXISTS storage.buckets (
    id text NOT NULL PRIMARY KEY,
    name text NOT NULL,
    owner uuid, -- deprecated by the storage API in favour of owner_id
    created_at timestamptz DEFAULT now(),
    updated_at timestamptz DEFAULT now(),
    public boolean DEFAULT false,
    avif_autodetection boolean DEFAULT false,
    file_size_limit bigint,
    allowed_mime_types text[],
    owner_id text,
    type storage.buckettype NOT NULL DEFAULT 'STANDARD'
);
CREATE UNIQUE INDEX IF NOT EXISTS bname ON storage.buckets (name);
ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY;

CREATE TABLE IF NOT EXISTS storage.objects (
    id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    bucket_id text CONSTRAINT "objects_bucketId_fkey" REFERENCES storage.buckets (id),
    name text,
    owner uuid, -- deprecated by the storage API in favour of owner_id
    created_at timestamptz DEFAULT now(),
    updated_at timestamptz DEFAULT now(),
    last_accessed_at timestamptz DEFAULT now(),
    metadata jsonb,
    path_tokens text[] GENERATED ALWAYS AS (string_to_array(name, '/')) STORED,
    version text,
    owner_id text,
    user_metadata jsonb
);
CREATE UNIQUE INDEX IF NOT EXISTS bucketid_objname ON storage.objects (bucket_id, name);
CREATE INDEX IF NOT EXISTS name_prefix_search ON storage.objects (name text_pattern_ops);
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;

GRANT ALL ON storage.buckets, storage.objects TO anon, authenticated, service_role, postgres, supabase_storage_admin;

-- Path helpers that object policies use: 'a/b/c.png' gives {a,b}, 'c.png' and 'png'.
CREATE OR REPLACE FUNCTION storage.foldername(name text) RETURNS text[]
    LANGUAGE plpgsql
AS $fn$
DECLARE
    segments text[] := string_to_array(name, '/');
BEGIN
    RETURN segments[1 : array_length(segments, 1) - 1];
END
$fn$;

CREATE OR REPLACE FUNCTION storage.filename(name text) RETURNS text
    LANGUAGE plpgsql
AS $fn$
DECLARE
    segments text[] := string_to_array(name, '/');
BEGIN
    RETURN segments[array_length(segments, 1)];
END
$fn$;

CREATE OR REPLACE FUNCTION storage.extension(name text) RETURNS text
    LANGUAGE plpgsql
AS $fn$
DECLARE
    segments text[] := string_to_array(name, '/');
BEGIN
    -- Everything after the last dot of the last segment.
    RETURN reverse(split_part(reverse(segments[array_length(segments, 1)]), '.', 1));
END
$fn$;

-- realtime: the publication `alter publication supabase_realtime add table …` extends.
DO $base$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'supabase_realtime') THEN
        CREATE PUBLICATION supabase_realtime;
    END IF;
END
$base$;
