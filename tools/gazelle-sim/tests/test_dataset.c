/* The generated business and its churn, checked against the schema and
 * the invariants the README promises: every enum-valued member holds one of
 * its schema enum's values (before and after a year of churn), contacts
 * form one list per client with at most one default that is never
 * archived, every timeline entry has its client, and the same seed gives
 * the same business. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "churn.h"
#include "dataset.h"
#include "sdl.h"

static void generate(gsim_dataset *ds, uint64_t seed)
{
    gsim_params params;
    gsim_time now;
    gsim_params_default(&params);
    params.clients = 150;
    params.pianos = 200;
    params.events = 600;
    params.timeline = 900;
    params.user_edits_per_year = 60; /* some technicians leave */
    assert_int_equal(gsim_time_parse(&now, "2026-11-25T12:00:00Z"), 0);
    assert_int_equal(gsim_dataset_generate(ds, seed, now, &params), 0);
}

static void expect_enum(const char *type, const char *value)
{
    const gsim_stype *t = gsim_schema_type(gsim_schema_gazelle(), type);
    assert_non_null(t);
    if (gsim_stype_enum_index(t, value) < 0)
        print_error("%s is not a %s value\n", value ? value : "(null)", type);
    assert_true(gsim_stype_enum_index(t, value) >= 0);
}

static void expect_schema_enums(const gsim_dataset *ds)
{
    for (size_t i = 0; i < ds->users.count; i++) {
        expect_enum("UserStatus", ds->users.rows[i].status);
        expect_enum("AccessLevel", ds->users.rows[i].access_level);
    }
    for (size_t i = 0; i < ds->clients.count; i++)
        expect_enum("ClientStatus", ds->clients.rows[i].status);
    for (size_t i = 0; i < ds->pianos.count; i++) {
        expect_enum("PianoStatus", ds->pianos.rows[i].status);
        expect_enum("PianoType", ds->pianos.rows[i].type);
    }
    for (size_t i = 0; i < ds->events.count; i++) {
        expect_enum("EventStatus", ds->events.rows[i].status);
        expect_enum("EventType", ds->events.rows[i].type);
        expect_enum("SchedulerTravelMode", ds->events.rows[i].travel_mode);
    }
    for (size_t i = 0; i < ds->timeline.count; i++)
        expect_enum("TimelineEntryType", ds->timeline.rows[i].type);
}

static void expect_contacts(const gsim_dataset *ds, size_t *archived)
{
    size_t listed = 0;
    for (size_t c = 0; c < ds->clients.count; c++) {
        const gsim_client *cl = &ds->clients.rows[c];
        size_t defaults = 0;
        for (int32_t k = cl->first_contact; k >= 0;
             k = ds->contacts.rows[k].next) {
            const gsim_contact *ct = &ds->contacts.rows[k];
            assert_int_equal(ct->client, (int32_t)c);
            /* The id's serial is the row, so ids find their rows. */
            assert_int_equal(gsim_id_row(ds, GSIM_CONTACT, ct->id), k);
            defaults += ct->is_default;
            *archived += ct->archived;
            assert_false(ct->is_default && ct->archived);
            assert_true(ct->updated_at >= ct->created_at);
            listed++;
        }
        assert_true(defaults <= 1);
        assert_int_equal(defaults, cl->default_contact >= 0);
        if (cl->default_contact >= 0)
            assert_true(ds->contacts.rows[cl->default_contact].is_default);
    }
    assert_int_equal(listed, ds->contacts.count); /* every contact listed */
}

static void test_dataset_values_are_the_schema_enums(void **state)
{
    gsim_dataset ds;
    gsim_churn_summary sum;
    size_t archived = 0;
    (void)state;
    generate(&ds, 8);
    expect_schema_enums(&ds);
    expect_contacts(&ds, &archived);
    assert_true(archived > 0);
    memset(&sum, 0, sizeof(sum));
    assert_int_equal(gsim_churn_advance(&ds, 365, &sum), 0);
    expect_schema_enums(&ds);
    archived = 0;
    expect_contacts(&ds, &archived);
    assert_true(archived > 0);
    size_t inactive = 0, canceled = 0, complete = 0;
    for (size_t i = 0; i < ds.users.count; i++)
        if (strcmp(ds.users.rows[i].status, "INACTIVE") == 0) {
            inactive++;
            assert_false(ds.users.rows[i].is_schedulable);
        }
    for (size_t i = 0; i < ds.events.count; i++) {
        canceled += strcmp(ds.events.rows[i].status, "CANCELED") == 0;
        complete += strcmp(ds.events.rows[i].status, "COMPLETE") == 0;
    }
    assert_true(inactive > 0);
    assert_true(canceled > 0 && complete > 0);
    for (size_t i = 0; i < ds.timeline.count; i++) {
        const gsim_timeline *t = &ds.timeline.rows[i];
        assert_true(t->client >= 0);
        assert_false(ds.clients.rows[t->client].deleted);
        assert_true(t->edited_at >= t->created_at);
    }
    gsim_dataset_free(&ds);
    gsim_schema_release();
}

static void test_dataset_same_seed_same_business(void **state)
{
    gsim_dataset a, b;
    (void)state;
    generate(&a, 21);
    generate(&b, 21);
    assert_int_equal(a.contacts.count, b.contacts.count);
    assert_int_equal(a.timeline.count, b.timeline.count);
    for (size_t i = 0; i < a.contacts.count; i++) {
        assert_int_equal(a.contacts.rows[i].id, b.contacts.rows[i].id);
        assert_string_equal(a.contacts.rows[i].last_name,
                            b.contacts.rows[i].last_name);
    }
    for (size_t i = 0; i < a.events.count; i++)
        assert_string_equal(a.events.rows[i].status, b.events.rows[i].status);
    gsim_dataset_free(&a);
    gsim_dataset_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dataset_values_are_the_schema_enums),
        cmocka_unit_test(test_dataset_same_seed_same_business),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
