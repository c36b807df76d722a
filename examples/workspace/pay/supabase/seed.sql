insert into pay.pay_periods (starts_on, ends_on) values ('2025-12-07', '2025-12-20');
insert into pay.shifts (membernumber, pay_period_id, worked_on, hours) values
    ('1001', 1, '2025-12-08', 8.00),
    ('1002', 1, '2025-12-08', 10.00);
