/* db: the embedded schema and migrations (generated from the SQL files by db/embed.sh). */
#ifndef CERTIFY_DB_MIGRATIONS_H
#define CERTIFY_DB_MIGRATIONS_H

#include <stddef.h>

struct certify_db_migration {
	int version;		/* NNNN of NNNN_what.sql; strictly increasing */
	const char *file;
	const char *sql;
};

extern const char certify_db_schema_sql[];
/* In version order, ending with a { 0, NULL, NULL } entry. */
extern const struct certify_db_migration certify_db_migrations[];

#endif
