#include "edit.h"

#include <stdio.h>

#include "make.h"

enum { DAY = 86400 };

/* The edit's updatedAt: now, but above every earlier change, as churn's
 * ticks are (updatedAt never goes back). */
static gsim_time edit_tick(gsim_dataset *ds)
{
    gsim_time t = ds->now;

    if (t <= ds->last_change)
        t = ds->last_change + 1;
    ds->last_change = t;
    return t;
}

int gsim_edit_event_move(gsim_dataset *ds, const char *id, const char *day,
                         char *err, size_t errlen)
{
    uint64_t number = id ? gsim_id_parse(GSIM_EVENT, id) : 0;
    int64_t row = number ? gsim_id_row(ds, GSIM_EVENT, number) : -1;
    int64_t to;
    gsim_event *e;

    if (row < 0) {
        snprintf(err, errlen, "no event with id \"%s\"", id ? id : "");
        return -1;
    }
    if (!day || gsim_day_parse(&to, day) != 0) {
        snprintf(err, errlen, "\"to\" must be a day YYYY-MM-DD");
        return -1;
    }
    e = &ds->events.rows[row];
    e->start = to * DAY + (e->start - gsim_day_of(e->start) * DAY);
    e->updated_at = edit_tick(ds);
    gsim_orders_invalidate(ds);
    return 0;
}

int gsim_edit_event_book(gsim_dataset *ds, const char *day, char *id_out,
                         char *err, size_t errlen)
{
    int64_t on, row;

    if (!day || gsim_day_parse(&on, day) != 0) {
        snprintf(err, errlen, "\"on\" must be a day YYYY-MM-DD");
        return -1;
    }
    row = gsim_make_event(ds, &ds->rng, edit_tick(ds),
                          gsim_business_start(&ds->rng, on), ds->now);
    if (row < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    gsim_id_format(id_out, GSIM_EVENT, ds->events.rows[row].id);
    gsim_orders_invalidate(ds);
    return 0;
}
