-- gazsync's target tables in Supabase (PostgreSQL). Apply once to a project:
--   psql "$DATABASE_URL" -f schema/supabase.sql
-- Safe to apply again: every statement is "if not exists". Applying a newer
-- copy over an older target moves it to the new columns ("add column if not
-- exists" after each table) and drops nothing: rows, and the columns people
-- added, stay as they are. Columns an older gazsync wrote and this one no
-- longer does (users.phone and users.role, which Gazelle never had;
-- timeline created_at and updated_at, which timeline entries do not have)
-- are left in an existing table, no longer written; drop them by hand if
-- you like.
--
-- Ownership rule: gazsync writes only the columns of engine/entity_map.c
-- (plus external_id, raw, synced_at, deleted_at). Its upserts name exactly
-- those columns, and PostgREST's merge-duplicates only updates the columns
-- present in the payload, so ANY OTHER COLUMN belongs to people: add what you
-- like (staff_notes below is the example) and gazsync will never touch it.
-- Tables with other names or columns: the INI file renames a table
-- ([entity.clients] target_table = ...) and any owned column
-- (column.company_name = name), or keeps one out (column.tags = -).
--
-- No foreign keys between these tables, on purpose: gazsync pushes each
-- entity in its own batches, and a timeline entry or a piano may arrive before
-- (or without) its client, since Gazelle can return references to rows that a
-- date window or a permission hides. A foreign key would reject those rows and
-- stall the push; the ids are kept as plain text and joined when read.
--
-- Every table: "id" is Supabase's own key (never written by gazsync, it is
-- "generated always"); "external_id" is the Gazelle id and the upsert target
-- (on_conflict=external_id); "raw" is the whole Gazelle node as received;
-- "synced_at" is when gazsync last wrote the row; "deleted_at" is set when
-- the row disappeared from Gazelle (rows are never deleted here).

create table if not exists gazelle_users (
    id bigint generated always as identity primary key,
    external_id text unique not null,
    first_name text,
    last_name text,
    email text,
    created_at timestamptz,
    updated_at timestamptz,
    full_name text,
    status text,
    access_level text,
    is_schedulable boolean,
    timezone text,
    color text,
    region text,
    raw jsonb,
    synced_at timestamptz,
    deleted_at timestamptz
);
-- gazsync 2 (the real Gazelle schema): targets created by an older copy.
alter table gazelle_users add column if not exists full_name text;
alter table gazelle_users add column if not exists status text;
alter table gazelle_users add column if not exists access_level text;
alter table gazelle_users add column if not exists is_schedulable boolean;
alter table gazelle_users add column if not exists timezone text;
alter table gazelle_users add column if not exists color text;
alter table gazelle_users add column if not exists region text;
create index if not exists gazelle_users_updated_at_idx
    on gazelle_users (updated_at);

create table if not exists gazelle_clients (
    id bigint generated always as identity primary key,
    external_id text unique not null,
    company_name text,
    status text,
    client_type text,
    tags jsonb,
    personal_notes text,
    preference_notes text,
    preferred_technician_id text,
    lifecycle_state text,
    referred_by text,
    no_contact_until date,
    no_contact_reason text,
    locale text,
    default_contact_id text,
    created_at timestamptz,
    updated_at timestamptz,
    raw jsonb,
    synced_at timestamptz,
    deleted_at timestamptz,
    -- Owned by people, not by gazsync: pushes never name it, so it survives
    -- every upsert (the tests check this).
    staff_notes text
);
-- Older copies of this file may have created the table without it.
alter table gazelle_clients add column if not exists staff_notes text;
create index if not exists gazelle_clients_updated_at_idx
    on gazelle_clients (updated_at);

create table if not exists gazelle_contacts (
    id bigint generated always as identity primary key,
    external_id text unique not null,
    client_id text,
    first_name text,
    last_name text,
    title text,
    email text,
    phone text,
    street1 text,
    street2 text,
    municipality text,
    postal_code text,
    region text,
    updated_at timestamptz,
    is_default boolean,
    archived boolean,
    raw jsonb,
    synced_at timestamptz,
    deleted_at timestamptz
);
alter table gazelle_contacts add column if not exists is_default boolean;
alter table gazelle_contacts add column if not exists archived boolean;
create index if not exists gazelle_contacts_client_id_idx
    on gazelle_contacts (client_id);
create index if not exists gazelle_contacts_updated_at_idx
    on gazelle_contacts (updated_at);

create table if not exists gazelle_pianos (
    id bigint generated always as identity primary key,
    external_id text unique not null,
    client_id text,
    make text,
    model text,
    serial_number text,
    type text,
    year bigint,
    location text,
    notes text,
    status text,
    size text,
    tags jsonb,
    service_interval_months bigint,
    calculated_last_service date,
    calculated_next_service date,
    created_at timestamptz,
    updated_at timestamptz,
    raw jsonb,
    synced_at timestamptz,
    deleted_at timestamptz
);
create index if not exists gazelle_pianos_client_id_idx
    on gazelle_pianos (client_id);
