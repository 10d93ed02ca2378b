-- 0009 on PostgreSQL: waivers, as ../0009_waivers.sql.
CREATE TABLE waivers (
	id TEXT PRIMARY KEY,
	test TEXT NOT NULL,
	expires TEXT NOT NULL,				-- YYYY-MM-DD, UTC: waives nothing from that day
	maintainer TEXT NOT NULL,			-- the maintainers keyring's name of the key
	key_id TEXT NOT NULL,
	document TEXT NOT NULL,				-- the signed waiver file
	added TEXT NOT NULL,
	revoked TEXT,					-- when, NULL while not revoked
	revoked_why TEXT NOT NULL DEFAULT ''
);
