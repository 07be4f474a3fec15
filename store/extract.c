/* Column paths of engine/entity/entity_map.c, split once per store, and the
 * lookup of a column's value in a Gazelle node; plus the row hash. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int gs__path_compile(gs_path *out, const char *path)
{
    size_t len = strlen(path), n = 1, i;
    char *p;

    memset(out, 0, sizeof *out);
    for (i = 0; i < len; i++)
        if (path[i] == '.')
            n++;
    out->text = malloc(len + 1);
    out->segs = calloc(n, sizeof *out->segs);
    if (!out->text || !out->segs) {
        gs__path_free(out);
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    }
    memcpy(out->text, path, len + 1);
    p = out->text;
    for (i = 0; i < n; i++) {
        char *dot = strchr(p, '.');
        size_t seg_len = dot ? (size_t)(dot - p) : strlen(p);

        if (dot)
            *dot = '\0';
        if (seg_len >= 2 && memcmp(p + seg_len - 2, "[]", 2) == 0) {
            out->segs[i].is_array = 1;
            seg_len -= 2;
            p[seg_len] = '\0';
        }
        out->segs[i].key = p;
        out->segs[i].key_len = seg_len;
        p += (dot ? (size_t)(dot - p) : seg_len) + 1;
    }
    out->n_segs = n;
    return GS_OK;
}

void gs__path_free(gs_path *path)
{
    if (!path)
        return;
    free(path->text);
    free(path->segs);
    path->text = NULL;
    path->segs = NULL;
    path->n_segs = 0;
}

/* Walks @segs from @node. A "[]" segment maps the rest of the path over the
 * array's elements and collects the non-null results into a new array; a
 * missing or null array gives NULL (no value), an empty one gives []. */
static json_t *walk(int *owned, json_t *node, const gs_path_seg *segs, size_t n)
{
    json_t *value = node;
    size_t i;

    *owned = 0;
    for (i = 0; i < n && value; i++) {
        value = json_is_object(value)
                    ? json_object_getn(value, segs[i].key, segs[i].key_len)
                    : NULL;
        if (value && segs[i].is_array) {
            json_t *list, *elem;
            size_t k;

            if (!json_is_array(value))
                return NULL;
            list = json_array();
            if (!list)
                return NULL;
            json_array_foreach(value, k, elem)
            {
                int elem_owned;
                json_t *got = walk(&elem_owned, elem, segs + i + 1, n - i - 1);

                if (!got || json_is_null(got)) {
                    if (elem_owned)
                        json_decref(got);
                    continue;
                }
                if ((elem_owned ? json_array_append_new(list, got)
                                : json_array_append(list, got)) != 0) {
                    json_decref(list);
                    return NULL;
                }
            }
            *owned = 1;
            return list;
        }
    }
    return value;
}

json_t *gs__path_get(int *owned, json_t *node, const gs_path *path)
{
    return walk(owned, node, path->segs, path->n_segs);
}
