/* A first push over PostgreSQL, streamed: the backlog read from the cache a
 * page at a time and written into ONE COPY straight into the target table,
 * with the checkpoint moved in the same transaction at its end.
 *
 * Why: batch by batch (push_pg.c) the server waits while the client reads
 * the next page from the cache, and each batch costs three round trips and
 * a commit; measured, that was the gap between a first push and `psql
 * \copy` (docs/benchmarks-postgres.md). In one COPY the server parses rows
 * while the client reads the next page: the two overlap as they do for
 * psql, and the cost per batch is gone.
 *
 * What holds: exactly-once (rows and checkpoint commit together, or
 * neither); memory flat (one page in hand; the chunk of max_rows bounds
 * what a refusal costs and how long a transaction lasts); the run deadline
 * (every send and wait is bounded by pg_conn.c). Anything else than a
 * commit -- a refused row, a duplicate key, a statement timeout, a lost
 * connection whose commit did not go through -- rolls the chunk back and
 * leaves it to the batches' path, which isolates the refused row without
 * re-sending what it accepted, halves on timeouts, mends the connection and
 * names the failure. */
#include <string.h>

#include "gazsync/error.h"
#include "push_internal.h"

int gs__push_pg_stream(gs_push_pg_chunk *chunk, gs_push_pg_entity *pe,
                       gs_push_split *split, gs_store *store,
                       const gs_entity *entity, const char (*column_target)[64],
                       const char *now)
{
    long long after = chunk->after;
    int open = 0;
    int read_rc = GS_OK, rc = GS_OK;

    chunk->seq = after;
    chunk->rows = 0;
    chunk->committed = chunk->end = chunk->cancelled = 0;
    while (chunk->rows < (long long)chunk->max_rows) {
        gs_push_rows page = {.column_target = column_target, .keep_payload = 1};
        if (chunk->cancel && *chunk->cancel) {
            chunk->cancelled = 1; /* what was streamed is committed below */
            break;
        }
        read_rc = gs__push_pg_load(&page, store, entity, after,
                                   chunk->page_rows, now);
        if (read_rc == GS_OK && page.count > 0 &&
            page.row[page.count - 1].change_seq <= after)
            read_rc = gs_error_set(GS_ESTORE, GS_ECLASS_STORE,
                                   "push %s: the backlog after change_seq "
                                   "%lld did not move forward",
                                   entity->name, after);
        if (read_rc == GS_OK && page.count == 0)
            chunk->end = 1;
        if (read_rc == GS_OK && page.count > 0 && !open) {
            rc = gs__push_pg_stream_begin(pe, split, &page);
            open = 1;
        }
        if (read_rc == GS_OK && rc == GS_OK && page.count > 0)
            rc = gs__push_pg_stream_put(pe, &page);
        if (read_rc == GS_OK && rc == GS_OK && page.count > 0) {
            after = page.row[page.count - 1].change_seq;
            chunk->rows += (long long)page.count;
            chunk->end = page.count < chunk->page_rows;
        }
        gs__push_rows_free(&page);
        if (read_rc != GS_OK || rc != GS_OK || chunk->end)
            break;
    }
    if (!open)
        return read_rc;
    rc = gs__push_pg_stream_end(&chunk->committed, pe,
                                read_rc != GS_OK ? read_rc : rc, after);
    if (read_rc != GS_OK) {
        chunk->committed = 0; /* the loss check cannot have found it */
        return read_rc;
    }
    if (rc == GS_ENOMEM)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_SUPABASE,
                            "push %s: out of memory", entity->name);
    if (chunk->committed)
        chunk->seq = after;
    else
        chunk->end = chunk->cancelled = 0;
    return GS_OK;
}
