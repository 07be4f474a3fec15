/* See query.h. The grammar follows PostgREST's "Horizontal Filtering",
 * "Ordering" and "Limits and Pagination" documentation. */
#include "query.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const reserved[] = {
    "select", "order", "limit", "offset", "on_conflict", "columns",
};

int pd_query_reserved(const char *name)
{
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (strcmp(name, reserved[i]) == 0)
            return 1;
    return 0;
}

static void parse_error(pd_response *resp, const char *what, const char *text)
{
    gs_buf msg = GS_BUF_INIT;
    gs_buf_printf(&msg, "failed to parse %s (%s)", what, text);
    pd_response_error(resp, 400, "PGRST100", msg.data, NULL, NULL);
    gs_buf_free(&msg);
}

static void unknown_column(pd_response *resp, const pd_table *t,
                           const char *name)
{
    /* What PostgreSQL itself answers, which PostgREST passes on. */
    gs_buf msg = GS_BUF_INIT;
    gs_buf_printf(&msg, "column %s.%s does not exist", t->name, name);
    pd_response_error(resp, 400, "42703", msg.data, NULL, NULL);
    gs_buf_free(&msg);
}

static const pd_column *column_or_error(const pd_table *t, const char *name,
                                        pd_response *resp)
{
    const pd_column *c = pd_table_column(t, name);
    if (!c)
        unknown_column(resp, t, name);
    return c;
}

static void put_column(pd_sql *q, const char *qualifier, const char *name)
{
    pd_sql_put(q, qualifier);
    pd_sql_put(q, ".");
    pd_sql_ident(q, name);
}

/* in.(a,"b,c",d) -> the PostgreSQL array literal {"a","b,c","d"}. */
static int in_list_literal(gs_buf *out, const char *list)
{
    size_t n = strlen(list);
    if (n < 2 || list[0] != '(' || list[n - 1] != ')')
        return -1;
    gs_buf_puts(out, "{");
    const char *p = list + 1, *end = list + n - 1;
    int first = 1;
    while (p < end) {
        int quoted = (*p == '"');
        if (quoted)
            p++;
        if (!first)
            gs_buf_puts(out, ",");
        first = 0;
        gs_buf_puts(out, "\"");
        while (p < end && (quoted ? *p != '"' : *p != ',')) {
            if (quoted && *p == '\\' && p + 1 < end)
                p++;
            if (*p == '"' || *p == '\\')
                gs_buf_puts(out, "\\");
            gs_buf_append(out, p, 1);
            p++;
        }
        gs_buf_puts(out, "\"");
        if (quoted && p < end)
            p++; /* closing quote */
        if (p < end && *p == ',')
            p++;
    }
    return gs_buf_puts(out, "}");
}

static const char *comparison(const char *op)
{
    static const char *const ops[][2] = {
        {"eq", " = "},      {"neq", " <> "},      {"gt", " > "},
        {"gte", " >= "},    {"lt", " < "},        {"lte", " <= "},
        {"like", " LIKE "}, {"ilike", " ILIKE "},
    };
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (strcmp(op, ops[i][0]) == 0)
            return ops[i][1];
    return NULL;
}

static const char *is_value(const char *value)
{
    static const char *const values[][2] = {
        {"null", " IS NULL"},       {"not_null", " IS NOT NULL"},
        {"true", " IS TRUE"},       {"false", " IS FALSE"},
        {"unknown", " IS UNKNOWN"},
    };
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
        if (strcmp(value, values[i][0]) == 0)
            return values[i][1];
    return NULL;
}

/* One filter `op.value` (maybe `not.op.value`) on column c. */
static int one_filter(pd_sql *q, const pd_column *c, const char *qualifier,
                      const char *expr, pd_response *resp)
{
    const char *p = expr;
    int negate = 0;
    if (strncmp(p, "not.", 4) == 0) {
        negate = 1;
        p += 4;
    }
    const char *dot = strchr(p, '.');
    if (!dot) {
        parse_error(resp, "filter", expr);
        return -1;
    }
    char op[16];
    size_t oplen = (size_t)(dot - p);
    if (oplen >= sizeof(op)) {
        parse_error(resp, "filter", expr);
        return -1;
    }
    memcpy(op, p, oplen);
    op[oplen] = '\0';
    const char *value = dot + 1;

    pd_sql_put(q, negate ? "NOT (" : "(");
    put_column(q, qualifier, c->name);
    const char *cmp = comparison(op);
    if (cmp) {
        pd_sql_put(q, cmp);
        if (strstr(op, "like")) {
            /* PostgREST lets URLs use * for the % wildcard. */
            char *pattern = strdup(value);
            for (char *s = pattern; s && *s; s++)
                if (*s == '*')
                    *s = '%';
            pd_sql_param(q, pattern ? pattern : value);
            free(pattern);
        } else {
            pd_sql_param(q, value);
        }
    } else if (strcmp(op, "in") == 0) {
        gs_buf literal = GS_BUF_INIT;
        if (in_list_literal(&literal, value) != 0) {
            gs_buf_free(&literal);
            parse_error(resp, "filter", expr);
            return -1;
        }
        pd_sql_put(q, " = ANY(");
        pd_sql_param(q, literal.data);
        /* The element type comes from the catalog, not from the URL. */
        pd_sql_put(q, "::");
        pd_sql_put(q, c->type);
        pd_sql_put(q, "[])");
        gs_buf_free(&literal);
    } else if (strcmp(op, "is") == 0 && is_value(value)) {
        pd_sql_put(q, is_value(value));
    } else {
        parse_error(resp, "filter", expr);
        return -1;
    }
    pd_sql_put(q, ")");
    return 0;
}

