-- Baseline: the platform's core data in schema public.
create table if not exists public.regions (
    code text primary key,
    name text not null
);

create table if not exists public.facilities (
    facility_id text primary key,
    name text not null,
    region_code text references public.regions (code),
    level smallint check (level between 4 and 12)
);

create table if not exists public.members (
    membernumber text primary key,
    first_name text not null,
    last_name text not null,
    facility_id text references public.facilities (facility_id),
    status text not null default 'active'
);

grant select on public.regions, public.facilities, public.members to anon, authenticated;
grant all on public.regions, public.facilities, public.members to service_role;

-- Exposed through the Data API: row level security on, signed-in users read.
alter table public.regions enable row level security;
alter table public.facilities enable row level security;
alter table public.members enable row level security;
create policy "regions are public" on public.regions for select to anon, authenticated using (true);
create policy "facilities are public" on public.facilities for select to anon, authenticated using (true);
create policy "members are visible to signed-in users" on public.members for select to authenticated using (true);
