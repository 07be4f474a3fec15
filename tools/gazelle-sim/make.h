/* Builders of new rows, shared by the initial generation and churn so a
 * client created on day 400 of a simulation looks like one from the seed.
 * Each returns the new row's index or -1 when out of memory. */
#ifndef GSIM_MAKE_H
#define GSIM_MAKE_H

#include "dataset.h"

int gsim_grow(void **rows, size_t *cap, size_t count, size_t size);
#define GSIM_PUSH(array)                                                    \
    (gsim_grow((void **)&(array).rows, &(array).cap, (array).count,         \
               sizeof((array).rows[0])) == 0                                \
         ? &(array).rows[(array).count++]                                   \
         : NULL)

/* access_level is an AccessLevel value; assistants are not schedulable. */
int64_t gsim_make_user(gsim_dataset *ds, gsim_rng *rng, gsim_time created,
                       const char *access_level);
/* A client with its contacts (none for a few, one default, sometimes more,
 * some of those archived). */
int64_t gsim_make_client(gsim_dataset *ds, gsim_rng *rng, gsim_time created);
/* A new contact appended to the client's list (not default, not archived);
 * the caller decides on those. */
int64_t gsim_make_contact(gsim_dataset *ds, gsim_rng *rng, int32_t client,
                          gsim_time created);
/* Makes contact row the client's default (the former one stays, no longer
 * default). */
void gsim_set_default_contact(gsim_dataset *ds, int32_t client, int32_t row);
/* The client's default contact, or NULL. */
gsim_contact *gsim_default_contact(gsim_dataset *ds, const gsim_client *c);
int64_t gsim_make_piano(gsim_dataset *ds, gsim_rng *rng, int32_t client,
                        gsim_time created);
/* An event starting at start, booked at created; the technician is drawn
 * among users that existed at `created`. */
int64_t gsim_make_event(gsim_dataset *ds, gsim_rng *rng, gsim_time created,
                        gsim_time start, gsim_time now);
/* client must be a live client row: PrivateTimelineEntry.client is
 * non-null. appointment is the event row of an APPOINTMENT entry or -1. */
int64_t gsim_make_timeline(gsim_dataset *ds, gsim_rng *rng,
                           gsim_time occurred, gsim_time created,
                           int32_t client, int32_t piano, int32_t user,
                           int32_t appointment, const char *type);
/* Random live rows (-1 when none). */
int32_t gsim_pick_client(gsim_dataset *ds, gsim_rng *rng, gsim_time before);
/* A schedulable, active user hired by `before` (the admin when none). */
int32_t gsim_pick_user(gsim_dataset *ds, gsim_rng *rng, gsim_time before);
/* Any active user hired by `before`: who books or writes things. */
int32_t gsim_pick_staff(gsim_dataset *ds, gsim_rng *rng, gsim_time before);
int32_t gsim_pick_piano_of(gsim_dataset *ds, gsim_rng *rng, int32_t client);
/* A business-hours start (13:00-21:30 UTC, on the half hour) on day. */
gsim_time gsim_business_start(gsim_rng *rng, int64_t day);
void gsim_piano_service_dates(gsim_piano *p, gsim_rng *rng, gsim_time now);

#endif
