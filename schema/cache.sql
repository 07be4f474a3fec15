-- gazsync cache schema, version 1 (PRAGMA user_version = 1).
--
-- This text is executed verbatim by store/migrate.c as migration step 1; the
-- binary carries it as a C string (store/schema_sql.c) and the unit test
-- test_schema.c fails when the two copies differ.
--
-- Reading the file in the sqlite3 shell (safe while a sync writes: WAL):
--   sqlite3 -readonly gazsync.db 'SELECT * FROM v_status'
--   sqlite3 -readonly gazsync.db 'SELECT * FROM v_pending'
--   sqlite3 -readonly gazsync.db 'SELECT * FROM sync_runs ORDER BY id DESC LIMIT 5'
--
-- Entity tables. Every one has the same bookkeeping columns around the typed
-- columns of engine/entity_map.c (the one mapping; a test checks they agree):
--   id          Gazelle id, the primary key.
--   ...         typed copies of the fields people query: TEXT, INTEGER,
--               booleans as 0/1, JSON arrays as TEXT, timestamps as ISO-8601
--               UTC TEXT, dates as YYYY-MM-DD. NULL when the node lacks the
--               field or has a value of the wrong type (raw keeps the truth).
--   row_hash    64-bit FNV-1a of raw, as a signed INTEGER
--               (printf('%016x', row_hash) shows it in hex). A new value
--               means the content changed.
--   change_seq  value of the file-wide counter (counters.change_seq) taken
--               when the row was inserted, changed, undeleted or deleted. The
--               push sends rows with change_seq > push_state.last_pushed_seq.
--   pulled_at   when the current content was pulled (an unchanged re-read
--               does not rewrite the row, so it keeps the older stamp).
--   deleted_at  set when upstream stopped returning the row (appointment
--               window sweep); NULL for live rows.
--   raw         the node as received, as JSON: compact, object keys sorted.
--               Last column on purpose: it is the big one, and SQLite reads
--               a row's columns in order, so queries on the others never
--               touch raw's overflow pages.

