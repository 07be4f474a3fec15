/* The packed run (issue 13): the reads of every entity due tonight, each cut
 * into ranges from the cache (pull_ranges.c), become streams of pages; the
 * streams' next pages are packed into requests of at most request_nodes
 * (the sum of their `first`), one Gazelle document each
 * (gs_gazelle_query_packed). Every page of an answer is checked first, then
 * all of them are stored with every checkpoint in one transaction: a run
 * killed at any point resumes each full read at each range's cursor.
 * engine/pull/README.md, "Packed requests", says why each rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "pull_packed.h"

/* What refusals taught (gs_pull_costs): the limit, each entity's cost per
 * node, a node cap, the clean runs since; a JSON object (a meta key). */
#define LEARNED_KEY "pull.request_nodes_learned"

/* The variables of @ref's page: the read's own, bounded to the range. */
static json_t *part_variables(packer *p, const part_ref *ref)
{
    entity_read *read = ref->read;
    stream *s = ref->s;
    const gs_entity *entity = read->entity;
    json_t *vars = gs__pull_page_variables(
        p->ctx, entity, &read->plan, gs__packed_ref_first(ref), s->cursor);
    json_t *filters = json_object_get(vars, "filters");
    int rc = 0;

    if (!vars)
        return NULL;
    if (s->bounds.types)
        rc |= json_object_set(vars, entity->all_values[0].key, s->bounds.types);
    else if (s->bounds.lo[0] || s->bounds.hi[0]) {
        int created = entity->reads.created_filter != NULL;
        /* createdGet/createdLet and startOn/endOn are inclusive days; the
         * descriptor names only the lower creation bound, its pair is the
         * schema's (PrivateAllClientsFilter, PrivateAllPianosFilter). */
        const char *from =
            created ? entity->reads.created_filter : entity->reads.window_from;
        const char *to = created ? "createdLet" : entity->reads.window_to;

        if (!filters) {
            rc |= json_object_set_new(vars, "filters", json_object());
            filters = json_object_get(vars, "filters");
        }
        /* An open end sends no bound: the first and last ranges reach
         * every date before and after the others. */
        if (s->bounds.lo[0])
            rc |= json_object_set_new(filters, from, json_string(s->bounds.lo));
        if (s->bounds.hi[0])
            rc |= json_object_set_new(filters, to, json_string(s->bounds.hi));
    }
    if (rc != 0) {
        json_decref(vars);
        return NULL;
    }
    return vars;
}

static void request_name(char *out, size_t size, long no, const part_ref *refs,
                         size_t n)
{
    size_t len;

    snprintf(out, size, "request %ld:", no);
    for (size_t i = 0; i < n; i++) {
        size_t count = 0;
        int seen = 0;

        for (size_t k = 0; k < i; k++)
            seen |= refs[k].read == refs[i].read;
        if (seen)
            continue;
        for (size_t k = i; k < n; k++)
            count += refs[k].read == refs[i].read;
        len = strlen(out);
        snprintf(out + len, size - len, "%s %s %zu", i ? "," : "",
                 refs[i].read->entity->name, count);
    }
}

static int check_bound(packer *p)
{
    long long made = gs_gazelle_requests(p->ctx->client) - p->requests_before;

    if (p->ctx->cfg->max_requests > 0 && made >= p->ctx->cfg->max_requests)
        return gs_error_set(GS_EPARTIAL, GS_ECLASS_NONE,
                            "max_requests = %ld reached after %lld Gazelle "
                            "requests; the next run resumes the full reads "
                            "left unfinished",
                            p->ctx->cfg->max_requests, made);
    return GS_OK;
}

static int caps_save(packer *p)
{
    const gs_pull_costs *c = &p->costs;
    json_t *doc =
        json_pack("{s:f,s:i,s:i,s:o}", "limit", c->limit, "nodes", c->nodes,
                  "clean_runs", c->clean_runs, "cost_per_node", json_object());
    json_t *per = json_object_get(doc, "cost_per_node");
    char *text;
    int rc;

    for (int e = 0; per && e < GS_ENTITY_COUNT; e++)
        if (c->per_node[e] > 0 &&
            json_object_set_new(per, gs_entity_get((gs_entity_id)e)->name,
                                json_real(c->per_node[e])) != 0)
            per = NULL;
    text = per ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS |
                                     JSON_REAL_PRECISION(8))
               : NULL;
    json_decref(doc);
    if (!text)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    rc = gs_store_meta_set(p->ctx->store, LEARNED_KEY, text);
    free(text);
    return rc;
}

