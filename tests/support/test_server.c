/* The scriptable test HTTP server: see test_server.h. */
#include "test_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"

typedef struct {
    int status;
    char *body;
    size_t body_len;
    char *headers;
    int delay_ms;
    int close;
    int truncate;
} canned;

struct gs_test_server {
    struct MHD_Daemon *daemon;
    char url[64];
    pthread_mutex_t lock;
    canned *queue;
    size_t q_head, q_len, q_cap;
    gs_test_request **requests;
    size_t n_requests, cap_requests;
    int connections;
    gs_test_handler handler;
    void *handler_ctx;
};

/* The request being received on one connection. */
typedef struct {
    gs_buf body;
} pending_request;

static char *xstrdup(const char *s)
{
    char *copy = strdup(s ? s : "");
    if (!copy)
        abort(); /* tests: out of memory is fatal */
    return copy;
}

static canned canned_from(const gs_test_response *resp)
{
    canned c;
    c.status = resp->status ? resp->status : 200;
    c.body = xstrdup(resp->body);
    c.body_len = strlen(c.body);
    c.headers = resp->headers ? xstrdup(resp->headers) : NULL;
    c.delay_ms = resp->delay_ms;
    c.close = resp->close;
    c.truncate = resp->truncate;
    return c;
}

static void canned_free(canned *c)
{
    free(c->body);
    free(c->headers);
}

void gs_test_server_push(gs_test_server *srv, const gs_test_response *resp)
{
    pthread_mutex_lock(&srv->lock);
    if (srv->q_len == srv->q_cap) {
        size_t cap = srv->q_cap ? srv->q_cap * 2 : 8;
        canned *q = malloc(cap * sizeof *q);
        if (!q)
            abort();
        for (size_t i = 0; i < srv->q_len; i++)
            q[i] = srv->queue[(srv->q_head + i) % srv->q_cap];
        free(srv->queue);
        srv->queue = q;
        srv->q_cap = cap;
        srv->q_head = 0;
    }
    srv->queue[(srv->q_head + srv->q_len) % srv->q_cap] = canned_from(resp);
    srv->q_len++;
    pthread_mutex_unlock(&srv->lock);
}

void gs_test_server_push_json(gs_test_server *srv, int status, const char *json)
{
    gs_test_response r = {0};
    r.status = status;
    r.body = json;
    r.headers = "Content-Type: application/json\n";
    gs_test_server_push(srv, &r);
}

void gs_test_server_set_handler(gs_test_server *srv, gs_test_handler fn,
                                void *ctx)
{
    pthread_mutex_lock(&srv->lock);
    srv->handler = fn;
    srv->handler_ctx = ctx;
    pthread_mutex_unlock(&srv->lock);
}

static enum MHD_Result collect_kv(void *cls, enum MHD_ValueKind kind,
                                  const char *key, const char *value)
{
    gs_buf *buf = cls;
    if (kind == MHD_HEADER_KIND) {
        gs_buf_printf(buf, "%s: %s\n", key, value ? value : "");
    } else {
        if (buf->len)
            gs_buf_puts(buf, "&");
        gs_buf_printf(buf, "%s=%s", key, value ? value : "");
    }
    return MHD_YES;
}

static gs_test_request *record(gs_test_server *srv, struct MHD_Connection *conn,
                               const char *url, const char *method,
                               pending_request *pr)
{
    gs_test_request *req = calloc(1, sizeof *req);
    gs_buf headers = GS_BUF_INIT, query = GS_BUF_INIT;

    if (!req)
        abort();
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_kv, &headers);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_kv, &query);
    req->method = xstrdup(method);
    req->path = xstrdup(url);
    req->headers = xstrdup(headers.data);
    req->query = xstrdup(query.data);
    req->body_len = pr->body.len;
    req->body = malloc(pr->body.len + 1);
    if (!req->body)
        abort();
    if (pr->body.len)
        memcpy(req->body, pr->body.data, pr->body.len);
    req->body[pr->body.len] = '\0';
    gs_buf_free(&headers);
    gs_buf_free(&query);

    pthread_mutex_lock(&srv->lock);
    if (srv->n_requests == srv->cap_requests) {
        size_t cap = srv->cap_requests ? srv->cap_requests * 2 : 16;
        gs_test_request **r = realloc(srv->requests, cap * sizeof *r);
        if (!r)
            abort();
        srv->requests = r;
        srv->cap_requests = cap;
    }
    srv->requests[srv->n_requests++] = req;
    pthread_mutex_unlock(&srv->lock);
    return req;
}

static canned next_answer(gs_test_server *srv, const gs_test_request *req)
{
    canned c;
    gs_test_handler fn;
    void *ctx;

    pthread_mutex_lock(&srv->lock);
    if (srv->q_len) {
        c = srv->queue[srv->q_head];
        srv->q_head = (srv->q_head + 1) % srv->q_cap;
        srv->q_len--;
        pthread_mutex_unlock(&srv->lock);
        return c;
    }
    fn = srv->handler;
    ctx = srv->handler_ctx;
    pthread_mutex_unlock(&srv->lock);
    if (fn) {
        gs_test_response r = {0};
        fn(ctx, req, &r);
        return canned_from(&r);
    }
    gs_test_response r = {599, "no canned response", NULL, 0, 0, 0};
    return canned_from(&r);
}

typedef struct {
    char *body;
    size_t len;
} truncated_body;