int pd_query_where(pd_sql *q, const pd_table *t, const char *qualifier,
                   const pd_kvlist *args, pd_response *resp)
{
    int any = 0;
    for (size_t i = 0; i < args->count; i++) {
        const pd_kv *kv = &args->items[i];
        if (pd_query_reserved(kv->name))
            continue;
        const pd_column *c = column_or_error(t, kv->name, resp);
        if (!c)
            return -1;
        if (any)
            pd_sql_put(q, " AND ");
        if (one_filter(q, c, qualifier, kv->value, resp) != 0)
            return -1;
        any = 1;
    }
    if (!any)
        pd_sql_put(q, "true");
    return 0;
}

/* Splits "a,b,c" in place-free fashion: calls each(item) per element. */
typedef int (*item_fn)(pd_sql *q, const pd_table *t, const char *qualifier,
                       const char *item, int first, pd_response *resp);

static int for_each_item(pd_sql *q, const pd_table *t, const char *qualifier,
                         const char *list, item_fn each, pd_response *resp)
{
    char *copy = strdup(list);
    int rc = 0, first = 1;
    if (!copy)
        return -1;
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item && rc == 0;
         item = strtok_r(NULL, ",", &save)) {
        while (*item == ' ')
            item++;
        if (!*item)
            continue;
        rc = each(q, t, qualifier, item, first, resp);
        first = 0;
    }
    if (rc == 0 && first) {
        parse_error(resp, "list", list);
        rc = -1;
    }
    free(copy);
    return rc;
}

static int select_item(pd_sql *q, const pd_table *t, const char *qualifier,
                       const char *item, int first, pd_response *resp)
{
    (void)qualifier;
    if (!first)
        pd_sql_put(q, ", ");
    if (strcmp(item, "*") == 0) {
        pd_sql_put(q, "*");
        return 0;
    }
    if (strchr(item, '(') || strstr(item, "::") || strstr(item, "->")) {
        /* Embedding, casts and JSON paths are not part of the contract. */
        parse_error(resp, "select parameter", item);
        return -1;
    }
    const char *colon = strchr(item, ':');
    const char *name = colon ? colon + 1 : item;
    const pd_column *c = column_or_error(t, name, resp);
    if (!c)
        return -1;
    pd_sql_ident(q, c->name);
    if (colon) {
        char *alias = strndup(item, (size_t)(colon - item));
        pd_sql_put(q, " AS ");
        pd_sql_ident(q, alias ? alias : c->name);
        free(alias);
    }
    return 0;
}

int pd_query_select(pd_sql *q, const pd_table *t, const char *select,
                    pd_response *resp)
{
    if (!select || !*select) {
        pd_sql_put(q, "*");
        return 0;
    }
    return for_each_item(q, t, NULL, select, select_item, resp);
}

static int order_item(pd_sql *q, const pd_table *t, const char *qualifier,
                      const char *item, int first, pd_response *resp)
{
    char *copy = strdup(item);
    int rc = -1;
    if (!copy)
        return -1;
    char *save = NULL;
    char *name = strtok_r(copy, ".", &save);
    const pd_column *c = name ? column_or_error(t, name, resp) : NULL;
    if (!c)
        goto done;
    pd_sql_put(q, first ? " ORDER BY " : ", ");
    put_column(q, qualifier, c->name);
    for (char *mod = strtok_r(NULL, ".", &save); mod;
         mod = strtok_r(NULL, ".", &save)) {
        if (strcmp(mod, "asc") == 0)
            pd_sql_put(q, " ASC");
        else if (strcmp(mod, "desc") == 0)
            pd_sql_put(q, " DESC");
        else if (strcmp(mod, "nullsfirst") == 0)
            pd_sql_put(q, " NULLS FIRST");
        else if (strcmp(mod, "nullslast") == 0)
            pd_sql_put(q, " NULLS LAST");
        else {
            parse_error(resp, "order", item);
            goto done;
        }
    }
    rc = 0;
done:
    free(copy);
    return rc;
}

int pd_query_order(pd_sql *q, const pd_table *t, const char *qualifier,
                   const char *order, pd_response *resp)
{
    if (!order)
        return 0;
    return for_each_item(q, t, qualifier, order, order_item, resp);
}

static int parse_count(long long *out, const char *text)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < 0)
        return -1;
    *out = v;
    return 0;
}

int pd_query_page(pd_page *out, const pd_kvlist *args, pd_response *resp)
{
    const char *limit = pd_kvlist_get(args, "limit", 0);
    const char *offset = pd_kvlist_get(args, "offset", 0);
    out->limit = -1;
    out->offset = 0;
    if (limit && parse_count(&out->limit, limit) != 0) {
        parse_error(resp, "limit", limit);
        return -1;
    }
    if (offset && parse_count(&out->offset, offset) != 0) {
        parse_error(resp, "offset", offset);
        return -1;
    }
    return 0;
}
