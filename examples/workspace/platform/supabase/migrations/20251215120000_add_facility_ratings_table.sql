-- Facility ratings, owned by the platform.
create table public.facility_ratings (
    facility_id text not null references public.facilities (facility_id),
    rated_on date not null,
    rating numeric(3, 1) not null,
    primary key (facility_id, rated_on)
);

create index facility_ratings_rated_on_idx on public.facility_ratings (rated_on);
grant select on public.facility_ratings to authenticated;

alter table public.facility_ratings enable row level security;
create policy "ratings are visible to signed-in users" on public.facility_ratings for select to authenticated using (true);
