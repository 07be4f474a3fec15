/* Isolating the rows a target refuses. PostgREST runs a bulk body as one
 * statement: one bad row fails the whole request and writes nothing
 * (contracts/postgrest.md). Halving the refused batch finds k bad rows of n in
 * about 2k*log2(n) requests, lets every good row land, and leaves each bad
 * row with the target's own status, code and message for push_failures.
 *
 * A 413 is about bytes, not rows: the batch is split where its bytes halve,
 * and only a row that is over the limit alone is refused.
 *
 * A statement timeout (57014, or the gateway's 504) is about the work of the
 * whole body: the same batch again would time out again, so it is halved,
 * and the half becomes the bound for the rest of the entity (and, through
 * the cache's meta, the start of the next run: push.c). */
#include "push_internal.h"

#include <stdio.h>
#include <string.h>

#include "gazsync/error.h"

static void mark(gs_push_split *split, size_t from, size_t n,
                 const gs_push_answer *answer)
{
    for (size_t i = from; i < from + n; i++) {
        gs_push_fate *fate = &split->fate[i];
        memset(fate, 0, sizeof *fate);
        if (answer->verdict == GS_PUSH_LANDED) {
            fate->landed = 1;
            continue;
        }
        fate->failed = 1;
        fate->status = answer->status;
        snprintf(fate->pg_code, sizeof fate->pg_code, "%s", answer->pg_code);
        snprintf(fate->message, sizeof fate->message, "%s", answer->message);
    }
}

/* The split point of a 413: the first row where the bytes pass half. */
static size_t byte_half(const gs_push_rows *rows, size_t from, size_t n)
{
    size_t total = gs__push_body_len(rows, from, n);
    size_t sum = 0;
    size_t k;

    for (k = 0; k < n - 1; k++) {
        sum += rows->row[from + k].json_len + 1;
        if (sum * 2 >= total)
            return k + 1;
    }
    return n - 1;
}

/* After a 413: the rows again, in pieces of at most half the smallest
 * refused size, so the pieces shrink geometrically and the bound learnt
 * holds for the rest of the entity (push.c) instead of costing a 413 per
 * batch. */
static int resend_smaller(gs_push_split *split, const gs_push_rows *rows,
                          size_t from, size_t n)
{
    size_t done = 0;

    while (done < n) {
        size_t k = gs__push_batch_take(rows, from + done, n - done,
                                       split->too_large / 2);
        int rc;
        if (done == 0 && k >= n)
            k = byte_half(rows, from, n); /* cannot happen; never loop */
        if ((rc = gs__push_send_split(split, rows, from + done, k)) != GS_OK)
            return rc;
        done += k;
    }
    return GS_OK;
}

void gs__push_split_shrink(gs_push_split *split, size_t n)
{
    split->timeouts++;
    split->timeout_streak++;
    if (n / 2 > 0 && (!split->rows_cap || n / 2 < split->rows_cap))
        split->rows_cap = n / 2;
}

/* After a statement timeout on @p n rows: the rows again in pieces of at
 * most split->rows_cap, which the pieces may lower further. */
static int resend_fewer(gs_push_split *split, const gs_push_rows *rows,
                        size_t from, size_t n)
{
    size_t done = 0;

    while (done < n) {
        size_t k = n - done < split->rows_cap ? n - done : split->rows_cap;
        int rc = gs__push_send_split(split, rows, from + done, k);
        if (rc != GS_OK)
            return rc;
        done += k;
    }
    return GS_OK;
}

int gs__push_send_split(gs_push_split *split, const gs_push_rows *rows,
                        size_t from, size_t n)
{
    gs_push_answer answer;
    size_t half = n / 2;
    int rc;

    if (n == 0)
        return GS_OK;
    if (gs__push_body(&split->body, rows, from, n) != GS_OK)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_SUPABASE,
                            "out of memory building a batch body");
    rc = split->send(&answer, split->sender, split->body.data, split->body.len,
                     n);
    if (rc != GS_OK)
        return rc;
    split->requests++;
    switch (answer.verdict) {
    case GS_PUSH_LANDED:
        mark(split, from, n, &answer);
        if (n > split->largest_landed)
            split->largest_landed = n;
        split->timeout_streak = 0;
        return GS_OK;
    case GS_PUSH_TIMEOUT:
        if (n == 1)
            break; /* nothing smaller to send: stop below */
        gs__push_split_shrink(split, n);
        if (split->timeout_streak >= GS_PUSH_MAX_HALVINGS)
            break;
        return resend_fewer(split, rows, from, n);
    case GS_PUSH_TOO_LARGE:
        if (!split->too_large || split->body.len < split->too_large)
            split->too_large = split->body.len;
        if (n == 1) {
            snprintf(answer.message, sizeof answer.message,
                     "the row's payload (%zu bytes) is over the target's "
                     "request size limit",
                     rows->row[from].json_len);
            mark(split, from, n, &answer);
            return GS_OK;
        }
        return resend_smaller(split, rows, from, n);
    case GS_PUSH_BAD_ROWS:
        if (n == 1) {
            mark(split, from, n, &answer);
            return GS_OK;
        }
        break;
    default:
        break;
    }
    if (answer.verdict != GS_PUSH_BAD_ROWS) {
        split->stop = answer;
        return answer.code ? answer.code : GS_EHTTP;
    }
    if ((rc = gs__push_send_split(split, rows, from, half)) != GS_OK)
        return rc;
    return gs__push_send_split(split, rows, from + half, n - half);
}
