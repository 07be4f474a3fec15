/* --log-requests FILE: every POST /graphql/private/ request appended to FILE
 * as one JSON line {"query","variables","operationName"} (absent members
 * as null), flushed line by line so a test can read the file while the
 * simulator runs. It is how the conformance test collects every document
 * gazsync sends, with its variables, to validate them against the schema
 * with a reference implementation. */
#ifndef GSIM_REQLOG_H
#define GSIM_REQLOG_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    FILE *file; /* NULL: logging off */
} gsim_reqlog;

/* Opens path for appending. 0, or -1 with errno set. */
int gsim_reqlog_open(gsim_reqlog *log, const char *path);
/* Appends the request body as one line; a body that is not a JSON object
 * is logged with its three members null. Does nothing when logging is off. */
void gsim_reqlog_write(gsim_reqlog *log, const char *body, size_t len);
/* Closes the file (safe when logging is off). */
void gsim_reqlog_close(gsim_reqlog *log);

#endif
