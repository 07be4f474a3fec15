#include "text.h"

#include <stdio.h>
#include <string.h>

static const gsim_name fr_first[] = {
    {"Émilie", "emilie"}, {"François", "francois"}, {"Hélène", "helene"},
    {"Jérôme", "jerome"}, {"Geneviève", "genevieve"}, {"Benoît", "benoit"},
    {"Chloé", "chloe"}, {"Zoé", "zoe"}, {"Loïc", "loic"}, {"Anaïs", "anais"},
    {"Mélanie", "melanie"}, {"Stéphane", "stephane"}, {"Cédric", "cedric"},
    {"Noémie", "noemie"}, {"Frédéric", "frederic"}, {"Josée", "josee"},
    {"André", "andre"}, {"Thérèse", "therese"}, {"Gaëtan", "gaetan"},
    {"Réjean", "rejean"}, {"Marie-Ève", "marie-eve"}, {"Luc", "luc"},
    {"Sophie", "sophie"}, {"Mathieu", "mathieu"}, {"Isabelle", "isabelle"},
    {"Pierre-Luc", "pierre-luc"}, {"Nathalie", "nathalie"}, {"Élise", "elise"},
};
static const gsim_name en_first[] = {
    {"Michael", "michael"}, {"Sarah", "sarah"}, {"Emily", "emily"},
    {"James", "james"}, {"Olivia", "olivia"}, {"William", "william"},
    {"Grace", "grace"}, {"Liam", "liam"}, {"Hannah", "hannah"},
    {"Robert", "robert"}, {"Chloë", "chloe"}, {"Zoë", "zoe"},
    {"Siobhán", "siobhan"}, {"Seán", "sean"}, {"Margaret", "margaret"},
};
static const gsim_name fr_last[] = {
    {"Tremblay", "tremblay"}, {"Gagnon", "gagnon"}, {"Côté", "cote"},
    {"Bélanger", "belanger"}, {"Lévesque", "levesque"},
    {"Bouchard", "bouchard"}, {"Gauthier", "gauthier"},
    {"Pelletier", "pelletier"}, {"Bergeron", "bergeron"}, {"Morin", "morin"},
    {"Lavoie", "lavoie"}, {"Fortin", "fortin"}, {"Gagné", "gagne"},
    {"Ouellet", "ouellet"}, {"Paré", "pare"}, {"D'Amours", "damours"},
    {"St-Pierre", "st-pierre"}, {"Bérubé", "berube"}, {"Thériault", "theriault"},
    {"Beaulieu", "beaulieu"}, {"Désilets", "desilets"}, {"Lefèbvre", "lefebvre"},
};
static const gsim_name en_last[] = {
    {"Smith", "smith"}, {"O'Brien", "obrien"}, {"MacDonald", "macdonald"},
    {"Johnson", "johnson"}, {"Williams", "williams"}, {"Brown", "brown"},
    {"Wilson", "wilson"}, {"Campbell", "campbell"}, {"Murphy", "murphy"},
    {"Taylor", "taylor"}, {"Anderson", "anderson"}, {"Fraser", "fraser"},
};

gsim_name gsim_text_first_name(gsim_rng *rng, int french)
{
    return french ? GSIM_PICK(rng, fr_first) : GSIM_PICK(rng, en_first);
}

gsim_name gsim_text_last_name(gsim_rng *rng, int french)
{
    return french ? GSIM_PICK(rng, fr_last) : GSIM_PICK(rng, en_last);
}

static const struct {
    const char *name, *region;
} places[] = {
    {"Montréal", "QC"}, {"Montréal", "QC"}, {"Montréal", "QC"},
    {"Québec", "QC"}, {"Laval", "QC"}, {"Longueuil", "QC"},
    {"Sherbrooke", "QC"}, {"Trois-Rivières", "QC"}, {"Gatineau", "QC"},
    {"Saint-Lambert", "QC"}, {"Westmount", "QC"}, {"Mont-Royal", "QC"},
    {"Lévis", "QC"}, {"Boucherville", "QC"}, {"Saint-Jérôme", "QC"},
    {"Ottawa", "ON"}, {"Hawkesbury", "ON"},
};

const char *gsim_text_municipality(gsim_rng *rng, const char **region)
{
    size_t i = gsim_rng_below(rng, sizeof(places) / sizeof(places[0]));
    *region = places[i].region;
    return places[i].name;
}

static const char *const street_names[] = {
    "rue Saint-Denis", "rue Sherbrooke Est", "rue de la Montagne",
    "rue Notre-Dame Ouest", "rue des Érables", "boulevard René-Lévesque",
    "avenue du Parc", "chemin de la Côte-Sainte-Catherine",
    "rue Saint-Hubert", "avenue Laurier Ouest", "Elm Avenue",
    "Victoria Avenue", "chemin du Lac-à-l'Île", "rang Saint-Édouard",
};

const char *gsim_text_street(gsim_arena *a, gsim_rng *rng)
{
    return gsim_arena_printf(a, "%d %s", (int)gsim_rng_range(rng, 1, 9800),
                             GSIM_PICK(rng, street_names));
}

const char *gsim_text_postal_code(gsim_arena *a, gsim_rng *rng)
{
    static const char letters[] = "ABCEGHJKLMNPRSTVXY";
    return gsim_arena_printf(
        a, "%c%d%c %d%c%d", "HJGK"[gsim_rng_below(rng, 4)],
        (int)gsim_rng_below(rng, 10), letters[gsim_rng_below(rng, 18)],
        (int)gsim_rng_below(rng, 10), letters[gsim_rng_below(rng, 18)],
        (int)gsim_rng_below(rng, 10));
}

