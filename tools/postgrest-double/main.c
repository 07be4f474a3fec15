/* postgrest-double: PostgREST's REST API over a real PostgreSQL database,
 * for tests, the demo and benchmarks. See README.md.
 *
 *   postgrest-double --port 0 --db "<libpq conninfo>" --key KEY
 *                    [--max-body BYTES]
 *
 * The key may instead come from the environment variable
 * POSTGREST_DOUBLE_KEY, which keeps it out of `ps`. The first line on stdout
 * is the base URL (http://127.0.0.1:PORT); SIGINT or SIGTERM stops it. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "double.h"
#include "faults.h"
#include "server.h"
#include "stats.h"

#define DEFAULT_MAX_BODY (16u * 1024u * 1024u)

typedef struct {
    long port;
    const char *db;
    const char *key;
    long long max_body;
} options;

static int parse_number(long long *out, const char *text, long long max)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: postgrest-double --port N --db CONNINFO "
                    "--key KEY [--max-body BYTES]\n");
    return 2;
}

static int parse_options(options *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},
        {"db", required_argument, NULL, 'd'},
        {"key", required_argument, NULL, 'k'},
        {"max-body", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long long n;
    int c;
    o->port = 0;
    o->db = NULL;
    o->key = getenv("POSTGREST_DOUBLE_KEY");
    o->max_body = DEFAULT_MAX_BODY;
    while ((c = getopt_long(argc, argv, "p:d:k:m:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (parse_number(&n, optarg, 65535) != 0)
                return -1;
            o->port = (long)n;
            break;
        case 'd':
            o->db = optarg;
            break;
        case 'k':
            o->key = optarg;
            break;
        case 'm':
            if (parse_number(&o->max_body, optarg, (long long)1 << 40) != 0)
                return -1;
            break;
        default:
            return -1;
        }
    }
    return (o->db && o->key && *o->key && optind == argc) ? 0 : -1;
}

int main(int argc, char **argv)
{
    options opt;
    pd_context ctx = {0};
    pd_server *server = NULL;
    unsigned port = 0;
    char err[512];
    int rc = 1, sig = 0;
    sigset_t stop_signals;

    if (parse_options(&opt, argc, argv) != 0)
        return usage();
    /* Block the stop signals before any thread starts so that only
     * sigwait() below sees them; SIGPIPE from a client that hung up must
     * not kill the server. */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    ctx.key = opt.key;
    ctx.anon_key = getenv("POSTGREST_DOUBLE_ANON_KEY");
    ctx.max_body = (size_t)opt.max_body;
    if (pd_db_open(&ctx.db, opt.db, err, sizeof(err)) != 0) {
        fprintf(stderr, "postgrest-double: cannot connect: %s\n", err);
        goto done;
    }
    ctx.faults = pd_faults_new();
    ctx.stats = pd_stats_new();
    if (!ctx.faults || !ctx.stats)
        goto done;
    if (pd_server_start(&server, &port, &ctx, (unsigned)opt.port) != 0) {
        fprintf(stderr, "postgrest-double: cannot listen on port %ld\n",
                opt.port);
        goto done;
    }
    printf("http://127.0.0.1:%u\n", port);
    fflush(stdout);
    sigwait(&stop_signals, &sig);
    rc = 0;
done:
    pd_server_stop(server);
    pd_stats_free(ctx.stats);
    pd_faults_free(ctx.faults);
    pd_db_close(ctx.db);
    return rc;
}
