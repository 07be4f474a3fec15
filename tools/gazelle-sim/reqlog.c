#include "reqlog.h"

#include <jansson.h>
#include <stdlib.h>

int gsim_reqlog_open(gsim_reqlog *log, const char *path)
{
    log->file = fopen(path, "a");
    return log->file ? 0 : -1;
}

static json_t *member(json_t *body, const char *name)
{
    json_t *v = json_object_get(body, name);
    return v ? json_incref(v) : json_null();
}

void gsim_reqlog_write(gsim_reqlog *log, const char *body, size_t len)
{
    if (!log->file)
        return;
    json_t *doc = json_loadb(body, len, 0, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        doc = NULL; /* json_object_get(NULL, ...) gives NULL: all null */
    }
    json_t *line = json_object();
    json_object_set_new(line, "query", member(doc, "query"));
    json_object_set_new(line, "variables", member(doc, "variables"));
    json_object_set_new(line, "operationName", member(doc, "operationName"));
    char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text) {
        fputs(text, log->file);
        fputc('\n', log->file);
        fflush(log->file);
    }
    free(text);
    json_decref(line);
    json_decref(doc);
}

void gsim_reqlog_close(gsim_reqlog *log)
{
    if (log->file)
        fclose(log->file);
    log->file = NULL;
}
