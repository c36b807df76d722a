-- Baseline: the Discord bot's schema.
create schema if not exists discord;

create table discord.verifications (
    discord_user_id bigint primary key,
    membernumber text not null references public.members (membernumber),
    verified_at timestamptz not null default now()
);

grant usage on schema discord to service_role;
grant all on all tables in schema discord to service_role;

-- Only the bot (service_role, which bypasses row level security) reads these.
alter table discord.verifications enable row level security;