const char *gsim_text_phone(gsim_arena *a, gsim_rng *rng)
{
    static const int areas[] = {514, 438, 450, 418, 819, 613};
    return gsim_arena_printf(a, "+1%d555%04d", GSIM_PICK(rng, areas),
                             (int)gsim_rng_below(rng, 10000));
}

static const char *const company_patterns[] = {
    "École de musique %s", "Église Saint-%s", "Conservatoire %s",
    "Studio %s", "%s & Fils", "Salle %s", "Café-concert « %s »",
    "%s Music Academy", "Résidence %s (CHSLD)", "Théâtre %s",
};

const char *gsim_text_company(gsim_arena *a, gsim_rng *rng)
{
    gsim_name last = gsim_text_last_name(rng, gsim_rng_chance(rng, 0.7));
    const char *pattern = GSIM_PICK(rng, company_patterns);
    /* The pattern table is fixed above; each has exactly one %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    return gsim_arena_printf(a, pattern, last.display);
#pragma GCC diagnostic pop
}

static const struct {
    const char *make, *model;
} pianos[] = {
    {"Yamaha", "U1"}, {"Yamaha", "C3"}, {"Yamaha", "GB1K"},
    {"Steinway & Sons", "Model D"}, {"Steinway & Sons", "Model B"},
    {"Kawai", "K-300"}, {"Kawai", "GX-2"}, {"Baldwin", "Acrosonic"},
    {"Heintzman", "Upright Grand"}, {"Bösendorfer", "Imperial 290"},
    {"Mason & Risch", "Console"}, {"Sherlock-Manning", "Studio 48\""},
    {"Boston", "GP-178"}, {"Petrof", "P 131"}, {"Roland", "HP704"},
    {"Fazioli", "F228"}, {"Blüthner", "Model 6"}, {"Seiler", "SE-186"},
    {"Lesage", NULL}, {"Willis & Co.", NULL},
};

const char *gsim_text_piano_make(gsim_rng *rng, const char **model)
{
    size_t i = gsim_rng_below(rng, sizeof(pianos) / sizeof(pianos[0]));
    *model = pianos[i].model;
    return pianos[i].make;
}

static const char *const fr_lines[] = {
    "Piano au 2e étage — escalier étroit.",
    "Clé chez la voisine (Mme Côté).",
    "Préfère les rendez-vous le matin ☀️",
    "Chat à l'intérieur, ne pas laisser sortir 🐈",
    "A demandé un « accord à 442 » pour le concert.",
    "Humidité élevée au sous-sol; recommander un Dampp-Chaser.",
    "Payé comptant. Reçu envoyé par courriel.",
    "Sourdine de la note 52 à surveiller.",
    "Stationnement difficile — prévoir 15 min de plus.",
    "Cordes graves rouillées, devis à faire 🎹",
};
static const char *const en_lines[] = {
    "Says \"don't tune below A440\".",
    "Dog is friendly 🐕 but loud.",
    "Back door only; code is on file.",
    "Hammers worn; suggested reshaping next visit.",
    "Prefers e-mail over phone calls.",
    "Concert on Saturday — needs touch-up Friday evening.",
    "Pitch raise done (was -35 cents).",
    "Tuning pins loose in the tenor section; watch it.",
};

const char *gsim_text_note(gsim_arena *a, gsim_rng *rng, int french)
{
    char text[8192];
    size_t used = 0;
    int lines = (int)gsim_rng_range(rng, 1, 4);
    /* Now and then a note is several kilobytes long: people paste e-mails
     * into Gazelle, and a sync must not choke on them. */
    if (gsim_rng_chance(rng, 0.01))
        lines = (int)gsim_rng_range(rng, 40, 90);
    for (int i = 0; i < lines; i++) {
        const char *line = french ? GSIM_PICK(rng, fr_lines)
                                  : GSIM_PICK(rng, en_lines);
        int n = snprintf(text + used, sizeof(text) - used, "%s%s",
                         i ? "\n" : "", line);
        if (n < 0 || (size_t)n >= sizeof(text) - used)
            break;
        used += (size_t)n;
    }
    return gsim_arena_strndup(a, text, used);
}

const char *gsim_text_summary(gsim_arena *a, gsim_rng *rng, const char *type)
{
    static const char *const service[] = {
        "Accord complet", "Tuning + minor regulation", "Accord et égalisation",
        "Réparation d'une corde (La 0)", "Pitch raise and tuning",
        "Nettoyage et accord", "Harmonisation des marteaux",
    };
    if (strcmp(type, "INVOICE") == 0)
        return gsim_arena_printf(a, "Facture n° %d envoyée",
                                 (int)gsim_rng_range(rng, 1000, 99999));
    if (strcmp(type, "ESTIMATE") == 0)
        return gsim_arena_printf(a, "Estimate #%d created",
                                 (int)gsim_rng_range(rng, 100, 9999));
    if (strcmp(type, "CONTACT_EMAIL_AUTOMATED") == 0)
        return "Rappel de rendez-vous envoyé par courriel";
    if (strcmp(type, "CONTACT_SMS_AUTOMATED") == 0)
        return "Appointment reminder sent by SMS 📱";
    if (strcmp(type, "SYSTEM_MESSAGE") == 0)
        return "Client merged from the web scheduler";
    if (strcmp(type, "PIANO_MEASUREMENT") == 0)
        return gsim_arena_printf(a, "Humidité %d %%, température %d °C",
                                 (int)gsim_rng_range(rng, 25, 70),
                                 (int)gsim_rng_range(rng, 16, 26));
    return GSIM_PICK(rng, service);
}
