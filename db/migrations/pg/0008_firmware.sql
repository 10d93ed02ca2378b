-- 0008 on PostgreSQL: a run's device's firmware and driver build, as ../0008_firmware.sql.
ALTER TABLE run_devices ADD COLUMN firmware TEXT;
ALTER TABLE run_devices ADD COLUMN module_sha256 TEXT;
