/* db: what store.c and store_read.c share. */
#ifndef CERTIFY_DB_STORE_INT_H
#define CERTIFY_DB_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

struct certify_db {
	sqlite3 *h;
	char path[1024];
	int busy_ms;			/* the busy timeout in force */
};

/* Fills err from the handle's last error, naming the store; a store another process keeps
 * locked (SQLITE_BUSY, SQLITE_LOCKED) is said to be busy. Returns -1. */
int db_error(struct certify_db *db, struct certify_err *err);

/* Prepares sql; on failure fills err with the store path and SQLite's message. */
int db_prepare(struct certify_db *db, const char *sql, sqlite3_stmt **st, struct certify_err *err);

/* Copies column i as text into out (empty when NULL). */
void db_col_text(sqlite3_stmt *st, int i, char *out, size_t outlen);

/* Column i as a malloc'ed string ("" when NULL), or NULL when out of memory. */
char *db_col_dup(sqlite3_stmt *st, int i);

#endif
