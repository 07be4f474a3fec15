/**
 * @file version.h
 * @brief The library's version: the one place it is written. CMakeLists.txt
 *        reads GAZSYNC_VERSION from here for project(VERSION), so the build,
 *        `gazsync --version` and gs_version() cannot disagree.
 */
#ifndef GAZSYNC_VERSION_H
#define GAZSYNC_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

/** The version of these headers, "MAJOR.MINOR.PATCH". */
#define GAZSYNC_VERSION "0.1.0"

/**
 * The version of the library linked in (GAZSYNC_VERSION when it was built),
 * which may differ from the headers a program was compiled against.
 * @return a static string; never NULL, never to be freed.
 */
const char *gs_version(void);

#ifdef __cplusplus
}
#endif

#endif
