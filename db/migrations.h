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
/* The same for PostgreSQL (db/schema_pg.sql, db/migrations/pg/): the same version numbers,
 * each giving the same tables, columns and constraints in PostgreSQL's dialect. */
extern const char certify_db_pg_schema_sql[];
extern const struct certify_db_migration certify_db_pg_migrations[];

#endif
