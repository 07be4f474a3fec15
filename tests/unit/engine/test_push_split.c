/* engine/push_split.c and the verdicts of engine/push_send.c: a refused
 * batch is halved until the bad rows stand alone, the good rows land, a 413
 * splits by size without blaming rows, and answers that are not about rows
 * (503, 401, 404, a schema mismatch) stop without quarantining anything.
 * The target is a fake sender that judges bodies the way PostgREST does: one
 * bad row fails the whole body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazsync/error.h"
#include "push_internal.h"

#define NOW "2026-01-21T15:00:00Z"

typedef struct {
    const char *bad[8];  /* external_ids the "database" refuses */
    size_t max_body;     /* 413 above this many bytes; 0 none */
    long status;         /* when set, every answer has this status */
    const char *error;   /* its body */
    size_t timeout_over; /* 500 57014 for bodies of more rows; 0 none */
    size_t largest_sent; /* rows of the largest body sent */
    int requests;
    int rows_written; /* rows of accepted bodies */
} fake_target;

static int is_bad(const fake_target *t, const char *id)
{
    for (size_t i = 0; i < 8 && t->bad[i]; i++)
        if (strcmp(t->bad[i], id) == 0)
            return 1;
    return 0;
}

static int fake_send(gs_push_answer *answer, void *sender, const char *body,
                     size_t len, size_t rows)
{
    fake_target *t = sender;
    json_t *array;
    size_t i;
    json_t *row;

    t->requests++;
    if (rows > t->largest_sent)
        t->largest_sent = rows;
    if (t->timeout_over && rows > t->timeout_over) {
        gs__push_judge(answer, GS_OK, 500,
                       "{\"code\":\"57014\",\"message\":\"canceling "
                       "statement due to statement timeout\",\"details\":null,"
                       "\"hint\":null}");
        return GS_OK;
    }
    if (t->status) {
        gs__push_judge(answer, GS_OK, t->status, t->error);
        return GS_OK;
    }
    if (t->max_body && len > t->max_body) {
        gs__push_judge(answer, GS_OK, 413, "");
        return GS_OK;
    }
    array = json_loadb(body, len, 0, NULL);
    assert_non_null(array);
    assert_int_equal(json_array_size(array), rows);
    json_array_foreach(array, i, row)
    {
        const char *id = json_string_value(json_object_get(row, "external_id"));
        if (is_bad(t, id)) {
            json_decref(array);
            gs__push_judge(answer, GS_OK, 400,
                           "{\"code\":\"23514\",\"message\":\"new row for "
                           "relation \\\"gazelle_pianos\\\" violates check "
                           "constraint \\\"ck\\\"\",\"details\":null,"
                           "\"hint\":null}");
            return GS_OK;
        }
    }
    t->rows_written += (int)json_array_size(array);
    json_decref(array);
    gs__push_judge(answer, GS_OK, 201, "");
    return GS_OK;
}

/* @p count piano rows p0..p{count-1}; row i is padded to vary its size. */
static void make_rows(gs_push_rows *rows, int count)
{
    const gs_entity *pianos = gs_entity_get(GS_ENTITY_PIANOS);
    json_t *array = json_array();

    for (int i = 0; i < count; i++) {
        char id[16];
        char notes[200];
        snprintf(id, sizeof id, "p%d", i);
        memset(notes, 'n', sizeof notes - 1);
        notes[(i * 13) % (int)(sizeof notes - 1)] = '\0';
        json_array_append_new(
            array, json_pack("{ss si ss sI so}", "id", id, "year", 1900 + i,
                             "notes", notes, "change_seq", (json_int_t)(i + 1),
                             "raw", json_pack("{ss}", "id", id)));
    }
    assert_int_equal(gs__push_rows_add(rows, pianos, array, NOW), 0);
    json_decref(array);
}

typedef struct {
    gs_push_rows rows;
    gs_push_split split;
    fake_target target;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    make_rows(&f->rows, 64);
    f->split.send = fake_send;
    f->split.sender = &f->target;
    f->split.fate = calloc(f->rows.count, sizeof *f->split.fate);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    gs__push_rows_free(&f->rows);
    free(f->split.fate);
    gs_buf_free(&f->split.body);
    free(f);
    return 0;
}

