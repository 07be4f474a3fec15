/* The one check of an options struct's version (libgit2's
 * GIT_ERROR_CHECK_VERSION): a caller compiled against another layout of
 * gs_pull_opts, gs_push_opts or gs_sync_opts is refused, since reading its
 * fields at this layout's offsets would misread every one after the first. */
#ifndef GS_OPTS_H
#define GS_OPTS_H

#define gs_opts_check gs__opts_check

/* GS_OK when @p version is @p known; else GS_EINVAL with a message naming
 * @p what ("gs_pull_opts"), both versions and the *_INIT macro to use. */
int gs_opts_check(unsigned version, unsigned known, const char *what);

#endif
