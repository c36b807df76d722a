-- Baseline: PayChecker's schema. Reads public.members, writes only to pay.
create schema if not exists pay;

create table pay.pay_periods (
    id bigint generated always as identity primary key,
    starts_on date not null,
    ends_on date not null,
    check (ends_on > starts_on)
);

create table pay.shifts (
    id bigint generated always as identity primary key,
    membernumber text not null references public.members (membernumber),
    pay_period_id bigint not null references pay.pay_periods (id),
    worked_on date not null,
    hours numeric(4, 2) not null
);

grant usage on schema pay to authenticated, service_role;
grant select on all tables in schema pay to authenticated;
grant all on all tables in schema pay to service_role;

alter table pay.pay_periods enable row level security;
alter table pay.shifts enable row level security;
create policy "pay periods are visible to signed-in users" on pay.pay_periods for select to authenticated using (true);
create policy "shifts are visible to signed-in users" on pay.shifts for select to authenticated using (true);
