-- 0004: a run binds what was run: the sha256 of the plan file's content and of the kernel,
-- QEMU's version (the modules' sha256 are the drivers'), and whether the plan is the one
-- shipped with the release. A run with another plan is stored and judged but unofficial:
-- never certified, never exported. Runs stored before this were bound to nothing: they
-- become unofficial, with that as the reason.
ALTER TABLE runs ADD COLUMN plan_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN kernel_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN qemu_version TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN official INTEGER NOT NULL DEFAULT 0 CHECK (official IN (0, 1));
ALTER TABLE runs ADD COLUMN unofficial_why TEXT NOT NULL
	DEFAULT 'stored before runs were bound to their plan, kernel and QEMU';

-- Certified means complete, passed and official.
DROP VIEW certified_runs;
CREATE VIEW certified_runs AS
	SELECT * FROM runs WHERE status = 'complete' AND verdict = 'pass' AND official = 1;