/* A request of @refs was refused as too costly with @message: with
 * graphql-ruby's numbers, the limit and the costs per node (measured when
 * it held one entity, shared otherwise, pull_cost.c); without (a 413, a
 * timeout), half its nodes bound every request from now on. */
static int learn(packer *p, const part_ref *refs, size_t n, const char *message)
{
    long long nodes[GS_ENTITY_COUNT] = {0}, all = 0;
    double cost, limit;

    p->refused = 1;
    p->costs.clean_runs = 0;
    for (size_t i = 0; i < n; i++) {
        nodes[refs[i].read->entity->id] += gs__packed_ref_first(&refs[i]);
        all += gs__packed_ref_first(&refs[i]);
    }
    if (gs__pull_cost_parse(message, &cost, &limit))
        gs__pull_cost_learn(&p->costs, nodes, cost, limit, &p->exact);
    else if (!p->costs.nodes || all / 2 < p->costs.nodes)
        p->costs.nodes = all / 2 > 0 ? (int)(all / 2) : 1;
    return caps_save(p);
}

/* Parts of one entity first, then the next: a refused request of several
 * entities is asked again entity by entity before anything is learned.
 * Returns how many entities @refs holds. */
static size_t group_by_entity(part_ref *refs, size_t n)
{
    size_t groups = 0;

    for (size_t i = 0; i < n; i++) {
        size_t k = i + 1;

        for (size_t j = i + 1; j < n; j++)
            if (refs[j].read == refs[i].read) {
                part_ref moved = refs[j];

                memmove(&refs[k + 1], &refs[k], (j - k) * sizeof *refs);
                refs[k++] = moved;
            }
        groups++;
        i = k - 1;
    }
    return groups;
}

/* Parts of one read in stream order (a read cut by start day keeps its
 * ranges in day order, pull_streams.c). */
static int by_stream(const void *a, const void *b)
{
    const stream *x = ((const part_ref *)a)->s, *y = ((const part_ref *)b)->s;

    return x < y ? -1 : x > y;
}

/* Asks @refs as one request. A refusal as too costly splits it: by entity
 * first (at most one level, GS_ENTITY_COUNT groups), then a request of one
 * entity in halves, each asked on its own (at most log2(n) levels more),
 * and half of the refused size is what that entity's parts get later. */
static int send(packer *p, part_ref *refs, size_t n)
{
    gs_gazelle_part *parts = calloc(n, sizeof *parts);
    json_t **answers = calloc(n, sizeof *answers);
    char what[200], *refusal = NULL;
    int rc = parts && answers
                 ? check_bound(p)
                 : gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");

    for (size_t i = 0; rc == GS_OK && i < n; i++) {
        parts[i].entity = refs[i].read->entity;
        parts[i].variables = part_variables(p, &refs[i]);
        if (!parts[i].variables)
            rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    }
    if (rc != GS_OK)
        goto done;
    request_name(what, sizeof what, ++p->request_no, refs, n);
    rc = gs_gazelle_query_packed(answers, p->ctx->client, parts, n, what);
    if (rc == GS_ETOOBIG && !(refusal = strdup(gs_error_last()->message)))
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int counted = 0;

        for (size_t k = 0; k < i; k++)
            counted |= refs[k].read == refs[i].read;
        if (!counted)
            refs[i].read->requests++;
    }
    if (rc == GS_ETOOBIG && n == 1 && !refs[0].s->small && !refs[0].recount &&
        gs__packed_part_first(refs[0].read, refs[0].s) >
            refs[0].read->page_size) {
        /* An enlarged page refused alone is asked again at the page size;
         * graphql-ruby's numbers, when it gave them, teach the entity's
         * cost, which sizes the next enlarged pages to fit (entity_cap); a
         * refusal without numbers teaches nothing here, since a node cap
         * would bound every request. */
        double cost, limit;

        if (gs__pull_cost_parse(refusal, &cost, &limit) &&
            learn(p, refs, 1, refusal) == GS_ESTORE) {
            rc = GS_ESTORE;
            goto done;
        }
        p->refused = 1;
        refs[0].s->small = 1;
        refs[0].s->first = refs[0].read->page_size;
        p->splitting++;
        rc = send(p, refs, 1);
        p->splitting--;
        goto split;
    } else if (rc == GS_ETOOBIG && n == 1) {
        char name[160];

        gs__packed_part_name(name, sizeof name, &refs[0]);
        if (learn(p, refs, n, refusal) == GS_ESTORE) {
            rc = GS_ESTORE;
            goto done;
        }
        rc = gs_error_set(GS_ETOOBIG, GS_ECLASS_GAZELLE,
                          "%s: refused as too costly even alone (%d nodes); "
                          "lower [entity.%s] page_size",
                          name, gs__packed_ref_first(&refs[0]),
                          refs[0].read->entity->name);
    } else if (rc == GS_ETOOBIG && group_by_entity(refs, n) > 1) {
        size_t start = 0;

        p->refused = 1;
        rc = GS_OK;
        p->splitting++;
        for (size_t i = 1; i <= n && rc == GS_OK; i++)
            if (i == n || refs[i].read != refs[start].read) {
                rc = send(p, refs + start, i - start);
                start = i;
            }
        p->splitting--;
        /* after the parts: an entity they measured alone leaves the rest
         * of the cost to the others */
        if (rc == GS_OK)
            rc = learn(p, refs, n, refusal);
        goto split;
    } else if (rc == GS_ETOOBIG) {
        size_t half = n / 2, rest = 0;

        /* halves in day order: the earlier ranges go first */
        qsort(refs, n, sizeof *refs, by_stream);
        rc = learn(p, refs, n, refusal);
        p->splitting++;
        if (rc == GS_OK)
            rc = send(p, refs, half);
        /* a half that failed its read leaves the other nothing to ask */
        for (size_t i = half; rc == GS_OK && i < n; i++)
            if (refs[i].read->open)
                refs[half + rest++] = refs[i];
        if (rc == GS_OK && rest > 0)
            rc = send(p, refs + half, rest);
        p->splitting--;
        goto split;
    }
    if (rc == GS_OK)
        rc = gs__packed_absorb(p, refs, n, answers);
    else if (rc != GS_EAUTH && rc != GS_EPARTIAL && rc != GS_ECANCELED &&
             rc != GS_ESTORE) {
        /* The request failed for every entity it carried; the others go
         * on, as an unpacked run goes on after one entity's failure. */
        gs_error why = *gs_error_last();
        int failure = rc;

        rc = GS_OK;
        for (size_t i = 0; i < n && rc != GS_ESTORE; i++)
            if (refs[i].read->open) {
                gs_error_set(why.code, why.klass, "%s", why.message);
                rc = gs__packed_stop_read(p, refs[i].read, failure);
            }
        rc = rc == GS_ESTORE ? rc : GS_OK;
    }
    goto done;
