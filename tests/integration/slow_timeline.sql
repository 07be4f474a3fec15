-- Set-up of the statement-timeout tests (test_push_statement_timeout.sh over
-- REST, test_pg_statement_timeout.sh over libpq): every timeline row costs
-- 5 ms and a statement may last 900 ms, so a batch of 500 or 250 rows is
-- cancelled with 57014 and one of 125 is not.
alter database gazsync set statement_timeout = '900ms';
create function gs_test_row_cost() returns trigger language plpgsql as $$
begin
    perform pg_sleep(0.005);
    return new;
end $$;
create trigger gs_test_row_cost before insert on gazelle_timeline_entries
    for each row execute function gs_test_row_cost();
