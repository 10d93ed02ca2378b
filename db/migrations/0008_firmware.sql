-- 0008: what a run's device reported about itself (docs/result-channel.md, the pci record's
-- fw and module_sha256): the firmware revision its driver read from it (NULL: the driver
-- reported none, the device has none) and the sha256 of the module that drove it, so the
-- list can name the firmware and the exact build certified (docs/hcl.md).
ALTER TABLE run_devices ADD COLUMN firmware TEXT;
ALTER TABLE run_devices ADD COLUMN module_sha256 TEXT;
