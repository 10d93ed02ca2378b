-- 0004 on PostgreSQL: what a run binds, as ../0004_binding.sql.
ALTER TABLE runs ADD COLUMN plan_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN kernel_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN qemu_version TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN official INTEGER NOT NULL DEFAULT 0 CHECK (official IN (0, 1));
ALTER TABLE runs ADD COLUMN unofficial_why TEXT NOT NULL
	DEFAULT 'stored before runs were bound to their plan, kernel and QEMU';

DROP VIEW certified_runs;
CREATE VIEW certified_runs AS
	SELECT * FROM runs WHERE status = 'complete' AND verdict = 'pass' AND official = 1;
