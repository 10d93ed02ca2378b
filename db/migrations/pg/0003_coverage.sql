-- 0003 on PostgreSQL: 'skip' becomes 'na' or 'notrun', as ../0003_coverage.sql; PostgreSQL
-- changes the CHECK in place (no table rebuild).
ALTER TABLE configs DROP CONSTRAINT configs_verdict_check;
UPDATE configs SET verdict = CASE WHEN reason LIKE 'the device under test has no %' THEN 'na'
				  ELSE 'notrun' END
	WHERE verdict = 'skip';
ALTER TABLE configs ADD CONSTRAINT configs_verdict_check
	CHECK (verdict IN ('pass', 'fail', 'error', 'na', 'notrun'));