CREATE TABLE users (
    id                      TEXT PRIMARY KEY,
    first_name              TEXT,
    last_name               TEXT,
    email                   TEXT,
    phone                   TEXT,
    role                    TEXT,
    created_at              TEXT,
    updated_at              TEXT,
    row_hash                INTEGER NOT NULL,
    change_seq              INTEGER NOT NULL,
    pulled_at               TEXT,
    deleted_at              TEXT,
    raw                     TEXT NOT NULL
);
CREATE INDEX users_change_seq ON users (change_seq);
CREATE INDEX users_updated_at ON users (updated_at);
CREATE INDEX users_deleted ON users (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE clients (
    id                      TEXT PRIMARY KEY,
    company_name            TEXT,
    status                  TEXT,
    client_type             TEXT,
    tags                    TEXT,       -- JSON array
    personal_notes          TEXT,
    preference_notes        TEXT,
    preferred_technician_id TEXT,       -- users.id
    lifecycle_state         TEXT,
    referred_by             TEXT,
    no_contact_until        TEXT,       -- date
    no_contact_reason       TEXT,
    locale                  TEXT,
    default_contact_id      TEXT,       -- contacts.id
    created_at              TEXT,
    updated_at              TEXT,
    row_hash                INTEGER NOT NULL,
    change_seq              INTEGER NOT NULL,
    pulled_at               TEXT,
    deleted_at              TEXT,
    raw                     TEXT NOT NULL
);
CREATE INDEX clients_change_seq ON clients (change_seq);
CREATE INDEX clients_updated_at ON clients (updated_at);
CREATE INDEX clients_deleted ON clients (deleted_at) WHERE deleted_at IS NOT NULL;

-- A contact is its client's defaultContact; the pull adds clientId and the
-- client's updatedAt to the node before storing it.
CREATE TABLE contacts (
    id                      TEXT PRIMARY KEY,
    client_id               TEXT,       -- clients.id
    first_name              TEXT,
    last_name               TEXT,
    title                   TEXT,
    email                   TEXT,
    phone                   TEXT,
    street1                 TEXT,
    street2                 TEXT,
    municipality            TEXT,
    postal_code             TEXT,
    region                  TEXT,
    updated_at              TEXT,
    row_hash                INTEGER NOT NULL,
    change_seq              INTEGER NOT NULL,
    pulled_at               TEXT,
    deleted_at              TEXT,
    raw                     TEXT NOT NULL
);
CREATE INDEX contacts_change_seq ON contacts (change_seq);
CREATE INDEX contacts_client_id ON contacts (client_id);
CREATE INDEX contacts_updated_at ON contacts (updated_at);
CREATE INDEX contacts_deleted ON contacts (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE pianos (
    id                      TEXT PRIMARY KEY,
    client_id               TEXT,       -- clients.id
    make                    TEXT,
    model                   TEXT,
    serial_number           TEXT,
    type                    TEXT,
    year                    INTEGER,
    location                TEXT,
    notes                   TEXT,
    status                  TEXT,
    size                    TEXT,
    tags                    TEXT,       -- JSON array
    service_interval_months INTEGER,
    calculated_last_service TEXT,       -- date
    calculated_next_service TEXT,       -- date
    created_at              TEXT,
    updated_at              TEXT,
    row_hash                INTEGER NOT NULL,
    change_seq              INTEGER NOT NULL,
    pulled_at               TEXT,
    deleted_at              TEXT,
    raw                     TEXT NOT NULL
);
CREATE INDEX pianos_change_seq ON pianos (change_seq);
CREATE INDEX pianos_client_id ON pianos (client_id);
CREATE INDEX pianos_updated_at ON pianos (updated_at);
CREATE INDEX pianos_deleted ON pianos (deleted_at) WHERE deleted_at IS NOT NULL;

-- Gazelle events. Rows of the pulled date window that stop coming back are
-- marked deleted (cancellations).
CREATE TABLE appointments (
    id                      TEXT PRIMARY KEY,
    title                   TEXT,
    start                   TEXT,       -- timestamp
    duration                INTEGER,    -- minutes
    is_all_day              INTEGER,    -- 0/1
    notes                   TEXT,
    type                    TEXT,
    status                  TEXT,
    confirmed_by_client     INTEGER,    -- 0/1
    source                  TEXT,
    travel_mode             TEXT,
    client_id               TEXT,       -- clients.id
    user_id                 TEXT,       -- users.id
    piano_ids               TEXT,       -- JSON array of pianos.id
    created_at              TEXT,
    updated_at              TEXT,
    row_hash                INTEGER NOT NULL,
    change_seq              INTEGER NOT NULL,
    pulled_at               TEXT,
    deleted_at              TEXT,
    raw                     TEXT NOT NULL
);
CREATE INDEX appointments_change_seq ON appointments (change_seq);
CREATE INDEX appointments_client_id ON appointments (client_id);
CREATE INDEX appointments_user_id ON appointments (user_id);
CREATE INDEX appointments_start ON appointments (start);
CREATE INDEX appointments_updated_at ON appointments (updated_at);
CREATE INDEX appointments_deleted ON appointments (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE timeline_entries (
    id                      TEXT PRIMARY KEY,
    occurred_at             TEXT,       -- timestamp; the pull's stamp
    type                    TEXT,
    summary                 TEXT,
    comment                 TEXT,
    client_id               TEXT,       -- clients.id
    piano_id                TEXT,       -- pianos.id
    invoice_id              TEXT,
    estimate_id             TEXT,
    user_id                 TEXT,       -- users.id
    created_at              TEXT,
    updated_at              TEXT,
    row_hash                INTEGER NOT NULL,
    change_seq              INTEGER NOT NULL,
    pulled_at               TEXT,
    deleted_at              TEXT,
    raw                     TEXT NOT NULL
);
CREATE INDEX timeline_entries_change_seq ON timeline_entries (change_seq);
CREATE INDEX timeline_entries_client_id ON timeline_entries (client_id);
CREATE INDEX timeline_entries_piano_id ON timeline_entries (piano_id);
CREATE INDEX timeline_entries_user_id ON timeline_entries (user_id);
CREATE INDEX timeline_entries_occurred_at ON timeline_entries (occurred_at);
CREATE INDEX timeline_entries_updated_at ON timeline_entries (updated_at);
CREATE INDEX timeline_entries_deleted ON timeline_entries (deleted_at) WHERE deleted_at IS NOT NULL;

-- The file-wide change counter. change_seq values come from here, never from
-- max(change_seq), so they keep growing even after rows are deleted.
CREATE TABLE counters (
    name                    TEXT PRIMARY KEY,
    value                   INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('change_seq', 0);

-- Per-entity pull metadata (gs_sync_state). Times are ISO-8601 UTC.
CREATE TABLE sync_state (
    entity                  TEXT PRIMARY KEY,
    policy                  TEXT,       -- as configured: delta, window=...
    last_attempt            TEXT,
    last_success            TEXT,
    high_water              TEXT,       -- upstream stamp of the last complete pull
    pending_high_water      TEXT,       -- highest stamp of the unfinished pull
    resume_cursor           TEXT,       -- Gazelle cursor after the last stored page
    status                  TEXT,       -- ok, failed, skipped, running
    last_error              TEXT,
    decision                TEXT,       -- last decision, in words
    rows                    INTEGER NOT NULL DEFAULT 0,
    calls_last              INTEGER NOT NULL DEFAULT 0,
    calls_total             INTEGER NOT NULL DEFAULT 0
);

-- Per entity and push target (a Supabase table): rows with change_seq above
-- last_pushed_seq are waiting (see v_pending).
CREATE TABLE push_state (
    entity                  TEXT NOT NULL,
    target                  TEXT NOT NULL,
    last_pushed_seq         INTEGER NOT NULL DEFAULT 0,
    rows_pushed             INTEGER NOT NULL DEFAULT 0,
    last_push               TEXT,
    PRIMARY KEY (entity, target)
);

-- Rows a target refused; retried on later pushes, removed once accepted.
CREATE TABLE push_failures (
    entity                  TEXT NOT NULL,
    target                  TEXT NOT NULL,
    id                      TEXT NOT NULL,
    http_status             INTEGER,
    code                    TEXT,       -- PostgREST / PostgreSQL error code
    message                 TEXT,
    attempts                INTEGER NOT NULL DEFAULT 1,
    first_failed_at         TEXT,
    last_failed_at          TEXT,
    PRIMARY KEY (entity, target, id)
);

-- One row per command run. Never holds a secret.
CREATE TABLE sync_runs (
    id                      INTEGER PRIMARY KEY,
    command                 TEXT NOT NULL,  -- pull, push, sync
    status                  TEXT NOT NULL,  -- running, ok, partial, failed
    started_at              TEXT,
    finished_at             TEXT,
    gazelle_requests        INTEGER NOT NULL DEFAULT 0,
    supabase_requests       INTEGER NOT NULL DEFAULT 0,
    rows_in                 INTEGER NOT NULL DEFAULT 0,
    rows_changed            INTEGER NOT NULL DEFAULT 0,
    rows_pushed             INTEGER NOT NULL DEFAULT 0,
    stats                   TEXT,           -- JSON object, per entity
    error                   TEXT
);

-- Small key/value settings: refreshed OAuth tokens and the like (the file is
-- created with mode 0600 for this reason).
CREATE TABLE meta (
    key                     TEXT PRIMARY KEY,
    value                   TEXT
);

-- Sweeps (gs_store_seen_reset / gs_store_sweep_unseen): an entity listed in
-- sweep_scope has a sweep in progress, and its upserts record their ids in
-- sweep_seen. Regular tables, not TEMP: a pull killed mid-window resumes in a
-- new process and must still know what the first pages saw. Entities never
-- swept (timeline_entries) pay nothing for this.
CREATE TABLE sweep_scope (
    entity                  TEXT PRIMARY KEY,
    reset_at                TEXT
);
CREATE TABLE sweep_seen (
    entity                  TEXT NOT NULL,
    id                      TEXT NOT NULL,
    PRIMARY KEY (entity, id)
) WITHOUT ROWID;

-- Per entity: live and deleted rows, highest change_seq.
CREATE VIEW v_entity_rows AS
SELECT 'users' AS entity, 1 AS ord,
       (SELECT count(*) FROM users) AS total,
       (SELECT count(*) FROM users WHERE deleted_at IS NOT NULL) AS deleted,
       (SELECT max(change_seq) FROM users) AS max_seq
UNION ALL
SELECT 'clients', 2,
       (SELECT count(*) FROM clients),
       (SELECT count(*) FROM clients WHERE deleted_at IS NOT NULL),
       (SELECT max(change_seq) FROM clients)
UNION ALL
SELECT 'contacts', 3,
       (SELECT count(*) FROM contacts),
       (SELECT count(*) FROM contacts WHERE deleted_at IS NOT NULL),
       (SELECT max(change_seq) FROM contacts)
UNION ALL
SELECT 'pianos', 4,
       (SELECT count(*) FROM pianos),
       (SELECT count(*) FROM pianos WHERE deleted_at IS NOT NULL),
       (SELECT max(change_seq) FROM pianos)
UNION ALL
SELECT 'appointments', 5,
       (SELECT count(*) FROM appointments),
       (SELECT count(*) FROM appointments WHERE deleted_at IS NOT NULL),
       (SELECT max(change_seq) FROM appointments)
UNION ALL
SELECT 'timeline_entries', 6,
       (SELECT count(*) FROM timeline_entries),
       (SELECT count(*) FROM timeline_entries WHERE deleted_at IS NOT NULL),
       (SELECT max(change_seq) FROM timeline_entries);

-- Per entity and every target ever pushed to: rows waiting to be pushed.
CREATE VIEW v_pending AS
WITH targets AS (SELECT DISTINCT target FROM push_state)
SELECT e.entity, t.target,
       coalesce(p.last_pushed_seq, 0) AS last_pushed_seq,
       CASE e.entity
       WHEN 'users' THEN (SELECT count(*) FROM users
                          WHERE change_seq > coalesce(p.last_pushed_seq, 0))
       WHEN 'clients' THEN (SELECT count(*) FROM clients
                            WHERE change_seq > coalesce(p.last_pushed_seq, 0))
       WHEN 'contacts' THEN (SELECT count(*) FROM contacts
                             WHERE change_seq > coalesce(p.last_pushed_seq, 0))
       WHEN 'pianos' THEN (SELECT count(*) FROM pianos
                           WHERE change_seq > coalesce(p.last_pushed_seq, 0))
       WHEN 'appointments' THEN (SELECT count(*) FROM appointments
                                 WHERE change_seq > coalesce(p.last_pushed_seq, 0))
       WHEN 'timeline_entries' THEN (SELECT count(*) FROM timeline_entries
                                     WHERE change_seq > coalesce(p.last_pushed_seq, 0))
       END AS pending,
       p.last_push,
       (SELECT count(*) FROM push_failures f
        WHERE f.entity = e.entity AND f.target = t.target) AS failures
FROM v_entity_rows e
CROSS JOIN targets t
LEFT JOIN push_state p ON p.entity = e.entity AND p.target = t.target
ORDER BY e.ord, t.target;

-- The cache at a glance, one row per entity (what `gazsync status` shows).
-- age_s: seconds since the last successful pull; pending: per target.
CREATE VIEW v_status AS
SELECT e.entity,
       e.total - e.deleted AS rows,
       e.deleted,
       s.last_success,
       CAST(round((julianday('now') - julianday(s.last_success)) * 86400)
            AS INTEGER) AS age_s,
       s.policy,
       s.status,
       s.high_water,
       coalesce(s.calls_last, 0) AS calls_last,
       coalesce(s.calls_total, 0) AS calls_total,
       (SELECT group_concat(v.target || '=' || v.pending, ' ')
        FROM v_pending v WHERE v.entity = e.entity) AS pending,
       (SELECT count(*) FROM push_failures f
        WHERE f.entity = e.entity) AS failures,
       s.last_error
FROM v_entity_rows e
LEFT JOIN sync_state s ON s.entity = e.entity
ORDER BY e.ord;
