/* The push side's reading of a PostgREST answer (engine/push_send.c,
 * gs__push_judge()): the error body {code, message, details, hint} of a
 * refused batch, or a gateway's HTML page, and the verdict drawn from it and
 * the status. What it reads ends up in push_failures and in messages, so it
 * must stay within its bounds whatever the body holds.
 *
 * Input: one byte choosing the HTTP status, then the body (cut at the first
 * NUL, as the transport hands it over as a C string). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gazsync/gazsync.h"
#include "push_internal.h"

static const long statuses[] = {400, 401, 403, 404, 406, 408, 409, 413,
                                422, 429, 500, 502, 503, 201, 301, 100};

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    gs_push_answer answer;
    long status;
    char *body;

    if (size == 0)
        return 0;
    status = statuses[bytes[0] % (sizeof statuses / sizeof statuses[0])];
    body = malloc(size);
    if (!body)
        return 0;
    memcpy(body, bytes + 1, size - 1);
    body[size - 1] = '\0';

    gs__push_judge(&answer, GS_OK, status, body);
    if (!memchr(answer.pg_code, '\0', sizeof answer.pg_code) ||
        !memchr(answer.message, '\0', sizeof answer.message) ||
        answer.verdict > GS_PUSH_STOP_ALL || answer.code > 0)
        abort();
    /* A refused batch is either split (rows to blame) or stops with a code:
     * never "landed" for a status outside 2xx. */
    if (status >= 300 && answer.verdict == GS_PUSH_LANDED)
        abort();
    if (answer.verdict == GS_PUSH_STOP && answer.code == GS_OK)
        abort();
    free(body);
    return 0;
}
