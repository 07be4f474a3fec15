-- gazsync cache schema, version 3 (PRAGMA user_version = 3): v_status's
-- backlog as a number (issue 15), so that `SELECT * FROM v_status WHERE
-- pending > 0` works in the sqlite3 shell. Only a view changes: no row,
-- mark or checkpoint is touched.
--
-- pending: rows waiting for the push target furthest behind; before any
--          push, every row of the table (the first push sends them all).
-- pending_by_target: the per-target text v_status used to show as pending
--          ("supabase=12"), NULL before any push.
-- failures: rows quarantined, over every target (a number, as before).
DROP VIEW IF EXISTS v_status;
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
       coalesce((SELECT max(v.pending) FROM v_pending v
                 WHERE v.entity = e.entity), e.total) AS pending,
       (SELECT group_concat(v.target || '=' || v.pending, ' ')
        FROM v_pending v WHERE v.entity = e.entity) AS pending_by_target,
       (SELECT count(*) FROM push_failures f
        WHERE f.entity = e.entity) AS failures,
       s.last_error
FROM v_entity_rows e
LEFT JOIN sync_state s ON s.entity = e.entity
ORDER BY e.ord;
