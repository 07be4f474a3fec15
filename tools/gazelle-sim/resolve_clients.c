/* Resolvers of clients and their contacts (with a contact's default
 * email, phone and location, and a client's localization). */
#include "resolve_internal.h"

static int32_t client_row(const gsim_exec *ex, const gsim_client *c)
{
    return (int32_t)(c - ex->ds->clients.rows);
}

GSIM_ID_FIELD(client_id, gsim_client, GSIM_CLIENT)
GSIM_STR_FIELD(client_company, gsim_client, company_name)
GSIM_STR_FIELD(client_status, gsim_client, status)
GSIM_STR_FIELD(client_type, gsim_client, client_type)
GSIM_STR_FIELD(client_personal_notes, gsim_client, personal_notes)
GSIM_STR_FIELD(client_preference_notes, gsim_client, preference_notes)
GSIM_STR_FIELD(client_lifecycle, gsim_client, lifecycle_state)
GSIM_STR_FIELD(client_referred_by, gsim_client, referred_by)
GSIM_STR_FIELD(client_no_contact_reason, gsim_client, no_contact_reason)
GSIM_DAY_FIELD(client_no_contact_until, gsim_client, no_contact_until)
/* --null-created-clients: the oldest rows answer null (resolve_page.c
 * leaves them out of every created day bound). */
static void client_created(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    const gsim_client *c = s->row;

    (void)f;
    if ((uint64_t)client_row(ex, c) < ex->ds->params.null_created_clients)
        gsim_out_puts(ex->out, "null");
    else
        gsim_out_time(ex->out, c->created_at);
}
GSIM_TIME_FIELD(client_updated, gsim_client, updated_at)
GSIM_REF_FIELD(client_preferred_tech, gsim_client, GSIM_USER, preferred_tech)
GSIM_REF_FIELD(client_default_contact, gsim_client, GSIM_CONTACT,
               default_contact)

static void client_tags(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    (void)f;
    gsim_out_tags(ex->out, ((const gsim_client *)s->row)->tags,
                  gsim_client_tags, gsim_client_tag_count);
}

static void client_preferred_tech_id(gsim_exec *ex, const gsim_src *s,
                                     const gql_field *f)
{
    const gsim_client *c = s->row;
    (void)f;
    if (c->preferred_tech < 0)
        gsim_out_puts(ex->out, "null");
    else
        gsim_out_id(ex->out, GSIM_USER,
                    ex->ds->users.rows[c->preferred_tech].id);
}

/* CoreLocalization's source is the client: only its locale is modelled. */
static void client_localization(gsim_exec *ex, const gsim_src *s,
                                const gql_field *f)
{
    gsim_render_child(ex, f, s);
}

GSIM_STR_FIELD(localization_locale, gsim_client, locale)

static void client_contacts(gsim_exec *ex, const gsim_src *s,
                            const gql_field *f)
{
    gsim_render_connection(ex, f, GSIM_CONTACT, client_row(ex, s->row), 0);
}

static void client_pianos(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    gsim_render_connection(ex, f, GSIM_PIANO, client_row(ex, s->row), 0);
}

GSIM_ID_FIELD(contact_id, gsim_contact, GSIM_CONTACT)
GSIM_STR_FIELD(contact_first, gsim_contact, first_name)
GSIM_STR_FIELD(contact_last, gsim_contact, last_name)
GSIM_STR_FIELD(contact_title, gsim_contact, title)
GSIM_STR_FIELD(contact_role, gsim_contact, role)
GSIM_BOOL_FIELD(contact_is_default, gsim_contact, is_default)
GSIM_BOOL_FIELD(contact_archived, gsim_contact, archived)
GSIM_BOOL_FIELD(contact_wants_email, gsim_contact, wants_email)
GSIM_BOOL_FIELD(contact_wants_phone, gsim_contact, wants_phone)
GSIM_BOOL_FIELD(contact_wants_text, gsim_contact, wants_text)
GSIM_TIME_FIELD(contact_created, gsim_contact, created_at)
GSIM_TIME_FIELD(contact_updated, gsim_contact, updated_at)
GSIM_REF_FIELD(contact_client, gsim_contact, GSIM_CLIENT, client)

/* The default email, phone and location objects have the contact as their
 * source; each is null when the contact has none. */
static void contact_email(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    const gsim_contact *k = s->row;
    gsim_render_child(ex, f, k->email ? s : NULL);
}

