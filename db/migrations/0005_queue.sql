-- 0005: the job queue a lab's runners share (docs/db.md, "The queue"). `certify submit`
-- stores a run with one queue row per configuration of its matrix; `certify worker`
-- processes claim rows, run them and store each configuration together with its row's
-- 'done'. The queue needs a PostgreSQL store (claims use FOR UPDATE SKIP LOCKED, workers
-- wait on LISTEN/NOTIFY); on SQLite these tables exist, so both back ends share one schema,
-- and stay empty (certify refuses the queue commands on SQLite).
CREATE TABLE workers (
	id INTEGER PRIMARY KEY,
	host TEXT NOT NULL,
	pid INTEGER NOT NULL,
	slot INTEGER NOT NULL,				-- this process's slot, 1..slots
	slots INTEGER NOT NULL,				-- `certify worker --slots N`
	started TEXT NOT NULL,
	heartbeat TEXT NOT NULL,			-- UTC, ISO 8601: renewed while alive
	state TEXT NOT NULL DEFAULT 'idle' CHECK (state IN ('idle', 'busy', 'stopped'))
);

CREATE TABLE queue (
	id INTEGER PRIMARY KEY,
	run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	idx INTEGER NOT NULL,				-- the configuration's place in the matrix
	name TEXT NOT NULL,
	state TEXT NOT NULL DEFAULT 'queued'
		CHECK (state IN ('queued', 'claimed', 'done', 'cancelled')),
	worker_id INTEGER REFERENCES workers(id),	-- who claimed it last
	lease_until TEXT,				-- a claim not renewed by then returns to the queue
	attempts INTEGER NOT NULL DEFAULT 0,		-- claims so far
	UNIQUE (run_id, idx),
	CHECK (state != 'claimed' OR (worker_id IS NOT NULL AND lease_until IS NOT NULL))
);

-- What claims and stores look up, without scanning the rows already done.
CREATE INDEX queue_pending ON queue(id) WHERE state IN ('queued', 'claimed');
CREATE INDEX queue_run_pending ON queue(run_id) WHERE state IN ('queued', 'claimed');
