insert into public.regions (code, name) values ('ANE', 'New England'), ('AWP', 'Western Pacific');
insert into public.facilities (facility_id, name, region_code, level) values
    ('BOS', 'Boston Tower', 'ANE', 11),
    ('ZOA', 'Oakland Center', 'AWP', 12);
insert into public.members (membernumber, first_name, last_name, facility_id) values
    ('1001', 'Ann', 'Rivera', 'BOS'),
    ('1002', 'Ben', 'Okafor', 'ZOA');
