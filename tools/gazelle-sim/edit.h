/* Edits a test makes at a chosen moment (POST /__sim/events/move and
 * /__sim/events/book), where churn draws its own: a reschedule and a
 * booking landing while a client's read runs, to test what it concludes. */
#ifndef GSIM_EDIT_H
#define GSIM_EDIT_H

#include <stddef.h>

#include "dataset.h"

/* Moves event @id (its text form) to @day (YYYY-MM-DD), keeping its time
 * of day, with a new updatedAt. 0, or -1 with @err saying why. */
int gsim_edit_event_move(gsim_dataset *ds, const char *id, const char *day,
                         char *err, size_t errlen);

/* Books a new event on @day (YYYY-MM-DD), created now; its id in @id_out
 * (at least 24 bytes). 0, or -1 with @err saying why. */
int gsim_edit_event_book(gsim_dataset *ds, const char *day, char *id_out,
                         char *err, size_t errlen);

#endif
