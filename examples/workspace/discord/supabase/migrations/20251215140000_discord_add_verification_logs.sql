-- Every verification attempt, kept for audits.
create table discord.verification_logs (
    id bigint generated always as identity primary key,
    discord_user_id bigint not null,
    membernumber text,
    outcome text not null check (outcome in ('verified', 'rejected', 'error')),
    logged_at timestamptz not null default now()
);

create index verification_logs_user_idx on discord.verification_logs (discord_user_id, logged_at desc);

alter table discord.verification_logs enable row level security;
