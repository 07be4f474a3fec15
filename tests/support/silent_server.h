/* A server that accepts connections, reads what is sent, and never answers:
 * the hung host of issue 11 (defect 7). 127.0.0.1, an ephemeral port, one
 * thread polling every connection; it counts connections and HTTP requests
 * (request lines), so a test can check how often a dead host was asked.
 *
 *   gs_silent_server *srv;
 *   gs_silent_server_start(&srv);
 *   ... gs_silent_server_url(srv) -> "http://127.0.0.1:PORT" ...
 *   gs_silent_server_requests(srv);
 *   gs_silent_server_stop(srv);
 */
#ifndef GS_SILENT_SERVER_H
#define GS_SILENT_SERVER_H

typedef struct gs_silent_server gs_silent_server;

/** Starts the server. Returns 0, or -1 (the test should fail). */
int gs_silent_server_start(gs_silent_server **out);
/** Closes every connection and stops the thread. Accepts NULL. */
void gs_silent_server_stop(gs_silent_server *srv);
/** "http://127.0.0.1:PORT" (no trailing slash). */
const char *gs_silent_server_url(const gs_silent_server *srv);
/** TCP connections accepted so far. */
int gs_silent_server_connections(gs_silent_server *srv);
/** HTTP request lines received so far. */
int gs_silent_server_requests(gs_silent_server *srv);

#endif