static int count_fates(const fixture *f, size_t from, size_t n, int landed)
{
    int count = 0;
    for (size_t i = from; i < from + n; i++)
        count += landed ? f->split.fate[i].landed : f->split.fate[i].failed;
    return count;
}

static void test_push_split_lands_a_good_batch_in_one_request(void **state)
{
    fixture *f = *state;

    assert_int_equal(gs__push_send_split(&f->split, &f->rows, 0, 64), 0);
    assert_int_equal(f->target.requests, 1);
    assert_int_equal(count_fates(f, 0, 64, 1), 64);
}

static void test_push_split_quarantines_one_bad_row_others_land(void **state)
{
    fixture *f = *state;
    const gs_push_fate *bad = &f->split.fate[37];

    f->target.bad[0] = "p37";
    assert_int_equal(gs__push_send_split(&f->split, &f->rows, 0, 64), 0);
    assert_int_equal(count_fates(f, 0, 64, 1), 63);
    assert_int_equal(count_fates(f, 0, 64, 0), 1);
    assert_true(bad->failed);
    assert_false(bad->landed);
    assert_int_equal(bad->status, 400);
    assert_string_equal(bad->pg_code, "23514");
    assert_non_null(strstr(bad->message, "violates check constraint"));
    assert_int_equal(f->target.rows_written, 63);
    /* Binary search: 1 + 2 per level of 64 = 2^6. */
    assert_true(f->target.requests <= 1 + 2 * 6);
}

static void test_push_split_quarantines_several_bad_rows(void **state)
{
    fixture *f = *state;

    f->target.bad[0] = "p0";
    f->target.bad[1] = "p31";
    f->target.bad[2] = "p63";
    assert_int_equal(gs__push_send_split(&f->split, &f->rows, 0, 64), 0);
    assert_int_equal(count_fates(f, 0, 64, 0), 3);
    assert_true(f->split.fate[0].failed && f->split.fate[31].failed &&
                f->split.fate[63].failed);
    assert_int_equal(f->target.rows_written, 61);
}

static void test_push_split_413_splits_by_size_without_blame(void **state)
{
    fixture *f = *state;
    size_t whole = gs__push_body_len(&f->rows, 0, 64);

    f->target.max_body = whole / 5;
    assert_int_equal(gs__push_send_split(&f->split, &f->rows, 0, 64), 0);
    assert_int_equal(count_fates(f, 0, 64, 1), 64);
    assert_int_equal(count_fates(f, 0, 64, 0), 0);
    assert_int_equal(f->target.rows_written, 64);
}

static void test_push_split_413_blames_a_row_over_the_limit(void **state)
{
    fixture *f = *state;
    size_t biggest = 0;
    size_t big_row = 0;

    for (size_t i = 0; i < 16; i++)
        if (f->rows.row[i].json_len > biggest) {
            biggest = f->rows.row[i].json_len;
            big_row = i;
        }
    f->target.max_body = biggest + 1; /* "[" + row + "]" of the biggest: over */
    assert_int_equal(gs__push_send_split(&f->split, &f->rows, 0, 16), 0);
    assert_true(f->split.fate[big_row].failed);
    assert_int_equal(f->split.fate[big_row].status, 413);
    assert_non_null(strstr(f->split.fate[big_row].message, "size limit"));
    assert_int_equal(count_fates(f, 0, 16, 1) + count_fates(f, 0, 16, 0), 16);
}

static void expect_stop(fixture *f, long status, const char *body, int code)
{
    f->target.status = status;
    f->target.error = body;
    assert_int_equal(gs__push_send_split(&f->split, &f->rows, 0, 64), code);
    assert_int_equal(f->target.requests, 1); /* no split */
    assert_int_equal(count_fates(f, 0, 64, 0), 0);
    assert_int_equal(count_fates(f, 0, 64, 1), 0);
    assert_int_equal(f->split.stop.status, status);
}

static void test_push_split_stops_on_503_without_quarantine(void **state)
{
    expect_stop(*state, 503, "", GS_EHTTP);
}

static void test_push_split_stops_on_429_without_quarantine(void **state)
{
    expect_stop(*state, 429, "", GS_ERATELIMIT);
}

