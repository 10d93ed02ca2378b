-- 0009: waivers (errata; docs/certify.md, "Waivers"): a maintainer's signed statement that a
-- test's failure in the configurations and releases it names does not fail a run until its
-- expiry date. The signed file is kept whole (document); id, test and expires are copied
-- out for listing. A revoked waiver stays on record and waives nothing. Runs keep their
-- stored verdicts: waivers are applied when a run is read (reports, hcl export), so a
-- waiver that expires or is revoked stops waiving at once.
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
