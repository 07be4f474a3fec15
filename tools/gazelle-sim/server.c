#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "churn.h"
#include "edit.h"
#include "json_out.h"
#include "request.h"
#include "resolve.h"
#include "sdl.h"
#include "validate.h"

/* The dump is the GraphQL answer with every modelled field selected, built
 * from a real query (validated against the schema at start) so its shape
 * cannot drift from what clients receive. Nested references are ids only,
 * as sync clients ask for them, except a client's contacts: every one of
 * them, archived included, under the client as "contacts": {"nodes": [...]}
 * (and the default one in full again as "defaultContact"). */
#define CONTACT_FIELDS                                                         \
    "id isDefault archived firstName lastName title role wantsEmail "          \
    "wantsPhone wantsText createdAt updatedAt defaultEmail { email } "         \
    "defaultPhone { phoneNumber } defaultLocation { street1 street2 "          \
    "municipality postalCode region }"
static const char dump_query[] =
    "{ allUsers { id firstName lastName fullName email status accessLevel "
    "isSchedulable timezone region color createdAt updatedAt }"
    " allClients { nodes { id companyName status tags clientType "
    "personalNotes preferenceNotes preferredTechnicianId lifecycleState "
    "referredBy noContactUntil noContactReason defaultClientLocalization { "
    "locale } createdAt updatedAt defaultContact { " CONTACT_FIELDS " } "
    "contacts: allContacts(first: 200, includeArchived: true) { nodes "
    "{ " CONTACT_FIELDS " } } } }"
    " allPianos { nodes { id client { id } make model serialNumber type year "
    "location notes status size tags serviceIntervalMonths "
    "calculatedLastService calculatedNextService caseColor caseFinish "
    "useType hasIvory rental playerInstalled consignment "
    "needsRepairOrRebuilding damppChaserInstalled createdAt updatedAt } }"
    " allEventsBatched { nodes { id title start duration isAllDay notes type "
    "status confirmedByClient source travelMode client { id } user { id } "
    "createdBy { id } createdAt updatedAt allEventPianos { nodes { piano { "
    "id } isTuning } } } }"
    " allTimelineEntries { nodes { id occurredAt type summary comment client "
    "{ id } piano { id } user { id } appointment { id } invoice { id } "
    "estimate { id } } } }";

typedef struct {
    gs_buf body;
} conn_ctx;

typedef struct {
    const char *data;
    size_t len, keep, sent;
} truncated_body;

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status,
                             const char *content_type, char *body, size_t len,
                             int retry_after)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, body ? body : (char *)"",
        body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", content_type);
    if (retry_after >= 0) {
        char value[16];
        snprintf(value, sizeof(value), "%d", retry_after);
        MHD_add_response_header(r, "Retry-After", value);
    }
    if (status == 401)
        MHD_add_response_header(r, "WWW-Authenticate",
                                "Bearer error=\"invalid_token\"");
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result queue_json(struct MHD_Connection *c, unsigned status,
                                  json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!text)
        return MHD_NO;
    return queue(c, status, "application/json", text, strlen(text), -1);
}

static ssize_t truncated_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    truncated_body *t = cls;
    if (pos >= t->keep)
        return MHD_CONTENT_READER_END_WITH_ERROR; /* cut mid-body */
    size_t n = t->keep - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, t->data + pos, n);
    return (ssize_t)n;
}

static void truncated_free(void *cls)
{
    truncated_body *t = cls;
    free((void *)t->data);
    free(t);
}

/* Announces the full length but sends only keep bytes and then drops the
 * connection: what a client sees when a proxy dies mid-answer. */
