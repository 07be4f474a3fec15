/* The PostgREST double's request parsing (tools/postgrest-double): the URL
 * grammar turned into SQL (query.c: filters, select=, order=, limit=,
 * offset=) and the Prefer header (prefer.c). These parts need no server
 * and no database: the table comes from a fixed catalog entry.
 *
 * Input: the first line is a query string (a=b&c=d, %XX and + decoded as
 * libmicrohttpd does); every further line is one Prefer header value.
 *
 * Besides "no crash, no leak", one invariant guards the double's promise
 * that values are only ever parameters: the SQL text never holds a single
 * quote outside a quoted identifier, and its identifiers are quoted whole. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "double.h"
#include "prefer.h"
#include "query.h"
#include "sql.h"

static pd_column columns[] = {
    {"id", "bigint", NULL, 'a', 0},
    {"external_id", "text", NULL, 0, 0},
    {"year", "bigint", NULL, 0, 0},
    {"tags", "jsonb", NULL, 0, 0},
    {"updated_at", "timestamp with time zone", NULL, 0, 0},
    {"we\"ird", "text", NULL, 0, 0},
};
static char *primary_key[] = {"id"};
static pd_table table = {"gazelle_pianos", columns,
                         sizeof columns / sizeof columns[0], primary_key, 1};

static int hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes [from, to) into a new NUL-terminated string (%XX, '+' as space);
 * a %00 ends the string early, as a C string would. */
static char *decode(const char *from, const char *to)
{
    char *out = malloc((size_t)(to - from) + 1), *o = out;

    if (!out)
        return NULL;
    for (const char *p = from; p < to; p++) {
        if (*p == '%' && to - p >= 3 && hex(p[1]) >= 0 && hex(p[2]) >= 0) {
            *o++ = (char)(hex(p[1]) * 16 + hex(p[2]));
            p += 2;
        } else {
            *o++ = *p == '+' ? ' ' : *p;
        }
    }
    *o = '\0';
    return out;
}

static void parse_query_string(pd_kvlist *args, const char *qs, size_t len)
{
    const char *end = qs + len;

    for (const char *p = qs; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *item_end = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(item_end - p));
        char *name = decode(p, eq ? eq : item_end);
        char *value =
            eq ? decode(eq + 1, item_end) : decode(item_end, item_end);

        if (name && value)
            pd_kvlist_add(args, name, value);
        free(name);
        free(value);
        p = item_end + (amp ? 1 : 0);
    }
}

/* An error answer is PostgREST's object, with a code and a message: a
 * client (gazsync's push, supabase-js) reads both. */
static void check_error(const pd_response *resp)
{
    json_t *body;

    if (resp->status == 0)
        return;
    body = json_loadb(resp->body.data, resp->body.len, 0, NULL);
    if (!json_is_string(json_object_get(body, "code")) ||
        !json_is_string(json_object_get(body, "message"))) {
        fprintf(stderr, "error body without code or message: %.*s\n",
                (int)resp->body.len, resp->body.data);
        abort();
    }
    json_decref(body);
}

static void next_answer(pd_response *resp)
{
    check_error(resp);
    pd_response_free(resp);
    memset(resp, 0, sizeof *resp);
}

/* Outside quoted identifiers ("a""b" reads as two toggles, so doubled
 * quotes need no special case) the text holds no string literal at all. */
static void check_sql(const pd_sql *q)
{
    int in_identifier = 0;

    if (!q->text.data)
        return;
    for (const char *p = q->text.data; *p; p++) {
        if (*p == '"')
            in_identifier = !in_identifier;
        else if (*p == '\'' && !in_identifier)
            abort(); /* a value spliced into the text */
    }
    if (in_identifier)
        abort(); /* an identifier not quoted whole */
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    const char *text = (const char *)bytes;
    const char *nl = memchr(text, '\n', size);
    size_t qs_len = nl ? (size_t)(nl - text) : size;
    pd_kvlist args = {0}, headers = {0};
    pd_response resp;
    pd_sql q = PD_SQL_INIT;
    pd_page page;
    pd_prefer prefer;
    gs_buf applied = GS_BUF_INIT;

    memset(&resp, 0, sizeof resp);
    parse_query_string(&args, text, qs_len);
    for (const char *p = nl ? nl + 1 : text + size; p < text + size;) {
        const char *line_end = memchr(p, '\n', (size_t)(text + size - p));
        const char *stop = line_end ? line_end : text + size;
        char *value = malloc((size_t)(stop - p) + 1);
        if (value) {
            memcpy(value, p, (size_t)(stop - p));
            value[stop - p] = '\0';
            pd_kvlist_add(&headers, "Prefer", value);
            free(value);
        }
        p = stop + (line_end ? 1 : 0);
    }

    (void)pd_query_where(&q, &table, "\"public\".\"gazelle_pianos\"", &args,
                         &resp);
    check_sql(&q);
    pd_sql_free(&q);
    next_answer(&resp);
    q = (pd_sql)PD_SQL_INIT;
    (void)pd_query_select(&q, &table, pd_kvlist_get(&args, "select", 0), &resp);
    check_sql(&q);
    pd_sql_free(&q);
    next_answer(&resp);
    q = (pd_sql)PD_SQL_INIT;
    (void)pd_query_order(&q, &table, "t", pd_kvlist_get(&args, "order", 0),
                         &resp);
    check_sql(&q);
    pd_sql_free(&q);
    next_answer(&resp);
    if (pd_query_page(&page, &args, &resp) == 0 &&
        (page.limit < -1 || page.offset < 0))
        abort();
    next_answer(&resp);

    pd_prefer_parse(&prefer, &headers);
    /* Both kinds of request: a write echoes return=, a read only count=. */
    pd_prefer_applied(&applied, &prefer, 1);
    gs_buf_free(&applied);
    pd_prefer_applied(&applied, &prefer, 0);

    gs_buf_free(&applied);
    pd_response_free(&resp);
    pd_kvlist_free(&headers);
    pd_kvlist_free(&args);
    return 0;
}