static void test_push_split_stops_everything_on_401(void **state)
{
    fixture *f = *state;
    expect_stop(f, 401, "{\"code\":\"PGRST301\",\"message\":\"JWT invalid\"}",
                GS_EAUTH);
    assert_int_equal(f->split.stop.verdict, GS_PUSH_STOP_ALL);
    assert_string_equal(f->split.stop.pg_code, "PGRST301");
}

static void test_push_split_stops_on_missing_table(void **state)
{
    fixture *f = *state;
    expect_stop(f, 404,
                "{\"code\":\"PGRST205\",\"message\":\"Could not find the "
                "table 'public.gazelle_pianos'\"}",
                GS_ENOTFOUND);
}

static void test_push_split_stops_on_schema_mismatch(void **state)
{
    fixture *f = *state;
    expect_stop(f, 400,
                "{\"code\":\"PGRST204\",\"message\":\"Could not find the "
                "'year' column\"}",
                GS_ECONFLICT);
}

static void test_push_judge_classifies_answers(void **state)
{
    gs_push_answer a;

    (void)state;
    gs__push_judge(&a, GS_OK, 201, "");
    assert_int_equal(a.verdict, GS_PUSH_LANDED);
    gs__push_judge(&a, GS_OK, 200, "");
    assert_int_equal(a.verdict, GS_PUSH_LANDED); /* PostgREST 12: updates */
    gs__push_judge(&a, GS_OK, 409,
                   "{\"code\":\"23505\",\"message\":\"duplicate key\","
                   "\"details\":\"Key (x)=(1) already exists.\"}");
    assert_int_equal(a.verdict, GS_PUSH_BAD_ROWS);
    assert_string_equal(a.pg_code, "23505");
    assert_non_null(strstr(a.message, "already exists"));
    gs__push_judge(&a, GS_OK, 400, "<html>bad gateway</html>");
    assert_int_equal(a.verdict, GS_PUSH_BAD_ROWS);
    assert_string_equal(a.pg_code, "");
    gs__push_judge(&a, GS_OK, 403, "");
    assert_int_equal(a.verdict, GS_PUSH_STOP_ALL);
    gs__push_judge(&a, GS_OK, 408, "");
    assert_int_equal(a.code, GS_EHTTP);
    gs__push_judge(&a, GS_OK, 413, "");
    assert_int_equal(a.verdict, GS_PUSH_TOO_LARGE);
    gs__push_judge(&a, GS_OK, 302, "");
    assert_int_equal(a.code, GS_EPROTO);
    gs__push_judge(&a, GS_EHTTP, 0, NULL);
    assert_int_equal(a.verdict, GS_PUSH_STOP);
    assert_int_equal(a.code, GS_EHTTP);
}

/* Issue 11, defect 1: a 2xx is success only as PostgREST gives it to an
 * upsert with return=minimal: 201 or 200, and no body. */
static void test_push_judge_refuses_a_2xx_that_is_not_postgrest(void **state)
{
    gs_push_answer a;
    static const char html[] =
        "<html>\r\n<head><title>Welcome to nginx!</title></head>\r\n"
        "<body><h1>Welcome to nginx!</h1></body></html>\n";

    (void)state;
    gs__push_judge(&a, GS_OK, 200, html);
    assert_int_equal(a.verdict, GS_PUSH_STOP);
    assert_int_equal(a.code, GS_EPROTO);
    assert_non_null(strstr(a.message, "HTTP 200"));
    assert_non_null(strstr(a.message, "Welcome to nginx"));
    assert_null(strchr(a.message, '\n')); /* one line */
    gs__push_judge(&a, GS_OK, 201, "[]");
    assert_int_equal(a.code, GS_EPROTO);
    gs__push_judge(&a, GS_OK, 204, "");
    assert_int_equal(a.verdict, GS_PUSH_STOP);
    assert_int_equal(a.code, GS_EPROTO);
    gs__push_judge(&a, GS_OK, 202, NULL);
    assert_int_equal(a.code, GS_EPROTO);
}

/* Issue 11, defect 6: 57014 (PostgREST 500) and 504 are statement
 * timeouts, not failures to retry as they are. */
