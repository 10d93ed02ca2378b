-- The store's bookkeeping on PostgreSQL, as db/schema.sql; applied before any migration of
-- db/migrations/pg/, under the migration lock (db/store_pg.c).
CREATE TABLE IF NOT EXISTS schema_version (
	version INTEGER PRIMARY KEY,
	applied TEXT NOT NULL
);
