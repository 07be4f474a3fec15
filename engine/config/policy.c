/* Pull policies and durations as people write them in the config file and
 * on the command line ("new-rows,full-every=7d", "window=-60d..+90d,
 * max-age=6h", "90s", "2w"), and back to text for `gazsync status`. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gazsync/config.h"
#include "gazsync/error.h"

/* Longest window accepted on either side of today: ten years. */
#define MAX_WINDOW_DAYS 3660

static long long unit_seconds(char unit)
{
    switch (unit) {
    case 's':
        return 1;
    case 'm':
        return 60;
    case 'h':
        return 3600;
    case 'd':
        return 86400;
    case 'w':
        return 7 * 86400;
    default:
        return 0;
    }
}

int gs_duration_parse(long long *seconds, const char *text)
{
    char *end = NULL;
    long long value, unit;

    if (!text || *text < '0' || *text > '9')
        goto bad;
    errno = 0;
    value = strtoll(text, &end, 10);
    if (errno != 0 || end == text || value < 0)
        goto bad;
    unit = unit_seconds(*end);
    if (unit == 0 || end[1] != '\0' || value > LLONG_MAX / unit)
        goto bad;
    /* Ten years at most, like a window: a lookback of 2000000w would put
     * the high-water mark before year 0 and fail only at the next pull. */
    if (value * unit > MAX_WINDOW_DAYS * 86400LL)
        return gs_error_set(GS_EINVAL, GS_ECLASS_CONFIG,
                            "duration '%.64s' is longer than %dd (ten years)",
                            text, MAX_WINDOW_DAYS);
    *seconds = value * unit;
    return GS_OK;
bad:
    return gs_error_set(GS_EINVAL, GS_ECLASS_CONFIG,
                        "bad duration '%.64s' (a whole number with s, m, h, "
                        "d or w: 90s, 10m, 6h, 30d, 2w)",
                        text ? text : "");
}

/* Writes @p seconds in the largest unit that divides it. */
static void format_duration(gs_buf *out, long long seconds)
{
    static const char units[] = "wdhm";
    for (const char *u = units; *u; u++) {
        long long size = unit_seconds(*u);
        if (seconds != 0 && seconds % size == 0) {
            gs_buf_printf(out, "%lld%c", seconds / size, *u);
            return;
        }
    }
    gs_buf_printf(out, "%llds", seconds);
}

/* "-60d", "+90d", "0d": a signed whole number of days. */
static int parse_signed_days(int *days, const char *text)
{
    long long seconds;
    int negative = 0;

    if (*text == '-' || *text == '+')
        negative = *text++ == '-';
    if (gs_duration_parse(&seconds, text) != GS_OK || seconds % 86400 != 0 ||
        seconds / 86400 > MAX_WINDOW_DAYS)
        return -1;
    *days = (int)(seconds / 86400) * (negative ? -1 : 1);
    return 0;
}

static int parse_window(gs_entity_policy *p, const char *spec)
{
    const char *dots = strstr(spec, "..");
    char start[32];
    int from, to;

    if (!dots || (size_t)(dots - spec) >= sizeof start)
        return -1;
    memcpy(start, spec, (size_t)(dots - spec));
    start[dots - spec] = '\0';
    if (parse_signed_days(&from, start) != 0 ||
        parse_signed_days(&to, dots + 2) != 0 || from > to)
        return -1;
    p->window_past_days = -from;
    p->window_future_days = to;
    return 0;
}

static char *trim(char *text)
{
    char *end;
    while (*text == ' ' || *text == '\t')
        text++;
    end = text + strlen(text);
    while (end > text && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    return text;
}

/* The old "delta" paged by UPDATED_AT_DESC down to a high-water mark. It
 * is refused, not mapped to another policy: the real API has no updatedAt
 * order or filter on any list (ClientSort, PianoSort, EventSort; timeline
 * entries have no stamp at all), and whichever policy it became, the
 * person who wrote it would be paying for, or missing, something they did
 * not choose. */
#define DELTA_GONE                                                             \
    "policy 'delta' cannot work on the real Gazelle API: no list can be "      \
    "sorted or filtered by update time (ClientSort, PianoSort and "            \
    "EventSort have no UPDATED_AT order). Use 'always' (read whole, "          \
    "compare row hashes; the default for clients and pianos) or "              \
    "'new-rows,full-every=7d' (creation-date probe, full read weekly)"

/* One comma-separated part: the kind first, then options. 1: the old
 * "delta" (its own message). */
static int parse_part(gs_entity_policy *p, char *part, int first)
{
    long long seconds;

    if (first) {
        p->window_past_days = 0;
        p->window_future_days = 0;
        if (strcmp(part, "always") == 0)
            p->kind = GS_POLICY_ALWAYS;
        else if (strcmp(part, "if-empty") == 0)
            p->kind = GS_POLICY_IF_EMPTY;
        else if (strcmp(part, "new-rows") == 0)
            p->kind = GS_POLICY_NEW_ROWS;
        else if (strcmp(part, "delta") == 0)
            return 1;
        else if (strcmp(part, "since") == 0)
            p->kind = GS_POLICY_SINCE;
        else if (strncmp(part, "window=", 7) == 0) {
            p->kind = GS_POLICY_WINDOW;
            return parse_window(p, trim(part + 7));
        } else
            return -1;
        return 0;
    }
    if (strncmp(part, "max-age=", 8) == 0) {
        if (gs_duration_parse(&seconds, trim(part + 8)) != GS_OK)
            return -1;
        p->max_age_s = seconds;
        return 0;
    }
    if (strncmp(part, "full-every=", 11) == 0) {
        if (gs_duration_parse(&seconds, trim(part + 11)) != GS_OK)
            return -1;
        p->full_every_s = seconds;
        return 0;
    }
    if (strncmp(part, "lookback=", 9) == 0) {
        if (gs_duration_parse(&seconds, trim(part + 9)) != GS_OK)
            return -1;
        p->lookback_s = seconds;
        return 0;
    }
    return -1;
}

/* Sets the kind and window, and max_age / lookback only when the text names
 * them (so that "policy = delta" keeps a lookback given elsewhere). @p out
 * is untouched when the text is bad. */
int gs_policy_parse(gs_entity_policy *out, const char *text)
{
    gs_entity_policy p;
    char *copy, *part, *comma;
    int first = 1, bad = 0;

    if (!out || !text)
        return gs_error_set(GS_EINVAL, GS_ECLASS_CONFIG, "no policy given");
    copy = strdup(text);
    if (!copy)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_CONFIG, "out of memory");
    p = *out;
    /* by hand, not strtok: an empty part ("delta,") must be an error */
    for (part = copy;; part = comma + 1, first = 0) {
        comma = strchr(part, ',');
        if (comma)
            *comma = '\0';
        bad = parse_part(&p, trim(part), first);
        if (bad || !comma)
            break;
    }
    free(copy);
    if (bad == 1)
        return gs_error_set(GS_EINVAL, GS_ECLASS_CONFIG, DELTA_GONE);
    if (bad)
        return gs_error_set(GS_EINVAL, GS_ECLASS_CONFIG,
                            "bad policy '%.100s' (always, if-empty, new-rows, "
                            "since or window=-60d..+90d, then optionally "
                            ",max-age=6h ,lookback=10m ,full-every=30d)",
                            text);
    *out = p;
    return GS_OK;
}

