/* gs_version(): the version the library was built as (version.h). */
#include "gazsync/version.h"

const char *gs_version(void)
{
    return GAZSYNC_VERSION;
}
