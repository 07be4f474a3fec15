/* Secrets leave memory zeroed (secret.h says why explicit_bzero). */
#include "secret.h"

#include <stdlib.h>
#include <string.h>

void gs_secret_wipe(void *bytes, size_t len)
{
    if (bytes)
        explicit_bzero(bytes, len);
}

void gs_secret_free(char *text)
{
    if (!text)
        return;
    explicit_bzero(text, strlen(text));
    free(text);
}