split: /* the parts of a refused request all asked: their reads complete */
    if (rc == GS_OK && !p->splitting)
        rc = gs__packed_complete_done(p, refs, n);
done:
    for (size_t i = 0; parts && i < n; i++)
        json_decref(parts[i].variables);
    for (size_t i = 0; answers && i < n; i++)
        json_decref(answers[i]);
    free(parts);
    free(answers);
    free(refusal);
    return rc;
}

/* What refusals taught earlier runs; anything else (an older cache's
 * per-entity caps, a broken value) is forgotten: the next refusal teaches
 * again. */
static int learned_caps(packer *p)
{
    char *text = NULL;
    json_t *doc, *per;
    int rc = gs_store_meta_get(&text, p->ctx->store, LEARNED_KEY);

    p->budget = p->ctx->cfg->request_nodes;
    doc = rc == GS_OK && text ? json_loads(text, 0, NULL) : NULL;
    per = json_object_get(doc, "cost_per_node");
    for (int e = 0; e < GS_ENTITY_COUNT; e++) {
        double c = json_number_value(
            json_object_get(per, gs_entity_get((gs_entity_id)e)->name));

        p->costs.per_node[e] = c > 0 ? c : 0;
    }
    p->costs.limit = json_number_value(json_object_get(doc, "limit"));
    if (p->costs.limit < 0)
        p->costs.limit = 0;
    p->costs.nodes = (int)json_integer_value(json_object_get(doc, "nodes"));
    if (p->costs.nodes < 0 || p->costs.nodes >= p->budget)
        p->costs.nodes = 0;
    p->costs.clean_runs =
        (int)json_integer_value(json_object_get(doc, "clean_runs"));
    json_decref(doc);
    free(text);
    return rc;
}

/* A run without a refusal counts toward the weekly probe (pull_cost.c,
 * engine/pull/README.md "Limits"). */
static int grow_back(packer *p)
{
    if (p->refused || (p->costs.limit <= 0 && p->costs.nodes <= 0))
        return GS_OK;
    gs__pull_cost_clean_run(&p->costs, p->budget);
    return caps_save(p);
}