static ssize_t read_truncated(void *cls, uint64_t pos, char *buf, size_t max)
{
    truncated_body *tb = cls;
    if (pos >= tb->len)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = tb->len - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, tb->body + pos, n);
    return (ssize_t)n;
}

static void free_truncated(void *cls)
{
    truncated_body *tb = cls;
    free(tb->body);
    free(tb);
}

static void add_headers(struct MHD_Response *resp, char *headers)
{
    char *save = NULL;
    for (char *line = strtok_r(headers, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *value = colon + 1;
        while (*value == ' ')
            value++;
        size_t vlen = strlen(value);
        if (vlen && value[vlen - 1] == '\r')
            value[vlen - 1] = '\0';
        MHD_add_response_header(resp, line, value);
    }
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    gs_test_server *srv = cls;
    pending_request *pr = *con_cls;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    (void)version;

    if (!pr) {
        pr = calloc(1, sizeof *pr);
        if (!pr)
            return MHD_NO;
        *con_cls = pr;
        return MHD_YES;
    }
    if (*upload_data_size) {
        gs_buf_append(&pr->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    const gs_test_request *req = record(srv, conn, url, method, pr);
    canned c = next_answer(srv, req);
    if (c.delay_ms > 0) {
        struct timespec ts = {c.delay_ms / 1000,
                              (long)(c.delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (c.close) {
        canned_free(&c);
        return MHD_NO; /* MHD drops the connection */
    }
    if (c.truncate) {
        truncated_body *tb = malloc(sizeof *tb);
        if (!tb)
            abort();
        tb->body = c.body;
        tb->len = c.body_len;
        c.body = NULL;
        resp = MHD_create_response_from_callback(
            tb->len + 100, 4096, read_truncated, tb, free_truncated);
    } else {
        resp = MHD_create_response_from_buffer(c.body_len, c.body,
                                               MHD_RESPMEM_MUST_COPY);
    }
    if (!resp) {
        canned_free(&c);
        return MHD_NO;
    }
    if (c.headers)
        add_headers(resp, c.headers);
    ret = MHD_queue_response(conn, (unsigned)c.status, resp);
    MHD_destroy_response(resp);
    canned_free(&c);
    return ret;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    pending_request *pr = *con_cls;
    (void)cls;
    (void)conn;
    (void)toe;
    if (pr) {
        gs_buf_free(&pr->body);
        free(pr);
        *con_cls = NULL;
    }
}

static void on_connection(void *cls, struct MHD_Connection *conn,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    gs_test_server *srv = cls;
    (void)conn;
    (void)socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        pthread_mutex_lock(&srv->lock);
        srv->connections++;
        pthread_mutex_unlock(&srv->lock);
    }
}

int gs_test_server_start(gs_test_server **out)
{
    gs_test_server *srv = calloc(1, sizeof *srv);
    struct sockaddr_in addr;
    const union MHD_DaemonInfo *info;

    *out = NULL;
    if (!srv)
        return -1;
    pthread_mutex_init(&srv->lock, NULL);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    srv->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
        NULL, NULL, answer, srv, MHD_OPTION_SOCK_ADDR, &addr,
        MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_END);
    if (!srv->daemon)
        goto fail;
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (!info || !info->port)
        goto fail;
    snprintf(srv->url, sizeof srv->url, "http://127.0.0.1:%u",
             (unsigned)info->port);
    *out = srv;
    return 0;
fail:
    gs_test_server_stop(srv);
    return -1;
}

void gs_test_server_stop(gs_test_server *srv)
{
    if (!srv)
        return;
    if (srv->daemon)
        MHD_stop_daemon(srv->daemon);
    for (size_t i = 0; i < srv->q_len; i++)
        canned_free(&srv->queue[(srv->q_head + i) % srv->q_cap]);
    free(srv->queue);
    for (size_t i = 0; i < srv->n_requests; i++) {
        gs_test_request *r = srv->requests[i];
        free(r->method);
        free(r->path);
        free(r->query);
        free(r->headers);
        free(r->body);
        free(r);
    }
    free(srv->requests);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
}

const char *gs_test_server_url(const gs_test_server *srv)
{
    return srv->url;
}

size_t gs_test_server_request_count(gs_test_server *srv)
{
    pthread_mutex_lock(&srv->lock);
    size_t n = srv->n_requests;
    pthread_mutex_unlock(&srv->lock);
    return n;
}

const gs_test_request *gs_test_server_request(gs_test_server *srv, size_t i)
{
    const gs_test_request *r = NULL;
    pthread_mutex_lock(&srv->lock);
    if (i < srv->n_requests)
        r = srv->requests[i];
    pthread_mutex_unlock(&srv->lock);
    return r;
}

char *gs_test_request_header(const gs_test_request *req, const char *name)
{
    size_t nlen = strlen(name);
    for (const char *line = req->headers; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > nlen + 1 && strncasecmp(line, name, nlen) == 0 &&
            line[nlen] == ':') {
            const char *v = line + nlen + 1;
            while (*v == ' ')
                v++;
            return strndup(v, (size_t)(line + len - v));
        }
        line = end ? end + 1 : line + len;
    }
    return NULL;
}

int gs_test_server_connections(gs_test_server *srv)
{
    pthread_mutex_lock(&srv->lock);
    int n = srv->connections;
    pthread_mutex_unlock(&srv->lock);
    return n;
}

size_t gs_test_server_pending(gs_test_server *srv)
{
    pthread_mutex_lock(&srv->lock);
    size_t n = srv->q_len;
    pthread_mutex_unlock(&srv->lock);
    return n;
}