static enum MHD_Result queue_truncated(struct MHD_Connection *c, char *body,
                                       size_t len, int64_t keep)
{
    truncated_body *t = calloc(1, sizeof(*t));
    if (!t) {
        free(body);
        return MHD_NO;
    }
    t->data = body;
    t->len = len;
    t->keep = keep < 0 ? len / 2 : (size_t)keep < len ? (size_t)keep : len / 2;
    struct MHD_Response *r = MHD_create_response_from_callback(
        len, 4096, truncated_reader, t, truncated_free);
    if (!r) {
        truncated_free(t);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return rc;
}

char *gsim_server_dump(gsim_server *s, size_t *len)
{
    gsim_out out = {GS_BUF_INIT, 0};
    json_t *vars = json_object(), *errors = json_array();
    gsim_exec ex = {.ds = &s->ds, .out = &out, .vars = vars, .errors = errors};
    static const char *const names[] = {"users", "clients", "pianos", "events",
                                        "timeline"};
    gsim_out_puts(&out, "{");
    const gql_field *root = s->dump_op->selections;
    for (int kind = 0; kind <= GSIM_TIMELINE; kind++, root = root->next) {
        /* allUsers is a plain list; the others are connections. */
        const gql_field *set =
            kind == GSIM_USER ? root->selections : root->selections->selections;
        size_t count = kind == GSIM_USER     ? s->ds.users.count
                       : kind == GSIM_CLIENT ? s->ds.clients.count
                       : kind == GSIM_PIANO  ? s->ds.pianos.count
                       : kind == GSIM_EVENT  ? s->ds.events.count
                                             : s->ds.timeline.count;
        int first = 1;
        gsim_out_key(&out, &(int){kind == 0}, names[kind]);
        gsim_out_puts(&out, "[");
        for (size_t row = 0; row < count; row++) {
            if ((kind == GSIM_CLIENT && s->ds.clients.rows[row].deleted) ||
                (kind == GSIM_PIANO && s->ds.pianos.rows[row].deleted))
                continue;
            if (!first)
                gsim_out_puts(&out, ",");
            first = 0;
            gsim_render_row(&ex, (gsim_kind)kind, (uint32_t)row, set);
        }
        gsim_out_puts(&out, "]");
    }
    gsim_out_puts(&out, "}");
    json_decref(vars);
    json_decref(errors);
    if (out.failed) {
        gs_buf_free(&out.buf);
        return NULL;
    }
    *len = out.buf.len;
    return gs_buf_detach(&out.buf);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static const char not_json_body[] =
    "<html><head><title>502 Bad Gateway</title></head>\n<body><center><h1>"
    "502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n</body>"
    "</html>\n";

/* Builds the answer for a fired fault that replaces the real one. */
static enum MHD_Result queue_fault(struct MHD_Connection *c,
                                   const gsim_fault_rule *r, const char *root)
{
    char *body;
    switch (r->action) {
    case GSIM_FAULT_STATUS: {
        json_t *doc = json_pack("{s:s,s:i}", "error", "simulated fault",
                                "status", r->status);
        body = json_dumps(doc, JSON_COMPACT);
        json_decref(doc);
        return queue(c, (unsigned)r->status, "application/json", body,
                     body ? strlen(body) : 0, r->retry_after);
    }
    case GSIM_FAULT_NOT_JSON:
        body = strdup(not_json_body);
        return queue(c, 200, "text/html", body, body ? strlen(body) : 0, -1);
    default: {
        json_t *doc =
            json_pack("{s:[{s:s,s:[],s:[s],s:{s:s}}],s:n}", "errors", "message",
                      "Internal server error (simulated)", "locations", "path",
                      root ? root : "", "extensions", "code",
                      "INTERNAL_SERVER_ERROR", "data");
        return queue_json(c, 200, doc);
    }
    }
}

static int auth_ok(gsim_server *s, struct MHD_Connection *c)
{
    const char *authz =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    const char *key =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-gazelle-api-key");
    return gsim_auth_check(&s->auth, authz, key, s->ds.now) == 0;
}

static enum MHD_Result serve_graphql(gsim_server *s, struct MHD_Connection *c,
                                     const gs_buf *body)
{
    gsim_request req;
    gsim_fault_rule fault;
    int fired = 0, status = 200;
    gsim_out out = {GS_BUF_INIT, 0};
    enum MHD_Result rc;
    uint64_t answered_nodes = 0;

    pthread_mutex_lock(&s->lock);
    /* Logged before auth: a rejected request is still a document sent. */
    gsim_reqlog_write(&s->reqlog, body->data ? body->data : "", body->len);
    s->stats.requests++;
    s->stats.graphql_requests++;
    if (!auth_ok(s, c)) {
        s->stats.by_status[401]++;
        pthread_mutex_unlock(&s->lock);
        char *text = strdup("{\"error\":\"invalid_token\"}");
        return queue(c, 401, "application/json", text, text ? strlen(text) : 0,
                     -1);
    }
    gsim_request_prepare_limited(&req, body->data ? body->data : "",
                                 body->len, &s->limits);
    s->stats.limit_refusals += (uint64_t)req.over_limit;
    gsim_stats_count_roots(&s->stats, req.roots, req.root_uses, req.nroots);
    fired = gsim_faults_match(&s->faults, req.roots, req.nroots, 1, &fault);
    if (fired)
        s->stats.faults_fired++;
    int replaced = fired && fault.action != GSIM_FAULT_DELAY &&
                   fault.action != GSIM_FAULT_TRUNCATE;
    if (!replaced) {
        uint64_t pages, nodes;
        gsim_request_answer(&req, &s->ds, &out, &pages, &nodes);
        status = req.status;
        s->stats.pages += pages;
        s->stats.nodes += nodes;
        s->stats.bytes_sent += out.buf.len;
        answered_nodes = nodes;
    } else {
        status = fault.action == GSIM_FAULT_STATUS  ? fault.status
                 : fault.action == GSIM_FAULT_CLOSE ? 0
                                                    : 200;
    }
    s->stats.by_status[status]++;
    const char *root = req.nroots ? req.roots[0] : NULL;
    char root_copy[64];
    snprintf(root_copy, sizeof(root_copy), "%s", root ? root : "");
    gsim_request_free(&req);
    pthread_mutex_unlock(&s->lock);

    if (replaced) {
        gs_buf_free(&out.buf);
        if (fault.action == GSIM_FAULT_CLOSE)
            return MHD_NO; /* libmicrohttpd drops the connection */
        return queue_fault(c, &fault, root_copy);
    }
    if (out.failed) {
        gs_buf_free(&out.buf);
        return MHD_NO;
    }
    if (fired && fault.action == GSIM_FAULT_DELAY)
        sleep_ms(fault.delay_ms);
    /* Outside the lock: a slow answer holds its own connection only. */
    double latency =
        s->latency_ms + s->latency_per_node_ms * (double)answered_nodes;
    if (latency > 0)
        sleep_ms(latency > 86400000.0 ? 86400000 : (int)(latency + 0.5));
    size_t len = out.buf.len;
    char *text = gs_buf_detach(&out.buf);
    if (fired && fault.action == GSIM_FAULT_TRUNCATE)
        return queue_truncated(c, text, len, fault.keep_bytes);
    rc = queue(c, (unsigned)status, "application/json", text, len, -1);
    return rc;
}

static enum MHD_Result serve_token(gsim_server *s, struct MHD_Connection *c,
                                   const gs_buf *body)
{
    const char *ctype =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    static const char *const roots[] = {"oauth"};
    gsim_fault_rule fault;
    json_t *answer = NULL;
    pthread_mutex_lock(&s->lock);
    s->stats.requests++;
    s->stats.token_requests++;
    int fired = gsim_faults_match(&s->faults, roots, 1, 0, &fault);
    int status;
    if (fired) {
        s->stats.faults_fired++;
        status = fault.action == GSIM_FAULT_STATUS  ? fault.status
                 : fault.action == GSIM_FAULT_CLOSE ? 0
                                                    : 200;
    } else {
        status = gsim_auth_token(&s->auth, ctype, body->data ? body->data : "",
                                 body->len, s->ds.now, &answer);
    }
    s->stats.by_status[status]++;
    pthread_mutex_unlock(&s->lock);
    if (fired) {
        if (fault.action == GSIM_FAULT_CLOSE)
            return MHD_NO;
        if (fault.action == GSIM_FAULT_DELAY)
            sleep_ms(fault.delay_ms);
        else
            return queue_fault(c, &fault, "oauth");
        /* a delayed request then gets its real answer */
        pthread_mutex_lock(&s->lock);
        status = gsim_auth_token(&s->auth, ctype, body->data ? body->data : "",
                                 body->len, s->ds.now, &answer);
        pthread_mutex_unlock(&s->lock);
    }
    return queue_json(c, (unsigned)status, answer);
}

static json_t *summary_json(const gsim_churn_summary *sum, int days,
                            gsim_time now)
{
    char when[24];
    gsim_time_format(when, now);
    const gsim_change_count *counts[] = {
        &sum->users, &sum->clients, &sum->pianos, &sum->events, &sum->timeline};
    static const char *const names[] = {"users", "clients", "pianos", "events",
                                        "timeline"};
    json_t *doc = json_pack("{s:i,s:s}", "days", days, "now", when);
    for (int i = 0; i < 5; i++)
        json_object_set_new(doc, names[i],
                            json_pack("{s:I,s:I,s:I}", "created",
                                      (json_int_t)counts[i]->created, "updated",
                                      (json_int_t)counts[i]->updated, "deleted",
                                      (json_int_t)counts[i]->deleted));
    return doc;
}

static enum MHD_Result error_json(struct MHD_Connection *c, unsigned status,
                                  const char *msg)
{
    return queue_json(c, status, json_pack("{s:s}", "error", msg));
}

/* POST /__sim/events/move?id=&to=, /__sim/events/book?on= (edit.h). */
static enum MHD_Result serve_edit(gsim_server *s, struct MHD_Connection *c,
                                  const char *url)
{
    const char *id = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "id");
    const char *to = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "to");
    const char *on = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "on");
    char err[160] = "", booked[32] = "";
    int rc;

    pthread_mutex_lock(&s->lock);
    if (strcmp(url, "/__sim/events/move") == 0)
        rc = gsim_edit_event_move(&s->ds, id, to, err, sizeof err);
    else
        rc = gsim_edit_event_book(&s->ds, on, booked, err, sizeof err);
    pthread_mutex_unlock(&s->lock);
    if (rc != 0)
        return error_json(c, 400, err);
    if (booked[0])
        return queue_json(c, 200, json_pack("{s:s}", "id", booked));
    return queue_json(c, 200, json_pack("{s:b}", "ok", 1));
}