int gs__pull_packed(gs_pull_ctx *ctx, const gs_entity *const *order,
                    size_t n_order, int *attempted, int *failed,
                    int *first_failure)
{
    packer p = {.ctx = ctx,
                .requests_before = gs_gazelle_requests(ctx->client),
                .failed = failed,
                .first_failure = first_failure};
    part_ref *refs = NULL;
    size_t max_parts = 0;
    int stop = GS_OK, rc;

    p.reads = calloc(n_order ? n_order : 1, sizeof *p.reads);
    if (!p.reads)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    stop = learned_caps(&p);
    ctx->report->request_nodes = p.budget;
    for (size_t i = 0; stop == GS_OK && i < n_order; i++) {
        entity_read *read = &p.reads[p.n_reads];
        unsigned bit = 1u << order[i]->id;

        if (ctx->opts->entities && !(ctx->opts->entities & bit))
            continue;
        if (ctx->opts->cancel && *ctx->opts->cancel) {
            stop = gs_error_set(GS_ECANCELED, GS_ECLASS_NONE,
                                "pull interrupted before %s", order[i]->name);
            break;
        }
        (*attempted)++;
        p.n_reads++;
        read->entity = order[i];
        rc = gs_store_state_get(&read->state, ctx->store, read->entity);
        if (rc != GS_OK) {
            gs__pull_record_failure(ctx, read->entity, NULL, rc);
            gs__packed_count_failure(
                &p, gs__pull_entity_done(ctx, read->entity, rc));
        } else if ((rc = gs__packed_read_start(&p, read)) != GS_OK)
            gs__packed_fail_read(&p, read, rc);
        else if (read->open && !gs__packed_reads_left(read))
            rc = gs__packed_complete_read(&p, read);
        else if (!read->open &&
                 (rc = gs__pull_entity_done(ctx, read->entity, GS_OK)) != GS_OK)
            gs__packed_count_failure(&p, rc);
        if (rc == GS_ESTORE)
            stop = rc;
        max_parts += read->n_streams;
    }
    refs = calloc(max_parts ? max_parts : 1, sizeof *refs);
    if (!refs && stop == GS_OK)
        stop = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
    while (stop == GS_OK) {
        size_t n = 0;

        stop = gs__packed_pick(&p, refs, max_parts, &n);
        if (stop != GS_OK || n == 0)
            break;
        rc = send(&p, refs, n);
        if (rc == GS_EAUTH) {
            /* every other request would be refused the same way */
            gs_error why = *gs_error_last();

            for (size_t r = 0; r < p.n_reads && stop == GS_OK; r++)
                if (p.reads[r].open) {
                    gs_error_set(why.code, why.klass, "%s", why.message);
                    stop = gs__packed_stop_read(&p, &p.reads[r], rc);
                }
            if (stop == GS_OK)
                gs_error_set(why.code, why.klass, "%s", why.message);
            break;
        }
        if (rc != GS_OK) {
            stop = rc;
            break;
        }
        if (ctx->opts->cancel && *ctx->opts->cancel)
            stop = gs_error_set(GS_ECANCELED, GS_ECLASS_NONE,
                                "interrupted after request %ld; the next run "
                                "resumes there",
                                p.request_no);
    }
    /* Stopped: what is unfinished keeps its checkpoints for the next run;
     * a read with every page stored finishes (without a sweep if its
     * counts were still to ask). */
    if (stop != GS_OK) {
        gs_error saved = *gs_error_last();

        for (size_t r = 0; r < p.n_reads; r++)
            if (p.reads[r].open) {
                gs_error_set(saved.code, saved.klass, "%s", saved.message);
                /* a cache fault while finishing one is the run's */
                if (gs__packed_stop_read(&p, &p.reads[r], stop) == GS_ESTORE &&
                    stop != GS_ESTORE) {
                    stop = GS_ESTORE;
                    saved = *gs_error_last();
                }
            }
        gs_error_set(saved.code, saved.klass, "%s", saved.message);
    } else
        stop = grow_back(&p);
    /* Nothing left to ask, yet a read is open: a bug, said for its entity,
     * never a run that says OK with the entity "running" for good. */
    for (size_t r = 0; stop == GS_OK && r < p.n_reads; r++)
        if (p.reads[r].open)
            gs__packed_fail_read(
                &p, &p.reads[r],
                gs_error_set(GS_EPROTO, GS_ECLASS_NONE,
                             "%s: the read ended with %zu stream(s) "
                             "unread and nothing left to ask",
                             p.reads[r].entity->name,
                             gs__packed_reads_left(&p.reads[r])));
    for (size_t r = 0; r < p.n_reads; r++)
        gs__packed_read_free(&p.reads[r]);
    free(p.reads);
    free(refs);
    return stop;
}
