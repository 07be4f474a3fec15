/**
 * @file gazelle.h
 * @brief The Gazelle GraphQL client: fixed query documents with variables,
 *        bearer-token or API-key auth, one OAuth refresh on 401 (the new
 *        tokens persisted through a callback), GraphQL `errors` in a 200
 *        treated as failure, connections read from `nodes` or `edges`.
 */
#ifndef GAZSYNC_GAZELLE_H
#define GAZSYNC_GAZELLE_H

#include <jansson.h>

#include "gazsync/entity.h"
#include "gazsync/http.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gs_gazelle gs_gazelle;

/** Called with fresh tokens after a refresh, to persist them. */
typedef int (*gs_token_saver)(void *ctx, const char *access_token,
                              const char *refresh_token);

typedef struct {
    const char *api_url;       /**< ".../graphql/private/" */
    const char *oauth_url;     /**< ".../developer/oauth/token"; NULL: derived
                                    from api_url's origin */
    const char *access_token;  /**< bearer auth, or NULL */
    const char *api_key;       /**< x-gazelle-api-key auth, or NULL */
    const char *refresh_token; /**< for refresh on 401, or NULL */
    const char *client_id;
    const char *client_secret;
    gs_token_saver save_tokens; /**< may be NULL */
    void *save_ctx;
} gs_gazelle_opts;

/** Creates a client over @p http (borrowed, must outlive it). Strings are
 *  copied. Free with gs_gazelle_free(). */
int gs_gazelle_new(gs_gazelle **out, gs_http *http,
                   const gs_gazelle_opts *opts);
void gs_gazelle_free(gs_gazelle *client);

/**
 * Runs one query. *data gets the `data` object (caller json_decref()s).
 * @p what names the request in errors ("clients page 3"). Errors: GS_EAUTH
 * (401 after one refresh, 403), GS_ERATELIMIT, GS_EHTTP (status in the
 * detail), GS_EPROTO (not JSON, GraphQL errors: their messages quoted).
 */
int gs_gazelle_query(json_t **data, gs_gazelle *client, const char *document,
                     json_t *variables, const char *what);

/** Requests this client sent (retries and refreshes included). */
long long gs_gazelle_requests(const gs_gazelle *client);

/** One page of a connection, or a whole plain list. */
typedef struct {
    json_t *nodes;    /**< array of node objects (owned: decref) */
    char *end_cursor; /**< NULL when absent; free() */
    int has_next_page;
    long long total_count; /**< the connection's totalCount; -1 absent */
} gs_gazelle_page;

/** Reads `data.<root_field>`: a connection with `nodes` or `edges`, or,
 *  for a root the schema types as a plain list (`allUsers: [PrivateUser!]!`)
 *  and only for it, that list, taken as one complete page. Errors:
 *  GS_EPROTO naming the root field. */
int gs_gazelle_page_parse(gs_gazelle_page *out, json_t *data,
                          const char *root_field);
/** Reads the connection object @p conn itself (a nested one, such as a
 *  client's allContacts); @p name names it in errors. */
int gs_gazelle_conn_parse(gs_gazelle_page *out, json_t *conn, const char *name);
void gs_gazelle_page_free(gs_gazelle_page *page);

/** The query document of @p entity, built from its descriptor
 *  (gs_entity.document, its nested entity's connection, gs_entity.reads):
 *  the operation's variables are its document.variables (users none, a plain
 *  list; the others $first, $after and: clients $sortBy, $filters and
 *  $contactsFirst; pianos $sortBy and $filters; appointments $filters,
 *  $sortBy and $pianosFirst; timeline $occurredAtGet and $types). For a
 *  nested entity (contacts) it is the follow-up document, which reads one
 *  parent's connection again from a cursor. A plain function of the
 *  descriptor: the same entity gives the same text. Returns a malloc'd
 *  string (free() it), or NULL when @p entity has no document or out of
 *  memory. */
char *gs_gazelle_document_build(const gs_entity *entity);

/** The document of @p entity (gs_gazelle_document_build(), built once and
 *  kept for the process). Static. NULL for contacts, which come inside
 *  clients (allContacts), or out of memory. */
