/* Request counters, for tests and benchmarks to check how many requests a
 * push made and how they were answered. Thread-safe. */
#ifndef PD_STATS_H
#define PD_STATS_H

typedef struct pd_stats pd_stats;

pd_stats *pd_stats_new(void);
void pd_stats_free(pd_stats *stats);
/* One /rest/v1 request: its method, table (may be NULL), final status
 * (0 when the connection was dropped) and the rows it wrote. */
void pd_stats_record(pd_stats *stats, const char *method, const char *table,
                     int status, long long rows_written);
void pd_stats_reset(pd_stats *stats);
/* {"requests":N,"by_method":{..},"by_status":{..},"rows_written":N,
 *  "by_table":{table: rows_written},"requests_by_table":{..},"dropped":N}
 * as JSON text; the caller frees it. */
char *pd_stats_json(pd_stats *stats);

#endif