void gs_policy_format(char *out, size_t size, const gs_entity_policy *p)
{
    gs_buf text = GS_BUF_INIT;

    if (!out || size == 0)
        return;
    switch (p->kind) {
    case GS_POLICY_ALWAYS:
        gs_buf_puts(&text, "always");
        break;
    case GS_POLICY_IF_EMPTY:
        gs_buf_puts(&text, "if-empty");
        break;
    case GS_POLICY_NEW_ROWS:
        gs_buf_puts(&text, "new-rows");
        break;
    case GS_POLICY_SINCE:
        gs_buf_puts(&text, "since");
        break;
    case GS_POLICY_WINDOW:
        gs_buf_printf(&text, "window=%+dd..%+dd", -p->window_past_days,
                      p->window_future_days);
        break;
    default:
        gs_buf_puts(&text, "unknown");
        break;
    }
    if (p->lookback_s > 0) {
        gs_buf_puts(&text, ",lookback=");
        format_duration(&text, p->lookback_s);
    }
    if (p->max_age_s > 0) {
        gs_buf_puts(&text, ",max-age=");
        format_duration(&text, p->max_age_s);
    }
    if (p->full_every_s > 0) {
        gs_buf_puts(&text, ",full-every=");
        format_duration(&text, p->full_every_s);
    }
    snprintf(out, size, "%s", text.data ? text.data : "");
    gs_buf_free(&text);
}

/* Whether @p entity's list has the bound policy @p kind asks for (its
 * descriptor's reads; engine/entity/entity_map.c). */
static int can_read(const gs_entity *entity, gs_policy_kind kind)
{
    const gs_entity_reads *r = &entity->reads;

    switch (kind) {
    case GS_POLICY_WINDOW:
        return r->window_from && r->window_to && r->window_column;
    case GS_POLICY_SINCE:
        return r->since_variable != NULL;
    case GS_POLICY_NEW_ROWS:
        return r->sort_new_rows && r->created_filter;
    default:
        return 1;
    }
}

/* Each kind asks Gazelle something only some lists can answer: a window
 * needs a start-date filter pair (events' startOn/endOn), since a
 * lower-bound variable (timeline's occurredAtGet), new-rows a creation
 * order and a creation filter (clients, pianos: CREATED_AT_DESC,
 * createdGet). The message names the entities that can. */
int gs_policy_check(const gs_entity *entity, const gs_entity_policy *p)
{
    const char *needs = "";
    gs_buf able = GS_BUF_INIT;
    int rc = GS_OK, n = 0;

    if (can_read(entity, p->kind))
        return GS_OK;
    if (p->kind == GS_POLICY_WINDOW)
        needs = "a date window needs a list with start-date filters";
    else if (p->kind == GS_POLICY_SINCE)
        needs = "since needs a list with a lower bound on its stamp";
    else if (p->kind == GS_POLICY_NEW_ROWS)
        needs = "new-rows needs a creation order and a creation filter";
    for (int i = 0; i < GS_ENTITY_COUNT; i++) {
        const gs_entity *e = gs_entity_get((gs_entity_id)i);

        if (can_read(e, p->kind))
            gs_buf_printf(&able, "%s%s", n++ ? ", " : "", e->name);
    }
    rc = gs_error_set(GS_EINVAL, GS_ECLASS_CONFIG,
                      "%s: policy not possible: %s (%s only)", entity->name,
                      needs, able.data ? able.data : "no entity");
    gs_buf_free(&able);
    return rc;
}
