/* Policies and durations as people write them in the INI file and on the
 * command line (engine/policy.c): gs_policy_parse() and gs_duration_parse()
 * on any text, and one invariant: a policy that parses, formatted with
 * gs_policy_format() (what `gazsync status` shows and sync_state keeps),
 * parses back to the same policy. A difference aborts, as a crash does.
 *
 * Input: the text (cut at the first NUL byte, as C strings are). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazsync/gazsync.h"

static int same_policy(const gs_entity_policy *a, const gs_entity_policy *b)
{
    return a->kind == b->kind && a->max_age_s == b->max_age_s &&
           a->lookback_s == b->lookback_s &&
           a->full_every_s == b->full_every_s &&
           a->window_past_days == b->window_past_days &&
           a->window_future_days == b->window_future_days;
}

static void dump(const char *what, const gs_entity_policy *p)
{
    fprintf(stderr,
            "%s: kind %d window -%d..+%d lookback %lld max-age %lld "
            "full-every %lld\n",
            what, (int)p->kind, p->window_past_days, p->window_future_days,
            p->lookback_s, p->max_age_s, p->full_every_s);
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    char *text = malloc(size + 1);
    gs_config defaults;
    gs_entity_policy parsed, reparsed;
    char formatted[512];
    long long seconds = -1;

    if (!text)
        return 0;
    memcpy(text, bytes, size);
    text[size] = '\0';

    if (gs_duration_parse(&seconds, text) == GS_OK && seconds < 0) {
        fprintf(stderr, "duration '%s' parsed as %lld\n", text, seconds);
        abort();
    }

    /* Parsed over the clients' defaults, as the INI file does: options the
     * text does not name keep their default, and must survive the trip. */
    gs_config_defaults(&defaults);
    parsed = defaults.policy[GS_ENTITY_CLIENTS];
    gs_config_free(&defaults);
    if (gs_policy_parse(&parsed, text) == GS_OK) {
        gs_policy_format(formatted, sizeof formatted, &parsed);
        memset(&reparsed, 0, sizeof reparsed);
        int rc = gs_policy_parse(&reparsed, formatted);
        if (rc != GS_OK || !same_policy(&parsed, &reparsed)) {
            fprintf(stderr, "policy '%s' formats as '%s' which %s\n", text,
                    formatted,
                    rc != GS_OK ? gs_error_last()->message
                                : "reads differently");
            dump("parsed", &parsed);
            dump("reparsed", &reparsed);
            abort();
        }
    }
    free(text);
    return 0;
}
