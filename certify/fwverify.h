/*
 * certify: the host check dev.firmware. The driver under test reads its device's firmware
 * revision in ring 0 and reports it (DDK hv_pci_set_firmware, the pci record's fw); the
 * host knows what QEMU gives each model: the ver= certify put on an AHCI or SCSI disk
 * (attach.c), QEMU's own version for nvme (QEMU 7.2 fills Identify Controller FR with
 * QEMU_VERSION), the NVM image version word 05h of QEMU's e1000 and e1000e EEPROM images,
 * and nothing for the models that have no firmware revision (virtio, rtl8139, vmxnet3,
 * the 82544GC without EERD). Each device under test must report exactly that.
 */
#ifndef CERTIFY_FWVERIFY_H
#define CERTIFY_FWVERIFY_H

#include <stddef.h>

#include "hostcheck.h"
#include "hvrrun.h"
#include "models.h"
#include "spec.h"

/* What model m at place index must report, given `qemu --version`'s first line: 1 with
 * the revision in out ("" when the device has none), 0 when the host cannot know (edu,
 * or a QEMU version line it cannot read). */
int certify_fw_expected(const struct certify_model *m, size_t index, const char *qemu_version,
			char *out, size_t outlen);

/* Is the check due for this run (some device under test with a known expectation)? */
int certify_fw_required(const struct certify_run_spec *spec);

/* Compares every device under test's pci record with its expectation into c. */
void certify_fwverify_check(const struct certify_run_spec *spec, const struct hvr_run *run,
			    const char *qemu_version, struct certify_hostcheck *c);

#endif
