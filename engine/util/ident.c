/* Table names (ident.h says why one rule). Lower case only: PostgreSQL folds
 * unquoted names to lower case, so "Clients" would name another table than
 * the one a user sees in psql. */
#include "ident.h"

#include <string.h>

static int lower_or_underscore(char c)
{
    return (c >= 'a' && c <= 'z') || c == '_';
}

int gs_table_name_valid(const char *text)
{
    size_t n = text ? strlen(text) : 0;

    if (n == 0 || n >= GS_TABLE_NAME_SIZE || !lower_or_underscore(text[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!lower_or_underscore(text[i]) &&
            !(text[i] >= '0' && text[i] <= '9'))
            return 0;
    return 1;
}
