#include "opts.h"

#include "gazsync/error.h"

int gs_opts_check(unsigned version, unsigned known, const char *what)
{
    if (version == known)
        return GS_OK;
    /* 0 is the usual one: a struct zeroed by hand instead of *_INIT. */
    return gs_error_set(GS_EINVAL, GS_ECLASS_NONE,
                        "%s version %u is not the one this gazsync knows "
                        "(%u): initialise it with the header's *_INIT macro "
                        "and build against this gazsync's headers",
                        what, version, known);
}
