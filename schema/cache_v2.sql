-- gazsync cache schema, version 2 (PRAGMA user_version = 2): the columns of
-- Gazelle's real schema (schema/gazelle.graphql), as migration step 2.
--
-- Executed verbatim by store/migrate.c after cache.sql (step 1), in the same
-- transaction as the version bump: a new file runs both steps, a version-1
-- file only this one, and either way every row, high-water mark and push
-- checkpoint is kept. The binary carries it as a C string (store/schema_sql.c;
-- test_schema.c fails when the copies differ).
--
-- New columns come after raw (ALTER TABLE can only append); a query that
-- names its columns does not care.

-- users: the real PrivateUser has no phone and no role (those columns were
-- never filled by the real service); it has status, accessLevel and more.
ALTER TABLE users DROP COLUMN phone;
ALTER TABLE users DROP COLUMN role;
ALTER TABLE users ADD COLUMN full_name TEXT;
ALTER TABLE users ADD COLUMN status TEXT;           -- ACTIVE, INACTIVE
ALTER TABLE users ADD COLUMN access_level TEXT;     -- ADMIN, TECHNICIAN, ASSISTANT
ALTER TABLE users ADD COLUMN is_schedulable INTEGER; -- 0/1
ALTER TABLE users ADD COLUMN timezone TEXT;
ALTER TABLE users ADD COLUMN color TEXT;
ALTER TABLE users ADD COLUMN region TEXT;

-- contacts: every contact of a client (allContacts, archived ones too), not
-- only its default one; updated_at is now the contact's own stamp.
ALTER TABLE contacts ADD COLUMN is_default INTEGER;  -- 0/1
ALTER TABLE contacts ADD COLUMN archived INTEGER;    -- 0/1: kept, marked

-- appointments: who booked the event, and its pianos with isTuning
-- ([{"isTuning":true,"piano":{"id":"pia_..."}}]).
ALTER TABLE appointments ADD COLUMN created_by_id TEXT; -- users.id
ALTER TABLE appointments ADD COLUMN event_pianos TEXT;  -- JSON array

-- timeline entries have neither createdAt nor updatedAt upstream.
DROP INDEX timeline_entries_updated_at;
ALTER TABLE timeline_entries DROP COLUMN created_at;
ALTER TABLE timeline_entries DROP COLUMN updated_at;

-- A sweeping read also keeps the row_hash of each id it saw: the same id
-- coming back in the same read with other content is reported (issue 11,
-- defect 18) without holding every id in memory.
ALTER TABLE sweep_seen ADD COLUMN row_hash INTEGER;

-- Clients and pianos used to be paged by UPDATED_AT_DESC, an order Gazelle
-- does not have: a cursor saved by such a pull means nothing to the
-- CREATED_AT_ASC read that replaces it, so the unfinished pull starts afresh.
UPDATE sync_state SET resume_cursor = NULL, pending_high_water = NULL
 WHERE entity IN ('clients', 'pianos');
