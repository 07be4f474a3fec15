/* See server.h. */
#include "server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

struct pd_server {
    struct MHD_Daemon *daemon;
};

/* What arrives for one request before it is complete. */
typedef struct {
    gs_buf body;
    size_t received;
    int too_large;
} upload;

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind,
                               const char *name, const char *value)
{
    (void)kind;
    pd_kvlist_add(cls, name, value);
    return MHD_YES;
}

static enum MHD_Result send_response(struct MHD_Connection *conn,
                                     pd_response *resp)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        resp->body.len, resp->body.data ? resp->body.data : (char *)"",
        MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    if (resp->content_type && resp->body.len)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                resp->content_type);
    for (size_t i = 0; i < resp->headers.count; i++)
        MHD_add_response_header(r, resp->headers.items[i].name,
                                resp->headers.items[i].value);
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *data,
                                  size_t *data_size, void **state)
{
    pd_context *ctx = cls;
    upload *up = *state;
    (void)version;

    if (!up) {
        up = calloc(1, sizeof(*up));
        if (!up)
            return MHD_NO;
        *state = up;
        return MHD_YES;
    }
    if (*data_size) {
        /* Past the limit keep reading (and dropping) so the client gets a
         * clean 413 rather than a reset connection. */
        up->received += *data_size;
        if (ctx->max_body && up->received > ctx->max_body)
            up->too_large = 1;
        if (!up->too_large && gs_buf_append(&up->body, data, *data_size) != 0)
            return MHD_NO;
        *data_size = 0;
        return MHD_YES;
    }

    pd_request req = {0};
    pd_response resp = {0};
    req.method = method;
    req.path = url;
    req.body = up->body.data ? up->body.data : "";
    req.body_len = up->body.len;
    req.body_too_large = up->too_large;
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect, &req.args);
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect, &req.headers);
    pd_route(&resp, ctx, &req);
    enum MHD_Result rc =
        resp.drop_connection ? MHD_NO : send_response(conn, &resp);
    pd_response_free(&resp);
    pd_kvlist_free(&req.args);
    pd_kvlist_free(&req.headers);
    return rc;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode why)
{
    upload *up = *state;
    (void)cls;
    (void)conn;
    (void)why;
    if (up) {
        gs_buf_free(&up->body);
        free(up);
        *state = NULL;
    }
}

int pd_server_start(pd_server **out, unsigned *bound_port, pd_context *ctx,
                    unsigned port)
{
    struct sockaddr_in addr;
    pd_server *s = calloc(1, sizeof(*s));
    *out = NULL;
    if (!s)
        return -1;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* never other hosts */
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
            MHD_USE_ERROR_LOG,
        (uint16_t)port, NULL, NULL, on_request, ctx, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_END);
    if (!s->daemon) {
        free(s);
        return -1;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *bound_port = info ? info->port : port;
    *out = s;
    return 0;
}

void pd_server_stop(pd_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    free(s);
}