const char *gs_gazelle_document(const gs_entity *entity);

/** The follow-up document for a client whose contacts did not fit the
 *  nested page: `client(id: $id) { id allContacts(first: $first, after:
 *  $after, includeArchived: true) }`. Static. */
const char *gs_gazelle_contacts_document(void);

/** Adds the lists of every value of the enum filters of @p entity
 *  (gs_entity.all_values), so that no row is hidden by a default the API
 *  does not document: into @p filters (the $filters object) or @p vars (the
 *  variables themselves), as each filter's descriptor says: clients and
 *  pianos `status` (filters), appointments `status` and `type` (filters),
 *  timeline `types` (a variable). Nothing for users. 0, or -1 out of memory
 *  (or a filter whose object is NULL). */
int gs_gazelle_add_all_values(json_t *vars, json_t *filters,
                              const gs_entity *entity);

/* ---- Packed requests (issue 13): several pages in one document ---- */

/** One root field of a packed document: a page of @p entity asked with
 *  @p variables, named as in gs_gazelle_document(entity) ("first", "after",
 *  "filters", "sortBy", "contactsFirst", ...). Borrowed. */
typedef struct {
    const gs_entity *entity; /**< any entity with a read of its own */
    json_t *variables;       /**< its variables (an object; {} for users) */
} gs_gazelle_part;

/** The document asking every part in one operation (`GazsyncPacked`): part
 *  i under the alias `p<i>` (`p0: allClients(first: $p0_first, ...)`), its
 *  variables declared and named `$p<i>_<name>`, the selection exactly the
 *  one gs_gazelle_document() has for the entity. The variables of the
 *  nested lists are per part too: `$p<i>_contactsFirst` (a clients part's
 *  allContacts), `$p<i>_pianosFirst` (an appointments part's
 *  allEventPianos). Every variable of each part's entity is declared,
 *  whether or not the part carries it (one the part leaves out is not sent,
 *  and its argument is then absent, as in the single document), so the
 *  text is a plain function of the parts' entities alone. malloc'd
 *  (free()), NULL when @p n is 0, a part has no read of its own (contacts,
 *  no entity), or out of memory. */
char *gs_gazelle_packed_document(const gs_gazelle_part *parts, size_t n);

/** The variables object that goes with gs_gazelle_packed_document() for the
 *  same parts: each part's variables renamed `p<i>_<name>` (values shared
 *  with the parts, not copied). New reference; NULL when a part's
 *  variables are not an object (NULL counts as {}), or out of memory. */
json_t *gs_gazelle_packed_variables(const gs_gazelle_part *parts, size_t n);

/**
 * Sends the parts as one request (gs_gazelle_query(): auth, refresh,
 * retries, politeness, GraphQL errors are failures). answers[i] gets an
 * object `{<root field of part i>: data.p<i>}` (a new reference), so that
 * gs_gazelle_page_parse(&page, answers[i], entity->root_field) reads it as
 * it reads a page asked alone.
 * @p what names the request in errors ("request 3: clients 2 ranges,
 * pianos 1"). A refusal the service gives to a request that is too costly
 * (graphql-ruby's "Query has complexity of C, which exceeds max complexity
 * of N", "This query is too large to execute.", "Query has depth of ...
 * exceeds max depth", an HTTP 413, a 502/504 when the retries ran out, or
 * no answer before the timeout) is GS_ETOOBIG, so the caller can split the
 * parts and ask again; every other failure keeps gs_gazelle_query()'s
 * code (a 503, a dropped connection: GS_EHTTP). An answer without some
 * `p<i>` is GS_EPROTO naming the alias and the part's entity; no parts, or
 * a part with no read of its own, GS_EINVAL (nothing sent). On failure
 * every answers[i] is NULL. Note that a timeout also trips the transport's
 * breaker (http.h): the host is not asked again this run.
 */
int gs_gazelle_query_packed(json_t **answers, gs_gazelle *client,
                            const gs_gazelle_part *parts, size_t n,
                            const char *what);

#ifdef __cplusplus
}
#endif
#endif