create index if not exists gazelle_pianos_updated_at_idx
    on gazelle_pianos (updated_at);

create table if not exists gazelle_appointments (
    id bigint generated always as identity primary key,
    external_id text unique not null,
    title text,
    start timestamptz,
    duration bigint,
    is_all_day boolean,
    notes text,
    type text,
    status text,
    confirmed_by_client boolean,
    source text,
    travel_mode text,
    client_id text,
    user_id text,
    piano_ids jsonb,
    created_at timestamptz,
    updated_at timestamptz,
    created_by_id text,
    event_pianos jsonb,
    raw jsonb,
    synced_at timestamptz,
    deleted_at timestamptz
);
alter table gazelle_appointments add column if not exists created_by_id text;
alter table gazelle_appointments add column if not exists event_pianos jsonb;
create index if not exists gazelle_appointments_client_id_idx
    on gazelle_appointments (client_id);
create index if not exists gazelle_appointments_user_id_idx
    on gazelle_appointments (user_id);
create index if not exists gazelle_appointments_start_idx
    on gazelle_appointments (start);
create index if not exists gazelle_appointments_updated_at_idx
    on gazelle_appointments (updated_at);
-- piano_ids is a JSON array of ids: a GIN index answers "appointments of this
-- piano" (piano_ids @> '["pno_1"]').
create index if not exists gazelle_appointments_piano_ids_idx
    on gazelle_appointments using gin (piano_ids);

create table if not exists gazelle_timeline_entries (
    id bigint generated always as identity primary key,
    external_id text unique not null,
    occurred_at timestamptz,
    type text,
    summary text,
    comment text,
    client_id text,
    piano_id text,
    invoice_id text,
    estimate_id text,
    user_id text,
    raw jsonb,
    synced_at timestamptz,
    deleted_at timestamptz
);
create index if not exists gazelle_timeline_entries_client_id_idx
    on gazelle_timeline_entries (client_id);
create index if not exists gazelle_timeline_entries_piano_id_idx
    on gazelle_timeline_entries (piano_id);
create index if not exists gazelle_timeline_entries_user_id_idx
    on gazelle_timeline_entries (user_id);
create index if not exists gazelle_timeline_entries_occurred_at_idx
    on gazelle_timeline_entries (occurred_at);

-- One row per gazsync run (pull, push, sync), pushed at the end of the run so
-- that the people reading Supabase see when data was last refreshed and what
-- it cost. Mirrors the run log of the local cache.
create table if not exists gazsync_runs (
    id bigint generated always as identity primary key,
    run_id text unique not null,
    command text,
    started_at timestamptz,
    finished_at timestamptz,
    status text,
    gazelle_requests bigint,
    supabase_requests bigint,
    rows_in bigint,
    rows_changed bigint,
    rows_pushed bigint,
    stats jsonb,
    error text
);
create index if not exists gazsync_runs_started_at_idx
    on gazsync_runs (started_at);

-- ==========================================================================
-- The PostgreSQL target's checkpoint ([push] target = postgres, docs/push.md)
-- ==========================================================================
-- The direct target moves this row in the same transaction as the rows of a
-- batch, so how far a cache has pushed is known by the database itself:
-- after a crash between that commit and the cache's own record, the next
-- push reads it and sends nothing twice. target_key is the cache's id (meta
-- push.cache_id), so two caches pushing into one database keep their own
-- rows. The REST target does not use it.
create table if not exists gazsync_push_state (
    entity text not null,
    target_key text not null,
    last_change_seq bigint not null default 0,
    updated_at timestamptz not null default now(),
    primary key (entity, target_key)
);

-- ==========================================================================
-- Row-level security (issue 11, defect 21). Keep this section last.
-- ==========================================================================
-- Supabase exposes every table of the public schema through its REST API,
-- and its default grants give the roles behind the project's PUBLIC keys
-- (anon, authenticated) select/insert/update/delete on them. Without RLS,
-- anyone holding the anon key (it ships in web pages) could read and change
-- client names, emails, phones and addresses. With RLS on and no policy,
-- those roles see no row and can write none. gazsync pushes with the
-- service-role key, whose role bypasses RLS (BYPASSRLS), so it needs no
-- policy. To let people read through the API, add policies of your own,
-- e.g. for signed-in staff:
--   create policy staff_read on gazelle_clients for select
--       to authenticated using (true);
-- Every table this file creates is listed; a new table gets its line here
-- (tests/integration/test_supabase_rls.sh checks that none is missing).
-- "enable" on a table where it is on already is a no-op: safe to re-apply.
alter table gazelle_users enable row level security;
alter table gazelle_clients enable row level security;
alter table gazelle_contacts enable row level security;
alter table gazelle_pianos enable row level security;
alter table gazelle_appointments enable row level security;
alter table gazelle_timeline_entries enable row level security;
alter table gazsync_runs enable row level security;
alter table gazsync_push_state enable row level security;
