-- 0006: the driver verifier's violations (verifier=1; docs/result-channel.md, `violation`):
-- one row per record the kernel wrote in a configuration's boot, with the host's
-- symbolized call site. Any row fails the configuration.
CREATE TABLE violations (
	id INTEGER PRIMARY KEY,
	config_id INTEGER NOT NULL REFERENCES configs(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,				-- use_after_free, double_free, leak, ...
	module TEXT NOT NULL,				-- the module of the call site, or kernel
	site INTEGER NOT NULL,				-- the call site (a return address)
	off INTEGER NOT NULL,				-- its offset in the module's image
	addr INTEGER NOT NULL DEFAULT 0,
	size INTEGER NOT NULL DEFAULT 0,
	dev TEXT NOT NULL DEFAULT '-',			-- the device's slot
	test TEXT NOT NULL DEFAULT '-',			-- the test that was running
	message TEXT NOT NULL DEFAULT '',
	location TEXT NOT NULL DEFAULT ''		-- "FUNCTION at FILE:LINE", '' when unknown
);

CREATE INDEX violations_config ON violations(config_id);
