-- 0003: a configuration that does not boot is either not applicable ('na': the device lacks
-- what it forces, e.g. an interrupt mode) or not run ('notrun': the host could not or was
-- told not to run it: KVM unusable, another --accel). Both were 'skip' before; the reason
-- tells them apart. SQLite cannot change a CHECK in place: the table is rebuilt (db/store.c
-- runs migrations with foreign keys off and checks them before each commit).
CREATE TABLE configs_new (
	id INTEGER PRIMARY KEY,
	run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	idx INTEGER NOT NULL,
	name TEXT NOT NULL,
	config TEXT NOT NULL,				-- JSON: machine, irq, smp, accel
	cmdline TEXT NOT NULL DEFAULT '',
	outcome TEXT NOT NULL,				-- libcertify outcome (pass, panic, timeout, ...)
	verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'error', 'na', 'notrun')),
	reason TEXT NOT NULL DEFAULT '',
	duration REAL NOT NULL DEFAULT 0,		-- seconds
	log TEXT NOT NULL DEFAULT '',			-- COM1 log and, on trouble, QEMU's output
	UNIQUE (run_id, idx)
);

INSERT INTO configs_new (id, run_id, idx, name, config, cmdline, outcome, verdict, reason,
			 duration, log)
	SELECT id, run_id, idx, name, config, cmdline, outcome,
	       CASE WHEN verdict != 'skip' THEN verdict
		    WHEN reason LIKE 'the device under test has no %' THEN 'na'
		    ELSE 'notrun' END,
	       reason, duration, log FROM configs;

DROP TABLE configs;
ALTER TABLE configs_new RENAME TO configs;
