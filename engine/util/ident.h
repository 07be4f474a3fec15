/* The one rule for a table name that is spliced into SQL or a PostgREST URL
 * path: an identifier that needs no quoting anywhere, so it can come only
 * from the entity descriptor or a checked config value. */
#ifndef GS_IDENT_H
#define GS_IDENT_H

/* Short name in the source, the private prefix gs__ at link time (buf.h
 * says why). */
#define gs_table_name_valid gs__table_name_valid

/* Longest table name plus its NUL (gs_entity_policy.target_table's size). */
#define GS_TABLE_NAME_SIZE 64

/* 1 when @p text is [a-z_][a-z0-9_]* and shorter than GS_TABLE_NAME_SIZE;
 * 0 otherwise (NULL too). */
int gs_table_name_valid(const char *text);

#endif
