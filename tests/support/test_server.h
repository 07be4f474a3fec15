/* A tiny scriptable HTTP server for unit tests (libmicrohttpd, 127.0.0.1,
 * an ephemeral port, one thread per connection so a delayed answer does not
 * hold up the others).
 *
 * A test queues canned answers; each request takes the next one. When the
 * queue is empty the handler (if set) decides, else the answer is 599
 * "no canned response". Every request is recorded (method, path, query,
 * headers, body) and connections are counted, so tests can check keep-alive.
 *
 *   gs_test_server *srv;
 *   gs_test_server_start(&srv);
 *   gs_test_server_push(srv, &(gs_test_response){.status = 503});
 *   gs_test_server_push_json(srv, 200, "{\"data\":{}}");
 *   ... gs_test_server_url(srv) -> "http://127.0.0.1:PORT" ...
 *   const gs_test_request *r = gs_test_server_request(srv, 0);
 *   gs_test_server_stop(srv);
 */
#ifndef GS_TEST_SERVER_H
#define GS_TEST_SERVER_H

#include <stddef.h>

typedef struct gs_test_server gs_test_server;

/** One canned answer. Strings are copied by push. */
typedef struct {
    int status;          /**< 0: 200 */
    const char *body;    /**< NULL: empty */
    const char *headers; /**< "Name: value\n" lines, or NULL */
    int delay_ms;        /**< sleep before answering */
    int close;           /**< drop the connection without any answer */
    int truncate;        /**< announce a longer Content-Length, send the
                              body, then cut the connection */
} gs_test_response;

/** One recorded request; valid until gs_test_server_stop(). */
typedef struct {
    char *method;
    char *path;    /**< without the query string */
    char *query;   /**< "a=1&b=2" (decoded values re-joined), "" if none */
    char *headers; /**< "name: value\n" lines as received */
    char *body;    /**< NUL-terminated */
    size_t body_len;
} gs_test_request;

/** Decides an answer when the queue is empty; fill @p out (its strings
 *  must live until the next call or stop; they are copied). */
typedef void (*gs_test_handler)(void *ctx, const gs_test_request *request,
                                gs_test_response *out);

/** Starts the server. Returns 0, or -1 (the test should fail). */
int gs_test_server_start(gs_test_server **out);
void gs_test_server_stop(gs_test_server *srv);

/** "http://127.0.0.1:PORT" (no trailing slash). */
const char *gs_test_server_url(const gs_test_server *srv);

/** Queues an answer (copied). */
void gs_test_server_push(gs_test_server *srv, const gs_test_response *resp);
/** Queues a status with a JSON body and Content-Type: application/json. */
void gs_test_server_push_json(gs_test_server *srv, int status,
                              const char *json);
void gs_test_server_set_handler(gs_test_server *srv, gs_test_handler fn,
                                void *ctx);

/** Requests received so far. */
size_t gs_test_server_request_count(gs_test_server *srv);
/** The @p i-th request (0-based), or NULL. */
const gs_test_request *gs_test_server_request(gs_test_server *srv, size_t i);
/** The value of header @p name in @p req (case-insensitive), as a malloc'd
 *  string the caller frees; NULL if absent. */
char *gs_test_request_header(const gs_test_request *req, const char *name);
/** TCP connections accepted so far. */
int gs_test_server_connections(gs_test_server *srv);
/** Canned answers still queued. */
size_t gs_test_server_pending(gs_test_server *srv);

#endif
