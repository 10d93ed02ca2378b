-- 0002: host checks, the host's own evidence about each boot (certify/hostcheck.h):
-- frames at the host peer, blocks in the image, QEMU's counters. One row per check the
-- configuration required or ran; a check that did not run is kept with why (ran = 0).
CREATE TABLE hostchecks (
	id INTEGER PRIMARY KEY,
	config_id INTEGER NOT NULL REFERENCES configs(id) ON DELETE CASCADE,
	name TEXT NOT NULL,				-- AREA.WHAT, e.g. peer.frames
	ran INTEGER NOT NULL CHECK (ran IN (0, 1)),
	ok INTEGER NOT NULL CHECK (ok IN (0, 1) AND (ran = 1 OR ok = 0)),
	message TEXT NOT NULL DEFAULT '',		-- what was seen, or why it did not run
	UNIQUE (config_id, name)
);

CREATE INDEX hostchecks_config ON hostchecks(config_id);
