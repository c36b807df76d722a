-- Leave balances per member and pay period.
create table pay.leave_balances (
    membernumber text not null references public.members (membernumber),
    pay_period_id bigint not null references pay.pay_periods (id),
    annual_hours numeric(6, 2) not null default 0,
    sick_hours numeric(6, 2) not null default 0,
    primary key (membernumber, pay_period_id)
);
alter table pay.leave_balances enable row level security;
create policy "leave balances are visible to signed-in users" on pay.leave_balances for select to authenticated using (true);

-- security_invoker: the view reads with the caller's rights, so row level security applies.
create view pay.member_hours with (security_invoker = true) as
    select m.membernumber, m.last_name, sum(s.hours) as hours
    from public.members m
    join pay.shifts s using (membernumber)
    group by m.membernumber, m.last_name;
