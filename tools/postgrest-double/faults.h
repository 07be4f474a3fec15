/* Fault injection for tests: rules that make the K-th (or every K-th)
 * matching request answer a status, wait, or lose its connection, so a
 * pusher can be driven through every retry branch. Thread-safe. */
#ifndef PD_FAULTS_H
#define PD_FAULTS_H

#include <stddef.h>

typedef struct pd_faults pd_faults;

typedef enum {
    PD_FAULT_NONE = 0,
    PD_FAULT_STATUS, /* answer `status` (with Retry-After, body) */
    PD_FAULT_CLOSE,  /* drop the connection without an answer */
} pd_fault_kind;

/* What to do with one request. */
typedef struct {
    long delay_ms; /* sum of the delay rules that fired */
    pd_fault_kind kind;
    int status;
    long retry_after; /* seconds; -1: no header */
    char *body;       /* JSON text to send, or NULL for the default */
} pd_fault_action;

pd_faults *pd_faults_new(void);
void pd_faults_free(pd_faults *faults);
/* Adds the rules of a JSON document {"rules":[...]} (or one rule object).
 * Returns 0, or -1 with a reason in err. */
int pd_faults_add(pd_faults *faults, const char *json, char *err,
                  size_t errlen);
void pd_faults_clear(pd_faults *faults);
/* Counts the request against every rule it matches and says what fires.
 * `out->body` is the caller's to free. */
void pd_faults_match(pd_fault_action *out, pd_faults *faults,
                     const char *method, const char *table);
/* The rules with their counters, as JSON text (caller frees). */
char *pd_faults_dump(pd_faults *faults);

#endif
