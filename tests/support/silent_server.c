/* See silent_server.h. */
#include "silent_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNECTIONS 64

struct gs_silent_server {
    int listen_fd;
    pthread_t thread;
    atomic_int stop;
    atomic_int connections;
    atomic_int requests;
    int fds[MAX_CONNECTIONS];
    /* The tail of what each connection sent, so a request line split
     * between two reads is still counted once. */
    char carry[MAX_CONNECTIONS][16];
    char url[64];
};

static const char request_line_end[] = " HTTP/1.1\r\n";

/* Counts request lines in carry + data, then keeps the new tail. */
static void count_requests(gs_silent_server *srv, int slot, const char *data,
                           size_t len)
{
    size_t keep = strlen(srv->carry[slot]);
    char *text = malloc(keep + len + 1);
    const char *p;

    if (!text)
        return;
    memcpy(text, srv->carry[slot], keep);
    memcpy(text + keep, data, len);
    text[keep + len] = '\0';
    for (p = text; (p = strstr(p, request_line_end)) != NULL;
         p += sizeof request_line_end - 1)
        atomic_fetch_add(&srv->requests, 1);
    keep = keep + len < sizeof srv->carry[slot] - 1
               ? keep + len
               : sizeof srv->carry[slot] - 1;
    memcpy(srv->carry[slot], text + strlen(text) - keep, keep);
    srv->carry[slot][keep] = '\0';
    free(text);
}

static void accept_one(gs_silent_server *srv)
{
    int fd = accept(srv->listen_fd, NULL, NULL);

    if (fd < 0)
        return;
    for (int i = 0; i < MAX_CONNECTIONS; i++)
        if (srv->fds[i] < 0) {
            srv->fds[i] = fd;
            srv->carry[i][0] = '\0';
            atomic_fetch_add(&srv->connections, 1);
            return;
        }
    close(fd); /* full: a test never needs this many */
}

static void *run(void *arg)
{
    gs_silent_server *srv = arg;
    struct pollfd pfd[MAX_CONNECTIONS + 1];
    char buf[4096];

    while (!atomic_load(&srv->stop)) {
        pfd[0].fd = srv->listen_fd;
        pfd[0].events = POLLIN;
        for (int i = 0; i < MAX_CONNECTIONS; i++) {
            pfd[i + 1].fd = srv->fds[i];
            pfd[i + 1].events = POLLIN;
        }
        if (poll(pfd, MAX_CONNECTIONS + 1, 50) <= 0)
            continue;
        if (pfd[0].revents & POLLIN)
            accept_one(srv);
        for (int i = 0; i < MAX_CONNECTIONS; i++) {
            ssize_t n;
            if (srv->fds[i] < 0 || !(pfd[i + 1].revents & (POLLIN | POLLHUP)))
                continue;
            n = read(srv->fds[i], buf, sizeof buf);
            if (n <= 0) { /* the client gave up */
                close(srv->fds[i]);
                srv->fds[i] = -1;
                continue;
            }
            count_requests(srv, i, buf, (size_t)n);
        }
    }
    return NULL;
}

int gs_silent_server_start(gs_silent_server **out)
{
    gs_silent_server *srv = calloc(1, sizeof *srv);
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;

    *out = NULL;
    if (!srv)
        return -1;
    for (int i = 0; i < MAX_CONNECTIONS; i++)
        srv->fds[i] = -1;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    srv->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (srv->listen_fd < 0 ||
        bind(srv->listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(srv->listen_fd, 16) != 0 ||
        getsockname(srv->listen_fd, (struct sockaddr *)&addr, &len) != 0)
        goto fail;
    snprintf(srv->url, sizeof srv->url, "http://127.0.0.1:%u",
             (unsigned)ntohs(addr.sin_port));
    if (pthread_create(&srv->thread, NULL, run, srv) != 0)
        goto fail;
    *out = srv;
    return 0;
fail:
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    free(srv);
    return -1;
}

void gs_silent_server_stop(gs_silent_server *srv)
{
    if (!srv)
        return;
    atomic_store(&srv->stop, 1);
    pthread_join(srv->thread, NULL);
    for (int i = 0; i < MAX_CONNECTIONS; i++)
        if (srv->fds[i] >= 0)
            close(srv->fds[i]);
    close(srv->listen_fd);
    free(srv);
}

const char *gs_silent_server_url(const gs_silent_server *srv)
{
    return srv->url;
}

int gs_silent_server_connections(gs_silent_server *srv)
{
    return atomic_load(&srv->connections);
}

int gs_silent_server_requests(gs_silent_server *srv)
{
    return atomic_load(&srv->requests);
}
