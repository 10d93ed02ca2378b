-- 0001: the certification store's first schema (docs/db.md).
CREATE TABLE devices (
	id INTEGER PRIMARY KEY,
	vid INTEGER NOT NULL, did INTEGER NOT NULL,
	svid INTEGER NOT NULL, ssid INTEGER NOT NULL,
	class INTEGER NOT NULL DEFAULT 0,
	kind TEXT NOT NULL DEFAULT 'other',		-- nic | storage | other
	model TEXT NOT NULL,				-- QEMU device model
	vendor TEXT NOT NULL DEFAULT '',
	UNIQUE (vid, did, svid, ssid, model)
);

CREATE TABLE drivers (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL, version TEXT NOT NULL, vendor TEXT NOT NULL,
	sha256 TEXT NOT NULL UNIQUE			-- of the .hvm file, as the kernel reports it
);

CREATE TABLE releases (
	id INTEGER PRIMARY KEY,
	release TEXT NOT NULL UNIQUE			-- hvkernel release from the `hello` record
);

CREATE TABLE runs (
	id INTEGER PRIMARY KEY,
	plan TEXT NOT NULL,
	config TEXT NOT NULL,				-- JSON: devices, modules, the matrix
	seed INTEGER NOT NULL,
	started TEXT NOT NULL,				-- UTC, ISO 8601
	finished TEXT,
	status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'complete')),
	verdict TEXT CHECK (verdict IN ('pass', 'fail', 'error')),
	release_id INTEGER REFERENCES releases(id),
	host TEXT NOT NULL DEFAULT '',
	pid INTEGER NOT NULL DEFAULT 0,
	log TEXT NOT NULL DEFAULT '',
	CHECK (status = 'running' OR (verdict IS NOT NULL AND finished IS NOT NULL))
);

CREATE TABLE run_devices (
	run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	device_id INTEGER NOT NULL REFERENCES devices(id),
	PRIMARY KEY (run_id, device_id)
);

CREATE TABLE run_drivers (
	run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	driver_id INTEGER NOT NULL REFERENCES drivers(id),
	PRIMARY KEY (run_id, driver_id)
);

-- One kernel boot of the run's matrix.
CREATE TABLE configs (
	id INTEGER PRIMARY KEY,
	run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	idx INTEGER NOT NULL,
	name TEXT NOT NULL,
	config TEXT NOT NULL,				-- JSON: machine, irq, smp, accel
	cmdline TEXT NOT NULL DEFAULT '',
	outcome TEXT NOT NULL,				-- libcertify outcome (pass, panic, timeout, ...)
	verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'error', 'skip')),
	reason TEXT NOT NULL DEFAULT '',
	duration REAL NOT NULL DEFAULT 0,		-- seconds
	log TEXT NOT NULL DEFAULT '',			-- COM1 log and, on trouble, QEMU's output
	UNIQUE (run_id, idx)
);

CREATE TABLE results (
	id INTEGER PRIMARY KEY,
	run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	config_id INTEGER NOT NULL REFERENCES configs(id) ON DELETE CASCADE,
	suite TEXT NOT NULL, name TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'skip', 'error')),
	us INTEGER NOT NULL DEFAULT 0,
	message TEXT NOT NULL DEFAULT ''
);

CREATE TABLE metrics (
	id INTEGER PRIMARY KEY,
	result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
	name TEXT NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL DEFAULT ''
);

CREATE INDEX runs_status ON runs(status, verdict);
CREATE INDEX results_config ON results(config_id);
CREATE INDEX metrics_result ON metrics(result_id);

-- Certified means complete and passed; a run killed halfway stays 'running' and never counts.
CREATE VIEW certified_runs AS
	SELECT * FROM runs WHERE status = 'complete' AND verdict = 'pass';
