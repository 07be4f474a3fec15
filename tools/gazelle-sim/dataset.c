/* Dataset lifetime, default sizes and rates, and row storage growth. */
#include "dataset.h"

#include <stdlib.h>
#include <string.h>

#include "make.h"

const char *const gsim_client_tags[] = {
    "VIP", "Concert", "École", "Église", "Studio", "Institution",
    "Résidentiel", "Collectionneur", "Rappel 6 mois", "Do not call"};
const size_t gsim_client_tag_count =
    sizeof(gsim_client_tags) / sizeof(gsim_client_tags[0]);
const char *const gsim_piano_tags[] = {
    "concert", "rental", "restoration", "humidity-control", "player-system",
    "à vendre"};
const size_t gsim_piano_tag_count =
    sizeof(gsim_piano_tags) / sizeof(gsim_piano_tags[0]);

void gsim_params_default(gsim_params *p)
{
    memset(p, 0, sizeof(*p));
    /* The seed's business (contracts/gazelle.md): 5 technicians, ~850
     * clients, 1,200 pianos, 8,000 events over 2 years back and 6 months
     * ahead, 60,000 timeline entries over ten years. */
    p->users = 5;
    p->clients = 850;
    p->pianos = 1200;
    p->events = 8000;
    p->timeline = 60000;
    p->hires_per_year = 2;
    p->user_edits_per_year = 3;
    p->client_update_pct = 1.0;
    p->piano_update_pct = 0.5;
    p->clients_per_day = 0.6;
    p->pianos_per_day = 0.8;
    p->client_deletes_per_year = 4;
    p->piano_deletes_per_year = 6;
    p->events_per_day = 9;
    p->reschedules_per_day = 2;
    p->cancels_per_day = 0.8;
    p->timeline_per_day = 16;
    p->bulk_edit_chance = 0.05;
    p->timeline_edits_per_day = 0.5;
    p->timeline_edit_window_days = 30;
}

void gsim_dataset_free(gsim_dataset *ds)
{
    if (!ds)
        return;
    free(ds->users.rows);
    free(ds->clients.rows);
    free(ds->contacts.rows);
    free(ds->pianos.rows);
    free(ds->events.rows);
    free(ds->timeline.rows);
    for (int k = 0; k < GSIM_KIND_COUNT; k++)
        for (int s = 0; s < GSIM_KEY_COUNT; s++)
            free(ds->orders[k][s].entries);
    gsim_arena_free(&ds->text);
    memset(ds, 0, sizeof(*ds));
}

int gsim_grow(void **rows, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return 0;
    size_t next = *cap ? *cap * 2 : 64;
    void *grown = realloc(*rows, next * size);
    if (!grown)
        return -1;
    *rows = grown;
    *cap = next;
    return 0;
}