static void contact_phone(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    const gsim_contact *k = s->row;
    gsim_render_child(ex, f, k->phone ? s : NULL);
}

/* A phone the client confirmed for texts: the default phone of a contact
 * who wants texts. */
static void contact_mobile(gsim_exec *ex, const gsim_src *s, const gql_field *f)
{
    const gsim_contact *k = s->row;
    gsim_render_child(ex, f, k->phone && k->wants_text ? s : NULL);
}

static void contact_location(gsim_exec *ex, const gsim_src *s,
                             const gql_field *f)
{
    const gsim_contact *k = s->row;
    gsim_render_child(ex, f, k->has_location ? s : NULL);
}

static void is_default_true(gsim_exec *ex, const gsim_src *s,
                            const gql_field *f)
{
    (void)s;
    (void)f;
    gsim_out_bool(ex->out, 1);
}

static void location_country(gsim_exec *ex, const gsim_src *s,
                             const gql_field *f)
{
    (void)s;
    (void)f;
    gsim_out_str(ex->out, "CA");
}

GSIM_STR_FIELD(email_email, gsim_contact, email)
GSIM_STR_FIELD(phone_number, gsim_contact, phone)
GSIM_STR_FIELD(location_street1, gsim_contact, street1)
GSIM_STR_FIELD(location_street2, gsim_contact, street2)
GSIM_STR_FIELD(location_municipality, gsim_contact, municipality)
GSIM_STR_FIELD(location_postal_code, gsim_contact, postal_code)
GSIM_STR_FIELD(location_region, gsim_contact, region)

static const gsim_field_resolver client[] = {
    {"id", client_id},
    {"companyName", client_company},
    {"status", client_status},
    {"clientType", client_type},
    {"personalNotes", client_personal_notes},
    {"preferenceNotes", client_preference_notes},
    {"lifecycleState", client_lifecycle},
    {"referredBy", client_referred_by},
    {"noContactReason", client_no_contact_reason},
    {"noContactUntil", client_no_contact_until},
    {"createdAt", client_created},
    {"updatedAt", client_updated},
    {"tags", client_tags},
    {"preferredTechnician", client_preferred_tech},
    {"preferredTechnicianId", client_preferred_tech_id},
    {"defaultClientLocalization", client_localization},
    {"defaultContact", client_default_contact},
    {"allContacts", client_contacts},
    {"allPianos", client_pianos},
};
static const gsim_field_resolver localization[] = {
    {"locale", localization_locale},
};
static const gsim_field_resolver contact[] = {
    {"id", contact_id},
    {"firstName", contact_first},
    {"lastName", contact_last},
    {"title", contact_title},
    {"role", contact_role},
    {"isDefault", contact_is_default},
    {"archived", contact_archived},
    {"wantsEmail", contact_wants_email},
    {"wantsPhone", contact_wants_phone},
    {"wantsText", contact_wants_text},
    {"createdAt", contact_created},
    {"updatedAt", contact_updated},
    {"client", contact_client},
    {"defaultEmail", contact_email},
    {"defaultPhone", contact_phone},
    {"defaultConfirmedMobilePhone", contact_mobile},
    {"defaultLocation", contact_location},
};
static const gsim_field_resolver email[] = {
    {"email", email_email},
    {"isDefault", is_default_true},
};
static const gsim_field_resolver phone[] = {
    {"phoneNumber", phone_number}, /* E.164 whatever `format` asks */
    {"isDefault", is_default_true},
};
static const gsim_field_resolver location[] = {
    {"street1", location_street1},
    {"street2", location_street2},
    {"municipality", location_municipality},
    {"postalCode", location_postal_code},
    {"region", location_region},
    {"countryCode", location_country},
};

const gsim_type_resolvers gsim_client_resolvers[] = {
    GSIM_RESOLVERS("PrivateClient", client),
    GSIM_RESOLVERS("CoreLocalization", localization),
    GSIM_RESOLVERS("PrivateContact", contact),
    GSIM_RESOLVERS("PrivateContactEmail", email),
    GSIM_RESOLVERS("PrivateContactPhone", phone),
    GSIM_RESOLVERS("PrivateContactLocation", location),
};
const size_t gsim_client_resolver_count =
    sizeof(gsim_client_resolvers) / sizeof(gsim_client_resolvers[0]);
