/* See prefer.h. */
#include "prefer.h"

#include <string.h>
#include <strings.h>

static void apply_one(pd_prefer *p, const char *item, size_t len)
{
    static const struct {
        const char *text;
        int kind;
        int value;
    } known[] = {
        {"resolution=merge-duplicates", 0, PD_RESOLUTION_MERGE},
        {"resolution=ignore-duplicates", 0, PD_RESOLUTION_IGNORE},
        {"return=minimal", 1, PD_RETURN_MINIMAL},
        {"return=representation", 1, PD_RETURN_REPRESENTATION},
        {"return=headers-only", 1, PD_RETURN_HEADERS_ONLY},
        {"missing=default", 2, 1},
        {"missing=null", 2, 0},
        {"count=exact", 3, 1},
        {"count=planned", 3, 1},
        {"count=estimated", 3, 1},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strlen(known[i].text) != len ||
            strncasecmp(known[i].text, item, len) != 0)
            continue;
        switch (known[i].kind) {
        case 0:
            p->resolution = (pd_resolution)known[i].value;
            break;
        case 1:
            p->ret = (pd_return)known[i].value;
            break;
        case 2:
            p->missing_default = known[i].value;
            break;
        default:
            p->count_exact = known[i].value;
            break;
        }
    }
}

static void parse_value(pd_prefer *p, const char *value)
{
    const char *s = value;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        const char *start = s;
        while (*s && *s != ',')
            s++;
        const char *end = s;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (end > start)
            apply_one(p, start, (size_t)(end - start));
    }
}

void pd_prefer_parse(pd_prefer *out, const pd_kvlist *headers)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < headers->count; i++)
        if (strcasecmp(headers->items[i].name, "Prefer") == 0)
            parse_value(out, headers->items[i].value);
}

static void add(gs_buf *buf, const char *pref)
{
    if (buf->len)
        gs_buf_puts(buf, ", ");
    gs_buf_puts(buf, pref);
}

void pd_prefer_applied(gs_buf *buf, const pd_prefer *p, int write)
{
    gs_buf_reset(buf);
    /* A read applies only count=: PostgREST never echoes return=,
     * resolution= or missing= on GET/HEAD. */
    if (!write) {
        if (p->count_exact)
            add(buf, "count=exact");
        return;
    }
    if (p->resolution == PD_RESOLUTION_MERGE)
        add(buf, "resolution=merge-duplicates");
    else if (p->resolution == PD_RESOLUTION_IGNORE)
        add(buf, "resolution=ignore-duplicates");
    if (p->missing_default)
        add(buf, "missing=default");
    if (p->ret == PD_RETURN_MINIMAL)
        add(buf, "return=minimal");
    else if (p->ret == PD_RETURN_REPRESENTATION)
        add(buf, "return=representation");
    else if (p->ret == PD_RETURN_HEADERS_ONLY)
        add(buf, "return=headers-only");
    if (p->count_exact)
        add(buf, "count=exact");
}
