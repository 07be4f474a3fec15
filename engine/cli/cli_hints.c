/* After a failure, one line saying what to do about the mistakes people
 * make most: a host that does not resolve or refuses connections (the URL
 * or the network), a Gazelle URL without /graphql/private/ answering 404.
 * The transport's messages already name the method, host and path; these
 * lines add the variable to look at. curl's texts for its codes
 * ("Couldn't resolve host name", "Couldn't connect to server") are part of
 * its stable API (curl_easy_strerror), so matching them is safe. */
#include "cli.h"

#include <string.h>

static int said; /* once per run: the pull and push halves may both fail */

static void hint(const gs_cli *cli, const char *variable, const char *url,
                 const char *message)
{
    char host[256];

    if (said || !message || !url)
        return;
    gs_http_url_host(host, sizeof host, url);
    if (strstr(message, "Couldn't resolve host")) {
        fprintf(stderr,
                "%s: hint: the name %s does not resolve: check %s and this "
                "machine's network and DNS\n",
                cli->prog, host, variable);
        said = 1;
    } else if (strstr(message, "Couldn't connect")) {
        fprintf(stderr,
                "%s: hint: %s refuses connections: check %s (host and "
                "port) and any firewall or proxy\n",
                cli->prog, host, variable);
        said = 1;
    } else if (strstr(message, "HTTP 404") &&
               strcmp(variable, "GAZELLE_API_URL") == 0 &&
               !strstr(url, "/graphql/private")) {
        fprintf(stderr,
                "%s: hint: GAZELLE_API_URL should end in /graphql/private/ "
                "(the private API), e.g. https://gazelleapp.io/graphql/"
                "private/\n",
                cli->prog);
        said = 1;
    }
}

void cli_pull_hint(const gs_cli *cli, const gs_config *cfg,
                   const gs_pull_report *report, const gs_error *saved)
{
    hint(cli, "GAZELLE_API_URL", cfg->gazelle_url, saved->message);
    for (int i = 0; i < GS_ENTITY_COUNT; i++)
        if (report->entity[i].code != GS_OK)
            hint(cli, "GAZELLE_API_URL", cfg->gazelle_url,
                 report->entity[i].error);
}

void cli_push_hint(const gs_cli *cli, const gs_config *cfg,
                   const gs_push_report *report, const gs_error *saved)
{
    hint(cli, "SUPABASE_URL", cfg->supabase_url, saved->message);
    for (int i = 0; i < GS_ENTITY_COUNT; i++)
        if (report->entity[i].code != GS_OK)
            hint(cli, "SUPABASE_URL", cfg->supabase_url,
                 report->entity[i].error);
}
