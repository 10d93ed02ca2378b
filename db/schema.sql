-- The certification store's schema is the sum of db/migrations/*.sql, applied in order;
-- each migration's number goes into schema_version. This file is the bookkeeping every
-- version shares; it is applied before any migration (db/store.c embeds both).
CREATE TABLE IF NOT EXISTS schema_version (
	version INTEGER PRIMARY KEY,
	applied TEXT NOT NULL
);
