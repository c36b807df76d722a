insert into discord.verifications (discord_user_id, membernumber) values (123456789012345678, '1001');
insert into discord.verification_logs (discord_user_id, membernumber, outcome) values (123456789012345678, '1001', 'verified');