static enum MHD_Result serve_sim(gsim_server *s, struct MHD_Connection *c,
                                 const char *url, const char *method,
                                 const gs_buf *body)
{
    int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
    if (strcmp(url, "/__sim/advance") == 0 && post) {
        const char *days_text =
            MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "days");
        char *end = NULL;
        errno = 0;
        long days = days_text ? strtol(days_text, &end, 10) : 1;
        if (errno || (days_text && (*end || end == days_text)) || days < 0 ||
            days > 36500)
            return error_json(c, 400, "days must be an integer 0..36500");
        gsim_churn_summary sum;
        memset(&sum, 0, sizeof(sum));
        pthread_mutex_lock(&s->lock);
        int rc = gsim_churn_advance(&s->ds, (int)days, &sum);
        json_t *doc = summary_json(&sum, (int)days, s->ds.now);
        pthread_mutex_unlock(&s->lock);
        if (rc != 0) {
            json_decref(doc);
            return error_json(c, 500, "out of memory");
        }
        return queue_json(c, 200, doc);
    }
    if ((strcmp(url, "/__sim/events/move") == 0 ||
         strcmp(url, "/__sim/events/book") == 0) &&
        post)
        return serve_edit(s, c, url);
    if (strcmp(url, "/__sim/stats") == 0 && get) {
        pthread_mutex_lock(&s->lock);
        json_t *doc = gsim_stats_json(&s->stats);
        char when[24];
        gsim_time_format(when, s->ds.now);
        json_object_set_new(doc, "now", json_string(when));
        pthread_mutex_unlock(&s->lock);
        return queue_json(c, 200, doc);
    }
    if (strcmp(url, "/__sim/stats/reset") == 0 && post) {
        pthread_mutex_lock(&s->lock);
        memset(&s->stats, 0, sizeof(s->stats));
        pthread_mutex_unlock(&s->lock);
        return queue_json(c, 200, json_pack("{s:b}", "ok", 1));
    }
    if (strcmp(url, "/__sim/dump") == 0 && get) {
        size_t len = 0;
        pthread_mutex_lock(&s->lock);
        char *text = gsim_server_dump(s, &len);
        pthread_mutex_unlock(&s->lock);
        if (!text)
            return error_json(c, 500, "out of memory");
        return queue(c, 200, "application/json", text, len, -1);
    }
    if (strcmp(url, "/__sim/faults") == 0) {
        json_t *doc = NULL;
        char err[200] = "";
        int status = 200;
        pthread_mutex_lock(&s->lock);
        if (strcmp(method, "DELETE") == 0) {
            gsim_faults_clear(&s->faults);
        } else if (post) {
            json_t *rules =
                json_loadb(body->data ? body->data : "", body->len, 0, NULL);
            if (!rules || gsim_faults_load(&s->faults, rules, err, sizeof(err)))
                status = 400;
            json_decref(rules);
        } else if (!get) {
            status = 405;
            snprintf(err, sizeof(err), "use GET, POST or DELETE");
        }
        if (status == 200)
            doc = gsim_faults_json(&s->faults);
        pthread_mutex_unlock(&s->lock);
        if (status != 200)
            return error_json(c, (unsigned)status,
                              err[0] ? err : "body is not JSON");
        return queue_json(c, 200, doc);
    }
    return error_json(c, 404, "no such /__sim endpoint");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
                              const char *url, const char *method,
                              const char *version, const char *upload_data,
                              size_t *upload_size, void **con_cls)
{
    gsim_server *s = cls;
    conn_ctx *ctx = *con_cls;
    (void)version;
    if (!ctx) {
        ctx = calloc(1, sizeof(*ctx));
        if (!ctx)
            return MHD_NO;
        *con_cls = ctx;
        return MHD_YES;
    }
    if (*upload_size) {
        if (ctx->body.len + *upload_size > 64u * 1024 * 1024 ||
            gs_buf_append(&ctx->body, upload_data, *upload_size) != 0)
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (strncmp(url, "/__sim/", 7) == 0)
        return serve_sim(s, c, url, method, &ctx->body);
    if (strcmp(url, "/graphql/private/") == 0) {
        if (strcmp(method, "POST") != 0)
            return error_json(c, 405, "POST a GraphQL request");
        return serve_graphql(s, c, &ctx->body);
    }
    if (strcmp(url, "/developer/oauth/token") == 0 &&
        strcmp(method, "POST") == 0)
        return serve_token(s, c, &ctx->body);
    return error_json(c, 404, "not found");
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    conn_ctx *ctx = *con_cls;
    (void)cls;
    (void)c;
    (void)toe;
    if (ctx) {
        gs_buf_free(&ctx->body);
        free(ctx);
        *con_cls = NULL;
    }
}

int gsim_server_start(gsim_server *s, uint16_t port, uint16_t *bound)
{
    gql_document *doc;
    gql_error err;
    const gsim_schema *schema = gsim_schema_gazelle();
    if (!schema || gsim_resolve_bind(schema) != 0)
        return -1;
    json_t *errors = json_array(), *vars = NULL;
    if (gql_parse(&doc, &s->dump_arena, dump_query, strlen(dump_query), &err) !=
            0 ||
        gsim_validate_request(schema, doc, &s->dump_arena, NULL, NULL,
                              &s->dump_op, &vars, errors) != 0) {
        char *why = json_dumps(errors, JSON_COMPACT);
        fprintf(stderr, "gazelle-sim: internal dump query is invalid: %s\n",
                why ? why : err.message);
        free(why);
        json_decref(errors);
        return -1;
    }
    json_decref(vars);
    json_decref(errors);
    pthread_mutex_init(&s->lock, NULL);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->daemon = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
            MHD_USE_ERROR_LOG,
        port, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, &addr,
        MHD_OPTION_NOTIFY_COMPLETED, completed, s,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_END);
    if (!s->daemon)
        return -1;
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *bound = info ? info->port : port;
    return 0;
}

void gsim_server_stop(gsim_server *s)
{
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
    pthread_mutex_destroy(&s->lock);
    gsim_faults_clear(&s->faults);
    gsim_arena_free(&s->dump_arena);
    gsim_reqlog_close(&s->reqlog);
    gsim_resolve_unbind();
}
