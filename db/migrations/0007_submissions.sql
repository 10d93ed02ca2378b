-- 0007: submissions (docs/certify.md, "Packages"). A run imported from a vendor's signed
-- package (`certify import`) is stored as any run, with this row saying who submitted it:
-- the keyring's name for the signing key, the key, and the package's sha256 (a package is
-- imported once). `hcl export` lists only such runs unless told --local.
CREATE TABLE submissions (
	run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
	vendor TEXT NOT NULL,
	key_id TEXT NOT NULL,
	package_sha256 TEXT NOT NULL UNIQUE,
	vendor_run INTEGER NOT NULL,			-- the run's id in the vendor's store
	vendor_host TEXT NOT NULL,			-- where the vendor ran it
	signed_at TEXT NOT NULL,
	imported TEXT NOT NULL
);
