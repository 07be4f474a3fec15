/* The ordered name/value list used for query arguments and headers. */
#include "double.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int pd_kvlist_add(pd_kvlist *list, const char *name, const char *value)
{
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 16;
        pd_kv *items = realloc(list->items, cap * sizeof(*items));
        if (!items)
            return -1;
        list->items = items;
        list->cap = cap;
    }
    pd_kv *kv = &list->items[list->count];
    kv->name = strdup(name ? name : "");
    kv->value = strdup(value ? value : "");
    if (!kv->name || !kv->value) {
        free(kv->name);
        free(kv->value);
        return -1;
    }
    list->count++;
    return 0;
}

const char *pd_kvlist_get(const pd_kvlist *list, const char *name, int nocase)
{
    for (size_t i = 0; i < list->count; i++) {
        const char *n = list->items[i].name;
        if (nocase ? strcasecmp(n, name) == 0 : strcmp(n, name) == 0)
            return list->items[i].value;
    }
    return NULL;
}

void pd_kvlist_free(pd_kvlist *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].name);
        free(list->items[i].value);
    }
    free(list->items);
    list->items = NULL;
    list->count = list->cap = 0;
}