static void test_push_judge_names_statement_timeouts(void **state)
{
    gs_push_answer a;

    (void)state;
    gs__push_judge(&a, GS_OK, 500,
                   "{\"code\":\"57014\",\"message\":\"canceling statement "
                   "due to statement timeout\"}");
    assert_int_equal(a.verdict, GS_PUSH_TIMEOUT);
    assert_string_equal(a.pg_code, "57014");
    gs__push_judge(&a, GS_OK, 504, "");
    assert_int_equal(a.verdict, GS_PUSH_TIMEOUT);
    gs__push_judge(&a, GS_OK, 500, "{\"code\":\"XX000\",\"message\":\"x\"}");
    assert_int_equal(a.verdict, GS_PUSH_STOP);
    assert_int_equal(a.code, GS_EHTTP);
}

static void test_push_split_halves_a_batch_that_times_out(void **state)
{
    fixture *f = *state;

    f->target.timeout_over = 20;
    assert_int_equal(gs__push_send_split(&f->split, &f->rows, 0, 64), 0);
    assert_int_equal(count_fates(f, 0, 64, 1), 64);
    assert_int_equal(count_fates(f, 0, 64, 0), 0);
    assert_int_equal(f->target.rows_written, 64);
    /* 64 and 32 timed out; 16 is the bound learnt for later batches. */
    assert_int_equal(f->split.timeouts, 2);
    assert_int_equal(f->split.rows_cap, 16);
    assert_int_equal(f->split.largest_landed, 16);
    /* 64, 32, then four bodies of 16: never the same size twice in vain. */
    assert_int_equal(f->target.requests, 6);
}

static void test_push_split_stops_when_one_row_times_out(void **state)
{
    fixture *f = *state;

    f->target.status = 500;
    f->target.error = "{\"code\":\"57014\",\"message\":\"canceling "
                      "statement due to statement timeout\"}";
    assert_int_equal(gs__push_send_split(&f->split, &f->rows, 0, 8), GS_EHTTP);
    /* 8, 4, 2, 1: halved down to one row, which stops without blame. */
    assert_int_equal(f->target.requests, 4);
    assert_int_equal(f->split.rows_cap, 1);
    assert_int_equal(count_fates(f, 0, 8, 0), 0);
    assert_int_equal(count_fates(f, 0, 8, 1), 0);
    assert_int_equal(f->split.stop.verdict, GS_PUSH_TIMEOUT);
}

/* A database that answers nothing in time at any size costs a bounded
 * number of halvings, not one request per size down to one row. */
static void test_push_split_stops_after_max_halvings(void **state)
{
    fixture *f = *state;

    f->target.timeout_over = 1;
    assert_int_equal(gs__push_send_split(&f->split, &f->rows, 0, 64), GS_EHTTP);
    /* 64, 32, 16, 8, 4: the fifth timeout in a row stops. */
    assert_int_equal(f->target.requests, GS_PUSH_MAX_HALVINGS);
    assert_int_equal(f->split.rows_cap, 2); /* where the next run starts */
    assert_int_equal(count_fates(f, 0, 64, 0), 0);
    assert_int_equal(count_fates(f, 0, 64, 1), 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_push_split_lands_a_good_batch_in_one_request),
        T(test_push_split_quarantines_one_bad_row_others_land),
        T(test_push_split_quarantines_several_bad_rows),
        T(test_push_split_413_splits_by_size_without_blame),
        T(test_push_split_413_blames_a_row_over_the_limit),
        T(test_push_split_stops_on_503_without_quarantine),
        T(test_push_split_stops_on_429_without_quarantine),
        T(test_push_split_stops_everything_on_401),
        T(test_push_split_stops_on_missing_table),
        T(test_push_split_stops_on_schema_mismatch),
        cmocka_unit_test(test_push_judge_classifies_answers),
        cmocka_unit_test(test_push_judge_refuses_a_2xx_that_is_not_postgrest),
        cmocka_unit_test(test_push_judge_names_statement_timeouts),
        T(test_push_split_halves_a_batch_that_times_out),
        T(test_push_split_stops_when_one_row_times_out),
        T(test_push_split_stops_after_max_halvings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
