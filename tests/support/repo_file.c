/* The repository root is found from this file's own path (__FILE__, which
 * CMake gives as an absolute path), so the tests need no argument. */
#include "repo_file.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

char *gs_test_repo_file(const char *rel)
{
    const char *here = __FILE__; /* .../tests/support/repo_file.c */
    const char *cut = strstr(here, "tests/support/");
    char path[4096];
    char *text = NULL;
    long size;
    FILE *f;

    if (!cut)
        fail_msg("cannot find the repository from %s", here);
    snprintf(path, sizeof path, "%.*s%s", (int)(cut - here), here, rel);
    f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (text = calloc(1, (size_t)size + 1)) &&
        fread(text, 1, (size_t)size, f) == (size_t)size) {
        fclose(f);
        return text;
    }
    fclose(f);
    free(text);
    fail_msg("cannot read %s", path);
    return NULL;
}
