/* A file of the source tree, read whole, for the tests that check the
 * repository's own files (the SQL schemas) against the code. */
#ifndef GS_TEST_REPO_FILE_H
#define GS_TEST_REPO_FILE_H

/* The contents of @p rel ("schema/supabase.sql", relative to the repository
 * root), NUL-terminated; free() it. Fails the running cmocka test when the
 * file cannot be read. */
char *gs_test_repo_file(const char *rel);

#endif
