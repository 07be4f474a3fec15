/* The churn model: POST /__sim/advance?days=N moves the simulated clock one
 * day at a time and applies that day's changes, all drawn from the dataset's
 * own churn generator so the same seed and the same sequence of advances
 * give the same data. */
#ifndef GSIM_CHURN_H
#define GSIM_CHURN_H

#include "dataset.h"

typedef struct {
    uint64_t created, updated, deleted;
} gsim_change_count;

typedef struct {
    gsim_change_count users, clients, pianos, events, timeline;
} gsim_churn_summary;

/* Applies days of churn; adds to *summary. 0, or -1 when out of memory. */
int gsim_churn_advance(gsim_dataset *ds, int days, gsim_churn_summary *summary);

#endif
