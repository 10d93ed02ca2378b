-- 0007 on PostgreSQL: submissions, as ../0007_submissions.sql.
CREATE TABLE submissions (
	run_id BIGINT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
	vendor TEXT NOT NULL,
	key_id TEXT NOT NULL,
	package_sha256 TEXT NOT NULL UNIQUE,
	vendor_run BIGINT NOT NULL,
	vendor_host TEXT NOT NULL,
	signed_at TEXT NOT NULL,
	imported TEXT NOT NULL
);
